"""Splitting large files before ``PUT``, so that ``COPY`` loads the parts in parallel.

CSV files larger than ``CSV_CHUNK_BYTES`` are split on line boundaries (each part keeps the header); Parquet
files larger than ``PARQUET_CHUNK_BYTES`` are split by rows. A file no larger than its chunk is not copied.
"""

from __future__ import annotations

import math
from pathlib import Path

# Uncompressed bytes per staged CSV part. CSV like ours gzips 3-5x, so a 512 MiB part lands at roughly
# 100-170 MB compressed: inside Snowflake's 100-250 MB guidance for parallel COPY.
CSV_CHUNK_BYTES = 512 * 1024 * 1024
# Parquet is already compressed: parts of about this many bytes.
PARQUET_CHUNK_BYTES = 200 * 1024 * 1024
_READ_BLOCK = 8 * 1024 * 1024


def split_csv(path: Path, folder: Path, stem: str, chunk_bytes: int = CSV_CHUNK_BYTES) -> list[Path]:
    """Split a CSV with a header into parts of about ``chunk_bytes``, on line boundaries.

    Each part starts with the header; every data line lands in exactly one part, in order. A file no
    larger than ``chunk_bytes`` is not copied: the original path is returned.
    """
    path = Path(path)
    if path.stat().st_size <= chunk_bytes:
        return [path]
    folder.mkdir(parents=True, exist_ok=True)
    parts: list[Path] = []
    with open(path, "rb") as source:
        header = source.readline()
        budget = max(chunk_bytes - len(header), 1)
        out = None
        written = 0
        pending = b""
        while True:
            block = source.read(min(_READ_BLOCK, budget))
            if not block:
                break
            block = pending + block
            cut = block.rfind(b"\n") + 1
            if cut == 0:  # no line end yet: keep reading (a very long line)
                pending = block
                continue
            lines, pending = block[:cut], block[cut:]
            while lines:
                if out is None:
                    part = folder / f"{stem}_{len(parts) + 1:05d}.csv"
                    parts.append(part)
                    out = open(part, "wb")
                    out.write(header)
                    written = 0
                room = budget - written
                if len(lines) <= room:
                    out.write(lines)
                    written += len(lines)
                    lines = b""
                else:
                    split = lines.rfind(b"\n", 0, room) + 1
                    if split == 0:  # one line longer than the room left
                        split = lines.find(b"\n") + 1 if written == 0 else 0
                    out.write(lines[:split])
                    lines = lines[split:]
                    out.close()
                    out = None
        if pending:  # a last line without line end
            if out is None:
                part = folder / f"{stem}_{len(parts) + 1:05d}.csv"
                parts.append(part)
                out = open(part, "wb")
                out.write(header)
            out.write(pending)
        if out is not None:
            out.close()
    return parts


def split_parquet(path: Path, folder: Path, stem: str, chunk_bytes: int = PARQUET_CHUNK_BYTES) -> list[Path]:
    """Split a Parquet file into parts of about ``chunk_bytes`` (by rows); small files are not copied."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    size = path.stat().st_size
    if size <= chunk_bytes:
        return [path]
    folder.mkdir(parents=True, exist_ok=True)
    source = pq.ParquetFile(path)
    rows = source.metadata.num_rows
    per_part = max(1, math.ceil(rows * chunk_bytes / size))
    parts: list[Path] = []
    for batch in source.iter_batches(batch_size=per_part):
        part = folder / f"{stem}_{len(parts) + 1:05d}.parquet"
        pq.write_table(pa.Table.from_batches([batch]), part, compression="zstd")
        parts.append(part)
    return parts
