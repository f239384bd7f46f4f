-- One row per stay: typed columns, length of stay recomputed from the dates, month buckets and a LOS band.
-- A stay still in house at the window's end is open: no discharge date, length of stay, band or disposition.
-- Clean rows only: every delivered stay usable after the data-quality rules (stg_hospitalizations_checked;
-- quarantined and held-back stays are in quarantine_hospitalizations), typed and cleaned there.
with typed as (
    select {{ hospital_analytics.select_list(hospital_analytics.staged_columns('hospitalizations')) }}
    from {{ ref('stg_hospitalizations_checked') }}
    where is_usable
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
