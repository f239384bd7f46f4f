"""Helpers for the transform tests: small raw data sets with known edge cases, and the same marts in pandas.

``write_edge_case_csvs`` writes every raw file (columns from ``schema.RAW_COLUMNS``) for a small,
deterministic health system with the cases the dbt logic must get right: same-day stays, readmissions exactly
30 and 31 days after discharge, birthdays on 29 February and on the window's last day, every age group,
stays still open at the window's end, a stay admitted before it, a death, a birth, a doctor without stays.
``expected_marts`` computes the contract's marts from the CSVs with pandas, independently of the SQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import pandas as pd

from hospital_analytics.schema import RAW_COLUMNS, column_names
from hospital_analytics.warehouse.feed import FEED_TABLES, feed_columns

START = dt.date(2024, 1, 1)
END = dt.date(2024, 12, 31)

SPECIALTIES = [
    ("Internal Medicine", "Medicine"),
    ("Cardiology", "Cardiology"),
    ("Pediatrics", "Pediatrics"),
    ("Obstetrics and Gynecology", "Women's Health"),
    ("General Surgery", "Surgery"),
]
DIAGNOSES = [
    ("A41.9", "Sepsis, unspecified organism", "Infectious"),
    ("I50.9", "Heart failure, unspecified", "Circulatory"),
    ("J18.9", "Pneumonia, unspecified organism", "Respiratory"),
    ("M17.11", "Unilateral primary osteoarthritis, right knee", "Musculoskeletal"),
    ("Z38.00", "Single liveborn infant, delivered vaginally", "Newborn"),
]
ADMISSION_TYPES = ["Emergency", "Urgent", "Elective", "Newborn"]
STAY_TYPES = ["Medical", "Surgical", "Maternal/Neonatal"]
DISPOSITIONS = [
    "Home",
    "Home health care",
    "Skilled nursing facility",
    "Rehabilitation facility",
    "Transfer to another hospital",
    "Left against medical advice",
]
INSURANCE = ["Medicare", "Medicaid", "Private", "Other", "Self-pay"]


HOSPITALS = [
    ("Springfield General", "Springfield", "Sangamon", "IL", "62701", 39.8017, -89.6437),
    ("Chatham Community Hospital", "Chatham", "Sangamon", "IL", "62629", 39.6761, -89.7045),
]
UNIT_BEDS = [("MEDSURG", "Medical-surgical", 40), ("ICU", "Intensive care", 8)]


def _write(path: Path, table: str, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(column_names(table))
        for row in rows:
            writer.writerow([_text(row[name]) for name in column_names(table)])


def _text(value: object) -> str:
    if value is None:
        return ""  # NULL: an empty field
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def write_edge_case_csvs(
    csv_dir: Path, *, patients: int = 120, doctors: int = 12, seed: int = 7, start: dt.date = START, end: dt.date = END
) -> dict[str, Path]:
    """Write every raw table's CSV (schema.py's columns); return their paths.

    Beyond the original cases: two hospitals with units and beds, stays still open at the window's end (no
    discharge yet), a stay admitted before the window (in house on its first day), a death ending a
    patient's timeline, a newborn linked to its mother's delivery, coverage spells and capacity events.
    """
    rng = random.Random(seed)
    days = (end - start).days
    mother, newborn = patients - 1, patients  # the birth: outside the random stays
    birth_day = start + dt.timedelta(days=200)

    patient_rows = []
    for pid in range(1, patients + 1):
        age = rng.choice([0, 3, 12, 17, 18, 30, 44, 45, 50, 64, 65, 70, 84, 85, 92])
        birth = dt.date(end.year - age, rng.randint(1, 12), rng.randint(1, 28))
        hospital = 1 + pid % 2
        patient_rows.append(
            {
                "patient_id": pid,
                "first_name": f"Pat{pid}",
                "last_name": "Doe",
                "gender": rng.choice("FM"),
                "birth_date": birth,
                "city": HOSPITALS[hospital - 1][1],
                "state": rng.choice(["IL", "OH", "TX"]),
                "insurance": rng.choice(INSURANCE),
                "zip_code": HOSPITALS[hospital - 1][4],
                "county": "Sangamon",
                "home_hospital_id": hospital,
                "death_date": None,
            }
        )
    # Edge cases on ages: born on 29 February; 18th birthday exactly on the window's last day (admitted two
    # days before it: 0-17 at admission), 85th birthday the day after it (65-84).
    patient_rows[0]["birth_date"] = dt.date(2000, 2, 29)
    patient_rows[1]["birth_date"] = end.replace(year=end.year - 18)
    patient_rows[2]["birth_date"] = (end + dt.timedelta(days=1)).replace(year=end.year + 1 - 85)
    patient_rows[mother - 1].update(gender="F", birth_date=dt.date(1994, 5, 17))
    patient_rows[newborn - 1].update(
        birth_date=birth_day, home_hospital_id=patient_rows[mother - 1]["home_hospital_id"]
    )

    doctor_rows = [
        {
            "doctor_id": did,
            "first_name": f"Doc{did}",
            "last_name": "Smith",
            "gender": rng.choice("FM"),
            "specialty": SPECIALTIES[(did - 1) % len(SPECIALTIES)][0],
            "department": SPECIALTIES[(did - 1) % len(SPECIALTIES)][1],
            "hospital_id": 1 + did % 2,
            "role": "Radiologist" if did == doctors else "Hospitalist",
            "attends_stays": did != doctors,
        }
        for did in range(1, doctors + 1)
    ]
    # The last doctor attends no stay (doctor_workload lists them with zeros).
    busy_doctors = doctors - 1

    chains: list[tuple[dt.date, int, dt.date | None]] = []  # (admission, patient, discharge or None: open)
    # Patient 1: readmitted exactly 30 days after discharge, then 31 days after (not a readmission).
    a1 = start + dt.timedelta(days=10)
    d1 = a1 + dt.timedelta(days=3)
    a2 = d1 + dt.timedelta(days=30)
    d2 = a2  # same-day stay
    a3 = d2 + dt.timedelta(days=31)
    d3 = a3 + dt.timedelta(days=5)
    chains += [(a1, 1, d1), (a2, 1, d2), (a3, 1, d3)]
    # Patient 2: admitted near the end, still in house when the window ends (an open stay).
    chains.append((end - dt.timedelta(days=2), 2, None))
    # Patient 3: admitted before the window, in house on its first day, readmitted 12 days after discharge.
    chains.append((start - dt.timedelta(days=4), 3, start + dt.timedelta(days=2)))
    for pid in range(3, mother):
        born = patient_rows[pid - 1]["birth_date"]
        day = max(start + dt.timedelta(days=rng.randint(0, days // 2)), born)
        if pid == 3:
            day = start + dt.timedelta(days=14)
        while day <= end and rng.random() < 0.85:
            stay = min(int(rng.expovariate(1 / 4.5)), 40)
            discharge = day + dt.timedelta(days=stay)
            chains.append((day, pid, discharge if discharge <= end else None))
            gap = rng.choice([1, 5, 15, 29, 30, 31, 45, 90, 150])
            day = discharge + dt.timedelta(days=gap)
    chains.append((birth_day, mother, birth_day + dt.timedelta(days=2)))
    chains.append((birth_day, newborn, birth_day + dt.timedelta(days=2)))
    chains.sort(key=lambda item: (item[0], item[1]))

    stay_rows = []
    for sid, (admission, pid, discharge) in enumerate(chains, start=1):
        code, description, category = rng.choice(DIAGNOSES[:-1])
        admission_type, stay_type = rng.choice(ADMISSION_TYPES[:-1]), rng.choice(STAY_TYPES[:-1])
        if pid == newborn:
            (code, description, category), admission_type, stay_type = DIAGNOSES[-1], "Newborn", "Maternal/Neonatal"
        elif pid == mother:
            code, description, category = "O82", "Encounter for cesarean delivery without indication", "Pregnancy"
            admission_type, stay_type = "Urgent", "Maternal/Neonatal"
        admitted_at = dt.datetime.combine(admission, dt.time(9 + sid % 8, 30))
        stay_rows.append(
            {
                "hospitalization_id": sid,
                "patient_id": pid,
                "doctor_id": rng.randint(1, busy_doctors),
                "admission_date": admission,
                "discharge_date": discharge,
                "length_of_stay_days": None if discharge is None else (discharge - admission).days,
                "admission_type": admission_type,
                "stay_type": stay_type,
                "diagnosis_code": code,
                "diagnosis_description": description,
                "diagnosis_category": category,
                "discharge_disposition": None if discharge is None else rng.choice(DISPOSITIONS),
                "total_charges": None if discharge is None else round(rng.uniform(2_000, 90_000), 2),
                "hospital_id": patient_rows[pid - 1]["home_hospital_id"],
                "admitted_at": admitted_at,
                "discharged_at": None if discharge is None else dt.datetime.combine(discharge, dt.time(18, 15)),
                "payer": patient_rows[pid - 1]["insurance"],
            }
        )
    # A death ends a timeline: patient 5's last stay, if discharged, ends in death on its discharge day.
    last = [row for row in stay_rows if row["patient_id"] == 5 and row["discharge_date"] is not None][-1:]
    for row in last:
        if all(r["admission_date"] <= row["admission_date"] for r in stay_rows if r["patient_id"] == 5):
            row["discharge_disposition"] = "Died"
            patient_rows[4]["death_date"] = row["discharge_date"]

    window_rows = [row for row in stay_rows if row["admission_date"] >= start]
    monthly: dict[str, list] = {}
    for row in window_rows:
        month = row["admission_date"].strftime("%Y-%m")
        monthly.setdefault(month, []).append(row)
    month_rows = []
    for month, rows in sorted(monthly.items()):
        lengths = [r["length_of_stay_days"] for r in rows if r["length_of_stay_days"] is not None]
        month_rows.append(
            {
                "month": month,
                "admissions": len(rows),
                "distinct_patients": len({r["patient_id"] for r in rows}),
                "total_length_of_stay_days": sum(lengths),
                "average_length_of_stay_days": round(sum(lengths) / len(lengths), 2) if lengths else 0.0,
            }
        )

    hospital_rows = [
        {
            "hospital_id": hid,
            "hospital_name": name,
            "city": city,
            "county": county,
            "state": state,
            "zip_code": zip_code,
            "latitude": lat,
            "longitude": lon,
            "beds": sum(beds for _, _, beds in UNIT_BEDS),
            "bed_size_class": "25-49",
        }
        for hid, (name, city, county, state, zip_code, lat, lon) in enumerate(HOSPITALS, start=1)
    ]
    unit_rows = [
        {
            "unit_id": (hid - 1) * len(UNIT_BEDS) + index,
            "hospital_id": hid,
            "unit_code": code,
            "unit_name": name,
            "beds": beds,
        }
        for hid in range(1, len(HOSPITALS) + 1)
        for index, (code, name, beds) in enumerate(UNIT_BEDS, start=1)
    ]
    movement_rows = []
    for row in stay_rows:
        floor = (row["hospital_id"] - 1) * len(UNIT_BEDS) + 1
        begin, finish = row["admitted_at"], row["discharged_at"]
        legs = [(floor, begin, finish)]
        if row["hospitalization_id"] % 4 == 0 and (row["length_of_stay_days"] or 0) >= 2:
            moved = dt.datetime.combine(row["admission_date"] + dt.timedelta(days=1), dt.time(0, 0))  # at midnight
            legs = [(floor + 1, begin, moved), (floor, moved, finish)]
        for sequence, (unit, started, ended) in enumerate(legs, start=1):
            movement_rows.append(
                {
                    "movement_id": len(movement_rows) + 1,
                    "hospitalization_id": row["hospitalization_id"],
                    "sequence": sequence,
                    "unit_id": unit,
                    "started_at": started,
                    "ended_at": ended,
                }
            )
    coverage_rows = []
    for patient in patient_rows:
        if patient["patient_id"] % 4 == 0:
            coverage_rows.append(
                {
                    "patient_id": patient["patient_id"],
                    "payer": "Private",
                    "valid_from": dt.date(2015, 1, 1),
                    "valid_to": dt.date(2024, 3, 1),
                }
            )
            coverage_rows.append(
                {
                    "patient_id": patient["patient_id"],
                    "payer": patient["insurance"],
                    "valid_from": dt.date(2024, 3, 1),
                    "valid_to": None,
                }
            )
        else:
            coverage_rows.append(
                {
                    "patient_id": patient["patient_id"],
                    "payer": patient["insurance"],
                    "valid_from": max(patient["birth_date"], dt.date(2015, 1, 1)),
                    "valid_to": None,
                }
            )
    stay_of = {
        row["patient_id"]: row["hospitalization_id"] for row in stay_rows if row["patient_id"] in (mother, newborn)
    }
    birth_rows = [
        {
            "newborn_patient_id": newborn,
            "newborn_hospitalization_id": stay_of[newborn],
            "mother_patient_id": mother,
            "delivery_hospitalization_id": stay_of[mother],
            "birth_date": birth_day,
            "delivery_method": "Cesarean",
            "plurality": 1,
        }
    ]
    event_rows = [
        {
            "capacity_event_id": 1,
            "hospital_id": 1,
            "unit_id": 2,
            "event_date": start + dt.timedelta(days=40),
            "event_type": "Transfer held",
            "patient_id": 7,
        },
        {
            "capacity_event_id": 2,
            "hospital_id": 2,
            "unit_id": 3,
            "event_date": start + dt.timedelta(days=90),
            "event_type": "Emergency diverted",
            "patient_id": None,
        },
    ]

    paths = {}
    for table, rows in (
        ("patients", patient_rows),
        ("doctors", doctor_rows),
        ("hospitalizations", stay_rows),
        ("admissions_by_month", month_rows),
        ("hospitals", hospital_rows),
        ("units", unit_rows),
        ("bed_movements", movement_rows),
        ("coverage_history", coverage_rows),
        ("births", birth_rows),
        ("capacity_events", event_rows),
    ):
        paths[table] = csv_dir / f"{table}.csv"
        _write(paths[table], table, rows)
    from helpers.raw import certify

    certify(csv_dir.parent)  # a manifest, as generate writes one: load takes the set
    return paths


def load_duckdb(db_file: Path, csv_dir: Path, schema: str = "RAW", tables: tuple[str, ...] | None = None) -> None:
    """Create ``schema``'s raw tables in a DuckDB file from the CSVs (types from schema.py)."""
    import duckdb

    with duckdb.connect(str(db_file)) as con:
        con.execute(f'create schema if not exists "{schema}"')
        for table in tables or tuple(RAW_COLUMNS):
            columns = ", ".join(f"'{c.name}': '{c.sql_type}'" for c in RAW_COLUMNS[table])
            con.execute(
                f'create or replace table "{schema}"."{table}" as select * from '
                f"read_csv('{csv_dir / (table + '.csv')}', header = true, columns = {{{columns}}})"
            )
        for table in FEED_TABLES:  # the daily feed's tables, empty (as `hospital load` makes them without a feed)
            definition = ", ".join(f'"{c.name}" {c.sql_type}' for c in feed_columns(table))
            con.execute(f'create or replace table "{schema}"."{table}" ({definition})')


def load_snowflake(connection_kwargs: dict, database: str, csv_dir: Path, schema: str = "RAW") -> None:
    """Create the raw tables on a (fake) Snowflake server from the CSVs, with plain INSERTs."""
    import snowflake.connector

    with snowflake.connector.connect(**connection_kwargs) as con:
        cur = con.cursor()
        cur.execute(f"create database if not exists {database}")
        cur.execute(f"create schema if not exists {database}.{schema}")
        for table, columns in RAW_COLUMNS.items():
            ddl = ", ".join(f"{c.name} {c.sql_type}" for c in columns)
            cur.execute(f"create or replace table {database}.{schema}.{table} ({ddl})")
            frame = pd.read_csv(csv_dir / f"{table}.csv", dtype=str, keep_default_na=False)
            rows = [tuple(row) for row in frame.itertuples(index=False)]
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(f"insert into {database}.{schema}.{table} values ({marks})", rows)
        for table in FEED_TABLES:  # the daily feed's tables, empty
            ddl = ", ".join(f'"{c.name.upper()}" {c.sql_type}' for c in feed_columns(table))
            cur.execute(f"create or replace table {database}.{schema}.{table} ({ddl})")


def age_in_years(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def age_group(age: int) -> tuple[str, int]:
    for order, (upper, label) in enumerate(((18, "0-17"), (45, "18-44"), (65, "45-64"), (85, "65-84")), 1):
        if age < upper:
            return label, order
    return "85+", 5


def expected_marts(csv_dir: Path, window_end: dt.date, window_start: dt.date = START) -> dict[str, pd.DataFrame]:
    """The marts computed with pandas from the raw CSVs (the independent reference for the SQL).

    Stays admitted before ``window_start`` count in the census only; open stays (no discharge date) count as
    admissions and in the census, and are left out of every length-of-stay and outcome measure.
    """
    patients = pd.read_csv(csv_dir / "patients.csv", parse_dates=["birth_date"])
    doctors = pd.read_csv(csv_dir / "doctors.csv")
    every_stay = pd.read_csv(csv_dir / "hospitalizations.csv", parse_dates=["admission_date", "discharge_date"])
    every_stay["los"] = (every_stay["discharge_date"] - every_stay["admission_date"]).dt.days
    in_window = every_stay["admission_date"] >= pd.Timestamp(window_start)
    stays = every_stay[in_window].reset_index(drop=True)
    discharged = stays[stays["discharge_date"].notna()]
    patients["birth"] = patients["birth_date"].dt.date

    stays["month"] = stays["admission_date"].dt.to_period("M").dt.to_timestamp().dt.date
    monthly = (
        stays.groupby("month")
        .agg(
            admissions=("hospitalization_id", "size"),
            distinct_patients=("patient_id", "nunique"),
            total_length_of_stay_days=("los", "sum"),
            average_length_of_stay_days=("los", "mean"),
        )
        .reset_index()
    )

    per_patient = (
        stays.groupby("patient_id")
        .agg(
            stays=("hospitalization_id", "size"),
            total_days=("los", "sum"),
            average_length_of_stay_days=("los", "mean"),
            first_admission_date=("admission_date", "min"),
            last_discharge_date=("discharge_date", "max"),
        )
        .reset_index()
    )
    # Patients = those admitted in the window; a patient's age group = age at their first admission in it.
    per_patient = per_patient.merge(patients[["patient_id", "gender", "birth"]], on="patient_id")
    per_patient["age_group"] = [
        age_group(age_in_years(b, first.date()))[0]
        for b, first in zip(per_patient["birth"], per_patient["first_admission_date"], strict=True)
    ]
    demo = per_patient.groupby(["gender", "age_group"]).size().rename("patients").reset_index()
    demo["share_of_patients"] = demo["patients"] / len(per_patient)

    ordered = every_stay.sort_values(["patient_id", "admission_date", "hospitalization_id"])
    ordered["next_admission_date"] = ordered.groupby("patient_id")["admission_date"].shift(-1)
    ordered["previous_discharge_date"] = ordered.groupby("patient_id")["discharge_date"].shift(1)
    gap = (ordered["next_admission_date"] - ordered["discharge_date"]).dt.days
    back = (ordered["admission_date"] - ordered["previous_discharge_date"]).dt.days
    ordered["days_to_next_admission"] = gap
    ordered["readmitted_within_30d"] = gap.between(1, 30).fillna(False).astype(bool)
    ordered["is_readmission"] = back.between(1, 30).fillna(False).astype(bool)
    ordered["discharge_month"] = ordered["discharge_date"].dt.to_period("M").dt.to_timestamp().dt.date
    readmissions = ordered[ordered["admission_date"] >= pd.Timestamp(window_start)]
    readmissions = readmissions.sort_values("hospitalization_id").reset_index(drop=True)
    rate = (
        readmissions[readmissions["discharge_date"].notna()]
        .groupby("discharge_month")
        .agg(
            discharges=("hospitalization_id", "size"),
            readmissions_30d=("readmitted_within_30d", "sum"),
        )
        .reset_index()
        .rename(columns={"discharge_month": "month"})
    )
    rate["readmission_rate"] = rate["readmissions_30d"] / rate["discharges"]

    fct = readmissions.merge(patients, on="patient_id").merge(
        doctors[["doctor_id", "specialty", "department"]].rename(
            columns={"specialty": "doctor_specialty", "department": "doctor_department"}
        ),
        on="doctor_id",
    )
    fct["patient_age_at_admission"] = [
        age_in_years(b, a.date()) for b, a in zip(fct["birth"], fct["admission_date"], strict=True)
    ]
    fct["fct_age_group"] = fct["patient_age_at_admission"].map(lambda a: age_group(a)[0])
    fct = fct.merge(
        per_patient[["patient_id", "age_group"]].rename(columns={"age_group": "patient_age_group"}), on="patient_id"
    )
    los_by_dx = (
        fct[fct["discharge_date"].notna()]
        .groupby(["diagnosis_category", "doctor_specialty"])["los"]
        .agg(
            stays="size",
            mean_length_of_stay_days="mean",
            median_length_of_stay_days="median",
            p90_length_of_stay_days=lambda s: s.quantile(0.9),
        )
        .reset_index()
    )

    workload = (
        stays.groupby("doctor_id")
        .agg(
            stays=("hospitalization_id", "size"),
            patients=("patient_id", "nunique"),
            bed_days=("los", "sum"),
        )
        .reset_index()
    )
    workload = doctors[["doctor_id"]].merge(workload, on="doctor_id", how="left").fillna(0)

    first = stays["admission_date"].min().date()
    census_days = pd.date_range(window_start, window_end, freq="D")
    adm = every_stay["admission_date"].values
    dis = every_stay["discharge_date"].values
    still_in = every_stay["discharge_date"].isna().values
    census = pd.DataFrame(
        {
            "census_date": census_days.date,
            "admissions": [int((adm == d).sum()) for d in census_days.values],
            "discharges": [int((dis == d).sum()) for d in census_days.values],
            "patients_in_hospital": [int(((adm <= d) & ((dis > d) | still_in)).sum()) for d in census_days.values],
        }
    )
    peak = census["patients_in_hospital"].max()
    kpis = {
        "admissions": len(stays),
        "patients": stays["patient_id"].nunique(),
        "average_length_of_stay_days": discharged["los"].mean(),
        "median_length_of_stay_days": discharged["los"].median(),
        # only discharges whose 30 days of follow-up lie inside the data count
        "readmission_rate_30d": readmissions.loc[
            (pd.Timestamp(window_end) - pd.to_datetime(readmissions["discharge_date"])).dt.days >= 30,
            "readmitted_within_30d",
        ].mean(),
        "in_hospital_mortality": (discharged["discharge_disposition"] == "Died").sum() / len(discharged),
        "average_census": census["patients_in_hospital"].mean(),
        "bed_days": int(stays["los"].sum()),
        "peak_census": int(peak),
        "peak_census_date": census.loc[census["patients_in_hospital"] == peak, "census_date"].min(),
        "total_charges": round(float(stays["total_charges"].sum()), 2),
        "discharges": len(discharged),
        "first_admission_date": first,
        "last_admission_date": stays["admission_date"].max().date(),
    }
    return {
        "patients_demographics": demo,
        "patients_admissions_by_month": monthly,
        "patients_hospitalizations": per_patient,
        "fct_readmissions": readmissions,
        "readmission_rate_by_month": rate,
        "fct_hospitalizations": fct,
        "length_of_stay_by_diagnosis": los_by_dx,
        "doctor_workload": workload,
        "daily_census": census,
        "kpis": pd.DataFrame([kpis]),
    }


# --- building and reading ------------------------------------------------------------------------------
def clean_settings(**values):
    """Settings from ``values`` only: no .env file, and (callers clear them) no HOSPITAL_/SNOWFLAKE_ variables."""
    from hospital_analytics.config import Settings

    return Settings(_env_file=None, **values)


def read_marts(settings) -> dict[str, pd.DataFrame]:
    """Every mart of layout.MARTS, read through the warehouse (lower-case column names on both)."""
    from hospital_analytics.layout import MARTS
    from hospital_analytics.warehouse import open_warehouse

    with open_warehouse(settings) as wh:
        return {name: wh.query_df(f"select * from {wh.qualified(settings.analytics_schema, name)}") for name in MARTS}


def _dates(series: pd.Series) -> list:
    return [None if pd.isna(v) else pd.Timestamp(v).date() for v in series]


def _floats(series: pd.Series) -> list:
    return [None if pd.isna(v) else float(v) for v in series]


def _close(a: list, b: list, tol: float = 1e-9) -> bool:
    return len(a) == len(b) and all(
        (x is None and y is None) or (x is not None and y is not None and abs(x - y) <= tol * max(1.0, abs(y)))
        for x, y in zip(a, b, strict=True)
    )


def assert_marts_match(actual: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> None:
    """Every mart's figures equal the pandas reference (exact counts, dates; floats to 1e-9 relative)."""
    # patients_demographics: the present combinations match; the rest of the grid is zero.
    demo = actual["patients_demographics"].copy()
    assert set(demo.columns) == {"gender", "age_group", "age_group_order", "patients", "share_of_patients"}
    ref = expected["patients_demographics"].set_index(["gender", "age_group"])
    assert len(demo) == 5 * demo["gender"].nunique()
    for row in demo.itertuples(index=False):
        want = int(ref.loc[(row.gender, row.age_group), "patients"]) if (row.gender, row.age_group) in ref.index else 0
        assert int(row.patients) == want, (row.gender, row.age_group)
        assert age_group({1: 0, 2: 18, 3: 45, 4: 65, 5: 85}[int(row.age_group_order)])[0] == row.age_group
    assert abs(float(demo["share_of_patients"].sum()) - 1.0) < 1e-9
    assert _close(
        _floats(demo.sort_values(["gender", "age_group"])["share_of_patients"]),
        _floats(demo.sort_values(["gender", "age_group"])["patients"] / demo["patients"].sum()),
    )

    monthly = actual["patients_admissions_by_month"].sort_values("month").reset_index(drop=True)
    ref = expected["patients_admissions_by_month"]
    assert _dates(monthly["month"]) == list(ref["month"])
    assert list(monthly["month_label"]) == [m.strftime("%Y-%m") for m in ref["month"]]
    for column in ("admissions", "distinct_patients", "total_length_of_stay_days"):
        assert [int(v) for v in monthly[column]] == [int(v) for v in ref[column]], column
    assert _close(_floats(monthly["average_length_of_stay_days"]), _floats(ref["average_length_of_stay_days"]))

    per = actual["patients_hospitalizations"].sort_values("patient_id").reset_index(drop=True)
    ref = expected["patients_hospitalizations"].sort_values("patient_id").reset_index(drop=True)
    assert [int(v) for v in per["patient_id"]] == [int(v) for v in ref["patient_id"]]
    for column in ("stays", "total_days"):
        assert [int(v) for v in per[column]] == [int(v) for v in ref[column]], column
    assert list(per["gender"]) == list(ref["gender"])
    assert list(per["age_group"]) == list(ref["age_group"])
    assert _close(_floats(per["average_length_of_stay_days"]), _floats(ref["average_length_of_stay_days"]))
    assert _dates(per["first_admission_date"]) == _dates(ref["first_admission_date"])
    assert _dates(per["last_discharge_date"]) == _dates(ref["last_discharge_date"])

    fct = actual["fct_hospitalizations"].sort_values("hospitalization_id").reset_index(drop=True)
    ref = expected["fct_hospitalizations"].sort_values("hospitalization_id").reset_index(drop=True)
    assert [int(v) for v in fct["hospitalization_id"]] == [int(v) for v in ref["hospitalization_id"]]
    assert _floats(fct["length_of_stay_days"]) == _floats(ref["los"])  # None for an open stay
    assert [bool(v) for v in fct["is_discharged"]] == [bool(v) for v in ref["discharge_date"].notna()]
    assert [int(v) for v in fct["hospital_id"]] == [int(v) for v in ref["hospital_id"]]
    assert list(fct["payer"]) == list(ref["payer"])
    assert [int(v) for v in fct["admission_weekday"]] == [d.isoweekday() for d in ref["admission_date"]]
    assert [int(v) for v in fct["patient_age_at_admission"]] == [int(v) for v in ref["patient_age_at_admission"]]
    assert list(fct["age_group"]) == list(ref["fct_age_group"])
    assert list(fct["patient_age_group"]) == list(ref["patient_age_group"])
    assert [age_group({1: 0, 2: 18, 3: 45, 4: 65, 5: 85}[int(v)])[0] for v in fct["patient_age_group_order"]] == list(
        fct["patient_age_group"]
    )
    assert [bool(v) for v in fct["readmitted_within_30d"]] == [bool(v) for v in ref["readmitted_within_30d"]]
    assert [bool(v) for v in fct["is_readmission"]] == [bool(v) for v in ref["is_readmission"]]
    assert list(fct["doctor_specialty"]) == list(ref["doctor_specialty"])
    assert list(fct["patient_gender"]) == list(ref["gender"])
    assert list(fct["insurance"]) == list(ref["insurance"])
    assert _dates(fct["admission_month"]) == [d.date().replace(day=1) for d in ref["admission_date"]]
    assert _close(_floats(fct["total_charges"]), _floats(ref["total_charges"]), tol=1e-12)

    readm = actual["fct_readmissions"].sort_values("hospitalization_id").reset_index(drop=True)
    ref = expected["fct_readmissions"]
    assert _dates(readm["next_admission_date"]) == _dates(ref["next_admission_date"])
    assert _floats(readm["days_to_next_admission"]) == _floats(ref["days_to_next_admission"])
    assert [bool(v) for v in readm["readmitted_within_30d"]] == [bool(v) for v in ref["readmitted_within_30d"]]
    assert _dates(readm["discharge_month"]) == _dates(ref["discharge_month"])

    rate = actual["readmission_rate_by_month"].sort_values("month").reset_index(drop=True)
    ref = expected["readmission_rate_by_month"]
    assert _dates(rate["month"]) == list(ref["month"])
    assert [int(v) for v in rate["discharges"]] == [int(v) for v in ref["discharges"]]
    assert [int(v) for v in rate["readmissions_30d"]] == [int(v) for v in ref["readmissions_30d"]]
    assert _close(_floats(rate["readmission_rate"]), _floats(ref["readmission_rate"]))

    los = actual["length_of_stay_by_diagnosis"].sort_values(["diagnosis_category", "doctor_specialty"])
    ref = expected["length_of_stay_by_diagnosis"].sort_values(["diagnosis_category", "doctor_specialty"])
    assert list(los["diagnosis_category"]) == list(ref["diagnosis_category"])
    assert list(los["doctor_specialty"]) == list(ref["doctor_specialty"])
    assert [int(v) for v in los["stays"]] == [int(v) for v in ref["stays"]]
    for column in ("mean_length_of_stay_days", "median_length_of_stay_days", "p90_length_of_stay_days"):
        assert _close(_floats(los[column]), _floats(ref[column])), column

    work = actual["doctor_workload"].sort_values("doctor_id").reset_index(drop=True)
    ref = expected["doctor_workload"].sort_values("doctor_id").reset_index(drop=True)
    for column in ("doctor_id", "stays", "patients", "bed_days"):
        assert [int(v) for v in work[column]] == [int(v) for v in ref[column]], column

    census = actual["daily_census"].sort_values("census_date").reset_index(drop=True)
    ref = expected["daily_census"]
    assert _dates(census["census_date"]) == list(ref["census_date"])
    for column in ("admissions", "discharges", "patients_in_hospital"):
        assert [int(v) for v in census[column]] == [int(v) for v in ref[column]], column

    kpis = actual["kpis"]
    assert len(kpis) == 1
    got, want = kpis.iloc[0], expected["kpis"].iloc[0]
    for column in ("admissions", "patients", "bed_days", "peak_census"):
        assert int(got[column]) == int(want[column]), column
    assert int(expected["kpis"].iloc[0]["discharges"]) < int(want["admissions"])  # open stays: not discharged yet
    for column in (
        "average_length_of_stay_days",
        "median_length_of_stay_days",
        "readmission_rate_30d",
        "in_hospital_mortality",
        "average_census",
    ):
        assert _close([float(got[column])], [float(want[column])]), column
    assert abs(float(got["total_charges"]) - want["total_charges"]) < 0.005
    for column in ("peak_census_date", "first_admission_date", "last_admission_date"):
        assert pd.Timestamp(got[column]).date() == want[column], column

    # the living hospital's marts: the units' midnights add up to the census, dispositions and weekdays to the stays
    occupancy = actual["occupancy_daily"]
    per_day = occupancy.groupby(pd.to_datetime(occupancy["census_date"]).dt.date)["patients"].sum()
    assert [int(per_day[d]) for d in expected["daily_census"]["census_date"]] == [
        int(v) for v in expected["daily_census"]["patients_in_hospital"]
    ]
    assert (occupancy["patients"] <= occupancy["beds"]).all()
    ref = expected["fct_hospitalizations"]
    ref = ref[ref["discharge_date"].notna()]
    dispositions = actual["discharge_dispositions"].groupby("discharge_disposition")["discharges"].sum()
    assert {k: int(v) for k, v in dispositions.items()} == ref["discharge_disposition"].value_counts().to_dict()
    weekday = actual["admissions_by_weekday"].groupby("day_of_week")[["admissions", "discharges"]].sum()
    stays = expected["fct_hospitalizations"]
    assert [int(v) for v in weekday["admissions"]] == [
        int((stays["admission_date"].dt.isocalendar().day == d).sum()) for d in range(1, 8)
    ]
    assert [int(v) for v in weekday["discharges"]] == [
        int((ref["discharge_date"].dt.isocalendar().day == d).sum()) for d in range(1, 8)
    ]


def date_of_first_admission(settings) -> dt.date:
    stays = pd.read_csv(settings.layout.csv("hospitalizations"), parse_dates=["admission_date"])
    return stays["admission_date"].min().date()
