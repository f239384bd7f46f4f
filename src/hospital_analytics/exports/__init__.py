"""``export``: the marts (and ``fct_hospitalizations``) from the warehouse to files, plus the Tableau dashboard.

    export/
        csv/<table>.csv.gz             every mart, gzip CSV (header row, ISO dates)
        parquet/<table>.parquet        every mart, Parquet (zstd)
        hyper/<table>.hyper            every mart, Tableau Hyper extract, table "Extract"."Extract" (pantab)
        hospital_dashboard.twb         the dashboard, reading its data by relative path
        hospital_dashboard.twbx        the dashboard packaged with its data (one file to share)

The dashboard reads ``hyper/fct_hospitalizations.hyper`` when this run writes Hyper extracts, else a plain
``csv/fct_hospitalizations.csv`` (Tableau cannot read gzip). Rows stream from the warehouse (see
``writers``), so memory stays bounded at any size; every file is written under a temporary name and renamed.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hospital_analytics.config import Settings, resolve_settings
from hospital_analytics.errors import ConfigError, StepOrderError, WarehouseError
from hospital_analytics.exports import fanout, writers
from hospital_analytics.fsutil import ensure_writable_dir, remove_stale_temporaries
from hospital_analytics.layout import MARTS
from hospital_analytics.progress import SILENT, Collector
from hospital_analytics.project import dashboard_spec, uses_project
from hospital_analytics.results import StepResult, human_size

FORMATS = ("csv", "parquet", "hyper")
FORMAT_CHOICES = (*FORMATS, "all")
DASHBOARD_TABLE = "fct_hospitalizations"
_SUFFIX = {"csv": ".csv.gz", "parquet": ".parquet", "hyper": ".hyper"}

__all__ = ["DASHBOARD_TABLE", "FORMATS", "ExportResult", "ExportedFile", "export", "export_path"]


@dataclasses.dataclass
class ExportedFile:
    """One file ``export`` wrote."""

    table: str  # the mart, or the workbook's name
    format: str  # csv, parquet, hyper, dashboard-csv (plain CSV the CSV dashboard reads), twb or twbx
    path: Path
    rows: int | None  # data rows (None for the workbooks)
    bytes: int


@dataclasses.dataclass
class ExportResult(StepResult):
    """What ``export`` wrote: every file with its rows and size, the workbooks and what was skipped."""

    warehouse: str = "duckdb"
    export_dir: Path | None = None
    formats: list[str] = dataclasses.field(default_factory=list)
    files: list[ExportedFile] = dataclasses.field(default_factory=list)
    workbook: Path | None = None
    packaged_workbook: Path | None = None
    dashboard_data: str | None = None  # "hyper" or "csv"
    dashboard_spec: str = ""  # the spec the workbook was written from and why that one (project.Source.label)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def rows(self) -> dict[str, int]:
        """Rows per exported table."""
        return {f.table: f.rows for f in self.files if f.rows is not None and f.format in FORMATS}

    @property
    def total_bytes(self) -> int:
        return sum(f.bytes for f in self.files)

    def summary_rows(self) -> list[tuple[str, str]]:
        out = [
            ("warehouse", self.warehouse),
            ("export folder", str(self.export_dir)),
            ("formats", ", ".join(self.formats) or "none"),
            ("tables", f"{len(self.rows)} ({sum(self.rows.values()):,} rows)"),
            ("files", f"{len(self.files)} ({human_size(self.total_bytes)})"),
        ]
        if self.packaged_workbook is not None:
            out.append(("dashboard", f"{self.packaged_workbook.name} (data: {self.dashboard_data})"))
        if self.dashboard_spec:
            out.append(("dashboard spec", self.dashboard_spec))
        out += [("note", note) for note in self.notes]
        return out

    def outcome(self) -> str:
        return f"{len(self.files)} files in {self.export_dir}"


def export_path(export_dir: Path, table: str, fmt: str) -> Path:
    """Where ``table`` goes in format ``fmt`` (csv, parquet or hyper) under ``export_dir``.

    Args:
        export_dir: the export folder (``settings.layout.export_dir``).
        table: a mart's name, e.g. ``"kpis"``.
        fmt: ``"csv"``, ``"parquet"`` or ``"hyper"``.

    Returns:
        Path: ``<export_dir>/<fmt>/<table>.csv.gz`` (or ``.parquet``, ``.hyper``); nothing is created.

    Raises:
        KeyError: ``fmt`` is not one of ``FORMATS``.
    """
    return Path(export_dir) / fmt / f"{table}{_SUFFIX[fmt]}"


def _requested(formats: str | Iterable[str] | None, settings: Settings) -> tuple[list[str], bool]:
    """(formats asked for, whether "all" was asked) in a fixed order."""
    given = settings.export_format if formats is None else formats
    names = [given] if isinstance(given, str) else list(given)
    names = [str(n).strip().lower() for n in names]
    unknown = [n for n in names if n not in FORMAT_CHOICES]
    if unknown or not names:
        raise ConfigError(
            f"Invalid --format / HOSPITAL_EXPORT_FORMAT (got {', '.join(unknown) or 'nothing'!r}): "
            f"choose one of {', '.join(FORMAT_CHOICES)}.",
            "Example: `hospital export --format parquet`.",
        )
    everything = "all" in names
    chosen = set(FORMATS) if everything else set(names)
    return [f for f in FORMATS if f in chosen], everything


def _export_schema(wh: Any, schema_name: str, table: str) -> Any:
    """The export types of a mart's columns; ``StepOrderError`` when the mart is not there yet.

    One row, not none: Snowflake's connector types an empty result from metadata alone and loses the
    scale of NUMBER(p,s) columns there, while a row carries the types every batch will have.
    """
    try:
        probe = wh.query_arrow(f"SELECT * FROM {wh.qualified(schema_name, table)} LIMIT 1")
    except WarehouseError:
        if not wh.table_exists(schema_name, table):
            raise StepOrderError(
                f"The mart {schema_name}.{table} is not in the {wh.describe()} yet.",
                "Run `hospital transform` first (or `hospital run-all`).",
            ) from None
        raise
    return writers.export_schema(probe.schema)


@uses_project
def export(
    settings: Settings | None = None,
    *,
    formats: str | Iterable[str] | None = None,
    progress: Collector = SILENT,
    **overrides: Any,
) -> ExportResult:
    """Export every mart and ``fct_hospitalizations`` to files, and write the Tableau dashboard.

    Writes ``.csv.gz``, Parquet and Tableau ``.hyper`` files under ``<output>/export/`` (one folder per
    format), then ``hospital_dashboard.twb`` beside them and the packaged ``hospital_dashboard.twbx``.
    Rows stream from the warehouse (Arrow batches, or the engine's own writer where it has one: DuckDB's
    Parquet), so memory stays bounded at any size.

    Args:
        settings: the settings to run with (default: environment, ``.env``).
        formats: ``"csv"``, ``"parquet"``, ``"hyper"``, ``"all"`` or a list of them (default:
            ``settings.export_format``). With ``"all"`` and pantab missing, Hyper is skipped (see ``notes``).
        progress: receives one "export" counter, advanced per file written.
        **overrides: any ``Settings`` field, e.g. ``output_dir=...``, ``warehouse="snowflake"``.

    Returns:
        ExportResult: every file with its rows and bytes, the workbooks, and notes on what was skipped.

    Raises:
        ConfigError: an unknown format, or Hyper asked for explicitly without pantab installed.
        StepOrderError: the marts are not in the warehouse yet (run ``transform`` first).
        WarehouseError: the warehouse cannot be reached or a query failed.
        ExportError: a file could not be written (nothing is left half-written).
    """
    began = time.perf_counter()
    settings = resolve_settings(settings, **overrides)
    chosen, everything = _requested(formats, settings)
    notes: list[str] = []
    if "hyper" in chosen and not writers.pantab_available():
        if not everything:
            raise writers.missing_pantab_error()
        chosen.remove("hyper")
        notes.append(f"Hyper skipped: pantab is not installed ({writers.TABLEAU_EXTRA_HINT}); the dashboard reads CSV.")

    from hospital_analytics import tableau
    from hospital_analytics.warehouse import open_warehouse

    spec_source = dashboard_spec(settings)
    spec = tableau.load_spec(spec_source.path)  # fail early on a broken spec, before any file is written
    export_dir = settings.layout.export_dir
    result = ExportResult(
        step="export",
        seconds=0.0,
        warehouse=settings.warehouse,
        export_dir=export_dir,
        formats=list(chosen),
        dashboard_spec=spec_source.label,
        notes=notes,
    )
    with open_warehouse(settings, read_only=True) as wh:  # the warehouse must exist: StepOrderError
        wh.prepare_export()  # exports are sorted (same marts, same bytes)
        schema_name = settings.analytics_schema
        schemas = {table: _export_schema(wh, schema_name, table) for table in MARTS}  # all there, before writing
        ensure_writable_dir(export_dir, "export folder")
        for fmt in chosen:
            ensure_writable_dir(export_dir / fmt, "export folder")
            remove_stale_temporaries(export_dir / fmt)
        remove_stale_temporaries(export_dir)
        dashboard_csv = "hyper" not in chosen
        task = "export"
        progress.update(task, 0, total=len(MARTS) * len(chosen) + (1 if dashboard_csv else 0) + 2)
        for table in MARTS:
            qualified = wh.qualified(schema_name, table)
            schema = schemas[table]
            targets = [fanout.Target(fmt, export_path(export_dir, table, fmt)) for fmt in chosen]
            if table == DASHBOARD_TABLE and dashboard_csv:
                ensure_writable_dir(export_dir / "csv", "export folder")
                targets.append(fanout.Target("dashboard-csv", export_dir / "csv" / f"{table}.csv"))
            written = fanout.write_table(wh, wh.export_reads(qualified, schema), schema, targets)
            for target in targets:
                w = written[target.format]
                result.files.append(ExportedFile(table, target.format, w.path, w.rows, w.bytes))
                progress.update(task)

    kind = "csv" if dashboard_csv else "hyper"
    relpath = f"csv/{DASHBOARD_TABLE}.csv" if dashboard_csv else f"hyper/{DASHBOARD_TABLE}.hyper"
    data = tableau.WorkbookData.from_schema(kind, relpath, schemas[DASHBOARD_TABLE])
    books = tableau.write_workbooks(export_dir, data, spec)
    for path, fmt in ((books.twb, "twb"), (books.twbx, "twbx")):
        result.files.append(ExportedFile(spec["workbook"], fmt, path, None, path.stat().st_size))
        progress.update(task)
    result.workbook, result.packaged_workbook, result.dashboard_data = books.twb, books.twbx, kind
    result.seconds = time.perf_counter() - began
    return result
