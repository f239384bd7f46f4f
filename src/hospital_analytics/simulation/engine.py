"""The day loop: discharges and deaths, transfers, arrivals, placement under capacity, the midnight census.

Per day ``t`` (all hospitals at once, vectorised): (1) stays whose discharge day is ``t`` leave (deaths end
the patient's timeline; survivors' next visit is booked); (2) transfers due today move when the target unit
has a bed, else wait a day (the rest of the stay shifts); (3) arrivals: new patients (Poisson by hospital,
stream, weekday, month, holiday), known patients whose next visit is today, electives postponed earlier;
deliveries bring their newborns; (4) placement in each stay's first unit in priority order (emergencies,
urgent, electives; then time of arrival) while beds remain - electives that do not fit are postponed to
the next elective day, the others diverted (both recorded). Only the state at the end of ``t - 1`` and
draws keyed by ``t`` and stay uids are read, so the loop can stop after any day and resume.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hospital_analytics.simulation import calendar, coverage, draws
from hospital_analytics.simulation.casemix import (
    BAND_HIGH,
    BAND_LOW,
    ELECTIVE,
    EMERGENCY,
    NEWBORN,
    STREAMS,
    URGENT,
    band_of,
    casemix,
    delivery_share,
    newborn_share,
    revisit_tables,
    stream_tables,
)
from hospital_analytics.simulation.columns import Columns
from hospital_analytics.simulation.reference import births as birth_ref
from hospital_analytics.simulation.reference import revisits
from hospital_analytics.simulation.stays import (
    _PAYER_FACTOR,
    _PROPENSITY,
    DIED,
    LATER_GAP_DAYS,
    LATER_REVISIT,
    admission_type_of,
    draw_stays,
    holiday,
    split_emergency,
    weekday_factor,
)
from hospital_analytics.simulation.system import System

ARRIVAL_BLOCK_DAYS = 32  # new arrivals are state-free: drawn (and their stays) for this many days at once
MINUTES = 1440
MEAN_STAY_DAYS = 4.6  # returns come after the index stay's discharge
# The same process runs this long before the window, so day one is in steady state: the in-house census and
# the 30-day readmissions settle within a few mean stays plus 30 days; later returns (gaps of months) are
# warmed up analytically (``Engine.new_share``), so 120 days do what the design's 365 did (docs/design).
BURN_IN_DAYS = 120
DAY_OFFSET = 1 << 19
STREAM_DELIVERY, STREAM_REVISIT, STREAM_NEWBORN = 2, 3, 4
TWIN_DELIVERY = birth_ref.TWIN_BIRTHS_PER_DELIVERY / (2 - birth_ref.TWIN_BIRTHS_PER_DELIVERY)  # twins per delivery
EVENT_POSTPONED, EVENT_DIVERTED, EVENT_HELD = 0, 1, 2
EVENT_TYPES = ("Elective postponed", "Emergency diverted", "Transfer held")
I32, I64, I16, I8, U64 = np.int32, np.int64, np.int16, np.int8, np.uint64

PATIENT_SPEC: dict[str, tuple[Any, tuple[int, ...]]] = {
    "key": (U64, ()),
    "birth": (I32, ()),
    "female": (np.bool_, ()),
    "hospital": (I32, ()),
    "home": (I32, ()),  # index into the hospital's catchment places
    "death": (I32, ()),  # day of death, -1 alive
    "spell_start": (I32, (coverage.SPELLS,)),
    "spell_payer": (I8, (coverage.SPELLS,)),
    "last_diagnosis": (I16, ()),
    "next_kind": (I8, ()),
}
STAY_SPEC: dict[str, tuple[Any, tuple[int, ...]]] = {
    "uid": (U64, ()),
    "patient": (I32, ()),
    "hospital": (I32, ()),
    "admission_day": (I32, ()),
    "admission_minute": (I16, ()),
    "discharge_day": (I32, ()),
    "discharge_minute": (I16, ()),
    "diagnosis": (I16, ()),
    "age": (I16, ()),
    "admission_type": (I8, ()),
    "stay_type": (I8, ()),
    "disposition": (I8, ()),
    "doctor": (I32, ()),
    "cents": (I64, ()),
    "leg_unit": (I32, (3,)),
    "leg_day": (I32, (3,)),
    "leg_minute": (I16, (3,)),
    "payer": (I8, ()),
    "next_gap": (I16, ()),
    "next_kind": (I8, ()),
}
EVENT_SPEC: dict[str, tuple[Any, tuple[int, ...]]] = {
    "day": (I32, ()),
    "minute": (I16, ()),
    "hospital": (I32, ()),
    "unit": (I32, ()),
    "kind": (I8, ()),
    "patient": (I32, ()),  # -1: a new patient never registered
}
BIRTH_SPEC: dict[str, tuple[Any, tuple[int, ...]]] = {
    "newborn_stay": (I32, ()),
    "mother_stay": (I32, ()),
    "cesarean": (np.bool_, ()),
    "plurality": (I8, ()),
}
CANDIDATE = ("uid", "day", "hospital", "diagnosis", "age", "band", "female", "birth", "patient", "admission_type")


def make_uid(day: int, hospital: np.ndarray, stream: int, seq: np.ndarray) -> np.ndarray:
    """A stay's key: (day, hospital, stream, sequence) packed into 64 bits."""
    return (
        (np.uint64(day + DAY_OFFSET) << np.uint64(44))
        | (hospital.astype(np.uint64) << np.uint64(28))
        | (np.uint64(stream) << np.uint64(24))
        | seq.astype(np.uint64)
    )


def make_uid_days(day: np.ndarray, hospital: np.ndarray, stream: int, seq: np.ndarray) -> np.ndarray:
    """``make_uid`` for rows of different days."""
    return (
        ((day.astype(np.int64) + DAY_OFFSET).astype(np.uint64) << np.uint64(44))
        | (hospital.astype(np.uint64) << np.uint64(28))
        | (np.uint64(stream) << np.uint64(24))
        | seq.astype(np.uint64)
    )


def _no_stays() -> dict[str, np.ndarray]:
    """``draw_stays``' result for no stays (its keys, empty)."""
    out = {name: np.zeros((0, *shape), dtype=np.int64) for name, (_, shape) in STAY_SPEC.items()}
    out["uid"] = np.zeros(0, dtype=np.uint64)
    del out["patient"]
    return out


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    parts = [p for p in parts if len(p["uid"])]
    if not parts:
        return {name: np.zeros(0, dtype=np.uint64 if name == "uid" else np.int64) for name in CANDIDATE}
    return {name: np.concatenate([p[name] for p in parts]) for name in CANDIDATE}


def _take(values: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {name: array[mask] for name, array in values.items()}


def next_elective_day(day: int) -> int:
    """The next weekday (Monday-Friday) after ``day`` that is not a federal holiday."""
    t = day + 1
    while calendar.weekday(t) >= 5 or bool(holiday(np.array([t]))[0]):
        t += 1
    return t


class Batch:
    """A day's (or a block's) candidates with everything drawn at admission: stays, payer spells, newborns."""

    def __init__(
        self,
        c: dict[str, np.ndarray],
        stay: dict[str, np.ndarray],
        starts: np.ndarray,
        payers: np.ndarray,
        mother: np.ndarray,
        nb: dict[str, np.ndarray],
        newborn: dict[str, np.ndarray],
    ):
        self.c, self.stay, self.starts, self.payers = c, stay, starts, payers
        self.mother, self.nb, self.newborn = mother, nb, newborn

    def subset(self, keep: np.ndarray) -> Batch:
        """The rows where ``keep`` (a boolean mask over candidates) and their newborns."""
        index = np.flatnonzero(keep)
        remap = np.full(len(keep), -1, dtype=np.int64)
        remap[index] = np.arange(len(index))
        babies = keep[self.mother] if len(self.mother) else np.zeros(0, dtype=bool)
        return Batch(
            _take(self.c, index),
            _take(self.stay, index),
            self.starts[index],
            self.payers[index],
            remap[self.mother[babies]],
            _take(self.nb, babies),
            _take(self.newborn, babies),
        )

    def day(self, t: int) -> Batch:
        """The rows of day ``t`` (rows are in day order, newborns in their mothers' order): views, no copies."""
        days = self.c["day"]
        a, b = int(np.searchsorted(days, t, "left")), int(np.searchsorted(days, t, "right"))
        x, y = int(np.searchsorted(self.mother, a, "left")), int(np.searchsorted(self.mother, b, "left"))

        def rows(d: dict[str, np.ndarray], lo: int, hi: int) -> dict[str, np.ndarray]:
            return {k: v[lo:hi] for k, v in d.items()}

        return Batch(
            rows(self.c, a, b),
            rows(self.stay, a, b),
            self.starts[a:b],
            self.payers[a:b],
            self.mother[x:y] - a,
            rows(self.nb, x, y),
            rows(self.newborn, x, y),
        )

    @staticmethod
    def concat(x: Batch, y: Batch) -> Batch:
        def cat(p: dict[str, np.ndarray], q: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
            return {k: np.concatenate([p[k], q[k]]) for k in p}

        return Batch(
            cat(x.c, y.c),
            cat(x.stay, y.stay),
            np.concatenate([x.starts, y.starts]),
            np.concatenate([x.payers, y.payers]),
            np.concatenate([x.mother, y.mother + len(x.c["uid"])]),
            cat(x.nb, y.nb),
            cat(x.newborn, y.newborn),
        )


class Engine:
    """The simulated system's state at the end of a day, and the step to the next day."""

    def __init__(
        self,
        seed: int,
        system: System,
        first_day: int,
        later_revisit: float = LATER_REVISIT,
        last_day: int | None = None,
    ):
        self.seed = seed
        self.system = system
        self.window_start = first_day
        self.day = first_day - BURN_IN_DAYS  # the next day to simulate
        self.later_revisit = later_revisit
        # preallocate for the expected run (``last_day`` known): no copies while the registries grow
        days = 0 if last_day is None else last_day - self.day + 1
        expected = int(float(system.rate.sum()) * days * 1.04)
        self.patients = Columns(PATIENT_SPEC, int(expected * 0.8))
        self.stays = Columns(STAY_SPEC, expected)
        self.events = Columns(EVENT_SPEC)
        self.births = Columns(BIRTH_SPEC)
        self.open = np.zeros(0, dtype=np.int64)
        self.unit = np.zeros(0, dtype=np.int64)  # current unit of each open stay
        self.schedule: dict[int, list[np.ndarray]] = {}  # day -> patients whose next visit is then
        self.pending: dict[int, list[dict[str, np.ndarray]]] = {}  # day -> postponed electives
        self.census_sum = np.zeros(len(system.unit_beds), dtype=np.float64)
        self.census_days = 0
        self._block: Batch | None = None
        self._block_first = self._block_last = 0
        self.first_day = self.day

    # --- the loop ------------------------------------------------------------------------------------
    def run(self, until: int) -> None:
        """Simulate every day up to and including ``until``."""
        while self.day <= until:
            self.step(self.day)
            self.day += 1

    def step(self, t: int) -> None:
        self._discharge(t)
        self._transfer(t)
        admitted = len(self.open)
        self._arrive(t)
        self._discharge(t, since=admitted)  # same-day stays (in and out today) never hold a bed at midnight
        if t >= self.window_start:
            self.census_sum += np.bincount(self.unit, minlength=len(self.census_sum))
            self.census_days += 1

    def _census(self) -> np.ndarray:
        return np.bincount(self.unit, minlength=len(self.system.unit_beds))

    def _discharge(self, t: int, since: int = 0) -> None:
        """Stays whose discharge day is ``t`` leave (only open stays from position ``since`` are checked)."""
        if len(self.open) <= since:
            return
        leaving = np.zeros(len(self.open), dtype=bool)
        leaving[since:] = self.stays["discharge_day"][self.open[since:]] == t
        if not leaving.any():
            return
        gone = self.open[leaving]
        self.open, self.unit = self.open[~leaving], self.unit[~leaving]
        patient = self.stays["patient"][gone].astype(np.int64)
        died = self.stays["disposition"][gone] == DIED
        self.patients.set("death", patient[died], t)
        gap = self.stays["next_gap"][gone].astype(np.int64)
        back = ~died & (gap > 0)
        if back.any():
            self.patients.set("next_kind", patient[back], self.stays["next_kind"][gone][back])
            days = t + gap[back]
            order = np.argsort(days, kind="stable")
            days, who = days[order], patient[back][order]
            first = np.flatnonzero(np.diff(days, prepend=days[0] - 1)).tolist()  # where each day's run begins
            ends = [*first[1:], len(who)]
            for day, a, b in zip(days[first].tolist(), first, ends, strict=True):
                self.schedule.setdefault(day, []).append(who[a:b])

    def _transfer(self, t: int) -> None:
        for k in (1, 2):
            if not len(self.open):
                return
            legs = self.stays["leg_day"][self.open, k]
            moving = np.flatnonzero(legs == t)
            if not len(moving):
                continue
            stay = self.open[moving]
            target = self.stays["leg_unit"][stay, k].astype(np.int64)
            free = self.system.unit_beds - self._census()
            order = np.argsort(target, kind="stable")
            sorted_target = target[order]
            starts = np.searchsorted(sorted_target, sorted_target, side="left")
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order)) - starts
            ok = rank < free[target]
            self.unit[moving[ok]] = target[ok]
            held = stay[~ok]
            if len(held):
                leg_day = self.stays["leg_day"]
                for j in range(k, 3):
                    shift = leg_day[held, j] >= 0
                    self.stays.set("leg_day", (held[shift], j), leg_day[held[shift], j] + 1)
                self.stays.set("discharge_day", held, self.stays["discharge_day"][held] + 1)
                self._event(t, self.stays["leg_minute"][held, k], target[~ok], EVENT_HELD, self.stays["patient"][held])

    def _event(self, t: int, minute: np.ndarray, unit: np.ndarray, kind: int, patient: np.ndarray) -> None:
        n = len(unit)
        self.events.append(
            {
                "day": np.full(n, t),
                "minute": minute,
                "hospital": self.system.unit_hospital[unit],
                "unit": unit,
                "kind": np.full(n, kind),
                "patient": patient,
            }
        )

    # --- arrivals ---------------------------------------------------------------------------------------
    def new_share(self, days: np.ndarray) -> np.ndarray:
        """The rate multiplier of new patients' elective and emergency streams (deliveries follow births).

        Every admission other than a birth is a new patient or a known one coming back; in steady state
        returns are a share q of all stays. A run starts with no known patients, so on day tau of the
        simulation only returns whose gap has elapsed exist: q_r F_r(tau) + q_l F_l(tau) (readmissions within
        30 days, later revisits 31 + exponential days, each after a mean stay). New arrivals fill the rest,
        so the total rate is steady from the first day and the window starts in the steady state.
        """
        readmit, later = revisit_parts(self.later_revisit)
        tau = np.asarray(days, dtype=np.float64) - self.first_day - MEAN_STAY_DAYS
        f_readmit = np.interp(tau, np.arange(1, 31), np.cumsum(revisits.READMISSION_DAY_WEIGHTS), left=0.0)
        f_later = np.where(tau > 31, 1 - np.exp(-(tau - 31) / LATER_GAP_DAYS), 0.0)
        other = 1 - newborn_share() - delivery_share()  # share of all stays that are neither births nor deliveries
        returns = readmit * f_readmit + later * f_later
        return (1 - newborn_share()) * np.maximum(0.0, other - returns) / other

    def _new_arrivals(self, first: int, last: int) -> dict[str, np.ndarray]:
        """New patients arriving on days first..last (state-free: drawn for a block of days at once)."""
        mix = casemix()
        days = np.arange(first, last + 1)
        month = calendar.month0(days)
        hospitals = len(self.system.rate)
        parts = []
        for stream, table in enumerate(stream_tables()):
            factor = weekday_factor(STREAMS[stream], days) * table.rate[month]  # (days,)
            share = self.new_share(days) if stream != STREAM_DELIVERY else 1 - newborn_share()
            lam = self.system.rate[None, :] * (share * table.share * factor)[:, None]  # (days, hospitals)
            u = draws.uniform(self.seed, draws.ARRIVALS, np.arange(hospitals)[None, :], days[:, None], stream)
            counts = draws.poisson_from_uniform(u, lam).ravel()
            total = int(counts.sum())
            if not total:
                continue
            cell_day = np.repeat(np.repeat(days, hospitals), counts)
            hospital = np.repeat(np.tile(np.arange(hospitals), len(days)), counts)
            seq = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            uid = make_uid_days(cell_day, hospital, stream, seq)
            cu = draws.uniform(self.seed, draws.CASEMIX, uid[:, None], np.arange(4)[None, :])
            cell = np.zeros(total, dtype=np.int64)
            row_month = calendar.month0(cell_day)
            for m in np.unique(row_month):
                rows = row_month == m
                cell[rows] = draws.choose(table.cdf[m], cu[rows, 0])
            diagnosis, band = table.diagnosis[cell], table.band[cell]
            low = np.maximum(BAND_LOW[band], mix.min_age[diagnosis])
            high = np.maximum(low, np.minimum(np.minimum(BAND_HIGH[band], 100), mix.max_age[diagnosis]))
            age = low + np.floor(cu[:, 1] * (high - low + 1)).astype(np.int64)
            birth = cell_day - np.floor((age + cu[:, 2]) * 365.2425).astype(np.int64)
            age = calendar.years_between(birth, cell_day)
            female = cu[:, 3] < mix.female_share[diagnosis]
            if stream == 0:
                kind = np.full(total, ELECTIVE)
            elif stream == 1:
                kind = split_emergency(self.seed, uid, diagnosis)
            else:
                kind = admission_type_of(self.seed, uid, diagnosis)
            parts.append(
                {
                    "uid": uid,
                    "day": cell_day,
                    "hospital": hospital,
                    "diagnosis": diagnosis,
                    "age": age,
                    "band": band_of(age),
                    "female": female,
                    "birth": birth,
                    "patient": np.full(total, -1),
                    "admission_type": kind,
                }
            )
        merged = _concat(parts)
        order = np.argsort(merged["day"], kind="stable")
        return _take(merged, order)

    def _revisits(self, t: int) -> dict[str, np.ndarray]:
        due = self.schedule.pop(t, [])
        if not due:
            return _concat([])
        patient = np.sort(np.concatenate(due))
        patient = patient[self.patients["death"][patient] < 0]
        mix = casemix()
        hospital = self.patients["hospital"][patient].astype(np.int64)
        order = np.lexsort((patient, hospital))
        patient, hospital = patient[order], hospital[order]
        counts = np.bincount(hospital, minlength=len(self.system.rate))
        seq = np.arange(len(patient)) - np.repeat(np.cumsum(counts) - counts, counts)[: len(patient)]
        uid = make_uid(t, hospital, STREAM_REVISIT, seq)
        birth = self.patients["birth"][patient].astype(np.int64)
        age = calendar.years_between(birth, np.full(len(patient), t))
        band = band_of(age)
        female = self.patients["female"][patient]
        last = self.patients["last_diagnosis"][patient].astype(np.int64)
        readmission = self.patients["next_kind"][patient] == 1
        cu = draws.uniform(self.seed, draws.CASEMIX, uid[:, None], np.arange(2, 5)[None, :])
        # a new problem for the patient's age and sex ...
        tables = revisit_tables()
        row = band * 2 + female.astype(np.int64)
        flat = (tables.reshape(-1, tables.shape[-1]) + np.arange(tables.shape[0] * 2)[:, None]).ravel()
        fresh = np.searchsorted(flat, row + cu[:, 0], side="right") - row * tables.shape[-1]
        fresh = fresh.clip(0, mix.n - 1)
        # ... or, for a readmission, the index stay's category a third of the time
        repeatable = readmission & ~mix.newborn[last] & ~mix.delivery[last]
        repeat = repeatable & (cu[:, 1] < revisits.REPEAT_CATEGORY_SHARE)
        offset = mix.category.astype(np.float64) + mix.repeat_cdf
        again = np.searchsorted(offset, mix.category[last] + cu[:, 2], "right")
        again = np.clip(again, mix.category_first[last], mix.category_first[last] + mix.category_size[last] - 1)
        ok_again = ~mix.delivery[again] & ~mix.newborn[again] & (mix.age_share[again, band] > 0)
        diagnosis = np.where(repeat & ok_again, again, fresh)
        kind = admission_type_of(self.seed, uid, diagnosis)
        return {
            "uid": uid,
            "day": np.full(len(uid), t, dtype=np.int64),
            "hospital": hospital,
            "diagnosis": diagnosis,
            "age": age,
            "band": band,
            "female": female,
            "birth": birth,
            "patient": patient.astype(np.int64),
            "admission_type": kind,
        }

    def _prepare(self, c: dict[str, np.ndarray]) -> Batch:
        """Everything drawn at admission for candidates (their stays, their newborns), on their own days."""
        mix = casemix()
        seed = self.seed
        uid, hospital, day = c["uid"], c["hospital"], c["day"]
        known = c["patient"] >= 0
        starts = np.zeros((len(uid), coverage.SPELLS), dtype=np.int32)
        payers_ = np.zeros((len(uid), coverage.SPELLS), dtype=np.int8)
        if not known.all():
            starts[~known], payers_[~known] = coverage.draw_spells(seed, uid[~known], day[~known], c["birth"][~known])
        kp = c["patient"][known]
        starts[known] = self.patients["spell_start"][kp]
        payers_[known] = self.patients["spell_payer"][kp]
        payer = coverage.payer_on(starts, payers_, day)
        stay = draw_stays(
            seed, self.system, uid, hospital, day, c["diagnosis"], c["age"], c["band"], c["admission_type"], payer,
            later_revisit=self.later_revisit,
        )  # fmt: skip
        delivery = np.flatnonzero(mix.delivery[c["diagnosis"]])
        bu = draws.uniform(seed, draws.BIRTH, uid[delivery][:, None], np.arange(2)[None, :])
        twins = bu[:, 0] < TWIN_DELIVERY
        cesarean_share = np.where(twins, birth_ref.TWIN_CESAREAN_SHARE, mix.cesarean[c["diagnosis"][delivery]])
        cesarean = bu[:, 1] < cesarean_share
        babies = 1 + twins.astype(np.int64)
        mother = np.repeat(delivery, babies)
        which = np.arange(len(mother)) - np.repeat(np.cumsum(babies) - babies, babies)
        code = np.where(
            twins,
            np.where(cesarean, mix.newborn_code[("cesarean", 2)], mix.newborn_code[("vaginal", 2)]),
            np.where(cesarean, mix.newborn_code[("cesarean", 1)], mix.newborn_code[("vaginal", 1)]),
        )
        nb_code = np.repeat(code, babies)
        nb_day = day[mother]
        # a newborn's key: its mother's (stream, sequence) and which baby, in the newborn stream of that day
        mother_uid = uid[mother]
        mother_seq = ((mother_uid >> np.uint64(24)) & np.uint64(0xF)) << np.uint64(20) | (
            mother_uid & np.uint64((1 << 20) - 1)
        )
        nb_seq = (mother_seq << np.uint64(1)) | which.astype(np.uint64)
        nb_uid = make_uid_days(nb_day, hospital[mother], STREAM_NEWBORN, nb_seq)
        nu = draws.uniform(seed, draws.BIRTH, nb_uid[:, None], np.arange(3, 5)[None, :])
        m_minute = stay["admission_minute"][mother]
        nb_minute = m_minute + np.floor(nu[:, 0] * (MINUTES - 1 - m_minute)).astype(np.int64)
        nb_female = nu[:, 1] < birth_ref.FEMALE_SHARE_AT_BIRTH
        nb_starts, nb_payers = coverage.draw_spells(seed, nb_uid, nb_day, nb_day)
        nb_payer = coverage.payer_on(nb_starts, nb_payers, nb_day)
        zeros = np.zeros(len(mother), dtype=np.int64)
        newborn = _no_stays() if not len(mother) else draw_stays(
            seed, self.system, nb_uid, hospital[mother], nb_day, nb_code, zeros, zeros,
            np.full(len(mother), NEWBORN), nb_payer, admit_minute=nb_minute, later_revisit=self.later_revisit,
        )  # fmt: skip
        return Batch(
            c,
            stay,
            starts,
            payers_,
            mother,
            {
                "uid": nb_uid,
                "female": nb_female,
                "starts": nb_starts,
                "payers": nb_payers,
                "code": nb_code,
                "cesarean": np.repeat(cesarean, babies),
                "plurality": np.repeat(babies, babies),
            },
            newborn,
        )

    def _today(self, t: int) -> Batch:
        if self._block is None or not (self._block_first <= t <= self._block_last):
            self._block_first, self._block_last = t, t + ARRIVAL_BLOCK_DAYS - 1
            self._block = self._prepare(self._new_arrivals(self._block_first, self._block_last))
        batch = self._block.day(t)
        extra = _concat([self._revisits(t), *self.pending.pop(t, [])])
        if len(extra["uid"]):
            batch = Batch.concat(batch, self._prepare(extra))
        return batch

    def _arrive(self, t: int) -> None:
        elective_day = calendar.weekday(t) < 5 and not bool(holiday(np.array([t]))[0])
        batch = self._today(t)
        c = batch.c
        # electives of known patients due on a day without a list wait for the next elective day; scheduled
        # deliveries (inductions, planned cesareans) keep the elective weekday profile: on such a day only the
        # elective-to-births factor ratio of them stays (new electives follow the elective profile already)
        if not elective_day:
            ratio = float(weekday_factor("elective", np.array([t]))[0] / weekday_factor("births", np.array([t]))[0])
            scheduled = casemix().delivery[c["diagnosis"]] & (
                draws.uniform(self.seed, draws.BIRTH, c["uid"], 11) >= ratio
            )
            late = (c["admission_type"] == ELECTIVE) & ((c["patient"] >= 0) | scheduled)
            if late.any():
                moved = _take(c, late)
                moved["day"] = np.full(int(late.sum()), next_elective_day(t), dtype=np.int64)
                self.pending.setdefault(next_elective_day(t), []).append(moved)
                batch = batch.subset(~late)
                c = batch.c
        n = len(c["uid"])
        if not n:
            return
        stay, newborn, mother = batch.stay, batch.newborn, batch.mother
        known = c["patient"] >= 0
        # placement: each group (a stay and its newborns) needs a bed in every unit it enters today
        priority = np.select([c["admission_type"] == EMERGENCY, c["admission_type"] == URGENT], [0, 1], 2)
        group = np.concatenate([np.arange(n), mother])
        unit = np.concatenate([stay["leg_unit"][:, 0], newborn["leg_unit"][:, 0]]).astype(np.int64)
        key_minute = np.concatenate([stay["admission_minute"], stay["admission_minute"][mother]])
        order = np.lexsort((group, key_minute, priority[group], unit))
        sorted_unit = unit[order]
        starts_u = np.searchsorted(sorted_unit, sorted_unit, side="left")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order)) - starts_u
        free = self.system.unit_beds - self._census()
        row_ok = rank < free[unit]
        accepted = np.bincount(group[~row_ok], minlength=n) == 0
        # those who do not fit: electives postponed to the next elective day, the others diverted
        refused = np.flatnonzero(~accepted)
        if len(refused):
            elective = c["admission_type"][refused] == ELECTIVE
            rows = refused[elective]
            if len(rows):
                mask = np.zeros(n, dtype=bool)
                mask[rows] = True
                moved = _take(c, mask)
                moved["day"] = np.full(len(rows), next_elective_day(t), dtype=np.int64)
                self.pending.setdefault(next_elective_day(t), []).append(moved)
            for kind, rows in ((EVENT_POSTPONED, refused[elective]), (EVENT_DIVERTED, refused[~elective])):
                if len(rows):
                    self._event(t, stay["admission_minute"][rows], stay["leg_unit"][rows, 0], kind, c["patient"][rows])
        take = np.flatnonzero(accepted)
        if not len(take):
            return
        # register new patients, then the stays
        patient = c["patient"].copy()
        new = take[~known[take]]
        if len(new):
            patient[new] = self._register(
                c["uid"][new], c["birth"][new], c["female"][new], c["hospital"][new], batch.starts[new],
                batch.payers[new],
            )  # fmt: skip
        self.patients.set("last_diagnosis", patient[take], c["diagnosis"][take])
        stay["patient"] = patient
        index = self._add_stays(stay, take)
        stay_index = np.full(n, -1, dtype=np.int64)
        stay_index[take] = index
        born = np.flatnonzero(accepted[mother])
        if len(born):
            nb = batch.nb
            nb_patient = self._register(
                nb["uid"][born], np.full(len(born), t), nb["female"][born], c["hospital"][mother[born]],
                nb["starts"][born], nb["payers"][born],
            )  # fmt: skip
            self.patients.set("last_diagnosis", nb_patient, nb["code"][born])
            full = np.full(len(mother), -1, dtype=np.int64)
            full[born] = nb_patient
            newborn["patient"] = full
            nb_index = self._add_stays(newborn, born)
            self.births.append(
                {
                    "newborn_stay": nb_index,
                    "mother_stay": stay_index[mother[born]],
                    "cesarean": nb["cesarean"][born],
                    "plurality": nb["plurality"][born],
                }
            )

    def _register(
        self,
        key: np.ndarray,
        birth: np.ndarray,
        female: np.ndarray,
        hospital: np.ndarray,
        starts: np.ndarray,
        payers_: np.ndarray,
    ) -> np.ndarray:
        u = draws.uniform(self.seed, draws.PATIENT, key, 7)
        flat, offset = self.system.home_cdf
        h = hospital.astype(np.int64)
        home = np.searchsorted(flat, h + u, side="right") - offset[h]
        home = np.clip(home, 0, self.system.home_size[h] - 1)
        return self.patients.append(
            {
                "key": key,
                "birth": birth,
                "female": female,
                "hospital": hospital,
                "home": home,
                "death": np.full(len(key), -1),
                "spell_start": starts,
                "spell_payer": payers_,
                "last_diagnosis": np.zeros(len(key)),
                "next_kind": np.zeros(len(key)),
            }
        )

    def _add_stays(self, stay: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
        index = self.stays.append({name: stay[name][rows] for name in STAY_SPEC})
        self.open = np.concatenate([self.open, index])
        self.unit = np.concatenate([self.unit, stay["leg_unit"][rows, 0].astype(np.int64)])
        return index


def revisit_parts(later: float) -> tuple[float, float]:
    """Shares of stays that are a 30-day readmission and a later revisit of a known patient (steady state)."""
    mix = casemix()
    w = mix.weight[:, None] * mix.age_share
    readmit = np.minimum(mix.readmission * float(np.mean(_PAYER_FACTOR)), revisits.MAX_PROBABILITY)[:, None]
    survive = 1 - np.minimum(mix.mortality[:, None] * mix.mortality_age, 0.9)
    q_readmit = survive * readmit
    q_later = survive * (1 - readmit) * later * _PROPENSITY[None, :]
    return float((q_readmit * w).sum() / w.sum()), float((q_later * w).sum() / w.sum())


def expected_revisit_share(later: float) -> float:
    """Share of stays that are a known patient's return (readmission or later revisit), in steady state."""
    readmit, rest = revisit_parts(later)
    return readmit + rest


# --- hospitals in parallel ----------------------------------------------------------------------------------
# Hospitals never interact in the day loop: a patient belongs to one hospital (returns go back there), units and
# rosters belong to hospitals, arrivals and every draw are keyed by (day, hospital, stream, sequence), capacity is
# per unit and a diversion leaves the system (recorded, not re-admitted elsewhere). So a run of a subset of the
# hospitals (the others at rate 0) draws exactly their rows, and each registry of such a run holds the rows of
# its hospitals in the relative order of a one-process run. The tables order rows by content (stay ids by
# admission time and uid, patients by first stay, events by day, minute and unit with ties inside one unit),
# so the merged registries give byte-identical files whatever the number of jobs (bench/identical.py).
_PART: dict[str, Any] = {}  # what a forked worker reads: the run's arguments (set by ``simulate`` before forking)


def _partition(rate: np.ndarray, jobs: int) -> list[np.ndarray]:
    """Hospitals in ``jobs`` groups of about equal admissions (largest first onto the lightest group)."""
    load = np.zeros(jobs)
    owner = np.zeros(len(rate), dtype=np.int64)
    for h in np.argsort(-rate, kind="stable").tolist():
        g = int(np.argmin(load))
        owner[h] = g
        load[g] += rate[h]
    return [np.flatnonzero(owner == g) for g in range(jobs) if (owner == g).any()]


def _engine_for(hospitals: np.ndarray, whole: bool) -> Engine:
    """An engine of the system that simulates only ``hospitals`` (the others at rate 0); its registries are
    sized for the whole system when ``whole`` (the process that merges the others' rows into its own)."""
    import dataclasses

    a = _PART
    system: System = a["system"]
    owned = np.zeros(len(system.rate), dtype=bool)
    owned[hospitals] = True
    part = dataclasses.replace(system, rate=np.where(owned, system.rate, 0.0))
    engine = Engine(
        a["seed"], system if whole else part, a["first_day"], later_revisit=a["later_revisit"], last_day=a["last_day"]
    )
    engine.system = part
    return engine


def _part_arrays(engine: Engine) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    for name in ("patients", "stays", "events", "births"):
        store: Columns = getattr(engine, name)
        for column in store.names():
            arrays[f"{name}.{column}"] = store[column]
    arrays["open"], arrays["unit"], arrays["census_sum"] = engine.open, engine.unit, engine.census_sum
    days = sorted(engine.schedule)
    arrays["schedule_day"] = np.array([d for d in days for g in engine.schedule[d] for _ in range(len(g))], np.int64)
    groups = [g for d in days for g in engine.schedule[d]]
    arrays["schedule_patient"] = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
    pending = [p for d in sorted(engine.pending) for p in engine.pending[d]]
    for key in CANDIDATE:
        arrays[f"pending.{key}"] = np.concatenate([p[key] for p in pending]) if pending else np.zeros(0, np.int64)
    return arrays


def _worker(group: int, path: str) -> None:  # pragma: no cover - runs in a forked process
    engine = _engine_for(_PART["groups"][group], whole=False)
    engine.run(_PART["last_day"])
    with open(path + ".part", "wb") as handle:
        np.savez(handle, **_part_arrays(engine))  # type: ignore[arg-type]
    import os

    os.replace(path + ".part", path)
    os._exit(0)  # no interpreter teardown (the parent's atexit handlers and buffers are not the child's)


def _merge(engine: Engine, path: str) -> None:
    """Append a worker's rows to ``engine`` (indices shifted past the rows already there), column by column."""
    data = np.load(path)
    p0, s0 = len(engine.patients), len(engine.stays)

    def add(store: Columns, name: str, shift: dict[str, int]) -> None:
        columns = {}
        for column in store.names():
            values = data[f"{name}.{column}"]
            if column in shift:
                values = np.where(values >= 0, values + shift[column], values)
            columns[column] = values
        if len(next(iter(columns.values()))):
            store.append(columns)

    add(engine.patients, "patients", {})
    add(engine.stays, "stays", {"patient": p0})
    add(engine.events, "events", {"patient": p0})
    add(engine.births, "births", {"newborn_stay": s0, "mother_stay": s0})
    engine.open = np.concatenate([engine.open, data["open"].astype(np.int64) + s0])
    engine.unit = np.concatenate([engine.unit, data["unit"].astype(np.int64)])
    engine.census_sum = engine.census_sum + data["census_sum"]
    days, patients = data["schedule_day"], data["schedule_patient"] + p0
    for day in np.unique(days).tolist():
        engine.schedule.setdefault(int(day), []).append(patients[days == day])
    pending_day = data["pending.day"]
    for day in np.unique(pending_day).tolist():
        rows = pending_day == day
        moved = {key: data[f"pending.{key}"][rows] for key in CANDIDATE}
        moved["patient"] = np.where(moved["patient"] >= 0, moved["patient"] + p0, moved["patient"])
        engine.pending.setdefault(int(day), []).append(moved)


def simulate(
    seed: int,
    system: System,
    first_day: int,
    last_day: int,
    later_revisit: float = LATER_REVISIT,
    jobs: int = 1,
    on_days: Any = None,
) -> Engine:
    """Burn-in and window up to ``last_day``, the hospitals split over ``jobs`` processes (forked workers plus
    this one): the same engine state, and the same files, whatever ``jobs`` (see the note above ``_PART``).
    ``on_days(n)`` hears progress (days simulated by this process's share).
    """
    import multiprocessing
    import os
    import sys
    import tempfile

    groups = _partition(system.rate, max(1, jobs)) if jobs > 1 else []
    # fork only on Linux: macOS's system libraries are not fork-safe (Python's default there is spawn)
    fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    if len(groups) < 2 or not fork:
        engine = Engine(seed, system, first_day, later_revisit=later_revisit, last_day=last_day)
        _run_reporting(engine, last_day, on_days)
        return engine
    _PART.update(
        seed=seed, system=system, first_day=first_day, last_day=last_day, later_revisit=later_revisit, groups=groups
    )
    context = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory(prefix="hospital-simulate-") as folder:
        paths = [os.path.join(folder, f"part-{g}.npz") for g in range(len(groups))]
        workers = [context.Process(target=_worker, args=(g, paths[g]), daemon=True) for g in range(1, len(groups))]
        for worker in workers:
            worker.start()
        try:
            engine = _engine_for(groups[0], whole=True)
            _run_reporting(engine, last_day, on_days)
        finally:
            for worker in workers:
                worker.join()
            _PART.clear()
        failed = [w.exitcode for w in workers if w.exitcode != 0]
        if failed:
            from hospital_analytics.errors import GenerateError

            raise GenerateError(
                f"A simulation worker process failed (exit code {failed[0]}).",
                "Run again with --jobs 1 (one process), or with more free memory.",
            )
        for path in paths[1:]:
            _merge(engine, path)
            os.remove(path)
    engine.system = system
    engine._block = None  # this process's block held only its own hospitals' arrivals
    return engine


def _run_reporting(engine: Engine, last_day: int, on_days: Any, step: int = 30) -> None:
    while engine.day <= last_day:
        until = min(last_day, engine.day + step - 1)
        done = until - engine.day + 1
        engine.run(until)
        if on_days is not None:
            on_days(done)
