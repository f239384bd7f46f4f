-- The delivered patients rows that cannot be used (docs/design/defects.md): their staged (typed, cleaned)
-- columns and `reason`, the defect class. Empty for data without defects.
select
    patient_id,
    first_name,
    last_name,
    patient_name,
    gender,
    birth_date,
    city,
    state,
    insurance,
    zip_code,
    county,
    home_hospital_id,
    death_date,
    delivered_copy,
    duplicate_of,
    record_key,
    defect as reason
from {{ ref('stg_patients_checked') }}
where is_quarantined
