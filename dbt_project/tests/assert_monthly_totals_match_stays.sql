-- Every stay is counted once: the monthly marts add up to the raw row count, and the fact table,
-- the readmissions and the per-patient mart hold every stay too.
with raw_stays as (
    select
        count(*) as stays,
        sum(length_of_stay_days) as bed_days
    from {{ source('raw', 'hospitalizations') }}
),

{#- figure, the mart and the expression adding it up, and which raw total it must equal -#}
{%- set figures = [
    ("patients_admissions_by_month.admissions", "patients_admissions_by_month", "sum(admissions)", "stays"),
    ("patients_admissions_by_month.total_length_of_stay_days", "patients_admissions_by_month",
        "sum(total_length_of_stay_days)", "bed_days"),
    ("readmission_rate_by_month.discharges", "readmission_rate_by_month", "sum(discharges)", "stays"),
    ("fct_hospitalizations rows", "fct_hospitalizations", "count(*)", "stays"),
    ("patients_hospitalizations.stays", "patients_hospitalizations", "sum(stays)", "stays"),
    ("doctor_workload.stays", "doctor_workload", "sum(stays)", "stays"),
    ("length_of_stay_by_diagnosis.stays", "length_of_stay_by_diagnosis", "sum(stays)", "stays"),
    ("kpis.admissions", "kpis", "sum(admissions)", "stays"),
    ("kpis.bed_days", "kpis", "sum(bed_days)", "bed_days"),
] %}

totals as (
    {% for figure, mart, total, expected in figures -%}
        select
            '{{ figure }}' as figure,
            (select {{ total }} from {{ ref(mart) }}) as total,
            (select {{ expected }} from raw_stays) as expected
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    figure,
    total,
    expected
from totals
where total is null or total <> expected
