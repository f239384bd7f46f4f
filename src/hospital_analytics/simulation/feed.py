"""The daily feed's events (docs/design/feed.md), built from the registries as Arrow tables sorted by
(recorded_at, event_id).

Every draw is keyed by (seed, stay uid or patient key, event code), and every value an event carries is final
once its event time has passed (the engine only ever shifts what has not happened yet), so the events recorded
by day E are the same whichever later day a run stops at: partitions already written never change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pyarrow as pa

from hospital_analytics.simulation import coverage, draws
from hospital_analytics.simulation.arrow import decimal_cents, numbers, strings, with_nulls
from hospital_analytics.simulation.casemix import ADMISSION_TYPES, casemix
from hospital_analytics.simulation.engine import Engine
from hospital_analytics.simulation.moves import Plan
from hospital_analytics.simulation.reference import outcomes
from hospital_analytics.simulation.stays import DIED
from hospital_analytics.simulation.tables import Places, Written, feed_table

EVENT_TYPES = ("admit", "transfer", "discharge", "cancel", "correct")
ADMIT, TRANSFER, DISCHARGE, CANCEL, CORRECT = range(5)
HL7 = ("A01", "A02", "A03", "A11", "A12", "A13", "A08")
A01, A02, A03, A11, A12, A13, A08 = range(7)
PATIENT_EVENT_TYPES = ("register", "address", "coverage")
A04 = "A04"
MAX_DELAY_DAYS = 3
DAY = 86_400
MAX_DELAY = MAX_DELAY_DAYS * DAY
LATE_MIN, LATE_MAX = 3_600, 70 * 3_600  # a late event: 1 to 70 hours after it happened (log-uniform)
LATENCY_MEAN, LATENCY_MAX = 45.0, 600  # an interface's usual latency: seconds to a few minutes
CODE_ADMIT, CODE_TRANSFER, CODE_WRONG, CODE_CANCEL, CODE_DISCHARGE = 1, 10, 20, 21, 30
CODE_FIX_ADMIT, CODE_FIX_DISCHARGE = 41, 43
CODE_REGISTER, CODE_ADDRESS, CODE_COVERAGE = 1, 10, 50
PATIENT_CODES = 100  # draws of patient events: codes apart from the stays' (a patient's key is a stay's uid)


@dataclasses.dataclass(frozen=True)
class Shares:
    """How many events arrive late, how many admits/discharges are corrected, how many stays get a cancel."""

    late: float = 0.03
    correction: float = 0.01
    cancel: float = 0.005


def _u(seed: int, key: np.ndarray, code: int | np.ndarray, slot: int) -> np.ndarray:
    return draws.uniform(seed, draws.FEED, key, np.asarray(code, dtype=np.int64) * 8 + slot)


def recorded(seed: int, key: np.ndarray, code: int, at: np.ndarray, first: int, late_share: float) -> np.ndarray:
    """When the source system records events happening at ``at`` (seconds): an interface latency, or for
    ``late_share`` of them hours to days; events before the window's first second are backfilled at it."""
    u0, u1 = _u(seed, key, code, 0), _u(seed, key, code, 1)
    latency = np.minimum(1 + np.floor(-np.log1p(-u1) * LATENCY_MEAN), LATENCY_MAX)
    late = np.exp(np.log(LATE_MIN) + u1 * (np.log(LATE_MAX) - np.log(LATE_MIN)))
    delay = np.where(u0 < late_share, np.floor(late), latency).astype(np.int64)
    return np.where(at < first, first, at + delay)


def follow_up(seed: int, key: np.ndarray, code: int, at: np.ndarray, original: np.ndarray) -> np.ndarray:
    """When a correction or cancel of an event (at ``at``, recorded ``original``) is recorded: after the
    original, within ``MAX_DELAY_DAYS`` of the event itself (so of the original's recording too)."""
    room = np.maximum(at + MAX_DELAY - original - 1, 1)
    return original + 1 + np.floor(_u(seed, key, code, 2) * room).astype(np.int64)


def _chosen(seed: int, key: np.ndarray, code: int, share: float) -> np.ndarray:
    return _u(seed, key, code, 3) < share


@dataclasses.dataclass
class Events:
    """A feed table's events in file order: their recording times (seconds) and ``table(a, b)``, rows a..b as
    Arrow (built a block at a time, so a large run never holds the whole table); their event ids and event
    times (seconds) too, for the defects injected into the feed."""

    name: str
    recorded: np.ndarray
    build: Callable[[int, int], pa.Table]
    ids: np.ndarray | None = None
    at: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.recorded)

    def table(self, a: int = 0, b: int | None = None) -> pa.Table:
        return self.build(a, len(self) if b is None else b)


class _Rows:
    """Events' columns in compact types, gathered group by group, then sorted into file order."""

    FIELDS: dict[str, type] = {
        "id": np.int64,
        "rec": np.int64,
        "at": np.int64,
        "type": np.int8,
        "hl7": np.int8,
        "stay": np.int32,
        "unit": np.int32,
        "from_unit": np.int32,
        "diag": np.int16,
        "disposition": np.int8,
    }
    DEFAULTS = {"unit": -1, "from_unit": -1, "diag": -1, "disposition": -1}

    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = {f: [] for f in self.FIELDS}

    def add(self, mask: np.ndarray, **values: np.ndarray | int) -> None:
        for field, dtype in self.FIELDS.items():
            value = np.asarray(values.get(field, self.DEFAULTS.get(field)))
            self.parts[field].append(np.broadcast_to(value, mask.shape)[mask].astype(dtype))

    def sorted(self, horizon: int) -> dict[str, np.ndarray]:
        """Every column, only events recorded before ``horizon``, by (recorded, id); the parts are let go."""
        for field, dtype in self.FIELDS.items():  # no stay at all (a tiny run): empty columns, not an error
            if not self.parts[field]:
                self.parts[field].append(np.zeros(0, dtype=dtype))
        rec, ident = np.concatenate(self.parts.pop("rec")), np.concatenate(self.parts.pop("id"))
        keep = np.flatnonzero(rec < horizon)
        order = keep[np.lexsort((ident[keep], rec[keep]))]
        out = {"rec": rec[order], "id": ident[order]}
        del rec, ident
        for field in list(self.parts):
            out[field] = np.concatenate(self.parts.pop(field))[order]
        return out


def _wrong_diagnosis(seed: int, uid: np.ndarray, diagnosis: np.ndarray) -> np.ndarray:
    """A provisional code: another code of the same category (the next code where the category has one)."""
    mix = casemix()
    first, size = mix.category_first[diagnosis].astype(np.int64), mix.category_size[diagnosis].astype(np.int64)
    step = 1 + np.floor(_u(seed, uid, CODE_FIX_ADMIT, 4) * np.maximum(size - 1, 1)).astype(np.int64)
    other = first + (diagnosis - first + step) % np.maximum(size, 1)
    return np.where(size > 1, other, (diagnosis + 1) % mix.n)


def _wrong_unit(engine: Engine, uid: np.ndarray, hospital: np.ndarray, legs: np.ndarray) -> np.ndarray:
    """A unit of the stay's hospital it never goes to (-1 where there is none)."""
    unit_hospital = engine.system.unit_hospital
    count = np.bincount(unit_hospital, minlength=engine.system.hospitals)[hospital]
    first = np.searchsorted(unit_hospital, hospital, side="left")
    pick = np.floor(_u(engine.seed, uid, CODE_WRONG, 4) * count).astype(np.int64)
    out = np.full(len(uid), -1, dtype=np.int64)
    for step in range(4):  # a stay has at most three units: one of four tries is free
        unit = first + (pick + step) % np.maximum(count, 1)
        free = (out < 0) & (count > 0) & ~(legs == unit[:, None]).any(axis=1)
        out[free] = unit[free]
    return out


STAYS_AT_ONCE = 250_000  # stays whose events are drawn together (bounds the temporaries of a large run)


def encounter_events(engine: Engine, w: Written, shares: Shares) -> Events:
    """admit, transfer, discharge, their corrections and the cancelled erroneous transfers, recorded by ``w.end``."""
    st = engine.stays
    s = w.stays
    horizon = (w.end + 1) * DAY
    rows = _Rows()
    for a in range(0, len(s), STAYS_AT_ONCE):
        _stay_events(engine, w, a, min(len(s), a + STAYS_AT_ONCE), shares, rows)
    e = rows.sorted(horizon)
    mix = casemix()
    refers = np.zeros(100, dtype=np.int64)
    refers[[CODE_FIX_ADMIT, CODE_FIX_DISCHARGE, CODE_CANCEL]] = [CODE_ADMIT, CODE_DISCHARGE, CODE_WRONG]

    def build(a: int, b: int) -> pa.Table:
        x = {k: v[a:b] for k, v in e.items()}
        row = s[x["stay"]]
        code = x["id"] % 100
        follow = refers[code] > 0
        x["refers"] = np.where(follow, x["id"] - code + refers[code], 0)
        admit = x["diag"] >= 0
        discharge = x["disposition"] >= 0
        return feed_table(
            "encounter_events",
            {
                "event_id": numbers(x["id"]),
                "event_type": (strings(EVENT_TYPES), x["type"], None),
                "hl7_event": (strings(HL7), x["hl7"], None),
                "hospitalization_id": numbers(w.stay_id[row]),
                "patient_id": numbers(w.patient_id[st["patient"][row]]),
                "hospital_id": numbers(st["hospital"][row].astype(np.int64) + 1),
                "unit_id": with_nulls(numbers(x["unit"].astype(np.int64) + 1), x["unit"] >= 0),
                "from_unit_id": with_nulls(numbers(x["from_unit"].astype(np.int64) + 1), x["from_unit"] >= 0),
                "event_at": timestamps_s(x["at"]),
                "recorded_at": timestamps_s(x["rec"]),
                "refers_to_event_id": with_nulls(numbers(x["refers"]), x["refers"] > 0),
                "admission_type": (strings(ADMISSION_TYPES), st["admission_type"][row], admit),
                "diagnosis_code": (strings(mix.codes), np.maximum(x["diag"], 0).astype(np.int32), admit),
                "doctor_id": with_nulls(numbers(st["doctor"][row].astype(np.int64) + 1), admit),
                "payer": (strings(coverage.PAYERS), st["payer"][row], admit),
                "discharge_disposition": (
                    strings(outcomes.DISPOSITIONS),
                    np.maximum(x["disposition"], 0).astype(np.int32),
                    discharge,
                ),
                "total_charges": decimal_cents(st["cents"][row], discharge),
            },
        )

    return Events("encounter_events", e["rec"], build, ids=e["id"], at=e["at"])


def _stay_events(engine: Engine, w: Written, lo: int, hi: int, shares: Shares, rows: _Rows) -> None:
    """The events of written stays ``lo``..``hi`` (positions in ``w.stays``), added to ``rows``."""
    st, seed = engine.stays, engine.seed
    s = w.stays[lo:hi]
    first, horizon = engine.window_start * DAY, (w.end + 1) * DAY
    uid = st["uid"][s]
    minute = 60
    adm = (st["admission_day"][s].astype(np.int64) * 1440 + st["admission_minute"][s]) * minute
    dis = (st["discharge_day"][s].astype(np.int64) * 1440 + st["discharge_minute"][s]) * minute
    closed = st["discharge_day"][s] <= w.end
    legs = st["leg_unit"][s].astype(np.int64)
    leg_at = (st["leg_day"][s].astype(np.int64) * 1440 + st["leg_minute"][s]) * minute
    leg_on = (legs >= 0) & (st["leg_day"][s] <= w.end)
    diagnosis = st["diagnosis"][s].astype(np.int64)
    disposition = st["disposition"][s].astype(np.int64)
    stay = np.arange(lo, hi)
    everyone = np.ones(len(s), dtype=bool)
    ident = w.stay_id[s] * 100

    # admit, and a provisional diagnosis corrected later for a share of them
    rec_admit = recorded(seed, uid, CODE_ADMIT, adm, first, shares.late)
    fix = _chosen(seed, uid, CODE_ADMIT, shares.correction) & (adm >= first)
    sent = np.where(fix, _wrong_diagnosis(seed, uid, diagnosis), diagnosis)
    unit0 = legs[:, 0]
    rows.add(everyone, id=ident + CODE_ADMIT, type=ADMIT, hl7=A01, stay=stay, unit=unit0, at=adm, rec=rec_admit,
             diag=sent)  # fmt: skip
    rows.add(fix, id=ident + CODE_FIX_ADMIT, type=CORRECT, hl7=A08, stay=stay, unit=unit0, at=adm,
             rec=follow_up(seed, uid, CODE_FIX_ADMIT, adm, rec_admit), diag=diagnosis)  # fmt: skip

    # transfers into the later units
    for k in (1, 2):
        before = np.where((k == 2) & leg_on[:, 1], legs[:, 1], legs[:, 0])
        code = CODE_TRANSFER + k
        rows.add(leg_on[:, k], id=ident + code, type=TRANSFER, hl7=A02, stay=stay, unit=legs[:, k],
                 from_unit=before, at=leg_at[:, k], rec=recorded(seed, uid, code, leg_at[:, k], first, shares.late))  # fmt: skip

    # an erroneous transfer (to a unit the stay never enters) before the stay's first move, then its cancel
    wrong_at = adm + (30 + np.floor(_u(seed, uid, CODE_WRONG, 5) * 210).astype(np.int64)) * minute
    next_move = np.where(legs[:, 1] >= 0, leg_at[:, 1], np.iinfo(np.int64).max)
    wrong_unit = _wrong_unit(engine, uid, st["hospital"][s].astype(np.int64), legs)
    wrong = (
        _chosen(seed, uid, CODE_WRONG, shares.cancel)
        & (wrong_at >= first)
        & (wrong_at < horizon)
        & (wrong_at < np.minimum(next_move, dis))  # final values: what has not happened by w.end is later still
        & (wrong_unit >= 0)
    )
    rec_wrong = recorded(seed, uid, CODE_WRONG, wrong_at, first, shares.late)
    rows.add(wrong, id=ident + CODE_WRONG, type=TRANSFER, hl7=A02, stay=stay, unit=wrong_unit, from_unit=unit0,
             at=wrong_at, rec=rec_wrong)  # fmt: skip
    rows.add(wrong, id=ident + CODE_CANCEL, type=CANCEL, hl7=A12, stay=stay, unit=unit0, from_unit=wrong_unit,
             at=wrong_at, rec=follow_up(seed, uid, CODE_CANCEL, wrong_at, rec_wrong))  # fmt: skip

    # discharge (a death is a discharge with disposition Died), a wrong disposition corrected for a share
    rec_dis = recorded(seed, uid, CODE_DISCHARGE, dis, first, shares.late)
    fix = closed & _chosen(seed, uid, CODE_DISCHARGE, shares.correction) & (dis >= first) & (disposition != DIED)
    survivors = len(outcomes.SURVIVOR_DISPOSITIONS)
    other = (
        disposition + 1 + np.floor(_u(seed, uid, CODE_FIX_DISCHARGE, 4) * (survivors - 1)).astype(np.int64)
    ) % survivors
    rows.add(closed, id=ident + CODE_DISCHARGE, type=DISCHARGE, hl7=A03, stay=stay, at=dis, rec=rec_dis,
             disposition=np.where(fix, other, disposition))  # fmt: skip
    rows.add(fix, id=ident + CODE_FIX_DISCHARGE, type=CORRECT, hl7=A08, stay=stay, at=dis,
             rec=follow_up(seed, uid, CODE_FIX_DISCHARGE, dis, rec_dis),
             disposition=disposition)  # fmt: skip


def patient_events(engine: Engine, w: Written, shares: Shares, places: Places) -> Events:
    """register (first seen), address (moved) and coverage (new payer spell) events recorded by ``w.end``."""
    st, pt, seed = engine.stays, engine.patients, engine.seed
    p = w.patients
    first, horizon = engine.window_start * DAY, (w.end + 1) * DAY
    of_stay = st["patient"][w.stays].astype(np.int64)
    unique, at_first = np.unique(of_stay, return_index=True)
    first_stay = np.zeros(len(pt), dtype=np.int64)
    first_stay[unique] = w.stays[at_first]
    reg_stay = first_stay[p]
    reg_at = (st["admission_day"][reg_stay].astype(np.int64) * 1440 + st["admission_minute"][reg_stay]) * 60
    key = pt["key"][p]
    plan = Plan(engine, p)
    starts = pt["spell_start"][p].astype(np.int64)
    death = pt["death"][p].astype(np.int64)
    dead = (death >= 0) & (death <= w.end)
    who = np.arange(len(p))
    ids, kinds, at, rec, owner = [], [], [], [], []

    def add(mask: np.ndarray, code: int | np.ndarray, kind: int, when: np.ndarray, code_key: int) -> None:
        index = np.flatnonzero(mask)
        ids.append(w.patient_id[p][index] * 100 + np.broadcast_to(code, mask.shape)[index])
        kinds.append(np.full(len(index), kind, dtype=np.int64))
        at.append(when[index])
        rec.append(recorded(seed, key[index], PATIENT_CODES + code_key, when[index], first, shares.late))
        owner.append(who[index])

    add(np.ones(len(p), dtype=bool), CODE_REGISTER, 0, reg_at, CODE_REGISTER)
    for k in range(plan.day.shape[1]):
        when = np.minimum(plan.day[:, k], w.end + 1) * DAY
        add((when > reg_at) & (plan.day[:, k] <= w.end), CODE_ADDRESS + k + 1, 1, when, CODE_ADDRESS + k + 1)
    for j in range(1, starts.shape[1]):
        day = np.minimum(starts[:, j], w.end + 1)
        alive = ~dead | (day <= death)
        add((day * DAY > reg_at) & (day <= w.end) & alive, CODE_COVERAGE + j, 2, day * DAY, CODE_COVERAGE + j)

    event_id, kind, event_at, rec_at, row = (np.concatenate(x) for x in (ids, kinds, at, rec, owner))
    keep = rec_at < horizon
    order = np.flatnonzero(keep)[np.lexsort((event_id[keep], rec_at[keep]))]
    event_id, kind, event_at, rec_at, row = event_id[order], kind[order], event_at[order], rec_at[order], row[order]
    hospital, spell_payer = pt["hospital"][p], pt["spell_payer"][p]

    def build(a: int, b: int) -> pa.Table:
        r, day = row[a:b], event_at[a:b] // DAY
        place = places.offset[hospital[r]] + _home_at(plan, r, day)
        payer = coverage.payer_on(starts[r], spell_payer[r], day)
        return feed_table(
            "patient_events",
            {
                "event_id": numbers(event_id[a:b]),
                "event_type": (strings(PATIENT_EVENT_TYPES), kind[a:b], None),
                "hl7_event": (strings(("A04", "A08")), (kind[a:b] > 0).astype(np.int64), None),
                "patient_id": numbers(w.patient_id[p][r]),
                "event_at": timestamps_s(event_at[a:b]),
                "recorded_at": timestamps_s(rec_at[a:b]),
                "city": (places.city, place, None),
                "state": (places.state, place, None),
                "zip_code": (places.zip, place, None),
                "county": (places.county, place, None),
                "payer": (strings(coverage.PAYERS), payer, None),
            },
        )

    return Events("patient_events", rec_at, build, ids=event_id, at=event_at)


def discharge_recorded(engine: Engine, w: Written, shares: Shares) -> np.ndarray:
    """By position in ``w.stays`` (hospitalization_id - 1): the stay's discharge event is in the feed by ``w.end``."""
    st, s = engine.stays, w.stays
    closed = st["discharge_day"][s] <= w.end
    dis = (st["discharge_day"][s].astype(np.int64) * 1440 + st["discharge_minute"][s]) * 60
    rec = recorded(engine.seed, st["uid"][s], CODE_DISCHARGE, dis, engine.window_start * DAY, shares.late)
    return closed & (rec < (w.end + 1) * DAY)


def _home_at(plan: Plan, row: np.ndarray, day: np.ndarray) -> np.ndarray:
    done = (plan.day[row] <= day[:, None]).sum(axis=1)
    return np.where(done > 0, plan.home[row, np.maximum(done - 1, 0)], plan.first[row])


def timestamps_s(seconds: np.ndarray) -> pa.Array:
    """timestamp[s] from seconds since 1970-01-01 00:00:00."""
    return numbers(np.asarray(seconds, dtype=np.int64)).view(pa.timestamp("s"))


__all__ = ["MAX_DELAY_DAYS", "Events", "Shares", "encounter_events", "patient_events", "timestamps_s"]
