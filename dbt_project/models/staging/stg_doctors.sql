-- One row per doctor: typed columns and a display name.
with source as (
    select * from {{ source('raw', 'doctors') }}
)

select
    cast(doctor_id as bigint) as doctor_id,
    cast(first_name as {{ dbt.type_string() }}) as first_name,
    cast(last_name as {{ dbt.type_string() }}) as last_name,
    cast(first_name as {{ dbt.type_string() }}) || ' ' || cast(last_name as {{ dbt.type_string() }}) as doctor_name,
    upper(trim(cast(gender as {{ dbt.type_string() }}))) as gender,
    cast(specialty as {{ dbt.type_string() }}) as specialty,
    cast(department as {{ dbt.type_string() }}) as department,
    cast(hospital_id as bigint) as hospital_id,
    cast(role as {{ dbt.type_string() }}) as roster_role,  -- `role` is a keyword
    cast(attends_stays as boolean) as attends_stays
from source
