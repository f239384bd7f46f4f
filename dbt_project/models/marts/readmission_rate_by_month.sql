-- 30-day readmission rate per month of discharge: readmitted stays / stays discharged that month (stays
-- admitted in the window; open stays have no discharge month and are left out).
with readmissions as (
    select * from {{ ref('fct_readmissions') }}
    where discharge_month is not null
),

monthly as (
    select
        discharge_month,
        count(*) as discharges,
        {{ hospital_analytics.count_true('readmitted_within_30d') }} as readmissions_30d
    from readmissions
    group by discharge_month
)

select
    -- `month` is a keyword, and the column's name in the mart's contract
    discharge_month as month,  -- noqa: RF04
    {{ hospital_analytics.month_label('discharge_month') }} as month_label,
    discharges,
    readmissions_30d,
    cast(readmissions_30d as double) / cast(discharges as double) as readmission_rate
from monthly
