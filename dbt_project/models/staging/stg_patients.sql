-- One row per patient: typed columns, trimmed codes and a display name.
with source as (
    select * from {{ source('raw', 'patients') }}
)

select
    cast(patient_id as bigint) as patient_id,
    cast(first_name as {{ dbt.type_string() }}) as first_name,
    cast(last_name as {{ dbt.type_string() }}) as last_name,
    cast(first_name as {{ dbt.type_string() }}) || ' ' || cast(last_name as {{ dbt.type_string() }}) as patient_name,
    upper(trim(cast(gender as {{ dbt.type_string() }}))) as gender,
    cast(birth_date as date) as birth_date,
    cast(city as {{ dbt.type_string() }}) as city,
    cast(state as {{ dbt.type_string() }}) as state,
    trim(cast(insurance as {{ dbt.type_string() }})) as insurance,
    cast(zip_code as {{ dbt.type_string() }}) as zip_code,
    cast(county as {{ dbt.type_string() }}) as county,
    cast(home_hospital_id as bigint) as home_hospital_id,
    cast(death_date as date) as death_date
from source
