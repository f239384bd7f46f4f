"""Coverage over time: the payer at first contact by age, Medicare from 65, Medicaid churn and other changes.

A patient's coverage is a short sequence of spells drawn once, when the patient first appears, from keys
(patient key, spell number): a pure function of the keys and the calendar, so it never looks at the window's
end and a resumed run draws the same spells. ``SPELLS`` bounds the changes kept (the rest of a life keeps the
last payer); the yearly transition rates are ``reference.payers.TRANSITIONS_PER_YEAR``.
"""

from __future__ import annotations

import numpy as np

from hospital_analytics.simulation import calendar, draws
from hospital_analytics.simulation.casemix import band_of
from hospital_analytics.simulation.reference import payers

SPELLS = 4
NEVER = np.iinfo(np.int32).max
PAYERS = payers.PAYERS
MEDICARE = PAYERS.index("Medicare")
_FIRST_CDF = np.cumsum(np.array(payers.PAYER_BY_AGE), axis=1)
_FIRST_CDF[:, -1] = 1.0
_RATE = np.zeros((len(PAYERS), len(PAYERS)))
for (a, b), r in payers.TRANSITIONS_PER_YEAR.items():
    _RATE[PAYERS.index(a), PAYERS.index(b)] = -np.log1p(-r) / 365.25  # daily hazard
_OUT = _RATE.sum(axis=1)
_NEXT_CDF = np.cumsum(_RATE / np.maximum(_OUT[:, None], 1e-300), axis=1)
_NEXT_CDF[:, -1] = 1.0
_MOVES = np.array([1.0 if p == "Medicare" else payers.MOVES_TO_MEDICARE_AT_65.get(p, 1.0) for p in PAYERS])


def medicare_day(birth: np.ndarray) -> np.ndarray:
    """Day number Medicare starts for people born on ``birth`` (the first of the month of the 65th birthday)."""
    b = np.asarray(birth, dtype="datetime64[D]")
    month = b.astype("datetime64[M]") + np.timedelta64(12 * payers.MEDICARE_AGE, "M")
    first_of_month = (b - b.astype("datetime64[M]")).astype(np.int64) == 0
    month = month - first_of_month.astype(np.int64).astype("timedelta64[M]")
    return month.astype("datetime64[D]").astype(np.int64)


def draw_spells(seed: int, key: np.ndarray, first_day: np.ndarray, birth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spells of new patients: (starts, payers), each (n, SPELLS); unused spells start at ``NEVER``."""
    n = len(key)
    starts = np.full((n, SPELLS), NEVER, dtype=np.int32)
    payer = np.zeros((n, SPELLS), dtype=np.int8)
    if not n:  # a day without such patients: nothing to draw (most days' newborns of postponed deliveries)
        return starts, payer
    first_day = np.asarray(first_day, dtype=np.int64)
    age = calendar.years_between(birth, first_day)
    band = band_of(age)
    uu = draws.uniform(seed, draws.COVERAGE, key[:, None], np.arange(1 + 3 * SPELLS)[None, :])
    current = _first_payers(uu[:, 0], band)
    medicare = medicare_day(birth)
    t = first_day.copy()
    starts[:, 0], payer[:, 0] = t, current
    moved = np.zeros(n, dtype=bool)
    filled = np.ones(n, dtype=np.int64)  # spells written per patient: they stay contiguous from slot 0
    for k in range(1, SPELLS):
        gap = -np.log1p(-uu[:, 3 * k]) / np.maximum(_OUT[current], 1e-300)
        nxt = np.where(_OUT[current] > 0, t + np.ceil(gap), np.inf)
        at65 = (~moved) & (current != MEDICARE) & (medicare > t) & (medicare <= nxt)
        goes = at65 & (uu[:, 3 * k + 1] < _MOVES[current])
        churn_payer = (uu[:, 3 * k + 2][:, None] > _NEXT_CDF[current]).sum(axis=1)
        new_day = np.where(at65, medicare, nxt)
        new_payer = np.where(goes, MEDICARE, np.where(at65, current, churn_payer))
        changes = np.isfinite(new_day) & (new_payer != current) & (current != MEDICARE)
        moved |= at65
        safe = np.where(changes, new_day, 0).astype(np.int64)
        # A turn of 65 without a move writes no spell: the next change takes the next free slot, never leaving
        # a gap (``payer_on`` and the coverage table read slots in order).
        rows = np.flatnonzero(changes)
        starts[rows, filled[rows]] = safe[rows]
        payer[rows, filled[rows]] = new_payer[rows]
        filled[rows] += 1
        t = np.where(changes, safe, np.where(at65, medicare, t))
        current = np.where(changes, new_payer, current)
        if not changes.any() and not at65.any():
            break
    return starts, payer


def _first_payers(u: np.ndarray, band: np.ndarray) -> np.ndarray:
    return (u[:, None] > _FIRST_CDF[band]).sum(axis=1).clip(0, len(PAYERS) - 1).astype(np.int64)


def payer_on(starts: np.ndarray, payer: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The payer of each row's spells on ``day`` (rows: patients)."""
    index = (starts <= np.asarray(day, dtype=np.int64)[:, None]).sum(axis=1) - 1
    return payer[np.arange(len(index)), np.maximum(index, 0)].astype(np.int64)
