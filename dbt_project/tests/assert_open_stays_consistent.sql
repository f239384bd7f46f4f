-- A stay is open (still in house at the window's end) or discharged as a whole: discharge date, length of stay,
-- disposition, charges and discharge time are all there or all missing, and discharged_at falls on
-- discharge_date, admitted_at on admission_date, no earlier than admission.
select
    hospitalization_id,
    discharge_date,
    reported_length_of_stay_days,
    discharge_disposition,
    total_charges,
    admitted_at,
    discharged_at
from {{ ref('stg_hospitalizations') }}
where
    (discharge_date is null) <> (reported_length_of_stay_days is null)
    or (discharge_date is null) <> (discharge_disposition is null)
    or (discharge_date is null) <> (total_charges is null)
    or (discharge_date is null) <> (discharged_at is null)
    or cast(admitted_at as date) <> admission_date
    or cast(discharged_at as date) <> discharge_date
    or discharged_at < admitted_at
