-- Every stay is counted once: the monthly marts add up to the raw row count, and the fact table,
-- the readmissions and the per-patient mart hold every stay too.
with raw_stays as (
    select count(*) as stays, sum(length_of_stay_days) as bed_days
    from {{ source('raw', 'hospitalizations') }}
),

totals as (
    select 'patients_admissions_by_month.admissions' as figure,
           (select sum(admissions) from {{ ref('patients_admissions_by_month') }}) as total,
           (select stays from raw_stays) as expected
    union all
    select 'patients_admissions_by_month.total_length_of_stay_days',
           (select sum(total_length_of_stay_days) from {{ ref('patients_admissions_by_month') }}),
           (select bed_days from raw_stays)
    union all
    select 'readmission_rate_by_month.discharges',
           (select sum(discharges) from {{ ref('readmission_rate_by_month') }}),
           (select stays from raw_stays)
    union all
    select 'fct_hospitalizations rows',
           (select count(*) from {{ ref('fct_hospitalizations') }}),
           (select stays from raw_stays)
    union all
    select 'patients_hospitalizations.stays',
           (select sum(stays) from {{ ref('patients_hospitalizations') }}),
           (select stays from raw_stays)
    union all
    select 'doctor_workload.stays',
           (select sum(stays) from {{ ref('doctor_workload') }}),
           (select stays from raw_stays)
    union all
    select 'length_of_stay_by_diagnosis.stays',
           (select sum(stays) from {{ ref('length_of_stay_by_diagnosis') }}),
           (select stays from raw_stays)
    union all
    select 'kpis.admissions',
           (select admissions from {{ ref('kpis') }}),
           (select stays from raw_stays)
    union all
    select 'kpis.bed_days',
           (select bed_days from {{ ref('kpis') }}),
           (select bed_days from raw_stays)
)

select figure, total, expected
from totals
where total is null or total <> expected
