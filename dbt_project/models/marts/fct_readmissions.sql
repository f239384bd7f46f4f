-- One row per stay: when the same patient came back next, and whether that was a 30-day readmission.
select
    hospitalization_id,
    patient_id,
    admission_date,
    discharge_date,
    {{ hospital_analytics.month_start('discharge_date') }} as discharge_month,
    next_admission_date,
    days_to_next_admission,
    readmitted_within_30d
from {{ ref('int_stays_sequenced') }}
