-- Every delivered patient_events message of the daily feed, typed (macros/data_quality.sql), with the one defect the
-- rules find in it (null: none) and whether it is quarantined (docs/design/defects.md): late_duplicate (an
-- event_id recorded again later: the earliest recorded wins, later copies quarantined),
{{ config(materialized='table') }}

with source as (
    select * from {{ source('raw', 'patient_events') }}
),

typed as (
    select
        {{ hospital_analytics.typed('event_id', 'bigint') }} as event_id,
        {{ hospital_analytics.typed_text('event_type') }} as event_type,
        {{ hospital_analytics.typed_text('hl7_event') }} as hl7_event,
        {{ hospital_analytics.typed('patient_id', 'bigint') }} as patient_id,
        {{ hospital_analytics.typed('event_at', 'timestamp') }} as event_at,
        {{ hospital_analytics.typed('recorded_at', 'timestamp') }} as recorded_at,
        {{ hospital_analytics.typed_text('city') }} as city,
        {{ hospital_analytics.typed_text('state') }} as state,
        {{ hospital_analytics.typed_text('zip_code') }} as zip_code,
        {{ hospital_analytics.typed_text('county') }} as county,
        {{ hospital_analytics.typed_text('payer') }} as payer,
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
        end as defect
    from ranked as typed
)

select
    event_id,
    event_type,
    hl7_event,
    patient_id,
    event_at,
    recorded_at,
    city,
    state,
    zip_code,
    county,
    payer,
    source_file,
    delivered_copy,
    defect,
    defect is not null as is_quarantined,
    cast(event_id as {{ dbt.type_string() }}) as record_key,
    cast(recorded_at as date) as issue_date
from checked
