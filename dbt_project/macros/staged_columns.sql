{#-
    The staged columns of the raw tables the data-quality rules check, in one place per table: the checked
    model (stg_<table>_checked) ends with them and its bookkeeping columns, the clean model (stg_<table>) selects
    them where the row is usable, and the quarantine model (quarantine_<table>) where it is not. A new column is
    added here (and typed in the checked model, or in feed_columns for a feed table).
-#}

{#- The checked tables, in the order data_quality_issues lists them. -#}
{% macro checked_tables() -%}
    {{ return(['patients', 'hospitalizations', 'encounter_events', 'patient_events']) }}
{%- endmacro %}


{#- A daily-feed table's raw columns and the type each is staged as ('text': trimmed, empty as null). -#}
{% macro feed_columns(table) -%}
    {{ return({
        'encounter_events': [
            ['event_id', 'bigint'], ['event_type', 'text'], ['hl7_event', 'text'], ['hospitalization_id', 'bigint'],
            ['patient_id', 'bigint'], ['hospital_id', 'bigint'], ['unit_id', 'bigint'], ['from_unit_id', 'bigint'],
            ['event_at', 'timestamp'], ['recorded_at', 'timestamp'], ['refers_to_event_id', 'bigint'],
            ['admission_type', 'text'], ['diagnosis_code', 'text'], ['doctor_id', 'bigint'], ['payer', 'text'],
            ['discharge_disposition', 'text'], ['total_charges', 'decimal(12, 2)'],
        ],
        'patient_events': [
            ['event_id', 'bigint'], ['event_type', 'text'], ['hl7_event', 'text'], ['patient_id', 'bigint'],
            ['event_at', 'timestamp'], ['recorded_at', 'timestamp'], ['city', 'text'], ['state', 'text'],
            ['zip_code', 'text'], ['county', 'text'], ['payer', 'text'],
        ],
    }[table]) }}
{%- endmacro %}


{#- A checked table's staged columns, in order (a feed table's: its raw columns and the partition file). -#}
{% macro staged_columns(table) -%}
    {%- if table in ['encounter_events', 'patient_events'] -%}
        {{ return(hospital_analytics.feed_columns(table) | map('first') | list + ['source_file']) }}
    {%- endif -%}
    {{ return({
        'patients': [
            'patient_id', 'first_name', 'last_name', 'patient_name', 'gender', 'birth_date', 'city', 'state',
            'insurance', 'zip_code', 'county', 'home_hospital_id', 'death_date',
        ],
        'hospitalizations': [
            'hospitalization_id', 'patient_id', 'doctor_id', 'admission_date', 'discharge_date',
            'reported_length_of_stay_days', 'admission_type', 'stay_type', 'diagnosis_code', 'diagnosis_description',
            'diagnosis_category', 'discharge_disposition', 'total_charges', 'hospital_id', 'admitted_at',
            'discharged_at', 'payer',
        ],
    }[table]) }}
{%- endmacro %}


{#- Columns as a select list, one per line; `computed` maps a column to the expression that makes it. -#}
{% macro select_list(columns, computed={}) -%}
    {%- for column in columns %}
    {% if column in computed %}{{ computed[column] }} as {% endif %}{{ column }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}


{#- A feed table's raw columns typed (macros/data_quality.sql), and the partition file each row came from. -#}
{% macro typed_feed_columns(table) -%}
    {%- for column, sql_type in hospital_analytics.feed_columns(table) %}
    {% if sql_type == 'text' -%}
        {{ hospital_analytics.typed_text(column) }}
    {%- else -%}
        {{ hospital_analytics.typed(column, sql_type) }}
    {%- endif %} as {{ column }},
    {%- endfor %}
    cast(_source_file as {{ dbt.type_string() }}) as source_file
{%- endmacro %}


{#- Which delivered copy of its event_id a feed message is: 1 for the earliest recorded (ties: the earlier
    partition file), later copies 2, 3, ... (a late duplicate). -#}
{% macro earliest_recorded_copy() -%}
    row_number() over (partition by event_id order by recorded_at, source_file)
{%- endmacro %}
