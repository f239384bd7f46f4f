"""Writers from a warehouse query to one file: gzip CSV, Parquet and Tableau Hyper.

Two ways to move the rows, both streaming (memory stays bounded whatever the table's size):

* DuckDB: its own ``COPY (SELECT ...) TO`` writes CSV (gzip) and Parquet inside the database engine.
* Any warehouse (Snowflake, and DuckDB for Hyper): ``Warehouse.arrow_batches`` (Snowflake's
  ``fetch_arrow_batches``), each batch written as it arrives with pyarrow's CSV and Parquet writers or, for
  Hyper, handed to pantab as one Arrow stream.

Every file goes through ``fsutil.atomic_path``: written under a temporary name beside the final one and
renamed only when complete. Column types are made warehouse-neutral first (``export_schema``) so the same
table gives the same file types from DuckDB and from Snowflake.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from hospital_analytics.errors import ConfigError, ExportError
from hospital_analytics.fsutil import atomic_path
from hospital_analytics.warehouse.identifiers import string_literal

if TYPE_CHECKING:
    import pyarrow as pa

    from hospital_analytics.warehouse.base import Warehouse

HYPER_TABLE = ("Extract", "Extract")  # Tableau's convention for an extract's single table
TABLEAU_EXTRA_HINT = "pip install 'hospital-analytics[tableau]'"
PARQUET_COMPRESSION = "zstd"
PARQUET_ROW_GROUP = 1_000_000  # rows per Parquet row group from the streaming writer
MAX_DECIMAL_PRECISION = 18  # wider decimals (Snowflake's AVG: NUMBER(38,6)) become DOUBLE


def import_pantab() -> ModuleType:
    """The pantab module (the ``tableau`` extra). Raises ``ImportError`` when it is not installed."""
    return importlib.import_module("pantab")


def pantab_available() -> bool:
    try:
        import_pantab()
    except ImportError:
        return False
    return True


def missing_pantab_error() -> ConfigError:
    return ConfigError(
        "Hyper export needs pantab, which is not installed (the optional 'tableau' extra).",
        f"Install it with `{TABLEAU_EXTRA_HINT}`, or choose --format csv or parquet.",
    )


# --- types ------------------------------------------------------------------------------------------------


def _export_type(t: pa.DataType) -> pa.DataType:
    import pyarrow as pa

    if pa.types.is_integer(t):
        return pa.int64()
    if pa.types.is_decimal(t):
        if t.scale == 0:
            return pa.int64()
        if t.precision > MAX_DECIMAL_PRECISION:
            return pa.float64()
        return t
    if pa.types.is_floating(t):
        return pa.float64()
    if pa.types.is_large_string(t) or getattr(pa.types, "is_string_view", lambda _: False)(t):
        return pa.string()
    if pa.types.is_date(t):
        return pa.date32()
    if pa.types.is_timestamp(t):
        return pa.timestamp("us", tz=t.tz)
    return t


def export_schema(schema: pa.Schema) -> pa.Schema:
    """Warehouse-neutral export types: int64 integers, DOUBLE for wide decimals, date32, plain strings."""
    import pyarrow as pa

    return pa.schema([pa.field(f.name.lower(), _export_type(f.type)) for f in schema])


def _duckdb_type(t: pa.DataType) -> str:
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


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def select_sql(wh: Warehouse, qualified: str, schema: pa.Schema) -> str:
    """The query reading a table with its export types (explicit casts on DuckDB; Snowflake: ``SELECT *``)."""
    if wh.name != "duckdb":
        return f"SELECT * FROM {qualified}"
    columns = ", ".join(f"CAST({_quote(f.name)} AS {_duckdb_type(f.type)}) AS {_quote(f.name)}" for f in schema)
    return f"SELECT {columns} FROM {qualified}"


# --- writers ----------------------------------------------------------------------------------------------


@dataclass
class Written:
    path: Path
    rows: int
    bytes: int


class _Stream:
    """The query's batches cast to ``schema``, counting rows; keeps the first error raised while streaming
    (a native writer pulling the batches would otherwise replace it with its own, vaguer one)."""

    def __init__(self, wh: Warehouse, sql: str, schema: pa.Schema):
        self.wh, self.sql, self.schema = wh, sql, schema
        self.rows = 0
        self.error: BaseException | None = None

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        try:
            for batch in self.wh.arrow_batches(self.sql):
                if batch.schema.names != self.schema.names:
                    batch = batch.rename_columns([n.lower() for n in batch.schema.names])
                if batch.schema != self.schema:
                    batch = batch.cast(self.schema)
                self.rows += batch.num_rows
                yield batch
        except BaseException as exc:
            self.error = exc
            raise


def _io_error(path: Path, exc: BaseException) -> ExportError:
    reason = getattr(exc, "strerror", None) or (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return ExportError(f"Writing {path} failed: {reason}.", "Check the free space and permissions of the export folder.")


def write_csv(wh: Warehouse, sql: str, schema: pa.Schema, path: Path, *, gzip: bool = True) -> Written:
    """A CSV file (header row, comma separated, UTF-8, ISO dates), gzip-compressed when ``gzip``."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    stream = _Stream(wh, sql, schema)
    try:
        with atomic_path(path) as tmp:
            if wh.name == "duckdb":
                compression = "gzip" if gzip else "none"
                wh.execute(f"COPY ({sql}) TO {string_literal(str(tmp))} "
                           f"(FORMAT csv, HEADER true, DELIMITER ',', COMPRESSION {compression})")
                stream.rows = _count(wh, sql)
            else:
                sink = pa.CompressedOutputStream(str(tmp), "gzip") if gzip else pa.OSFile(str(tmp), "wb")
                with sink, pacsv.CSVWriter(sink, schema, write_options=_csv_options()) as writer:
                    for batch in stream:
                        writer.write_batch(batch)
    except (OSError, pa.ArrowException) as exc:
        raise _io_error(path, exc) from None
    return Written(path, stream.rows, path.stat().st_size)


def _csv_options():
    import pyarrow.csv as pacsv

    return pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")


def write_parquet(wh: Warehouse, sql: str, schema: pa.Schema, path: Path) -> Written:
    """A Parquet file (zstd), row groups of up to ``PARQUET_ROW_GROUP`` rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    stream = _Stream(wh, sql, schema)
    try:
        with atomic_path(path) as tmp:
            if wh.name == "duckdb":
                wh.execute(f"COPY ({sql}) TO {string_literal(str(tmp))} "
                           f"(FORMAT parquet, COMPRESSION {PARQUET_COMPRESSION}, ROW_GROUP_SIZE {PARQUET_ROW_GROUP})")
                stream.rows = _count(wh, sql)
            else:
                with pq.ParquetWriter(str(tmp), schema, compression=PARQUET_COMPRESSION) as writer:
                    pending: list[pa.RecordBatch] = []
                    pending_rows = 0
                    for batch in stream:
                        pending.append(batch)
                        pending_rows += batch.num_rows
                        if pending_rows >= PARQUET_ROW_GROUP:
                            writer.write_table(pa.Table.from_batches(pending, schema), PARQUET_ROW_GROUP)
                            pending, pending_rows = [], 0
                    if pending or stream.rows == 0:
                        writer.write_table(pa.Table.from_batches(pending, schema), PARQUET_ROW_GROUP)
    except (OSError, pa.ArrowException) as exc:
        raise _io_error(path, exc) from None
    return Written(path, stream.rows, path.stat().st_size)


def write_hyper(wh: Warehouse, sql: str, schema: pa.Schema, path: Path) -> Written:
    """A Tableau Hyper extract with one table, ``"Extract"."Extract"``, streamed through pantab."""
    import pyarrow as pa

    try:
        pantab = import_pantab()
    except ImportError:
        raise missing_pantab_error() from None
    stream = _Stream(wh, sql, schema)
    try:
        with atomic_path(path) as tmp:
            reader = pa.RecordBatchReader.from_batches(schema, iter(stream))
            pantab.frame_to_hyper(reader, tmp, table=HYPER_TABLE)
    except Exception as exc:
        if stream.error is not None:  # the warehouse failed while pantab was pulling batches
            raise stream.error from None
        if isinstance(exc, (OSError, RuntimeError, ValueError, TypeError, pa.ArrowException)):
            raise _io_error(path, exc) from None
        raise
    return Written(path, stream.rows, path.stat().st_size)


def _count(wh: Warehouse, sql: str) -> int:
    table = wh.query_arrow(f"SELECT count(*) AS n FROM ({sql}) AS t")
    return int(table.column(0)[0].as_py())
