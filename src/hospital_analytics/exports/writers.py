"""Writers from a warehouse query to one file: gzip CSV, Parquet and Tableau Hyper.

Two ways to move the rows, both streaming (memory stays bounded whatever the table's size):

* a format the warehouse writes itself (``Warehouse.native_export_formats``: DuckDB's Parquet, with its own
  ``COPY (SELECT ...) TO``) is written inside the engine (``Warehouse.export_native``);
* everything else: ``Warehouse.arrow_batches`` (Snowflake's ``fetch_arrow_batches``), each batch written as it
  arrives: CSV text compressed as gzip members on worker threads, pyarrow's Parquet writer, or, for Hyper, one
  Arrow stream handed to pantab.

Every file goes through ``fsutil.atomic_path``: written under a temporary name beside the final one and
renamed only when complete. Column types are made warehouse-neutral first (``export_schema``) so the same
table gives the same file types from DuckDB and from Snowflake.
"""

from __future__ import annotations

import collections
import concurrent.futures
import importlib
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from hospital_analytics.errors import ConfigError, ExportError
from hospital_analytics.fsutil import atomic_path

if TYPE_CHECKING:
    import pyarrow as pa

    from hospital_analytics.warehouse.base import Warehouse

HYPER_TABLE = ("Extract", "Extract")  # Tableau's convention for an extract's single table
TABLEAU_EXTRA_HINT = "pip install 'hospital-analytics[tableau]'"
PARQUET_COMPRESSION = "zstd"
# Rows per Parquet row group; memory follows it (measured at 10M stays, bench/bench_export.py). The Arrow
# stream buffers one group: 500k rows, 0.67 GB peak, file 169 MB (1M: 0.77 GB, 159 MB; 250k: 0.55 GB, 186 MB).
PARQUET_ROW_GROUP = 500_000
MAX_DECIMAL_PRECISION = 18  # wider decimals (Snowflake's AVG: NUMBER(38,6)) become DOUBLE
GZIP_LEVEL = (
    3  # 1M stays: 27% less export time than level 6 for CSV files 22% larger (level 1: no faster here, 37% larger)
)
GZIP_THREADS = max(1, min(4, os.cpu_count() or 1))
GZIP_IN_FLIGHT = 2 * GZIP_THREADS  # batches formatted and waiting for compression, at most


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


# Exported numbers are rounded to what they mean: rates and shares to 4 decimals, every other fractional
# number (days, census, money kept as DOUBLE) to 2. Money columns that are DECIMAL(p,2) keep their scale.
RATE_WORDS = ("rate", "share", "mortality", "proportion")
ROUND_KEY = b"round"  # field metadata: the decimals a DOUBLE column is rounded to (read by export_select too)


def export_digits(name: str) -> int:
    """The decimals a fractional export column keeps: 4 for rates and shares, 2 for the rest."""
    return 4 if any(word in name.lower() for word in RATE_WORDS) else 2


def export_schema(schema: pa.Schema) -> pa.Schema:
    """Warehouse-neutral export types: int64 integers, DOUBLE for wide decimals, date32, plain strings. Each
    DOUBLE column carries the decimals it is rounded to (metadata ``round``; ``export_digits``)."""
    import pyarrow as pa

    fields = []
    for f in schema:
        name, kind = f.name.lower(), _export_type(f.type)
        meta = {ROUND_KEY: str(export_digits(name)).encode()} if pa.types.is_float64(kind) else None
        fields.append(pa.field(name, kind, metadata=meta))
    return pa.schema(fields)


def rounded(data: Any, schema: pa.Schema) -> Any:
    """A batch or table cast to ``schema``, its DOUBLE columns rounded as marked (ties up, as SQL ROUND does for the non-negative numbers exported)."""
    import pyarrow.compute as pc

    if data.schema != schema:
        data = data.cast(schema)
    columns = list(data.columns)
    for i, f in enumerate(schema):
        if f.metadata and ROUND_KEY in f.metadata:
            columns[i] = pc.round(columns[i], int(f.metadata[ROUND_KEY]), round_mode="half_towards_infinity")
    return type(data).from_arrays(columns, schema=schema)


# --- writers ----------------------------------------------------------------------------------------------


@dataclass
class Written:
    path: Path
    rows: int
    bytes: int


class MultiStream:
    """The batches of ``queries`` run one after the other, cast to ``schema``, counting rows; keeps the first
    error raised while streaming (a native writer pulling the batches would otherwise replace it with its own,
    vaguer one)."""

    def __init__(self, wh: Warehouse, queries: list[str], schema: pa.Schema):
        self.wh, self.queries, self.schema = wh, queries, schema
        self.rows = 0
        self.error: BaseException | None = None

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        try:
            for sql in self.queries:
                for batch in self.wh.arrow_batches(sql):
                    if batch.schema.names != self.schema.names:
                        batch = batch.rename_columns([n.lower() for n in batch.schema.names])
                    if batch.schema != self.schema:
                        batch = batch.cast(self.schema)
                    batch = rounded(batch, self.schema)
                    self.rows += batch.num_rows
                    yield batch
        except GeneratorExit:  # the consumer stopped early: not an error of the stream
            raise
        except BaseException as exc:
            self.error = exc
            raise


class _Stream(MultiStream):
    """One query's batches (see ``MultiStream``)."""

    def __init__(self, wh: Warehouse, sql: str, schema: pa.Schema):
        super().__init__(wh, [sql], schema)
        self.sql = sql


def _io_error(path: Path, exc: BaseException) -> ExportError:
    reason = getattr(exc, "strerror", None) or (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return ExportError(
        f"Writing {path} failed: {reason}.", "Check the free space and permissions of the export folder."
    )


def write_csv(wh: Warehouse, sql: str, schema: pa.Schema, path: Path, *, gzip: bool = True) -> Written:
    """A CSV file (header row, comma separated, UTF-8, ISO dates), gzip-compressed when ``gzip``."""
    import pyarrow as pa

    stream = _Stream(wh, sql, schema)
    try:
        with atomic_path(path) as tmp:
            (gzip_csv_to if gzip else plain_csv_to)(iter(stream), schema, tmp)
    except (OSError, pa.ArrowException) as exc:
        raise _io_error(path, exc) from None
    return Written(path, stream.rows, path.stat().st_size)


def gzip_csv_to(batches: Iterator[pa.RecordBatch], schema: pa.Schema, tmp: Path) -> None:
    """``batches`` as gzip CSV at ``tmp`` (see ``write_csv``)."""
    _write_gzip_members(_csv_chunks(batches, schema), tmp)


def plain_csv_to(batches: Iterator[pa.RecordBatch], schema: pa.Schema, tmp: Path) -> None:
    """``batches`` as plain CSV at ``tmp`` (see ``write_csv``)."""
    with open(tmp, "wb") as out:
        for chunk in _csv_chunks(batches, schema):
            out.write(chunk)


def _csv_chunks(stream: Iterable[pa.RecordBatch], schema: pa.Schema) -> Iterator[bytes]:
    """The CSV text: the header line (column names are plain identifiers: never quoted), then each batch's
    rows (text quoted, as pyarrow does for every string; numbers, dates and booleans bare; NULL empty)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    yield (",".join(schema.names) + "\n").encode("utf-8")
    options = pacsv.WriteOptions(include_header=False, delimiter=",", quoting_style="needed")
    for batch in stream:
        buffer = pa.BufferOutputStream()
        pacsv.write_csv(defuse_formulas(batch), buffer, write_options=options)
        yield buffer.getvalue().to_pybytes()


# A text cell a spreadsheet would run as a formula (OWASP "CSV Injection"): it starts with one of these.
FORMULA_START = r"^[=+\-@\t\r]"


def defuse_formulas(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Text cells starting with = + - @, a tab or a carriage return get a leading ``'`` (OWASP's advice), so a
    spreadsheet shows them as text instead of running them. CSV only: Parquet and Hyper keep exact values, and
    numbers (a negative amount) are never touched."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = list(batch.columns)
    changed = False
    for index, field in enumerate(batch.schema):
        if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)):
            continue
        risky = pc.fill_null(pc.match_substring_regex(columns[index], FORMULA_START), False)
        if pc.any(risky).as_py():
            quoted = pc.binary_join_element_wise(pa.scalar("'", field.type), columns[index], "")
            columns[index] = pc.if_else(risky, quoted, columns[index])
            changed = True
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema) if changed else batch


def _gzip_member(data: bytes) -> bytes:
    """One complete gzip member (zlib releases the GIL, so members compress in parallel threads)."""
    z = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    return z.compress(data) + z.flush()


def _write_gzip_members(chunks: Iterator[bytes], path: Path) -> None:
    """Each chunk compressed as its own gzip member on a worker thread, members written in order.

    A sequence of gzip members is one valid gzip file (RFC 1952; gzip, Python, pandas, pyarrow, DuckDB and
    Snowflake read it whole). At most ``GZIP_IN_FLIGHT`` chunks are held at a time: memory stays bounded.
    """
    with open(path, "wb") as out, concurrent.futures.ThreadPoolExecutor(GZIP_THREADS) as pool:
        pending: collections.deque = collections.deque()
        for chunk in chunks:
            pending.append(pool.submit(_gzip_member, chunk))
            while len(pending) >= GZIP_IN_FLIGHT:
                out.write(pending.popleft().result())
        while pending:
            out.write(pending.popleft().result())


def write_parquet(wh: Warehouse, sql: str, schema: pa.Schema, path: Path) -> Written:
    """A Parquet file (zstd), row groups of ``PARQUET_ROW_GROUP`` rows."""
    import pyarrow as pa

    stream = _Stream(wh, sql, schema)
    try:
        with atomic_path(path) as tmp:
            if "parquet" in wh.native_export_formats:
                stream.rows = wh.export_native(sql, tmp, "parquet")
            else:
                parquet_to(iter(stream), schema, tmp)
    except (OSError, pa.ArrowException) as exc:
        raise _io_error(path, exc) from None
    return Written(path, stream.rows, path.stat().st_size)


def parquet_to(batches: Iterator[pa.RecordBatch], schema: pa.Schema, tmp: Path) -> None:
    """``batches`` as Parquet (zstd) at ``tmp``: row groups of exactly ``PARQUET_ROW_GROUP`` rows (the last
    one shorter), whatever the batches' sizes, so the same rows give the same file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with pq.ParquetWriter(str(tmp), schema, compression=PARQUET_COMPRESSION) as writer:
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        wrote = False
        for batch in batches:
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= PARQUET_ROW_GROUP:
                table = pa.Table.from_batches(pending, schema)
                full = pending_rows - pending_rows % PARQUET_ROW_GROUP
                writer.write_table(table.slice(0, full), PARQUET_ROW_GROUP)
                wrote = True
                rest = table.slice(full)
                pending, pending_rows = rest.to_batches(), rest.num_rows
        if pending_rows or not wrote:
            writer.write_table(pa.Table.from_batches(pending, schema), PARQUET_ROW_GROUP)


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
            hyper_to(iter(stream), schema, tmp, pantab)
    except Exception as exc:
        if stream.error is not None:  # the warehouse failed while pantab was pulling batches
            raise stream.error from None
        if isinstance(exc, (OSError, RuntimeError, ValueError, TypeError, pa.ArrowException)):
            raise _io_error(path, exc) from None
        raise
    return Written(path, stream.rows, path.stat().st_size)


def hyper_to(batches: Iterator[pa.RecordBatch], schema: pa.Schema, tmp: Path, pantab: ModuleType | None = None) -> None:
    """``batches`` as a Hyper extract at ``tmp``, in this process (pantab holds the GIL meanwhile)."""
    import pyarrow as pa

    if pantab is None:
        try:
            pantab = import_pantab()
        except ImportError:
            raise missing_pantab_error() from None
    pantab.frame_to_hyper(pa.RecordBatchReader.from_batches(schema, batches), tmp, table=HYPER_TABLE)
