-- Every delivered encounter_events message of the daily feed, typed (macros/data_quality.sql), with the one defect the
-- rules find in it (null: none) and whether it is quarantined (docs/design/defects.md): late_duplicate (an
-- event_id recorded again later: the earliest recorded wins, later copies quarantined), timezone_shift (event_at after
-- recorded_at: a UTC time sent as local; quarantined).
{{ config(materialized='table') }}

with source as (
    select * from {{ source('raw', 'encounter_events') }}
),

typed as (
    select
        {{ hospital_analytics.typed('event_id', 'bigint') }} as event_id,
        {{ hospital_analytics.typed_text('event_type') }} as event_type,
        {{ hospital_analytics.typed_text('hl7_event') }} as hl7_event,
        {{ hospital_analytics.typed('hospitalization_id', 'bigint') }} as hospitalization_id,
        {{ hospital_analytics.typed('patient_id', 'bigint') }} as patient_id,
        {{ hospital_analytics.typed('hospital_id', 'bigint') }} as hospital_id,
        {{ hospital_analytics.typed('unit_id', 'bigint') }} as unit_id,
        {{ hospital_analytics.typed('from_unit_id', 'bigint') }} as from_unit_id,
        {{ hospital_analytics.typed('event_at', 'timestamp') }} as event_at,
        {{ hospital_analytics.typed('recorded_at', 'timestamp') }} as recorded_at,
        {{ hospital_analytics.typed('refers_to_event_id', 'bigint') }} as refers_to_event_id,
        {{ hospital_analytics.typed_text('admission_type') }} as admission_type,
        {{ hospital_analytics.typed_text('diagnosis_code') }} as diagnosis_code,
        {{ hospital_analytics.typed('doctor_id', 'bigint') }} as doctor_id,
        {{ hospital_analytics.typed_text('payer') }} as payer,
        {{ hospital_analytics.typed_text('discharge_disposition') }} as discharge_disposition,
        {{ hospital_analytics.typed('total_charges', 'decimal(12, 2)') }} as total_charges,
        cast(_source_file as {{ dbt.type_string() }}) as source_file
    from source
),

ranked as (
    select
        *,
        row_number() over (partition by event_id order by recorded_at, source_file) as delivered_copy
    from typed
),

checked as (
    select
        typed.*,
        case
            when typed.delivered_copy > 1 then 'late_duplicate'
            when typed.event_at > typed.recorded_at then 'timezone_shift'
        end as defect
    from ranked as typed
)

select
    event_id,
    event_type,
    hl7_event,
    hospitalization_id,
    patient_id,
    hospital_id,
    unit_id,
    from_unit_id,
    event_at,
    recorded_at,
    refers_to_event_id,
    admission_type,
    diagnosis_code,
    doctor_id,
    payer,
    discharge_disposition,
    total_charges,
    source_file,
    delivered_copy,
    defect,
    defect is not null as is_quarantined,
    cast(event_id as {{ dbt.type_string() }}) as record_key,
    cast(recorded_at as date) as issue_date
from checked
