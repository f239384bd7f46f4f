"""Seasonality: relative admission intensity by calendar month, per named curve (each averages 1).

A diagnosis names its curve (``Diagnosis.season``). Curves and sources: ``docs/calibration.md``,
section "Seasonality".
"""

from __future__ import annotations

from .types import SeasonCurve

SEASON_MONTHS: dict[str, tuple[int, ...]] = {
    "winter": (12, 1, 2),
    "spring": (3, 4, 5),
    "summer": (6, 7, 8),
    "fall": (9, 10, 11),
}


def _mean_one(values: tuple[float, ...]) -> tuple[float, ...]:
    mean = sum(values) / len(values)
    return tuple(v / mean for v in values)


def season_of_month(month: int) -> str:
    """'winter' (December-February), 'spring', 'summer' or 'fall' for a month 1-12."""
    return next(name for name, months in SEASON_MONTHS.items() if month in months)


def season_shares(curve: SeasonCurve) -> dict[str, float]:
    """Share of a curve's admissions in each season (months weighted equally).

    Args:
        curve: a seasonality curve.

    Returns:
        Season name -> share; the four shares sum to 1.
    """
    total = sum(curve.months)
    return {name: sum(curve.months[m - 1] for m in months) / total for name, months in SEASON_MONTHS.items()}


# Heart failure admissions by season: winter 27%, spring 26%, fall 24%, summer 23% (Akintoye et al.,
# Clin Cardiol 2017, NIS 2000-2013). Each month of a season carries its season's share.
_HF = {"winter": 0.27, "spring": 0.26, "summer": 0.23, "fall": 0.24}
CARDIAC = SeasonCurve("cardiac", _mean_one(tuple(_HF[season_of_month(m)] for m in range(1, 13))), "akintoye_2017")
# Influenza and pneumonia: December-February peak, about three times the summer level (CDC FluView,
# laboratory-confirmed influenza hospitalisations; monthly values an assumption shaped on its seasons).
RESPIRATORY = SeasonCurve(
    "respiratory", _mean_one((2.0, 1.75, 1.2, 0.85, 0.7, 0.6, 0.6, 0.6, 0.7, 0.85, 1.1, 1.8)), "cdc_fluview"
)
# Bronchiolitis (RSV) in infants: a sharper winter peak, November-February (CDC NREVSS RSV seasons
# before 2020; values an assumption).
BRONCHIOLITIS = SeasonCurve(
    "bronchiolitis", _mean_one((2.6, 2.0, 1.2, 0.6, 0.35, 0.25, 0.25, 0.25, 0.35, 0.7, 1.6, 2.4)), "cdc_nrevss_rsv"
)
# US births: a late-summer high (July-September) and a spring low (CDC NVSS monthly births, +/- 4%).
BIRTHS = SeasonCurve(
    "births", _mean_one((0.99, 0.95, 1.0, 0.96, 1.0, 1.0, 1.04, 1.05, 1.04, 1.0, 0.97, 1.0)), "nvss_births_month"
)
# Injuries: more trauma admissions in summer (outdoor activity, road traffic; assumption: +/- 8%).
INJURY = SeasonCurve(
    "injury", _mean_one((0.94, 0.92, 0.96, 0.99, 1.04, 1.07, 1.08, 1.07, 1.03, 1.0, 0.96, 0.94)), "assumption"
)
FLAT = SeasonCurve("flat", (1.0,) * 12, "assumption")

CURVES: dict[str, SeasonCurve] = {c.name: c for c in (FLAT, RESPIRATORY, CARDIAC, BRONCHIOLITIS, BIRTHS, INJURY)}
