"""The ground-truth ledger beside the data: ``data/defects.csv`` (table_name, record_key, defect), one row per
injected defect, sorted by (table_name, defect, record_key as text); a header only when there are none."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from hospital_analytics.errors import GenerateError
from hospital_analytics.fsutil import atomic_path

FILE_NAME = "defects.csv"
COLUMNS = ("table_name", "record_key", "defect")


def ledger_path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def write_ledger(path: Path, rows: Iterable[tuple[str, str, str]]) -> None:
    """Write the ledger atomically (a reader finds the previous one or this one, whole)."""
    ordered = sorted(rows, key=lambda r: (r[0], r[2], r[1]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(ordered)
    try:
        with atomic_path(path) as temporary:
            temporary.write_text(buffer.getvalue(), encoding="utf-8")
    except OSError as exc:
        raise GenerateError(
            f"Writing {path} failed: {exc.strerror or exc}.", "Check free disk space and the output folder."
        ) from None


def read_ledger(path: Path) -> list[tuple[str, str, str]]:
    """The ledger's rows (tests and tools)."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        if tuple(header) != COLUMNS:
            raise ValueError(f"{path}: unexpected header {header}")
        return [(a, b, c) for a, b, c in reader]
