"""Export helpers: settings for a marts file, reading exported files back, comparing them with the warehouse."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from hospital_analytics.config import Settings
from hospital_analytics.exports import writers


def duckdb_settings(out: Path, duckdb_file: Path, **extra) -> Settings:
    return Settings(output_dir=out, duckdb_path=duckdb_file, warehouse="duckdb", **extra)


def warehouse_table(wh, schema: str, table: str) -> pa.Table:
    """A warehouse table with its export types (what the files should hold)."""
    data = wh.query_arrow(f"SELECT * FROM {wh.qualified(schema, table)}")
    return writers.rounded(data, writers.export_schema(data.schema))


def read_back(path: Path, fmt: str, schema: pa.Schema) -> pa.Table:
    """An exported file as an Arrow table (CSV parsed with ``schema``'s types; the others keep their own)."""
    if fmt in ("csv", "dashboard-csv"):
        options = pacsv.ConvertOptions(column_types=schema, strings_can_be_null=True)
        return pacsv.read_csv(path, convert_options=options)
    if fmt == "parquet":
        return pq.read_table(path)
    if fmt == "hyper":
        import pantab

        return pantab.frame_from_hyper(path, table=("Extract", "Extract"), return_type="pyarrow")
    raise ValueError(fmt)


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by([(name, "ascending") for name in table.schema.names])


def assert_same_rows(actual: pa.Table, expected: pa.Table, what: str) -> None:
    """Same column names, same values row for row (order-insensitive), comparable types."""
    assert actual.schema.names == expected.schema.names, f"{what}: columns differ"
    assert actual.num_rows == expected.num_rows, f"{what}: {actual.num_rows} rows, expected {expected.num_rows}"
    actual = actual.cast(expected.schema)
    a, e = _sorted(actual), _sorted(expected)
    for name in expected.schema.names:
        left, right = a.column(name).to_pylist(), e.column(name).to_pylist()
        if pa.types.is_floating(expected.schema.field(name).type):
            for x, y in zip(left, right, strict=True):
                assert (x is None and y is None) or abs(x - y) <= 1e-9 * max(1.0, abs(y)), f"{what}.{name}: {x} != {y}"
        else:
            assert left == right, f"{what}.{name} differs"
