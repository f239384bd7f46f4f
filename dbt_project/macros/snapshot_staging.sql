{#-
    The scratch table a snapshot compares the source with (dbt's build_snapshot_staging_table, which is not
    dispatched). DuckDB: dbt-duckdb's own (a temporary table where DuckDB allows one). Snowflake: a transient
    table in the snapshot's schema, dropped when the snapshot is done (post_snapshot), instead of a temporary
    one: the same result on Snowflake, and fakesnow, the local Snowflake the tests run against, cannot create
    a temporary table under a database-qualified name (as in snowflake_unit_test.sql and the incremental
    models' tmp_relation_type).
-#}
{% macro build_snapshot_staging_table(strategy, sql, target_relation) %}
    {{ return(adapter.dispatch('build_snapshot_staging_table', 'hospital_analytics')(strategy, sql, target_relation)) }}
{% endmacro %}

{% macro duckdb__build_snapshot_staging_table(strategy, sql, target_relation) %}
    {% set temporary_relation = duckdb__dispatch_temporary_relation(target_relation) %}
    {% set temp_relation = temporary_relation.relation %}
    {% set select = snapshot_staging_table(strategy, sql, target_relation) %}
    {% call statement('build_snapshot_staging_relation') %}
        {{ create_table_as(temporary_relation.temporary, temp_relation, select) }}
    {% endcall %}
    {% do return(temp_relation) %}
{% endmacro %}

{% macro default__build_snapshot_staging_table(strategy, sql, target_relation) %}
    {% set temp_relation = make_temp_relation(target_relation) %}
    {% set select = snapshot_staging_table(strategy, sql, target_relation) %}
    {% call statement('build_snapshot_staging_relation') %}
        {{ create_table_as(False, temp_relation, select) }}
    {% endcall %}
    {% do return(temp_relation) %}
{% endmacro %}

{% macro snowflake__post_snapshot(staging_relation) %}
    {% do adapter.drop_relation(staging_relation) %}
{% endmacro %}


{#-
    How a snapshot closes changed rows and adds new versions on Snowflake: an UPDATE (dbt_valid_to of the rows
    that changed) then an INSERT (the new versions), in one explicit transaction, as dbt-duckdb does, instead
    of dbt's MERGE. The same rows on Snowflake; fakesnow cannot run that MERGE (it calls the snapshot's
    columns ambiguous in the insert list).
-#}
{% macro snowflake__snapshot_merge_sql(target, source, insert_cols) -%}
    {%- set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() -%}
    {%- set dml -%}
    update {{ target }} as DBT_INTERNAL_TARGET
    set {{ columns.dbt_valid_to }} = DBT_INTERNAL_SOURCE.{{ columns.dbt_valid_to }}
    from {{ source }} as DBT_INTERNAL_SOURCE
    where cast(DBT_INTERNAL_SOURCE.{{ columns.dbt_scd_id }} as varchar)
        = cast(DBT_INTERNAL_TARGET.{{ columns.dbt_scd_id }} as varchar)
      and DBT_INTERNAL_SOURCE.dbt_change_type in ('update', 'delete')
      and DBT_INTERNAL_TARGET.{{ columns.dbt_valid_to }} is null;

    insert into {{ target }} ({{ insert_cols | join(', ') }})
    select {% for column in insert_cols -%}
        DBT_INTERNAL_SOURCE.{{ column }} {%- if not loop.last %}, {%- endif %}
    {%- endfor %}
    from {{ source }} as DBT_INTERNAL_SOURCE
    where DBT_INTERNAL_SOURCE.dbt_change_type = 'insert'
    {%- endset -%}
    {{ return(snowflake_dml_explicit_transaction(dml)) }}
{%- endmacro %}
