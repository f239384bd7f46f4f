-- patients_admissions_by_month agrees exactly with RAW.admissions_by_month (the totals generate wrote
-- next to the raw rows): same months, admissions, distinct patients and bed-days; averages to 2 decimals. For
-- data with defects the marts hold clean stays only: a month's admissions plus its stays left out
-- (quarantine_hospitalizations, an extra copy not counted; month of admission_date, else of admitted_at) equal
-- the raw total, and the other figures are compared in months where no stay was left out.
with mart as (
    select
        month_label,
        admissions,
        distinct_patients,
        total_length_of_stay_days,
        average_length_of_stay_days
    from {{ ref('patients_admissions_by_month') }}
),

bounds as (
    select
        window_start,
        window_end
    from {{ ref('int_window') }}
),

left_out as (
    select
        {{ hospital_analytics.month_label('coalesce(held.admission_date, cast(held.admitted_at as date))') }}
            as month_label,
        count(*) as stays
    from {{ ref('quarantine_hospitalizations') }} as held
    cross join bounds
    where
        held.delivered_copy = 1
        and coalesce(held.admission_date, cast(held.admitted_at as date)) >= bounds.window_start
        and coalesce(held.admission_date, cast(held.admitted_at as date)) <= bounds.window_end
    group by 1
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
left join left_out
    on coalesce(mart.month_label, raw_totals.month_label) = left_out.month_label
where
    (mart.month_label is null and left_out.stays is null)
    or raw_totals.month_label is null
    or coalesce(mart.admissions, 0) + coalesce(left_out.stays, 0) <> raw_totals.admissions
    or (
        left_out.stays is null
        and (
            mart.distinct_patients <> raw_totals.distinct_patients
            or mart.total_length_of_stay_days <> raw_totals.total_length_of_stay_days
            or abs(mart.average_length_of_stay_days - raw_totals.average_length_of_stay_days) > 0.005 + 1e-9
        )
    )
