-- Every defect the staging rules detected (docs/design/defects.md), one row per defective delivered row, in
-- the ground-truth ledger's columns and key format (data/defects.csv: table_name, record_key, defect), and the
-- day it is counted on: the feed partition's day for feed tables, the window's last day (the extract's date)
-- for snapshot tables. Empty for data without defects.
{% for table in hospital_analytics.checked_tables() %}
    select
        cast('{{ table }}' as {{ dbt.type_string() }}) as table_name,
        record_key,
        defect,
        issue_date
    from {{ ref('stg_' ~ table ~ '_checked') }}
    where defect is not null
    {% if not loop.last %}union all{% endif %}
{% endfor %}
