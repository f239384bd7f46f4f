-- One row of headline figures over all stays. The KPI columns are generated from their single definition
-- (models/semantic/kpis.yml, macros/kpis.sql): volume, length of stay, readmissions, mortality, occupancy and
-- charges; then the peak census and the admission dates.
with stays as (
    select * from {{ ref('fct_hospitalizations') }}
),

census as (
    select * from {{ ref('daily_census') }}
),

stay_measures as (
    {{ hospital_analytics.kpi_measures('fct_hospitalizations', 'stays') }}
),

census_measures as (
    {{ hospital_analytics.kpi_measures('daily_census', 'census') }}
),

admission_dates as (
    select
        min(admission_date) as first_admission_date,
        max(admission_date) as last_admission_date
    from stays
),

peak as (
    select max(patients_in_hospital) as peak_census
    from census
),

peak_day as (
    select min(census.census_date) as peak_census_date
    from census
    inner join peak
        on census.patients_in_hospital = peak.peak_census
)

select
    {{- hospital_analytics.kpi_metric_columns() }}
    peak.peak_census,
    peak_day.peak_census_date,
    admission_dates.first_admission_date,
    admission_dates.last_admission_date
from stay_measures
cross join census_measures
cross join admission_dates
cross join peak
cross join peak_day
