-- One row per hospital of the system: name, real location and staffed beds.
with source as (
    select * from {{ source('raw', 'hospitals') }}
)

select
    cast(hospital_id as bigint) as hospital_id,
    cast(hospital_name as {{ dbt.type_string() }}) as hospital_name,
    cast(city as {{ dbt.type_string() }}) as city,
    cast(county as {{ dbt.type_string() }}) as county,
    cast(state as {{ dbt.type_string() }}) as state,
    cast(zip_code as {{ dbt.type_string() }}) as zip_code,
    cast(latitude as double) as latitude,
    cast(longitude as double) as longitude,
    cast(beds as integer) as beds,
    cast(bed_size_class as {{ dbt.type_string() }}) as bed_size_class
from source
