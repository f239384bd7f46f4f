-- A death ends the patient's timeline: no stay of a patient admitted, discharged or still open after the
-- death_date, and a stay that ended in death was discharged on that very day.
with stays as (
    select
        hospitalization_id,
        patient_id,
        admission_date,
        discharge_date,
        discharge_disposition
    from {{ ref('stg_hospitalizations') }}
),

patients as (
    select
        patient_id,
        death_date
    from {{ ref('stg_patients') }}
)

select
    stays.hospitalization_id,
    stays.patient_id,
    stays.admission_date,
    stays.discharge_date,
    stays.discharge_disposition,
    patients.death_date
from stays
inner join patients
    on stays.patient_id = patients.patient_id
where
    (
        patients.death_date is not null
        and (
            stays.admission_date > patients.death_date
            or stays.discharge_date is null
            or stays.discharge_date > patients.death_date
        )
    )
    or (
        stays.discharge_disposition = 'Died'
        and (patients.death_date is null or stays.discharge_date <> patients.death_date)
    )
