-- One row per ADT message of the daily feed, as recorded (originals, corrections and cancels), typed.
-- Clean rows only: the late duplicates and time-zone shifted events are in quarantine_encounter_events.
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
    source_file
from {{ ref('stg_encounter_events_checked') }}
where not is_quarantined
