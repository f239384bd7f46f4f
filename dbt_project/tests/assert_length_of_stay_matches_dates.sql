-- The length of stay written in the raw file equals discharge_date - admission_date (both missing for an open stay).
select
    hospitalization_id,
    length_of_stay_days,
    reported_length_of_stay_days
from {{ ref('stg_hospitalizations') }}
where
    (reported_length_of_stay_days is null) <> (length_of_stay_days is null)
    or reported_length_of_stay_days <> length_of_stay_days
