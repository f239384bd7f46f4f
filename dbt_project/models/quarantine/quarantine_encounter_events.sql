-- The delivered encounter_events messages of the daily feed that cannot be used (docs/design/defects.md): their
-- staged (typed) columns and `reason`, the defect class. Empty for data without defects.
select
    event_id,
    event_type,
    hl7_event,
    hospitalization_id,
    patient_id,
    hospital_id,
    unit_id,
    from_unit_id,
    event_at,
    recorded_at,
    refers_to_event_id,
    admission_type,
    diagnosis_code,
    doctor_id,
    payer,
    discharge_disposition,
    total_charges,
    source_file,
    delivered_copy,
    record_key,
    defect as reason
from {{ ref('stg_encounter_events_checked') }}
where is_quarantined
