{#-
    Fails for each row whose value lies outside the range: dbt_utils' accepted_range, with its name and
    arguments (min_value, max_value: either may be left out; inclusive: whether the bounds themselves pass,
    default true), so the project needs no package. Nulls pass (test them with not_null).
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
    {%- set at_least = ">=" if inclusive else ">" -%}
    {%- set at_most = "<=" if inclusive else "<" -%}
    select {{ column_name }} as failing_value
    from {{ model }}
    where
        1 = 0
        {%- if min_value is not none %}
            or not {{ column_name }} {{ at_least }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
            or not {{ column_name }} {{ at_most }} {{ max_value }}
        {%- endif %}
{% endtest %}
