"""Where every step reads and writes: file names, table names and folders, named in one place."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

# Raw tables: generated as files, loaded into the RAW schema under the same names (columns: schema.py).
# The original project's four, then the living hospital's (issue 13).
RAW_TABLES: tuple[str, ...] = (
    "patients",
    "doctors",
    "hospitalizations",
    "admissions_by_month",
    "hospitals",
    "units",
    "bed_movements",
    "coverage_history",
    "births",
    "capacity_events",
)

# dbt marts built in the ANALYTICS schema (the ones analyze and export read).
MARTS: tuple[str, ...] = (
    "patients_demographics",
    "patients_admissions_by_month",
    "patients_hospitalizations",
    "fct_hospitalizations",
    "fct_readmissions",
    "readmission_rate_by_month",
    "length_of_stay_by_diagnosis",
    "doctor_workload",
    "daily_census",
    "kpis",
    "occupancy_daily",
    "discharge_dispositions",
    "admissions_by_weekday",
)

# dbt marts only the interactive dashboard reads (analyze's dashboard.html; not exported).
DASHBOARD_MARTS: tuple[str, ...] = ("dashboard_segments", "dashboard_facets", "dashboard_patient_months")

DUCKDB_FILE = "hospital.duckdb"


class OutputLayout:
    """Paths under the output folder (``--out`` / ``HOSPITAL_OUTPUT_DIR``)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def csv_dir(self) -> Path:
        return self.data_dir / "csv"

    @property
    def parquet_dir(self) -> Path:
        return self.data_dir / "parquet"

    def csv(self, table: str) -> Path:
        return self.csv_dir / f"{table}.csv"

    def parquet(self, table: str) -> Path:
        return self.parquet_dir / f"{table}.parquet"

    @property
    def manifest(self) -> Path:
        """JSON written by generate: seed, window, counts, when; read by later steps for provenance."""
        return self.data_dir / "manifest.json"

    def read_manifest(self) -> dict[str, Any] | None:
        """generate's ``data/manifest.json``, or None when it is missing, unreadable or not a JSON object."""
        try:
            data = json.loads(self.manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    @property
    def duckdb(self) -> Path:
        return self.root / DUCKDB_FILE

    @property
    def dbt_dir(self) -> Path:
        return self.root / "dbt"

    @property
    def dbt_target_dir(self) -> Path:
        return self.dbt_dir / "target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.dbt_dir / "logs"

    @property
    def docs_html(self) -> Path:
        return self.root / "docs" / "index.html"

    @property
    def charts_dir(self) -> Path:
        return self.root / "charts"

    @property
    def report(self) -> Path:
        return self.root / "report.html"

    @property
    def dashboard(self) -> Path:
        """The interactive dashboard analyze writes: one self-contained HTML file."""
        return self.root / "dashboard.html"

    @property
    def export_dir(self) -> Path:
        return self.root / "export"


def dbt_project_dir() -> Path:
    """The dbt project: inside the installed package (wheel), else the repository's top-level folder."""
    packaged = Path(str(resources.files("hospital_analytics"))) / "dbt_project"
    if (packaged / "dbt_project.yml").is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "dbt_project"


def tableau_source_dir() -> Path:
    """The Tableau dashboard's source folder: inside the installed package, else the repository's."""
    packaged = Path(str(resources.files("hospital_analytics"))) / "tableau"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "tableau"
