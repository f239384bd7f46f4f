"""Defects injected into the tables as delivered (docs/design/defects.md), chunk by chunk, as text.

Every decision is a pure function of (seed, table, the row's natural key, class) through ``draws`` (a
counter-based hash), never a sequential stream: one uniform per row picks at most one class (each class owns
an interval of [0, 1) as wide as its rate, so a class's share of its eligible rows is its rate), further
uniforms keyed by the class pick the variant. Chunking, ``--jobs`` and the window's length change nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hospital_analytics.defects.profiles import CLASSES, TABLE_CLASSES, Profile
from hospital_analytics.schema import FEED_COLUMNS, RAW_COLUMNS
from hospital_analytics.simulation import draws
from hospital_analytics.simulation.casemix import casemix
from hospital_analytics.simulation.feed import Events, timestamps_s

TABLE_CODE = {"patients": 1, "hospitalizations": 2, "encounter_events": 3, "patient_events": 4}
CLASS_CODE = {name: i + 1 for i, name in enumerate(CLASSES)}
EPOCH = dt.date(1970, 1, 1)
HOUR = 3_600
# Codes no catalogue holds: ICD-9-CM codes (the US used them until 2015-09-30) and ICD-10-CM codes retired by
# an expansion into longer ones (CMS's yearly addenda: I48.1/I48.2 in FY2020; K56.60/K56.69 and K35.8 in FY2018;
# I47.1, I47.2, I71.3, I71.4 in FY2023). docs/calibration.md, "Defects".
RETIRED_CODES = (
    "428.0", "486", "250.00", "410.71", "491.21", "599.0", "038.9", "584.9", "V30.00", "650",
    "I48.1", "I48.2", "K56.60", "K56.69", "K35.8", "I47.1", "I47.2", "I71.3", "I71.4",
)  # fmt: skip
GENDER_VARIANTS = {"M": ("Male", "male", "m", "1"), "F": ("Female", "female", "f", "2")}
# Feed events a time-zone slip can hit: the originals of admit (1), the two transfers (11, 12), discharge (30).
SHIFTABLE_CODES = (1, 11, 12, 30)
ORPHAN_PATIENT_FACTOR = 2  # orphan patient ids start above 2 x the real ones (duplicates' ids stay below)


def text_schema(table: str) -> pa.Schema:
    """Every column of ``table`` as nullable text: the raw layer a source delivers when defects are on."""
    columns = RAW_COLUMNS[table] if table in RAW_COLUMNS else FEED_COLUMNS[table]
    return pa.schema([pa.field(c.name, pa.string(), nullable=True) for c in columns])


def to_text(chunk: pa.Table) -> pa.Table:
    """``chunk`` with every column as text, each value as the typed CSV shows it."""
    arrays = []
    for column in chunk.columns:
        array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if pa.types.is_dictionary(array.type):
            array = array.cast(array.type.value_type)
        if not pa.types.is_string(array.type):
            array = array.cast(pa.string())
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=chunk.column_names)


@dataclasses.dataclass
class Context:
    """What injection needs beyond the rows: the run's seed, profile, last day and id ranges."""

    seed: int
    profile: Profile
    last_day: int  # day number of the window's last day
    first_second: int  # the window's first second (feed events before it are backfill)
    patients: int  # real patient ids are 1..patients
    doctors: int  # doctor ids are 1..doctors
    discharge_recorded: np.ndarray  # by hospitalization_id - 1: its discharge event is in the feed by the last day


def _u(ctx: Context, table: str, keys: np.ndarray, name: str = "", slot: int = 0) -> np.ndarray:
    code = CLASS_CODE[name] if name else 0
    return draws.uniform(ctx.seed, draws.DEFECTS, TABLE_CODE[table], keys, code * 8 + slot)


def assign(ctx: Context, table: str, keys: np.ndarray) -> np.ndarray:
    """The class (an index into ``TABLE_CLASSES[table]``, -1 for none) each key's row is a candidate for."""
    classes = TABLE_CLASSES[table]
    edges = np.cumsum([ctx.profile.rates[c] for c in classes])
    index = np.searchsorted(edges, _u(ctx, table, np.asarray(keys, dtype=np.int64)), side="right")
    return np.where(index < len(classes), index, -1).astype(np.int8)


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _us_date(text: str) -> str:
    day = dt.date.fromisoformat(text)
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}"


def _transposed(name: str, u: float) -> str | None:
    """``name`` with two adjacent letters after the first swapped (a different string), None if it has none."""
    spots = [
        i for i in range(1, len(name) - 1) if name[i] != name[i + 1] and name[i].isalpha() and name[i + 1].isalpha()
    ]
    if not spots:
        return None
    i = spots[min(int(u * len(spots)), len(spots) - 1)]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def _malformed(code: str, valid: frozenset[str]) -> str | None:
    """A code as a typist breaks it: letter O for a zero, or the dot one place early; None if that is valid."""
    zeros = [i for i in range(1, len(code)) if code[i] == "0"]
    if zeros:
        out = code[: zeros[0]] + "O" + code[zeros[0] + 1 :]
    else:
        plain = code.replace(".", "")
        out = plain[:2] + "." + plain[2:]
    return None if out in valid or out == code else out


Row = dict[str, Any]
Edit = Callable[["Injector", str, Row, int, np.ndarray], "Row | None"]


class Injector:
    """Defects for one run: ``snapshot`` and ``feed`` return the tables as delivered (text) and note every
    injected defect in the ledger (``rows``, ``counts``). One table's chunks come in order on one thread."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.ledger: dict[str, list[tuple[str, str, str]]] = {}
        self.last = EPOCH + dt.timedelta(days=ctx.last_day)
        self.valid_codes = frozenset(casemix().codes)

    @staticmethod
    def schema(table: str) -> pa.Schema:
        return text_schema(table)

    # --- the ledger ------------------------------------------------------------------------------------
    def rows(self) -> list[tuple[str, str, str]]:
        """Every injected defect (table_name, record_key, defect), sorted as defects.csv is."""
        return sorted((row for rows in self.ledger.values() for row in rows), key=lambda r: (r[0], r[2], r[1]))

    def counts(self) -> dict[str, int]:
        """Injected defects per class (every class, 0 where none)."""
        out = dict.fromkeys(CLASSES, 0)
        for rows in self.ledger.values():
            for _, _, defect in rows:
                out[defect] += 1
        return out

    # --- snapshot tables -------------------------------------------------------------------------------
    def snapshot(self, table: str, chunks: Iterator[pa.Table]) -> Iterator[pa.Table]:
        """``table``'s chunks as text, with its defects (patients and hospitalizations; others as they are)."""
        if table not in TABLE_CLASSES:
            for chunk in chunks:
                yield to_text(chunk)
            return
        log = self.ledger.setdefault(table, [])
        key_column = "patient_id" if table == "patients" else "hospitalization_id"
        candidates: list[tuple[int, Row, str]] = []  # duplicate_patient: (row's index, second registration, key)
        registered = _Registrations() if table == "patients" else None
        for chunk in chunks:
            if registered is not None:
                registered.add(chunk)
            text = to_text(chunk)
            keys = (
                np.asarray(chunk[key_column].combine_chunks(), dtype=np.int64)
                if chunk.num_rows
                else np.zeros(0, np.int64)
            )
            cls = assign(self.ctx, table, keys)
            edits: dict[str, dict[int, str | None]] = {name: {} for name in text.column_names}
            copies = np.zeros(chunk.num_rows, dtype=np.int64)
            for k, name in enumerate(TABLE_CLASSES[table]):
                rows = np.flatnonzero(cls == k)
                if not len(rows):
                    continue
                u = np.stack([_u(self.ctx, table, keys[rows], name, slot) for slot in (1, 2, 3)], axis=1)
                taken = text.take(pa.array(rows)).to_pylist()
                for j, (position, row) in enumerate(zip(rows.tolist(), taken, strict=True)):
                    key = str(keys[position])
                    if name == "duplicate_row":
                        copies[position] = 1
                        log.append((table, key, name))
                        continue
                    if name == "duplicate_patient" and registered is not None:
                        index = registered.count - chunk.num_rows + position
                        candidates.append((index, self._second_registration(row, u[j]), key))
                        continue
                    change = EDITS[(table, name)](self, table, row, int(keys[position]), u[j])
                    if change is None:  # not eligible
                        continue
                    for column, value in change.items():
                        edits[column][position] = value
                    log.append((table, key, name))
            out = _edited(text, edits)
            if copies.any():
                out = out.take(pa.array(np.repeat(np.arange(chunk.num_rows), 1 + copies)))
            yield out
        if registered is None or not candidates:
            return
        extra: list[Row] = []  # second registrations, written after every real row, ids above every real one
        for index, second, key in candidates:
            if registered.ambiguous(index, second["first_name"] or "", second["birth_date"]):
                continue  # the rule would pair it with another real patient too: not eligible
            second["patient_id"] = str(self.ctx.patients + 1 + len(extra))
            extra.append(second)
            log.append((table, f"{key}|{second['patient_id']}", "duplicate_patient"))
        if extra:
            yield pa.Table.from_pylist(extra, schema=text_schema(table))

    def _second_registration(self, row: Row, u: np.ndarray) -> Row:
        """A second registration of the patient in ``row`` (its id still to be given): one variant, as drawn."""
        second = dict(row)
        second["death_date"] = None  # a new registration, no stay: not known to have died
        swapped = _transposed(row["first_name"] or "", float(u[1])) if u[0] < 0.5 else None
        if swapped is not None:
            second["first_name"] = swapped
        else:
            day = dt.date.fromisoformat(row["birth_date"]) + dt.timedelta(days=1 if u[2] < 0.5 else -1)
            second["birth_date"] = _iso(day)
        return second

    # --- the feed --------------------------------------------------------------------------------------
    def feed(self, events: Events, horizon: int) -> Events:
        """``events`` as delivered: late duplicates inserted (recorded 1-48 h after the original, in that
        day's partition, if before ``horizon``), time-zone slips applied, every column text."""
        table = events.name
        if events.ids is None or events.at is None:
            raise AssertionError(f"{table}: events without ids or event times")
        ids, at, rec = events.ids, events.at, events.recorded
        n = len(ids)
        classes = TABLE_CLASSES[table]
        cls = assign(self.ctx, table, ids)
        live = at >= self.ctx.first_second  # not backfill
        log = self.ledger.setdefault(table, [])

        k = classes.index("late_duplicate")
        chosen = np.flatnonzero((cls == k) & live)
        delay = HOUR + np.floor(_u(self.ctx, table, ids[chosen], "late_duplicate", 1) * (47 * HOUR + 1)).astype(
            np.int64
        )
        copy_rec = rec[chosen] + delay
        inside = copy_rec < horizon
        source_of_copy, copy_rec = chosen[inside], copy_rec[inside]
        log.extend((table, str(i), "late_duplicate") for i in ids[source_of_copy].tolist())

        shift = np.zeros(n, dtype=np.int32)  # seconds added to event_at (at most 8 h)
        if "timezone_shift" in classes:
            k = classes.index("timezone_shift")
            candidates = np.flatnonzero((cls == k) & live & np.isin(ids % 100, SHIFTABLE_CODES))
            hours = 4 + np.floor(_u(self.ctx, table, ids[candidates], "timezone_shift", 1) * 5).astype(np.int64)
            ok = at[candidates] + hours * HOUR > rec[candidates]
            shift[candidates[ok]] = hours[ok] * HOUR
            log.extend((table, str(i), "timezone_shift") for i in ids[candidates[ok]].tolist())

        source = np.concatenate([np.arange(n, dtype=np.int64), source_of_copy])
        recorded = np.concatenate([rec, copy_rec])
        copy = np.concatenate([np.zeros(n, dtype=bool), np.ones(len(source_of_copy), dtype=bool)])
        order = np.lexsort((ids[source], recorded))
        source, recorded, copy = source[order], recorded[order], copy[order]
        del cls, live, order

        def build(a: int, b: int) -> pa.Table:
            rows = source[a:b]
            if not len(rows):
                return to_text(events.table(0, 0))
            lo, hi = int(rows.min()), int(rows.max()) + 1
            out = to_text(events.table(lo, hi)).take(pa.array(rows - lo))
            edits: dict[str, dict[int, str | None]] = {"event_at": {}, "recorded_at": {}}
            slipped = np.flatnonzero((shift[rows] > 0) & ~copy[a:b])
            if len(slipped):
                values = timestamps_s(at[rows[slipped]] + shift[rows[slipped]]).cast(pa.string()).to_pylist()
                edits["event_at"] = dict(zip(slipped.tolist(), values, strict=True))
            copies = np.flatnonzero(copy[a:b])
            if len(copies):
                values = timestamps_s(recorded[a:b][copies]).cast(pa.string()).to_pylist()
                edits["recorded_at"] = dict(zip(copies.tolist(), values, strict=True))
            return _edited(out, edits)

        return Events(table, recorded, build)


class _Registrations:
    """The real patients as the duplicate rule (stg_patients_checked) compares them: per row a hash of the
    normalised last name, gender and ZIP code, a hash of the first name, and the birth day."""

    def __init__(self) -> None:
        self.groups: list[np.ndarray] = []
        self.firsts: list[np.ndarray] = []
        self.births: list[np.ndarray] = []
        self.count = 0
        self._sorted: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    def add(self, chunk: pa.Table) -> None:
        def normal(name: str) -> pa.Array:
            column = chunk[name].combine_chunks().cast(pa.string()).fill_null("")
            return pc.utf8_lower(pc.utf8_trim_whitespace(column))

        group = pc.binary_join_element_wise(normal("last_name"), normal("gender"), normal("zip_code"), "\x1f")
        self.groups.append(_hashed(group))
        self.firsts.append(_hashed(normal("first_name")))
        births = chunk["birth_date"].combine_chunks().cast(pa.int32()).fill_null(np.iinfo(np.int32).min // 2)
        self.births.append(np.asarray(births, dtype=np.int64))
        self.count += chunk.num_rows

    def ambiguous(self, index: int, first_name: str, birth_date: str) -> bool:
        """Whether a second registration of real patient ``index`` with this first name and birth date would
        also match another real patient under the rule (same group; that first name with a birth date a day
        apart, or the same birth date at all: a conservative superset of the rule's transposition)."""
        if self._sorted is None:
            groups, firsts, births = (np.concatenate(parts) for parts in (self.groups, self.firsts, self.births))
            order = np.argsort(groups, kind="stable")
            self._sorted = (groups[order], firsts[order], births[order], order)
            self.groups, self.firsts, self.births = [groups], [firsts], [births]
        groups, firsts, births, order = self._sorted
        group = self.groups[0][index]
        lo, hi = np.searchsorted(groups, group, "left"), np.searchsorted(groups, group, "right")
        others = order[lo:hi] != index
        birth = (dt.date.fromisoformat(birth_date) - EPOCH).days
        first = _hashed(pa.array([first_name.strip().lower()]))[0]
        near = np.abs(births[lo:hi] - birth)
        return bool(np.any(others & ((near == 0) | ((firsts[lo:hi] == first) & (near == 1)))))


def _hashed(strings: pa.Array) -> np.ndarray:
    """A 64-bit hash of every string (pandas' stable hash: the same on every machine and run)."""
    return pd.util.hash_array(np.asarray(strings.to_numpy(zero_copy_only=False), dtype=object))


def _edited(text: pa.Table, edits: dict[str, dict[int, str | None]]) -> pa.Table:
    """``text`` with the values ``edits`` gives (column -> row -> new value, None for empty) put in."""
    for column, changes in edits.items():
        if not changes:
            continue
        rows = sorted(changes)
        mask = np.zeros(text.num_rows, dtype=bool)
        mask[rows] = True
        index = text.column_names.index(column)
        replaced = pc.replace_with_mask(
            text.column(index).combine_chunks(),
            pa.array(mask),
            pa.array([changes[r] for r in rows], type=pa.string()),
        )
        text = text.set_column(index, column, replaced)
    return text


# --- one defect on one row: the changed columns, or None where the row is not eligible -------------------
def _patient_impossible(inj: Injector, table: str, row: Row, key: int, u: np.ndarray) -> Row | None:
    last = inj.last
    if u[0] < 0.5:  # over 120 at the last day: 121 to 130 years before it
        years = 121 + int(u[1] * 9)
        day = dt.date(last.year - years, last.month, min(last.day, 28)) - dt.timedelta(days=int(u[2] * 365))
    else:  # born after the last day: 1 to 365 days
        day = last + dt.timedelta(days=1 + int(u[1] * 365))
    return {"birth_date": _iso(day)}


def _patient_missing(inj: Injector, table: str, row: Row, key: int, u: np.ndarray) -> Row | None:
    return {"gender" if u[0] < 0.5 else "birth_date": None}


def _case(value: str, u: float) -> str:
    changed = value.upper() if u < 0.5 else value.lower()
    return changed if changed != value else f" {value} "


def _patient_format(inj: Injector, table: str, row: Row, key: int, u: np.ndarray) -> Row | None:
    variant = int(u[0] * 5)
    if variant == 0:
        options = GENDER_VARIANTS[row["gender"]]
        return {"gender": options[min(int(u[1] * len(options)), len(options) - 1)]}
    column = "first_name" if u[1] < 0.5 else "last_name"
    if variant in (1, 2):
        return {column: _case(row[column], float(u[2]))}
    if variant == 3:
        return {column: f" {row[column]} " if u[2] < 0.5 else f"{row[column]}  "}
    return {"birth_date": _us_date(row["birth_date"])}


def _orphan(inj: Injector, table: str, row: Row, key: int, u: np.ndarray) -> Row | None:
    ctx = inj.ctx
    if u[0] < 0.5:
        base = ORPHAN_PATIENT_FACTOR * ctx.patients + 1
        return {"patient_id": str(base + int(u[1] * max(ctx.patients, 1)))}
    return {"doctor_id": str(ctx.doctors + 1 + int(u[1] * max(ctx.doctors, 1)))}


def _closed(row: Row) -> bool:
    return row["discharge_date"] is not None


def _discharge_before(inj: Injector, table: str, row: Row, key: int, u: np.ndarray) -> Row | None:
    if not _closed(row):
        return None
    days = 1 + int(u[0] * 5)
    day = dt.date.fromisoformat(row["admission_date"]) - dt.timedelta(days=days)
    return {
        "discharge_date": _iso(day),
        "length_of_stay_days": str(-days),
        "discharged_at": f"{_iso(day)} {row['discharged_at'][11:]}",
    }


def _positive_charges(row: Row) -> bool:
    return _closed(row) and row["total_charges"] is not None and Decimal(row["total_charges"]) > 0


def _negative_charges(inj: Injector, table: str, row: Row, key: int, u: np.ndarray) -> Row | None:
    return {"total_charges": f"-{row['total_charges']}"} if _positive_charges(row) else None


def _invalid_code(inj: Injector, table: str, row: Row, key: int, u: np.ndarray) -> Row | None:
    code = _malformed(row["diagnosis_code"], inj.valid_codes) if u[0] < 0.5 else None
    if code is None:
        code = RETIRED_CODES[min(int(u[1] * len(RETIRED_CODES)), len(RETIRED_CODES) - 1)]
    return {"diagnosis_code": code}


def _stay_missing(inj: Injector, table: str, row: Row, key: int, u: np.ndarray) -> Row | None:
    return {("admission_date", "diagnosis_code", "admission_type")[min(int(u[0] * 3), 2)]: None}


def _stay_format(inj: Injector, table: str, row: Row, key: int, u: np.ndarray) -> Row | None:
    variant = int(u[0] * 4)
    kind = row["admission_type"]
    if variant == 0:
        return {"admission_type": kind.lower() if kind.lower() != kind else f" {kind} "}
    if variant == 1:
        return {"admission_type": kind.upper() if kind.upper() != kind else f" {kind} "}
    if variant == 2:
        return {"admission_type": f" {kind} " if u[1] < 0.5 else f"{kind}  "}
    return {"admission_date": _us_date(row["admission_date"])}


def _unit_slip(inj: Injector, table: str, row: Row, key: int, u: np.ndarray) -> Row | None:
    recorded = inj.ctx.discharge_recorded
    if not _positive_charges(row) or key - 1 >= len(recorded) or not recorded[key - 1]:
        return None
    return {"total_charges": f"{Decimal(row['total_charges']) * 100:.2f}"}


EDITS: dict[tuple[str, str], Edit] = {
    ("patients", "impossible_value"): _patient_impossible,
    ("patients", "missing_value"): _patient_missing,
    ("patients", "inconsistent_format"): _patient_format,
    ("hospitalizations", "orphan_key"): _orphan,
    ("hospitalizations", "discharge_before_admission"): _discharge_before,
    ("hospitalizations", "impossible_value"): _negative_charges,
    ("hospitalizations", "invalid_code"): _invalid_code,
    ("hospitalizations", "missing_value"): _stay_missing,
    ("hospitalizations", "inconsistent_format"): _stay_format,
    ("hospitalizations", "unit_slip"): _unit_slip,
}
