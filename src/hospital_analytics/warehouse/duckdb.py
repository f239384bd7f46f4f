"""DuckDB, the embedded default warehouse: one file (``HOSPITAL_DUCKDB_PATH``, default
``<out>/hospital.duckdb``) holding the RAW and ANALYTICS schemas.

Loading reads each file with an explicit, typed column list from ``schema.RAW_COLUMNS`` (CSV: header
skipped, ``YYYY-MM-DD`` dates, no auto-detection; Parquet: columns selected by name and cast), and replaces
all four tables inside one transaction: they are all replaced, or none is. Rows are inserted in parallel
without keeping the file's order (``preserve_insertion_order = false`` for the load only): order rows with
``ORDER BY`` when it matters.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from hospital_analytics.errors import LoadError, StepOrderError, WarehouseError
from hospital_analytics.fsutil import ensure_writable_dir
from hospital_analytics.schema import RAW_COLUMNS
from hospital_analytics.warehouse.common import TableStats, arrow_to_df, batches_of, normalise_arrow, one_line
from hospital_analytics.warehouse.identifiers import check_identifier, check_sql_type, quote, string_literal
from hospital_analytics.warehouse.sources import REGENERATE, SourceFile

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from hospital_analytics.config import Settings
    from hospital_analytics.progress import Progress

BATCH_ROWS = 100_000
_SCHEMA_SETTINGS = {"raw": "HOSPITAL_RAW_SCHEMA", "analytics": "HOSPITAL_ANALYTICS_SCHEMA"}
_LOCK = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


class DuckDBWarehouse:
    """The DuckDB file as a ``Warehouse``. ``read_only=True`` lets several readers share the file."""

    name = "duckdb"

    def __init__(self, settings: Settings, *, read_only: bool = False):
        self.path = Path(settings.duckdb_file)
        self.database = str(self.path)
        # Checked here, before any SQL can run.
        self.raw_schema = check_identifier(settings.raw_schema, "HOSPITAL_RAW_SCHEMA")
        self.analytics_schema = check_identifier(settings.analytics_schema, "HOSPITAL_ANALYTICS_SCHEMA")
        self.read_only = read_only
        self._con: duckdb.DuckDBPyConnection | None = None

    # --- connection --------------------------------------------------------------------------------
    def connect(self) -> None:
        if self._con is not None:
            return
        if self.read_only and not self.path.is_file():
            raise StepOrderError(
                f"The DuckDB warehouse {self.path} does not exist yet.",
                "Run `hospital load` first (or set HOSPITAL_DUCKDB_PATH / --out to where it was loaded).",
            )
        if not self.read_only:
            ensure_writable_dir(self.path.parent, "DuckDB folder")
        try:
            con = duckdb.connect(str(self.path), read_only=self.read_only)
        except duckdb.Error as exc:
            raise self._connect_error(exc) from None
        # DuckDB draws its own progress bar on stdout for long statements: the caller's Progress reports.
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
            reader = (
                relation.to_arrow_reader(BATCH_ROWS)
                if hasattr(relation, "to_arrow_reader")
                else relation.record_batch(BATCH_ROWS)
            )
        except duckdb.Error as exc:
            raise WarehouseError(f"DuckDB query failed: {one_line(exc)}.") from None
        return batches_of(reader)

    # --- load --------------------------------------------------------------------------------------
    def load_tables(self, sources: Mapping[str, SourceFile], progress: Progress) -> dict[str, TableStats]:
        """Replace the RAW tables in one transaction; see the module docstring."""
        statements = {table: self._load_sql(source) for table, source in sources.items()}  # all checked first
        stats: dict[str, TableStats] = {}
        con = self.con
        # Rows need not keep the file's order inside the table (every reader orders explicitly): letting
        # DuckDB's threads insert in any order saves about a tenth of the load's CPU time.
        con.execute("SET preserve_insertion_order = false")
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(self.raw_schema, 'HOSPITAL_RAW_SCHEMA')}")
            for table, source in sources.items():
                progress.start(table, total=source.rows)
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
                progress.advance(table, loaded)
                progress.finish(table)
            con.execute("COMMIT")
        except BaseException as exc:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            if isinstance(exc, duckdb.Error):
                raise LoadError(f"Loading into {self.path} failed: {one_line(exc)}.") from None
            raise
        finally:
            with contextlib.suppress(duckdb.Error):
                con.execute("RESET preserve_insertion_order")
        return stats

    def _load_sql(self, source: SourceFile) -> tuple[str, str]:
        """CREATE OR REPLACE + INSERT ... SELECT for one table, every name and type checked."""
        columns = RAW_COLUMNS[source.table]
        target = self.qualified(self.raw_schema, check_identifier(source.table, "table name"))
        names = [check_identifier(c.name, "column name") for c in columns]
        types = [check_sql_type(c.sql_type) for c in columns]
        definition = ", ".join(f'"{n}" {t}' for n, t in zip(names, types, strict=True))
        create = f"CREATE OR REPLACE TABLE {target} ({definition})"
        path = string_literal(str(source.path))
        if source.format == "csv":
            spec = ", ".join(f"{string_literal(n)}: {string_literal(t)}" for n, t in zip(names, types, strict=True))
            reader = (
                f"read_csv({path}, columns = {{{spec}}}, header = true, delim = ',', quote = '\"', "
                "escape = '\"', dateformat = '%Y-%m-%d', auto_detect = false, strict_mode = true, "
                "null_padding = false, ignore_errors = false, encoding = 'utf-8')"
            )
            select = "*"
        else:
            reader = f"read_parquet({path})"
            select = ", ".join(f'CAST("{n}" AS {t}) AS "{n}"' for n, t in zip(names, types, strict=True))
        insert = f"INSERT INTO {target} SELECT {select} FROM {reader}"
        return create, insert
