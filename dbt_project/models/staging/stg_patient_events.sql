-- One row per patient message of the daily feed (register, address, coverage), as recorded, typed.
-- Clean rows only: the late duplicates are in quarantine_patient_events.
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
    source_file
from {{ ref('stg_patient_events_checked') }}
where not is_quarantined
