-- Admissions per calendar month of admission: stays, distinct patients and length of stay.
with stays as (
    select * from {{ ref('stg_hospitalizations') }}
)

select
    -- `month` is a keyword, and the column's name in the mart's contract
    admission_month as month,  -- noqa: RF04
    {{ hospital_analytics.month_label('admission_month') }} as month_label,
    count(*) as admissions,
    count(distinct patient_id) as distinct_patients,
    cast(sum(length_of_stay_days) as bigint) as total_length_of_stay_days,
    cast(avg(length_of_stay_days) as double) as average_length_of_stay_days
from stays
group by admission_month
