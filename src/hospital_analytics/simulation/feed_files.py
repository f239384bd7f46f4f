"""The feed's partition files: ``data/feed/<table>/date=YYYY-MM-DD/<table>_YYYY-MM-DD.<csv|parquet>``.

One partition per simulated day and table, empty ones included (a header only), rows in (recorded_at,
event_id) order. ``generate`` writes them all into a private folder that replaces ``data/feed`` in one rename;
``advance`` writes the new days' partitions privately, then moves each into place (``install``), leaving the
earlier days' files as they were.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from hospital_analytics.errors import GenerateError
from hospital_analytics.schema import FEED_COLUMNS
from hospital_analytics.simulation import tables as t
from hospital_analytics.simulation.feed import Events
from hospital_analytics.simulation.writer import PARQUET_COMPRESSION

FEED_TABLES: tuple[str, ...] = tuple(FEED_COLUMNS)
DAY = 86_400
PREFIX = "date="
BLOCK_ROWS = 100_000


def iso(day: int) -> str:
    return (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat()


def partition(root: Path, table: str, day: int) -> Path:
    """The folder of ``table``'s partition of ``day`` (a day number) under the feed folder ``root``."""
    return root / table / f"{PREFIX}{iso(day)}"


def partition_file(root: Path, table: str, day: int, fmt: str) -> Path:
    return partition(root, table, day) / f"{table}_{iso(day)}.{fmt}"


def write_partitions(
    root: Path,
    events: Events,
    first: int,
    last: int,
    formats: tuple[str, ...],
    schemas: tuple[pa.Schema, pa.Schema] | None = None,
) -> None:
    """Write the partitions of days ``first``..``last`` of ``events`` (in file order) under ``root``, a private
    folder. Blocks of about ``BLOCK_ROWS`` rows are built at a time; a block's CSV is written once and cut
    at its line ends into the days' files (no value holds a line break: codes, places, payers). ``schemas``:
    (the blocks' schema, Parquet's), default the table's typed ones (text when defects are on)."""
    table = events.name
    days = events.recorded // DAY
    bounds = np.searchsorted(days, np.arange(first, last + 2), side="left")
    written, plain = schemas or (t.write_schema(table), t.arrow_schema(table))
    header = _csv(written.empty_table(), header=True)
    day = first
    try:
        while day <= last:
            end = day
            while end < last and bounds[end + 1 - first + 1] - bounds[day - first] <= BLOCK_ROWS:
                end += 1
            a, b = int(bounds[day - first]), int(bounds[end - first + 1])
            block = events.table(a, b)
            if "csv" in formats:
                text = _csv(block, header=False)
                ends = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == 10) + 1
                if len(ends) != b - a:
                    raise AssertionError(f"{table}: a value holds a line break")
                cuts = np.concatenate([[0], ends])
            for d in range(day, end + 1):
                lo, hi = int(bounds[d - first]) - a, int(bounds[d - first + 1]) - a
                partition(root, table, d).mkdir(parents=True, exist_ok=True)
                if "csv" in formats:
                    with open(partition_file(root, table, d, "csv"), "wb") as handle:
                        handle.write(header)
                        handle.write(text[cuts[lo] : cuts[hi]])
                if "parquet" in formats:
                    chunk = block.slice(lo, hi - lo).cast(plain)
                    pq.write_table(chunk, partition_file(root, table, d, "parquet"), compression=PARQUET_COMPRESSION)
            day = end + 1
    except OSError as exc:
        raise GenerateError(
            f"Writing the feed under {root} failed: {exc.strerror or exc}.",
            "Check free disk space and the output folder, then run again.",
        ) from None


def _csv(table: pa.Table, *, header: bool) -> bytes:
    sink = pa.BufferOutputStream()
    options = pacsv.WriteOptions(include_header=header, delimiter=",", quoting_style="needed", batch_size=8192)
    pacsv.write_csv(table, sink, write_options=options)
    return sink.getvalue().to_pybytes()


def install(staged: Path, final: Path, first: int, last: int) -> None:
    """Move the partitions written under ``staged`` into ``final`` (replacing any of the same day), then remove
    partitions of days outside ``first``..``last`` (left by an interrupted run that went further)."""
    keep = {f"{PREFIX}{iso(day)}" for day in range(first, last + 1)}
    for table in FEED_TABLES:
        target = final / table
        target.mkdir(parents=True, exist_ok=True)
        source = staged / table
        for folder in sorted(source.iterdir()) if source.is_dir() else []:
            shutil.rmtree(target / folder.name, ignore_errors=True)
            os.rename(folder, target / folder.name)
        for folder in target.iterdir():
            if folder.name.startswith(PREFIX) and folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)
