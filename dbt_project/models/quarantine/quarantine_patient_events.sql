-- The delivered patient_events messages of the daily feed that cannot be used (docs/design/defects.md): their
-- staged (typed) columns and `reason`, the defect class. Empty for data without defects.
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
    record_key,
    defect as reason
from {{ ref('stg_patient_events_checked') }}
where is_quarantined
