{#-
    Typing and cleaning rules of the raw layer (issue 15, docs/design/defects.md). Data generated with defects
    is loaded as text (every RAW column VARCHAR; `hospital transform` passes var raw_text: true from
    data/manifest.json); these macros then type it with explicit rules and leave unusable values null (the
    checked models flag them). On typed raw columns (var raw_text false, the default) each is the plain cast
    staging always made: a no-op for clean data.
-#}

{#- Whether the raw layer is text (var raw_text). -#}
{% macro raw_is_text() -%}
    {{ return((var('raw_text', false) | string | lower) in ['true', '1', 'yes']) }}
{%- endmacro %}


{#- A raw value as trimmed text, an empty string as null. -#}
{% macro raw_text_value(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}


{#- A raw column typed as `sql_type` (bigint, integer, decimal(12, 2), timestamp, boolean, double): on text,
    the trimmed value cast when it parses, else null (TRY_CAST takes text on both warehouses). -#}
{% macro typed(column, sql_type) -%}
    {%- if hospital_analytics.raw_is_text() -%}
        try_cast({{ hospital_analytics.raw_text_value(column) }} as {{ sql_type }})
    {%- else -%}
        cast({{ column }} as {{ sql_type }})
    {%- endif -%}
{%- endmacro %}


{#- A raw text column: trimmed, empty as null, on text (the plain cast on typed columns). -#}
{% macro typed_text(column) -%}
    {%- if hospital_analytics.raw_is_text() -%}
        {{ hospital_analytics.raw_text_value(column) }}
    {%- else -%}
        cast({{ column }} as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}


{#- A raw date column: ISO YYYY-MM-DD or US MM/DD/YYYY text parsed (anything else null), on text. -#}
{% macro typed_date(column) -%}
    {%- if hospital_analytics.raw_is_text() -%}
        {{ adapter.dispatch('parse_date', 'hospital_analytics')(hospital_analytics.raw_text_value(column)) }}
    {%- else -%}
        cast({{ column }} as date)
    {%- endif -%}
{%- endmacro %}

{% macro default__parse_date(text) -%}
    coalesce(try_to_date({{ text }}, 'YYYY-MM-DD'), try_to_date({{ text }}, 'MM/DD/YYYY'))
{%- endmacro %}

{% macro duckdb__parse_date(text) -%}
    coalesce(
        cast(try_strptime({{ text }}, '%Y-%m-%d') as date),
        cast(try_strptime({{ text }}, '%m/%d/%Y') as date)
    )
{%- endmacro %}


{#- Whether a raw date value is written as MM/DD/YYYY (false on typed columns). -#}
{% macro is_us_date(column) -%}
    {%- if hospital_analytics.raw_is_text() -%}
        coalesce({{ hospital_analytics.matches(hospital_analytics.raw_text_value(column), '^[0-9]{2}/[0-9]{2}/[0-9]{4}$') }}, false)
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}


{#- Whether text matches a regular expression (the whole text). -#}
{% macro matches(text, pattern) -%}
    {{ return(adapter.dispatch('matches', 'hospital_analytics')(text, pattern)) }}
{%- endmacro %}

{% macro default__matches(text, pattern) -%}
    regexp_like({{ text }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__matches(text, pattern) -%}
    regexp_full_match({{ text }}, '{{ pattern }}')
{%- endmacro %}


{#- Gender coded F or M: M, Male, m, 1 -> M; F, Female, f, 2 -> F (any case, spaces trimmed). -#}
{% macro clean_gender(column) -%}
    case
        when upper(trim(cast({{ column }} as {{ dbt.type_string() }}))) in ('M', 'MALE', '1') then 'M'
        when upper(trim(cast({{ column }} as {{ dbt.type_string() }}))) in ('F', 'FEMALE', '2') then 'F'
        else nullif(upper(trim(cast({{ column }} as {{ dbt.type_string() }}))), '')
    end
{%- endmacro %}


{#- A name as delivered, cleaned: spaces trimmed; written all in upper or all in lower case, it gets an
    initial capital and the rest in lower case (the source's own case cannot be restored). -#}
{% macro clean_name(column) -%}
    {%- if not hospital_analytics.raw_is_text() -%}
    cast({{ column }} as {{ dbt.type_string() }})
    {%- else -%}
    case
        when {{ hospital_analytics.is_one_case(column) }}
            then upper(substr(trim(cast({{ column }} as {{ dbt.type_string() }})), 1, 1))
                || lower(substr(trim(cast({{ column }} as {{ dbt.type_string() }})), 2))
        else nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
    end
    {%- endif -%}
{%- endmacro %}

{#- Whether a name is written in one case only (upper or lower) and has letters. -#}
{% macro is_one_case(column) -%}
    (
        upper(trim(cast({{ column }} as {{ dbt.type_string() }}))) <> lower(trim(cast({{ column }} as {{ dbt.type_string() }})))
        and (
            trim(cast({{ column }} as {{ dbt.type_string() }})) = upper(trim(cast({{ column }} as {{ dbt.type_string() }})))
            or trim(cast({{ column }} as {{ dbt.type_string() }})) = lower(trim(cast({{ column }} as {{ dbt.type_string() }})))
        )
    )
{%- endmacro %}

{#- Whether a name differs from its canonical form: padded with spaces, or in one case only. -#}
{% macro name_reformatted(column) -%}
    {%- if not hospital_analytics.raw_is_text() -%}
    false
    {%- else -%}
    coalesce(
        cast({{ column }} as {{ dbt.type_string() }}) <> trim(cast({{ column }} as {{ dbt.type_string() }}))
        or {{ hospital_analytics.is_one_case(column) }},
        false
    )
    {%- endif -%}
{%- endmacro %}


{#- A code from a closed list written in another case or padded: the canonical value of `canonical` whose
    upper case it matches, else the value as delivered. -#}
{% macro clean_choice(column, canonical) -%}
    case upper(trim(cast({{ column }} as {{ dbt.type_string() }})))
        {%- for value in canonical %}
        when '{{ value | upper }}' then '{{ value }}'
        {%- endfor %}
        else nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
    end
{%- endmacro %}


{#- admission_type in its canonical case (text), or as delivered (typed columns). -#}
{% macro clean_admission_type(column) -%}
    {%- if hospital_analytics.raw_is_text() -%}
        {{ hospital_analytics.clean_choice(column, hospital_analytics.admission_types()) }}
    {%- else -%}
        cast({{ column }} as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#- Whether admission_type was delivered otherwise than canonical (another case, padded); false when typed. -#}
{% macro admission_type_reformatted(column) -%}
    {%- if hospital_analytics.raw_is_text() -%}
        coalesce(cast({{ column }} as {{ dbt.type_string() }}) not in (
            {%- for value in hospital_analytics.admission_types() %}'{{ value }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        ), false)
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}


{#- Whether `b` is `a` with two adjacent letters swapped (and differs from it); both lower-case text. -#}
{% macro is_adjacent_transposition(a, b, longest=40) -%}
    (
        length({{ a }}) = length({{ b }})
        and {{ a }} <> {{ b }}
        and (
            {%- for i in range(1, longest) %}
            (length({{ a }}) > {{ i }} and substr({{ a }}, 1, {{ i - 1 }}) || substr({{ a }}, {{ i + 1 }}, 1)
                || substr({{ a }}, {{ i }}, 1) || substr({{ a }}, {{ i + 2 }}) = {{ b }})
            {%- if not loop.last %} or{% endif %}
            {%- endfor %}
        )
    )
{%- endmacro %}


{#- The canonical admission types (a value of another case or padded is reformatted to one of them). -#}
{% macro admission_types() -%}
    {{ return(['Emergency', 'Urgent', 'Elective', 'Newborn']) }}
{%- endmacro %}


{#- The defect classes (docs/design/defects.md) and, per table, the rule that tells each and what is done
    with the row: the data_quality_rules mart and the warn tests read this list. -#}
{% macro defect_rules() -%}
    {{ return([
        {"defect": "duplicate_row", "table": "patients", "rule": "same patient_id delivered again (every column equal)", "action": "first copy kept, copies quarantined"},
        {"defect": "duplicate_row", "table": "hospitalizations", "rule": "same hospitalization_id delivered again (every column equal)", "action": "first copy kept, copies quarantined"},
        {"defect": "duplicate_patient", "table": "patients", "rule": "same last name, gender and ZIP code, and first name equal with birth date 1 day apart or birth date equal with two adjacent letters of the first name swapped", "action": "lower id kept, the later registration quarantined"},
        {"defect": "orphan_key", "table": "hospitalizations", "rule": "patient_id or doctor_id absent from every delivered patients or doctors row", "action": "quarantined"},
        {"defect": "discharge_before_admission", "table": "hospitalizations", "rule": "discharge_date before admission_date", "action": "quarantined"},
        {"defect": "impossible_value", "table": "hospitalizations", "rule": "total_charges negative", "action": "quarantined"},
        {"defect": "impossible_value", "table": "patients", "rule": "birth_date after the window's last day, or more than 120 years before it", "action": "quarantined (and the patient's stays held back)"},
        {"defect": "invalid_code", "table": "hospitalizations", "rule": "diagnosis_code not in the ICD-10-CM catalogue (model diagnosis_codes)", "action": "quarantined"},
        {"defect": "missing_value", "table": "patients", "rule": "gender or birth_date empty", "action": "quarantined (and the patient's stays held back)"},
        {"defect": "missing_value", "table": "hospitalizations", "rule": "admission_date, diagnosis_code or admission_type empty", "action": "quarantined"},
        {"defect": "inconsistent_format", "table": "patients", "rule": "gender not F/M, a name padded or in one case, birth_date as MM/DD/YYYY", "action": "cleaned and kept"},
        {"defect": "inconsistent_format", "table": "hospitalizations", "rule": "admission_type in another case or padded, admission_date as MM/DD/YYYY", "action": "cleaned and kept"},
        {"defect": "unit_slip", "table": "hospitalizations", "rule": "total_charges 100 times the feed's discharge charges", "action": "the feed's charges used, kept"},
        {"defect": "late_duplicate", "table": "encounter_events", "rule": "event_id recorded again later", "action": "earliest recorded kept, copies quarantined"},
        {"defect": "late_duplicate", "table": "patient_events", "rule": "event_id recorded again later", "action": "earliest recorded kept, copies quarantined"},
        {"defect": "timezone_shift", "table": "encounter_events", "rule": "event_at after recorded_at", "action": "quarantined"},
    ]) }}
{%- endmacro %}

{#- The classes whose rows are quarantined (the others are cleaned or fixed and kept). -#}
{% macro quarantined_defects() -%}
    {{ return(['duplicate_row', 'duplicate_patient', 'orphan_key', 'discharge_before_admission', 'impossible_value',
               'invalid_code', 'missing_value', 'late_duplicate', 'timezone_shift']) }}
{%- endmacro %}

{#- A patient's record_key: its id, or for a second registration 'original id|its id'. -#}
{% macro patient_record_key(defect, original_id, patient_id) -%}
    case
        when {{ defect }} = 'duplicate_patient'
            then cast({{ original_id }} as {{ dbt.type_string() }}) || '|' || cast({{ patient_id }} as {{ dbt.type_string() }})
        else cast({{ patient_id }} as {{ dbt.type_string() }})
    end
{%- endmacro %}

{% macro quarantined_list() -%}
    ({% for d in hospital_analytics.quarantined_defects() %}'{{ d }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}
