"""Helpers for the load tests: raw files in an output folder (from the real generator, or hand-made with
awkward quoting), and ways to corrupt them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

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


def _tables(patients: int, doctors: int, stays: int, seed: int) -> dict[str, pa.Table]:
    """A small, valid raw data set (deterministic for a seed) with the schema's columns and types."""
    import random

    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    patient_rows = {
        "patient_id": list(range(1, patients + 1)),
        "first_name": [f"Pat{i}" for i in range(1, patients + 1)],
        "last_name": ["O'Neil, Jr" if i % 7 == 0 else f"Doe{i}" for i in range(1, patients + 1)],
        "gender": [rng.choice("FM") for _ in range(patients)],
        "birth_date": [dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(30000)) for _ in range(patients)],
        "city": ["Springfield"] * patients,
        "state": [rng.choice(["IL", "OH", "TX"]) for _ in range(patients)],
        "insurance": [rng.choice(["Medicare", "Medicaid", "Private", "Self-pay"]) for _ in range(patients)],
    }
    doctor_rows = {
        "doctor_id": list(range(1, doctors + 1)),
        "first_name": [f"Doc{i}" for i in range(1, doctors + 1)],
        "last_name": [f"Smith{i}" for i in range(1, doctors + 1)],
        "gender": [rng.choice("FM") for _ in range(doctors)],
        "specialty": [rng.choice(["Cardiology", "General Surgery"]) for _ in range(doctors)],
        "department": ["Medicine"] * doctors,
    }
    admissions = sorted(start + dt.timedelta(days=rng.randrange(365)) for _ in range(stays))
    los = [rng.randrange(0, 12) for _ in range(stays)]
    diagnoses = [rng.choice(DIAGNOSES) for _ in range(stays)]
    stay_rows = {
        "hospitalization_id": list(range(1, stays + 1)),
        "patient_id": [rng.randrange(1, patients + 1) for _ in range(stays)],
        "doctor_id": [rng.randrange(1, doctors + 1) for _ in range(stays)],
        "admission_date": admissions,
        "discharge_date": [a + dt.timedelta(days=n) for a, n in zip(admissions, los, strict=True)],
        "length_of_stay_days": los,
        "admission_type": [rng.choice(["Emergency", "Urgent", "Elective"]) for _ in range(stays)],
        "stay_type": [rng.choice(["Medical", "Surgical"]) for _ in range(stays)],
        "diagnosis_code": [d[0] for d in diagnoses],
        "diagnosis_description": [d[1] for d in diagnoses],
        "diagnosis_category": [d[2] for d in diagnoses],
        "discharge_disposition": [rng.choice(["Home", "Skilled nursing"]) for _ in range(stays)],
        "total_charges": [round(rng.uniform(500, 90000), 2) for _ in range(stays)],
    }
    months: dict[str, list[int]] = {}
    for a, n in zip(admissions, los, strict=True):
        months.setdefault(a.strftime("%Y-%m"), []).append(n)
    month_rows = {
        "month": sorted(months),
        "admissions": [len(months[m]) for m in sorted(months)],
        "distinct_patients": [len(months[m]) for m in sorted(months)],
        "total_length_of_stay_days": [sum(months[m]) for m in sorted(months)],
        "average_length_of_stay_days": [round(sum(months[m]) / len(months[m]), 2) for m in sorted(months)],
    }
    data = {
        "patients": patient_rows,
        "doctors": doctor_rows,
        "hospitalizations": stay_rows,
        "admissions_by_month": month_rows,
    }
    arrow_types = {
        "BIGINT": pa.int64(),
        "INTEGER": pa.int32(),
        "VARCHAR": pa.string(),
        "DATE": pa.date32(),
        "DOUBLE": pa.float64(),
        "DECIMAL(12,2)": pa.decimal128(12, 2),
    }
    out = {}
    for table in RAW_TABLES:
        columns = {}
        for column in RAW_COLUMNS[table]:
            values = data[table][column.name]
            if column.sql_type.startswith("DECIMAL"):
                from decimal import Decimal

                values = [Decimal(f"{v:.2f}") for v in values]
            columns[column.name] = pa.array(values, arrow_types[column.sql_type])
        out[table] = pa.table(columns)
    return out


def write_raw(
    out: Path, *, patients: int = 40, doctors: int = 6, stays: int = 90, seed: int = 1, fmt: str = "csv"
) -> dict[str, int]:
    """Generate the four raw files under ``out`` with ``hospital generate`` (csv, parquet or both); rows per table."""
    from hospital_analytics.synth import generate

    generate(output_dir=out, patients=patients, doctors=doctors, hospitalizations=stays, seed=seed, raw_format=fmt)
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
    """Write four raw files by hand (no manifest): names with commas and apostrophes, a description with
    doubled quotes; return rows per table."""
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
