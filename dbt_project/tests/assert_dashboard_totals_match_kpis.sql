-- The dashboard's marts add up to the kpis mart: admissions, bed days, charges, readmissions, the midnights
-- of daily_census, every facet's stays (the discharge facets: the discharged stays), and distinct
-- patients over the whole window (months - links), for every gender and filter of dashboard_patient_months.
with kpis as (
    select * from {{ ref('kpis') }}
),

segments as (
    select
        sum(admissions) as admissions,
        sum(bed_days) as bed_days,
        sum(total_charges) as total_charges,
        sum(readmissions_30d) as readmissions_30d,
        sum(patient_days) as patient_days
    from {{ ref('dashboard_segments') }}
),

census as (
    select sum(patients_in_hospital) as patient_days from {{ ref('daily_census') }}
),

facets as (
    select
        facet,
        sum(stays) as stays,
        sum(bed_days) as bed_days
    from {{ ref('dashboard_facets') }}
    group by facet
),

-- length of stay and weekday of discharge: discharged stays only; the other facets hold every stay
facet_base as (
    select
        'all' as base,
        count(*) as stays,
        sum(length_of_stay_days) as bed_days
    from {{ ref('fct_hospitalizations') }}
    union all
    select
        'discharged' as base,
        count(*) as stays,
        sum(length_of_stay_days) as bed_days
    from {{ ref('fct_hospitalizations') }}
    where is_discharged
),

patients as (
    select sum(patients) - sum(case when next_month is not null then patients else 0 end) as patients
    from {{ ref('dashboard_patient_months') }}
    where filter_dimension = 'all'
),

readmitted as (
    select {{ hospital_analytics.count_true('readmitted_within_30d') }} as readmissions_30d
    from {{ ref('fct_hospitalizations') }}
),

counted_patients as (
    select
        patient_gender,
        filter_dimension,
        filter_value,
        sum(patients) - sum(case when next_month is not null then patients else 0 end) as patients
    from {{ ref('dashboard_patient_months') }}
    group by patient_gender, filter_dimension, filter_value
),

expected_patients as (
    {% for dimension in ['age_group', 'diagnosis_category', 'admission_type'] -%}
        select
            patient_gender,
            '{{ dimension }}' as filter_dimension,
            {{ dimension }} as filter_value,
            count(distinct patient_id) as patients
        from {{ ref('fct_hospitalizations') }}
        group by patient_gender, {{ dimension }}
        union all
    {% endfor -%}
    select
        patient_gender,
        'all' as filter_dimension,
        'all' as filter_value,
        count(distinct patient_id) as patients
    from {{ ref('fct_hospitalizations') }}
    group by patient_gender
)

select
    'segments' as part,
    segments.admissions as dashboard,
    kpis.admissions as expected
from segments cross join kpis
where
    segments.admissions <> kpis.admissions
    or segments.bed_days <> kpis.bed_days
    or abs(segments.total_charges - kpis.total_charges) >= 0.005  -- a sum in floating point on some warehouses
union all
select
    'readmissions' as part,
    segments.readmissions_30d as dashboard,
    readmitted.readmissions_30d as expected
from segments cross join readmitted
where segments.readmissions_30d <> readmitted.readmissions_30d
union all
select
    'patient_days' as part,
    segments.patient_days as dashboard,
    census.patient_days as expected
from segments cross join census
where segments.patient_days <> census.patient_days
union all
select
    facets.facet as part,
    facets.stays as dashboard,
    facet_base.stays as expected
from facets
inner join facet_base
    on
        facet_base.base
        = case when facets.facet in ('length_of_stay', 'discharge_weekday') then 'discharged' else 'all' end
where
    facets.stays <> facet_base.stays
    or (facets.facet <> 'discharge_weekday' and facets.bed_days <> facet_base.bed_days)
union all
select
    'patients' as part,
    patients.patients as dashboard,
    kpis.patients as expected
from patients cross join kpis
where patients.patients <> kpis.patients
union all
select
    'patients ' || coalesce(counted_patients.filter_value, expected_patients.filter_value) as part,
    counted_patients.patients as dashboard,
    expected_patients.patients as expected
from counted_patients
full outer join expected_patients
    on
        counted_patients.patient_gender = expected_patients.patient_gender
        and counted_patients.filter_dimension = expected_patients.filter_dimension
        and counted_patients.filter_value = expected_patients.filter_value
where
    counted_patients.patients is null
    or expected_patients.patients is null
    or counted_patients.patients <> expected_patients.patients
