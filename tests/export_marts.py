"""Test helper for export: the ANALYTICS marts of CONTRACT.md in a DuckDB file, small and realistic.

Stays are drawn with numpy (fixed seed), then every mart is derived from them by SQL following the
contract's definitions and types (DATE, BOOLEAN, DECIMAL(12,2) charges), so export's tests do not wait for
the generate/load/transform pipeline. The end-to-end tests run the real pipeline instead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

CATEGORIES = [
    ("I50.9", "Heart failure, unspecified", "Circulatory"),
    ("J18.9", "Pneumonia, unspecified organism", "Respiratory"),
    ("O80", "Encounter for full-term uncomplicated delivery", "Pregnancy"),
    ("A41.9", "Sepsis, unspecified organism", "Infectious"),
    ("M17.11", "Unilateral primary osteoarthritis, right knee", "Musculoskeletal"),
    ("K35.80", "Unspecified acute appendicitis", "Digestive"),
]
SPECIALTIES = [("Internal Medicine", "Medicine"), ("Cardiology", "Heart Center"), ("General Surgery", "Surgery")]


def _raw(patients: int, stays: int, doctors: int, start: dt.date, end: dt.date, seed: int):
    rng = np.random.default_rng(seed)
    birth = [end - dt.timedelta(days=int(d)) for d in rng.integers(0, 95 * 365, patients)]
    patient = pd.DataFrame(
        {
            "patient_id": np.arange(1, patients + 1),
            "gender": rng.choice(["F", "M"], patients, p=[0.54, 0.46]),
            "birth_date": pd.to_datetime(birth),
            "state": rng.choice(["CA", "TX", "NY", "O'Brien County"], patients),  # a quote, for CSV escaping
            "insurance": rng.choice(["Medicare", "Medicaid", "Private", "Self-pay"], patients),
        }
    )
    spec = rng.integers(0, len(SPECIALTIES), doctors)
    doctor = pd.DataFrame(
        {
            "doctor_id": np.arange(1, doctors + 1),
            "doctor_name": [f"Dr. Test, {i:03d}" for i in range(1, doctors + 1)],  # a comma, for CSV quoting
            "specialty": [SPECIALTIES[s][0] for s in spec],
            "department": [SPECIALTIES[s][1] for s in spec],
        }
    )
    window = (end - start).days + 1
    free = np.zeros(patients + 1, dtype=int)
    rows = []
    for pid in rng.integers(1, patients + 1, stays):
        admit = int(free[pid] + (rng.integers(0, window) if free[pid] == 0 else rng.integers(1, 200)))
        if admit >= window:
            continue
        los = int(max(0, round(rng.lognormal(1.2, 0.7)) - 1))
        free[pid] = admit + los + 1
        rows.append((int(pid), start + dt.timedelta(days=admit), los))
    rows.sort(key=lambda r: (r[1], r[0]))
    n = len(rows)
    diag = rng.integers(0, len(CATEGORIES), n)
    stay = pd.DataFrame(
        {
            "hospitalization_id": np.arange(1, n + 1),
            "patient_id": [r[0] for r in rows],
            "doctor_id": rng.integers(1, doctors + 1, n),
            "admission_date": pd.to_datetime([r[1] for r in rows]),
            "length_of_stay_days": np.array([r[2] for r in rows], dtype=np.int32),
            "admission_type": rng.choice(["Emergency", "Urgent", "Elective"], n),
            "stay_type": rng.choice(["Medical", "Surgical"], n),
            "diagnosis_code": [CATEGORIES[d][0] for d in diag],
            "diagnosis_description": [CATEGORIES[d][1] for d in diag],
            "diagnosis_category": [CATEGORIES[d][2] for d in diag],
            "discharge_disposition": rng.choice(["Home", "Home health", "Skilled nursing"], n),
            "total_charges": np.round(rng.lognormal(9.5, 0.6, n), 2),
        }
    )
    stay["discharge_date"] = stay["admission_date"] + pd.to_timedelta(stay["length_of_stay_days"], unit="D")
    return patient, doctor, stay


_AGE_GROUP = """CASE WHEN {a} < 18 THEN '0-17' WHEN {a} < 45 THEN '18-44' WHEN {a} < 65 THEN '45-64'
                     WHEN {a} < 85 THEN '65-84' ELSE '85+' END"""
_AGE_ORDER = """CASE WHEN {a} < 18 THEN 1 WHEN {a} < 45 THEN 2 WHEN {a} < 65 THEN 3 WHEN {a} < 85 THEN 4
                     ELSE 5 END"""


def _marts_sql(s: str, window_end: dt.date) -> list[str]:
    end = f"DATE '{window_end.isoformat()}'"
    age = "date_diff('year', p.birth_date, {d}) - CASE WHEN strftime(p.birth_date, '%m%d') > strftime({d}, '%m%d') THEN 1 ELSE 0 END"
    age_adm = age.format(d="h.admission_date")
    age_end = age.format(d=end)
    return [
        f"""CREATE TABLE {s}.fct_hospitalizations AS
        WITH o AS (
          SELECT h.*, lag(discharge_date) OVER (PARTITION BY patient_id ORDER BY admission_date) AS prev_dis,
                 lead(admission_date) OVER (PARTITION BY patient_id ORDER BY admission_date) AS next_adm
          FROM raw_stays h)
        SELECT h.hospitalization_id::BIGINT AS hospitalization_id, h.patient_id::BIGINT AS patient_id,
               h.doctor_id::BIGINT AS doctor_id, h.admission_date::DATE AS admission_date,
               h.discharge_date::DATE AS discharge_date,
               date_trunc('month', h.admission_date)::DATE AS admission_month,
               h.length_of_stay_days::INTEGER AS length_of_stay_days, h.admission_type, h.stay_type,
               h.diagnosis_code, h.diagnosis_description, h.diagnosis_category, h.discharge_disposition,
               h.total_charges::DECIMAL(12,2) AS total_charges, p.gender AS patient_gender,
               ({age_adm})::INTEGER AS patient_age_at_admission,
               {_AGE_GROUP.format(a=age_adm)} AS age_group, {_AGE_ORDER.format(a=age_adm)} AS age_group_order,
               p.insurance, p.state AS patient_state, d.specialty AS doctor_specialty,
               d.department AS doctor_department,
               coalesce(date_diff('day', h.discharge_date, h.next_adm) BETWEEN 1 AND 30, false) AS readmitted_within_30d,
               coalesce(date_diff('day', h.prev_dis, h.admission_date) BETWEEN 1 AND 30, false) AS is_readmission
        FROM o h JOIN raw_patients p USING (patient_id) JOIN raw_doctors d USING (doctor_id)
        ORDER BY hospitalization_id""",
        f"""CREATE TABLE {s}.patients_demographics AS
        WITH a AS (SELECT gender, ({age_end}) AS age FROM raw_patients p)
        SELECT gender, {_AGE_GROUP.format(a="age")} AS age_group, {_AGE_ORDER.format(a="age")} AS age_group_order,
               count(*) AS patients, count(*) / sum(count(*)) OVER () AS share_of_patients
        FROM a GROUP BY ALL ORDER BY gender, age_group_order""",
        f"""CREATE TABLE {s}.patients_admissions_by_month AS
        SELECT admission_month AS month, strftime(admission_month, '%Y-%m') AS month_label, count(*) AS admissions,
               count(DISTINCT patient_id) AS distinct_patients, sum(length_of_stay_days) AS total_length_of_stay_days,
               round(avg(length_of_stay_days), 2) AS average_length_of_stay_days
        FROM {s}.fct_hospitalizations GROUP BY ALL ORDER BY month""",
        f"""CREATE TABLE {s}.patients_hospitalizations AS
        SELECT patient_id, any_value(patient_gender) AS gender, arg_max(age_group, admission_date) AS age_group,
               count(*) AS stays, sum(length_of_stay_days) AS total_days,
               avg(length_of_stay_days) AS average_length_of_stay_days,
               min(admission_date) AS first_admission_date, max(discharge_date) AS last_discharge_date
        FROM {s}.fct_hospitalizations GROUP BY patient_id ORDER BY patient_id""",
        f"""CREATE TABLE {s}.readmissions AS
        SELECT hospitalization_id, patient_id, admission_date, discharge_date,
               date_trunc('month', discharge_date)::DATE AS discharge_month,
               lead(admission_date) OVER (PARTITION BY patient_id ORDER BY admission_date) AS next_admission_date,
               date_diff('day', discharge_date,
                         lead(admission_date) OVER (PARTITION BY patient_id ORDER BY admission_date)) AS days_to_next_admission,
               readmitted_within_30d
        FROM {s}.fct_hospitalizations ORDER BY hospitalization_id""",
        f"""CREATE TABLE {s}.readmission_rate_by_month AS
        SELECT discharge_month AS month, strftime(discharge_month, '%Y-%m') AS month_label, count(*) AS discharges,
               count(*) FILTER (WHERE readmitted_within_30d) AS readmissions_30d,
               count(*) FILTER (WHERE readmitted_within_30d) / count(*) AS readmission_rate
        FROM {s}.readmissions GROUP BY ALL ORDER BY month""",
        f"""CREATE TABLE {s}.length_of_stay_by_diagnosis AS
        SELECT diagnosis_category, doctor_specialty, count(*) AS stays,
               avg(length_of_stay_days) AS mean_length_of_stay_days,
               median(length_of_stay_days) AS median_length_of_stay_days,
               quantile_cont(length_of_stay_days, 0.9) AS p90_length_of_stay_days
        FROM {s}.fct_hospitalizations GROUP BY ALL ORDER BY ALL""",
        f"""CREATE TABLE {s}.doctor_workload AS
        SELECT d.doctor_id, d.doctor_name, d.specialty, d.department, count(f.hospitalization_id) AS stays,
               count(DISTINCT f.patient_id) AS patients, coalesce(sum(f.length_of_stay_days), 0) AS bed_days,
               avg(f.length_of_stay_days) AS average_length_of_stay_days
        FROM raw_doctors d LEFT JOIN {s}.fct_hospitalizations f USING (doctor_id) GROUP BY ALL ORDER BY doctor_id""",
        f"""CREATE TABLE {s}.daily_census AS
        WITH days AS (SELECT range::DATE AS census_date FROM range(
                        (SELECT min(admission_date) FROM {s}.fct_hospitalizations), {end} + 1, INTERVAL 1 DAY))
        SELECT census_date,
               (SELECT count(*) FROM {s}.fct_hospitalizations f WHERE f.admission_date = census_date) AS admissions,
               (SELECT count(*) FROM {s}.fct_hospitalizations f WHERE f.discharge_date = census_date) AS discharges,
               (SELECT count(*) FROM {s}.fct_hospitalizations f
                 WHERE f.admission_date <= census_date AND census_date < f.discharge_date) AS patients_in_hospital
        FROM days ORDER BY census_date""",
        f"""CREATE TABLE {s}.kpis AS
        SELECT count(*) AS admissions, count(DISTINCT patient_id) AS patients,
               avg(length_of_stay_days) AS average_length_of_stay_days,
               median(length_of_stay_days) AS median_length_of_stay_days,
               avg(readmitted_within_30d::INTEGER) AS readmission_rate_30d, sum(length_of_stay_days) AS bed_days,
               (SELECT max(patients_in_hospital) FROM {s}.daily_census) AS peak_census,
               (SELECT arg_max(census_date, patients_in_hospital) FROM {s}.daily_census) AS peak_census_date,
               sum(total_charges) AS total_charges, min(admission_date) AS first_admission_date,
               max(admission_date) AS last_admission_date
        FROM {s}.fct_hospitalizations""",
    ]


def build_marts(
    path: Path,
    *,
    schema: str = "ANALYTICS",
    patients: int = 150,
    stays: int = 400,
    doctors: int = 12,
    start: dt.date = dt.date(2024, 1, 1),
    end: dt.date = dt.date(2025, 12, 31),
    seed: int = 7,
) -> Path:
    """Create (or replace) ``path`` with schema ``schema`` holding every mart of CONTRACT.md."""
    patient, doctor, stay = _raw(patients, stays, doctors, start, end, seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        con.execute(f'CREATE SCHEMA "{schema}"')
        for name, frame in (("raw_patients", patient), ("raw_doctors", doctor), ("raw_stays", stay)):
            con.register(f"{name}_df", frame)
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_df")
        for sql in _marts_sql(f'"{schema}"', end):
            con.execute(sql)
    finally:
        con.close()
    return path
