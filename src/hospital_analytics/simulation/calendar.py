"""The simulated calendar: day numbers (days since 1970-01-01), weekdays, months, federal holidays."""

from __future__ import annotations

import datetime as dt

import numpy as np

from hospital_analytics.simulation.reference import timing

EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days


def date_of(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def weekday(days: np.ndarray | int) -> np.ndarray:
    """Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday)."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


def month0(days: np.ndarray) -> np.ndarray:
    """Calendar month 0-11 of day numbers."""
    return (np.asarray(days, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12).astype(np.int64)


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since January 1970 of day numbers."""
    return np.asarray(days, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64)


def years_between(birth: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whole years of age on ``day`` for people born on ``birth`` (both day numbers)."""
    b = np.asarray(birth, dtype="datetime64[D]")
    d = np.asarray(day, dtype="datetime64[D]")
    by, dy = b.astype("datetime64[Y]").astype(np.int64), d.astype("datetime64[Y]").astype(np.int64)
    b_doy = (b - b.astype("datetime64[Y]")).astype(np.int64)
    d_doy = (d - d.astype("datetime64[Y]")).astype(np.int64)
    return (dy - by - (d_doy < b_doy)).astype(np.int64)


def holiday_mask(first: int, last: int) -> np.ndarray:
    """True for the observed federal holidays among days first..last (inclusive)."""
    days = timing.observed_holidays(date_of(first), date_of(last))
    mask = np.zeros(last - first + 1, dtype=bool)
    for day in days:
        mask[day_number(day) - first] = True
    return mask


def is_holiday(day: int) -> bool:
    return timing.is_federal_holiday(date_of(day))
