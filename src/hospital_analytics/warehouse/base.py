"""The ``Warehouse`` protocol every step talks to: DuckDB (embedded) and Snowflake implement it.

Every difference between the two warehouses lives behind it (as ``adapter.dispatch`` macros hold them on the
dbt side): whether there is anything to read yet, row counts, dbt's profile environment, how export reads a
table and which files the engine writes itself, how the warehouse is described to people. No module outside
``warehouse/`` asks which warehouse it has.

Readers get the same shape from both warehouses, so one piece of code reads both:

- column names in lower case (Snowflake answers in upper case);
- Arrow integers as ``int64`` (Snowflake sends narrower ints and ``NUMBER(38,0)``), dates as ``date32``;
- ``query_df``: decimals as ``float64`` and dates as ``datetime64``.

Open one with ``hospital_analytics.warehouse.open_warehouse(settings)``; it is connected and is a context
manager. Table names go through ``wh.qualified(schema, table)``, which checks and quotes them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from hospital_analytics.exports.fanout import ExportReads
    from hospital_analytics.progress import Collector
    from hospital_analytics.warehouse.common import TableStats
    from hospital_analytics.warehouse.feed import FeedLoad
    from hospital_analytics.warehouse.sources import SourceFile


@runtime_checkable
class Warehouse(Protocol):
    """A connection to one warehouse, used as a context manager (``with open_warehouse(s) as wh``).

    Implementations are built as ``cls(settings, *, read_only=False)``: every identifier is checked then
    (``ConfigError``), nothing is connected yet; ``read_only`` only reads (the data must exist; DuckDB then
    lets several readers share the file).
    """

    name: str  # "duckdb" or "snowflake": HOSPITAL_WAREHOUSE, and the dbt target
    database: str  # Snowflake: the database; DuckDB: the file's path
    catalog: str  # what SQL qualifies names with: Snowflake's database, DuckDB's catalog (the file's stem)
    raw_schema: str  # schema the raw tables are loaded into (HOSPITAL_RAW_SCHEMA)
    analytics_schema: str  # schema dbt builds the marts in (HOSPITAL_ANALYTICS_SCHEMA)
    native_export_formats: frozenset[str]  # export formats the engine writes itself (``export_native``)

    def check_settings(self) -> None:
        """Check what can be checked without connecting (credentials set, a key file readable): ``ConfigError``."""

    def ensure_exists(self) -> None:
        """Raise ``StepOrderError`` (the same message for every step) when the warehouse holds nothing yet;
        never creates anything. DuckDB: the file is missing. Snowflake: nothing to check before connecting
        (a missing database shows as missing tables)."""

    def describe(self) -> str:
        """Where the data is, for people (no secrets): "DuckDB file out/hospital.duckdb", "Snowflake account Y,
        database X"."""

    def profile_env(self) -> dict[str, str | None]:
        """The environment variables dbt's ``profiles.yml`` reads for this warehouse (None = not set: removed from
        dbt's environment, so the profile's default applies). Secrets included: for the dbt run's environment
        only, never for printing."""

    def dbt_connections(self) -> contextlib.AbstractContextManager[None]:
        """A block during which dbt runs in this process: the connections dbt's adapter opens get this
        warehouse's time limits (Snowflake); nothing to do for DuckDB."""

    def profile_hint(self) -> str:
        """The variables plain dbt needs to reach this warehouse, as a hint shows them (no secrets)."""

    def dbt_error_hint(self, message: str) -> str | None:
        """A hint for a dbt model error this warehouse explains (DuckDB: out of its memory limit), else None."""

    def connect(self) -> None:
        """Open the connection (raises ``WarehouseError`` with a clear message and hint)."""

    def close(self) -> None:
        """Close the connection; safe to call twice."""

    def __enter__(self) -> Warehouse: ...

    def __exit__(self, *exc: object) -> None: ...

    def ensure_database_and_schemas(self) -> None:
        """Create the database and the RAW and ANALYTICS schemas when missing."""

    def qualified(self, schema: str, table: str) -> str:
        """A checked, quoted, fully qualified table name safe to put in SQL for this warehouse."""

    def table_exists(self, schema: str, table: str) -> bool:
        """Whether ``schema.table`` exists (a table or a view)."""

    def row_counts(self, schema: str, tables: Sequence[str]) -> dict[str, int]:
        """Rows in each of ``tables`` (one round trip, no pandas or pyarrow import)."""

    def load_tables(
        self,
        sources: Mapping[str, SourceFile],
        progress: Collector,
        feed: FeedLoad | None = None,
        *,
        raw_text: bool = False,
        defects: Path | None = None,
    ) -> dict[str, TableStats]:
        """Replace the RAW tables with the given files and append the feed's new partitions, all or none;
        per-table stats. ``raw_text`` (data with defects, docs/design/defects.md): every raw column is VARCHAR
        and nullable, and the ledger file ``defects`` replaces RAW.defects_ledger (dropped without raw text).

        Each table's loaded row count is checked against ``SourceFile.rows`` before anything is
        committed; a mismatch or a bad file raises ``LoadError`` and leaves the previous tables as they were.
        ``feed`` (``feed.py``): inside the same transaction, the ledger is read, ``feed.plan`` made from it (a
        partition changed since it was loaded raises ``LoadError``), the new partitions appended and recorded,
        ``feed.stats`` filled.
        """

    def execute(self, sql: str) -> None:
        """Run one statement that returns nothing of interest (DDL, DML)."""

    def query_df(self, sql: str) -> pd.DataFrame:
        """Run a query; a DataFrame with lower-case column names."""

    def query_arrow(self, sql: str) -> pa.Table:
        """Run a query; an Arrow table with lower-case column names (empty results keep their columns)."""

    def arrow_batches(self, sql: str) -> Iterator[pa.RecordBatch]:
        """Run a query and stream its result as Arrow record batches (bounded memory; empty batches skipped)."""

    # --- export ----------------------------------------------------------------------------------------
    def prepare_export(self) -> None:
        """Session settings for reading whole tables in a fixed order (DuckDB: let big sorts spill to disk)."""

    def export_select(self, qualified: str, schema: pa.Schema) -> str:
        """The query reading a table with the export types of ``schema`` (``exports.writers.export_schema``),
        rows in a fixed order (every column, left to right), so the same marts export to the same bytes."""

    def export_reads(self, qualified: str, schema: pa.Schema) -> ExportReads:
        """How to read a whole table once for export (``exports.fanout.ExportReads``): the queries, in order,
        whose results are ``export_select``'s rows in ``export_select``'s order when the first column is unique
        (checked by the caller), and ``export_select`` itself as the fallback."""

    def export_native(self, sql: str, target: Path, fmt: str) -> int:
        """Write ``sql``'s rows to ``target`` in ``fmt`` (one of ``native_export_formats``) inside the engine;
        the number of rows written."""
