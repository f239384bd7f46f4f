-- The current version of every ADT event of the feed, one row per original event (admit, transfer,
-- discharge): its latest correction applied (the correction carries the full payload), cancelled ones flagged.
-- Incremental: a run recomputes the events recorded, corrected or cancelled since the last run (less the
-- lookback), from every message about them, and merges them on event_id.
{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy=hospital_analytics.incremental_strategy(),
        on_schema_change='fail'
    )
}}

with messages as (
    select * from {{ ref('stg_encounter_events') }}
),

scoped as (
    -- incremental: only the events recorded, corrected or cancelled since the last run (less the lookback)
    select * from messages
    {%- if is_incremental() %}
        where coalesce(refers_to_event_id, event_id) in (
            select coalesce(refers_to_event_id, event_id) from messages
            where recorded_at > {{ hospital_analytics.feed_recompute_since(this) }}
        )
    {%- endif %}
),

originals as (
    select * from scoped
    where event_type not in ('cancel', 'correct')
),

corrections as (
    select
        *,
        row_number() over (
            partition by refers_to_event_id order by recorded_at desc, event_id desc
        ) as version_rank
    from scoped
    where event_type = 'correct'
),

latest_correction as (
    select * from corrections
    where version_rank = 1
),

amendments as (
    select
        refers_to_event_id,
        max(recorded_at) as last_amended_at,
        {{ hospital_analytics.count_true("event_type = 'cancel'") }} as cancels,
        {{ hospital_analytics.count_true("event_type = 'correct'") }} as corrections
    from scoped
    where event_type in ('cancel', 'correct')
    group by refers_to_event_id
)

select
    originals.event_id,
    originals.event_type,
    originals.hl7_event,
    originals.hospitalization_id,
    originals.patient_id,
    originals.hospital_id,
    coalesce(latest_correction.unit_id, originals.unit_id) as unit_id,
    coalesce(latest_correction.from_unit_id, originals.from_unit_id) as from_unit_id,
    originals.event_at,
    cast(originals.event_at as date) as event_date,
    originals.recorded_at,
    greatest(originals.recorded_at, coalesce(amendments.last_amended_at, originals.recorded_at)) as last_recorded_at,
    case
        when latest_correction.event_id is null then originals.admission_type
        else latest_correction.admission_type
    end as admission_type,
    case
        when latest_correction.event_id is null then originals.diagnosis_code
        else latest_correction.diagnosis_code
    end as diagnosis_code,
    case
        when latest_correction.event_id is null then originals.doctor_id
        else latest_correction.doctor_id
    end as doctor_id,
    case
        when latest_correction.event_id is null then originals.payer
        else latest_correction.payer
    end as payer,
    case
        when latest_correction.event_id is null then originals.discharge_disposition
        else latest_correction.discharge_disposition
    end as discharge_disposition,
    case
        when latest_correction.event_id is null then originals.total_charges
        else latest_correction.total_charges
    end as total_charges,
    coalesce(amendments.corrections, 0) > 0 as is_corrected,
    coalesce(amendments.cancels, 0) > 0 as is_cancelled,
    cast(originals.recorded_at as date) > cast(originals.event_at as date) as is_late
from originals
left join latest_correction on originals.event_id = latest_correction.refers_to_event_id
left join amendments on originals.event_id = amendments.refers_to_event_id
