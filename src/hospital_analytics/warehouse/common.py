"""Pieces both warehouses share: one-line error text, Arrow/pandas normalisation, per-table stats, and the part
of dbt's profile environment that does not depend on the warehouse."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from hospital_analytics.config import Settings

MAX_MESSAGE = 300

_NOISE = (
    re.compile(r"^\d{6}( \(\w{5}\))?:\s*"),  # Snowflake's "100038 (22018): " / "250001: " prefix
    re.compile(r"^SQL compilation error:\s*", re.IGNORECASE),
    re.compile(r"^(IO|Conversion|Invalid Input|Binder|Catalog|Parser|Constraint) Error:\s*"),
)
_SKIP_LINE = re.compile(
    r"^(\s*$|\s*(Runtime|Database|Compilation|Parsing) Error\s*$|LINE \d+:|Original Line:|\s*\^|Possible (solutions|fixes)|\s*file = |\*|"
    r"Column \S+ is being converted|This type was|"
    r"If you would like to continue loading|  (delimiter|quote|escape|new_line|header|skip_rows|comment|"
    r"strict_mode|date_format|timestamp_format|null_padding|sample_size|ignore_errors|all_varchar) =)"
)


def one_line(message: object, secrets: Iterable[str | None] = (), limit: int = MAX_MESSAGE) -> str:
    """Reduce a driver's (often multi-line) error text to one line without secrets.

    Keeps the first informative lines (the error and, when given, where it happened), drops SQL echo,
    caret markers and advice, blanks every secret value, and cuts the result at ``limit`` characters.
    """
    text = str(message)
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, "***")
    kept: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        for pattern in _NOISE:
            line = pattern.sub("", line)
        if not line or _SKIP_LINE.match(raw) or _SKIP_LINE.match(line):
            continue
        kept.append(line.rstrip("."))
        if len(kept) == 3:
            break
    result = "; ".join(kept) if kept else text.strip()
    result = re.sub(r"\s+", " ", result)
    if len(result) > limit:
        result = result[: limit - 3].rstrip() + "..."
    return result


def dbt_profile_env(settings: Settings) -> dict[str, str]:
    """The ``HOSPITAL_*`` variables ``profiles.yml`` reads whatever the warehouse (each warehouse adds its own)."""
    return {
        "HOSPITAL_WAREHOUSE": settings.warehouse,
        "HOSPITAL_OUTPUT_DIR": str(settings.output_dir),
        "HOSPITAL_ANALYTICS_DB": settings.analytics_db,
        "HOSPITAL_RAW_SCHEMA": settings.raw_schema,
        "HOSPITAL_ANALYTICS_SCHEMA": settings.analytics_schema,
        "HOSPITAL_DBT_THREADS": str(settings.dbt_threads),
    }


@dataclasses.dataclass
class TableStats:
    """What loading one table did."""

    table: str
    rows: int  # rows now in the warehouse table
    source_rows: int  # data rows counted in the source file(s)
    bytes_staged: int  # bytes read (DuckDB) or uploaded to the stage (Snowflake, compressed)
    files: int  # files read or staged (Snowflake: chunks)
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


def lower_names(table: pa.Table | pa.RecordBatch) -> pa.Table | pa.RecordBatch:
    """The same table with lower-case column names (Snowflake returns upper case)."""
    names = [name.lower() for name in table.schema.names]
    if names == table.schema.names:
        return table
    return table.rename_columns(names)


def _normalised_type(arrow_type: pa.DataType) -> pa.DataType | None:
    """Integers become int64 and scale-0 decimals int64, so both warehouses give the same Arrow types."""
    import pyarrow as pa

    if pa.types.is_integer(arrow_type) and arrow_type != pa.int64():
        return pa.int64()
    if pa.types.is_decimal(arrow_type) and arrow_type.scale == 0:
        # Snowflake's NUMBER(38,0) (counts, ids); the cast is checked, so an overflow raises
        return pa.int64()
    if pa.types.is_date64(arrow_type):
        return pa.date32()
    return None


def normalise_arrow(table: pa.Table | pa.RecordBatch) -> pa.Table | pa.RecordBatch:
    """Lower-case names and warehouse-neutral types (see ``_normalised_type``)."""
    import pyarrow as pa

    table = lower_names(table)
    fields = []
    changed = False
    for field in table.schema:
        target = _normalised_type(field.type)
        if target is not None:
            changed = True
            field = pa.field(field.name, target, field.nullable)
        fields.append(field.remove_metadata())
    schema = pa.schema(fields)
    if changed:
        return table.cast(schema, safe=True)
    if table.schema.metadata or any(f.metadata for f in table.schema):
        return table.cast(schema)
    return table


def _decimal_to_float(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Decimals as the nearest float64 (through text: pyarrow's direct cast can miss by one ulp,
    e.g. 31819.17 -> 31819.170000000002)."""
    import pyarrow as pa

    return column.cast(pa.string()).cast(pa.float64())


def arrow_to_df(table: pa.Table) -> pd.DataFrame:
    """A DataFrame from an Arrow table: decimals as float64, dates as datetime64, lower-case names."""
    import pyarrow as pa

    table = normalise_arrow(table)
    for index, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            table = table.set_column(index, field.name, _decimal_to_float(table.column(index)))
    return table.to_pandas(date_as_object=False)


def batches_of(tables: Iterable[pa.Table | pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Record batches out of tables or batches, normalised like ``normalise_arrow``."""
    import pyarrow as pa

    for item in tables:
        item = normalise_arrow(item)
        if isinstance(item, pa.RecordBatch):
            if item.num_rows:
                yield item
        else:
            yield from (batch for batch in item.to_batches() if batch.num_rows)
