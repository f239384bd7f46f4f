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

{% if is_incremental() %}
touched as (
    select distinct hospitalization_id
    from events
    where last_recorded_at > {{ hospital_analytics.feed_recompute_since(this) }}
),

scoped as (
    select events.*
    from events
    inner join touched on events.hospitalization_id = touched.hospitalization_id
),
{% else %}
scoped as (
    select * from events
),
{% endif %}

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
    admits.admitted_at,
    cast(admits.admitted_at as date) as admission_date,
    admits.admission_type,
    admits.diagnosis_code,
    admits.doctor_id,
    admits.payer,
    discharges.discharged_at,
    cast(discharges.discharged_at as date) as discharge_date,
    discharges.discharge_disposition,
    discharges.total_charges,
    {{ hospital_analytics.days_between('cast(admits.admitted_at as date)', 'cast(discharges.discharged_at as date)') }}
        as length_of_stay_days,
    placed.unit_id as last_unit_id,
    stays.transfers,
    case when discharges.hospitalization_id is null then 'in house' else 'discharged' end as status,
    stays.last_recorded_at
from stays
left join (
    select
        hospitalization_id,
        event_at as admitted_at,
        admission_type,
        diagnosis_code,
        doctor_id,
        payer
    from admits
) as admits on stays.hospitalization_id = admits.hospitalization_id
left join (
    select
        hospitalization_id,
        event_at as discharged_at,
        discharge_disposition,
        total_charges
    from discharges
) as discharges on stays.hospitalization_id = discharges.hospitalization_id
left join placed on stays.hospitalization_id = placed.hospitalization_id and placed.recency = 1
