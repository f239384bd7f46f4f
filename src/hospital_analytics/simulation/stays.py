"""What a stay is, drawn at admission from its keys: length, path through units, outcome, times, doctor, charges,
and when the patient comes back.

Everything here is vectorised over the day's admissions and keyed by the stay's uid (``draws``), so a stay's
attributes never depend on other stays, on the order of processing or on the window's end.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from hospital_analytics.simulation import calendar, draws
from hospital_analytics.simulation.casemix import (
    ELECTIVE,
    EMERGENCY,
    NEWBORN,
    ROLE_ICU,
    ROLE_NICU,
    ROLE_STEPDOWN,
    URGENT,
    casemix,
)
from hospital_analytics.simulation.reference import diagnoses, revisits, timing
from hospital_analytics.simulation.reference.payers import PAYERS
from hospital_analytics.simulation.system import System

LOS_MAX_DAYS = 365
DIED = 6  # index of "Died" in outcomes.DISPOSITIONS
NO_LEG = -1
MINUTES = 1440
# Later revisits (beyond the 30-day readmission): probability per discharge by age band and the mean gap.
# Assumption shaped on HCUP SB #184 (1.4 stays per patient-year among patients with a stay); see
# docs/calibration.md, "Revisits".
LATER_REVISIT = 0.22
LATER_GAP_DAYS = 200.0
_READMIT_DAY_CDF = draws.cumulative(np.array(revisits.READMISSION_DAY_WEIGHTS))
_PAYER_FACTOR = np.array([revisits.payer_factors()[p] for p in PAYERS])
_PROPENSITY = np.array(revisits.REVISIT_PROPENSITY_BY_AGE)


def _hour_cdf(profile: object) -> np.ndarray:
    return draws.cumulative(np.array(profile.shares))  # type: ignore[attr-defined]


HOURS = {
    "emergency": _hour_cdf(timing.EMERGENCY_ADMISSIONS),
    "elective": _hour_cdf(timing.ELECTIVE_ADMISSIONS),
    "birth": _hour_cdf(timing.BIRTH_HOURS),
    "discharge": _hour_cdf(timing.DISCHARGES),
    "transfer": _hour_cdf(timing.TRANSFERS),
}


def minute_of_day(u_hour: np.ndarray, u_minute: np.ndarray, kind: str) -> np.ndarray:
    """Minutes after midnight from two uniforms: the hour by an hour-of-day profile, the minute uniform."""
    return draws.choose(HOURS[kind], u_hour) * 60 + np.floor(u_minute * 60).astype(np.int64)


_HOLIDAY_FIRST = calendar.day_number(calendar.EPOCH.replace(year=1900))
_HOLIDAY_LAST = calendar.day_number(calendar.EPOCH.replace(year=2200))


@lru_cache(maxsize=1)
def _holiday_table() -> np.ndarray:
    return calendar.holiday_mask(_HOLIDAY_FIRST, _HOLIDAY_LAST)


def holiday(days: np.ndarray) -> np.ndarray:
    """True on observed US federal holidays (1900-2200)."""
    index = np.asarray(days, dtype=np.int64) - _HOLIDAY_FIRST
    inside = (index >= 0) & (index < len(_holiday_table()))
    return np.where(inside, _holiday_table()[np.clip(index, 0, len(_holiday_table()) - 1)], False)


def weekday_factor(profile: str, days: np.ndarray) -> np.ndarray:
    """A weekday profile's factor on each day, the holiday factor on observed federal holidays."""
    factors = np.array(timing.WEEKDAY_PROFILES[profile].factors)
    out = factors[calendar.weekday(days)]
    return np.where(holiday(days), timing.HOLIDAY_FACTOR[profile], out)


WAIT_STEPS = 7


def _discharge_days(go: np.ndarray) -> tuple[np.ndarray, float]:
    """Share of discharges per weekday and the mean wait, for ready days spread evenly over the week."""
    share = np.zeros(7)
    wait = 0.0
    for start in range(7):
        stay = 1.0 / 7
        for j in range(WAIT_STEPS + 1):
            day = (start + j) % 7
            p = stay * (go[day] if j < WAIT_STEPS else 1.0)
            share[day] += p
            wait += p * j
            stay -= p
    return share, wait


@lru_cache(maxsize=1)
def _acceptance() -> np.ndarray:
    """P(a patient ready to go leaves that weekday), fitted so discharges fall on the weekdays as published
    (``timing.DISCHARGE``: Friday the busiest, Sunday the quietest, 21% at weekends)."""
    target = np.array(timing.DISCHARGE.factors) / 7
    go = target / target.max()
    for _ in range(200):
        share, _ = _discharge_days(go)
        go = np.minimum(go * target / share, 1.0)
        go = go / go.max()
    return go


def discharge_wait(u: np.ndarray, ready: np.ndarray) -> np.ndarray:
    """Days a patient ready on ``ready`` waits (``u``: WAIT_STEPS uniforms per stay): each day the patient
    goes with that weekday's acceptance (``_acceptance``; a federal holiday counts as a Sunday)."""
    go_by_day = _acceptance()
    day = np.asarray(ready, dtype=np.int64)[:, None] + np.arange(WAIT_STEPS)  # (n, WAIT_STEPS), all at once
    go = u[:, :WAIT_STEPS] < np.where(holiday(day), go_by_day[6], go_by_day[calendar.weekday(day)])
    # the first day the patient goes, else WAIT_STEPS (argmax finds the first True; none: 0, so checked)
    first = go.argmax(axis=1)
    return np.where(go[np.arange(len(first)), first], first, WAIT_STEPS).astype(np.int64)


@lru_cache(maxsize=1)
def mean_wait() -> float:
    """Mean discharge wait over ready days spread evenly over the weekdays (holidays aside)."""
    return _discharge_days(_acceptance())[1]


SLOTS = 21 + WAIT_STEPS  # uniforms drawn per stay (one hash call for all of them)


def draw_stays(
    seed: int,
    system: System,
    uid: np.ndarray,
    hospital: np.ndarray,
    day: np.ndarray,
    diagnosis: np.ndarray,
    age: np.ndarray,
    band: np.ndarray,
    admission_type: np.ndarray,
    payer: np.ndarray,
    admit_minute: np.ndarray | None = None,
    later_revisit: float = LATER_REVISIT,
) -> dict[str, np.ndarray]:
    """Attributes of stays admitted on ``day`` (arrays of one length)."""
    mix = casemix()
    n = len(uid)
    d = diagnosis
    u = draws.uniform(seed, draws.LOS, uid[:, None], np.arange(SLOTS)[None, :])
    child = (band < 2).astype(np.int64)
    # --- timing of the admission
    if admit_minute is None:
        # each stay's hour from its own profile (elective, birth, else emergency): one lookup per stay
        profile = np.where(admission_type == ELECTIVE, 0, np.where(mix.delivery[d], 1, 2))
        hour = np.zeros(n, dtype=np.int64)
        for k, kind in enumerate(("elective", "birth", "emergency")):
            rows = profile == k
            hour[rows] = draws.choose(HOURS[kind], u[rows, 0])
        admit_minute = hour * 60 + np.floor(u[:, 1] * 60).astype(np.int64)
    # --- length of stay: lognormal around the diagnosis' mean at this age, less the expected discharge wait
    mean = np.maximum(mix.los_mean[d] * mix.los_age[d, band] - mean_wait(), 0.3) + 0.5
    sigma = mix.los_sigma[d]
    z = draws.normal_from_uniform(u[:, 2])
    ready_len = np.floor(mean * np.exp(sigma * z - sigma**2 / 2)).astype(np.int64).clip(0, LOS_MAX_DAYS)
    los = ready_len + discharge_wait(u[:, 21:], day + ready_len)
    los = los.clip(0, LOS_MAX_DAYS)
    # --- unit path: ICU first?, step-down?, then the floor of the service
    icu = u[:, 3] < mix.icu_first[d]
    step = u[:, 4] < mix.step_down[d]
    icu_role = np.where(mix.newborn[d], ROLE_NICU, ROLE_ICU)
    icu_share = mix.icu_days[d]
    step_share = np.where(
        icu, np.minimum(diagnoses.STEP_DOWN_SHARE_AFTER_ICU, (1 - icu_share) / 2), diagnoses.STEP_DOWN_SHARE_WITHOUT_ICU
    )
    floor_role = mix.floor_role[d, child]
    roles = np.full((n, 3), NO_LEG, dtype=np.int64)
    starts = np.full((n, 3), NO_LEG, dtype=np.int64)
    roles[:, 0] = np.where(icu, icu_role, np.where(step, ROLE_STEPDOWN, floor_role))
    starts[:, 0] = 0
    first_len = np.maximum(1, np.round(los * np.where(icu, icu_share, step_share))).astype(np.int64)
    has_second = (icu | step) & (first_len < los)
    roles[:, 1] = np.where(has_second, np.where(icu & step, ROLE_STEPDOWN, floor_role), NO_LEG)
    starts[:, 1] = np.where(has_second, first_len, NO_LEG)
    second_len = np.maximum(1, np.round(los * step_share)).astype(np.int64)
    has_third = has_second & icu & step & (first_len + second_len < los)
    roles[:, 2] = np.where(has_third, floor_role, NO_LEG)
    starts[:, 2] = np.where(has_third, first_len + second_len, NO_LEG)
    # a stay that passes straight through step-down with no floor days stays on step-down
    units = np.where(roles >= 0, system.unit_map[hospital[:, None], np.maximum(roles, 0)], NO_LEG)
    same = (units[:, 1] >= 0) & (units[:, 1] == units[:, 0])
    units[same, 1], starts[same, 1] = units[same, 2], starts[same, 2]
    units[same, 2], starts[same, 2] = NO_LEG, NO_LEG
    same = (units[:, 2] >= 0) & (units[:, 2] == units[:, 1])
    units[same, 2], starts[same, 2] = NO_LEG, NO_LEG
    leg_day = np.where(starts >= 0, day[:, None] + starts, NO_LEG)
    leg_minute = np.zeros((n, 3), dtype=np.int64)
    leg_minute[:, 0] = admit_minute
    for k in (1, 2):
        leg_minute[:, k] = minute_of_day(u[:, 3 + 2 * k], u[:, 4 + 2 * k], "transfer")
    # --- outcome: death by diagnosis and age, else a disposition of survivors by age band and diagnosis group
    p_die = np.minimum(mix.mortality[d] * mix.mortality_age[d, band], 0.9)
    died = u[:, 9] < p_die
    survivor = (u[:, 10][:, None] > mix.survivors_cdf[d, band]).sum(axis=1)
    disposition = np.where(died, DIED, survivor.clip(0, 5))
    # --- discharge (or death) time
    discharge_minute = np.where(
        died,
        np.floor(u[:, 11] * MINUTES).astype(np.int64),
        minute_of_day(u[:, 12], u[:, 13], "discharge"),
    )
    same_day = los == 0
    discharge_minute = np.where(
        same_day & (discharge_minute <= admit_minute),
        np.minimum(admit_minute + 120, MINUTES - 1),
        discharge_minute,
    )
    # --- attending doctor: the intensivist for ICU-first stays, else the service's role
    from hospital_analytics.simulation.casemix import ATTENDING_ROLES

    role = np.where(icu & ~mix.newborn[d], ATTENDING_ROLES.index("intensivist"), mix.attending[d, child])
    doctor = pick_doctor(system, u[:, 14], hospital, role)
    # --- charges: the diagnosis' mean scaled by length of stay, lognormal spread (sigma 0.5)
    ratio = (los + 1) / (mix.los_mean[d] + 1)
    spread = np.exp(0.5 * draws.normal_from_uniform(u[:, 15]) - 0.125)
    cents = np.round(mix.charges[d] * (0.35 + 0.65 * ratio) * spread * 100).astype(np.int64).clip(50_000, 10**12)
    # --- coming back: a 30-day readmission (diagnosis x payer) or a later revisit (age band propensity)
    p_readmit = np.minimum(mix.readmission[d] * _PAYER_FACTOR[payer], revisits.MAX_PROBABILITY)
    readmit = u[:, 16] < p_readmit
    readmit_gap = draws.choose(_READMIT_DAY_CDF, u[:, 17]) + 1
    later = u[:, 18] < later_revisit * _PROPENSITY[band]
    later_gap = 31 + np.floor(-np.log1p(-u[:, 19]) * LATER_GAP_DAYS).astype(np.int64)
    gap = np.where(readmit, readmit_gap, np.where(later, later_gap, 0))
    # --- HCUP stay type: maternal/neonatal by code, else surgical with the code's share of OR procedures
    stay_type = np.where(mix.stay_type[d] == 2, 2, np.where(u[:, 20] < mix.surgical_share[d], 1, 0))
    return {
        "uid": uid,
        "stay_type": stay_type,
        "hospital": hospital,
        "admission_day": day,
        "admission_minute": admit_minute,
        "discharge_day": day + los,
        "discharge_minute": discharge_minute,
        "diagnosis": d,
        "age": age,
        "admission_type": admission_type,
        "disposition": disposition,
        "doctor": doctor,
        "cents": cents,
        "leg_unit": units,
        "leg_day": leg_day,
        "leg_minute": leg_minute,
        "payer": payer,
        "next_gap": gap,
        "next_kind": np.where(readmit, 1, np.where(later, 2, 0)),
    }


def pick_doctor(system: System, u: np.ndarray, hospital: np.ndarray, role: np.ndarray) -> np.ndarray:
    """A doctor of the role at the hospital, uniformly (the roster's stand-in block when an explicit small
    ``--doctors`` left the role empty: see ``system._roster``)."""
    first = system.roster_first[hospital, role]
    size = system.roster_size[hospital, role]
    return first + np.floor(u * np.maximum(size, 1)).astype(np.int64)


def split_emergency(seed: int, uid: np.ndarray, diagnosis: np.ndarray) -> np.ndarray:
    """Emergency or Urgent for a non-elective admission, by the diagnosis' mix."""
    mix = casemix()
    e = mix.admission_cdf[diagnosis, 0]
    u_ = mix.admission_cdf[diagnosis, 1] - e
    share = e / np.maximum(e + u_, 1e-12)
    return np.where(draws.uniform(seed, draws.CASEMIX, uid, 9) < share, EMERGENCY, URGENT)


def admission_type_of(seed: int, uid: np.ndarray, diagnosis: np.ndarray) -> np.ndarray:
    """Emergency, Urgent or Elective by the diagnosis' mix (revisits and deliveries)."""
    mix = casemix()
    u = draws.uniform(seed, draws.CASEMIX, uid, 8)
    return (u[:, None] > mix.admission_cdf[diagnosis]).sum(axis=1).clip(0, 2)


__all__ = ["NEWBORN", "draw_stays"]
