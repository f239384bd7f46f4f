"""Arrow tables of the raw files, in ``schema.RAW_COLUMNS`` order, built from the engine's registries.

What is written (design, "Steady state from day one"): every stay admitted in the window, every stay still
in house on its first day (with its real admission date), and the partner stay of any birth among them;
stays in house at the end are open (no discharge, length of stay, disposition or charges). Patients are
those of the written stays, numbered by their first written stay; ids follow admission time.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from hospital_analytics.schema import FEED_COLUMNS, RAW_COLUMNS, Column
from hospital_analytics.simulation import calendar, coverage
from hospital_analytics.simulation.arrow import booleans, dates, decimal_cents, numbers, strings, timestamps, with_nulls
from hospital_analytics.simulation.casemix import ADMISSION_TYPES, STAY_TYPES, casemix
from hospital_analytics.simulation.engine import EVENT_TYPES, Engine
from hospital_analytics.simulation.moves import Plan
from hospital_analytics.simulation.people import Pools
from hospital_analytics.simulation.reference import hospitals as hospital_ref
from hospital_analytics.simulation.reference import outcomes, staffing
from hospital_analytics.simulation.reference.types import Place
from hospital_analytics.simulation.system import ROLE_NAMES

_ARROW = {
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("s"),
    "BOOLEAN": pa.bool_(),
    "DOUBLE": pa.float64(),
    "DECIMAL(12,2)": pa.decimal128(12, 2),
}
_TEXT = pa.dictionary(pa.int32(), pa.string())
_GENDER = strings(["M", "F"])
MINUTES = 1440


def _columns(table: str) -> tuple[Column, ...]:
    return RAW_COLUMNS[table] if table in RAW_COLUMNS else FEED_COLUMNS[table]


def arrow_schema(table: str) -> pa.Schema:
    """The table's logical Arrow schema (how to read the files back): a snapshot or a feed table."""
    return pa.schema([pa.field(c.name, _ARROW[c.sql_type], nullable=c.nullable) for c in _columns(table)])


def write_schema(table: str) -> pa.Schema:
    """The schema of the chunks written: text as dictionaries (the CSV prints the text; Parquet gets strings)."""
    return pa.schema(
        [
            pa.field(c.name, _TEXT if c.sql_type == "VARCHAR" else _ARROW[c.sql_type], nullable=c.nullable)
            for c in _columns(table)
        ]
    )


def _table(table: str, columns: dict[str, pa.Array]) -> pa.Table:
    if list(columns) != [c.name for c in _columns(table)]:  # the schema is the contract with load
        raise AssertionError(f"{table} columns {list(columns)} differ from schema.py")
    return pa.Table.from_arrays(list(columns.values()), schema=write_schema(table))


def feed_table(table: str, columns: dict[str, pa.Array | tuple[pa.Array, np.ndarray, np.ndarray | None]]) -> pa.Table:
    """A feed table from arrays, text given as (values, index, valid) and picked as dictionaries."""
    return _table(table, {k: _pick(*v) if isinstance(v, tuple) else v for k, v in columns.items()})


def _pick(values: pa.Array, index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return pa.DictionaryArray.from_arrays(with_nulls(numbers(index, pa.int32()), valid), values)


@dataclass
class Written:
    """Which registry rows are written, and their ids."""

    stays: np.ndarray  # registry indices of written stays, in id order
    patients: np.ndarray  # registry indices of written patients, in id order
    patient_id: np.ndarray  # registry patient index -> id (0: not written)
    stay_id: np.ndarray  # registry stay index -> id (0: not written)
    end: int
    first_movement: int = 1  # id of the first bed movement of these stays (chunks of a large run)

    def chunks(self, rows: int, by: str) -> list[Written]:
        """The same selection in pieces of ``rows`` stays (``by="stays"``) or patients, for streaming."""
        items = self.stays if by == "stays" else self.patients
        out = []
        for a in range(0, max(len(items), 1), rows):
            part = items[a : a + rows]
            if by == "stays":
                out.append(dataclasses.replace(self, stays=part))
            else:
                out.append(dataclasses.replace(self, patients=part))
        return out


def select(engine: Engine, end: int) -> Written:
    st = engine.stays
    start = engine.window_start
    keep = (st["admission_day"] >= start) | (st["discharge_day"] >= start)
    keep &= st["admission_day"] <= end
    b = engine.births
    pair = keep[b["newborn_stay"]] | keep[b["mother_stay"]]
    keep[b["newborn_stay"][pair]] = True
    keep[b["mother_stay"][pair]] = True
    rows = np.flatnonzero(keep)
    order = np.lexsort((st["uid"][rows], st["hospital"][rows], st["admission_minute"][rows], st["admission_day"][rows]))
    stays = rows[order]
    stay_id = np.zeros(len(st), dtype=np.int64)
    stay_id[stays] = np.arange(1, len(stays) + 1)
    patient = st["patient"][stays].astype(np.int64)
    unique, first = np.unique(patient, return_index=True)
    patients = unique[np.argsort(first, kind="stable")]
    patient_id = np.zeros(len(engine.patients), dtype=np.int64)
    patient_id[patients] = np.arange(1, len(patients) + 1)
    return Written(stays, patients, patient_id, stay_id, end)


class Places:
    """The catchment places of every hospital, concatenated (patients index them by hospital offset)."""

    def __init__(self, engine: Engine):
        lists = [c.places for c in engine.system.catchment]
        self.offset = np.concatenate([[0], np.cumsum([len(p) for p in lists])])[:-1].astype(np.int64)
        flat: list[Place] = [p for group in lists for p in group]
        self.city = strings([p.city for p in flat])
        self.state = strings([p.state for p in flat])
        self.zip = strings([p.zip_code for p in flat])
        self.county = strings([p.county for p in flat])


def hospitalizations_table(engine: Engine, w: Written) -> pa.Table:
    mix = casemix()
    st = engine.stays
    s = w.stays
    closed = st["discharge_day"][s] <= w.end
    adm_day = st["admission_day"][s].astype(np.int64)
    dis_day = st["discharge_day"][s].astype(np.int64)
    diagnosis = st["diagnosis"][s].astype(np.int64)
    return _table(
        "hospitalizations",
        {
            "hospitalization_id": numbers(w.stay_id[s]),
            "patient_id": numbers(w.patient_id[st["patient"][s]]),
            "doctor_id": numbers(st["doctor"][s].astype(np.int64) + 1),
            "admission_date": dates(adm_day),
            "discharge_date": with_nulls(dates(dis_day), closed),
            "length_of_stay_days": with_nulls(numbers(dis_day - adm_day, pa.int32()), closed),
            "admission_type": _pick(strings(ADMISSION_TYPES), st["admission_type"][s]),
            "stay_type": _pick(strings(STAY_TYPES), st["stay_type"][s]),
            "diagnosis_code": _pick(strings(mix.codes), diagnosis),
            "diagnosis_description": _pick(strings(mix.descriptions), diagnosis),
            "diagnosis_category": _pick(strings(mix.categories), mix.category[diagnosis]),
            "discharge_disposition": _pick(strings(outcomes.DISPOSITIONS), st["disposition"][s], closed),
            "total_charges": decimal_cents(st["cents"][s], closed),
            "hospital_id": numbers(st["hospital"][s].astype(np.int64) + 1),
            "admitted_at": timestamps(adm_day * MINUTES + st["admission_minute"][s]),
            "discharged_at": with_nulls(timestamps(dis_day * MINUTES + st["discharge_minute"][s]), closed),
            "payer": _pick(strings(coverage.PAYERS), st["payer"][s]),
        },
    )


def patients_table(engine: Engine, w: Written, pools: Pools, where: Places) -> pa.Table:
    pt = engine.patients
    p = w.patients
    female = pt["female"][p]
    key = pt["key"][p]
    death = pt["death"][p].astype(np.int64)
    dead = (death >= 0) & (death <= w.end)
    as_of = np.where(dead, death, w.end)
    payer = coverage.payer_on(pt["spell_start"][p], pt["spell_payer"][p], as_of)
    place = where.offset[pt["hospital"][p]] + Plan(engine, p).home_on(as_of)  # the address as of the last day
    return _table(
        "patients",
        {
            "patient_id": numbers(w.patient_id[p]),
            "first_name": _pick(pools.first_names, pools.first_index(engine.seed, key, female, 0)),
            "last_name": _pick(pools.last_names, pools.last_index(engine.seed, key, female, 0)),
            "gender": _pick(_GENDER, female.astype(np.int32)),
            "birth_date": dates(pt["birth"][p]),
            "city": _pick(where.city, place),
            "state": _pick(where.state, place),
            "insurance": _pick(strings(coverage.PAYERS), payer),
            "zip_code": _pick(where.zip, place),
            "county": _pick(where.county, place),
            "home_hospital_id": numbers(pt["hospital"][p].astype(np.int64) + 1),
            "death_date": with_nulls(dates(np.maximum(death, 0)), dead),
        },
    )


def doctors_table(engine: Engine, pools: Pools) -> pa.Table:
    system = engine.system
    n = len(system.doctor_hospital)
    female = system.doctor_female
    key = np.arange(n, dtype=np.uint64)
    specialties = sorted(set(system.doctor_specialty))
    departments = sorted(set(system.doctor_department))
    roles = [r.name.replace("_", " ").capitalize() for r in staffing.ROLES]
    attends = np.array([staffing.ROLES[int(j)].attends for j in system.doctor_role], dtype=bool)
    return _table(
        "doctors",
        {
            "doctor_id": numbers(np.arange(1, n + 1)),
            "first_name": _pick(pools.first_names, pools.first_index(engine.seed, key, female, 1)),
            "last_name": _pick(pools.last_names, pools.last_index(engine.seed, key, female, 1)),
            "gender": _pick(_GENDER, female.astype(np.int32)),
            "specialty": _pick(strings(specialties), np.array([specialties.index(s) for s in system.doctor_specialty])),
            "department": _pick(
                strings(departments), np.array([departments.index(s) for s in system.doctor_department])
            ),
            "hospital_id": numbers(system.doctor_hospital + 1),
            "role": _pick(strings(roles), system.doctor_role),
            "attends_stays": booleans(attends),
        },
    )


def admissions_by_month_table(engine: Engine, w: Written) -> pa.Table:
    st = engine.stays
    s = w.stays
    adm = st["admission_day"][s].astype(np.int64)
    inside = adm >= engine.window_start
    s, adm = s[inside], adm[inside]
    month = calendar.month_index(adm)
    first = int(calendar.month_index(np.array([engine.window_start]))[0])
    last = int(calendar.month_index(np.array([w.end]))[0])
    n = last - first + 1
    m = month - first
    closed = st["discharge_day"][s] <= w.end
    los = (st["discharge_day"][s].astype(np.int64) - adm) * closed
    admissions = np.bincount(m, minlength=n)
    closed_count = np.bincount(m, weights=closed, minlength=n)
    total = np.bincount(m, weights=los, minlength=n).astype(np.int64)
    pairs = np.sort(m * (len(engine.patients) + 1) + st["patient"][s].astype(np.int64))
    first_of_pair = np.concatenate([[True], pairs[1:] != pairs[:-1]]) if len(pairs) else np.zeros(0, dtype=bool)
    distinct = np.bincount(pairs[first_of_pair] // (len(engine.patients) + 1), minlength=n)
    present = np.flatnonzero(admissions > 0)
    labels = [f"{(first + i) // 12 + 1970:04d}-{(first + i) % 12 + 1:02d}" for i in present.tolist()]
    average = np.round(total[present] / np.maximum(closed_count[present], 1), 2)
    return _table(
        "admissions_by_month",
        {
            "month": _pick(strings(labels), np.arange(len(labels))),
            "admissions": numbers(admissions[present].astype(np.int64)),
            "distinct_patients": numbers(distinct[present].astype(np.int64)),
            "total_length_of_stay_days": numbers(total[present]),
            "average_length_of_stay_days": numbers(average, pa.float64()),
        },
    )


def _size_class(beds: int) -> str:
    for cls in hospital_ref.BED_SIZE_CLASSES:
        if cls.low <= beds <= cls.high:
            return f"{cls.low}+" if cls is hospital_ref.BED_SIZE_CLASSES[-1] else f"{cls.low}-{cls.high}"
    return "500+" if beds > hospital_ref.MAX_BEDS else f"{hospital_ref.BED_SIZE_CLASSES[0].low}-"


def hospitals_table(engine: Engine) -> pa.Table:
    system = engine.system
    h = system.hospitals
    classes = [_size_class(int(b)) for b in system.beds]
    labels = sorted(set(classes))
    sites = system.site
    return _table(
        "hospitals",
        {
            "hospital_id": numbers(np.arange(1, h + 1)),
            "hospital_name": _pick(strings(list(system.name)), np.arange(h)),
            "city": _pick(strings([s.city for s in sites]), np.arange(h)),
            "county": _pick(strings([s.county for s in sites]), np.arange(h)),
            "state": _pick(strings([s.state for s in sites]), np.arange(h)),
            "zip_code": _pick(strings([s.zip_code for s in sites]), np.arange(h)),
            "latitude": numbers(np.array([s.lat for s in sites]), pa.float64()),
            "longitude": numbers(np.array([s.lon for s in sites]), pa.float64()),
            "beds": numbers(system.beds, pa.int32()),
            "bed_size_class": _pick(strings(labels), np.array([labels.index(c) for c in classes])),
        },
    )


def units_table(engine: Engine) -> pa.Table:
    system = engine.system
    n = len(system.unit_beds)
    codes = [k.code for k in hospital_ref.UNIT_KINDS]
    index = np.array([codes.index(c) for c in system.unit_code])
    return _table(
        "units",
        {
            "unit_id": numbers(np.arange(1, n + 1)),
            "hospital_id": numbers(system.unit_hospital + 1),
            "unit_code": _pick(strings(codes), index),
            "unit_name": _pick(strings([k.name for k in hospital_ref.UNIT_KINDS]), index),
            "beds": numbers(system.unit_beds, pa.int32()),
        },
    )


def movements_of(engine: Engine, w: Written) -> int:
    """How many bed movements the stays of ``w`` have (legs begun by the window's end)."""
    st = engine.stays
    units = st["leg_unit"][w.stays]
    day = st["leg_day"][w.stays]
    exists = (units >= 0) & (day <= w.end)
    exists[:, 0] = True
    return int(exists.sum())


def bed_movements_table(engine: Engine, w: Written) -> pa.Table:
    st = engine.stays
    s = w.stays
    units = st["leg_unit"][s].astype(np.int64)
    day = st["leg_day"][s].astype(np.int64)
    minute = st["leg_minute"][s].astype(np.int64)
    exists = (units >= 0) & (day <= w.end)
    exists[:, 0] = True
    start = day * MINUTES + minute
    discharged = st["discharge_day"][s].astype(np.int64) * MINUTES + st["discharge_minute"][s]
    closed = st["discharge_day"][s] <= w.end
    ended = np.empty_like(start)
    valid_end = np.zeros(start.shape, dtype=bool)
    for k in range(3):
        nxt = exists[:, k + 1] if k < 2 else np.zeros(len(s), dtype=bool)
        ended[:, k] = np.where(nxt, start[:, min(k + 1, 2)], discharged)
        valid_end[:, k] = nxt | closed
    rows, legs = np.nonzero(exists)
    sequence = np.cumsum(exists, axis=1)[rows, legs]
    n = len(rows)
    return _table(
        "bed_movements",
        {
            "movement_id": numbers(np.arange(w.first_movement, w.first_movement + n)),
            "hospitalization_id": numbers(w.stay_id[s][rows]),
            "sequence": numbers(sequence, pa.int32()),
            "unit_id": numbers(units[rows, legs] + 1),
            "started_at": timestamps(start[rows, legs]),
            "ended_at": with_nulls(timestamps(ended[rows, legs]), valid_end[rows, legs]),
        },
    )


def coverage_table(engine: Engine, w: Written) -> pa.Table:
    pt = engine.patients
    p = w.patients
    starts = pt["spell_start"][p].astype(np.int64)
    payer = pt["spell_payer"][p].astype(np.int64)
    death = pt["death"][p].astype(np.int64)
    last = np.where((death >= 0) & (death <= w.end), death, w.end)
    exists = starts <= last[:, None]
    nxt = np.concatenate([starts[:, 1:], np.full((len(p), 1), coverage.NEVER)], axis=1)
    has_next = nxt <= last[:, None]
    dead = (death >= 0) & (death <= w.end)
    valid_to = np.where(has_next, nxt, death[:, None] + 1)
    valid = has_next | dead[:, None]
    rows, spells = np.nonzero(exists)
    return _table(
        "coverage_history",
        {
            "patient_id": numbers(w.patient_id[p][rows]),
            "payer": _pick(strings(coverage.PAYERS), payer[rows, spells]),
            "valid_from": dates(starts[rows, spells]),
            "valid_to": with_nulls(
                dates(np.where(valid[rows, spells], valid_to[rows, spells], 0)), valid[rows, spells]
            ),
        },
    )


def births_table(engine: Engine, w: Written) -> pa.Table:
    b = engine.births
    st = engine.stays
    newborn, mother = b["newborn_stay"].astype(np.int64), b["mother_stay"].astype(np.int64)
    keep = (w.stay_id[newborn] > 0) & (w.stay_id[mother] > 0)
    newborn, mother = newborn[keep], mother[keep]
    order = np.argsort(w.stay_id[newborn], kind="stable")
    newborn, mother = newborn[order], mother[order]
    return _table(
        "births",
        {
            "newborn_patient_id": numbers(w.patient_id[st["patient"][newborn]]),
            "newborn_hospitalization_id": numbers(w.stay_id[newborn]),
            "mother_patient_id": numbers(w.patient_id[st["patient"][mother]]),
            "delivery_hospitalization_id": numbers(w.stay_id[mother]),
            "birth_date": dates(st["admission_day"][newborn]),
            "delivery_method": _pick(strings(["Vaginal", "Cesarean"]), b["cesarean"][keep][order].astype(np.int32)),
            "plurality": numbers(b["plurality"][keep][order], pa.int32()),
        },
    )


def capacity_events_table(engine: Engine, w: Written) -> pa.Table:
    ev = engine.events
    inside = (ev["day"] >= engine.window_start) & (ev["day"] <= w.end)
    rows = np.flatnonzero(inside)
    order = rows[np.lexsort((ev["unit"][rows], ev["minute"][rows], ev["day"][rows]))]
    patient = ev["patient"][order].astype(np.int64)
    pid = np.where(patient >= 0, w.patient_id[np.maximum(patient, 0)], 0)
    return _table(
        "capacity_events",
        {
            "capacity_event_id": numbers(np.arange(1, len(order) + 1)),
            "hospital_id": numbers(ev["hospital"][order].astype(np.int64) + 1),
            "unit_id": numbers(ev["unit"][order].astype(np.int64) + 1),
            "event_date": dates(ev["day"][order]),
            "event_type": _pick(strings(EVENT_TYPES), ev["kind"][order]),
            "patient_id": with_nulls(numbers(pid), pid > 0),
        },
    )


__all__ = ["ROLE_NAMES", "arrow_schema", "write_schema"]
