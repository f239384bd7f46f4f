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

{#-
    The age every age group is taken at (the project's one definition of "age group": age at admission):
    completed years of the patient on the stay's admission day. A stay's age group is its patient's age at
    that admission; a patient's own age group (patients_demographics, patients_hospitalizations) is the one of
    their first admission in the window (int_patient_ages). Integer.
-#}
{% macro age_at_admission(birth_date, admission_date) -%}
    cast({{ hospital_analytics.age_in_years(birth_date, admission_date) }} as integer)
{%- endmacro %}

{#-
    The age groups every mart reports, youngest first: the label and the first age past the group (none: no
    upper bound). Defined here only: models bucket ages with age_group()/age_group_order(), and every
    accepted_values test takes its values from age_group_labels()/age_group_orders().
-#}
{% macro age_groups() -%}
    {{ return([
        {"label": "0-17", "below": 18},
        {"label": "18-44", "below": 45},
        {"label": "45-64", "below": 65},
        {"label": "65-84", "below": 85},
        {"label": "85+", "below": none},
    ]) }}
{%- endmacro %}

{#- The age groups' labels, youngest first: ['0-17', '18-44', ...]. -#}
{% macro age_group_labels() -%}
    {{ return(hospital_analytics.age_groups() | map(attribute="label") | list) }}
{%- endmacro %}

{#- The age groups' sort orders: [1, 2, ...], 1 for the youngest. -#}
{% macro age_group_orders() -%}
    {{ return(range(1, (hospital_analytics.age_groups() | length) + 1) | list) }}
{%- endmacro %}

{#- The age group (its label) of an age in completed years. -#}
{% macro age_group(age) -%}
    {%- set groups = hospital_analytics.age_groups() -%}
    case
        {%- for group in groups if group.below is not none %}
        when {{ age }} < {{ group.below }} then '{{ group.label }}'
        {%- endfor %}
        else '{{ (groups | last).label }}'
    end
{%- endmacro %}

{#- The sort order of age_group(age): 1 for the youngest group. -#}
{% macro age_group_order(age) -%}
    {%- set groups = hospital_analytics.age_groups() -%}
    case
        {%- for group in groups if group.below is not none %}
        when {{ age }} < {{ group.below }} then {{ loop.index }}
        {%- endfor %}
        else {{ groups | length }}
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

{#-
    The analysis window's first day as a SQL expression: the `window_start` var (YYYY-MM-DD, which
    `hospital transform` sets to the settings' start date), else `fallback` (int_window: the first month of
    the raw monthly totals, else the first admission).
-#}
{% macro window_start_date(fallback) -%}
    {%- set value = var('window_start', none) -%}
    {%- if value is none or (value | string | trim) == '' -%}
        cast({{ fallback }} as date)
    {%- else -%}
        {%- set text = value | string | trim -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
            {{ exceptions.raise_compiler_error("var window_start must be a date YYYY-MM-DD, got '" ~ text ~ "'") }}
        {%- endif -%}
        cast('{{ text }}' as date)
    {%- endif -%}
{%- endmacro %}

{#-
    The readmission window, in days (var readmission_window_days, default 30): readmitted_within_30d and
    is_readmission follow it (the columns keep the 30-day name the industry's measure has).
-#}
{% macro readmission_window_days() -%}
    {{ var('readmission_window_days', 30) | int }}
{%- endmacro %}

{#- The English name of an ISO day of the week (1 Monday .. 7 Sunday). -#}
{% macro weekday_name(iso_day) -%}
    case {{ iso_day }}
        {%- for name in ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] %}
        when {{ loop.index }} then '{{ name }}'
        {%- endfor %}
    end
{%- endmacro %}
