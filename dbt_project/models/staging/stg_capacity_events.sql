-- One row per time a full unit turned a patient away or kept one waiting (postponed, diverted, held).
with source as (
    select * from {{ source('raw', 'capacity_events') }}
)

select
    cast(capacity_event_id as bigint) as capacity_event_id,
    cast(hospital_id as bigint) as hospital_id,
    cast(unit_id as bigint) as unit_id,
    cast(event_date as date) as event_date,
    cast(event_type as {{ dbt.type_string() }}) as event_type,
    cast(patient_id as bigint) as patient_id
from source
