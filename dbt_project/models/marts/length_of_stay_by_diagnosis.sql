-- Length of stay by diagnosis category and the attending doctor's specialty: mean, median and 90th percentile,
-- over the discharged stays (an open stay has no length yet).
with stays as (
    select * from {{ ref('fct_hospitalizations') }}
    where is_discharged
)

select
    diagnosis_category,
    doctor_specialty,
    count(*) as stays,
    cast(avg(length_of_stay_days) as double) as mean_length_of_stay_days,
    {{ hospital_analytics.median('length_of_stay_days') }} as median_length_of_stay_days,
    {{ hospital_analytics.percentile('length_of_stay_days', 0.9) }} as p90_length_of_stay_days
from stays
group by diagnosis_category, doctor_specialty
