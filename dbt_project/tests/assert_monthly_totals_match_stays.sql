-- Every clean stay admitted in the window (for data with defects: every delivered stay not quarantined; for
-- data without, every raw row) is counted once: the monthly marts add up to the raw rows admitted in the
-- window, and the fact table, the per-patient and per-doctor marts hold every such stay too; the discharge-based
-- marts hold every such stay that is discharged.
with bounds as (
    select
        window_start,
        window_end
    from {{ ref('int_window') }}
),

raw_stays as (
    select
        count(*) as stays,
        sum(stays.length_of_stay_days) as bed_days,
        count(stays.discharge_date) as discharges
    from {{ ref('stg_hospitalizations') }} as stays  -- every clean stay (all of them for data without defects)
    cross join bounds
    where stays.admission_date >= bounds.window_start and stays.admission_date <= bounds.window_end
),

{#- figure, the mart and the expression adding it up, and which raw total it must equal -#}
{%- set figures = [
    ("patients_admissions_by_month.admissions", "patients_admissions_by_month", "sum(admissions)", "stays"),
    ("patients_admissions_by_month.total_length_of_stay_days", "patients_admissions_by_month",
        "sum(total_length_of_stay_days)", "bed_days"),
    ("readmission_rate_by_month.discharges", "readmission_rate_by_month", "sum(discharges)", "discharges"),
    ("fct_hospitalizations rows", "fct_hospitalizations", "count(*)", "stays"),
    ("patients_hospitalizations.stays", "patients_hospitalizations", "sum(stays)", "stays"),
    ("doctor_workload.stays", "doctor_workload", "sum(stays)", "stays"),
    ("length_of_stay_by_diagnosis.stays", "length_of_stay_by_diagnosis", "sum(stays)", "discharges"),
    ("discharge_dispositions.discharges", "discharge_dispositions", "sum(discharges)", "discharges"),
    ("admissions_by_weekday.admissions", "admissions_by_weekday", "sum(admissions)", "stays"),
    ("admissions_by_weekday.discharges", "admissions_by_weekday", "sum(discharges)", "discharges"),
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
