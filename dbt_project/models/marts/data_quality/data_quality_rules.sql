-- One row per data-quality rule (a defect class on a table, macro defect_rules): the rule in words, what is
-- done with the rows it finds, and how many it found (0 when none): what each rule did, for the report.
with rules as (
    {% for r in hospital_analytics.defect_rules() -%}
        select
            cast('{{ r.defect }}' as {{ dbt.type_string() }}) as defect,
            cast('{{ r.table }}' as {{ dbt.type_string() }}) as table_name,
            cast('{{ r.rule | replace("'", "''") }}' as {{ dbt.type_string() }}) as rule,  -- noqa: RF04
            cast('{{ r.action | replace("'", "''") }}' as {{ dbt.type_string() }}) as action,  -- noqa: RF04
            {{ loop.index }} as rule_order
        {% if not loop.last %}union all{% endif %}
    {% endfor -%}
),

found as (
    select
        defect,
        table_name,
        count(*) as issues
    from {{ ref('data_quality_issues') }}
    group by defect, table_name
)

select
    rules.defect,
    rules.table_name,
    rules.rule,
    rules.action,
    cast(coalesce(found.issues, 0) as bigint) as issues,
    rules.rule_order
from rules
left join found
    on rules.defect = found.defect and rules.table_name = found.table_name
