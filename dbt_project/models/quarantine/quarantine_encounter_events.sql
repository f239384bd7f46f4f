-- The delivered encounter_events messages of the daily feed that cannot be used (docs/design/defects.md): their
-- staged (typed) columns and `reason`, the defect class. Empty for data without defects.
select
    {{ hospital_analytics.select_list(hospital_analytics.staged_columns('encounter_events')) }},
    delivered_copy,
    record_key,
    defect as reason
from {{ ref('stg_encounter_events_checked') }}
where is_quarantined
