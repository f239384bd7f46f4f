-- The delivered hospitalizations rows that cannot be used (docs/design/defects.md): their staged (typed,
-- cleaned) columns and `reason`, the defect class, or `held_back` for a stay without a defect whose patient
-- row is quarantined (kept out of the marts with its patient; not an issue). Empty for data without defects.
select
    hospitalization_id,
    patient_id,
    doctor_id,
    admission_date,
    discharge_date,
    reported_length_of_stay_days,
    admission_type,
    stay_type,
    diagnosis_code,
    diagnosis_description,
    diagnosis_category,
    discharge_disposition,
    total_charges,
    hospital_id,
    admitted_at,
    discharged_at,
    payer,
    delivered_copy,
    record_key,
    quarantine_reason as reason
from {{ ref('stg_hospitalizations_checked') }}
where not is_usable
