-- Discharged stays by diagnosis category, age group (at admission) and disposition, with each disposition's
-- share of its diagnosis category and age group: in-hospital mortality is the share of 'Died'.
with stays as (
    select
        diagnosis_category,
        age_group,
        age_group_order,
        discharge_disposition,
        total_charges
    from {{ ref('fct_hospitalizations') }}
    where is_discharged
),

counted as (
    select
        diagnosis_category,
        age_group,
        age_group_order,
        discharge_disposition,
        count(*) as discharges
    from stays
    group by diagnosis_category, age_group, age_group_order, discharge_disposition
)

select
    diagnosis_category,
    age_group,
    cast(age_group_order as integer) as age_group_order,
    discharge_disposition,
    cast(discharges as bigint) as discharges,
    cast(discharges as double)
    / cast(sum(discharges) over (partition by diagnosis_category, age_group) as double) as share_of_group
from counted
