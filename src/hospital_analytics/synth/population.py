"""The patient registry: age group, sex, insurance, and how many of the stays each patient has.

Stays are allocated, not simulated one by one: exactly ``hospitalizations`` stays are shared among the
patients with a multinomial draw weighted by age group and a gamma frailty (a few patients account for
many stays; many have none, which is a hospital registry's normal state). Age groups are drawn so that the
*stays* land in the published inpatient age mix:

- newborns (10.31% of stays: one birth stay each, admitted on the birth date) are exactly
  round(10.31% x stays) patients; mothers (one delivery stay each, deliveries ~ births) likewise;
- every other patient's (group, sex) is drawn with probability proportional to that cell's share of the
  remaining stays divided by the group's relative stays per patient, so cells x stays-per-patient
  reproduce the target mix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from hospital_analytics.errors import ConfigError
from hospital_analytics.synth import distributions as dist
from hospital_analytics.synth.model import DAYS_PER_YEAR, Model, delivery_share, mother_group_share


@dataclass
class Population:
    """One row per patient (index = patient_id - 1)."""

    group: np.ndarray  # int8, index into dist.GROUPS (age group at first admission)
    newborn: np.ndarray  # bool: first stay is the birth stay
    mother: np.ndarray  # bool: first stay is a delivery
    female: np.ndarray  # bool
    insurance: np.ndarray  # int8, index into dist.INSURANCE
    first_age: np.ndarray  # int32 days: age at first admission (or at window end for patients without stays)
    stays: np.ndarray  # int32 stays per patient (sums to the requested stays)
    long_gap_scale: np.ndarray  # float32 mean days between a patient's episodes of care (first estimate)

    @property
    def size(self) -> int:
        return len(self.group)


def stays_cap(window_days: int) -> int:
    """Most stays one patient can have: one per MIN_DAYS_PER_STAY days of the window, at least 3."""
    return max(3, window_days // dist.MIN_DAYS_PER_STAY)


def typical_cap(window_days: int) -> int:
    """Most stays one patient normally has: one per TYPICAL_DAYS_PER_STAY days, at least 3."""
    return max(3, window_days // dist.TYPICAL_DAYS_PER_STAY)


# The range that works: the calendar tables cover 1800-2299, and a patient may be born up to MAX_AGE years
# before the window starts.
WINDOW_LIMITS = (dt.date(1800 + dist.MAX_AGE + 1, 1, 1), dt.date(2200, 12, 31))


def check_window(start: dt.date, end: dt.date) -> None:
    """Raise ConfigError for a window outside the calendar the generator tabulates."""
    lo, hi = WINDOW_LIMITS
    if start < lo or end > hi:
        raise ConfigError(
            f"Invalid --start/--end: the window {start}..{end} must lie between {lo} and {hi}.",
            "Pick dates in that range (default: 2024-01-01..2025-12-31).",
        )


def check_feasible(patients: int, stays: int, window_days: int) -> None:
    """Raise ConfigError when the stays cannot fit (a patient's stays never overlap)."""
    most = patients * stays_cap(window_days)
    if stays > most:
        who = "1 patient" if patients == 1 else f"{patients:,} patients"
        raise ConfigError(
            f"Invalid --hospitalizations: {stays:,} stays do not fit {who} in a {window_days}-day window "
            f"(at most {most:,}: one stay per patient every {dist.MIN_DAYS_PER_STAY} days; a patient's stays "
            "never overlap).",
            "Raise --patients, lower --hospitalizations, or widen --start/--end.",
        )


def _years_in_group(rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
    years = np.zeros(len(group))
    for g, (lo, hi) in enumerate(dist.GROUP_YEARS):
        members = np.flatnonzero(group == g)
        if g == len(dist.GROUP_YEARS) - 1:  # 85+: ages thin out (exponential, mean 6 years over 85, to 105)
            years[members] = np.minimum(lo + rng.exponential(6.0, len(members)), 104.99)
        else:
            years[members] = rng.uniform(lo, hi + 1, len(members))
    return years


def _group_of(years: np.ndarray) -> np.ndarray:
    edges = np.array([lo for lo, _ in dist.GROUP_YEARS[1:]])
    return np.searchsorted(edges, years, side="right").astype(np.int8)


def _allocate(rng: np.random.Generator, total: int, weights: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Multinomial allocation of ``total`` over ``weights`` with per-patient caps (excess re-drawn)."""
    counts = np.zeros(len(weights), dtype=np.int64)
    remaining = total
    for _ in range(100):
        if remaining == 0:
            return counts.astype(np.int32)
        open_weights = np.where(counts < cap, weights, 0.0)
        counts += rng.multinomial(remaining, open_weights / open_weights.sum())
        over = np.maximum(counts - cap, 0)
        remaining = int(over.sum())
        counts -= over
    raise ConfigError("Could not share the stays among the patients.", "Raise --patients or widen the window.")


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Integers proportional to ``shares`` summing exactly to ``total``."""
    exact = total * shares / shares.sum()
    whole = np.floor(exact).astype(np.int64)
    short = total - int(whole.sum())
    whole[np.argsort(-(exact - whole), kind="stable")[:short]] += 1
    return whole


def _pick(rng: np.random.Generator, probabilities: np.ndarray, u: np.ndarray) -> np.ndarray:
    cdf = np.cumsum(probabilities / probabilities.sum())
    cdf[-1] = 1.0
    return np.searchsorted(cdf, u, side="right").astype(np.int8)


def build_population(rng: np.random.Generator, patients: int, stays: int, window_days: int, model: Model) -> Population:
    """Draw the registry and share exactly ``stays`` stays among ``patients`` patients."""
    n_newborn = min(round(dist.BIRTH_SHARE * stays), patients // 3, stays)
    n_mother = min(round(delivery_share() * stays), patients // 3, stays - n_newborn)
    special = rng.choice(patients, n_newborn + n_mother, replace=False) if n_newborn + n_mother else np.array([], int)
    newborn = np.zeros(patients, dtype=bool)
    mother = np.zeros(patients, dtype=bool)
    newborn[special[:n_newborn]] = True
    mother[special[n_newborn:]] = True
    others = ~(newborn | mother)

    # Extra stays of newborns (return stays) and mothers, as shares of all stays.
    newborn_extra = dist.NEWBORN_SHARE_OF_INFANT_STAYS * dist.STAY_SHARE_BY_GROUP[0] if n_newborn else 0.0
    mother_extra = dist.MOTHER_EXTRA_STAYS * delivery_share() if n_mother else 0.0

    # Other patients: P(group, sex) ~ the cell's share of drawn stays (less the newborns' and mothers'
    # extra stays) / stays per patient of the group.
    per_patient = np.array(dist.STAYS_WEIGHT_BY_GROUP)
    cells = model.sampled_share.copy()
    cells[0] -= newborn_extra / 2
    cells[:, 1] -= mother_extra * mother_group_share()
    cells = (np.maximum(cells, 1e-9) / per_patient[:, None]).ravel()  # index = group * 2 + female
    cell = _pick(rng, cells, rng.random(patients)).astype(np.int64)
    group = (cell // 2).astype(np.int8)
    female = cell % 2 == 1
    years = _years_in_group(rng, group)

    newborn_female = rng.random(patients) < dist.FEMALE_SHARE_NEWBORN
    female = np.where(newborn, newborn_female, female)
    female[mother] = True
    mean, sd = dist.MOTHER_AGE_YEARS
    mother_years = np.clip(rng.normal(mean, sd, patients), *dist.MOTHER_AGE_RANGE)
    years = np.where(mother, mother_years, years)
    group = np.where(mother, _group_of(years), group).astype(np.int8)
    group[newborn] = 0

    typical_age = years * DAYS_PER_YEAR  # age in days at the patient's middle stay (set below)
    infants = group == 0
    typical_age[infants] = rng.integers(1, 365, int(infants.sum()))

    u = rng.random(patients)
    insurance = np.zeros(patients, dtype=np.int8)
    for g, probabilities in enumerate(dist.INSURANCE_BY_GROUP):
        members = others & (group == g)
        insurance[members] = _pick(rng, np.array(probabilities), u[members])
    insurance[newborn] = _pick(rng, np.array(dist.INSURANCE_NEWBORN), u[newborn])
    insurance[mother] = _pick(rng, np.array(dist.INSURANCE_MOTHER), u[mother])

    # Stays besides the birth/delivery stays, shared exactly: each pool (every (group, sex) cell of the
    # other patients, the newborns' return stays, the mothers' other stays) gets its target count, split
    # among its members by gamma frailty; whatever a pool cannot hold (caps, empty cells) goes to anyone
    # with room. Group totals are then exact, not subject to a few heavy users.
    shape = np.array(dist.FRAILTY_SHAPE_BY_GROUP)[group]
    frailty = rng.gamma(shape, 1.0 / shape)
    remaining = stays - n_newborn - n_mother
    hard, soft = stays_cap(window_days), typical_cap(window_days)
    special = newborn | mother
    cap = np.full(patients, soft, dtype=np.int64)
    cap[newborn] = dist.NEWBORN_MAX_EXTRA_STAYS + 1
    cap = np.minimum(cap, hard) - special
    if int(cap.sum()) < remaining:  # many stays per patient requested: allow up to the hard cap
        cap = np.full(patients, hard, dtype=np.int64) - special
    pool = np.where(newborn, len(cells), np.where(mother, len(cells) + 1, cell))
    pool_share = np.append(cells * per_patient.repeat(2), [newborn_extra, mother_extra])
    pool_share[len(cells)] *= bool(n_newborn)
    pool_share[len(cells) + 1] *= bool(n_mother)
    pool_target = _largest_remainder(remaining, pool_share)
    extra = np.zeros(patients, dtype=np.int64)
    order = np.argsort(pool, kind="stable")
    bounds = np.searchsorted(pool[order], np.arange(len(pool_share) + 1))
    leftover = 0
    for p_index in range(len(pool_share)):
        members = order[bounds[p_index] : bounds[p_index + 1]]
        want = int(pool_target[p_index])
        room = int(cap[members].sum())
        if want == 0:
            continue
        if room == 0:
            leftover += want
            continue
        got = _allocate(rng, min(want, room), frailty[members], cap[members])
        extra[members] = got
        leftover += want - min(want, room)
    if leftover:
        extra += _allocate(rng, leftover, frailty * per_patient[group], cap - extra)
    stays_per_patient = (extra + special).astype(np.int32)

    # The group's age is the age at the patient's middle stay (the stays' age mix is what is calibrated):
    # k stays spread uniformly over the window sit on average (k-1)/(2(k+1)) of it after the first one.
    k = np.maximum(stays_per_patient, 1)
    drift = (window_days - 1) * (k - 1) / (2 * (k + 1))
    first_age = np.maximum(typical_age - drift, 1).astype(np.int32)
    first_age[mother] = typical_age[mother].astype(np.int32)  # the delivery is the first stay, at that age
    first_age[newborn] = 0

    # First estimate of the time between separate episodes (the final spacing is drawn at placement).
    long_gap_scale = np.maximum(1.0, 0.7 * window_days / k - 36.0).astype(np.float32)
    return Population(group, newborn, mother, female, insurance, first_age, stays_per_patient, long_gap_scale)
