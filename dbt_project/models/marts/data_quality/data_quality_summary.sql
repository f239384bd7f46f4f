-- The detected defects counted by class, table and day (issue_date: the feed partition's day for feed tables,
-- the window's last day for snapshot tables). Empty for data without defects.
select
    defect,
    table_name,
    issue_date,
    count(*) as issues
from {{ ref('data_quality_issues') }}
group by defect, table_name, issue_date
