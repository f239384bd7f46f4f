"""Vectorised sampling and calendar helpers shared by the synthesis modules.

Dates are ``int`` days since 1970-01-01 throughout (Arrow's ``date32``), so no Python date object is made
per row. Random streams come from ``rng_for(seed, stream, index)``: one independent, reproducible numpy
Generator per purpose and block, so the output depends only on the seed and the parameters.
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np

EPOCH = dt.date(1970, 1, 1)

# Stream ids for rng_for: one per purpose, never reused.
STREAM_POPULATION = 1
STREAM_ROSTER = 2
STREAM_PEOPLE = 3
STREAM_BLOCK = 10


def rng_for(seed: int, stream: int, index: int = 0) -> np.random.Generator:
    """An independent Generator for (seed, stream, index): same inputs, same numbers, on any machine."""
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(stream, index)))


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days


def sample_rows(cdf: np.ndarray, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Draw one column per element: element i uses the cumulative distribution ``cdf[rows[i]]``.

    ``cdf`` is (R, C) with each row non-decreasing and ending at exactly 1; ``u`` uniform in [0, 1).
    One ``searchsorted`` over the rows laid end to end (row r shifted by r): O(n log(R*C)), no (n, C)
    temporary. Zero-probability columns are never chosen.
    """
    n_rows, n_cols = cdf.shape
    flat = (cdf + np.arange(n_rows)[:, None]).ravel()
    rows = np.asarray(rows, dtype=np.int64)
    picked = np.searchsorted(flat, rows + u, side="right") - rows * n_cols
    return np.minimum(picked, n_cols - 1)


class Categorical:
    """R fixed categorical distributions over C outcomes; ``sample(rows, u)`` draws element i from row
    ``rows[i]`` with one uniform each, in O(1) a draw (Walker/Vose alias method: the integer part of u*C
    picks a column, the fractional part decides between it and its alias). Zero weights are never drawn."""

    ALIAS_LIMIT = 250_000  # larger tables (e.g. a million doctors) use cumulative sums + searchsorted

    def __init__(self, weights: np.ndarray):
        weights = np.atleast_2d(np.asarray(weights, dtype=float))
        n_rows, n_cols = weights.shape
        self.n_cols = n_cols
        self.cdf = None
        if n_rows * n_cols > self.ALIAS_LIMIT:
            self.cdf = cdf_of(weights)
            return
        prob = np.zeros((n_rows, n_cols))
        alias = np.tile(np.arange(n_cols), (n_rows, 1))
        for r in range(n_rows):
            p = weights[r] / weights[r].sum()
            scaled = p * n_cols
            small = [i for i in range(n_cols) if scaled[i] < 1.0]
            large = [i for i in range(n_cols) if scaled[i] >= 1.0]
            while small and large:
                s, big = small.pop(), large.pop()
                prob[r, s], alias[r, s] = scaled[s], big
                scaled[big] += scaled[s] - 1.0
                (large if scaled[big] >= 1.0 else small).append(big)
            for i in small + large:
                prob[r, i] = 1.0
            zero = p == 0
            prob[r, zero] = 0.0
            alias[r, zero & (p[alias[r]] == 0)] = int(np.argmax(p))
        self.prob = prob.ravel()
        self.alias = alias.ravel()

    def sample(self, rows: np.ndarray | int, u: np.ndarray) -> np.ndarray:
        if self.cdf is not None:
            return sample_rows(self.cdf, np.broadcast_to(np.asarray(rows), np.shape(u)), u)
        x = np.asarray(u) * self.n_cols
        column = np.minimum(x.astype(np.int64), self.n_cols - 1)
        flat = np.asarray(rows, dtype=np.int64) * self.n_cols + column
        return np.where(x - column < self.prob[flat], column, self.alias[flat])


def cdf_of(weights: np.ndarray) -> np.ndarray:
    """Row-wise cumulative distribution of non-negative weights (rows with positive sum)."""
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    cdf = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    cdf[:, -1] = 1.0
    return cdf


_CALENDAR_FIRST = day_number(dt.date(1800, 1, 1))
_CALENDAR_DAYS = day_number(dt.date(2300, 1, 1)) - _CALENDAR_FIRST


@functools.lru_cache(maxsize=1)
def _calendar() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day and months-since-1970 of every day 1800-2299 (a lookup beats datetime64 per call)."""
    as_day = (np.arange(_CALENDAR_DAYS) + _CALENDAR_FIRST).astype("datetime64[D]")
    month_start = as_day.astype("datetime64[M]")
    months = month_start.astype(np.int64)
    day = (as_day - month_start).astype(np.int16) + 1
    return (months // 12 + 1970).astype(np.int16), (months % 12 + 1).astype(np.int8), day.astype(np.int8), months


def _lookup(days: np.ndarray) -> np.ndarray:
    index = np.asarray(days, dtype=np.int64) - _CALENDAR_FIRST
    if index.size and (index.min() < 0 or index.max() >= _CALENDAR_DAYS):
        raise ValueError("dates must lie between 1800 and 2299")
    return index


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Calendar year, month (1-12) and day (1-31) of day numbers."""
    year, month, day, _ = _calendar()
    index = _lookup(days)
    return year[index].astype(np.int64), month[index].astype(np.int64), day[index].astype(np.int64)


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since January 1970 of day numbers (negative before 1970)."""
    return _calendar()[3][_lookup(days)]


def calendar_age(birth: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Completed years of age on day ``on`` for people born on ``birth`` (birthday-based, like a person says)."""
    by, bm, bd = ymd(birth)
    oy, om, od = ymd(on)
    before_birthday = (om * 32 + od) < (bm * 32 + bd)
    return (oy - by - before_birthday).astype(np.int16)
