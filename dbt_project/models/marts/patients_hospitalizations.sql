-- One row per patient with at least one stay admitted in the window: stays, bed-days and average length of
-- stay (over the discharged stays), first admission and last discharge; gender and age group (age at the
-- first admission in the window) from int_patient_ages, as in patients_demographics.
with stays as (
    select * from {{ ref('int_stays') }}
    where admitted_in_window
),

ages as (
    select * from {{ ref('int_patient_ages') }}
),

per_patient as (
    select
        patient_id,
        count(*) as stays,
        cast(coalesce(sum(length_of_stay_days), 0) as bigint) as total_days,
        cast(avg(length_of_stay_days) as double) as average_length_of_stay_days,
        min(admission_date) as first_admission_date,
        max(discharge_date) as last_discharge_date
    from stays
    group by patient_id
)

select
    per_patient.patient_id,
    ages.gender,
    ages.age_group,
    per_patient.stays,
    per_patient.total_days,
    per_patient.average_length_of_stay_days,
    per_patient.first_admission_date,
    per_patient.last_discharge_date
from per_patient
inner join ages
    on per_patient.patient_id = ages.patient_id
