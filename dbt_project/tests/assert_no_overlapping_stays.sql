-- A patient's stays never overlap: each next admission comes after the previous discharge.
select
    hospitalization_id,
    patient_id,
    discharge_date,
    next_admission_date
from {{ ref('int_stays_sequenced') }}
where
    next_admission_date is not null
    and next_admission_date <= discharge_date
