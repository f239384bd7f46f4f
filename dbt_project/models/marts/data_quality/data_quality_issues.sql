-- Every defect the staging rules detected (docs/design/defects.md), one row per defective delivered row, in
-- the ground-truth ledger's columns and key format (data/defects.csv: table_name, record_key, defect), and the
-- day it is counted on: the feed partition's day for feed tables, the window's last day (the extract's date)
-- for snapshot tables. Empty for data without defects.
select
    cast('patients' as {{ dbt.type_string() }}) as table_name,
    record_key,
    defect,
    issue_date
from {{ ref('stg_patients_checked') }}
where defect is not null
union all
select
    cast('hospitalizations' as {{ dbt.type_string() }}) as table_name,
    record_key,
    defect,
    issue_date
from {{ ref('stg_hospitalizations_checked') }}
where defect is not null
union all
select
    cast('encounter_events' as {{ dbt.type_string() }}) as table_name,
    record_key,
    defect,
    issue_date
from {{ ref('stg_encounter_events_checked') }}
where defect is not null
union all
select
    cast('patient_events' as {{ dbt.type_string() }}) as table_name,
    record_key,
    defect,
    issue_date
from {{ ref('stg_patient_events_checked') }}
where defect is not null
