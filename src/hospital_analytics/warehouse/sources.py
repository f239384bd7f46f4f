"""The files ``load`` reads: which format, whether all four are there, and how many rows each holds.

Format choice (documented in the README):

- ``HOSPITAL_FORMAT=csv`` (the default): CSV, falling back to Parquet when only Parquet was generated;
- ``HOSPITAL_FORMAT=parquet``: Parquet, falling back to CSV;
- ``HOSPITAL_FORMAT=both``: Parquet on DuckDB (typed and compact: the fastest load), CSV on Snowflake
  (split on line boundaries into chunks for a parallel COPY).

A format is used only when all four files are there. Every file is checked before any SQL runs: a CSV's
header must list schema.py's columns in order and its last line must be complete; a Parquet file must
hold every column. ``data/manifest.json`` (written by generate, last) must list every file with its rows
and bytes, or the set is refused (``--allow-edited`` loads files as they are); a file of another size, or
another number of rows, is refused; a CSV file of the recorded size is taken to
hold the recorded rows (not counted again: a pass over the file saved); otherwise its lines are counted
here. The load then checks the rows the warehouse loaded against that number, table by table.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path
from typing import Literal

from hospital_analytics.errors import LoadError, StepOrderError
from hospital_analytics.layout import RAW_TABLES, OutputLayout
from hospital_analytics.schema import RAW_COLUMNS, column_names

Format = Literal["csv", "parquet"]
_CHUNK = 16 * 1024 * 1024
REGENERATE = "Regenerate the files with `hospital generate` (same --out), then run `hospital load` again."


@dataclasses.dataclass(frozen=True)
class SourceFile:
    """One raw table's file, checked and counted."""

    table: str
    path: Path
    format: Format
    rows: int  # data rows (header excluded)
    bytes: int
    rows_from: str = "file"  # "file" (counted here, or Parquet metadata) or "manifest" (generate's record)

    def rows_text(self) -> str:
        """How many rows the file holds, and who says so, for messages."""
        return f"{self.path} has {self.rows:,}" + (" (per data/manifest.json)" if self.rows_from == "manifest" else "")


def format_order(preferred: str, warehouse: str) -> tuple[Format, Format]:
    """Formats to try, best first, for ``HOSPITAL_FORMAT`` = ``preferred`` on ``warehouse``."""
    if preferred == "parquet" or (preferred == "both" and warehouse == "duckdb"):
        return ("parquet", "csv")
    return ("csv", "parquet")


def _path(layout: OutputLayout, table: str, fmt: Format) -> Path:
    return layout.csv(table) if fmt == "csv" else layout.parquet(table)


EDITED_HINT = (
    "Run `hospital generate` again (same --out), or load the files as they are with `hospital load --allow-edited`."
)


def find_sources(
    layout: OutputLayout, preferred: str = "csv", warehouse: str = "duckdb", *, allow_edited: bool = False
) -> dict[str, SourceFile]:
    """The four raw files, checked and counted.

    A set is loaded only when ``data/manifest.json`` lists each of its files with the rows and bytes it has
    (generate writes it last: without it the set may be incomplete or mixed); ``allow_edited`` loads the
    files as they are (edited or written by hand), counting their rows.

    Raises:
        StepOrderError: no complete set of files (generate has not run for this output folder).
        LoadError: a file is there but unusable (header, truncated last line, count differs from manifest), or
            the manifest is missing or does not list the file (without ``allow_edited``).
    """
    order = format_order(preferred, warehouse)
    for fmt in order:
        paths = {table: _path(layout, table, fmt) for table in RAW_TABLES}
        if all(path.is_file() for path in paths.values()):
            manifest = {} if allow_edited else layout.read_manifest()
            if manifest is None:
                raise LoadError(
                    f"{layout.manifest} is missing or unreadable: the files in {paths['patients'].parent} may be "
                    "an incomplete or mixed set (a generate that did not finish, or files written by hand).",
                    EDITED_HINT,
                )
            if not allow_edited:
                for table, path in paths.items():
                    if _expected(manifest, table, path)[0] is None:
                        raise LoadError(
                            f"{table}: {layout.manifest} does not list {path.parent.name}/{path.name} "
                            "(the set was not written by this generate).",
                            EDITED_HINT,
                        )
            return {table: _check(table, path, fmt, manifest) for table, path in paths.items()}
    first = order[0]
    missing = [str(_path(layout, t, first)) for t in RAW_TABLES if not _path(layout, t, first).is_file()]
    raise StepOrderError(
        f"No generated data to load: {', '.join(missing[:2])}{' and more' if len(missing) > 2 else ''} missing.",
        f"Run `hospital generate --out {layout.root}` first (or point --out at the folder generate wrote).",
    )


def _expected(manifest: dict, table: str, path: Path) -> tuple[int | None, int | None]:
    """(rows, bytes) generate recorded for this file, when the manifest has them."""
    files = manifest.get("files")
    entry = files.get(f"{path.parent.name}/{path.name}") if isinstance(files, dict) else None
    if isinstance(entry, dict):
        rows, size = entry.get("rows"), entry.get("bytes")
    else:
        table_rows = manifest.get("rows")
        rows, size = (table_rows.get(table) if isinstance(table_rows, dict) else None), None
    valid = [v if isinstance(v, int) and not isinstance(v, bool) else None for v in (rows, size)]
    return valid[0], valid[1]


def _check(table: str, path: Path, fmt: Format, manifest: dict) -> SourceFile:
    size = path.stat().st_size
    expected_rows, expected_bytes = _expected(manifest, table, path)
    stale = " (Or load the files as they are with `hospital load --allow-edited`.)"
    if fmt == "csv":
        # Counting lines costs a pass over the file; generate's record of a file of the very same size
        # gives the same number, and the warehouse's own count is checked against it either way.
        recorded = expected_rows is not None and expected_bytes == size
        counted = _check_csv(table, path, count=not recorded)
        rows = counted if counted is not None else expected_rows
        assert rows is not None  # not counted only when the manifest recorded it
    else:
        rows, counted = _check_parquet(table, path), 0
    if expected_bytes is not None and expected_bytes != size:
        raise LoadError(
            f"{table}: {path} has {size:,} bytes but data/manifest.json says {expected_bytes:,} "
            "(changed since generate wrote it).",
            REGENERATE + stale,
        )
    if expected_rows is not None and expected_rows != rows:
        raise LoadError(
            f"{table}: {path} has {rows:,} rows but data/manifest.json says {expected_rows:,}.", REGENERATE + stale
        )
    return SourceFile(
        table=table,
        path=path,
        format=fmt,
        rows=rows,
        bytes=size,
        rows_from="manifest" if fmt == "csv" and counted is None else "file",
    )


def _check_csv(table: str, path: Path, *, count: bool = True, expected: list[str] | None = None) -> int | None:
    """Check the header and that the file ends with a line end; the number of data lines when ``count``."""
    expected = column_names(table) if expected is None else expected
    newlines = None
    try:
        with open(path, "rb") as handle:
            header = handle.readline()
            if count:
                newlines = header.count(b"\n")
                while chunk := handle.read(_CHUNK):
                    if b"\x00" in chunk:  # a NUL byte: refused, never loaded (text fields would keep it)
                        line = newlines + chunk[: chunk.index(b"\x00")].count(b"\n") + 1
                        raise LoadError(f"{table}: {path} line {line:,} holds a NUL byte.", REGENERATE)
                    newlines += chunk.count(b"\n")
            handle.seek(0, 2)
            end = handle.tell()
            handle.seek(max(end - 1, 0))
            last = handle.read(1)
    except OSError as exc:
        raise LoadError(
            f"{table}: cannot read {path}: {exc.strerror or exc}.", "Check the file's permissions."
        ) from None
    names = next(csv.reader([header.decode("utf-8", errors="replace").rstrip("\r\n")]), [])
    if names != expected:
        missing = [c for c in expected if c not in names]
        extra = [c for c in names if c not in expected]
        detail = (
            f"missing column(s) {', '.join(missing)}"
            if missing
            else f"unexpected column(s) {', '.join(extra)}"
            if extra
            else "columns in another order"
        )
        raise LoadError(
            f"{table}: {path} header does not match the {table} schema ({detail}).",
            REGENERATE,
        )
    if count and table in RAW_COLUMNS:
        _check_decimals(table, path)
    if not header.endswith(b"\n"):
        raise LoadError(f"{table}: {path} has a header but no line end (empty or truncated file).", REGENERATE)
    if last != b"\n":
        raise LoadError(f"{table}: {path} ends in the middle of a line (truncated file?).", REGENERATE)
    return None if newlines is None else newlines - 1


def _check_decimals(table: str, path: Path) -> None:
    """A money value with more decimals than its column keeps is refused (the warehouse would round it)."""
    import re

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    scales = {c.name: int(m[1]) for c in RAW_COLUMNS[table] if (m := re.fullmatch(r"DECIMAL\(\d+,(\d+)\)", c.sql_type))}
    if not scales:
        return
    try:
        data = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                include_columns=list(scales), column_types=dict.fromkeys(scales, pa.string())
            ),
        )
    except (OSError, pa.ArrowException):
        return  # the warehouse's typed reader reports it, naming the line
    for name, scale in scales.items():
        odd = pc.match_substring_regex(data[name], rf"\.\d{{{scale + 1},}}\s*$")
        hits = pc.indices_nonzero(pc.fill_null(odd, False))
        if len(hits):
            row = int(hits[0].as_py())
            raise LoadError(
                f"{table}: {path} line {row + 2:,}: {name} {data[name][row].as_py()!r} has more than {scale} decimals "
                "(it would be rounded).",
                "Round the value to cents in the file (or regenerate it), then load again.",
            )


def _check_csv_feed(table: str, path: Path, expected: list[str]) -> int:
    """A feed partition's CSV checked like a raw file (header in ``expected``'s order, complete last line); its
    data rows."""
    rows = _check_csv(table, path, count=True, expected=expected)
    assert rows is not None
    return rows


def _check_parquet_columns(table: str, path: Path, expected: list[str]) -> int:
    """A feed partition's Parquet file: readable, every column of ``expected`` there; its rows."""
    return _check_parquet(table, path, expected)


def _check_parquet(table: str, path: Path, expected: list[str] | None = None) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except (OSError, pa.ArrowException) as exc:
        raise LoadError(
            f"{table}: {path} is not a readable Parquet file ({str(exc).splitlines()[0][:120]}).", REGENERATE
        ) from None
    names = set(meta.schema.names)
    missing = [c for c in (column_names(table) if expected is None else expected) if c not in names]
    if missing:
        raise LoadError(f"{table}: {path} lacks column(s) {', '.join(missing)}.", REGENERATE)
    return int(meta.num_rows)
