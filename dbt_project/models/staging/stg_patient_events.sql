-- One row per patient message of the daily feed (register, address, coverage), as recorded, typed.
with source as (
    select * from {{ source('raw', 'patient_events') }}
)

select
    cast(event_id as bigint) as event_id,
    cast(event_type as {{ dbt.type_string() }}) as event_type,
    cast(hl7_event as {{ dbt.type_string() }}) as hl7_event,
    cast(patient_id as bigint) as patient_id,
    cast(event_at as timestamp) as event_at,
    cast(recorded_at as timestamp) as recorded_at,
    cast(city as {{ dbt.type_string() }}) as city,
    cast(state as {{ dbt.type_string() }}) as state,
    cast(zip_code as {{ dbt.type_string() }}) as zip_code,
    cast(county as {{ dbt.type_string() }}) as county,
    cast(payer as {{ dbt.type_string() }}) as payer,
    cast(_source_file as {{ dbt.type_string() }}) as source_file
from source
