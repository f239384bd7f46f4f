-- The interactive dashboard's cube: one row per month and segment (patient gender, age group at admission,
-- diagnosis category, admission type), so its size is bounded by months x segments whatever the number of
-- stays. Additive measures only, so any set of rows adds up to the figures of the stays it covers: one
-- column per additive measure of the KPIs' definition (models/semantic/kpis.yml: admissions, bed days,
-- readmissions, deaths, charges), counting the stays admitted in the month; patient_days counts the
-- midnights spent in hospital during the month (the daily census split by segment: stays admitted before the
-- window and still-open stays included, as in daily_census).
with stays as (
    select * from {{ ref('fct_hospitalizations') }}
),

census_stays as (
    select
        stays.admission_date,
        stays.discharge_date,
        patients.gender as patient_gender,
        {{ hospital_analytics.age_group(
            hospital_analytics.age_at_admission('patients.birth_date', 'stays.admission_date')
        ) }} as age_group,
        stays.diagnosis_category,
        stays.admission_type
    from {{ ref('stg_hospitalizations') }} as stays
    inner join {{ ref('stg_patients') }} as patients
        on stays.patient_id = patients.patient_id
),

days as (
    select census_date from {{ ref('daily_census') }}
),

admitted as (
    select
        admission_month,
        patient_gender,
        age_group,
        diagnosis_category,
        admission_type,
        {{- hospital_analytics.kpi_additive_aggregates('fct_hospitalizations') }}
    from stays
    group by admission_month, patient_gender, age_group, diagnosis_category, admission_type
),

-- Midnights: a stay is in hospital on each day with admission_date <= day < discharge_date (as daily_census).
in_house as (
    select
        {{ hospital_analytics.month_start('days.census_date') }} as census_month,
        census_stays.patient_gender,
        census_stays.age_group,
        census_stays.diagnosis_category,
        census_stays.admission_type,
        count(*) as patient_days
    from census_stays
    inner join days
        on
            census_stays.admission_date <= days.census_date
            and (census_stays.discharge_date is null or census_stays.discharge_date > days.census_date)
    group by
        {{ hospital_analytics.month_start('days.census_date') }},
        census_stays.patient_gender,
        census_stays.age_group,
        census_stays.diagnosis_category,
        census_stays.admission_type
)

select
    coalesce(admitted.admission_month, in_house.census_month) as month,  -- noqa: RF04
    coalesce(admitted.patient_gender, in_house.patient_gender) as patient_gender,
    coalesce(admitted.age_group, in_house.age_group) as age_group,
    coalesce(admitted.diagnosis_category, in_house.diagnosis_category) as diagnosis_category,
    coalesce(admitted.admission_type, in_house.admission_type) as admission_type,
    {{- hospital_analytics.kpi_additive_sums('fct_hospitalizations', 'admitted') }}
    cast(coalesce(in_house.patient_days, 0) as bigint) as patient_days
from admitted
full outer join in_house
    on
        admitted.admission_month = in_house.census_month
        and admitted.patient_gender = in_house.patient_gender
        and admitted.age_group = in_house.age_group
        and admitted.diagnosis_category = in_house.diagnosis_category
        and admitted.admission_type = in_house.admission_type
