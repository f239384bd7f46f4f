"""Arrow arrays from numpy buffers: zero-copy, exact, and without ``pa.array()``.

``pa.array()`` imports pandas to inspect its input: half a second of start-up that writing files does not
need (pandas is imported only when a DataFrame is asked for). Dates are ``date32`` (days since 1970);
charges ``decimal128(12, 2)`` built directly from integer cents, so the CSV shows exactly two decimals and
Parquet keeps an exact DECIMAL.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_NUMPY = {pa.int64(): np.int64, pa.int32(): np.int32, pa.float64(): np.float64}


_INT64 = pa.int64()


def numbers(values: np.ndarray, arrow_type: pa.DataType = _INT64) -> pa.Array:
    """An int64/int32/float64 array from numpy values (zero-copy when the dtype already matches)."""
    values = np.ascontiguousarray(values, dtype=_NUMPY[arrow_type])
    return pa.Array.from_buffers(arrow_type, len(values), [None, pa.py_buffer(values)])


def strings(items: list[str] | tuple[str, ...]) -> pa.Array:
    """A UTF-8 string array of Python strings."""
    encoded = [item.encode("utf-8") for item in items]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    offsets[1:] = np.cumsum([len(b) for b in encoded])
    return pa.Array.from_buffers(
        pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    )


def dates(days: np.ndarray) -> pa.Array:
    """date32 from day numbers (days since 1970-01-01)."""
    return numbers(days, pa.int32()).view(pa.date32())


def decimal_cents(cents: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """decimal128(12, 2) from non-negative integer cents (16-byte little-endian values); null where not valid."""
    cents = np.asarray(cents, dtype=np.int64)
    if (cents < 0).any():
        raise ValueError("charges must be non-negative")
    words = np.zeros((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    return pa.Array.from_buffers(pa.decimal128(12, 2), len(cents), [_validity(valid), pa.py_buffer(words)])


def _validity(valid: np.ndarray | None) -> pa.Buffer | None:
    if valid is None or bool(np.all(valid)):
        return None
    return pa.py_buffer(np.packbits(np.asarray(valid, dtype=bool), bitorder="little"))


def with_nulls(array: pa.Array, valid: np.ndarray | None) -> pa.Array:
    """The array with nulls where ``valid`` is False (numbers, dates, timestamps)."""
    buffer = _validity(valid)
    if buffer is None:
        return array
    return pa.Array.from_buffers(array.type, len(array), [buffer, array.buffers()[1]])


def timestamps(minutes: np.ndarray) -> pa.Array:
    """timestamp[s] from minutes since 1970-01-01 00:00."""
    seconds = np.asarray(minutes, dtype=np.int64) * 60
    return numbers(seconds).view(pa.timestamp("s"))


def booleans(values: np.ndarray) -> pa.Array:
    """A boolean array from numpy booleans (bit-packed)."""
    values = np.asarray(values, dtype=bool)
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(np.packbits(values, bitorder="little"))])
