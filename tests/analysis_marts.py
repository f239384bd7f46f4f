"""Test helper: a DuckDB file holding the ANALYTICS marts exactly as CONTRACT.md names them.

Small, realistic and internally consistent (every mart derived by SQL from one synthetic set of stays), so
analyze's unit tests run in a second without the generate/load/transform pipeline. The end-to-end tests
use the real pipeline instead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

DIAGNOSES = [
    ("Z38.00", "Single liveborn infant, delivered vaginally", "Newborn"),
    ("A41.9", "Sepsis, unspecified organism", "Infectious"),
    ("M17.11", "Unilateral primary osteoarthritis, right knee", "Musculoskeletal"),
    ("I50.9", "Heart failure, unspecified", "Circulatory"),
    ("J44.1", "Chronic obstructive pulmonary disease with (acute) exacerbation", "Respiratory"),
    ("I21.4", "Non-ST elevation myocardial infarction", "Circulatory"),
    ("E11.65", "Type 2 diabetes mellitus with hyperglycemia", "Endocrine"),
    ("J18.9", "Pneumonia, unspecified organism", "Respiratory"),
    ("I48.91", "Unspecified atrial fibrillation", "Circulatory"),
    ("O80", "Encounter for full-term uncomplicated delivery", "Pregnancy"),
    ("N39.0", "Urinary tract infection, site not specified", "Genitourinary"),
    ("K35.80", "Unspecified acute appendicitis", "Digestive"),
]
SPECIALTIES = [
    ("Internal Medicine", "Medicine"),
    ("Cardiology", "Heart Center"),
    ("Pediatrics", "Children"),
    ("General Surgery", "Surgery"),
    ("Obstetrics and Gynecology", "Women's Health"),
]


def _stays(start: dt.date, end: dt.date, patients: int, stays: int, doctors: int, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    window = (end - start).days + 1
    gender = rng.choice(["F", "M"], size=patients, p=[0.53, 0.47])
    ages = np.concatenate([rng.integers(0, 18, patients // 6), rng.integers(18, 100, patients - patients // 6)])
    rng.shuffle(ages)
    birth = [end - dt.timedelta(days=int(a * 365.25 + rng.integers(0, 365))) for a in ages]
    patient_df = pd.DataFrame(
        {
            "patient_id": np.arange(1, patients + 1),
            "gender": gender,
            "date_of_birth": pd.to_datetime(birth),
            "insurance": rng.choice(["Medicare", "Medicaid", "Private", "Self-pay"], patients),
            "state": rng.choice(["CA", "TX", "NY", "FL"], patients),
        }
    )
    spec = rng.integers(0, len(SPECIALTIES), doctors)
    doctor_df = pd.DataFrame(
        {
            "doctor_id": np.arange(1, doctors + 1),
            "doctor_name": [f"Dr. Test {i:03d}" for i in range(1, doctors + 1)],
            "specialty": [SPECIALTIES[s][0] for s in spec],
            "department": [SPECIALTIES[s][1] for s in spec],
        }
    )
    rows = []
    owner = rng.integers(1, patients + 1, stays)
    next_free = {}
    for pid in owner:
        earliest = next_free.get(pid, 0)
        if earliest >= window:
            continue
        gap = int(rng.integers(0, window)) if pid not in next_free else int(rng.exponential(110))
        admit = earliest + gap
        if admit >= window:
            continue
        los = int(min(60, np.round(rng.lognormal(1.2, 0.75)) - 1)) if rng.random() > 0.08 else 0
        los = max(0, los)
        if rng.random() < 0.02:
            los = int(rng.integers(30, 90))
        next_free[pid] = admit + los + 1
        rows.append((int(pid), start + dt.timedelta(days=admit), los))
    rows.sort(key=lambda r: r[1])
    n = len(rows)
    diag = rng.integers(0, len(DIAGNOSES), n)
    stay_df = pd.DataFrame(
        {
            "hospitalization_id": np.arange(1, n + 1),
            "patient_id": [r[0] for r in rows],
            "doctor_id": rng.integers(1, doctors + 1, n),
            "admission_date": pd.to_datetime([r[1] for r in rows]),
            "length_of_stay_days": [r[2] for r in rows],
            "admission_type": rng.choice(["Emergency", "Elective", "Urgent"], n),
            "stay_type": rng.choice(["Medical", "Surgical", "Maternal/Neonatal"], n),
            "diagnosis_code": [DIAGNOSES[d][0] for d in diag],
            "diagnosis_description": [DIAGNOSES[d][1] for d in diag],
            "diagnosis_category": [DIAGNOSES[d][2] for d in diag],
            "discharge_disposition": rng.choice(["Home", "Home health", "Skilled nursing"], n),
            "total_charges": np.round(rng.gamma(2.0, 9000.0, n), 2),
        }
    )
    stay_df["discharge_date"] = stay_df["admission_date"] + pd.to_timedelta(stay_df["length_of_stay_days"], unit="D")
    return patient_df, doctor_df, stay_df


MART_SQL = {
    "fct_hospitalizations": """
        WITH s AS (
            SELECT h.*, LEAD(h.admission_date) OVER (PARTITION BY h.patient_id ORDER BY h.admission_date) AS next_adm,
                   LAG(h.discharge_date) OVER (PARTITION BY h.patient_id ORDER BY h.admission_date) AS prev_dis
            FROM stays h)
        SELECT s.hospitalization_id, s.patient_id, s.doctor_id, CAST(s.admission_date AS DATE) AS admission_date,
               CAST(s.discharge_date AS DATE) AS discharge_date,
               CAST(date_trunc('month', s.admission_date) AS DATE) AS admission_month,
               s.length_of_stay_days, s.admission_type, s.stay_type, s.diagnosis_code, s.diagnosis_description,
               s.diagnosis_category, s.discharge_disposition, s.total_charges, p.gender AS patient_gender,
               date_diff('year', p.date_of_birth, s.admission_date) AS patient_age_at_admission,
               {age_group_case} AS age_group, {age_order_case} AS age_group_order, p.insurance,
               p.state AS patient_state, d.specialty AS doctor_specialty, d.department AS doctor_department,
               coalesce(date_diff('day', s.discharge_date, s.next_adm) BETWEEN 1 AND 30, false) AS readmitted_within_30d,
               coalesce(date_diff('day', s.prev_dis, s.admission_date) BETWEEN 1 AND 30, false) AS is_readmission
        FROM s JOIN patients p USING (patient_id) JOIN doctors d USING (doctor_id)
        ORDER BY s.hospitalization_id""",
    "readmissions": """
        SELECT hospitalization_id, patient_id, admission_date, discharge_date,
               CAST(date_trunc('month', discharge_date) AS DATE) AS discharge_month,
               CAST(LEAD(admission_date) OVER w AS DATE) AS next_admission_date,
               date_diff('day', discharge_date, LEAD(admission_date) OVER w) AS days_to_next_admission,
               readmitted_within_30d
        FROM ANALYTICS.fct_hospitalizations WINDOW w AS (PARTITION BY patient_id ORDER BY admission_date)""",
    "patients_demographics": """
        WITH a AS (SELECT gender, date_diff('year', date_of_birth, DATE '{end}') AS age FROM patients),
             g AS (SELECT gender, {age_group_case_a} AS age_group, {age_order_case_a} AS age_group_order FROM a)
        SELECT gender, age_group, age_group_order, count(*) AS patients,
               count(*) / sum(count(*)) OVER () AS share_of_patients
        FROM g GROUP BY ALL ORDER BY age_group_order, gender""",
    "patients_admissions_by_month": """
        SELECT admission_month AS month, strftime(admission_month, '%Y-%m') AS month_label, count(*) AS admissions,
               count(DISTINCT patient_id) AS distinct_patients, sum(length_of_stay_days) AS total_length_of_stay_days,
               avg(length_of_stay_days) AS average_length_of_stay_days
        FROM ANALYTICS.fct_hospitalizations GROUP BY ALL ORDER BY month""",
    "patients_hospitalizations": """
        SELECT patient_id, any_value(patient_gender) AS gender, arg_max(age_group, admission_date) AS age_group,
               count(*) AS stays, sum(length_of_stay_days) AS total_days,
               avg(length_of_stay_days) AS average_length_of_stay_days,
               min(admission_date) AS first_admission_date, max(discharge_date) AS last_discharge_date
        FROM ANALYTICS.fct_hospitalizations GROUP BY patient_id""",
    "readmission_rate_by_month": """
        SELECT discharge_month AS month, strftime(discharge_month, '%Y-%m') AS month_label, count(*) AS discharges,
               count(*) FILTER (WHERE readmitted_within_30d) AS readmissions_30d,
               count(*) FILTER (WHERE readmitted_within_30d) / count(*) AS readmission_rate
        FROM ANALYTICS.readmissions GROUP BY ALL ORDER BY month""",
    "length_of_stay_by_diagnosis": """
        SELECT diagnosis_category, doctor_specialty, count(*) AS stays,
               avg(length_of_stay_days) AS mean_length_of_stay_days,
               median(length_of_stay_days) AS median_length_of_stay_days,
               quantile_cont(length_of_stay_days, 0.9) AS p90_length_of_stay_days
        FROM ANALYTICS.fct_hospitalizations GROUP BY ALL""",
    "doctor_workload": """
        SELECT d.doctor_id, d.doctor_name, d.specialty, d.department, count(f.hospitalization_id) AS stays,
               count(DISTINCT f.patient_id) AS patients, coalesce(sum(f.length_of_stay_days), 0) AS bed_days,
               avg(f.length_of_stay_days) AS average_length_of_stay_days
        FROM doctors d LEFT JOIN ANALYTICS.fct_hospitalizations f USING (doctor_id) GROUP BY ALL""",
    "daily_census": """
        WITH days AS (
            SELECT CAST(d AS DATE) AS census_date FROM generate_series(
                (SELECT min(admission_date) FROM ANALYTICS.fct_hospitalizations), DATE '{end}', INTERVAL 1 DAY) t(d))
        SELECT census_date,
               (SELECT count(*) FROM ANALYTICS.fct_hospitalizations f WHERE f.admission_date = census_date) AS admissions,
               (SELECT count(*) FROM ANALYTICS.fct_hospitalizations f WHERE f.discharge_date = census_date) AS discharges,
               (SELECT count(*) FROM ANALYTICS.fct_hospitalizations f
                 WHERE f.admission_date <= census_date AND census_date < f.discharge_date) AS patients_in_hospital
        FROM days ORDER BY census_date""",
    "kpis": """
        SELECT count(*) AS admissions, count(DISTINCT patient_id) AS patients,
               avg(length_of_stay_days) AS average_length_of_stay_days,
               median(length_of_stay_days) AS median_length_of_stay_days,
               avg(CAST(readmitted_within_30d AS INTEGER)) AS readmission_rate_30d,
               sum(length_of_stay_days) AS bed_days,
               (SELECT max(patients_in_hospital) FROM ANALYTICS.daily_census) AS peak_census,
               (SELECT min(census_date) FROM ANALYTICS.daily_census
                 WHERE patients_in_hospital = (SELECT max(patients_in_hospital) FROM ANALYTICS.daily_census))
                 AS peak_census_date,
               sum(total_charges) AS total_charges, min(admission_date) AS first_admission_date,
               max(admission_date) AS last_admission_date
        FROM ANALYTICS.fct_hospitalizations""",
}


def _age_case(column: str, order: bool) -> str:
    bands = [(17, "0-17", 1), (44, "18-44", 2), (64, "45-64", 3), (84, "65-84", 4)]
    whens = " ".join(f"WHEN {column} <= {hi} THEN {n if order else repr(label)}" for hi, label, n in bands)
    return f"CASE {whens} ELSE {5 if order else repr('85+')} END"


def build_marts(
    path: Path,
    *,
    start: dt.date = dt.date(2024, 1, 1),
    end: dt.date = dt.date(2025, 12, 31),
    patients: int = 150,
    stays: int = 400,
    doctors: int = 12,
    seed: int = 7,
    schema: str = "ANALYTICS",
) -> Path:
    """Write every mart of CONTRACT.md into ``schema`` of the DuckDB file ``path``; return ``path``."""
    patient_df, doctor_df, stay_df = _stays(start, end, patients, stays, doctors, seed)
    con = duckdb.connect(str(path))
    try:
        con.register("patients", patient_df)
        con.register("doctors", doctor_df)
        con.register("stays", stay_df)
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        fmt = {
            "end": end.isoformat(),
            "age_group_case": _age_case("date_diff('year', p.date_of_birth, s.admission_date)", False),
            "age_order_case": _age_case("date_diff('year', p.date_of_birth, s.admission_date)", True),
            "age_group_case_a": _age_case("age", False),
            "age_order_case_a": _age_case("age", True),
        }
        for name, sql in MART_SQL.items():
            con.execute(
                f"CREATE OR REPLACE TABLE {schema}.{name} AS " + sql.replace("ANALYTICS.", f"{schema}.").format(**fmt)
            )
    finally:
        con.close()
    return path


def empty_marts(path: Path, schema: str = "ANALYTICS") -> Path:
    """Every mart present with its columns but no rows (what transform builds from empty raw tables)."""
    build_marts(path, schema=schema)
    con = duckdb.connect(str(path))
    try:
        for name in MART_SQL:
            con.execute(f"DELETE FROM {schema}.{name}")
    finally:
        con.close()
    return path


def drop_mart(path: Path, name: str, schema: str = "ANALYTICS") -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(f"DROP TABLE {schema}.{name}")
    finally:
        con.close()


def read(path: Path, sql: str) -> pd.DataFrame:
    """An independent read of the fixture file (for expected values)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def _snowflake_type(column: str, duck_type: str) -> str:
    if duck_type == "DOUBLE" and column.startswith(("average_", "mean_", "median_", "p90_")):
        return "NUMBER(38,6)"  # what AVG() gives on Snowflake: analyze must cope with Decimal columns
    if duck_type.startswith("DECIMAL"):
        return duck_type.replace("DECIMAL", "NUMBER")
    return {
        "BIGINT": "NUMBER(38,0)",
        "INTEGER": "NUMBER(38,0)",
        "HUGEINT": "NUMBER(38,0)",
        "DOUBLE": "FLOAT",
        "VARCHAR": "VARCHAR",
        "DATE": "DATE",
        "BOOLEAN": "BOOLEAN",
    }[duck_type]


def copy_to_snowflake(source: Path, server: dict, database: str, schema: str = "ANALYTICS") -> None:
    """Create ``database.schema`` on a (fakesnow) Snowflake server holding the DuckDB file's marts."""
    import datetime as _dt
    import decimal

    import snowflake.connector

    def value(v):
        if isinstance(v, decimal.Decimal):
            return str(v)
        if isinstance(v, (_dt.date, _dt.datetime)):
            return v.isoformat()[:10]
        return v

    duck = duckdb.connect(str(source), read_only=True)
    con = snowflake.connector.connect(**server)
    try:
        cur = con.cursor()
        cur.execute(f"CREATE OR REPLACE DATABASE {database}")
        cur.execute(f"CREATE SCHEMA {database}.{schema}")
        present = {
            r[0]
            for r in duck.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'ANALYTICS'"
            ).fetchall()
        }
        for table in [t for t in MART_SQL if t in present]:
            columns = duck.execute(f'DESCRIBE "ANALYTICS"."{table}"').fetchall()
            ddl = ", ".join(f"{name} {_snowflake_type(name, kind)}" for name, kind, *_ in columns)
            cur.execute(f"CREATE TABLE {database}.{schema}.{table} ({ddl})")
            rows = [
                tuple(value(v) for v in row) for row in duck.execute(f'SELECT * FROM "ANALYTICS"."{table}"').fetchall()
            ]
            if rows:
                marks = ", ".join(["%s"] * len(columns))
                cur.executemany(f"INSERT INTO {database}.{schema}.{table} VALUES ({marks})", rows)
    finally:
        con.close()
        duck.close()
