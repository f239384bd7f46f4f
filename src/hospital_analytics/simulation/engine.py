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
    newborn_share,
    revisit_tables,
    stream_tables,
)
from hospital_analytics.simulation.columns import Columns
from hospital_analytics.simulation.reference import births as birth_ref
from hospital_analytics.simulation.reference import places, revisits
from hospital_analytics.simulation.stays import (
    DIED,
    LATER_REVISIT,
    admission_type_of,
    draw_stays,
    holiday,
    split_emergency,
    weekday_factor,
)
from hospital_analytics.simulation.system import System

BURN_IN_DAYS = 365  # design: the same process runs a year before the window, so day one is in steady state
DAY_OFFSET = 1 << 19
STREAM_REVISIT, STREAM_NEWBORN = 3, 4
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
CANDIDATE = ("uid", "hospital", "diagnosis", "age", "band", "female", "birth", "patient", "admission_type")


def make_uid(day: int, hospital: np.ndarray, stream: int, seq: np.ndarray) -> np.ndarray:
    """A stay's key: (day, hospital, stream, sequence) packed into 64 bits."""
    return (
        (np.uint64(day + DAY_OFFSET) << np.uint64(44))
        | (hospital.astype(np.uint64) << np.uint64(28))
        | (np.uint64(stream) << np.uint64(24))
        | seq.astype(np.uint64)
    )


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


class Engine:
    """The simulated system's state at the end of a day, and the step to the next day."""

    def __init__(self, seed: int, system: System, first_day: int, later_revisit: float = LATER_REVISIT):
        self.seed = seed
        self.system = system
        self.window_start = first_day
        self.day = first_day - BURN_IN_DAYS  # the next day to simulate
        self.later_revisit = later_revisit
        self.patients = Columns(PATIENT_SPEC)
        self.stays = Columns(STAY_SPEC)
        self.events = Columns(EVENT_SPEC)
        self.births = Columns(BIRTH_SPEC)
        self.open = np.zeros(0, dtype=np.int64)
        self.unit = np.zeros(0, dtype=np.int64)  # current unit of each open stay
        self.schedule: dict[int, list[np.ndarray]] = {}  # day -> patients whose next visit is then
        self.pending: dict[int, list[dict[str, np.ndarray]]] = {}  # day -> postponed electives
        self.census_sum = np.zeros(len(system.unit_beds), dtype=np.float64)
        self.census_days = 0
        self.new_share = (1 - newborn_share()) * (1 - expected_revisit_share(later_revisit))

    # --- the loop ------------------------------------------------------------------------------------
    def run(self, until: int) -> None:
        """Simulate every day up to and including ``until``."""
        while self.day <= until:
            self.step(self.day)
            self.day += 1

    def step(self, t: int) -> None:
        self._discharge(t)
        self._transfer(t)
        self._arrive(t)
        self._discharge(t)  # same-day stays (admitted and discharged today) never hold a bed at midnight
        if t >= self.window_start:
            self.census_sum += np.bincount(self.unit, minlength=len(self.census_sum))
            self.census_days += 1

    def _census(self) -> np.ndarray:
        return np.bincount(self.unit, minlength=len(self.system.unit_beds))

    def _discharge(self, t: int) -> None:
        if not len(self.open):
            return
        leaving = self.stays["discharge_day"][self.open] == t
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
            for day in np.unique(days):
                self.schedule.setdefault(int(day), []).append(patient[back][days == day])

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
    def _new_arrivals(self, t: int) -> dict[str, np.ndarray]:
        mix = casemix()
        month = int(calendar.month0(np.array([t]))[0])
        hospitals = len(self.system.rate)
        parts = []
        for stream, table in enumerate(stream_tables()):
            factor = float(weekday_factor(STREAMS[stream], np.array([t]))[0])
            lam = self.system.rate * self.new_share * table.share * table.rate[month] * factor
            counts = draws.poisson_from_uniform(
                draws.uniform(self.seed, draws.ARRIVALS, np.arange(hospitals), t, stream), lam
            )
            total = int(counts.sum())
            if not total:
                continue
            hospital = np.repeat(np.arange(hospitals), counts)
            seq = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            uid = make_uid(t, hospital, stream, seq)
            cell = draws.choose(table.cdf[month], draws.uniform(self.seed, draws.CASEMIX, uid, 1))
            diagnosis, band = table.diagnosis[cell], table.band[cell]
            low = np.maximum(BAND_LOW[band], mix.min_age[diagnosis])
            high = np.maximum(low, np.minimum(np.minimum(BAND_HIGH[band], 100), mix.max_age[diagnosis]))
            age = low + np.floor(draws.uniform(self.seed, draws.PATIENT, uid, 1) * (high - low + 1)).astype(np.int64)
            birth = t - np.floor((age + draws.uniform(self.seed, draws.PATIENT, uid, 2)) * 365.2425).astype(np.int64)
            age = calendar.years_between(birth, np.full(total, t))
            female = draws.uniform(self.seed, draws.PATIENT, uid, 3) < mix.female_share[diagnosis]
            if stream == 0:
                kind = np.full(total, ELECTIVE)
            elif stream == 1:
                kind = split_emergency(self.seed, uid, diagnosis)
            else:
                kind = admission_type_of(self.seed, uid, diagnosis)
            parts.append(
                {
                    "uid": uid,
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
        return _concat(parts)

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
        # a new problem for the patient's age and sex ...
        tables = revisit_tables()
        row = band * 2 + female.astype(np.int64)
        flat = (tables.reshape(-1, tables.shape[-1]) + np.arange(tables.shape[0] * 2)[:, None]).ravel()
        u = draws.uniform(self.seed, draws.CASEMIX, uid, 2)
        fresh = np.searchsorted(flat, row + u, side="right") - row * tables.shape[-1]
        fresh = fresh.clip(0, mix.n - 1)
        # ... or, for a readmission, the index stay's category a third of the time
        repeatable = readmission & ~mix.newborn[last] & ~mix.delivery[last]
        repeat = repeatable & (draws.uniform(self.seed, draws.CASEMIX, uid, 3) < revisits.REPEAT_CATEGORY_SHARE)
        offset = mix.category.astype(np.float64) + mix.repeat_cdf
        again = np.searchsorted(offset, mix.category[last] + draws.uniform(self.seed, draws.CASEMIX, uid, 4), "right")
        again = np.clip(again, mix.category_first[last], mix.category_first[last] + mix.category_size[last] - 1)
        ok_again = ~mix.delivery[again] & ~mix.newborn[again] & (mix.age_share[again, band] > 0)
        diagnosis = np.where(repeat & ok_again, again, fresh)
        kind = admission_type_of(self.seed, uid, diagnosis)
        return {
            "uid": uid,
            "hospital": hospital,
            "diagnosis": diagnosis,
            "age": age,
            "band": band,
            "female": female,
            "birth": birth,
            "patient": patient.astype(np.int64),
            "admission_type": kind,
        }

    def _arrive(self, t: int) -> None:
        elective_day = calendar.weekday(t) < 5 and not bool(holiday(np.array([t]))[0])
        candidates = _concat([self._new_arrivals(t), self._revisits(t), *self.pending.pop(t, [])])
        # electives of known patients booked for a day without a list wait for the next elective day
        if not elective_day:
            late = (candidates["admission_type"] == ELECTIVE) & (candidates["patient"] >= 0)
            if late.any():
                self.pending.setdefault(next_elective_day(t), []).append(_take(candidates, late))
                candidates = _take(candidates, ~late)
        n = len(candidates["uid"])
        if not n:
            return
        mix = casemix()
        seed = self.seed
        uid, hospital = candidates["uid"], candidates["hospital"]
        known = candidates["patient"] >= 0
        # payer today: known patients from their spells, new ones from spells drawn now
        starts, payers_ = coverage.draw_spells(seed, uid, np.full(n, t), candidates["birth"])
        kp = candidates["patient"][known]
        starts[known] = self.patients["spell_start"][kp]
        payers_[known] = self.patients["spell_payer"][kp]
        payer = coverage.payer_on(starts, payers_, np.full(n, t))
        day = np.full(n, t, dtype=np.int64)
        stay = draw_stays(
            seed, self.system, uid, hospital, day, candidates["diagnosis"], candidates["age"], candidates["band"],
            candidates["admission_type"], payer,
        )  # fmt: skip
        # deliveries: their newborns (twins sometimes), coded by the delivery's method
        delivery = np.flatnonzero(mix.delivery[candidates["diagnosis"]])
        twins = draws.uniform(seed, draws.BIRTH, uid[delivery], 1) < TWIN_DELIVERY
        cesarean_share = np.where(twins, birth_ref.TWIN_CESAREAN_SHARE, mix.cesarean[candidates["diagnosis"][delivery]])
        cesarean = draws.uniform(seed, draws.BIRTH, uid[delivery], 2) < cesarean_share
        mother = np.repeat(delivery, 1 + twins)
        which = np.arange(len(mother)) - np.repeat(np.cumsum(1 + twins) - (1 + twins), 1 + twins)
        code = np.array([mix.newborn_code[("cesarean" if c else "vaginal", 2 if w else 1)] for c, w in
                         zip(cesarean, twins, strict=True)], dtype=np.int64)  # fmt: skip
        nb_code = np.repeat(code, 1 + twins)
        nb_uid = make_uid(t, hospital[mother], STREAM_NEWBORN, mother * 2 + which)
        m_minute = stay["admission_minute"][mother]
        nb_minute = m_minute + np.floor(draws.uniform(seed, draws.BIRTH, nb_uid, 3) * (1439 - m_minute)).astype(
            np.int64
        )
        nb_female = draws.uniform(seed, draws.BIRTH, nb_uid, 4) < birth_ref.FEMALE_SHARE_AT_BIRTH
        nb_starts, nb_payers = coverage.draw_spells(seed, nb_uid, np.full(len(mother), t), np.full(len(mother), t))
        nb_payer = coverage.payer_on(nb_starts, nb_payers, np.full(len(mother), t))
        zeros = np.zeros(len(mother), dtype=np.int64)
        newborn = draw_stays(
            seed, self.system, nb_uid, hospital[mother], np.full(len(mother), t), nb_code, zeros, zeros,
            np.full(len(mother), NEWBORN), nb_payer, admit_minute=nb_minute,
        )  # fmt: skip
        # placement: each group (a stay and its newborns) needs a bed in every unit it enters today
        priority = np.select(
            [candidates["admission_type"] == EMERGENCY, candidates["admission_type"] == URGENT], [0, 1], 2
        )
        group = np.concatenate([np.arange(n), mother])
        unit = np.concatenate([stay["leg_unit"][:, 0], newborn["leg_unit"][:, 0]]).astype(np.int64)
        key_minute = np.concatenate([stay["admission_minute"], m_minute])
        order = np.lexsort((group, key_minute, priority[group], unit))
        sorted_unit = unit[order]
        starts_u = np.searchsorted(sorted_unit, sorted_unit, side="left")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order)) - starts_u
        free = self.system.unit_beds - self._census()
        row_ok = rank < free[unit]
        accepted = np.ones(n, dtype=bool)
        np.logical_and.at(accepted, group, row_ok)
        # those who do not fit: electives postponed to the next elective day, the others diverted
        refused = np.flatnonzero(~accepted)
        if len(refused):
            elective = candidates["admission_type"][refused] == ELECTIVE
            rows = refused[elective]
            if len(rows):
                mask = np.zeros(n, dtype=bool)
                mask[rows] = True
                self.pending.setdefault(next_elective_day(t), []).append(_take(candidates, mask))
            for kind, rows in ((EVENT_POSTPONED, refused[elective]), (EVENT_DIVERTED, refused[~elective])):
                if len(rows):
                    self._event(t, stay["admission_minute"][rows], stay["leg_unit"][rows, 0], kind,
                                candidates["patient"][rows])  # fmt: skip
        take = np.flatnonzero(accepted)
        if not len(take):
            return
        # register new patients, then the stays
        patient = candidates["patient"].copy()
        new = take[~known[take]]
        if len(new):
            patient[new] = self._register(
                uid[new], candidates["birth"][new], candidates["female"][new], hospital[new], starts[new],
                payers_[new],
            )  # fmt: skip
        self.patients.set("last_diagnosis", patient[take], candidates["diagnosis"][take])
        stay["patient"] = patient
        index = self._add_stays(stay, take)
        stay_index = np.full(n, -1, dtype=np.int64)
        stay_index[take] = index
        born = np.flatnonzero(accepted[mother])
        if len(born):
            nb_patient = self._register(
                nb_uid[born], np.full(len(born), t), nb_female[born], hospital[mother[born]], nb_starts[born],
                nb_payers[born],
            )  # fmt: skip
            self.patients.set("last_diagnosis", nb_patient, nb_code[born])
            full = np.full(len(mother), -1, dtype=np.int64)
            full[born] = nb_patient
            newborn["patient"] = full
            nb_index = self._add_stays(newborn, born)
            self.births.append(
                {
                    "newborn_stay": nb_index,
                    "mother_stay": stay_index[mother[born]],
                    "cesarean": np.repeat(cesarean, 1 + twins)[born],
                    "plurality": np.repeat(1 + twins, 1 + twins)[born],
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
        home = np.zeros(len(key), dtype=np.int64)
        u = draws.uniform(self.seed, draws.PATIENT, key, 7)
        for h in np.unique(hospital):
            rows = hospital == h
            home[rows] = places.home_indices(self.system.catchment[int(h)], u[rows])
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


def expected_revisit_share(later: float) -> float:
    """Share of stays that are a known patient's return (readmission or later revisit), in steady state."""
    mix = casemix()
    w = (mix.weight[:, None] * mix.age_share).ravel()
    from hospital_analytics.simulation.stays import _PAYER_FACTOR, _PROPENSITY

    readmit = np.minimum(mix.readmission * float(np.mean(_PAYER_FACTOR)), revisits.MAX_PROBABILITY)
    survive = 1 - np.minimum(mix.mortality[:, None] * mix.mortality_age, 0.9)
    q = survive * (readmit[:, None] + (1 - readmit[:, None]) * later * _PROPENSITY[None, :])
    return float((q.ravel() * w).sum() / w.sum())
