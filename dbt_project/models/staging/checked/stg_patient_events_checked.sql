-- Every delivered patient_events message of the daily feed, typed (macros/staged_columns.sql), with the one defect the
-- rules find in it (null: none) and whether it is quarantined (docs/design/defects.md): late_duplicate (an
-- event_id recorded again later: the earliest recorded wins, later copies quarantined).
{{ config(materialized='table') }}

with source as (
    select * from {{ source('raw', 'patient_events') }}
),

typed as (
    select {{ hospital_analytics.typed_feed_columns('patient_events') }}
    from source
),

ranked as (
    select
        *,
        {{ hospital_analytics.earliest_recorded_copy() }} as delivered_copy
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
    {{ hospital_analytics.select_list(hospital_analytics.staged_columns('patient_events')) }},
    delivered_copy,
    defect,
    defect is not null as is_quarantined,
    cast(event_id as {{ dbt.type_string() }}) as record_key,
    cast(recorded_at as date) as issue_date
from checked
