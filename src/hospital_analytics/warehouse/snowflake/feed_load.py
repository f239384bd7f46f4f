"""The daily feed's half of Snowflake's load (``bulk_load.load_tables``): dated stage paths, ``COPY`` without
``FORCE`` (Snowflake's load metadata), and the ledger.

Before the transaction (DDL commits in Snowflake):

1. the feed tables (``schema.FEED_COLUMNS`` plus ``_SOURCE_FILE``), a landing table per feed table with
   exactly the file's columns (``<TABLE>__LANDING``; ``COPY`` fills it by position, as ``bulk_load`` does) and
   the ledger ``FEED_LOAD_LEDGER``, when missing;
2. the plan from the ledger (``feed.plan``: a partition changed since it was loaded is refused here, before
   anything is staged);
3. ``PUT`` of each partition to load (with rows) under ``@<stage>/feed/<table>/<YYYY-MM-DD>/`` (``OVERWRITE``
   only for a changed partition or a restarted feed: a staged file of the same content keeps its load
   metadata).

Inside the load's transaction (``copy_feed``, before ``COMMIT``): a changed partition's rows and ledger row are
deleted (``--reload-changed``), or every feed row and ledger row when the folder holds another simulation
than the one loaded (``FeedLoad.restarts``: a new ``generate``); per partition, ``COPY INTO <TABLE>__LANDING FROM @<stage>/feed/<table>/<day>/``
without ``FORCE``: Snowflake's load metadata (kept per table, 64 days) skips a file it loaded before, so a
partition the ledger does not know but Snowflake loaded is refused rather than duplicated; a replaced
partition is copied with ``FORCE = TRUE`` (its file has the same name). COPY's result must say ``LOADED``
with the partition's rows; then ``INSERT INTO <TABLE> SELECT *, '<file>' FROM <TABLE>__LANDING`` and the
landing table is emptied; the ledger rows are inserted. ``ledger_disagreements`` compares the ledger with
``INFORMATION_SCHEMA.LOAD_HISTORY`` (the tests run it on the fakesnow server).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from hospital_analytics.errors import LoadError, WarehouseError
from hospital_analytics.schema import FEED_COLUMNS, Column, load_columns
from hospital_analytics.warehouse.common import one_line
from hospital_analytics.warehouse.feed import (
    FEED_DERIVED,
    FEED_TABLES,
    LEDGER_COLUMNS,
    LEDGER_TABLE,
    SIMULATION_COLUMNS,
    SIMULATION_TABLE,
    SOURCE_FILE_COLUMN,
    FeedLoad,
    Partition,
    feed_columns,
    ledger_rows,
    plan,
)
from hospital_analytics.warehouse.identifiers import check_identifier, check_sql_type, string_literal
from hospital_analytics.warehouse.sources import REGENERATE

if TYPE_CHECKING:
    from hospital_analytics.progress import Collector
    from hospital_analytics.warehouse.snowflake.warehouse import SnowflakeWarehouse

LANDING_SUFFIX = "__LANDING"


def _definition(columns: tuple[Column, ...]) -> str:
    return ", ".join(
        f'"{check_identifier(c.name, "column name").upper()}" {check_sql_type(c.sql_type)}'
        + ("" if c.nullable else " NOT NULL")
        for c in columns
    )


def _put_source(path: Path, folder: Path) -> Path:
    """``path`` as PUT can take it: itself, or (a path PUT could not quote safely, e.g. with a quote) a link to
    it under ``folder``, with the same file name (as bulk_load stages the snapshot tables)."""
    from hospital_analytics.warehouse.snowflake.bulk_load import _SAFE_PATH

    if _SAFE_PATH.fullmatch(str(path.resolve())):
        return path
    folder.mkdir(parents=True, exist_ok=True)
    safe = folder / path.name
    with contextlib.suppress(FileExistsError):
        try:
            os.link(path, safe)
        except OSError:
            shutil.copyfile(path, safe)
    return safe


def _families(wh: SnowflakeWarehouse, table: str) -> list[str]:
    """The Snowflake type families of an existing RAW table's columns, in order."""
    rows = wh.fetch_rows(
        f'SELECT DATA_TYPE AS type FROM "{wh.database}".INFORMATION_SCHEMA.COLUMNS '
        f"WHERE TABLE_SCHEMA = {string_literal(wh.raw_schema)} AND TABLE_NAME = {string_literal(table)} "
        "ORDER BY ORDINAL_POSITION"
    )
    return [str(r["type"]).upper() for r in rows]


def _family(sql_type: str) -> str:
    from hospital_analytics.warehouse.snowflake.bulk_load import _family as family

    return family(sql_type)


def stage_path(wh: SnowflakeWarehouse, part: Partition) -> str:
    """Where a partition's file is staged: ``@<stage>/feed/<table>/<YYYY-MM-DD>/`` (no ``key=value``)."""
    return f"@{wh.raw_object(wh.stage)}/feed/{part.table}/{part.day.isoformat()}/"


def prepare_feed(wh: SnowflakeWarehouse, feed: FeedLoad, raw_text: bool = False) -> None:
    """Tables, plan and staged files, before the load's transaction (see the module docstring). ``raw_text``
    (data with defects): the feed and landing tables' columns are VARCHAR; a feed table of the other layout
    (typed, or text) is dropped and made anew, and the feed restarts."""
    wanted = {
        **{table.upper(): feed_columns(table, raw_text) for table in FEED_TABLES},
        **{table.upper() + LANDING_SUFFIX: load_columns(FEED_COLUMNS[table], raw_text) for table in FEED_TABLES},
        LEDGER_TABLE.upper(): LEDGER_COLUMNS,
        SIMULATION_TABLE.upper(): SIMULATION_COLUMNS,
    }
    # Only the missing ones are created: a landing table keeps its load metadata (fakesnow, the tests' local
    # Snowflake, forgets a table's load history on any CREATE TABLE naming it, IF NOT EXISTS included).
    existing = {
        str(row["table_name"]).upper()
        for row in wh.fetch_rows(
            f'SELECT table_name FROM "{wh.database}".INFORMATION_SCHEMA.TABLES '
            f"WHERE table_schema = {string_literal(wh.raw_schema)}"
        )
    }
    relaid = False
    for table in FEED_TABLES:
        for name in (table.upper(), table.upper() + LANDING_SUFFIX):
            if name in existing and _families(wh, name) != [_family(c.sql_type) for c in wanted[name]]:
                wh.cursor_run(f"DROP TABLE {wh.raw_object(name)}", "DROP TABLE").close()
                existing.discard(name)
                relaid = True
    for name, columns in wanted.items():
        if name not in existing:
            wh.cursor_run(
                f"CREATE TABLE IF NOT EXISTS {wh.raw_object(name)} ({_definition(columns)})", "CREATE TABLE"
            ).close()
    ledger = wh.raw_object(LEDGER_TABLE.upper())
    simulation = wh.raw_object(SIMULATION_TABLE.upper())
    stored = wh.fetch_rows(f"SELECT simulation_id, described FROM {simulation}")
    restarts = feed.restarts(str(stored[0]["simulation_id"]) if stored else None)
    if restarts or relaid:
        feed.restarted = (
            "files loaded as they are (--allow-edited)"
            if feed.replace_all
            else f"a new simulation replaced the one loaded ({stored[0]['described']})"
            if restarts
            else "the raw layer changed between typed and text"
        )
    known = (
        []
        if feed.restarted is not None
        else wh.fetch_rows(f"SELECT table_name, partition_date, file_name, rows, checksum FROM {ledger}")
    )
    feed.plan = plan(feed.partitions, ledger_rows(known), reload_changed=feed.reload_changed)
    feed.raw_text = raw_text
    feed.write_simulation = feed.simulation is not None and (not stored or feed.restarted is not None)
    replaced = {(p.table, p.day) for p in feed.plan.replaced}
    with tempfile.TemporaryDirectory(prefix="hospital-feed-put-") as links:
        _stage_partitions(wh, feed, replaced, Path(links))


def _stage_partitions(wh: SnowflakeWarehouse, feed: FeedLoad, replaced: set, links: Path) -> None:
    """PUT each partition to load (with rows) under its dated stage path."""
    assert feed.plan is not None
    for part in feed.plan.to_load:
        if part.rows == 0:
            continue  # a day without events: nothing to stage or copy, only its ledger row
        # A new partition's file is staged once (a file staged by a load that failed is the same file: partitions
        # never change); a changed one, or a restarted feed's, replaces the staged file.
        overwrite = feed.restarted is not None or (part.table, part.day) in replaced
        sql = (
            f"PUT {string_literal('file://' + str(_put_source(part.path, links).resolve()))} {stage_path(wh, part)} "
            f"AUTO_COMPRESS = TRUE OVERWRITE = {'TRUE' if overwrite else 'FALSE'}"
        )
        try:
            rows = wh.fetch_rows(sql, f"PUT of {part.path}")
        except WarehouseError as exc:
            raise LoadError(f"{part.table}: staging {part.path} failed: {exc.message}", exc.hint) from None
        if len(rows) != 1 or str(rows[0].get("status", "")).upper() not in ("UPLOADED", "SKIPPED"):
            raise LoadError(
                f"{part.table}: staging {part.path} failed ({one_line(rows[0].get('message') if rows else 'no answer')}).",
                "Run again; check the network and the stage's permissions.",
            )


def _copy_sql(wh: SnowflakeWarehouse, part: Partition, *, force: bool, raw_text: bool = False) -> str:
    target = wh.raw_object(part.table.upper() + LANDING_SUFFIX)
    options = "ON_ERROR = ABORT_STATEMENT" + (" FORCE = TRUE" if force else "")
    path = stage_path(wh, part)
    if part.format == "csv":
        file_format = string_literal(f'"{wh.database}"."{wh.raw_schema}"."{wh.file_format}"')
        return f"COPY INTO {target} FROM {path} FILE_FORMAT = (FORMAT_NAME = {file_format}) {options}"
    columns = load_columns(FEED_COLUMNS[part.table], raw_text)
    names = ", ".join(f'"{c.name.upper()}"' for c in columns)
    select = ", ".join(f"$1:{c.name}::{check_sql_type(c.sql_type)}" for c in columns)
    return f"COPY INTO {target} ({names}) FROM (SELECT {select} FROM {path}) FILE_FORMAT = (TYPE = PARQUET) {options}"


def copy_feed(wh: SnowflakeWarehouse, feed: FeedLoad, progress: Collector) -> None:
    """Inside the load's transaction: replaced partitions' rows deleted, new partitions copied, checked,
    appended and recorded in the ledger (see the module docstring)."""
    assert feed.plan is not None
    ledger = wh.raw_object(LEDGER_TABLE.upper())
    if feed.restarted is not None:  # a new simulation: the feed starts over, as the snapshot tables do
        for table in (*FEED_TABLES, LEDGER_TABLE):
            wh.execute(f"DELETE FROM {wh.raw_object(table.upper())}")
        derived = ", ".join(string_literal(name.upper()) for name in FEED_DERIVED)
        built = wh.fetch_rows(
            f'SELECT table_name FROM "{wh.database}".INFORMATION_SCHEMA.TABLES '
            f"WHERE table_schema = {string_literal(wh.analytics_schema)} AND table_name IN ({derived})"
        )
        for row in built:  # rows of the old simulation's events: the next transform builds them anew
            wh.execute(f"DELETE FROM {wh.qualified(wh.analytics_schema, str(row['table_name']))}")
    if feed.write_simulation and feed.simulation is not None:
        simulation = wh.raw_object(SIMULATION_TABLE.upper())
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        wh.execute(f"DELETE FROM {simulation}")
        wh.execute(
            f"INSERT INTO {simulation} VALUES ({string_literal(feed.simulation[0])}, "
            f"{string_literal(feed.simulation[1])}, {string_literal(now)}::TIMESTAMP)"
        )
    # a restarted feed copies files of the same names again: FORCE, as a changed partition is
    forced = feed.restarted is not None
    replaced = {(p.table, p.day) for p in feed.plan.replaced}
    for part in feed.plan.replaced:
        wh.execute(
            f'DELETE FROM {wh.raw_object(part.table.upper())} WHERE "{SOURCE_FILE_COLUMN.upper()}" = '
            f"{string_literal(part.file_name)}"
        )
        wh.execute(
            f"DELETE FROM {ledger} WHERE table_name = {string_literal(part.table)} "
            f"AND partition_date = {string_literal(part.day.isoformat())}"
        )
    seconds: dict[str, float] = {}
    for table in FEED_TABLES:
        parts = [p for p in feed.plan.to_load if p.table == table]
        if not parts:
            continue
        started = time.perf_counter()
        progress.update(table, 0, total=sum(p.rows for p in parts))
        landing = wh.raw_object(table.upper() + LANDING_SUFFIX)
        wh.execute(f"DELETE FROM {landing}")
        for part in parts:
            if part.rows == 0:
                continue
            try:
                results = wh.fetch_rows(
                    _copy_sql(wh, part, force=forced or (part.table, part.day) in replaced, raw_text=feed.raw_text),
                    f"COPY INTO {table}",
                )
            except WarehouseError as exc:
                raise LoadError(f"{table}: loading {part.path} failed: {exc.message}", REGENERATE) from None
            statuses = {str(r.get("status", "")).upper() for r in results}
            loaded = sum(int(r.get("rows_loaded") or 0) for r in results)
            if statuses == {"LOAD_SKIPPED"} or not results:
                raise LoadError(
                    f"{table}: Snowflake's load metadata says partition {part.day.isoformat()} was loaded before, "
                    f"but {LEDGER_TABLE} has no record of it (the ledger was edited?): nothing loaded.",
                    "Delete the partition's rows from the feed table and load with `hospital load --reload-changed`, "
                    "or load into a new database.",
                )
            if statuses != {"LOADED"} or loaded != part.rows:
                first = results[0]
                raise LoadError(
                    f"{table}: loading {part.path} failed: {first.get('status')} {loaded:,} of {part.rows:,} rows "
                    f"{one_line(first.get('first_error') or '')}".rstrip()
                    + ".",
                    REGENERATE,
                )
            wh.execute(
                f"INSERT INTO {wh.raw_object(table.upper())} SELECT *, {string_literal(part.file_name)} FROM {landing}"
            )
            wh.execute(f"DELETE FROM {landing}")
            progress.update(table, part.rows)
        seconds[table] = time.perf_counter() - started
    if feed.plan.to_load:
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        values = ", ".join(
            f"({string_literal(p.table)}, {string_literal(p.day.isoformat())}::DATE, {string_literal(p.file_name)}, "
            f"{p.rows}, {string_literal(p.checksum)}, {string_literal(now)}::TIMESTAMP, {string_literal(feed.run_id)})"
            for p in feed.plan.to_load
        )
        wh.execute(f"INSERT INTO {ledger} VALUES {values}")
        problems = ledger_disagreements(wh, [p for p in feed.plan.to_load if p.rows], missing_ok=True)
        if problems:
            raise LoadError(
                f"The feed ledger disagrees with Snowflake's load history ({problems[0]}): nothing loaded.",
                "Run `hospital load` again; if it persists, load into a new database.",
            )
    counts = wh.fetch_rows(
        " UNION ALL ".join(
            f"SELECT {string_literal(t)} AS t, COUNT(*) AS n FROM {wh.raw_object(t.upper())}" for t in FEED_TABLES
        )
    )
    feed.finish({str(r["t"]): int(r["n"]) for r in counts}, seconds)


def ledger_disagreements(
    wh: SnowflakeWarehouse, partitions: list[Partition] | None = None, *, missing_ok: bool = False
) -> list[str]:
    """Where the ledger and Snowflake's own ``INFORMATION_SCHEMA.LOAD_HISTORY`` disagree: a partition with rows
    that the ledger records and load history has not loaded into its landing table with that many rows (the
    latest load of the file). ``partitions``: only those (the load checks the ones it copied, before
    committing); default every partition of the ledger. ``missing_ok``: a partition that load history does
    not show (yet) is no disagreement, only one it shows with other rows (a real account may show a COPY only
    once its transaction commits; COPY's own result rows were checked file by file already). Empty when they
    agree."""
    if partitions is None:
        records = wh.fetch_rows(
            f"SELECT table_name, partition_date, rows FROM {wh.raw_object(LEDGER_TABLE.upper())} WHERE rows > 0"
        )
        wanted = {}
        for row in records:
            day = row["partition_date"]
            key = (str(row["table_name"]), day.isoformat() if hasattr(day, "isoformat") else str(day)[:10])
            wanted[key] = int(row["rows"])
    else:
        wanted = {(p.table, p.day.isoformat()): p.rows for p in partitions}
    if not wanted:
        return []
    landing = ", ".join(string_literal(t.upper() + LANDING_SUFFIX) for t in FEED_TABLES)
    history = wh.fetch_rows(
        f'SELECT table_name, file_name, row_count, status FROM "{wh.database}".INFORMATION_SCHEMA.LOAD_HISTORY '
        f"WHERE schema_name = {string_literal(wh.raw_schema)} AND table_name IN ({landing}) "
        "ORDER BY last_load_time"
    )
    loaded: dict[tuple[str, str], int] = {}
    for row in history:
        if str(row["status"]).upper() != "LOADED":
            continue
        table = str(row["table_name"]).upper().removesuffix(LANDING_SUFFIX).lower()
        day = next((piece for piece in str(row["file_name"]).split("/") if _is_day(piece)), "")
        loaded[(table, day)] = int(row["row_count"] or 0)  # a forced reload: the latest entry wins
    return [
        f"{table} {day}: ledger {rows:,} rows, load history {loaded.get((table, day), 'none')}"
        for (table, day), rows in sorted(wanted.items())
        if loaded.get((table, day)) != rows and not (missing_ok and (table, day) not in loaded)
    ]


def _is_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
