-- Every delivered hospitalizations row, typed and cleaned (macros/data_quality.sql): admission_type in its
-- canonical case, dates as ISO or MM/DD/YYYY parsed; which delivered copy of its hospitalization_id it is, and
-- whether a value was written in another format. stg_hospitalizations_checked applies the rules.
{{ config(materialized='table') }}

with source as (
    select * from {{ source('raw', 'hospitalizations') }}
)

select
    {{ hospital_analytics.typed('hospitalization_id', 'bigint') }} as hospitalization_id,
    {{ hospital_analytics.typed('patient_id', 'bigint') }} as patient_id,
    {{ hospital_analytics.typed('doctor_id', 'bigint') }} as doctor_id,
    {{ hospital_analytics.typed_date('admission_date') }} as admission_date,
    {{ hospital_analytics.typed_date('discharge_date') }} as discharge_date,
    {{ hospital_analytics.typed('length_of_stay_days', 'integer') }} as reported_length_of_stay_days,
    {{ hospital_analytics.clean_admission_type('admission_type') }} as admission_type,
    {{ hospital_analytics.typed_text('stay_type') }} as stay_type,
    {{ hospital_analytics.typed_text('diagnosis_code') }} as diagnosis_code,
    {{ hospital_analytics.typed_text('diagnosis_description') }} as diagnosis_description,
    {{ hospital_analytics.typed_text('diagnosis_category') }} as diagnosis_category,
    {{ hospital_analytics.typed_text('discharge_disposition') }} as discharge_disposition,
    {{ hospital_analytics.typed('total_charges', 'decimal(12, 2)') }} as total_charges,
    {{ hospital_analytics.typed('hospital_id', 'bigint') }} as hospital_id,
    {{ hospital_analytics.typed('admitted_at', 'timestamp') }} as admitted_at,
    {{ hospital_analytics.typed('discharged_at', 'timestamp') }} as discharged_at,
    {{ hospital_analytics.typed_text('payer') }} as payer,
    (
        {{ hospital_analytics.admission_type_reformatted('admission_type') }}
        or {{ hospital_analytics.is_us_date('admission_date') }}
    ) as is_reformatted,
    row_number() over (
        partition by {{ hospital_analytics.typed('hospitalization_id', 'bigint') }} order by hospitalization_id
    ) as delivered_copy
from source
