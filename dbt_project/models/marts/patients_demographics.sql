-- Patients admitted in the window by gender and age group (age at their first admission in the window, both
-- from int_patient_ages), with their share of all of them: the groups add up to the kpis mart's patients.
-- Every gender present is listed with every age group, zero when no patient falls in one.
with ages as (
    select * from {{ ref('int_patient_ages') }}
),

age_groups as (
    {% for group in hospital_analytics.age_groups() -%}
        select
            '{{ group.label }}' as age_group,
            {{ loop.index }} as age_group_order
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

genders as (
    select distinct gender from ages
),

counts as (
    select
        gender,
        age_group,
        count(*) as patients
    from ages
    group by gender, age_group
),

grid as (
    select
        genders.gender,
        age_groups.age_group,
        age_groups.age_group_order,
        coalesce(counts.patients, 0) as patients
    from genders
    cross join age_groups
    left join counts
        on
            genders.gender = counts.gender
            and age_groups.age_group = counts.age_group
)

select
    gender,
    age_group,
    cast(age_group_order as integer) as age_group_order,
    cast(patients as bigint) as patients,
    cast(patients as double) / cast(sum(patients) over () as double) as share_of_patients
from grid
