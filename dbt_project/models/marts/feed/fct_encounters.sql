-- One row per stay, built from the feed's events alone: admitted_at and the admission's details from the
-- admit, discharged_at, disposition and charges from the discharge (corrections applied, cancelled events
-- left out), the unit the patient is in now; status 'in house' until a discharge is recorded.
-- Incremental: a run recomputes the stays with an event recorded since the last run (less the lookback).
{{
    config(
        materialized='incremental',
        unique_key='hospitalization_id',
        incremental_strategy=hospital_analytics.incremental_strategy(),
        on_schema_change='fail'
    )
}}

with events as (
    select * from {{ ref('fct_encounter_events') }}
),

scoped as (
    -- incremental: only the stays with an event recorded since the last run (less the lookback)
    select * from events
    {%- if is_incremental() %}
        where hospitalization_id in (
            select hospitalization_id from events
            where last_recorded_at > {{ hospital_analytics.feed_recompute_since(this) }}
        )
    {%- endif %}
),

stays as (
    select
        hospitalization_id,
        min(patient_id) as patient_id,
        min(hospital_id) as hospital_id,
        {{ hospital_analytics.count_true("event_type = 'transfer' and not is_cancelled") }} as transfers,
        max(last_recorded_at) as last_recorded_at
    from scoped
    group by hospitalization_id
),

admits as (
    select * from scoped
    where event_type = 'admit' and not is_cancelled
),

discharges as (
    select * from scoped
    where event_type = 'discharge' and not is_cancelled
),

admitted as (
    select
        hospitalization_id,
        event_at as admitted_at,
        admission_type,
        diagnosis_code,
        doctor_id,
        payer
    from admits
),

discharged as (
    select
        hospitalization_id,
        event_at as discharged_at,
        discharge_disposition,
        total_charges
    from discharges
),

placed as (
    select
        hospitalization_id,
        unit_id,
        row_number() over (partition by hospitalization_id order by event_at desc, event_id desc) as recency
    from scoped
    where event_type in ('admit', 'transfer') and not is_cancelled
)

select
    stays.hospitalization_id,
    stays.patient_id,
    stays.hospital_id,
    admitted.admitted_at,
    cast(admitted.admitted_at as date) as admission_date,
    admitted.admission_type,
    admitted.diagnosis_code,
    admitted.doctor_id,
    admitted.payer,
    discharged.discharged_at,
    cast(discharged.discharged_at as date) as discharge_date,
    discharged.discharge_disposition,
    discharged.total_charges,
    {{ hospital_analytics.days_between(
        'cast(admitted.admitted_at as date)', 'cast(discharged.discharged_at as date)'
    ) }} as length_of_stay_days,
    placed.unit_id as last_unit_id,
    stays.transfers,
    case when discharged.hospitalization_id is null then 'in house' else 'discharged' end as status,
    stays.last_recorded_at
from stays
left join admitted on stays.hospitalization_id = admitted.hospitalization_id
left join discharged on stays.hospitalization_id = discharged.hospitalization_id
left join placed on stays.hospitalization_id = placed.hospitalization_id and placed.recency = 1
