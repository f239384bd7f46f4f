-- "Patients" and "age group" have one definition (int_patient_ages: the patients admitted in the window, each
-- in the age group of their first admission in it), and every mart that counts patients agrees with it: the
-- kpis mart's patients, patients_hospitalizations' rows, the distinct patients of fct_hospitalizations, and
-- patients_demographics' cells, which equal fct_hospitalizations' distinct patients by gender and
-- patient_age_group. Rows returned are disagreements.
with defined as (
    select
        gender,
        age_group,
        count(*) as patients
    from {{ ref('int_patient_ages') }}
    group by gender, age_group
),

demographics as (
    select
        gender,
        age_group,
        patients
    from {{ ref('patients_demographics') }}
    where patients > 0
),

from_stays as (
    select
        patient_gender as gender,
        patient_age_group as age_group,
        count(distinct patient_id) as patients
    from {{ ref('fct_hospitalizations') }}
    group by patient_gender, patient_age_group
),

totals as (
    select
        'int_patient_ages' as source_name,
        count(*) as patients
    from {{ ref('int_patient_ages') }}
    union all
    select
        'kpis' as source_name,
        max(patients) as patients
    from {{ ref('kpis') }}
    union all
    select
        'patients_hospitalizations' as source_name,
        count(*) as patients
    from {{ ref('patients_hospitalizations') }}
    union all
    select
        'fct_hospitalizations' as source_name,
        count(distinct patient_id) as patients
    from {{ ref('fct_hospitalizations') }}
    union all
    select
        'patients_demographics' as source_name,
        sum(patients) as patients
    from {{ ref('patients_demographics') }}
),

one_total as (
    select patients
    from totals
    where source_name = 'int_patient_ages'
)

select
    totals.source_name as part,
    totals.patients as counted,
    one_total.patients as defined
from totals
cross join one_total
where totals.patients <> one_total.patients
union all
select
    coalesce(defined.gender, demographics.gender, from_stays.gender) || ' ' || coalesce(
        defined.age_group, demographics.age_group, from_stays.age_group
    ) as part,
    coalesce(demographics.patients, from_stays.patients, 0) as counted,
    coalesce(defined.patients, 0) as defined
from defined
full outer join demographics
    on
        defined.gender = demographics.gender
        and defined.age_group = demographics.age_group
full outer join from_stays
    on
        coalesce(defined.gender, demographics.gender) = from_stays.gender
        and coalesce(defined.age_group, demographics.age_group) = from_stays.age_group
where
    coalesce(defined.patients, 0) <> coalesce(demographics.patients, 0)
    or coalesce(defined.patients, 0) <> coalesce(from_stays.patients, 0)
