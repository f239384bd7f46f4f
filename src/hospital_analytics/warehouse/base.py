"""The ``Warehouse`` protocol every step talks to: DuckDB (embedded) and Snowflake implement it.

Readers get the same shape from both warehouses, so one piece of code reads both:

- column names in lower case (Snowflake answers in upper case);
- Arrow integers as ``int64`` (Snowflake sends narrower ints and ``NUMBER(38,0)``), dates as ``date32``;
- ``query_df``: decimals as ``float64`` and dates as ``datetime64``.

Open one with ``hospital_analytics.warehouse.open_warehouse(settings)``; it is connected and is a context
manager. Table names go through ``wh.qualified(schema, table)``, which checks and quotes them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from hospital_analytics.progress import Progress
    from hospital_analytics.warehouse.common import TableStats
    from hospital_analytics.warehouse.sources import SourceFile


@runtime_checkable
class Warehouse(Protocol):
    """A connection to one warehouse, used as a context manager (``with open_warehouse(s) as wh``)."""

    name: str  # "duckdb" or "snowflake"
    database: str  # Snowflake: the database; DuckDB: the file's path
    raw_schema: str  # schema the raw tables are loaded into (HOSPITAL_RAW_SCHEMA)
    analytics_schema: str  # schema dbt builds the marts in (HOSPITAL_ANALYTICS_SCHEMA)

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

    def load_tables(self, sources: Mapping[str, SourceFile], progress: Progress) -> dict[str, TableStats]:
        """Replace the RAW tables with the given files, all or none; per-table stats.

        Each table's loaded row count is checked against ``SourceFile.rows`` before anything is
        committed; a mismatch or a bad file raises ``LoadError`` and leaves the previous tables as they were.
        """

    def execute(self, sql: str) -> None:
        """Run one statement that returns nothing of interest (DDL, DML)."""

    def query_df(self, sql: str) -> pd.DataFrame:
        """Run a query; a DataFrame with lower-case column names."""

    def query_arrow(self, sql: str) -> pa.Table:
        """Run a query; an Arrow table with lower-case column names (empty results keep their columns)."""

    def arrow_batches(self, sql: str) -> Iterator[pa.RecordBatch]:
        """Run a query and stream its result as Arrow record batches (bounded memory; empty batches skipped)."""
