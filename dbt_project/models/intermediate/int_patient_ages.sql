-- One row per patient admitted in the window (the project's one definition of "patients": distinct patients
-- with at least one stay admitted in the window), with their first admission in it and their age group then
-- (age at admission, macro age_at_admission). patients_demographics, patients_hospitalizations and
-- fct_hospitalizations.patient_age_group take a patient's age group from here.
with stays as (
    select
        patient_id,
        admission_date
    from {{ ref('int_stays') }}
    where admitted_in_window
),

patients as (
    select * from {{ ref('stg_patients') }}
),

first_admissions as (
    select
        patient_id,
        min(admission_date) as first_admission_date
    from stays
    group by patient_id
),

aged as (
    select
        patients.patient_id,
        patients.gender,
        patients.birth_date,
        first_admissions.first_admission_date,
        {{ hospital_analytics.age_at_admission('patients.birth_date', 'first_admissions.first_admission_date') }}
            as age_at_first_admission
    from first_admissions
    inner join patients
        on first_admissions.patient_id = patients.patient_id
)

select
    patient_id,
    gender,
    birth_date,
    first_admission_date,
    age_at_first_admission,
    {{ hospital_analytics.age_group('age_at_first_admission') }} as age_group,
    {{ hospital_analytics.age_group_order('age_at_first_admission') }} as age_group_order
from aged
