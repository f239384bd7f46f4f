-- Admissions per calendar month of admission (stays admitted in the window): stays, distinct patients and
-- length of stay (bed days and mean over the discharged ones; a stay still open has no length yet).
with stays as (
    select * from {{ ref('int_stays') }}
    where admitted_in_window
)

select
    -- `month` is a keyword, and the column's name in the mart's contract
    admission_month as month,  -- noqa: RF04
    {{ hospital_analytics.month_label('admission_month') }} as month_label,
    count(*) as admissions,
    count(distinct patient_id) as distinct_patients,
    cast(coalesce(sum(length_of_stay_days), 0) as bigint) as total_length_of_stay_days,
    cast(avg(length_of_stay_days) as double) as average_length_of_stay_days
from stays
group by admission_month
