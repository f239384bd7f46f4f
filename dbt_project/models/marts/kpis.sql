-- One row of headline figures over all stays: volume, length of stay, readmissions, occupancy and charges.
with stays as (
    select * from {{ ref('fct_hospitalizations') }}
),

census as (
    select * from {{ ref('daily_census') }}
),

stay_figures as (
    select
        count(*) as admissions,
        count(distinct patient_id) as patients,
        cast(avg(length_of_stay_days) as double) as average_length_of_stay_days,
        {{ hospital_analytics.median('length_of_stay_days') }} as median_length_of_stay_days,
        cast({{ hospital_analytics.count_true('readmitted_within_30d') }} as double)
        / cast(count(*) as double) as readmission_rate_30d,
        cast(sum(length_of_stay_days) as bigint) as bed_days,
        cast(sum(total_charges) as decimal(18, 2)) as total_charges,
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
    stay_figures.admissions,
    stay_figures.patients,
    stay_figures.average_length_of_stay_days,
    stay_figures.median_length_of_stay_days,
    stay_figures.readmission_rate_30d,
    stay_figures.bed_days,
    peak.peak_census,
    peak_day.peak_census_date,
    stay_figures.total_charges,
    stay_figures.first_admission_date,
    stay_figures.last_admission_date
from stay_figures
cross join peak
cross join peak_day
