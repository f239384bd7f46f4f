-- The interactive dashboard's cube: one row per month and segment (patient gender, age group at admission,
-- diagnosis category, admission type), so its size is bounded by months x segments whatever the number of
-- stays. Additive measures only, so any set of rows adds up to the figures of the stays it covers:
-- admissions .. deaths count the stays admitted in the month; patient_days counts the midnights spent in
-- hospital during the month (the daily census split by segment).
with stays as (
    select * from {{ ref('fct_hospitalizations') }}
),

days as (
    select census_date from {{ ref('daily_census') }}
),

admitted as (
    select
        admission_month as month,
        patient_gender,
        age_group,
        diagnosis_category,
        admission_type,
        count(*) as admissions,
        sum(length_of_stay_days) as bed_days,
        cast(sum(total_charges) as decimal(18, 2)) as total_charges,
        {{ hospital_analytics.count_true('readmitted_within_30d') }} as readmissions_30d,
        {{ hospital_analytics.count_true("discharge_disposition = 'Died'") }} as deaths,
        0 as patient_days
    from stays
    group by admission_month, patient_gender, age_group, diagnosis_category, admission_type
),

-- Midnights: a stay is in hospital on each day with admission_date <= day < discharge_date (as daily_census).
in_house as (
    select
        {{ hospital_analytics.month_start('days.census_date') }} as month,
        stays.patient_gender,
        stays.age_group,
        stays.diagnosis_category,
        stays.admission_type,
        0 as admissions,
        0 as bed_days,
        cast(0 as decimal(18, 2)) as total_charges,
        0 as readmissions_30d,
        0 as deaths,
        count(*) as patient_days
    from stays
    inner join days
        on days.census_date >= stays.admission_date
        and days.census_date < stays.discharge_date
    group by
        {{ hospital_analytics.month_start('days.census_date') }},
        stays.patient_gender,
        stays.age_group,
        stays.diagnosis_category,
        stays.admission_type
),

combined as (
    select * from admitted
    union all
    select * from in_house
)

select
    month,
    patient_gender,
    age_group,
    diagnosis_category,
    admission_type,
    cast(sum(admissions) as bigint) as admissions,
    cast(sum(bed_days) as bigint) as bed_days,
    cast(sum(total_charges) as decimal(18, 2)) as total_charges,
    cast(sum(readmissions_30d) as bigint) as readmissions_30d,
    cast(sum(deaths) as bigint) as deaths,
    cast(sum(patient_days) as bigint) as patient_days
from combined
group by month, patient_gender, age_group, diagnosis_category, admission_type
