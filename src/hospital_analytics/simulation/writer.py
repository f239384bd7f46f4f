"""Writing the raw files (all tables of schema.py): streamed in chunks, CSV via pyarrow.csv and Parquet via pyarrow, atomically.

A run's files are one unit: each format's files are written into a private folder that takes the place of
``data/<format>/`` in one rename once every file is complete (``staged_raw_files``, ``fsutil.replaced_dir``),
so a reader sees the previous set or the new one, never a mix. The manifest is removed just before the
switch and written last, so a manifest always describes the complete set of files under the final names.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from hospital_analytics.errors import GenerateError, InputError
from hospital_analytics.fsutil import atomic_path, remove_stale_temporaries, replaced_dir, temporary_name
from hospital_analytics.layout import OutputLayout
from hospital_analytics.schema import RAW_COLUMNS

TABLES: tuple[str, ...] = tuple(RAW_COLUMNS)  # every table of the contract, in schema order

CSV_OPTIONS = pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed", batch_size=8192)
PARQUET_COMPRESSION = "zstd"


def _blocking_ancestor(folder: Path) -> tuple[Path, str] | None:
    """Why ``folder`` could not be created or written, without creating anything (None: looks fine)."""
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                return path, "file"
            if not os.access(path, os.W_OK | os.X_OK):
                return path, "read-only"
            return None
    return None


def prepare_output(layout: OutputLayout, formats: tuple[str, ...]) -> None:
    """Check every folder generate writes to, then create them (nothing is created if a check fails).

    Raises:
        InputError: the output folder (or a folder inside it) is a file, not writable, or cannot be made.
    """
    root = layout.root
    folders = [layout.data_dir] + [layout.csv_dir if fmt == "csv" else layout.parquet_dir for fmt in formats]
    hint = "Choose another folder with --out (or HOSPITAL_OUTPUT_DIR)."
    for folder in (root, *folders):
        problem = _blocking_ancestor(folder)
        if problem is None:
            continue
        path, kind = problem
        if kind == "file":
            where = "is a file" if path == root else f"cannot be created: {path} is a file"
            raise InputError(f"The output folder {root} {where}.", hint)
        raise InputError(f"The output folder {root} is not writable ({path} is read-only).", hint)
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"The output folder {root} is not writable (creating {folder} failed: {exc.strerror or exc}).", hint
            ) from None
        remove_stale_temporaries(folder)
    remove_stale_temporaries(layout.data_dir)  # private folders of a killed run


@contextlib.contextmanager
def staged_raw_files(layout: OutputLayout, formats: tuple[str, ...]) -> Iterator[Callable[[str], dict[str, Path]]]:
    """Yield ``paths(table)``: where each format's file of ``table`` is written, in private folders. When the
    block succeeds, the manifest is removed and each folder replaces ``data/<format>/`` in one rename."""
    with contextlib.ExitStack() as stack:
        folders = {
            fmt: stack.enter_context(replaced_dir(layout.csv_dir if fmt == "csv" else layout.parquet_dir))
            for fmt in formats
        }

        def paths(table: str) -> dict[str, Path]:
            return {fmt: folder / targets(layout, table, (fmt,))[fmt].name for fmt, folder in folders.items()}

        yield paths
        with contextlib.suppress(FileNotFoundError):
            layout.manifest.unlink()  # written again last, once the new set is in place


def targets(layout: OutputLayout, table: str, formats: tuple[str, ...]) -> dict[str, Path]:
    return {fmt: layout.csv(table) if fmt == "csv" else layout.parquet(table) for fmt in formats}


@contextlib.contextmanager
def open_table(schema: pa.Schema, plain: pa.Schema, paths: dict[str, Path]) -> Iterator[Callable[[pa.Table], None]]:
    """Yield ``write(table_chunk)`` appending to every format's file; rename all into place on success.

    Chunks come with text as dictionary arrays (``schema``): the CSV writer prints them directly; Parquet
    gets plain strings (``plain``) and dictionary-encodes them itself, deterministically and compactly.
    """
    with contextlib.ExitStack() as stack:
        writers: list[tuple[Any, pa.Schema | None]] = []
        try:
            for fmt, final in paths.items():
                temporary = stack.enter_context(atomic_path(final))
                if fmt == "csv":
                    writers.append((pacsv.CSVWriter(str(temporary), schema, write_options=CSV_OPTIONS), None))
                else:
                    writers.append((pq.ParquetWriter(str(temporary), plain, compression=PARQUET_COMPRESSION), plain))

            def write(chunk: pa.Table) -> None:
                for writer, cast_to in writers:
                    writer.write_table(chunk if cast_to is None else chunk.cast(cast_to))

            yield write
        except OSError as exc:
            raise GenerateError(
                f"Writing {', '.join(str(p) for p in paths.values())} failed: {exc.strerror or exc}.",
                "Check free disk space and the output folder, then run again.",
            ) from None
        finally:
            for writer, _ in writers:
                writer.close()


def write_tables(
    tables: tuple[str, ...],
    builders: dict[str, Callable[[], Iterator[pa.Table]]],
    schemas: Callable[[str], tuple[pa.Schema, pa.Schema]],
    staged: Callable[[str], dict[str, Path]],
    chunk_rows: int,
    keep: bool,
    jobs: int = 1,
    done: Callable[[], None] | None = None,
    opener: Callable[..., Any] | None = None,
) -> tuple[dict[str, int], dict[str, pa.Table]]:
    """Build and write every table (each to its own files), ``jobs`` tables at a time on threads.

    Each file is written by one thread from its own builder, so its bytes never depend on ``jobs``; Arrow's
    CSV and Parquet writers release the GIL, so a second core writes one table while another is built.
    Returns the rows per table and, with ``keep``, the tables themselves (small runs). ``opener`` stands in
    for ``open_table`` (tests make it fail halfway).
    """
    opener = opener or open_table

    def one(table: str) -> tuple[int, pa.Table | None]:
        rows, parts = 0, []
        write_schema, plain = schemas(table)
        with opener(write_schema, plain, staged(table)) as write:
            for chunk in builders[table]():
                for a in range(0, max(chunk.num_rows, 1), chunk_rows):
                    write(chunk.slice(a, chunk_rows))
                rows += chunk.num_rows
                if keep:
                    parts.append(chunk)
                del chunk
        kept = (pa.concat_tables(parts) if len(parts) > 1 else parts[0]) if keep else None
        if done is not None:
            done()
        return rows, kept

    if jobs > 1:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=min(jobs, len(tables)), thread_name_prefix="write")
        try:
            results = list(pool.map(one, tables))
        finally:  # on an error or Ctrl-C: tables not begun are not begun; the caller discards the private folder
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        results = [one(table) for table in tables]
    rows = {table: n for table, (n, _) in zip(tables, results, strict=True)}
    kept = {table: k for table, (_, k) in zip(tables, results, strict=True) if k is not None}
    return rows, kept


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def remove_other_formats(layout: OutputLayout, formats: tuple[str, ...]) -> None:
    """Remove the raw files of a format this run did not write (left by an earlier run; they would disagree):
    the folder is moved aside in one rename first, so no reader sees part of that set."""
    for fmt, folder in (("csv", layout.csv_dir), ("parquet", layout.parquet_dir)):
        if fmt in formats or not folder.is_dir() or folder.is_symlink():
            continue
        if not any(folder.glob(f"*.{fmt}")):
            continue
        aside = temporary_name(folder, "old")
        os.rename(folder, aside)
        shutil.rmtree(aside, ignore_errors=True)
