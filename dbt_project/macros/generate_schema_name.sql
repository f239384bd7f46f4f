{#-
    Models build in exactly the target's schema (ANALYTICS), or in exactly the custom schema a model names:
    no "<target>_<custom>" concatenation as in dbt's default.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
