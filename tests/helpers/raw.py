"""Helpers for the load tests: raw files in an output folder (from the real generator, or hand-made with
awkward quoting), and ways to corrupt them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from hospital_analytics.layout import RAW_TABLES, OutputLayout
from hospital_analytics.schema import RAW_COLUMNS

DIAGNOSES = [
    ("J18.9", "Pneumonia, unspecified organism", "Respiratory"),
    ("I50.9", "Heart failure, unspecified", "Circulatory"),
    ("Z99.9", 'Dependence on "enabling" machines', "Other"),  # a quote inside a quoted field
]


UNITS = [("MEDSURG", "Medical-surgical", 20), ("ICU", "Intensive care", 4), ("MATERNITY", "Maternity", 4)]


def _tables(patients: int, doctors: int, stays: int, seed: int) -> dict[str, pa.Table]:
    """A small, valid raw data set (deterministic for a seed) with every table of the schema, its columns and
    types: two hospitals, open stays (no discharge yet), a stay admitted before the window, a death, a birth
    linked to its mother's delivery, coverage spells and a capacity event; nullable columns hold nulls."""
    import random

    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    end = dt.date(2024, 12, 31)
    hospitals = 2
    patient_rows = {
        "patient_id": list(range(1, patients + 1)),
        "first_name": [f"Pat{i}" for i in range(1, patients + 1)],
        "last_name": ["O'Neil, Jr" if i % 7 == 0 else f"Doe{i}" for i in range(1, patients + 1)],
        "gender": [rng.choice("FM") for _ in range(patients)],
        "birth_date": [dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(30000)) for _ in range(patients)],
        "city": ["Springfield"] * patients,
        "state": [rng.choice(["IL", "OH", "TX"]) for _ in range(patients)],
        "insurance": [rng.choice(["Medicare", "Medicaid", "Private", "Self-pay"]) for _ in range(patients)],
        "zip_code": [f"{62701 + i % 5:05d}" for i in range(patients)],
        "county": ["Sangamon"] * patients,
        "home_hospital_id": [1 + i % hospitals for i in range(patients)],
        "death_date": [None] * patients,
    }
    doctor_rows = {
        "doctor_id": list(range(1, doctors + 1)),
        "first_name": [f"Doc{i}" for i in range(1, doctors + 1)],
        "last_name": [f"Smith{i}" for i in range(1, doctors + 1)],
        "gender": [rng.choice("FM") for _ in range(doctors)],
        "specialty": [rng.choice(["Cardiology", "General Surgery"]) for _ in range(doctors)],
        "department": ["Medicine"] * doctors,
        "hospital_id": [1 + i % hospitals for i in range(doctors)],
        "role": ["Anesthesiologist" if i == doctors - 1 else "Hospitalist" for i in range(doctors)],
        "attends_stays": [i != doctors - 1 for i in range(doctors)],
    }
    attending = {h: [d for d in range(1, doctors) if 1 + (d - 1) % hospitals == h] for h in (1, 2)}
    # One stay per patient (no overlap), the first admitted before the window, the last few still open.
    stays = min(stays, patients)
    admissions = sorted(start + dt.timedelta(days=rng.randrange(360)) for _ in range(stays))
    admissions[0] = start - dt.timedelta(days=3)
    los = [rng.randrange(0, 12) for _ in range(stays)]
    open_stays = {stays - 1, stays - 2}
    for i in open_stays:
        admissions[i] = end - dt.timedelta(days=1)
    diagnoses = [rng.choice(DIAGNOSES) for _ in range(stays)]
    stay_patients = rng.sample(range(1, patients + 1), stays)
    stay_hospitals = [patient_rows["home_hospital_id"][p - 1] for p in stay_patients]
    # stays 4 and 5: a newborn and its mother's delivery, same day and hospital
    admissions[4] = admissions[3]
    stay_hospitals[4] = stay_hospitals[3]
    patient_rows["home_hospital_id"][stay_patients[4] - 1] = stay_hospitals[3]
    patient_rows["birth_date"][stay_patients[3] - 1] = admissions[3]
    discharges = [
        None if i in open_stays else a + dt.timedelta(days=n)
        for i, (a, n) in enumerate(zip(admissions, los, strict=True))
    ]
    dispositions = [None if i in open_stays else rng.choice(["Home", "Skilled nursing facility"]) for i in range(stays)]
    died = 1  # the second stay ends in death
    dispositions[died] = "Died"
    patient_rows["death_date"][stay_patients[died] - 1] = discharges[died]
    admitted_at = [dt.datetime.combine(a, dt.time(8 + i % 12, 15, 30)) for i, a in enumerate(admissions)]
    discharged_at = [None if d is None else dt.datetime.combine(d, dt.time(14, 5)) for d in discharges]
    for i, (a, d) in enumerate(zip(admitted_at, discharged_at, strict=True)):
        if d is not None and d <= a:
            discharged_at[i] = a + dt.timedelta(hours=3)
    stay_rows = {
        "hospitalization_id": list(range(1, stays + 1)),
        "patient_id": stay_patients,
        "doctor_id": [rng.choice(attending[h]) for h in stay_hospitals],
        "admission_date": admissions,
        "discharge_date": discharges,
        "length_of_stay_days": [
            None if d is None else (d - a).days for a, d in zip(admissions, discharges, strict=True)
        ],
        "admission_type": [rng.choice(["Emergency", "Urgent", "Elective"]) for _ in range(stays)],
        "stay_type": [rng.choice(["Medical", "Surgical"]) for _ in range(stays)],
        "diagnosis_code": [d[0] for d in diagnoses],
        "diagnosis_description": [d[1] for d in diagnoses],
        "diagnosis_category": [d[2] for d in diagnoses],
        "discharge_disposition": dispositions,
        "total_charges": [None if d is None else round(rng.uniform(500, 90000), 2) for d in discharges],
        "hospital_id": stay_hospitals,
        "admitted_at": admitted_at,
        "discharged_at": discharged_at,
        "payer": [patient_rows["insurance"][p - 1] for p in stay_patients],
    }
    months: dict[str, list[int]] = {}
    for a, d in zip(admissions, discharges, strict=True):
        if a >= start:
            months.setdefault(a.strftime("%Y-%m"), []).append(-1 if d is None else (d - a).days)
    discharged = {m: [n for n in v if n >= 0] for m, v in months.items()}
    month_rows = {
        "month": sorted(months),
        "admissions": [len(months[m]) for m in sorted(months)],
        "distinct_patients": [len(months[m]) for m in sorted(months)],
        "total_length_of_stay_days": [sum(discharged[m]) for m in sorted(months)],
        "average_length_of_stay_days": [
            round(sum(discharged[m]) / len(discharged[m]), 2) if discharged[m] else 0.0 for m in sorted(months)
        ],
    }
    hospital_rows = {
        "hospital_id": [1, 2],
        "hospital_name": ["Springfield General", "Sangamon County Hospital"],
        "city": ["Springfield", "Chatham"],
        "county": ["Sangamon", "Sangamon"],
        "state": ["IL", "IL"],
        "zip_code": ["62701", "62629"],
        "latitude": [39.8017, 39.6761],
        "longitude": [-89.6437, -89.7045],
        "beds": [sum(u[2] for u in UNITS)] * 2,
        "bed_size_class": ["6-24"] * 2,
    }
    unit_rows: dict[str, list] = {"unit_id": [], "hospital_id": [], "unit_code": [], "unit_name": [], "beds": []}
    for h in (1, 2):
        for code, name, beds in UNITS:
            unit_rows["unit_id"].append(len(unit_rows["unit_id"]) + 1)
            unit_rows["hospital_id"].append(h)
            unit_rows["unit_code"].append(code)
            unit_rows["unit_name"].append(name)
            unit_rows["beds"].append(beds)
    medsurg = {h: 1 + (h - 1) * len(UNITS) for h in (1, 2)}
    movement_rows: dict[str, list] = {
        k: [] for k in ("hospitalization_id", "sequence", "unit_id", "started_at", "ended_at")
    }
    for sid, h, a, d in zip(stay_rows["hospitalization_id"], stay_hospitals, admitted_at, discharged_at, strict=True):
        if sid % 5 == 0 and d is not None:  # ICU first, then the floor
            middle = a + (d - a) / 2
            legs = [(medsurg[h] + 1, a, middle), (medsurg[h], middle, d)]
        else:
            legs = [(medsurg[h], a, d)]
        for sequence, (unit, started, ended) in enumerate(legs, start=1):
            movement_rows["hospitalization_id"].append(sid)
            movement_rows["sequence"].append(sequence)
            movement_rows["unit_id"].append(unit)
            movement_rows["started_at"].append(started)
            movement_rows["ended_at"].append(ended)
    movement_rows = {"movement_id": list(range(1, len(movement_rows["sequence"]) + 1)), **movement_rows}
    coverage_rows: dict[str, list] = {"patient_id": [], "payer": [], "valid_from": [], "valid_to": []}
    for pid, payer in zip(patient_rows["patient_id"], patient_rows["insurance"], strict=True):
        spells = [("Private", dt.date(2020, 1, 1), dt.date(2024, 6, 1)), (payer, dt.date(2024, 6, 1), None)]
        if pid % 3:
            spells = [(payer, dt.date(2020, 1, 1), None)]
        for spell_payer, valid_from, valid_to in spells:
            coverage_rows["patient_id"].append(pid)
            coverage_rows["payer"].append(spell_payer)
            coverage_rows["valid_from"].append(valid_from)
            coverage_rows["valid_to"].append(valid_to)
    birth_rows = {
        "newborn_patient_id": [stay_patients[3]],
        "newborn_hospitalization_id": [4],
        "mother_patient_id": [stay_patients[4]],
        "delivery_hospitalization_id": [5],
        "birth_date": [admissions[3]],
        "delivery_method": ["Cesarean"],
        "plurality": [1],
    }
    event_rows = {
        "capacity_event_id": [1, 2],
        "hospital_id": [1, 2],
        "unit_id": [medsurg[1] + 1, medsurg[2]],
        "event_date": [dt.date(2024, 3, 4), dt.date(2024, 7, 9)],
        "event_type": ["Elective postponed", "Emergency diverted"],
        "patient_id": [3, None],
    }
    data = {
        "patients": patient_rows,
        "doctors": doctor_rows,
        "hospitalizations": stay_rows,
        "admissions_by_month": month_rows,
        "hospitals": hospital_rows,
        "units": unit_rows,
        "bed_movements": movement_rows,
        "coverage_history": coverage_rows,
        "births": birth_rows,
        "capacity_events": event_rows,
    }
    arrow_types = {
        "BIGINT": pa.int64(),
        "INTEGER": pa.int32(),
        "VARCHAR": pa.string(),
        "DATE": pa.date32(),
        "DOUBLE": pa.float64(),
        "DECIMAL(12,2)": pa.decimal128(12, 2),
        "TIMESTAMP": pa.timestamp("s"),
        "BOOLEAN": pa.bool_(),
    }
    out = {}
    for table in RAW_TABLES:
        columns = {}
        for column in RAW_COLUMNS[table]:
            values = data[table][column.name]
            if column.sql_type.startswith("DECIMAL"):
                from decimal import Decimal

                values = [None if v is None else Decimal(f"{v:.2f}") for v in values]
            assert column.nullable or None not in values, (table, column.name)
            columns[column.name] = pa.array(values, arrow_types[column.sql_type])
        out[table] = pa.table(columns)
    return out


def write_raw(
    out: Path,
    *,
    patients: int = 40,
    doctors: int = 6,
    stays: int = 90,
    seed: int = 1,
    fmt: str = "csv",
    **window: Any,
) -> dict[str, int]:
    """Generate the raw files under ``out`` with ``hospital generate`` (csv, parquet or both; ``window``: start
    and end, default the settings'); rows per table."""
    from hospital_analytics.simulation import generate

    generate(
        output_dir=out, patients=patients, doctors=doctors, hospitalizations=stays, seed=seed, raw_format=fmt, **window
    )
    return json.loads(OutputLayout(out).manifest.read_text(encoding="utf-8"))["rows"]


def certify(data_dir: Path) -> None:
    """Write ``data/manifest.json`` for the raw files under ``data_dir`` as they are (rows and bytes per file),
    as generate does for its own: files written by hand then load like generated ones."""
    files = {}
    for folder, suffix in (("csv", ".csv"), ("parquet", ".parquet")):
        for path in sorted((data_dir / folder).glob(f"*{suffix}")):
            if suffix == ".csv":
                rows = path.read_bytes().count(b"\n") - 1
            else:
                rows = pq.ParquetFile(path).metadata.num_rows
            files[f"{folder}/{path.name}"] = {"rows": rows, "bytes": path.stat().st_size}
    manifest = {"generator": "tests (by hand)", "files": files}
    (data_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def write_handmade(
    out: Path, *, patients: int = 40, doctors: int = 6, stays: int = 90, seed: int = 1, fmt: str = "csv"
) -> dict[str, int]:
    """Write every raw file by hand (no manifest): names with commas and apostrophes, a description with
    doubled quotes, nulls where the schema allows them; return rows per table."""
    layout = OutputLayout(out)
    tables = _tables(patients, doctors, stays, seed)
    for table, data in tables.items():
        if fmt in ("csv", "both"):
            layout.csv_dir.mkdir(parents=True, exist_ok=True)
            pacsv.write_csv(data, layout.csv(table), pacsv.WriteOptions(quoting_style="needed"))
        if fmt in ("parquet", "both"):
            layout.parquet_dir.mkdir(parents=True, exist_ok=True)
            pq.write_table(data, layout.parquet(table))
    certify(layout.data_dir)
    return {table: data.num_rows for table, data in tables.items()}


# --- corruptions: each returns a description; the table they hit is named by the caller ---------------
def corrupt_bad_date(path: Path) -> None:
    """An impossible date on the second data row."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = [name.strip('"') for name in lines[0].rstrip("\n").split(",")]
    date_columns = [i for i, name in enumerate(header) if name.endswith("_date")]
    assert date_columns, f"{path} has no date column"
    fields = lines[2].rstrip("\n").split(",")
    fields[date_columns[0]] = "2024-13-45"
    lines[2] = ",".join(fields) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def corrupt_missing_column(path: Path) -> None:
    """The last column dropped from the header and every row."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("".join(line.rsplit(",", 1)[0] + "\n" for line in lines), encoding="utf-8")


def corrupt_short_row(path: Path) -> None:
    """One data row lacks its last field (the header is fine)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].rstrip("\n").rsplit(",", 1)[0] + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def corrupt_truncated(path: Path) -> None:
    """The file cut in the middle of its last line."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 7])


CORRUPTIONS = {
    "bad date": corrupt_bad_date,
    "missing column": corrupt_missing_column,
    "short row": corrupt_short_row,
    "truncated last line": corrupt_truncated,
}


def corrupt_field(path: Path, line: int, field: int, value: str) -> None:
    """Put ``value`` into one field of one line (fields before it must not hold commas)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[line].rstrip("\n").split(",")
    fields[field] = value
    lines[line] = ",".join(fields) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
