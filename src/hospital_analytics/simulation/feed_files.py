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

from hospital_analytics.schema import FEED_COLUMNS
from hospital_analytics.simulation import tables as t
from hospital_analytics.simulation.writer import open_table

FEED_TABLES: tuple[str, ...] = tuple(FEED_COLUMNS)
DAY = 86_400
PREFIX = "date="


def iso(day: int) -> str:
    return (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat()


def partition(root: Path, table: str, day: int) -> Path:
    """The folder of ``table``'s partition of ``day`` (a day number) under the feed folder ``root``."""
    return root / table / f"{PREFIX}{iso(day)}"


def partition_file(root: Path, table: str, day: int, fmt: str) -> Path:
    return partition(root, table, day) / f"{table}_{iso(day)}.{fmt}"


def recorded_days(events: pa.Table) -> np.ndarray:
    """The partition day of each event: the date of its recorded_at."""
    seconds = events.column("recorded_at").combine_chunks().cast(pa.int64()).to_numpy()
    return seconds // DAY


def write_partitions(root: Path, table: str, events: pa.Table, first: int, last: int, formats: tuple[str, ...]) -> None:
    """Write ``table``'s partitions of days ``first``..``last`` from ``events`` (sorted by recorded_at)."""
    days = recorded_days(events)
    bounds = np.searchsorted(days, np.arange(first, last + 2), side="left")
    for i, day in enumerate(range(first, last + 1)):
        folder = partition(root, table, day)
        folder.mkdir(parents=True, exist_ok=True)
        chunk = events.slice(int(bounds[i]), int(bounds[i + 1] - bounds[i]))
        paths = {fmt: partition_file(root, table, day, fmt) for fmt in formats}
        with open_table(t.write_schema(table), t.arrow_schema(table), paths) as write:
            write(chunk)


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
