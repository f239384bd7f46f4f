"""The ``hospital load`` step: the generated files into the warehouse's RAW schema, all four tables or none."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import uuid
from pathlib import Path
from typing import Any

from hospital_analytics.config import Settings, resolve_settings
from hospital_analytics.progress import SILENT, Collector
from hospital_analytics.results import StepResult, human_size
from hospital_analytics.warehouse import make_warehouse
from hospital_analytics.warehouse.common import TableStats
from hospital_analytics.warehouse.feed import FeedLoad, FeedStats, find_partitions, simulation_of
from hospital_analytics.warehouse.sources import find_sources

__all__ = ["DEFECTS_FILE", "LoadResult", "load"]

DEFECTS_FILE = "defects.csv"  # the ground-truth ledger of injected defects, in data/


@dataclasses.dataclass
class LoadResult(StepResult):
    """What ``load`` did: rows, bytes and seconds per table, where the data went."""

    warehouse: str = ""
    database: str = ""
    schema: str = ""
    source_format: str = ""
    source_dir: Path | None = None
    tables: dict[str, TableStats] = dataclasses.field(default_factory=dict)
    feed: dict[str, FeedStats] = dataclasses.field(default_factory=dict)  # the daily feed's tables
    feed_restarted: str | None = None  # the earlier simulation, when a new one restarted the feed

    @property
    def feed_partitions_new(self) -> int:
        return sum(f.partitions_new + f.partitions_replaced for f in self.feed.values())

    @property
    def feed_rows_new(self) -> int:
        return sum(f.rows_new for f in self.feed.values())

    @property
    def feed_partitions_skipped(self) -> int:
        return sum(f.partitions_skipped for f in self.feed.values())

    def feed_text(self) -> str:
        """The feed's line of the summary: new partitions and rows, partitions skipped (loaded before)."""
        replaced = sum(f.partitions_replaced for f in self.feed.values())
        return (
            f"{self.feed_partitions_new:,} new partitions ({self.feed_rows_new:,} rows"
            + (f", {replaced:,} changed partitions reloaded" if replaced else "")
            + f"), {self.feed_partitions_skipped:,} skipped (loaded before)"
            + (f"; feed restarted: {self.feed_restarted}" if self.feed_restarted else "")
        )

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
        data.update(
            feed_partitions_new=self.feed_partitions_new,
            feed_rows_new=self.feed_rows_new,
            feed_partitions_skipped=self.feed_partitions_skipped,
        )
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
        if self.feed:
            rows.append(("feed", self.feed_text()))
        rows.append(("bytes staged" if self.warehouse == "snowflake" else "bytes read", human_size(self.bytes_staged)))
        return rows

    def outcome(self) -> str:
        text = f"{self.rows:,} rows into {self.warehouse}"
        if self.feed:
            text += f"; feed: {self.feed_partitions_new:,} new partitions, {self.feed_rows_new:,} rows"
        return text


def load(
    settings: Settings | None = None,
    *,
    progress: Collector = SILENT,
    allow_edited: bool = False,
    reload_changed: bool = False,
    **overrides: Any,
) -> LoadResult:
    """Load the generated files into the warehouse's RAW schema: the tables replaced, the feed appended, atomically.

    Reads ``data/csv/*.csv`` (or ``data/parquet/*.parquet``; see ``sources.py`` for the choice) under the
    output folder, checks every file (header, complete last line, row count) before any SQL runs, then
    replaces ``patients``, ``doctors``, ``hospitalizations`` and ``admissions_by_month`` in one
    transaction. Each table's loaded row count must equal its file's; otherwise nothing changes.

    The daily feed (``data/feed/<table>/date=YYYY-MM-DD/``, docs/design/feed.md) is appended, in the same
    transaction: only the partitions the ledger ``raw.feed_load_ledger`` has not recorded yet, each recorded
    there (file, rows, checksum); loading again never duplicates a row. A folder generated anew (another
    seed, start or size: ``feed.simulation_of``) restarts the feed: its tables and ledger are replaced.

    Args:
        settings: the settings (default: from the environment and .env).
        progress: receives one counter per table (total = the file's rows).
        allow_edited: load files that ``data/manifest.json`` does not describe (edited, or written by hand);
            without it such a set is refused, as it may be incomplete or mixed. The feed is then replaced by
            the folder's partitions as they are (not appended: nothing says they continue what was loaded).
        reload_changed: a feed partition whose file changed since it was loaded has its rows deleted and is
            loaded again (without it, such a partition is refused and nothing is loaded).
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
    sources = find_sources(s.layout, s.raw_format, s.warehouse, allow_edited=allow_edited)
    run_id = f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}_{uuid.uuid4().hex[:8]}"
    manifest = s.layout.read_manifest() or {}
    raw_text = manifest.get("raw_text") is True  # data with defects (docs/design/defects.md): all text
    feed = FeedLoad(
        find_partitions(s.layout, s.raw_format, s.warehouse),
        reload_changed=reload_changed,
        run_id=run_id,
        simulation=simulation_of(manifest),
        replace_all=allow_edited,
    )
    with warehouse:
        warehouse.ensure_database_and_schemas()
        stats = warehouse.load_tables(
            sources, progress, feed, raw_text=raw_text, defects=s.layout.data_dir / DEFECTS_FILE if raw_text else None
        )
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
        feed=feed.stats,
        feed_restarted=feed.restarted,
    )
