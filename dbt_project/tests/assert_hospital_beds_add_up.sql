-- A hospital's staffed beds are the sum of its units' beds.
with unit_beds as (
    select
        hospital_id,
        sum(beds) as beds
    from {{ ref('stg_units') }}
    group by hospital_id
)

select
    hospitals.hospital_id,
    hospitals.beds,
    unit_beds.beds as unit_beds
from {{ ref('stg_hospitals') }} as hospitals
left join unit_beds
    on hospitals.hospital_id = unit_beds.hospital_id
where unit_beds.beds is null or unit_beds.beds <> hospitals.beds
