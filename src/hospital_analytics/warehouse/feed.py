"""The daily feed's partitions as ``load`` sees them, and the load ledger's rules (docs/design/feed.md).

Generate and advance write one partition per simulated day and feed table,
``data/feed/<table>/date=YYYY-MM-DD/<table>_YYYY-MM-DD.{csv,parquet}``. ``find_partitions`` lists them (the
format chosen as for the snapshot tables, ``sources.format_order``), checks each (header, complete last
line, Parquet columns), counts its rows and takes its SHA-256. ``plan`` compares them with the ledger
(``raw.feed_load_ledger``, one row per loaded partition file) and says which partitions are new (to append),
which were loaded already (skipped) and which changed since (refused, or reloaded with ``reload_changed``).
Both warehouses run the same plan inside their load transaction; only the SQL differs (``duckdb.py``,
``snowflake/feed_load.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from hospital_analytics.errors import LoadError
from hospital_analytics.layout import OutputLayout
from hospital_analytics.schema import FEED_COLUMNS, Column, load_columns
from hospital_analytics.warehouse.sources import Format, _check_csv_feed, _check_parquet_columns, format_order

FEED_TABLES: tuple[str, ...] = tuple(FEED_COLUMNS)
LEDGER_TABLE = "feed_load_ledger"
# One row: which simulation the loaded feed belongs to (``simulation_id``); a new one restarts the feed.
SIMULATION_TABLE = "feed_load_simulation"
SIMULATION_COLUMNS: tuple[Column, ...] = (
    Column("simulation_id", "VARCHAR", "The simulation the loaded feed comes from (seed, start, shape; not its end)."),
    Column("described", "VARCHAR", "The same, for people."),
    Column("loaded_at", "TIMESTAMP", "When the feed was started from it (UTC)."),
)
SOURCE_FILE_COLUMN = "_source_file"  # the partition file (relative to data/feed) each feed row came from
LOADED_AT_COLUMN = "_loaded_at"

# The ledger's columns (warehouse-neutral types, as schema.py's).
LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("table_name", "VARCHAR", "The feed table (encounter_events or patient_events)."),
    Column("partition_date", "DATE", "The partition's day (the day its events were recorded)."),
    Column("file_name", "VARCHAR", "The partition file, relative to data/feed."),
    Column("rows", "BIGINT", "Rows loaded from it."),
    Column("checksum", "VARCHAR", "SHA-256 of the file's bytes when it was loaded."),
    Column("loaded_at", "TIMESTAMP", "When it was loaded (UTC)."),
    Column("run_id", "VARCHAR", "The load run that loaded it."),
)

_PARTITION = re.compile(r"date=(\d{4}-\d{2}-\d{2})")
RELOAD_HINT = (
    "Regenerate the folder (partitions never change once written), or replace the partition's rows with "
    "`hospital load --reload-changed`."
)


def feed_columns(table: str, raw_text: bool = False) -> tuple[Column, ...]:
    """A feed table's columns in the warehouse: the file's (all text with ``raw_text``), then the partition file
    each row came from."""
    return (
        *load_columns(FEED_COLUMNS[table], raw_text),
        Column(SOURCE_FILE_COLUMN, "VARCHAR", "The partition file the row was loaded from, relative to data/feed."),
    )


@dataclasses.dataclass(frozen=True)
class Partition:
    """One feed partition file, checked and counted."""

    table: str
    day: dt.date
    path: Path
    format: Format
    rows: int
    bytes: int
    checksum: str
    file_name: str  # relative to data/feed, with forward slashes: <table>/date=YYYY-MM-DD/<file>


@dataclasses.dataclass
class FeedPlan:
    """What a load does with the feed: partitions to append, partitions skipped, partitions replaced."""

    new: list[Partition] = dataclasses.field(default_factory=list)
    skipped: list[Partition] = dataclasses.field(default_factory=list)
    replaced: list[Partition] = dataclasses.field(default_factory=list)  # changed, reloaded (--reload-changed)

    @property
    def to_load(self) -> list[Partition]:
        return [*self.replaced, *self.new]


@dataclasses.dataclass
class FeedStats:
    """What loading the feed did, per table: partitions and rows new, partitions skipped."""

    table: str
    partitions_new: int = 0
    rows_new: int = 0
    partitions_skipped: int = 0
    partitions_replaced: int = 0
    rows_total: int = 0  # rows in the warehouse table afterwards
    seconds: float = 0.0


# The dbt relations built from the feed that keep rows between builds (incremental models, snapshots). A load
# that restarts the feed (a new simulation) empties them in its transaction, so the next transform builds them
# from the new events only (their incremental filter starts from the beginning on an empty table).
FEED_DERIVED: tuple[str, ...] = (
    "fct_encounter_events",
    "fct_adt_daily",
    "fct_encounters",
    "snap_patient_address",
    "snap_patient_coverage",
)


def feed_dir(layout: OutputLayout) -> Path:
    return layout.data_dir / "feed"


def find_partitions(layout: OutputLayout, preferred: str = "csv", warehouse: str = "duckdb") -> list[Partition]:
    """Every feed partition file under ``data/feed``, checked, counted and checksummed, by (table, day).

    A day's partition is taken in the first format of ``format_order`` that it exists in. No ``data/feed``
    folder (data generated before the feed existed): no partitions.

    Raises:
        LoadError: a partition file is unusable (header, truncated last line, Parquet columns).
    """
    root = feed_dir(layout)
    found: list[Partition] = []
    order = format_order(preferred, warehouse)
    for table in FEED_TABLES:
        folder = root / table
        if not folder.is_dir():
            continue
        days: dict[dt.date, Path] = {}
        for part in sorted(folder.iterdir()):
            match = _PARTITION.fullmatch(part.name)
            if not match or not part.is_dir():
                continue
            day = dt.date.fromisoformat(match[1])
            for fmt in order:
                candidate = part / f"{table}_{day.isoformat()}.{fmt}"
                if candidate.is_file():
                    days[day] = candidate
                    break
        for day, path in sorted(days.items()):
            found.append(_partition(root, table, day, path))
    return found


def _partition(root: Path, table: str, day: dt.date, path: Path) -> Partition:
    fmt: Format = "csv" if path.suffix == ".csv" else "parquet"
    rows = (
        _check_csv_feed(table, path, [c.name for c in FEED_COLUMNS[table]])
        if fmt == "csv"
        else _check_parquet_columns(table, path, [c.name for c in FEED_COLUMNS[table]])
    )
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return Partition(
        table=table,
        day=day,
        path=path,
        format=fmt,
        rows=rows,
        bytes=path.stat().st_size,
        checksum=digest.hexdigest(),
        file_name=path.relative_to(root).as_posix(),
    )


@dataclasses.dataclass(frozen=True)
class LedgerRow:
    table_name: str
    partition_date: dt.date
    file_name: str
    rows: int
    checksum: str


def ledger_rows(records: Iterable[Mapping[str, object]]) -> list[LedgerRow]:
    """Ledger rows from a query's records (lower-case keys)."""
    rows = []
    for r in records:
        day = r["partition_date"]
        if isinstance(day, dt.datetime):
            day = day.date()
        if not isinstance(day, dt.date):
            day = dt.date.fromisoformat(str(day)[:10])
        rows.append(LedgerRow(str(r["table_name"]), day, str(r["file_name"]), int(str(r["rows"])), str(r["checksum"])))
    return rows


def plan(partitions: Sequence[Partition], ledger: Sequence[LedgerRow], *, reload_changed: bool = False) -> FeedPlan:
    """Which partitions to append, skip or replace, from the ledger's record of what was loaded.

    A partition is known by (table, day). Loaded with the same checksum: skipped. Loaded from the same file
    with another checksum: refused (``LoadError``), or replaced with ``reload_changed``. Loaded from the
    other format's file (HOSPITAL_FORMAT changed): skipped, as generate writes the same rows to both.

    Raises:
        LoadError: a partition changed since it was loaded (without ``reload_changed``); one line, the
            first such partition named, with the way out.
    """
    known = {(row.table_name, row.partition_date): row for row in ledger}
    result = FeedPlan()
    changed: list[tuple[Partition, LedgerRow]] = []
    for part in partitions:
        row = known.get((part.table, part.day))
        if row is None:
            result.new.append(part)
        elif row.checksum == part.checksum or Path(row.file_name).suffix != Path(part.file_name).suffix:
            result.skipped.append(part)
        else:
            changed.append((part, row))
    if changed and not reload_changed:
        part, row = changed[0]
        more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
        raise LoadError(
            f"{part.table}: partition {part.day.isoformat()} ({part.path}) changed since it was loaded "
            f"({row.rows:,} rows then, {part.rows:,} now; checksum differs){more}: nothing loaded.",
            RELOAD_HINT,
        )
    result.replaced = [part for part, _ in changed]
    return result


def simulation_of(manifest: Mapping[str, object] | None) -> tuple[str, str] | None:
    """(id, description) of the simulation a data folder holds, from generate's manifest: the settings that
    shape it (seed, start, locale, hospitals, counts, the feed's first day and shares), not its end, so an
    ``advance`` keeps it and a new ``generate`` with other settings changes it. None without a manifest."""
    if not manifest or "seed" not in manifest:
        return None
    feed = manifest.get("feed") if isinstance(manifest.get("feed"), dict) else {}
    assert isinstance(feed, dict)
    shape = {
        "seed": manifest.get("seed"),
        "start": manifest.get("start"),
        "locale": manifest.get("locale"),
        "hospitals": manifest.get("hospitals"),
        "counts": manifest.get("counts"),
        "feed": {k: feed.get(k) for k in ("first_day", "late_share", "correction_share", "cancel_share")},
    }
    if manifest.get("raw_text"):  # data with defects (issue 15): other defect rates are another simulation
        defects = manifest.get("defects") if isinstance(manifest.get("defects"), dict) else {}
        assert isinstance(defects, dict)
        shape["defects"] = defects.get("rates")
    text = json.dumps(shape, sort_keys=True, default=str)
    described = f"seed {shape['seed']}, start {shape['start']}, counts {shape['counts']}"
    return hashlib.sha256(text.encode()).hexdigest()[:16], described


@dataclasses.dataclass
class FeedLoad:
    """The feed half of one load: the partitions found (in), what the warehouse did with them (out).

    ``simulation``: the data folder's (``simulation_of``). When the warehouse's feed came from another
    simulation (a new ``generate``), the feed restarts: its tables and the ledger are emptied in the load's
    transaction, as the snapshot tables are replaced, and every partition is new (``restarted``).
    """

    partitions: list[Partition]
    reload_changed: bool = False
    run_id: str = ""
    simulation: tuple[str, str] | None = None
    plan: FeedPlan | None = None  # set by the warehouse, inside its transaction
    restarted: str | None = None  # the simulation the feed was loaded from before, when it restarted
    write_simulation: bool = False  # Snowflake: record ``simulation`` inside the transaction
    stats: dict[str, FeedStats] = dataclasses.field(default_factory=dict)

    replace_all: bool = False  # --allow-edited: the folder's partitions as they are replace the feed
    raw_text: bool = False  # Snowflake: the feed's columns are text (set by prepare_feed)

    def restarts(self, stored: str | None) -> bool:
        """Whether the feed restarts, given the simulation id the warehouse has (None: none recorded)."""
        if self.replace_all:
            return True
        return stored is not None and self.simulation is not None and stored != self.simulation[0]

    def finish(self, totals: Mapping[str, int], seconds: Mapping[str, float]) -> None:
        """Per-table stats from the plan and the tables' row counts afterwards."""
        assert self.plan is not None
        for table in FEED_TABLES:
            stats = FeedStats(table, rows_total=int(totals.get(table, 0)), seconds=float(seconds.get(table, 0.0)))
            for part in self.plan.new:
                if part.table == table:
                    stats.partitions_new += 1
                    stats.rows_new += part.rows
            for part in self.plan.replaced:
                if part.table == table:
                    stats.partitions_replaced += 1
                    stats.rows_new += part.rows
            stats.partitions_skipped = sum(1 for p in self.plan.skipped if p.table == table)
            self.stats[table] = stats
