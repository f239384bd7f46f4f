-- One row: the analysis window. Starts on var window_start (the settings' start date), else on the first day of
-- the first month of the raw monthly totals (RAW.admissions_by_month, which generate writes for the stays
-- admitted in the window only), else on the first admission; ends on var window_end (the settings' end date),
-- else on the last day of the month of the latest admission. Stays admitted before window_start are those
-- already in house on its first day.
with stays as (
    select
        min(admission_date) as first_admission_date,
        max(admission_date) as last_admission_date
    from {{ ref('stg_hospitalizations') }}
),

raw_months as (
    select min(cast(month as {{ dbt.type_string() }})) as first_month
    from {{ source('raw', 'admissions_by_month') }}
)

select
    stays.first_admission_date,
    stays.last_admission_date,
    {{ hospital_analytics.window_start_date(
        "coalesce(cast(raw_months.first_month || '-01' as date), stays.first_admission_date)"
    ) }} as window_start,
    {{ hospital_analytics.window_end_date('stays.last_admission_date') }} as window_end
from stays
cross join raw_months
