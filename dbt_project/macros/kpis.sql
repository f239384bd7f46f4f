{#-
    The kpis mart's columns, generated from the headline KPIs' single definition: the semantic models and
    metrics of models/semantic/kpis.yml (read from dbt's graph when the model runs).

    kpi_measures(model_name, relation): one CTE body computing every measure of the semantic model built on
    `model_name`, from `relation` (a CTE of the calling model).
    kpi_metric_columns(): one column per metric, named after it, from the measures' columns.
-#}

{% macro kpi_aggregate(measure) -%}
    {%- set expr = measure['expr'] or measure['name'] -%}
    {%- set agg = measure['agg'] -%}
    {%- if agg == 'count' -%} count({{ expr }})
    {%- elif agg == 'count_distinct' -%} count(distinct {{ expr }})
    {%- elif agg == 'sum' -%} sum({{ expr }})
    {%- elif agg == 'sum_boolean' -%} {{ hospital_analytics.count_true(expr) }}
    {%- elif agg == 'average' -%} avg(cast({{ expr }} as double))
    {%- elif agg == 'median' -%} {{ hospital_analytics.median(expr) }}
    {%- else -%} {{ exceptions.raise_compiler_error("kpis: aggregation " ~ agg ~ " of measure " ~ measure['name'] ~ " has no SQL here") }}
    {%- endif -%}
{%- endmacro %}


{% macro _kpi_semantic_model(model_name) -%}
    {%- for semantic_model in graph.semantic_models.values() -%}
        {%- if semantic_model['depends_on']['nodes'] | select('equalto', 'model.hospital_analytics.' ~ model_name) | list -%}
            {{ return(semantic_model) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("kpis: no semantic model is built on " ~ model_name) }}
{%- endmacro %}


{% macro kpi_measures(model_name, relation) -%}
    {%- if execute -%}
    select
        {%- for measure in hospital_analytics._kpi_semantic_model(model_name)['measures'] %}
        {{ hospital_analytics.kpi_aggregate(measure) }} as {{ measure['name'] }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- else -%}
    select 1 as parsing from {{ relation }}
    {%- endif -%}
{%- endmacro %}


{%- macro _kpi_cast(sql, format) -%}
    {%- if format == 'integer' -%} cast({{ sql }} as bigint)
    {%- elif format == 'money' -%} cast({{ sql }} as decimal(18, 2))
    {%- else -%} cast({{ sql }} as double)
    {%- endif -%}
{%- endmacro -%}


{% macro _kpi_metric(name) -%}
    {%- for metric in graph.metrics.values() if metric['name'] == name -%}
        {{ return(metric) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("kpis: unknown metric " ~ name) }}
{%- endmacro %}


{% macro kpi_metric_sql(metric) -%}
    {%- set params = metric['type_params'] -%}
    {%- if metric['type'] == 'simple' -%}
        {{ params['measure']['name'] }}
    {%- elif metric['type'] == 'ratio' -%}
        {%- set numerator = hospital_analytics.kpi_metric_sql(hospital_analytics._kpi_metric(params['numerator']['name'])) -%}
        {%- set denominator = hospital_analytics.kpi_metric_sql(hospital_analytics._kpi_metric(params['denominator']['name'])) -%}
        cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
    {%- else -%}
        {{ exceptions.raise_compiler_error("kpis: metric type " ~ metric['type'] ~ " of " ~ metric['name'] ~ " has no SQL here") }}
    {%- endif -%}
{%- endmacro %}


{% macro kpi_metric_columns() -%}
    {%- if execute -%}
        {%- for metric in graph.metrics.values() if metric['meta'].get('headline', true) %}
    {{ hospital_analytics._kpi_cast(hospital_analytics.kpi_metric_sql(metric), metric['meta'].get('format')) }} as {{ metric['name'] }},
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#- The measures a sum over any rows keeps exact (count, sum, count of true): the dashboard cube's columns. -#}
{% macro kpi_additive_measures(model_name) -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- for measure in hospital_analytics._kpi_semantic_model(model_name)['measures'] -%}
            {%- if measure['agg'] in ('count', 'sum', 'sum_boolean') -%}
                {%- set metrics = graph.metrics.values() | selectattr('type', 'equalto', 'simple') | list -%}
                {%- set formats = [] -%}
                {%- for metric in metrics if metric['type_params']['measure']['name'] == measure['name'] -%}
                    {%- do formats.append(metric['meta'].get('format')) -%}
                {%- endfor -%}
                {%- do found.append({'measure': measure, 'format': (formats or ['integer'])[0]}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}


{#- `agg(expr) as measure, ...` for the additive measures of the semantic model on `model_name` (no trailing comma). -#}
{% macro kpi_additive_aggregates(model_name) -%}
    {%- for item in hospital_analytics.kpi_additive_measures(model_name) %}
        {{ hospital_analytics._kpi_cast(hospital_analytics.kpi_aggregate(item['measure']), item['format']) }} as {{ item['measure']['name'] }}{{ "," if not loop.last }}
    {%- endfor -%}
    {%- if not execute %} 1 as parsing{% endif -%}
{%- endmacro %}


{#- `cast(sum(coalesce(relation.measure, 0)) as ...) as measure, ...`: the additive measures summed again. -#}
{% macro kpi_additive_sums(model_name, relation) -%}
    {%- for item in hospital_analytics.kpi_additive_measures(model_name) %}
    {{ hospital_analytics._kpi_cast('coalesce(' ~ relation ~ '.' ~ item['measure']['name'] ~ ', 0)', item['format']) }} as {{ item['measure']['name'] }},
    {%- endfor -%}
{%- endmacro %}
