"""The calibration tables turned into the arrays the vectorised sampler indexes (built once per process).

Diagnosis choice works on *strata*: an age band (bands split wherever a diagnosis' age rule or an age group
changes, so eligibility is constant inside a band) x sex x "a delivery in the last 300 days". Each stratum
has one cumulative distribution over the catalogue, built so that:

- the nine pinned top diagnoses and pregnancy/childbirth reach their published share of all stays, spread
  over age groups by their profiles;
- the other diagnoses share what is left of each age group's stays by their weights;
- a diagnosis appears only where it is eligible (age, sex, spacing of deliveries), its within-group mass
  moved onto its eligible bands so the group totals hold.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from hospital_analytics.synth import distributions as dist
from hospital_analytics.synth.sampling import Categorical
from hospital_analytics.synth.seasonality import CURVE_NAMES, season_matrix

DAYS_PER_YEAR = 365.2425


@dataclass(frozen=True)
class Model:
    codes: tuple[str, ...]
    descriptions: tuple[str, ...]
    categories: tuple[str, ...]  # distinct category names
    category: np.ndarray  # (D,) index into categories
    liveborn: int
    default_stay_type: np.ndarray  # (D,) index into STAY_TYPES
    p_surgical: np.ndarray
    los_mu: np.ndarray
    los_sigma: np.ndarray
    los_mean: np.ndarray
    charges_mean: np.ndarray
    readmission: np.ndarray  # (D,) relative propensity
    death: np.ndarray
    season: np.ndarray  # (D,) index into CURVE_NAMES
    maternal: np.ndarray  # (D,) bool
    delivery: np.ndarray  # (D,) bool
    # strata
    day_edges: np.ndarray
    year_edges: np.ndarray
    n_bands: int
    band_group: np.ndarray  # (B,) age group of each band
    eligible: np.ndarray  # (B, 2 sexes, 2 blocked, D) bool
    diagnosis_sampler: Categorical  # rows: strata (B * 2 * 2); columns: diagnoses
    group_diagnosis: np.ndarray  # (6 groups, 2 sexes, D): P(diagnosis | group, sex) of drawn stays
    sampled_share: np.ndarray  # (6 groups, 2 sexes): share of all stays drawn from the catalogue
    delivery_sampler: Categorical  # which delivery code a mother's delivery stay has
    admission_sampler: Categorical  # (D rows) Emergency, Urgent, Elective, Newborn
    # doctors
    specialties: tuple[str, ...]
    specialty_weight: np.ndarray  # (D, 2: adult/child, S)
    # seasons
    season_ratio: np.ndarray  # (curves, 12), each row divided by its maximum (for rejection sampling)
    season_intensity: np.ndarray  # (curves, 12)

    @property
    def n_diagnoses(self) -> int:
        return len(self.codes)

    def index(self, code: str) -> int:
        return self.codes.index(code)

    def band(self, age_days: np.ndarray, age_years: np.ndarray) -> np.ndarray:
        """Age band of ages given in days and in completed years (the two must agree)."""
        day_band = np.searchsorted(self.day_edges, age_days, side="right") - 1
        year_band = len(self.day_edges) + np.searchsorted(self.year_edges, age_years, side="right") - 1
        return np.where(age_years < 1, day_band, year_band).astype(np.int16)

    def stratum(self, band: np.ndarray, female: np.ndarray, blocked: np.ndarray) -> np.ndarray:
        return (band.astype(np.int32) * 2 + female.astype(np.int32)) * 2 + blocked.astype(np.int32)


def _group_of_years(years: int) -> int:
    if years < 1:
        return 0
    for index, (lo, hi) in enumerate(dist.GROUP_YEARS):
        if lo <= years <= hi:
            return index
    return len(dist.GROUP_YEARS) - 1


def _edges() -> tuple[np.ndarray, np.ndarray]:
    days = {0}
    years = {1}
    for dx in dist.CATALOGUE:
        if dx.days is not None:
            days.update(d for d in (dx.days[0], dx.days[1] + 1) if d < 365)
        years.update(y for y in (dx.ages[0], dx.ages[1] + 1) if 1 <= y <= dist.MAX_AGE)
    years.update(lo for lo, _ in dist.GROUP_YEARS[1:])
    return np.array(sorted(days)), np.array(sorted(years))


def _eligible(dx: dist.Diagnosis, days: int, years: int, female: bool, blocked: bool) -> bool:
    if dx.code == dist.LIVEBORN_CODE:
        return False  # only ever the birth stay, never drawn
    if not dx.ages[0] <= years <= dx.ages[1]:
        return False
    if dx.days is not None and not dx.days[0] <= days <= dx.days[1]:
        return False
    if dx.sex is not None and (dx.sex == "F") != female:
        return False
    return not (dx.maternal and blocked)


def _band_shares(day_edges: np.ndarray, year_edges: np.ndarray) -> np.ndarray:
    """Share of each group's first-stay ages falling in each band (ages drawn uniformly in the group)."""
    n_day, n_year = len(day_edges), len(year_edges)
    shares = np.zeros((len(dist.GROUPS), n_day + n_year))
    day_hi = np.append(day_edges[1:], 365)
    for b in range(n_day):  # infants: first stay at 1..364 days
        lo, hi = max(day_edges[b], 1), min(day_hi[b], 365)
        shares[0, b] = max(0, hi - lo) / 364
    year_hi = np.append(year_edges[1:], dist.MAX_AGE + 1)
    for g, (glo, ghi) in enumerate(dist.GROUP_YEARS[1:], start=1):
        for b in range(n_year):
            lo, hi = max(year_edges[b], glo), min(year_hi[b], ghi + 1)
            shares[g, n_day + b] = max(0, hi - lo) / (ghi + 1 - glo)
    return shares


def delivery_share() -> float:
    """Share of all stays that are deliveries (the mothers' delivery stays)."""
    maternal = [dx for dx in dist.CATALOGUE if dx.maternal]
    return (
        dist.MATERNAL_SHARE
        * sum(dx.weights[0] for dx in maternal if dx.delivery)
        / sum(dx.weights[0] for dx in maternal)
    )


def mother_group_share() -> np.ndarray:
    """How mothers' ages at delivery spread over the age groups (truncated normal)."""
    mean, sd = dist.MOTHER_AGE_YEARS
    lo, hi = dist.MOTHER_AGE_RANGE

    def cdf(x: float) -> float:
        return 0.5 * (1 + math.erf((min(max(x, lo), hi) - mean) / (sd * math.sqrt(2))))

    shares = np.array([cdf(g_hi + 1) - cdf(g_lo) for g_lo, g_hi in dist.GROUP_YEARS])
    return shares / shares.sum()


def sampled_stay_share() -> np.ndarray:
    """(groups, 2 sexes [male, female]): share of all stays that are drawn from the catalogue (neither
    birth stays nor deliveries), by age group at first admission and sex."""
    female = np.array(dist.FEMALE_SHARE_BY_GROUP)
    total = np.array(dist.STAY_SHARE_BY_GROUP)[:, None] * np.stack([1 - female, female], axis=1)
    total[:, 1] -= delivery_share() * mother_group_share()
    if (total <= 0).any():
        raise ValueError("deliveries exceed the female stays of an age group; fix the calibration tables")
    return total


def _group_diagnosis() -> np.ndarray:
    """P(diagnosis | group, sex) for stays drawn from the catalogue, from pinned shares, the antepartum
    block and weights. Deliveries and liveborn are never drawn (mothers and newborns carry them)."""
    catalogue = dist.CATALOGUE
    n_groups, n_diag = len(dist.GROUPS), len(catalogue)
    joint = np.zeros((n_groups, 2, n_diag))
    total = sampled_stay_share()
    maternal_split = sum(dx.weights[0] for dx in catalogue if dx.maternal)
    for d, dx in enumerate(catalogue):
        if dx.code == dist.LIVEBORN_CODE or dx.delivery:
            continue
        if dx.share is not None:
            profile = np.array(dx.profile)
            for s in (0, 1):
                joint[:, s, d] = dx.share * profile * total[:, s] / total.sum(axis=1)
        elif dx.maternal:
            joint[:, 1, d] = dist.MATERNAL_SHARE * np.array(dist.MATERNAL_PROFILE) * dx.weights[0] / maternal_split
    remainder = total - joint.sum(axis=2)
    if (remainder <= 0).any():
        raise ValueError("pinned diagnoses exceed an age group's stays; fix the catalogue profiles")
    for s in (0, 1):
        weights = np.zeros((n_groups, n_diag))
        for d, dx in enumerate(catalogue):
            if dx.share is None and not dx.maternal and dx.code != dist.LIVEBORN_CODE:
                if dx.sex is None or (dx.sex == "F") == bool(s):
                    weights[:, d] = dx.weights
        joint[:, s, :] += remainder[:, s, None] * weights / weights.sum(axis=1, keepdims=True)
    return joint / joint.sum(axis=2, keepdims=True)


def _specialty_weights(specialties: tuple[str, ...]) -> np.ndarray:
    index = {name: i for i, name in enumerate(specialties)}
    weights = np.zeros((len(dist.CATALOGUE), 2, len(specialties)))
    for d, dx in enumerate(dist.CATALOGUE):
        for name, w in dx.specialties:
            weights[d, 0, index[name]] = w
        if dx.maternal or all(name in dist.PEDIATRIC_SPECIALTIES for name, _ in dx.specialties):
            weights[d, 1] = weights[d, 0]  # OB-GYN for pregnancy at any age; neonatal codes as listed
        else:
            weights[d, 1, index["Pediatrics"]] = 1.0
    return weights / weights.sum(axis=2, keepdims=True)


@functools.lru_cache(maxsize=1)
def get_model() -> Model:
    """The model (built once per process)."""
    catalogue = dist.CATALOGUE
    n_diag = len(catalogue)
    categories = tuple(dict.fromkeys(dx.category for dx in catalogue))
    day_edges, year_edges = _edges()
    n_bands = len(day_edges) + len(year_edges)
    band_lo_days = np.concatenate([day_edges, np.round(year_edges * DAYS_PER_YEAR).astype(int)])
    band_lo_years = np.concatenate([np.zeros(len(day_edges), int), year_edges])
    band_group = np.array([_group_of_years(int(y)) for y in band_lo_years])

    eligible = np.zeros((n_bands, 2, 2, n_diag), dtype=bool)
    for b in range(n_bands):
        for s in (0, 1):
            for k in (0, 1):
                for d, dx in enumerate(catalogue):
                    eligible[b, s, k, d] = _eligible(dx, int(band_lo_days[b]), int(band_lo_years[b]), bool(s), bool(k))

    group_diag = _group_diagnosis()
    shares = _band_shares(day_edges, year_edges)  # (groups, bands)
    # fraction of each group's ages where each diagnosis is eligible, per sex
    frac = np.einsum("gb,bsd->gsd", shares, eligible[:, :, 0, :].astype(float))
    probs = np.zeros((n_bands, 2, 2, n_diag))
    for b in range(n_bands):
        g = band_group[b]
        with np.errstate(divide="ignore", invalid="ignore"):
            base = np.where(frac[g] > 0, group_diag[g] / frac[g], 0.0)  # (2, D)
        for k in (0, 1):
            probs[b, :, k, :] = base * eligible[b, :, k, :]
    flat = probs.reshape(-1, n_diag)
    fallback = np.zeros(n_diag)
    fallback[[dx.code for dx in catalogue].index("A08.4")] = 1.0
    sums = flat.sum(axis=1, keepdims=True)
    flat = np.where(sums > 0, flat / np.where(sums > 0, sums, 1), fallback)  # empty strata are never drawn

    los_mean = np.array([dx.los[0] for dx in catalogue])
    los_sigma = np.array([dx.los[1] for dx in catalogue])
    # floor(X) of a lognormal X averages about E[X] - 0.5: aim E[X] at mean + 0.5
    los_mu = np.log(los_mean + 0.5) - los_sigma**2 / 2
    admission = np.zeros((n_diag, 4))
    for d, dx in enumerate(catalogue):
        if dx.code == dist.LIVEBORN_CODE:
            admission[d, 3] = 1.0
        else:
            admission[d, :3] = np.array(dx.admission) / sum(dx.admission)

    specialties = tuple(s.name for s in dist.SPECIALTIES)
    intensity = season_matrix()
    return Model(
        codes=tuple(dx.code for dx in catalogue),
        descriptions=tuple(dx.description for dx in catalogue),
        categories=categories,
        category=np.array([categories.index(dx.category) for dx in catalogue], dtype=np.int8),
        liveborn=[dx.code for dx in catalogue].index(dist.LIVEBORN_CODE),
        default_stay_type=np.array([dist.STAY_TYPES.index(dx.stay_type) for dx in catalogue], dtype=np.int8),
        p_surgical=np.array([dx.p_surgical for dx in catalogue]),
        los_mu=los_mu,
        los_sigma=los_sigma,
        los_mean=los_mean,
        charges_mean=np.array([dx.charges for dx in catalogue], dtype=float),
        readmission=np.array([dx.readmission for dx in catalogue]),
        death=np.array([dx.death for dx in catalogue]),
        season=np.array([CURVE_NAMES.index(dx.season) for dx in catalogue], dtype=np.int8),
        maternal=np.array([dx.maternal for dx in catalogue]),
        delivery=np.array([dx.delivery for dx in catalogue]),
        day_edges=day_edges,
        year_edges=year_edges,
        n_bands=n_bands,
        band_group=band_group,
        eligible=eligible,
        diagnosis_sampler=Categorical(flat),
        admission_sampler=Categorical(admission),
        group_diagnosis=group_diag,
        sampled_share=sampled_stay_share(),
        delivery_sampler=Categorical(np.array([dx.weights[0] if dx.delivery else 0.0 for dx in catalogue])),
        specialties=specialties,
        specialty_weight=_specialty_weights(specialties),
        season_ratio=intensity / intensity.max(axis=1, keepdims=True),
        season_intensity=intensity,
    )
