-- One row per patient message of the daily feed (register, address, coverage), as recorded, typed.
-- Clean rows only: the late duplicates are in quarantine_patient_events.
select {{ hospital_analytics.select_list(hospital_analytics.staged_columns('patient_events')) }}
from {{ ref('stg_patient_events_checked') }}
where not is_quarantined
