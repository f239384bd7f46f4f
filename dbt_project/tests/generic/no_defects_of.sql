{#- Warns with the number of issues of one defect class (data_quality_issues' rows of that class; with
    `table_name`, of that table only): one test per class, at severity warn (docs/design/defects.md). -#}
{% test no_defects_of(model, defect, table_name=none) %}
select table_name, record_key, defect
from {{ model }}
where defect = '{{ defect }}'
{%- if table_name is not none %} and table_name = '{{ table_name }}'{% endif %}
{% endtest %}
