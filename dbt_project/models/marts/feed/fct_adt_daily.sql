-- Admits, transfers and discharges per hospital and day the events happened (not the day they were
-- recorded): a late event counts on its own day, a corrected one as corrected, a cancelled one not at all.
-- Incremental: a run recomputes every day an event recorded since the last run (less the lookback) happened
-- on, and replaces those days' rows.
{{
    config(
        materialized='incremental',
        unique_key=['hospital_id', 'event_date'],
        incremental_strategy=hospital_analytics.incremental_strategy(),
        on_schema_change='fail'
    )
}}

with events as (
    select * from {{ ref('fct_encounter_events') }}
),

scoped as (
    -- incremental: only the days an event recorded since the last run (less the lookback) happened on
    select * from events
    {%- if is_incremental() %}
        where event_date in (
            select event_date from events
            where last_recorded_at > {{ hospital_analytics.feed_recompute_since(this) }}
        )
    {%- endif %}
),

final as (
    select
        hospital_id,
        event_date,
        {{ hospital_analytics.count_true("event_type = 'admit' and not is_cancelled") }} as admits,
        {{ hospital_analytics.count_true("event_type = 'transfer' and not is_cancelled") }} as transfers,
        {{ hospital_analytics.count_true("event_type = 'discharge' and not is_cancelled") }} as discharges,
        {{ hospital_analytics.count_true(
            "event_type = 'discharge' and not is_cancelled and discharge_disposition = 'Died'"
        ) }} as deaths,
        {{ hospital_analytics.count_true("is_late") }} as late_events,
        {{ hospital_analytics.count_true("is_corrected") }} as corrected_events,
        {{ hospital_analytics.count_true("is_cancelled") }} as cancelled_events,
        max(last_recorded_at) as last_recorded_at
    from scoped
    group by hospital_id, event_date
)

select * from final
