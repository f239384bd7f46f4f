"""One read of a table feeding every format's writer at once (``write_table``).

The warehouse reads each table once, in export order (``Warehouse.export_reads``); every batch goes to one
writer thread per file (gzip CSV, Parquet, Hyper, the dashboard's plain CSV), each behind a small bounded
queue, so the formats are written side by side and memory holds a few batches per writer, whatever the size.
pyarrow's CSV and Parquet writers and zlib release the GIL; pantab does not, so a big table's Hyper extract is
written by a child process fed an Arrow IPC stream through a pipe (``hyper_child``), and a small one in a thread.

When the reads are ordered by a key (``ExportReads.key``), the stream checks that the key strictly increases
over the whole table: a repeated or out-of-order key means the key is not unique, and the table is read again
ordered by every column (``ExportReads.fallback``), so the files always hold the same rows in one total order.
Every file is written under a temporary name and all of a table's files are renamed only when all succeeded.
"""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hospital_analytics.errors import HospitalError
from hospital_analytics.exports import writers
from hospital_analytics.fsutil import atomic_path

if TYPE_CHECKING:
    import pyarrow as pa

    from hospital_analytics.warehouse.base import Warehouse

QUEUE_BATCHES = 4  # batches waiting per writer, at most
# Tables with more rows than this get their Hyper extract from a child process (pantab holds the GIL while it
# inserts; a child costs ~0.4 s to start, which only pays for big tables). Measured with bench/bench_export.py.
HYPER_CHILD_ROWS = 200_000
HYPER_CHILD = ("-m", "hospital_analytics.exports.hyper_child")  # the child's command line after the interpreter


@dataclass
class ExportReads:
    """How a warehouse reads one table for export: ``queries`` whose results, one after the other, are the
    table in export order; ``key`` when that order is by this (first) column alone, which then must strictly
    increase (checked while streaming); ``fallback``: the query ordered by every column, used when it does not."""

    queries: list[str]
    rows: int | None = None  # rows in the table when the warehouse counted them (to choose how to write Hyper)
    key: str | None = None
    fallback: str | None = None


@dataclass
class Target:
    """One file to write from the table's batches."""

    format: str  # csv, parquet, hyper or dashboard-csv
    path: Path
    tmp: Path = field(init=False)


class _Unordered(Exception):
    """The key did not strictly increase: read the table again ordered by every column."""


class _Aborted(Exception):
    """The table's write was abandoned (another writer failed, or the stream must start again)."""


_END = object()
_ABORT = object()


class _Writer(threading.Thread):
    """A thread running ``consume(batches, tmp)`` on the batches put into its queue."""

    def __init__(self, target: Target, consume: Callable[[Iterator[pa.RecordBatch], Path], None]):
        super().__init__(name=f"export-{target.format}", daemon=True)
        self.target, self.consume = target, consume
        self.queue: queue.Queue = queue.Queue(QUEUE_BATCHES)
        self.error: BaseException | None = None
        self.ended = False  # the queue gave its last item (_END or _ABORT)
        self.aborted = False

    def batches(self) -> Iterator[pa.RecordBatch]:
        while not self.ended:
            item = self.queue.get()
            if item is _END or item is _ABORT:
                self.ended, self.aborted = True, item is _ABORT
            if item is _END:
                return
            if item is _ABORT:
                raise _Aborted
            yield item

    def run(self) -> None:
        try:
            self.consume(self.batches(), self.target.tmp)
            for _ in self.batches():  # a writer that stopped early still drains its queue
                pass
            if self.aborted:  # a writer (pantab) may take the aborted stream for a finished one
                raise _Aborted
        except BaseException as exc:
            self.error = exc
            with contextlib.suppress(queue.Empty):  # unblock the reader
                while True:
                    self.queue.get_nowait()

    def put(self, item: object) -> None:
        while True:
            if self.error is not None:
                raise _Aborted
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue


def _checked(batches: Iterator[pa.RecordBatch], key: str | None) -> Iterator[pa.RecordBatch]:
    """The batches, raising ``_Unordered`` as soon as ``key`` fails to strictly increase."""
    import pyarrow.compute as pc

    last = None
    for batch in batches:
        if key is not None and batch.num_rows:
            column = batch.column(key)
            if column.null_count or (
                batch.num_rows > 1 and not pc.all(pc.less(column.slice(0, batch.num_rows - 1), column.slice(1))).as_py()
            ):
                raise _Unordered
            first = column[0].as_py()
            if last is not None and first <= last:
                raise _Unordered
            last = column[batch.num_rows - 1].as_py()
        yield batch


def write_table(
    wh: Warehouse, reads: ExportReads, schema: pa.Schema, targets: Sequence[Target]
) -> dict[str, writers.Written]:
    """Write one table to every target from a single read; ``{format: Written}``. Raises ``ExportError``
    (nothing half-written: on any failure no target is replaced)."""
    try:
        return _write_once(wh, reads.queries, reads, schema, targets, key=reads.key)
    except _Unordered:
        assert reads.fallback is not None
        return _write_once(wh, [reads.fallback], reads, schema, targets, key=None)


def _write_once(
    wh: Warehouse,
    queries: list[str],
    reads: ExportReads,
    schema: pa.Schema,
    targets: Sequence[Target],
    key: str | None,
) -> dict[str, writers.Written]:
    stream = writers.MultiStream(wh, queries, schema)
    with contextlib.ExitStack() as stack:
        for target in targets:
            target.tmp = stack.enter_context(atomic_path(target.path))
        pool = [_Writer(t, _consumer(t, schema, reads.rows)) for t in targets]
        for w in pool:
            w.start()
        source = iter(stream)
        try:
            for batch in _checked(source, key):
                for w in pool:
                    w.put(batch)
            for w in pool:
                w.put(_END)
        except BaseException:
            source.close()  # type: ignore[attr-defined]  # releases the warehouse's open result
            for w in pool:
                with contextlib.suppress(_Aborted):
                    w.put(_ABORT)
            for w in pool:
                w.join()
            failed = next((w for w in pool if w.error is not None and not isinstance(w.error, _Aborted)), None)
            if failed is not None and stream.error is None:
                raise _writer_error(failed) from None
            raise
        for w in pool:
            w.join()
        failed = next((w for w in pool if w.error is not None), None)
        if failed is not None:
            raise _writer_error(failed) from None
        if reads.rows is not None and key is not None and stream.rows != reads.rows:
            raise _Unordered  # a key range missed rows (cannot happen with a non-null key; read it whole)
    return {t.format: writers.Written(t.path, stream.rows, t.path.stat().st_size) for t in targets}


def _writer_error(w: _Writer) -> BaseException:
    import pyarrow as pa

    exc = w.error
    assert exc is not None
    if isinstance(exc, HospitalError):
        return exc
    if isinstance(exc, (OSError, RuntimeError, ValueError, TypeError, pa.ArrowException)):
        return writers._io_error(w.target.path, exc)
    return exc


def _consumer(target: Target, schema: pa.Schema, rows: int | None) -> Callable[[Iterator[Any], Path], None]:
    fmt = target.format
    if fmt == "csv":
        return lambda batches, tmp: writers.gzip_csv_to(batches, schema, tmp)
    if fmt == "dashboard-csv":
        return lambda batches, tmp: writers.plain_csv_to(batches, schema, tmp)
    if fmt == "parquet":
        return lambda batches, tmp: writers.parquet_to(batches, schema, tmp)
    if fmt == "hyper":
        if rows is not None and rows > HYPER_CHILD_ROWS:
            return lambda batches, tmp: hyper_in_child(batches, schema, tmp)
        return lambda batches, tmp: writers.hyper_to(batches, schema, tmp)
    raise ValueError(f"unknown export format {fmt}")


def hyper_in_child(batches: Iterator[pa.RecordBatch], schema: pa.Schema, tmp: Path) -> None:
    """The Hyper extract written by ``python -m hospital_analytics.exports.hyper_child tmp``, fed Arrow IPC."""
    import pyarrow as pa

    writers.import_pantab()  # missing pantab: the same error as in this process
    child = subprocess.Popen(
        [sys.executable, *HYPER_CHILD, str(tmp)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stderr is not None
    errors: list[bytes] = []
    reader = threading.Thread(target=lambda: errors.append(child.stderr.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        try:
            with pa.ipc.new_stream(child.stdin, schema) as sink:
                for batch in batches:
                    sink.write_batch(batch)
        finally:
            with contextlib.suppress(OSError):
                child.stdin.close()
    except (BrokenPipeError, OSError, pa.ArrowException):
        pass  # the child failed: its own message follows
    except BaseException:
        child.kill()
        child.wait()
        raise
    status = child.wait()
    reader.join()
    if status != 0:
        lines = [line for line in b"".join(errors).decode("utf-8", "replace").splitlines() if line.strip()]
        raise RuntimeError(lines[-1] if lines else f"the Hyper writer exited with status {status}")
