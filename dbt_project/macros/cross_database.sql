{#-
    Where DuckDB and Snowflake spell the same thing differently. Those macros dispatch on the adapter
    (`adapter.dispatch`): default__ is portable SQL; a duckdb__ / snowflake__ version exists only where the
    warehouse needs its own function. Models call these macros and never branch on target.type.
-#}

{#- Whole days from start_date to end_date (end - start); null when either is null. dbt's datediff already
    speaks each warehouse's dialect. -#}
{% macro days_between(start_date, end_date) -%}
    {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}


{#- First day of the date's month, as a DATE (DuckDB's date_trunc returns a TIMESTAMP). Portable SQL. -#}
{% macro month_start(date_expr) -%}
    cast(date_trunc('month', {{ date_expr }}) as date)
{%- endmacro %}


{#- Last day of the date's month, as a DATE. -#}
{% macro month_end(date_expr) -%}
    {{ return(adapter.dispatch('month_end', 'hospital_analytics')(date_expr)) }}
{%- endmacro %}

{% macro default__month_end(date_expr) -%}
    cast({{ dbt.last_day(date_expr, 'month') }} as date)
{%- endmacro %}

{% macro duckdb__month_end(date_expr) -%}
    last_day({{ date_expr }})
{%- endmacro %}

{% macro snowflake__month_end(date_expr) -%}
    last_day({{ date_expr }}, month)
{%- endmacro %}


{#-
    'YYYY-MM' label of a date. Snowflake falls back to the portable form: fakesnow (the local Snowflake
    the tests run against) ignores to_char's format argument, and this form reads the same on both.
-#}
{% macro month_label(date_expr) -%}
    {{ return(adapter.dispatch('month_label', 'hospital_analytics')(date_expr)) }}
{%- endmacro %}

{% macro default__month_label(date_expr) -%}
    cast(extract(year from {{ date_expr }}) as {{ dbt.type_string() }})
    || '-' || lpad(cast(extract(month from {{ date_expr }}) as {{ dbt.type_string() }}), 2, '0')
{%- endmacro %}

{% macro duckdb__month_label(date_expr) -%}
    strftime({{ date_expr }}, '%Y-%m')
{%- endmacro %}


{#- Number of rows where a boolean expression is true, as BIGINT (0 over no rows). Portable SQL. -#}
{% macro count_true(condition) -%}
    cast(coalesce(sum(case when {{ condition }} then 1 else 0 end), 0) as bigint)
{%- endmacro %}


{#- Continuous (interpolated) percentile of a numeric expression, as DOUBLE; fraction in 0..1. -#}
{% macro percentile(expr, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'hospital_analytics')(expr, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expr, fraction) -%}
    cast(percentile_cont({{ fraction }}) within group (order by {{ expr }}) as double)
{%- endmacro %}

{% macro duckdb__percentile(expr, fraction) -%}
    cast(quantile_cont({{ expr }}, {{ fraction }}) as double)
{%- endmacro %}


{#- Median of a numeric expression, as DOUBLE (the mean of the two middle values for an even count): the
    50th continuous percentile, which percentile() already spells per warehouse. -#}
{% macro median(expr) -%}
    {{ hospital_analytics.percentile(expr, 0.5) }}
{%- endmacro %}


{#-
    One row per day from start_date to end_date (both included), in a column `date_day`; the bounds are
    columns of `relation`, a one-row CTE or table.
-#}
{% macro date_spine(relation, start_date, end_date) -%}
    {{ return(adapter.dispatch('date_spine', 'hospital_analytics')(relation, start_date, end_date)) }}
{%- endmacro %}

{#- Portable: days 0..99,999 from ten-row digit tables cross-joined, cut at the end date. -#}
{% macro default__date_spine(relation, start_date, end_date) -%}
    {%- set digits -%}
        ({% for digit in range(10) %}select {{ digit }} as d{% if not loop.last %} union all {% endif %}{% endfor %})
    {%- endset -%}
    select cast({{ dbt.dateadd('day', 'offsets.day_offset', 'bounds.' ~ start_date) }} as date) as date_day
    from {{ relation }} as bounds
    cross join (
        select d1.d + 10 * d2.d + 100 * d3.d + 1000 * d4.d + 10000 * d5.d as day_offset
        from {{ digits }} as d1
        cross join {{ digits }} as d2
        cross join {{ digits }} as d3
        cross join {{ digits }} as d4
        cross join {{ digits }} as d5
    ) as offsets
    where offsets.day_offset <= {{ hospital_analytics.days_between('bounds.' ~ start_date, 'bounds.' ~ end_date) }}
{%- endmacro %}

{% macro duckdb__date_spine(relation, start_date, end_date) -%}
    select cast(unnest(generate_series(bounds.{{ start_date }}, bounds.{{ end_date }}, interval 1 day)) as date) as date_day
    from {{ relation }} as bounds
{%- endmacro %}

{#- GENERATOR needs a constant row count: 100,000 days (273 years) covers any window, then cut at the end. -#}
{% macro snowflake__date_spine(relation, start_date, end_date) -%}
    select cast(dateadd(day, offsets.day_offset, bounds.{{ start_date }}) as date) as date_day
    from {{ relation }} as bounds
    cross join (
        select row_number() over (order by seq4()) - 1 as day_offset
        from table(generator(rowcount => 100000))
    ) as offsets
    where offsets.day_offset <= datediff(day, bounds.{{ start_date }}, bounds.{{ end_date }})
{%- endmacro %}


{#- ISO day of the week of a date: 1 (Monday) to 7 (Sunday), as an integer. -#}
{% macro day_of_week(date_expr) -%}
    {{ return(adapter.dispatch('day_of_week', 'hospital_analytics')(date_expr)) }}
{%- endmacro %}

{% macro default__day_of_week(date_expr) -%}
    cast(extract(isodow from {{ date_expr }}) as integer)
{%- endmacro %}

{% macro snowflake__day_of_week(date_expr) -%}
    cast(dayofweekiso({{ date_expr }}) as integer)
{%- endmacro %}
