-- Every newborn is linked to its mother's delivery on its birth date in the same hospital: the birth stay is
-- the newborn's, the delivery stay the mother's, both admitted on birth_date (the newborn's date of birth) in
-- one hospital; and every stay of admission type Newborn is some newborn's birth stay (of the births delivered:
-- a birth whose mother's stay is quarantined is left out of stg_births, its newborn's stay is not).
with delivered_births as (
    select cast(newborn_hospitalization_id as bigint) as newborn_hospitalization_id
    from {{ source('raw', 'births') }}
),

births as (
    select * from {{ ref('stg_births') }}
),

stays as (
    select
        hospitalization_id,
        patient_id,
        hospital_id,
        admission_date,
        admission_type
    from {{ ref('stg_hospitalizations') }}
),

patients as (
    select
        patient_id,
        birth_date
    from {{ ref('stg_patients') }}
)

select
    'link' as problem,
    births.newborn_hospitalization_id as hospitalization_id
from births
left join stays as newborn
    on births.newborn_hospitalization_id = newborn.hospitalization_id
left join stays as delivery
    on births.delivery_hospitalization_id = delivery.hospitalization_id
left join patients
    on births.newborn_patient_id = patients.patient_id
where
    newborn.hospitalization_id is null
    or delivery.hospitalization_id is null
    or patients.patient_id is null
    or newborn.patient_id <> births.newborn_patient_id
    or delivery.patient_id <> births.mother_patient_id
    or newborn.admission_date <> births.birth_date
    or delivery.admission_date <> births.birth_date
    or patients.birth_date <> births.birth_date
    or newborn.hospital_id <> delivery.hospital_id
union all
select
    'unlinked newborn stay' as problem,
    stays.hospitalization_id
from stays
left join delivered_births
    on stays.hospitalization_id = delivered_births.newborn_hospitalization_id
where stays.admission_type = 'Newborn' and delivered_births.newborn_hospitalization_id is null
