-- One row per unit (ICU, step-down, medical-surgical, ...) of a hospital, with its staffed beds.
with source as (
    select * from {{ source('raw', 'units') }}
)

select
    cast(unit_id as bigint) as unit_id,
    cast(hospital_id as bigint) as hospital_id,
    cast(unit_code as {{ dbt.type_string() }}) as unit_code,
    cast(unit_name as {{ dbt.type_string() }}) as unit_name,
    cast(beds as integer) as beds
from source
