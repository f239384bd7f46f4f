"""Warehouses: ``open_warehouse(settings)`` for any step that reads or writes tables, and ``load`` (the
``hospital load`` step) that puts the generated files into the RAW schema.

    from hospital_analytics.warehouse import open_warehouse
    with open_warehouse(settings) as wh:
        kpis = wh.query_df(f"select * from {wh.qualified(wh.analytics_schema, 'kpis')}")

DuckDB (``HOSPITAL_WAREHOUSE=duckdb``, the default) is a file in the output folder; Snowflake
(``HOSPITAL_WAREHOUSE=snowflake``) is reached with ``snowflake-connector-python``. Both implement
``Warehouse`` (base.py) and answer with lower-case column names.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from hospital_analytics.config import Settings, resolve_settings
from hospital_analytics.errors import ConfigError
from hospital_analytics.progress import NULL_PROGRESS, Progress
from hospital_analytics.results import StepResult, human_size
from hospital_analytics.warehouse.base import Warehouse
from hospital_analytics.warehouse.common import TableStats
from hospital_analytics.warehouse.sources import SourceFile, find_sources

__all__ = ["LoadResult", "SourceFile", "TableStats", "Warehouse", "load", "make_warehouse", "open_warehouse"]


def make_warehouse(settings: Settings, *, read_only: bool = False) -> Warehouse:
    """The configured warehouse, not yet connected. Identifiers are checked here, before any SQL.

    Args:
        settings: the settings naming the warehouse and its identifiers.
        read_only: DuckDB only: open the file read-only when connecting (several readers may share it).

    Returns:
        A ``Warehouse`` (DuckDB or Snowflake); call ``connect()`` or use it as a context manager.

    Raises:
        ConfigError: an identifier setting is invalid, or the warehouse name is unknown.
    """
    if settings.warehouse == "duckdb":
        from hospital_analytics.warehouse.duckdb import DuckDBWarehouse

        return DuckDBWarehouse(settings, read_only=read_only)
    if settings.warehouse == "snowflake":
        from hospital_analytics.warehouse.snowflake import SnowflakeWarehouse

        return SnowflakeWarehouse(settings)
    raise ConfigError(f"Unknown warehouse {settings.warehouse!r}.", "Use --warehouse duckdb or --warehouse snowflake.")


def open_warehouse(settings: Settings | None = None, *, read_only: bool = False, **overrides: Any) -> Warehouse:
    """A connected warehouse for ``settings`` (use it as a context manager to close it).

    Args:
        settings: the settings (default: from the environment and .env).
        read_only: DuckDB only: open the file read-only, so several readers can share it; the file must exist.
        **overrides: setting overrides, as for every step (e.g. ``warehouse="snowflake"``).

    Returns:
        A connected ``Warehouse``.

    Raises:
        ConfigError: a setting is missing or invalid (named in the message).
        StepOrderError: ``read_only`` and the DuckDB file does not exist yet.
        WarehouseError: the connection failed (unreachable, file locked by another process, ...).
    """
    s = resolve_settings(settings, **overrides)
    warehouse = make_warehouse(s, read_only=read_only)
    warehouse.connect()
    return warehouse


@dataclasses.dataclass
class LoadResult(StepResult):
    """What ``load`` did: rows, bytes and seconds per table, where the data went."""

    warehouse: str = ""
    database: str = ""
    schema: str = ""
    source_format: str = ""
    source_dir: Path | None = None
    tables: dict[str, TableStats] = dataclasses.field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables.values())

    @property
    def bytes_staged(self) -> int:
        return sum(t.bytes_staged for t in self.tables.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(rows=self.rows, bytes_staged=self.bytes_staged, rows_per_second=round(self.rows_per_second))
        return data

    def summary_rows(self) -> list[tuple[str, str]]:
        rows = [
            ("warehouse", self.warehouse),
            ("database", self.database),
            ("schema", self.schema),
            ("source", f"{self.source_format} in {self.source_dir}"),
        ]
        rows.append(("tables", ", ".join(f"{name} {t.rows:,}" for name, t in self.tables.items())))
        rows.append(("rows", f"{self.rows:,} ({self.rows_per_second:,.0f} rows/s)"))
        rows.append(("bytes staged" if self.warehouse == "snowflake" else "bytes read", human_size(self.bytes_staged)))
        return rows


def load(settings: Settings | None = None, *, progress: Progress = NULL_PROGRESS, **overrides: Any) -> LoadResult:
    """Load the generated files into the warehouse's RAW schema, replacing the four tables atomically.

    Reads ``data/csv/*.csv`` (or ``data/parquet/*.parquet``; see ``sources.py`` for the choice) under the
    output folder, checks every file (header, complete last line, row count) before any SQL runs, then
    replaces ``patients``, ``doctors``, ``hospitalizations`` and ``admissions_by_month`` in one
    transaction. Each table's loaded row count must equal its file's; otherwise nothing changes.

    Args:
        settings: the settings (default: from the environment and .env).
        progress: receives one task per table (total = the file's rows).
        **overrides: setting overrides, e.g. ``output_dir="out"``, ``warehouse="snowflake"``.

    Returns:
        LoadResult: rows, bytes and seconds per table; warehouse, database and schema.

    Raises:
        ConfigError: a setting is missing or invalid (an identifier such as ``x; drop table y`` included).
        StepOrderError: the files are not there: run ``hospital generate`` first.
        LoadError: a file is corrupt or a count differs; the previous tables are left as they were.
        WarehouseError: the warehouse cannot be reached or opened (e.g. the DuckDB file is locked).
    """
    s = resolve_settings(settings, **overrides)
    started = time.perf_counter()
    warehouse = make_warehouse(s)  # identifiers checked before anything else
    sources = find_sources(s.layout, s.format, s.warehouse)
    with warehouse:
        warehouse.ensure_database_and_schemas()
        stats = warehouse.load_tables(sources, progress)
    first = next(iter(sources.values()))
    return LoadResult(
        step="load",
        seconds=time.perf_counter() - started,
        warehouse=s.warehouse,
        database=warehouse.database,
        schema=warehouse.raw_schema,
        source_format=first.format,
        source_dir=first.path.parent,
        tables=stats,
    )
