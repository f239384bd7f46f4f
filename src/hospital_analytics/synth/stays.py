"""Stays, one block of patients at a time: vectorised over patients, looping only over "k-th stay".

For a block of patients (each with a known number of stays), round k draws every patient's k-th stay at
once, in time relative to the patient's first admission (so ages are known while drawing):

1. diagnosis from the stratum (age band, sex, recent delivery); a newborn's first stay is the birth stay
   (liveborn, age 0), a mother's first stay is a delivery;
2. length of stay: lognormal of the diagnosis, longer with age.

Then, for the whole block at once:

3. readmissions: among stays that have a next stay, pick which are followed within 30 days, with
   probability ~ diagnosis propensity, scaled per insurance so each payer meets its published rate
   (pregnancy pinned to its own); a readmission sometimes repeats the diagnosis;
4. episodes (a stay and its readmissions) are spaced over the window: the free days are split uniformly
   at random (Dirichlet) before, between (on top of 31 days) and after them - no pile-up mid-window -
   and each proposal is accepted with the product of its stays' seasonal intensities (rejection
   sampling), so flu peaks in winter while timelines stay intact; the rare timeline longer than the
   window is compressed first;
5. checks against calendar ages redraw the rare diagnosis that no longer fits (a birthday moved), then
   doctor, admission type, stay type, disposition and charges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hospital_analytics.errors import GenerateError
from hospital_analytics.synth import distributions as dist
from hospital_analytics.synth.model import DAYS_PER_YEAR, Model
from hospital_analytics.synth.population import Population
from hospital_analytics.synth.sampling import Categorical, calendar_age, month_index
from hospital_analytics.synth.staff import Roster

PLACEMENT_TRIES = 25
REPAIR_ROUNDS = 8
_SHORT_GAP = Categorical(np.exp(-np.arange(1, 31) / dist.READMISSION_GAP_SCALE_DAYS))  # day 1..30
_DISPOSITION = Categorical(np.array(dist.DISPOSITION_BY_GROUP))
_DIED = dist.DISPOSITIONS.index("Died")
_MATERNAL = dist.STAY_TYPES.index("Maternal/Neonatal")
_SURGICAL = dist.STAY_TYPES.index("Surgical")


@dataclass(frozen=True)
class Window:
    start: int  # day number of the first day
    end: int  # day number of the last day

    @property
    def days(self) -> int:
        return self.end - self.start + 1

    def month_of_year(self) -> np.ndarray:
        """Calendar month (0-11) of each day of the window."""
        return (month_index(np.arange(self.start, self.end + 1)) % 12).astype(np.int8)


@dataclass(frozen=True)
class Readmission:
    """30-day readmission rate per insurance (index into dist.INSURANCE) for the whole run."""

    rate: np.ndarray  # (4,)


@dataclass
class StayBlock:
    """Stays of one block, patient-major (a patient's stays are consecutive, in time order)."""

    patient: np.ndarray  # int32 global patient index (patient_id - 1)
    admission: np.ndarray  # int32 day number
    los: np.ndarray  # int16 days
    diagnosis: np.ndarray  # int8
    admission_type: np.ndarray  # int8
    stay_type: np.ndarray  # int8
    disposition: np.ndarray  # int8
    doctor: np.ndarray  # int32 doctor index (doctor_id - 1)
    charges_cents: np.ndarray  # int64
    # for the fidelity table and checks
    age: np.ndarray  # int16 completed years at admission
    specialty: np.ndarray  # int8
    readmitted: np.ndarray  # bool: next stay of the patient within 1..30 days of discharge
    birth: np.ndarray  # int32 birth day numbers of the block's patients (all of them, with or without stays)

    def __len__(self) -> int:
        return len(self.patient)


def readmission_plan(pop: Population) -> Readmission:
    """Rates per insurance: Medicare and private as published; Medicaid and self-pay solved so that the
    whole run's rate is READMISSION_OVERALL."""
    n_ins = len(dist.INSURANCE)
    stays = np.bincount(pop.insurance, weights=pop.stays.astype(np.float64), minlength=n_ins)
    rate = np.zeros(n_ins)
    names = list(dist.INSURANCE)
    for name, value in dist.READMISSION_BY_INSURANCE.items():
        rate[names.index(name)] = value
    fixed = float((rate * stays).sum())
    solved = [(names.index(name), ratio) for name, ratio in dist.READMISSION_SOLVED_RATIO.items()]
    denominator = sum(ratio * stays[i] for i, ratio in solved)
    level = (dist.READMISSION_OVERALL * stays.sum() - fixed) / denominator if denominator > 0 else 0.0
    for i, ratio in solved:
        rate[i] = float(np.clip(level * ratio, 0.05, 0.30))
    return Readmission(rate)


def _choose_readmissions(
    rng: np.random.Generator,
    model: Model,
    plan: Readmission,
    diagnosis: np.ndarray,
    insurance: np.ndarray,
    has_next: np.ndarray,
) -> np.ndarray:
    """Which stays are followed by a readmission: expected count per insurance = rate x its stays."""
    n_ins = len(dist.INSURANCE)
    cap = dist.READMISSION_MAX_PROBABILITY
    p = np.zeros(len(diagnosis))
    maternal = model.maternal[diagnosis]
    maternal_next = maternal & has_next
    if maternal_next.any():
        p[maternal_next] = min(cap, dist.READMISSION_PREGNANCY * maternal.sum() / maternal_next.sum())
    needed = plan.rate * np.bincount(insurance, minlength=n_ins)
    needed -= np.bincount(insurance[maternal_next], weights=p[maternal_next], minlength=n_ins)
    others = np.flatnonzero(has_next & ~maternal)
    n_diag = model.n_diagnoses
    # f(scale) = sum over candidate stays of min(cap, scale * propensity): aggregate by diagnosis first
    key = insurance[others].astype(np.int64) * n_diag + diagnosis[others]
    counts = np.bincount(key, minlength=n_ins * n_diag).reshape(n_ins, n_diag)
    lo, hi = np.zeros(n_ins), np.full(n_ins, cap / model.readmission.min())
    for _ in range(60):  # bisection on the scale per insurance
        mid = (lo + hi) / 2
        got = (counts * np.minimum(cap, mid[:, None] * model.readmission[None, :])).sum(axis=1)
        over = got > needed
        hi = np.where(over, mid, hi)
        lo = np.where(over, lo, mid)
    p[others] = np.minimum(cap, lo[insurance[others]] * model.readmission[diagnosis[others]])
    return rng.random(len(diagnosis)) < p


def _los(rng: np.random.Generator, model: Model, diagnosis: np.ndarray, years: np.ndarray) -> np.ndarray:
    z = rng.standard_normal(len(diagnosis))
    length = np.exp(model.los_mu[diagnosis] + model.los_sigma[diagnosis] * z) * _age_multiplier(years)
    return np.minimum(np.floor(length), dist.LOS_MAX_DAYS).astype(np.int64)


def _segment_cumsum(values: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sum restarting at each new value of the (sorted) ``segment`` array."""
    total = np.cumsum(values)
    if len(values) == 0:
        return total
    new = np.empty(len(segment), dtype=bool)
    new[0] = True
    new[1:] = segment[1:] != segment[:-1]
    starts = np.flatnonzero(new)
    before = np.concatenate([[0], total[starts[1:] - 1]]) if len(starts) > 1 else np.zeros(1, total.dtype)
    return total - np.repeat(before, np.diff(np.append(starts, len(values))))


def _age_multiplier(years: np.ndarray) -> np.ndarray:
    mult = 1 + dist.LOS_AGE_SLOPE_PER_YEAR * (years - 50.0)
    return np.where(years >= 18, dist.LOS_ADULT_SCALE * np.clip(mult, *dist.LOS_AGE_CLIP), 1.0)


def _segment_starts(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def _offsets(owner: np.ndarray, starts: np.ndarray, los: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Admission offset of every stay from its patient's first admission."""
    step = los.astype(np.int64) + gap
    before = np.cumsum(step) - step
    return before - before[starts[owner]]


def _compress(owner, starts, stays, los, gap, last, limit) -> None:
    """Shorten timelines whose last admission falls beyond ``limit`` days (in place): long gaps down to 31
    days, then any gap down to 1, then the stays themselves (never needed within the stays cap)."""
    n = len(stays)
    span = np.zeros(n, dtype=np.int64)
    has = stays > 0
    offsets = _offsets(owner, starts, los, gap)
    span[has] = offsets[starts[has] + stays[has] - 1]
    excess = span - limit
    if not (excess > 0).any():
        return
    for floor_value, stage in ((31, "long"), (1, "gap"), (0, "los")):
        over = excess > 0
        if not over.any():
            return
        if stage == "los":
            sel = over[owner] & ~last
            values = los
        else:
            sel = over[owner] & ~last & (gap > (30 if stage == "long" else 0))
            values = gap
        slack = np.bincount(owner[sel], weights=values[sel] - floor_value, minlength=n)
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = np.where(slack > 0, np.minimum(1.0, excess / slack), 0.0)
        old = values[sel].astype(np.int64)
        new = floor_value + np.floor((old - floor_value) * (1 - fraction[owner[sel]])).astype(np.int64)
        values[sel] = new
        excess -= np.bincount(owner[sel], weights=old - new, minlength=n).astype(np.int64)


def _previous_delivery(owner: np.ndarray, admission: np.ndarray, delivery: np.ndarray) -> np.ndarray:
    """Day number of the patient's latest delivery before each stay (very negative when none).

    One running maximum over keys ``patient * 2**40 + day``: within a patient's (consecutive) stays it
    carries the latest delivery forward; a smaller key means "an earlier patient", i.e. none yet.
    """
    big = np.int64(1) << 40
    half = np.int64(1) << 39
    base = owner.astype(np.int64) * big
    key = base + np.where(delivery, admission.astype(np.int64), -half) + half
    running = np.maximum.accumulate(key)
    previous = np.empty_like(running)
    previous[0] = -1
    previous[1:] = running[:-1]
    return np.where(previous >= base, previous - base - half, -half)


def simulate_block(
    rng: np.random.Generator,
    model: Model,
    pop: Population,
    lo: int,
    hi: int,
    window: Window,
    readmission: Readmission,
    roster: Roster,
) -> StayBlock:
    """Simulate the stays of patients ``lo..hi-1`` (global indices)."""
    stays = pop.stays[lo:hi].astype(np.int64)
    n = hi - lo
    first_age = pop.first_age[lo:hi].astype(np.int64)
    female = pop.female[lo:hi]
    insurance = pop.insurance[lo:hi]
    gap_scale = pop.long_gap_scale[lo:hi]
    starts = _segment_starts(stays)
    total = int(stays.sum())
    owner = np.repeat(np.arange(n), stays)
    sex = female[owner].astype(np.int64)
    has = stays > 0
    last = np.zeros(total, dtype=bool)
    last[starts[has] + stays[has] - 1] = True

    # --- rounds: k-th stay of every patient at once ----------------------------------------------------
    diagnosis = np.zeros(total, dtype=np.int64)
    los = np.zeros(total, dtype=np.int64)
    band = np.zeros(total, dtype=np.int64)
    blocked = np.zeros(total, dtype=bool)
    years = np.zeros(total, dtype=np.int64)
    offset = np.zeros(n, dtype=np.int64)
    last_delivery = np.full(n, -(10**6), dtype=np.int64)
    by_stays = np.argsort(-stays, kind="stable")
    active_counts = np.bincount(stays, minlength=int(stays.max(initial=0)) + 1)[::-1].cumsum()[::-1]
    spacing = dist.DELIVERY_SPACING_DAYS
    for k in range(int(stays.max(initial=0))):
        act = by_stays[: active_counts[k + 1]]
        m = len(act)
        index = starts[act] + k
        age_days = first_age[act] + offset[act]
        age_years = (age_days / DAYS_PER_YEAR).astype(np.int64)
        b = model.band(age_days, age_years)
        blk = (offset[act] - last_delivery[act]) < spacing
        d = model.diagnosis_sampler.sample(model.stratum(b, female[act], blk), rng.random(m))
        if k == 0:
            d[pop.newborn[lo:hi][act]] = model.liveborn
            mothers = pop.mother[lo:hi][act]
            d[mothers] = model.delivery_sampler.sample(0, rng.random(int(mothers.sum())))
        length = _los(rng, model, d, age_years)
        provisional_gap = 31 + np.floor(rng.exponential(1.0, m) * gap_scale[act]).astype(np.int64)
        diagnosis[index], los[index], band[index], blocked[index], years[index] = d, length, b, blk, age_years
        last_delivery[act] = np.where(model.delivery[d], offset[act], last_delivery[act])
        offset[act] += length + provisional_gap

    # --- readmissions (calibrated per insurance), sometimes for the same diagnosis ----------------------
    readmit = _choose_readmissions(rng, model, readmission, diagnosis, insurance[owner], ~last)
    first = np.flatnonzero(readmit)
    repeat = first[rng.random(len(first)) < dist.READMISSION_REPEAT_DIAGNOSIS]
    nxt, same = repeat + 1, diagnosis[repeat]
    fits = model.eligible[band[nxt], sex[nxt], blocked[nxt].astype(np.int64), same] & (same != model.liveborn)
    nxt, same = nxt[fits], same[fits]
    diagnosis[nxt] = same
    los[nxt] = _los(rng, model, same, years[nxt])
    short = 1 + _SHORT_GAP.sample(0, rng.random(total))
    gap = np.where(readmit, short, np.where(last, 0, 31)).astype(np.int64)

    limit = window.days - 1
    _compress(owner, starts, stays, los, gap, last, limit)
    admission, first_day = _place(rng, model, window, owner, starts, stays, los, gap, diagnosis)
    birth = np.where(has, window.start + first_day - first_age, window.end - first_age)

    # --- checks against calendar ages; redraw the rare diagnosis that no longer fits -----------------
    age_days = admission - birth[owner]
    age = calendar_age(birth[owner], admission).astype(np.int64)
    band = model.band(age_days, age)
    birth_stay = diagnosis == model.liveborn
    for _ in range(REPAIR_ROUNDS):
        blocked = (admission - _previous_delivery(owner, admission, model.delivery[diagnosis])) < spacing
        bad = ~model.eligible[band, sex, blocked.astype(np.int64), diagnosis] & ~birth_stay
        if not bad.any():
            break
        rows = model.stratum(band[bad], sex[bad], blocked[bad])
        diagnosis[bad] = model.diagnosis_sampler.sample(rows, rng.random(int(bad.sum())))
    else:
        raise GenerateError("Could not fit every diagnosis to its patient's age and sex.", "Report this with the seed.")

    # --- who, how, and how much -------------------------------------------------------------------------
    child = (age < 18).astype(np.int64)
    doctor, specialty = roster.assign(rng, diagnosis, child)
    admission_type = model.admission_sampler.sample(diagnosis, rng.random(total))
    surgical = rng.random(total) < model.p_surgical[diagnosis]
    stay_type = np.where(model.default_stay_type[diagnosis] == _MATERNAL, _MATERNAL, np.where(surgical, _SURGICAL, 0))

    group_row = np.searchsorted(np.array([1, 18, 45, 65, 85]), age, side="right") + 1
    group_row[birth_stay] = 0
    disposition = _DISPOSITION.sample(group_row, rng.random(total))
    death_mult = np.ones(total)
    for from_age, mult in dist.DEATH_AGE_MULTIPLIER:
        death_mult[age >= from_age] = mult
    died = last & (rng.random(total) < model.death[diagnosis] * death_mult)
    disposition = np.where(died, _DIED, disposition)

    sigma = dist.CHARGES_SIGMA
    share = dist.CHARGES_LOS_SHARE
    scale = (1 - share) + share * (los + 1) / (model.los_mean[diagnosis] + 1)
    procedure = np.where(surgical & (model.p_surgical[diagnosis] < 0.5), dist.CHARGES_SURGICAL_MULTIPLIER, 1.0)
    noise = np.exp(sigma * rng.standard_normal(total) - sigma**2 / 2)
    dollars = np.maximum(model.charges_mean[diagnosis] * scale * procedure * noise, 500.0)
    cents = np.round(dollars * 100).astype(np.int64)

    discharge = admission + los
    readmitted = np.zeros(total, dtype=bool)
    nxt = np.flatnonzero(~last)
    days_to_next = admission[nxt + 1] - discharge[nxt]
    if (days_to_next < 1).any():
        raise GenerateError("Internal check failed: overlapping stays.", "Report this with the seed.")
    readmitted[nxt] = days_to_next <= 30

    return StayBlock(
        patient=(owner + lo).astype(np.int32),
        admission=admission.astype(np.int32),
        los=los.astype(np.int16),
        diagnosis=diagnosis.astype(np.int8),
        admission_type=admission_type.astype(np.int8),
        stay_type=stay_type.astype(np.int8),
        disposition=disposition.astype(np.int8),
        doctor=doctor.astype(np.int32),
        charges_cents=cents,
        age=age.astype(np.int16),
        specialty=specialty.astype(np.int8),
        readmitted=readmitted,
        birth=birth.astype(np.int32),
    )


def _place(rng, model, window, owner, starts, stays, los, gap, diagnosis) -> tuple[np.ndarray, np.ndarray]:
    """Admission day numbers of every stay, and each patient's first admission (days from window start).

    A single stay's day is drawn exactly from its seasonal curve (inverse CDF over the allowed days).
    Otherwise episodes (a stay plus its readmissions) keep their inner gaps; the window's free days are
    split among the gaps before, between (on top of 31 days) and after them with uniform spacings, and a
    proposal is accepted with probability = product of its stays' seasonal intensity / maximum.
    """
    n, total = len(stays), len(owner)
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(n, dtype=np.int64)
    limit = window.days - 1
    offsets = _offsets(owner, starts, los, gap)
    new_episode = np.ones(total, dtype=bool)
    new_episode[1:] = (owner[1:] != owner[:-1]) | (gap[:-1] > 30)
    episode = np.cumsum(new_episode) - 1
    first_stay = np.flatnonzero(new_episode)
    last_stay = np.append(first_stay[1:] - 1, total - 1)
    inner = offsets - offsets[first_stay[episode]]
    episode_owner = owner[first_stay]
    final_episode = np.append(episode_owner[1:] != episode_owner[:-1], True)
    # days an episode needs before the next may start: its length + 31; the final one only its last admission
    need = np.where(final_episode, inner[last_stay], inner[last_stay] + los[last_stay] + 31)
    free = limit - np.bincount(episode_owner, weights=need, minlength=n).astype(np.int64)
    before = _segment_cumsum(need, episode_owner) - need  # days needed by the patient's earlier episodes

    month_of_day = window.month_of_year()
    log_ratio = np.log(model.season_ratio)  # (curves, 12)
    season = model.season[diagnosis]
    episode_day = np.zeros(len(first_stay), dtype=np.int64)

    # One stay: sample its day exactly from the curve over the days it may take (inverse CDF).
    single = np.flatnonzero(stays == 1)
    if len(single):
        curve = season[starts[single]]
        cumulative = np.cumsum(model.season_ratio[:, month_of_day], axis=1)  # (curves, window days)
        target = rng.random(len(single)) * cumulative[curve, free[single]]
        day = np.zeros(len(single), dtype=np.int64)
        for c in np.unique(curve):
            chosen = curve == c
            day[chosen] = np.searchsorted(cumulative[c], target[chosen], side="right")
        episode_day[episode[starts[single]]] = np.minimum(day, free[single])

    # Several stays: uniform spacings, accepted with the product of their seasonal ratios.
    multiple = stays > 1
    patients = np.flatnonzero(multiple)  # pending patients, their episodes and stays (shrinking)
    episodes = np.flatnonzero(multiple[episode_owner])
    members = np.flatnonzero(multiple[owner])
    still = np.zeros(n, dtype=bool)
    for attempt in range(PLACEMENT_TRIES):
        if len(patients) == 0:
            break
        who = episode_owner[episodes]
        spacing = rng.exponential(1.0, len(episodes))
        tail = np.zeros(n)
        tail[patients] = rng.exponential(1.0, len(patients))
        running = _segment_cumsum(spacing, who)
        whole = np.bincount(who, weights=spacing, minlength=n) + tail
        episode_day[episodes] = np.floor(free[who] * running / whole[who]).astype(np.int64) + before[episodes]
        if attempt == PLACEMENT_TRIES - 1:
            break
        day = episode_day[episode[members]] + inner[members]
        score = np.bincount(owner[members], weights=log_ratio[season[members], month_of_day[day]], minlength=n)
        rejected = np.log(rng.random(len(patients))) >= score[patients]
        still[:] = False
        still[patients[rejected]] = True
        patients = patients[rejected]
        episodes = episodes[still[episode_owner[episodes]]]
        members = members[still[owner[members]]]

    admission = window.start + episode_day[episode] + inner
    first_day = np.zeros(n, dtype=np.int64)
    has = stays > 0
    first_day[has] = episode_day[episode[starts[has]]]
    return admission, first_day


__all__ = ["Readmission", "StayBlock", "Window", "readmission_plan", "simulate_block"]
