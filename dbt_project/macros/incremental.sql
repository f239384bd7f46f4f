{#-
    The daily feed's incremental models (models/marts/feed): how they merge, and from when they recompute.
-#}

{#- How an incremental model writes its new rows over the old ones by unique_key: delete the keys, insert the
    new rows (delete+insert), on both warehouses. Snowflake's MERGE gives the same result for a unique key, but
    fakesnow (the local Snowflake the tests run against) cannot run the MERGE dbt-snowflake writes (it calls
    a column ambiguous), and the property tests must run the SQL a real account runs. One dispatch point, so
    a warehouse that needs another strategy gets its own here. -#}
{% macro incremental_strategy() -%}
    {{ return(adapter.dispatch('incremental_strategy', 'hospital_analytics')()) }}
{%- endmacro %}

{% macro default__incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}


{#- The recorded time an incremental run recomputes from: the latest last_recorded_at already in the model,
    less var feed_lookback_days (default 3, the feed's longest delay), so anything recorded since the last
    run, and anything a late or out-of-order load added, is recomputed. A model not built yet, or emptied (a
    load that restarted the feed for a new simulation empties it): from the beginning. -#}
{% macro feed_recompute_since(relation) -%}
    (
        select
            coalesce(
                {{ dbt.dateadd('day', -1 * var('feed_lookback_days'), 'max(last_recorded_at)') }},
                cast('1900-01-01 00:00:00' as timestamp)
            )
        from {{ relation }}
    )
{%- endmacro %}
