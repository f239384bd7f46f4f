-- Distinct patients for any range of admission months, at a size bounded by months x months x filters.
-- For each patient and filter (all stays, or the stays of one age group, diagnosis category or admission
-- type), take the months in which the patient was admitted with such a stay, m1 < m2 < ... < mk: each month
-- is a row, with the next such month (null for the last). The patients with at least one such stay in
-- months i..j are then (rows with i <= month <= j) - (rows with i <= month and next_month <= j): a
-- patient's months inside the range form one run, counted once per month and once less per link.
-- Gender is the patient's, so the counts of two genders add up.
with stays as (
    select
        patient_id,
        patient_gender,
        admission_month,
        age_group,
        diagnosis_category,
        admission_type
    from {{ ref('fct_hospitalizations') }}
),

keyed as (
    select
        patient_id,
        patient_gender,
        'all' as filter_dimension,
        'all' as filter_value,
        admission_month
    from stays
    union all
    select
        patient_id,
        patient_gender,
        'age_group' as filter_dimension,
        age_group as filter_value,
        admission_month
    from stays
    union all
    select
        patient_id,
        patient_gender,
        'diagnosis_category' as filter_dimension,
        diagnosis_category as filter_value,
        admission_month
    from stays
    union all
    select
        patient_id,
        patient_gender,
        'admission_type' as filter_dimension,
        admission_type as filter_value,
        admission_month
    from stays
),

patient_months as (
    select distinct
        patient_id,
        patient_gender,
        filter_dimension,
        filter_value,
        admission_month
    from keyed
),

sequenced as (
    select
        patient_gender,
        filter_dimension,
        filter_value,
        admission_month,
        lead(admission_month) over (
            partition by patient_id, filter_dimension, filter_value order by admission_month
        ) as next_month
    from patient_months
)

select
    patient_gender,
    filter_dimension,
    filter_value,
    admission_month as month,  -- noqa: RF04
    next_month,
    cast(count(*) as bigint) as patients
from sequenced
group by patient_gender, filter_dimension, filter_value, admission_month, next_month
