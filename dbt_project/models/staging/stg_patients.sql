-- One row per patient: typed columns, trimmed codes and a display name. Clean rows only: every delivered
-- patient row the data-quality rules keep (stg_patients_checked; the others are in quarantine_patients).
select {{ hospital_analytics.select_list(hospital_analytics.staged_columns('patients')) }}
from {{ ref('stg_patients_checked') }}
where not is_quarantined
