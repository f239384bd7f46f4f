"""Seasonality curves: relative admission intensity by calendar month, one named function per pattern.

Each curve takes a month (1-12) and returns its intensity relative to the year's average (the twelve
values average 1). A diagnosis names its curve in ``distributions.CATALOGUE``; ``model.season_matrix``
tabulates them. Tests check every curve averages 1 and peaks where its source says (jafgen's weekend curve
that never fired is the cautionary tale).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

WINTER, SPRING, SUMMER, FALL = (12, 1, 2), (3, 4, 5), (6, 7, 8), (9, 10, 11)
SEASONS: dict[str, tuple[int, ...]] = {"winter": WINTER, "spring": SPRING, "summer": SUMMER, "fall": FALL}


def _normalised(values: tuple[float, ...]) -> tuple[float, ...]:
    mean = sum(values) / len(values)
    return tuple(v / mean for v in values)


# Influenza and pneumonia peak December-February (CDC FluView seasons): three times the summer level.
_RESPIRATORY = _normalised((2.0, 1.75, 1.2, 0.85, 0.7, 0.6, 0.6, 0.6, 0.7, 0.85, 1.1, 1.8))
# Heart failure by season, winter 27% / spring 26% / summer 23% / fall 24% (Akintoye et al. 2017).
_CARDIAC_SEASON = {"winter": 0.27, "spring": 0.26, "summer": 0.23, "fall": 0.24}
_CARDIAC = tuple(
    4 * next(share for name, share in _CARDIAC_SEASON.items() if month in SEASONS[name]) for month in range(1, 13)
)
# US births peak July-September and dip in April (CDC NVSS monthly births; assumption: +/-4%).
_BIRTHS = _normalised((0.99, 0.95, 1.0, 0.96, 1.0, 1.0, 1.04, 1.05, 1.04, 1.0, 0.97, 1.0))


def flat(month: int) -> float:
    """No seasonality."""
    return 1.0


def respiratory(month: int) -> float:
    """Influenza, pneumonia, bronchiolitis, COPD exacerbations: winter peak (December-February)."""
    return _RESPIRATORY[month - 1]


def cardiac(month: int) -> float:
    """Heart failure and other cardiac admissions: winter > spring > fall > summer."""
    return _CARDIAC[month - 1]


def births(month: int) -> float:
    """Births: a late-summer high, a spring low."""
    return _BIRTHS[month - 1]


CURVES: dict[str, Callable[[int], float]] = {
    "flat": flat,
    "respiratory": respiratory,
    "cardiac": cardiac,
    "births": births,
}
CURVE_NAMES: tuple[str, ...] = tuple(CURVES)


def season_matrix() -> np.ndarray:
    """Intensity of each curve (rows, in ``CURVE_NAMES`` order) for months 1-12 (columns)."""
    return np.array([[CURVES[name](month) for month in range(1, 13)] for name in CURVE_NAMES])


def season_of_month(month: int) -> str:
    """'winter' (Dec-Feb), 'spring' (Mar-May), 'summer' (Jun-Aug) or 'fall' (Sep-Nov)."""
    return next(name for name, months in SEASONS.items() if month in months)
