-- The dashboard's marts add up to the kpis mart: admissions, bed days, charges, readmissions, the midnights
-- of daily_census, every facet's stays, and distinct patients over the whole window (months - links).
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
    select facet, sum(stays) as stays, sum(bed_days) as bed_days
    from {{ ref('dashboard_facets') }}
    where facet <> 'discharge_weekday'
    group by facet
),

patients as (
    select
        sum(patients) - sum(case when next_month is not null then patients else 0 end) as patients
    from {{ ref('dashboard_patient_months') }}
    where filter_dimension = 'all'
),

readmitted as (
    select {{ hospital_analytics.count_true('readmitted_within_30d') }} as readmissions_30d
    from {{ ref('fct_hospitalizations') }}
)

select 'segments' as part, segments.admissions as dashboard, kpis.admissions as expected
from segments cross join kpis
where segments.admissions <> kpis.admissions
    or segments.bed_days <> kpis.bed_days
    or abs(segments.total_charges - kpis.total_charges) >= 0.005  -- a sum in floating point on some warehouses
union all
select 'readmissions', segments.readmissions_30d, readmitted.readmissions_30d
from segments cross join readmitted
where segments.readmissions_30d <> readmitted.readmissions_30d
union all
select 'patient_days', segments.patient_days, census.patient_days
from segments cross join census
where segments.patient_days <> census.patient_days
union all
select facets.facet, facets.stays, kpis.admissions
from facets cross join kpis
where facets.stays <> kpis.admissions or facets.bed_days <> kpis.bed_days
union all
select 'patients', patients.patients, kpis.patients
from patients cross join kpis
where patients.patients <> kpis.patients
union all
select 'patients ' || coalesce(counted.filter_value, expected.filter_value), counted.patients, expected.patients
from (
    select
        patient_gender,
        filter_dimension,
        filter_value,
        sum(patients) - sum(case when next_month is not null then patients else 0 end) as patients
    from {{ ref('dashboard_patient_months') }}
    group by patient_gender, filter_dimension, filter_value
) as counted
full outer join (
    {% for dimension in ['age_group', 'diagnosis_category', 'admission_type'] -%}
    select patient_gender, '{{ dimension }}' as filter_dimension, {{ dimension }} as filter_value,
        count(distinct patient_id) as patients
    from {{ ref('fct_hospitalizations') }}
    group by patient_gender, {{ dimension }}
    union all
    {% endfor -%}
    select patient_gender, 'all', 'all', count(distinct patient_id)
    from {{ ref('fct_hospitalizations') }}
    group by patient_gender
) as expected
    on counted.patient_gender = expected.patient_gender
    and counted.filter_dimension = expected.filter_dimension
    and counted.filter_value = expected.filter_value
where counted.patients is null or expected.patients is null or counted.patients <> expected.patients
