-- patients_admissions_by_month agrees exactly with RAW.admissions_by_month (the totals generate wrote
-- next to the raw rows): same months, admissions, distinct patients and bed-days; averages to 2 decimals.
with mart as (
    select
        month_label,
        admissions,
        distinct_patients,
        total_length_of_stay_days,
        average_length_of_stay_days
    from {{ ref('patients_admissions_by_month') }}
),

raw_totals as (
    select
        cast(month as {{ dbt.type_string() }}) as month_label,
        cast(admissions as bigint) as admissions,
        cast(distinct_patients as bigint) as distinct_patients,
        cast(total_length_of_stay_days as bigint) as total_length_of_stay_days,
        cast(average_length_of_stay_days as double) as average_length_of_stay_days
    from {{ source('raw', 'admissions_by_month') }}
)

select
    coalesce(mart.month_label, raw_totals.month_label) as month_label,
    mart.admissions as mart_admissions,
    raw_totals.admissions as raw_admissions,
    mart.distinct_patients as mart_distinct_patients,
    raw_totals.distinct_patients as raw_distinct_patients,
    mart.total_length_of_stay_days as mart_bed_days,
    raw_totals.total_length_of_stay_days as raw_bed_days
from mart
full outer join raw_totals
    on mart.month_label = raw_totals.month_label
where
    mart.month_label is null
    or raw_totals.month_label is null
    or mart.admissions <> raw_totals.admissions
    or mart.distinct_patients <> raw_totals.distinct_patients
    or mart.total_length_of_stay_days <> raw_totals.total_length_of_stay_days
    or abs(mart.average_length_of_stay_days - raw_totals.average_length_of_stay_days) > 0.005 + 1e-9
