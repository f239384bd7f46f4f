-- One row per ADT message of the daily feed, as recorded (originals, corrections and cancels), typed.
-- Clean rows only: the late duplicates and time-zone shifted events are in quarantine_encounter_events.
select {{ hospital_analytics.select_list(hospital_analytics.staged_columns('encounter_events')) }}
from {{ ref('stg_encounter_events_checked') }}
where not is_quarantined
