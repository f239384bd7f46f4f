-- The delivered hospitalizations rows that cannot be used (docs/design/defects.md): their staged (typed,
-- cleaned) columns and `reason`, the defect class, or `held_back` for a stay without a defect whose patient
-- row is quarantined (kept out of the marts with its patient; not an issue). Empty for data without defects.
select
    {{ hospital_analytics.select_list(hospital_analytics.staged_columns('hospitalizations')) }},
    delivered_copy,
    record_key,
    quarantine_reason as reason
from {{ ref('stg_hospitalizations_checked') }}
where not is_usable
