-- One row per newborn: its birth stay and its mother's delivery stay (same hospital, same day).
with source as (
    select * from {{ source('raw', 'births') }}
)

select
    cast(newborn_patient_id as bigint) as newborn_patient_id,
    cast(newborn_hospitalization_id as bigint) as newborn_hospitalization_id,
    cast(mother_patient_id as bigint) as mother_patient_id,
    cast(delivery_hospitalization_id as bigint) as delivery_hospitalization_id,
    cast(birth_date as date) as birth_date,
    cast(delivery_method as {{ dbt.type_string() }}) as delivery_method,
    cast(plurality as integer) as plurality
from source
-- clean stays only: a birth whose newborn's or mother's stay is quarantined or held back is left out with it
where
    cast(newborn_hospitalization_id as bigint) in (
        select clean.hospitalization_id from {{ ref('stg_hospitalizations') }} as clean
    )
    and cast(delivery_hospitalization_id as bigint) in (
        select clean.hospitalization_id from {{ ref('stg_hospitalizations') }} as clean
    )
