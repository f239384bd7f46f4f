-- The delivered patients rows that cannot be used (docs/design/defects.md): their staged (typed, cleaned)
-- columns and `reason`, the defect class. Empty for data without defects.
select
    {{ hospital_analytics.select_list(hospital_analytics.staged_columns('patients')) }},
    delivered_copy,
    duplicate_of,
    record_key,
    defect as reason
from {{ ref('stg_patients_checked') }}
where is_quarantined
