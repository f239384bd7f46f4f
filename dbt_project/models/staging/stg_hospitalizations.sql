-- One row per stay: typed columns, length of stay recomputed from the dates, month buckets and a LOS band.
-- A stay still in house at the window's end is open: no discharge date, length of stay, band or disposition.
with source as (
    select * from {{ source('raw', 'hospitalizations') }}
),

typed as (
    select
        cast(hospitalization_id as bigint) as hospitalization_id,
        cast(patient_id as bigint) as patient_id,
        cast(doctor_id as bigint) as doctor_id,
        cast(admission_date as date) as admission_date,
        cast(discharge_date as date) as discharge_date,
        cast(length_of_stay_days as integer) as reported_length_of_stay_days,
        cast(admission_type as {{ dbt.type_string() }}) as admission_type,
        cast(stay_type as {{ dbt.type_string() }}) as stay_type,
        cast(diagnosis_code as {{ dbt.type_string() }}) as diagnosis_code,
        cast(diagnosis_description as {{ dbt.type_string() }}) as diagnosis_description,
        cast(diagnosis_category as {{ dbt.type_string() }}) as diagnosis_category,
        cast(discharge_disposition as {{ dbt.type_string() }}) as discharge_disposition,
        cast(total_charges as decimal(12, 2)) as total_charges,
        cast(hospital_id as bigint) as hospital_id,
        cast(admitted_at as timestamp) as admitted_at,
        cast(discharged_at as timestamp) as discharged_at,
        cast(payer as {{ dbt.type_string() }}) as payer
    from source
),

with_stay_length as (
    select
        *,
        cast(
            {{ hospital_analytics.days_between('admission_date', 'discharge_date') }}
            as integer
        ) as length_of_stay_days
    from typed
)

select
    hospitalization_id,
    patient_id,
    doctor_id,
    admission_date,
    discharge_date,
    {{ hospital_analytics.month_start('admission_date') }} as admission_month,
    {{ hospital_analytics.month_start('discharge_date') }} as discharge_month,
    length_of_stay_days,
    reported_length_of_stay_days,
    case
        when length_of_stay_days is null then null
        when length_of_stay_days = 0 then '0 (same day)'
        when length_of_stay_days <= 2 then '1-2'
        when length_of_stay_days <= 6 then '3-6'
        when length_of_stay_days <= 13 then '7-13'
        else '14+'
    end as length_of_stay_band,
    admission_type,
    stay_type,
    diagnosis_code,
    diagnosis_description,
    diagnosis_category,
    discharge_disposition,
    total_charges,
    hospital_id,
    admitted_at,
    discharged_at,
    payer,
    discharge_date is not null as is_discharged
from with_stay_length
