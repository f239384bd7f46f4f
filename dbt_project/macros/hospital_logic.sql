{#- Business rules shared by several models: ages, age groups and the analysis window. Portable SQL. -#}

{#-
    Completed years of age on ref_date: the year difference, minus one before the birthday.
    Someone born on 29 February turns a year older on 1 March in non-leap years.
    (DuckDB's date_sub('year', ...) counts 28 February instead, so the same portable expression runs on both.)
-#}
{% macro age_in_years(birth_date, ref_date) -%}
    (extract(year from {{ ref_date }}) - extract(year from {{ birth_date }})
     - case
         when extract(month from {{ ref_date }}) * 100 + extract(day from {{ ref_date }})
              < extract(month from {{ birth_date }}) * 100 + extract(day from {{ birth_date }})
         then 1 else 0
       end)
{%- endmacro %}

{#- The age groups every mart reports: 0-17, 18-44, 45-64, 65-84, 85+. -#}
{% macro age_group(age) -%}
    case
        when {{ age }} < 18 then '0-17'
        when {{ age }} < 45 then '18-44'
        when {{ age }} < 65 then '45-64'
        when {{ age }} < 85 then '65-84'
        else '85+'
    end
{%- endmacro %}

{#- Sort order of age_group(age): 1 for 0-17 .. 5 for 85+. -#}
{% macro age_group_order(age) -%}
    case
        when {{ age }} < 18 then 1
        when {{ age }} < 45 then 2
        when {{ age }} < 65 then 3
        when {{ age }} < 85 then 4
        else 5
    end
{%- endmacro %}

{#-
    The analysis window's last day as a SQL expression: the `window_end` var (YYYY-MM-DD, which
    `hospital transform` sets to the settings' end date), else the last day of the month of `fallback`.
-#}
{% macro window_end_date(fallback) -%}
    {%- set value = var('window_end', none) -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {{ hospital_analytics.month_end(fallback) }}
    {%- else -%}
        {%- set text = value | string | trim -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
            {{ exceptions.raise_compiler_error("var window_end must be a date YYYY-MM-DD, got '" ~ text ~ "'") }}
        {%- endif -%}
        cast('{{ text }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- The 30-day readmission window, in days (var readmission_window_days, default 30). -#}
{% macro readmission_window_days() -%}
    {{ var('readmission_window_days', 30) | int }}
{%- endmacro %}
