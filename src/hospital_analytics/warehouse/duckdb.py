"""DuckDB, the embedded default warehouse: one file (``HOSPITAL_DUCKDB_PATH``, default
``<out>/hospital.duckdb``) holding the RAW and ANALYTICS schemas.

Loading reads each file with an explicit, typed column list from ``schema.RAW_COLUMNS`` (CSV: header
skipped, ``YYYY-MM-DD`` dates, ``YYYY-MM-DD HH:MM:SS`` timestamps, ``true``/``false`` booleans, an empty field
is NULL, no auto-detection; Parquet: columns selected by name and cast); a column not marked nullable in
schema.py is ``NOT NULL``, so a file with a gap where the contract has none is refused. It replaces
every raw table (layout.RAW_TABLES) inside one transaction: they are all replaced, or none is. Rows are inserted in parallel
without keeping the file's order (``preserve_insertion_order = false`` for the load only): order rows with
``ORDER BY`` when it matters.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from hospital_analytics.errors import ConfigError, ExportError, LoadError, StepOrderError, WarehouseError
from hospital_analytics.fsutil import ensure_writable_dir
from hospital_analytics.schema import (
    DEFECTS_LEDGER_COLUMNS,
    DEFECTS_LEDGER_TABLE,
    FEED_COLUMNS,
    RAW_COLUMNS,
    Column,
    load_columns,
)
from hospital_analytics.warehouse.common import (
    TableStats,
    arrow_to_df,
    batches_of,
    dbt_profile_env,
    normalise_arrow,
    one_line,
)
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
from hospital_analytics.warehouse.identifiers import check_identifier, check_sql_type, quote, string_literal
from hospital_analytics.warehouse.sources import REGENERATE, SourceFile

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from hospital_analytics.config import Settings
    from hospital_analytics.exports.fanout import ExportReads
    from hospital_analytics.progress import Collector

BATCH_ROWS = 100_000
# DuckDB memory while exporting (its buffer pool caches the table's blocks): at 10M stays the export peaks at
# 1.02 GB of RSS with 512MB, 1.08 GB with 1GB, at the same speed (bench/bench_export.py); key ranges sort in it.
EXPORT_MEMORY = "512MB"
# Rows per Parquet row group of DuckDB's COPY: its own default, 0.44 GB peak at 10M stays (1.3 GB with 1M-row
# groups; measured with bench/bench_export.py).
PARQUET_ROW_GROUP = 122_880
# Rows per key range when export reads a big table (``export_reads``): 250k, 0.52 GB peak at 10M stays
# (1M: 0.89 GB), same time (bench/bench_export.py).
EXPORT_CHUNK_ROWS = 250_000
PARQUET_COMPRESSION = "zstd"
_LOCK = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


class DuckDBWarehouse:
    """The DuckDB file as a ``Warehouse``. ``read_only=True`` lets several readers share the file."""

    name = "duckdb"
    # Measured side by side at 10M stays (bench/bench_export.py): DuckDB's Parquet writer is 1.3-1.9x faster
    # than pyarrow's here; its gzip is single-threaded, so CSV goes through the Arrow stream (1.4-2.1x faster).
    native_export_formats = frozenset({"parquet"})

    def __init__(self, settings: Settings, *, read_only: bool = False):
        self.settings = settings
        self.path = _usable_file(settings)
        self.database = str(self.path)
        self.catalog = self.path.stem
        # Checked here, before any SQL can run.
        self.raw_schema = check_identifier(settings.raw_schema, "HOSPITAL_RAW_SCHEMA")
        self.analytics_schema = check_identifier(settings.analytics_schema, "HOSPITAL_ANALYTICS_SCHEMA")
        self.read_only = read_only
        self._con: duckdb.DuckDBPyConnection | None = None

    # --- what the steps ask ---------------------------------------------------------------------------
    def check_settings(self) -> None:
        """Nothing to check before connecting: the identifiers were checked when this was built."""

    def ensure_exists(self) -> None:
        if not self.path.is_file():
            raise StepOrderError(
                f"The DuckDB warehouse {self.path} does not exist yet: nothing has been loaded into it.",
                "Run `hospital load` (after `hospital generate`) and the steps after it, or `hospital run-all`; "
                "or point --out / HOSPITAL_DUCKDB_PATH at the warehouse they wrote.",
            )

    def describe(self) -> str:
        return f"DuckDB file {self.path}"

    def profile_env(self) -> dict[str, str | None]:
        """profiles.yml's DuckDB variables: the file, and DuckDB's memory limit and threads for dbt's
        connections (settings ``duckdb_memory_limit``, ``duckdb_threads``, default every core)."""
        return {
            **dbt_profile_env(self.settings),
            "HOSPITAL_DUCKDB_PATH": str(self.path.resolve()),
            "HOSPITAL_DUCKDB_MEMORY_LIMIT": self.settings.duckdb_memory_limit.strip(),
            "HOSPITAL_DUCKDB_THREADS": str(self.settings.duckdb_threads or os.cpu_count() or 1),
        }

    def dbt_connections(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def profile_hint(self) -> str:
        return f"HOSPITAL_DUCKDB_PATH={self.path.resolve()}"

    def dbt_error_hint(self, message: str) -> str | None:
        if "Out of Memory Error" not in message:
            return None
        return (
            f"DuckDB reached its memory limit ({self.settings.duckdb_memory_limit.strip()}): raise "
            "HOSPITAL_DUCKDB_MEMORY_LIMIT (e.g. 2GB or 50%) or lower HOSPITAL_DUCKDB_THREADS, then run "
            "`hospital transform` again."
        )

    # --- connection --------------------------------------------------------------------------------
    def connect(self) -> None:
        if self._con is not None:
            return
        if self.read_only:
            self.ensure_exists()
        else:
            ensure_writable_dir(self.path.parent, "DuckDB folder")
        try:
            con = duckdb.connect(str(self.path.absolute()), read_only=self.read_only)  # no leading ~ to expand
        except duckdb.Error as exc:
            raise self._connect_error(exc) from None
        # DuckDB draws its own progress bar on stdout for long statements: the caller's Progress reports.
        # In Jupyter without ipywidgets DuckDB refuses the setting, and its bar is off there already.
        with contextlib.suppress(duckdb.InvalidInputException):
            con.execute("SET enable_progress_bar = false")
        self._con = con

    def _connect_error(self, exc: duckdb.Error) -> WarehouseError:
        text = str(exc)
        lock = _LOCK.search(text)
        if lock or "Could not set lock" in text:
            holder = f" (PID {lock['pid']}, {Path(lock['program']).name})" if lock else ""
            return WarehouseError(
                f"The DuckDB file {self.path} is in use by another process{holder}.",
                "Close the other program holding it (a notebook, a SQL client, another `hospital` run), "
                "or use another file with HOSPITAL_DUCKDB_PATH.",
            )
        if "not a valid DuckDB database file" in text:
            return WarehouseError(
                f"{self.path} is not a DuckDB database file.",
                "Move it away, or choose another file with HOSPITAL_DUCKDB_PATH (or another --out).",
            )
        if "different configuration" in text:
            return WarehouseError(
                f"The DuckDB file {self.path} is already open in this process with other settings.",
                "Close the other connection (e.g. a dbt-duckdb connection kept open) before opening it again.",
            )
        return WarehouseError(f"Cannot open the DuckDB file {self.path}: {one_line(text)}.")

    def close(self) -> None:
        con, self._con = self._con, None
        if con is not None:
            con.close()

    def __enter__(self) -> DuckDBWarehouse:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The open DuckDB connection (``connect`` first)."""
        if self._con is None:
            raise WarehouseError(
                "The DuckDB warehouse is not connected.", "Use `with open_warehouse(settings) as wh:`."
            )
        return self._con

    # --- names -------------------------------------------------------------------------------------
    def qualified(self, schema: str, table: str) -> str:
        return f"{quote(schema, 'schema name')}.{quote(table, 'table name')}"

    def ensure_database_and_schemas(self) -> None:
        for schema in (self.raw_schema, self.analytics_schema):
            self.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema, 'schema name')}")

    def row_counts(self, schema: str, tables: Sequence[str]) -> dict[str, int]:
        if not tables:
            return {}
        sql = " union all ".join(
            f"select {i} as i, count(*) as n from {self.qualified(schema, table)}" for i, table in enumerate(tables)
        )
        return {tables[int(i)]: int(n) for i, n in self._run(sql).fetchall()}

    def table_exists(self, schema: str, table: str) -> bool:
        check_identifier(schema, "schema name")
        check_identifier(table, "table name")
        row = self._run(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE lower(table_schema) = lower(?) AND lower(table_name) = lower(?)",
            [schema, table],
        ).fetchall()[0]
        return bool(row and row[0])

    # --- queries -----------------------------------------------------------------------------------
    def _run(self, sql: str, params: list[Any] | None = None) -> duckdb.DuckDBPyConnection:
        try:
            return self.con.execute(sql, params) if params is not None else self.con.execute(sql)
        except duckdb.Error as exc:
            raise WarehouseError(f"DuckDB query failed: {one_line(exc)}.") from None

    def execute(self, sql: str) -> None:
        self._run(sql)

    def _relation(self, sql: str) -> duckdb.DuckDBPyRelation:
        try:
            relation = self.con.sql(sql)
        except duckdb.Error as exc:
            raise WarehouseError(f"DuckDB query failed: {one_line(exc)}.") from None
        if relation is None:
            raise WarehouseError("DuckDB query failed: the statement returns no rows.", "Use execute() for it.")
        return relation

    def query_arrow(self, sql: str) -> pa.Table:
        relation = self._relation(sql)
        try:
            table = relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.arrow()
        except duckdb.Error as exc:
            raise WarehouseError(f"DuckDB query failed: {one_line(exc)}.") from None
        return normalise_arrow(table)

    def query_df(self, sql: str) -> pd.DataFrame:
        return arrow_to_df(self.query_arrow(sql))

    def arrow_batches(self, sql: str) -> Iterator[pa.RecordBatch]:
        relation = self._relation(sql)
        try:
            # to_arrow_reader in newer DuckDB releases, record_batch in older ones
            method = "to_arrow_reader" if hasattr(relation, "to_arrow_reader") else "record_batch"
            reader = getattr(relation, method)(BATCH_ROWS)
        except duckdb.Error as exc:
            raise WarehouseError(f"DuckDB query failed: {one_line(exc)}.") from None

        def stream() -> Iterator[pa.RecordBatch]:
            try:
                yield from batches_of(reader)
            finally:  # a reader stopped early releases the connection's open result
                reader.close()

        return stream()

    # --- export ------------------------------------------------------------------------------------
    def prepare_export(self) -> None:
        self.execute(f"SET memory_limit = '{EXPORT_MEMORY}'")

    def export_select(self, qualified: str, schema: pa.Schema) -> str:
        order = ", ".join(str(position) for position in range(1, len(schema) + 1))
        return f"SELECT {_export_columns(schema)} FROM {qualified} ORDER BY {order}"

    def export_reads(self, qualified: str, schema: pa.Schema) -> ExportReads:
        """A big table with an integer first column: key ranges of about ``EXPORT_CHUNK_ROWS`` rows, each sorted
        by that column alone. One sort of the whole table by every column costs 1.4x more time and holds
        1.25 GB at 10M stays; ranges sort in memory, a block at a time (bench/bench_export.py). Otherwise (small
        tables, other keys): ``export_select``."""
        import pyarrow as pa

        from hospital_analytics.exports.fanout import ExportReads

        whole = self.export_select(qualified, schema)
        first = _quote(schema[0].name)
        rows, keyed, low, high = self._run(
            f"SELECT count(*), count({first}), min({first}), max({first}) FROM {qualified}"
            if pa.types.is_int64(schema[0].type)
            else f"SELECT count(*), 0, 0, 0 FROM {qualified}"
        ).fetchall()[0]
        if rows <= EXPORT_CHUNK_ROWS or keyed != rows:
            return ExportReads([whole], rows=rows)
        parts = -(-rows // EXPORT_CHUNK_ROWS)
        width = -(-(high - low + 1) // parts)
        columns = _export_columns(schema)
        queries = [
            f"SELECT {columns} FROM {qualified} WHERE {first} >= {start} AND {first} < {start + width} ORDER BY 1"
            for start in range(low, high + 1, width)
        ]
        return ExportReads(queries, rows=rows, key=schema[0].name, fallback=whole)

    def export_native(self, sql: str, target: Path, fmt: str) -> int:
        """DuckDB's own ``COPY (sql) TO target`` (Parquet, zstd); the number of rows written.

        ``preserve_insertion_order`` is switched off for the statement: with it on, DuckDB holds the result
        back to write it in order and its memory grows with the table (2.6 GB at 10M stays, against 0.36 GB).
        """
        if fmt not in self.native_export_formats:
            raise ValueError(f"DuckDB does not export {fmt} itself")
        options = f"FORMAT parquet, COMPRESSION {PARQUET_COMPRESSION}, ROW_GROUP_SIZE {PARQUET_ROW_GROUP}"
        setting = self._run("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
        self.execute("SET preserve_insertion_order = false")
        try:
            self.execute(f"COPY ({sql}) TO {string_literal(str(target))} ({options})")
        finally:
            self.execute(f"SET preserve_insertion_order = {'true' if setting in (True, 'true') else 'false'}")
        return int(self._run(f"SELECT count(*) FROM ({sql}) AS t").fetchall()[0][0])

    # --- load --------------------------------------------------------------------------------------
    def load_tables(
        self,
        sources: Mapping[str, SourceFile],
        progress: Collector,
        feed: FeedLoad | None = None,
        *,
        raw_text: bool = False,
        defects: Path | None = None,
    ) -> dict[str, TableStats]:
        """Replace the RAW tables and append the feed's new partitions in one transaction; see the module
        docstring. ``raw_text``: every column VARCHAR and nullable (data with defects), and ``defects`` (the
        ledger, data/defects.csv) replaces RAW.defects_ledger; without it that table is dropped."""
        statements = {table: self._load_sql(source, raw_text) for table, source in sources.items()}  # checked first
        stats: dict[str, TableStats] = {}
        con = self.con
        # Rows need not keep the file's order inside the table (every reader orders explicitly): letting
        # DuckDB's threads insert in any order saves about a tenth of the load's CPU time.
        con.execute("SET preserve_insertion_order = false")
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(self.raw_schema, 'HOSPITAL_RAW_SCHEMA')}")
            for table, source in sources.items():
                progress.update(table, 0, total=source.rows)
                started = time.perf_counter()
                create, insert = statements[table]
                try:
                    con.execute(create)
                    loaded = con.execute(insert).fetchall()[0][0]
                except duckdb.Error as exc:
                    raise LoadError(
                        f"{table}: loading {source.path} failed: {one_line(exc, limit=220)}.", REGENERATE
                    ) from None
                if loaded != source.rows:
                    raise LoadError(f"{table}: loaded {loaded:,} rows but {source.rows_text()}.", REGENERATE)
                stats[table] = TableStats(
                    table=table,
                    rows=int(loaded),
                    source_rows=source.rows,
                    bytes_staged=source.bytes,
                    files=1,
                    seconds=time.perf_counter() - started,
                )
                progress.update(table, loaded)
            if feed is not None:
                self._load_feed(feed, progress, raw_text)
            self._load_defects(defects if raw_text else None)
            con.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            if isinstance(exc, duckdb.Error):
                raise LoadError(f"Loading into {self.path} failed: {one_line(exc)}.") from None
            raise
        finally:
            with contextlib.suppress(duckdb.Error):
                con.execute("RESET preserve_insertion_order")
        return stats

    def _load_defects(self, path: Path | None) -> None:
        """RAW.defects_ledger replaced by the ledger file (all text), or dropped when there is none."""
        target = self._raw(DEFECTS_LEDGER_TABLE)
        if path is None or not path.is_file():
            self.con.execute(f"DROP TABLE IF EXISTS {target}")
            return
        columns = DEFECTS_LEDGER_COLUMNS
        self.con.execute(f"CREATE OR REPLACE TABLE {target} ({_definition(columns)})")
        spec = ", ".join(f"{string_literal(c.name)}: 'VARCHAR'" for c in columns)
        try:
            self.con.execute(
                f"INSERT INTO {target} SELECT * FROM read_csv({string_literal(_readable_path(path))}, "
                f"columns = {{{spec}}}, header = true, auto_detect = false, strict_mode = true)"
            )
        except duckdb.Error as exc:
            raise LoadError(f"defects ledger: loading {path} failed: {one_line(exc, limit=220)}.", REGENERATE) from None

    def _load_feed(self, feed: FeedLoad, progress: Collector, raw_text: bool = False) -> None:
        """Inside the load's transaction: the feed tables and the ledger made when missing (a feed table of the
        other layout, typed or text, is made anew and the feed restarts), the plan made from the ledger
        (``feed.plan``; a changed partition refused), changed partitions' rows deleted, new ones appended with
        the file each row came from, each file's rows checked, the ledger written."""
        con = self.con
        relaid = False
        for table in FEED_TABLES:
            columns = feed_columns(table, raw_text)
            found = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? "
                "AND table_name = ? ORDER BY ordinal_position",
                [self.raw_schema, table],
            ).fetchall()
            if found and [(n, t.upper()) for n, t in found] != [(c.name, c.sql_type) for c in columns]:
                con.execute(f"DROP TABLE {self._raw(table)}")
                relaid = True
            con.execute(f"CREATE TABLE IF NOT EXISTS {self._raw(table)} ({_definition(columns)})")
        ledger = self._raw(LEDGER_TABLE)
        con.execute(f"CREATE TABLE IF NOT EXISTS {ledger} ({_definition(LEDGER_COLUMNS)})")
        simulation = self._raw(SIMULATION_TABLE)
        con.execute(f"CREATE TABLE IF NOT EXISTS {simulation} ({_definition(SIMULATION_COLUMNS)})")
        stored = con.execute(f"SELECT simulation_id, described FROM {simulation}").fetchall()
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        if relaid or feed.restarts(stored[0][0] if stored else None):
            feed.restarted = (
                "files loaded as they are (--allow-edited)"
                if feed.replace_all
                else "the raw layer changed between typed and text"
                if relaid and not feed.restarts(stored[0][0] if stored else None)
                else f"a new simulation replaced the one loaded ({stored[0][1]})"
            )
            for table in (*FEED_TABLES, LEDGER_TABLE):
                con.execute(f"DELETE FROM {self._raw(table)}")
            built = con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'",
                [self.analytics_schema],
            ).fetchall()
            for (name,) in built:
                if name.lower() in FEED_DERIVED:  # rows of the old simulation's events: built anew by transform
                    con.execute(f"DELETE FROM {self.qualified(self.analytics_schema, name)}")
        if feed.simulation is not None and (not stored or feed.restarted is not None):
            con.execute(f"DELETE FROM {simulation}")
            con.execute(f"INSERT INTO {simulation} VALUES (?, ?, ?)", [*feed.simulation, now])
        cursor = con.execute(f"SELECT table_name, partition_date, file_name, rows, checksum FROM {ledger}")
        names = [d[0] for d in cursor.description]
        feed.plan = plan(
            feed.partitions,
            ledger_rows(dict(zip(names, r, strict=True)) for r in cursor.fetchall()),
            reload_changed=feed.reload_changed,
        )
        for part in feed.plan.replaced:
            con.execute(f'DELETE FROM {self._raw(part.table)} WHERE "{SOURCE_FILE_COLUMN}" = ?', [part.file_name])
            con.execute(f"DELETE FROM {ledger} WHERE table_name = ? AND partition_date = ?", [part.table, part.day])
        seconds: dict[str, float] = {}
        for table in FEED_TABLES:
            parts = [p for p in feed.plan.to_load if p.table == table]
            if not parts:
                continue
            started = time.perf_counter()
            progress.update(table, 0, total=sum(p.rows for p in parts))
            for fmt in ("csv", "parquet"):
                chosen = [p for p in parts if p.format == fmt]
                if chosen:
                    try:
                        con.execute(self._feed_insert(table, fmt, chosen, raw_text))
                    except duckdb.Error as exc:
                        raise LoadError(
                            f"{table}: loading feed partitions failed: {one_line(exc, limit=220)}.", REGENERATE
                        ) from None
            counts = dict(
                con.execute(
                    f'SELECT "{SOURCE_FILE_COLUMN}", count(*) FROM {self._raw(table)} '
                    f'WHERE "{SOURCE_FILE_COLUMN}" IN (SELECT unnest(?)) GROUP BY 1',
                    [[p.file_name for p in parts]],
                ).fetchall()
            )
            for part in parts:
                if int(counts.get(part.file_name, 0)) != part.rows:
                    raise LoadError(
                        f"{table}: loaded {int(counts.get(part.file_name, 0)):,} rows from {part.path} "
                        f"but it has {part.rows:,}.",
                        REGENERATE,
                    )
            progress.update(table, sum(p.rows for p in parts))
            seconds[table] = time.perf_counter() - started
        if feed.plan.to_load:
            con.executemany(
                f"INSERT INTO {ledger} VALUES (?, ?, ?, ?, ?, ?, ?)",
                [[p.table, p.day, p.file_name, p.rows, p.checksum, now, feed.run_id] for p in feed.plan.to_load],
            )
        totals = {t: int(con.execute(f"SELECT count(*) FROM {self._raw(t)}").fetchall()[0][0]) for t in FEED_TABLES}
        feed.finish(totals, seconds)

    def _raw(self, table: str) -> str:
        return self.qualified(self.raw_schema, check_identifier(table, "table name"))

    def _feed_insert(self, table: str, fmt: str, parts: Sequence[Partition], raw_text: bool = False) -> str:
        """INSERT of partition files of one format: typed (or text) columns (as ``_load_sql``), and each row's
        file."""
        columns = load_columns(FEED_COLUMNS[table], raw_text)
        names = [check_identifier(c.name, "column name") for c in columns]
        types = [check_sql_type(c.sql_type) for c in columns]
        paths = "[" + ", ".join(string_literal(_readable_path(p.path)) for p in parts) + "]"
        mapping = ", ".join(f"({string_literal(_readable_path(p.path))}, {string_literal(p.file_name)})" for p in parts)
        if fmt == "csv":
            spec = ", ".join(f"{string_literal(n)}: {string_literal(t)}" for n, t in zip(names, types, strict=True))
            reader = (
                f"read_csv({paths}, columns = {{{spec}}}, header = true, delim = ',', quote = '\"', "
                "escape = '\"', dateformat = '%Y-%m-%d', timestampformat = '%Y-%m-%d %H:%M:%S', "
                "auto_detect = false, strict_mode = true, null_padding = false, ignore_errors = false, "
                "encoding = 'utf-8', filename = true)"
            )
            select = ", ".join(f'r."{n}"' for n in names)
        else:
            reader = f"read_parquet({paths}, filename = true)"
            select = ", ".join(f'CAST(r."{n}" AS {t})' for n, t in zip(names, types, strict=True))
        return (
            f"INSERT INTO {self._raw(table)} SELECT {select}, m.rel FROM {reader} AS r "
            f"JOIN (VALUES {mapping}) AS m(path, rel) ON r.filename = m.path"
        )

    def _load_sql(self, source: SourceFile, raw_text: bool = False) -> tuple[str, str]:
        """CREATE OR REPLACE + INSERT ... SELECT for one table, every name and type checked (``raw_text``:
        every column VARCHAR and nullable, the values as delivered)."""
        columns = load_columns(RAW_COLUMNS[source.table], raw_text)
        target = self.qualified(self.raw_schema, check_identifier(source.table, "table name"))
        names = [check_identifier(c.name, "column name") for c in columns]
        types = [check_sql_type(c.sql_type) for c in columns]
        definition = ", ".join(
            f'"{n}" {t}{"" if c.nullable else " NOT NULL"}' for n, t, c in zip(names, types, columns, strict=True)
        )
        create = f"CREATE OR REPLACE TABLE {target} ({definition})"
        path = string_literal(_readable_path(source.path))
        if source.format == "csv":
            spec = ", ".join(f"{string_literal(n)}: {string_literal(t)}" for n, t in zip(names, types, strict=True))
            reader = (
                f"read_csv({path}, columns = {{{spec}}}, header = true, delim = ',', quote = '\"', "
                "escape = '\"', dateformat = '%Y-%m-%d', timestampformat = '%Y-%m-%d %H:%M:%S', "
                "auto_detect = false, strict_mode = true, null_padding = false, ignore_errors = false, "
                "encoding = 'utf-8')"
            )
            select = "*"
        else:
            reader = f"read_parquet({path})"
            select = ", ".join(f'CAST("{n}" AS {t}) AS "{n}"' for n, t in zip(names, types, strict=True))
        insert = f"INSERT INTO {target} SELECT {select} FROM {reader}"
        return create, insert


# Characters DuckDB reads specially in a database path: '?' starts options (its WAL file lands elsewhere), a
# backslash is a folder separator to it.
_UNSAFE_PATH_CHARS = ("?", "\\")


def _readable_path(path: Path) -> str:
    """``path`` as DuckDB's file readers take it: absolute (no leading ~ to expand), and refused when it holds a
    character their glob patterns read specially."""
    text = str(path.absolute())
    unsafe = [c for c in ("*", "?", "[", "\\") if c in text]
    if unsafe:
        raise ConfigError(
            f"The file path {text} contains {unsafe[0]!r}, which DuckDB reads as a pattern.",
            "Use an output folder (--out) without * ? [ or \\ in its path.",
        )
    return text


def _usable_file(settings: Settings) -> Path:
    """The DuckDB file's path, refused (``ConfigError``) when DuckDB would keep nothing or read it as another."""
    chosen = settings.duckdb_path
    setting = "HOSPITAL_DUCKDB_PATH" if chosen is not None else "--out / HOSPITAL_OUTPUT_DIR"
    if chosen is not None and str(chosen).strip().lower().startswith(":memory:"):
        raise ConfigError(
            "HOSPITAL_DUCKDB_PATH=:memory: keeps nothing: every step opens the warehouse anew, so a load would be lost.",
            "Unset HOSPITAL_DUCKDB_PATH (default <output folder>/hospital.duckdb) or point it at a file.",
        )
    path = Path(settings.duckdb_file)
    unsafe = [c for c in _UNSAFE_PATH_CHARS if c in str(path)]
    if unsafe:
        raise ConfigError(
            f"The DuckDB file path {path} contains {unsafe[0]!r}, which DuckDB reads specially ({setting}).",
            f"Choose a path without ? or \\ ({setting}).",
        )
    return path


def _definition(columns: Sequence[Column]) -> str:
    """A CREATE TABLE column list: checked names and types, NOT NULL unless schema.py marks the column nullable."""
    return ", ".join(
        f'"{check_identifier(c.name, "column name")}" {check_sql_type(c.sql_type)}{"" if c.nullable else " NOT NULL"}'
        for c in columns
    )


def _export_columns(schema: pa.Schema) -> str:
    """Every export column cast to its export type and rounded as its ``round`` metadata says."""
    return ", ".join(f"{_export_value(f)} AS {_quote(f.name)}" for f in schema)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _export_value(field: pa.Field) -> str:
    """A column cast to its export type, rounded as the field's ``round`` metadata says (see exports.writers)."""
    value = f"CAST({_quote(field.name)} AS {_duckdb_type(field.type)})"
    digits = (field.metadata or {}).get(b"round")
    return f"ROUND({value}, {int(digits)})" if digits else value


def _duckdb_type(t: pa.DataType) -> str:
    """The DuckDB type an export column is cast to (``exports.writers.export_schema`` chose the Arrow type)."""
    import pyarrow as pa

    if pa.types.is_int64(t):
        return "BIGINT"
    if pa.types.is_float64(t):
        return "DOUBLE"
    if pa.types.is_decimal(t):
        return f"DECIMAL({t.precision},{t.scale})"
    if pa.types.is_date32(t):
        return "DATE"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_string(t):
        return "VARCHAR"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ" if t.tz else "TIMESTAMP"
    raise ExportError(f"Column type {t} cannot be exported.", "Cast the column in the dbt model to a plain type.")
