-- One row per patient: typed columns, trimmed codes and a display name. Clean rows only: every delivered
-- patient row the data-quality rules keep (stg_patients_checked; the others are in quarantine_patients).
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
    death_date
from {{ ref('stg_patients_checked') }}
where not is_quarantined
