"""Snowflake's bulk load (``SnowflakeWarehouse.load_tables``): stage, ``PUT``, ``COPY INTO``, in one transaction.

1. ``CREATE FILE FORMAT IF NOT EXISTS`` and ``CREATE STAGE IF NOT EXISTS`` (internal) in the RAW schema;
2. ``PUT`` every file to a folder of the stage unique to this run (``@stage/<run id>/<table>/``), gzip'd
   by the client, in parallel; large files are split first (``files.py``), so ``COPY`` loads the parts in
   parallel;
3. ``CREATE TABLE IF NOT EXISTS`` each table, ``NOT NULL`` where schema.py does not mark a column nullable;
   a table whose columns, types or nullability differ from schema.py is not touched: a new table is created
   beside it under a name of this run (``<TABLE>__NEW_<run>``; DDL commits in Snowflake, so this happens
   before the transaction, on a table nobody reads);
4. ``BEGIN``; per table ``DELETE`` then ``COPY INTO <table> ... ON_ERROR = ABORT_STATEMENT FORCE = TRUE
   PURGE = TRUE`` (columns in schema.py's order, checked on both sides; see ``_copy_sql``), into the new
   table where there is one; COPY's result rows give the rows loaded per file; each table's count is checked
   against the source file; ``COMMIT``. A file without rows (a header only) is neither staged nor copied:
   its table is emptied. Any failure rolls back: the previous rows stay, the new tables are dropped, and the
   run's staged files are removed;
5. only then is each new table swapped in (``ALTER TABLE ... SWAP WITH``, or two renames where the engine
   has no SWAP) and the old layout dropped.

The daily feed's partitions (``feed_load.py``) are staged under dated paths before step 4 and appended inside
its transaction, with the ledger, so snapshot tables and feed commit together.

Re-running replaces the data and never duplicates it: the table is emptied inside the transaction, the
staged paths are new on every run, and ``FORCE = TRUE`` loads them even if Snowflake's load metadata
remembers a file of that name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from hospital_analytics.errors import LoadError, WarehouseError
from hospital_analytics.fsutil import temporary_dir
from hospital_analytics.schema import DEFECTS_LEDGER_COLUMNS, DEFECTS_LEDGER_TABLE, RAW_COLUMNS, Column, load_columns
from hospital_analytics.warehouse.common import TableStats, one_line
from hospital_analytics.warehouse.identifiers import check_identifier, check_sql_type, string_literal
from hospital_analytics.warehouse.snowflake.feed_load import copy_feed, prepare_feed
from hospital_analytics.warehouse.snowflake.files import split_csv, split_parquet
from hospital_analytics.warehouse.sources import REGENERATE, SourceFile

if TYPE_CHECKING:
    from hospital_analytics.progress import Collector
    from hospital_analytics.warehouse.feed import FeedLoad
    from hospital_analytics.warehouse.snowflake.warehouse import SnowflakeWarehouse

PUT_PARALLEL = 8
_SAFE_PATH = re.compile(r"[A-Za-z0-9_./ +=:@,-]+")  # paths PUT takes as they are
# Snowflake DATA_TYPE families for schema.py's types, to tell whether an existing table still fits.
_FAMILY = {
    "BIGINT": "NUMBER",
    "INTEGER": "NUMBER",
    "VARCHAR": "TEXT",
    "DATE": "DATE",
    "DOUBLE": "FLOAT",
    "TIMESTAMP": "TIMESTAMP_NTZ",  # Snowflake's TIMESTAMP is TIMESTAMP_NTZ by default (wall-clock time, no zone)
    "BOOLEAN": "BOOLEAN",
}


def _family(sql_type: str) -> str:
    return "NUMBER" if sql_type.startswith(("DECIMAL", "NUMERIC", "NUMBER")) else _FAMILY.get(sql_type, sql_type)


def ensure_load_objects(wh: SnowflakeWarehouse) -> None:
    """The named CSV file format and the internal stage, in the RAW schema, when missing."""
    wh.cursor_run(
        f"CREATE FILE FORMAT IF NOT EXISTS {wh.raw_object(wh.file_format)} TYPE = CSV "
        "FIELD_DELIMITER = ',' SKIP_HEADER = 1 FIELD_OPTIONALLY_ENCLOSED_BY = '\"' "
        "ESCAPE_UNENCLOSED_FIELD = NONE EMPTY_FIELD_AS_NULL = TRUE COMPRESSION = AUTO",
        # dates and timestamps in the files are ISO (YYYY-MM-DD, YYYY-MM-DD HH:MM:SS): the AUTO formats read them
        "CREATE FILE FORMAT",
    ).close()
    wh.cursor_run(f"CREATE STAGE IF NOT EXISTS {wh.raw_object(wh.stage)}", "CREATE STAGE").close()


def load_tables(
    wh: SnowflakeWarehouse,
    sources: Mapping[str, SourceFile],
    progress: Collector,
    feed: FeedLoad | None = None,
    *,
    raw_text: bool = False,
    defects: Path | None = None,
) -> dict[str, TableStats]:
    """Stage, then replace every raw table in one transaction; see the module docstring. ``raw_text``: every
    column VARCHAR and nullable (data with defects); the ledger file ``defects`` is staged and copied into
    DEFECTS_LEDGER in the same transaction (the table is dropped when there is none)."""
    for table in sources:
        check_identifier(table, "table name")
    wh.ensure_database_and_schemas()
    ensure_load_objects(wh)
    run = f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}_{uuid.uuid4().hex[:8]}"
    stage_root = f"@{wh.raw_object(wh.stage)}/{run}"
    stats: dict[str, TableStats] = {}
    targets: dict[str, str] = {}  # table -> the table COPY fills (itself, or a new one to swap in)
    try:
        with temporary_dir("hospital-load-") as tmp:
            for table, source in sources.items():
                progress.update(table, 0, total=source.rows)
                started = time.perf_counter()
                # a file of no rows (a header only, e.g. no capacity event in a small run) is not staged
                files, staged = (
                    (0, 0) if source.rows == 0 else _put(wh, table, source, tmp / table, f"{stage_root}/{table}/")
                )
                shutil.rmtree(tmp / table, ignore_errors=True)  # parts are on the stage now
                stats[table] = TableStats(table, 0, source.rows, staged, files, time.perf_counter() - started)
            ledger = _stage_defects(wh, defects if raw_text else None, tmp, f"{stage_root}/{DEFECTS_LEDGER_TABLE}/")
        for table in sources:
            targets[table] = _ensure_table(wh, table, run, raw_text)
        if feed is not None:
            prepare_feed(wh, feed, raw_text)
        _replace_all(wh, sources, targets, stage_root, stats, progress, feed, raw_text, ledger)
    except BaseException:
        for table, target in targets.items():
            if target != table.upper():
                with contextlib.suppress(Exception):
                    wh.execute(f"DROP TABLE IF EXISTS {wh.raw_object(target)}")
        with contextlib.suppress(Exception):  # REMOVE is best effort (fakesnow lacks it)
            wh.execute(f"REMOVE {stage_root}/")
        raise
    for table, target in targets.items():
        if target != table.upper():
            _swap_in(wh, table.upper(), target)
    return stats


def _swap_in(wh: SnowflakeWarehouse, table: str, new: str) -> None:
    """The new table (loaded and committed) takes ``table``'s name; the old layout is dropped."""
    try:
        wh.cursor_run(f"ALTER TABLE {wh.raw_object(new)} SWAP WITH {wh.raw_object(table)}", "ALTER TABLE SWAP").close()
        wh.cursor_run(f"DROP TABLE {wh.raw_object(new)}", "DROP TABLE").close()
    except WarehouseError:  # an engine without SWAP (fakesnow): two renames
        old = f"{new}_OLD"
        wh.cursor_run(f"ALTER TABLE {wh.raw_object(table)} RENAME TO {wh.raw_object(old)}", "ALTER TABLE").close()
        wh.cursor_run(f"ALTER TABLE {wh.raw_object(new)} RENAME TO {wh.raw_object(table)}", "ALTER TABLE").close()
        wh.cursor_run(f"DROP TABLE {wh.raw_object(old)}", "DROP TABLE").close()


def _put(wh: SnowflakeWarehouse, table: str, source: SourceFile, folder: Path, target: str) -> tuple[int, int]:
    if source.format == "csv":
        parts = split_csv(source.path, folder, table, wh.csv_chunk_bytes)
    else:
        parts = split_parquet(source.path, folder, table, wh.parquet_chunk_bytes)
    if len(parts) == 1 and not _SAFE_PATH.fullmatch(str(parts[0].resolve())):
        folder.mkdir(parents=True, exist_ok=True)
        safe = folder / f"{table}{parts[0].suffix}"
        with contextlib.suppress(FileExistsError):
            try:
                os.link(parts[0], safe)
            except OSError:
                shutil.copyfile(parts[0], safe)
        parts = [safe]
    pattern = str(parts[0].resolve()) if len(parts) == 1 else str(folder.resolve() / f"{table}_*{parts[0].suffix}")
    sql = (
        f"PUT {string_literal('file://' + pattern)} {target} "
        f"AUTO_COMPRESS = TRUE PARALLEL = {PUT_PARALLEL} OVERWRITE = TRUE"
    )
    try:
        rows = wh.fetch_rows(sql, f"PUT of {source.path}")
    except WarehouseError as exc:
        raise LoadError(f"{table}: staging {source.path} failed: {exc.message}", exc.hint) from None
    bad = [row for row in rows if str(row.get("status", "")).upper() not in ("UPLOADED", "SKIPPED")]
    if bad or len(rows) != len(parts):
        raise LoadError(
            f"{table}: staging {source.path} failed ({len(rows)} of {len(parts)} file(s) uploaded"
            f"{': ' + one_line(bad[0].get('message')) if bad else ''}).",
            "Run again; check the network and the stage's permissions.",
        )
    return len(parts), sum(int(row.get("target_size") or 0) for row in rows)


def _stage_defects(wh: SnowflakeWarehouse, path: Path | None, tmp: Path, target: str) -> str | None:
    """The defects ledger staged (with rows) for ``_replace_all``: its stage path; "" for a ledger of no rows;
    None without a ledger (raw text off, or no file), when DEFECTS_LEDGER is dropped."""
    if path is None or not path.is_file():
        wh.execute(f"DROP TABLE IF EXISTS {wh.raw_object(DEFECTS_LEDGER_TABLE.upper())}")
        return None
    definition = _column_definition(DEFECTS_LEDGER_COLUMNS)
    wh.execute(f"CREATE TABLE IF NOT EXISTS {wh.raw_object(DEFECTS_LEDGER_TABLE.upper())} ({definition})")
    with open(path, "rb") as handle:
        if sum(1 for _ in handle) <= 1:
            return ""
    source = SourceFile(DEFECTS_LEDGER_TABLE, path, "csv", 0, path.stat().st_size)
    _put_file(wh, source, tmp / DEFECTS_LEDGER_TABLE, target)
    return target


def _put_file(wh: SnowflakeWarehouse, source: SourceFile, folder: Path, target: str) -> None:
    """PUT one whole file (linked under ``folder`` when PUT could not quote its path)."""
    path = source.path
    if not _SAFE_PATH.fullmatch(str(path.resolve())):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / path.name
        shutil.copyfile(source.path, path)
    sql = f"PUT {string_literal('file://' + str(path.resolve()))} {target} AUTO_COMPRESS = TRUE OVERWRITE = TRUE"
    try:
        rows = wh.fetch_rows(sql, f"PUT of {source.path}")
    except WarehouseError as exc:
        raise LoadError(f"{source.table}: staging {source.path} failed: {exc.message}", exc.hint) from None
    if len(rows) != 1 or str(rows[0].get("status", "")).upper() not in ("UPLOADED", "SKIPPED"):
        raise LoadError(f"{source.table}: staging {source.path} failed.", "Run again; check the network.")


def _column_definition(columns: tuple[Column, ...]) -> str:
    return ", ".join(
        f'"{check_identifier(c.name, "column name").upper()}" {check_sql_type(c.sql_type)}'
        + ("" if c.nullable else " NOT NULL")
        for c in columns
    )


def _ensure_table(wh: SnowflakeWarehouse, table: str, run: str, raw_text: bool = False) -> str:
    """The table to COPY into: ``table`` itself, or a new table of this run when ``table``'s columns differ
    (typed against text included)."""
    columns = load_columns(RAW_COLUMNS[table], raw_text)
    target = wh.raw_object(table.upper())
    definition = _column_definition(columns)
    wh.cursor_run(f"CREATE TABLE IF NOT EXISTS {target} ({definition})", "CREATE TABLE").close()
    existing = wh.fetch_rows(
        f'SELECT COLUMN_NAME AS name, DATA_TYPE AS type, IS_NULLABLE AS nullable FROM "{wh.database}".INFORMATION_SCHEMA.COLUMNS '
        f"WHERE TABLE_SCHEMA = {string_literal(wh.raw_schema)} AND TABLE_NAME = {string_literal(table.upper())} "
        "ORDER BY ORDINAL_POSITION"
    )
    found = [(str(r["name"]).upper(), str(r["type"]).upper(), str(r["nullable"]).upper()) for r in existing]
    wanted = [(c.name.upper(), _family(c.sql_type), "YES" if c.nullable else "NO") for c in columns]
    if found == wanted:
        return table.upper()
    # An older layout: load a new table, swapped in only once every COPY is committed (the old rows stay
    # until then, and for good if the load fails).
    new = check_identifier(f"{table.upper()}__NEW_{run.upper()}", "table name")
    wh.cursor_run(f"CREATE TABLE {wh.raw_object(new)} ({definition})", "CREATE TABLE").close()
    return new


def _copy_sql(
    wh: SnowflakeWarehouse, table: str, source: SourceFile, path: str, into: str, raw_text: bool = False
) -> str:
    """COPY for one table. CSV columns map by position: sources.py checked the file's header and
    ``_ensure_table`` the table's columns, both against schema.py's order, so position is name.

    (A ``COPY INTO t (col, ...)`` column list would say the same; it is left out because fakesnow
    cannot run it for tables of more than ten columns, and the tests run this SQL against fakesnow.)
    Parquet names every column explicitly, by name, with its type.
    """
    columns = load_columns(RAW_COLUMNS[table], raw_text)
    target = wh.raw_object(into)
    options = "ON_ERROR = ABORT_STATEMENT FORCE = TRUE PURGE = TRUE"
    if source.format == "csv":
        file_format = string_literal(f'"{wh.database}"."{wh.raw_schema}"."{wh.file_format}"')
        return f"COPY INTO {target} FROM {path} FILE_FORMAT = (FORMAT_NAME = {file_format}) {options}"
    names = ", ".join(f'"{c.name.upper()}"' for c in columns)
    select = ", ".join(f"$1:{c.name}::{check_sql_type(c.sql_type)}" for c in columns)
    return f"COPY INTO {target} ({names}) FROM (SELECT {select} FROM {path}) FILE_FORMAT = (TYPE = PARQUET) {options}"


def _copy_defects(wh: SnowflakeWarehouse, path: str) -> None:
    """Inside the transaction: DEFECTS_LEDGER emptied and copied from its staged file (none: no rows)."""
    target = wh.raw_object(DEFECTS_LEDGER_TABLE.upper())
    wh.execute(f"DELETE FROM {target}")
    if not path:
        return
    file_format = string_literal(f'"{wh.database}"."{wh.raw_schema}"."{wh.file_format}"')
    try:
        wh.fetch_rows(
            f"COPY INTO {target} FROM {path} FILE_FORMAT = (FORMAT_NAME = {file_format}) "
            "ON_ERROR = ABORT_STATEMENT FORCE = TRUE PURGE = TRUE",
            "COPY INTO defects_ledger",
        )
    except WarehouseError as exc:
        raise LoadError(f"defects ledger: loading failed: {exc.message}", REGENERATE) from None


def _replace_all(
    wh: SnowflakeWarehouse,
    sources: Mapping[str, SourceFile],
    targets: Mapping[str, str],
    stage_root: str,
    stats: dict[str, TableStats],
    progress: Collector,
    feed: FeedLoad | None = None,
    raw_text: bool = False,
    ledger: str | None = None,
) -> None:
    wh.execute("BEGIN")
    try:
        for table, source in sources.items():
            started = time.perf_counter()
            target = wh.raw_object(targets[table])
            wh.cursor_run(f"DELETE FROM {target}", f"DELETE FROM {table}").close()
            try:
                sql = _copy_sql(wh, table, source, f"{stage_root}/{table}/", targets[table], raw_text)
                results = [] if source.rows == 0 else wh.fetch_rows(sql, f"COPY INTO {table}")  # 0: nothing staged
            except WarehouseError as exc:
                raise LoadError(f"{table}: loading {source.path} failed: {exc.message}", REGENERATE) from None
            loaded = sum(int(r.get("rows_loaded") or 0) for r in results)
            failed = [r for r in results if str(r.get("status", "")).upper() not in ("LOADED", "")]
            if failed:
                first = failed[0]
                raise LoadError(
                    f"{table}: loading {source.path} failed: {first.get('status')} "
                    f"{one_line(first.get('first_error') or '')}".rstrip()
                    + ".",
                    REGENERATE,
                )
            count = wh.fetch_rows(f"SELECT COUNT(*) AS n FROM {target}")[0]["n"]
            if loaded != source.rows or int(count) != source.rows:
                raise LoadError(f"{table}: loaded {int(count):,} rows but {source.rows_text()}.", REGENERATE)
            previous = stats[table]
            stats[table] = TableStats(
                table,
                int(count),
                source.rows,
                previous.bytes_staged,
                previous.files,
                previous.seconds + time.perf_counter() - started,
            )
            progress.update(table, int(count))
        if feed is not None:
            copy_feed(wh, feed, progress)
        if ledger is not None:
            _copy_defects(wh, ledger)
        wh.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(Exception):
            wh.execute("ROLLBACK")
        raise
