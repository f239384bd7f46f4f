"""The diagnosis catalogue as numpy arrays, and the draw tables the arrivals and stays read.

Built once per process from ``reference.diagnoses``: per code its weight, age share, sex, length of stay
(mean, spread, age multipliers), mortality (with age multipliers), admission mix, unit-path probabilities,
readmission propensity, season curve, charges, dispositions of survivors by age band.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from hospital_analytics.simulation import draws
from hospital_analytics.simulation.reference import births, diagnoses, outcomes, seasons, staffing
from hospital_analytics.simulation.reference.ages import AGE_BANDS

N_BANDS = len(AGE_BANDS)
BAND_LOW = np.array([b.low for b in AGE_BANDS], dtype=np.int64)
BAND_HIGH = np.array([b.high for b in AGE_BANDS], dtype=np.int64)
# Streams of new arrivals: which weekday profile times them.
STREAM_ELECTIVE, STREAM_EMERGENCY, STREAM_DELIVERY = 0, 1, 2
STREAMS = ("elective", "emergency", "births")
ADMISSION_TYPES = diagnoses.ADMISSION_TYPES  # Emergency, Urgent, Elective, Newborn
EMERGENCY, URGENT, ELECTIVE, NEWBORN = range(4)
STAY_TYPES = diagnoses.STAY_TYPES
# Unit roles of a stay's legs: the floor of its service, else ICU/NICU or step-down.
ROLE_CODES = ("MEDSURG", "MATERNITY", "NURSERY", "PEDS", "PSYCH", "ICU", "NICU", "STEPDOWN")
FLOOR_ROLE = {"hospital_medicine": 0, "surgery": 0, "obstetrics": 1, "newborn": 2, "pediatrics": 3, "psychiatry": 4}
ROLE_ICU, ROLE_NICU, ROLE_STEPDOWN = 5, 6, 7
ATTENDING_ROLES = tuple(r.name for r in staffing.ROLES if r.attends)


@dataclass(frozen=True)
class Casemix:
    n: int
    codes: tuple[str, ...]
    descriptions: tuple[str, ...]
    categories: tuple[str, ...]  # distinct category names
    category: np.ndarray  # index into categories per code
    weight: np.ndarray  # stays a year (thousands)
    age_share: np.ndarray  # (n, bands)
    female_share: np.ndarray
    min_age: np.ndarray
    max_age: np.ndarray
    los_mean: np.ndarray
    los_sigma: np.ndarray  # lognormal sigma from the coefficient of variation
    los_age: np.ndarray  # (n, bands)
    mortality: np.ndarray
    mortality_age: np.ndarray  # (n, bands)
    admission_cdf: np.ndarray  # (n, 3) cumulative over Emergency, Urgent, Elective
    elective: np.ndarray  # elective share
    icu_first: np.ndarray
    icu_days: np.ndarray
    step_down: np.ndarray
    readmission: np.ndarray
    season: np.ndarray  # (n, 12) monthly factor
    charges: np.ndarray
    surgical_share: np.ndarray
    stay_type: np.ndarray  # index into STAY_TYPES
    floor_role: np.ndarray  # (n, 2): adult, child (< 18) floor unit role
    attending: np.ndarray  # (n, 2): index into ATTENDING_ROLES for adult / child
    delivery: np.ndarray  # bool
    cesarean: np.ndarray  # share
    newborn: np.ndarray  # bool: liveborn code
    survivors_cdf: np.ndarray  # (n, bands, 6) cumulative over SURVIVOR_DISPOSITIONS
    lateral_sibling: np.ndarray  # index of the other side's code (or itself)
    repeat_cdf: np.ndarray  # within-category cumulative weights (for readmissions repeating the category)
    category_first: np.ndarray  # first code index of each code's category block
    category_size: np.ndarray
    newborn_code: dict[tuple[str, int], int]


def _sigma(cv: np.ndarray) -> np.ndarray:
    return np.sqrt(np.log1p(cv**2))


@lru_cache(maxsize=1)
def casemix() -> Casemix:
    """The catalogue as arrays (cached)."""
    cat = diagnoses.catalogue()
    n = len(cat)
    names = sorted({d.category for d in cat}, key=[d.category for d in cat].index)
    category = np.array([names.index(d.category) for d in cat], dtype=np.int64)
    curves = {name: np.array(curve.months) for name, curve in seasons.CURVES.items()}
    attending = np.zeros((n, 2), dtype=np.int64)
    floor = np.zeros((n, 2), dtype=np.int64)
    survivors = np.zeros((n, N_BANDS, 6))
    for i, d in enumerate(cat):
        for child, age in ((0, 40), (1, 10)):
            service = diagnoses.service_for(d, age) if d.service != "critical_care" else "hospital_medicine"
            floor[i, child] = FLOOR_ROLE[service]
            attending[i, child] = ATTENDING_ROLES.index(staffing.role_for(service, d.specialty).name)
        for band in range(N_BANDS):
            survivors[i, band] = outcomes.survivor_shares(d, band)
    admission = np.array([d.admission for d in cat])
    admission_cdf = np.cumsum(admission / np.maximum(admission.sum(axis=1, keepdims=True), 1e-12), axis=1)
    admission_cdf[:, -1] = 1.0
    index = {d.code: i for i, d in enumerate(cat)}
    sibling = np.arange(n)
    for members in diagnoses.lateral_groups().values():
        sides = {m.laterality: index[m.code] for m in members}
        if "right" in sides and "left" in sides:
            sibling[sides["right"]], sibling[sides["left"]] = sides["left"], sides["right"]
    weight = np.array([d.stays for d in cat])
    first = np.zeros(n, dtype=np.int64)
    size = np.zeros(n, dtype=np.int64)
    repeat = np.zeros(n)
    for c in range(len(names)):
        block = np.flatnonzero(category == c)
        first[block], size[block] = block[0], len(block)
        repeat[block] = draws.cumulative(weight[block]) if weight[block].sum() > 0 else 1.0
    return Casemix(
        n=n,
        codes=tuple(d.code for d in cat),
        descriptions=tuple(d.description for d in cat),
        categories=tuple(names),
        category=category,
        weight=weight,
        age_share=np.array([d.age_share for d in cat]),
        female_share=np.array([d.female_share for d in cat]),
        min_age=np.array([d.min_age for d in cat], dtype=np.int64),
        max_age=np.array([d.max_age for d in cat], dtype=np.int64),
        los_mean=np.array([d.los_mean for d in cat]),
        los_sigma=_sigma(np.array([d.los_cv for d in cat])),
        los_age=np.array([d.los_age for d in cat]),
        mortality=np.array([d.mortality for d in cat]),
        mortality_age=np.array([d.mortality_age for d in cat]),
        admission_cdf=admission_cdf,
        elective=admission[:, 2] / np.maximum(admission.sum(axis=1), 1e-12),
        icu_first=np.array([d.icu_first for d in cat]),
        icu_days=np.array([d.icu_days_share for d in cat]),
        step_down=np.array([0.0 if d.service == "newborn" else d.step_down for d in cat]),
        readmission=np.array([d.readmission for d in cat]),
        season=np.array([curves[d.season] for d in cat]),
        charges=np.array([d.charges for d in cat]),
        surgical_share=np.array([d.surgical_share for d in cat]),
        stay_type=np.array([STAY_TYPES.index(d.stay_type) for d in cat], dtype=np.int64),
        floor_role=floor,
        attending=attending,
        delivery=np.array([d.delivery for d in cat]),
        cesarean=np.array([d.cesarean_share for d in cat]),
        newborn=np.array([bool(d.newborn) for d in cat]),
        survivors_cdf=np.cumsum(survivors, axis=2),
        lateral_sibling=sibling,
        repeat_cdf=repeat,
        category_first=first,
        category_size=size,
        newborn_code={key: index[code] for key, code in births.NEWBORN_CODES.items()},
    )


@dataclass(frozen=True)
class DrawTable:
    """Cumulative weights over (diagnosis, age band) cells for one stream and calendar month."""

    cdf: np.ndarray  # (12, cells)
    rate: np.ndarray  # (12,) relative intensity of the stream in each month (mean 1 over the year)
    share: float  # the stream's share of all non-newborn stays
    diagnosis: np.ndarray  # (cells,)
    band: np.ndarray  # (cells,)


@lru_cache(maxsize=1)
def stream_tables() -> tuple[DrawTable, ...]:
    """Per stream (elective, emergency/urgent, deliveries): what a new arrival is, by month."""
    mix = casemix()
    base = mix.weight[:, None] * mix.age_share  # (n, bands)
    keep = ~mix.newborn
    parts = (
        np.where((keep & ~mix.delivery)[:, None], base * mix.elective[:, None], 0.0),
        np.where((keep & ~mix.delivery)[:, None], base * (1 - mix.elective)[:, None], 0.0),
        np.where(mix.delivery[:, None], base, 0.0),
    )
    total = sum(float(p.sum()) for p in parts)
    tables = []
    for part in parts:
        flat = part.ravel()
        cells = np.flatnonzero(flat > 0)
        monthly = flat[cells][None, :] * mix.season[cells // N_BANDS].T  # (12, cells)
        sums = monthly.sum(axis=1)
        cdf = np.cumsum(monthly, axis=1) / sums[:, None]
        cdf[:, -1] = 1.0
        tables.append(DrawTable(cdf, sums / sums.mean(), float(part.sum()) / total, cells // N_BANDS, cells % N_BANDS))
    return tuple(tables)


@lru_cache(maxsize=1)
def revisit_tables() -> np.ndarray:
    """Cumulative weights over diagnoses for a known patient's new problem, by (age band, female): (bands, 2, n).

    Deliveries are not drawn here: births follow the birth rate (the delivery stream), not revisits."""
    mix = casemix()
    out = np.zeros((N_BANDS, 2, mix.n))
    for band in range(N_BANDS):
        for female in (0, 1):
            sex = mix.female_share if female else 1 - mix.female_share
            w = np.where(mix.newborn | mix.delivery, 0.0, mix.weight * mix.age_share[:, band] * sex)
            out[band, female] = draws.cumulative(w) if w.sum() > 0 else draws.cumulative(np.where(mix.newborn, 0, 1.0))
    return out


def delivery_share() -> float:
    """Delivery stays as a share of all stays in the catalogue."""
    mix = casemix()
    return float(mix.weight[mix.delivery].sum() / mix.weight.sum())


def newborn_share() -> float:
    """Liveborn stays as a share of all stays in the catalogue."""
    mix = casemix()
    return float(mix.weight[mix.newborn].sum() / mix.weight.sum())


def band_of(age: np.ndarray) -> np.ndarray:
    return np.searchsorted(BAND_HIGH, np.asarray(age), side="left").clip(0, N_BANDS - 1)
