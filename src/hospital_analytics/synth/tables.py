"""Arrow tables of the raw files, built from compact numpy columns (vectorised; strings via ``take``).

Column names and order come from ``schema.RAW_COLUMNS``; types map from its SQL types (``arrow.py`` makes
the arrays).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from hospital_analytics.schema import RAW_COLUMNS, column_names
from hospital_analytics.synth import distributions as dist
from hospital_analytics.synth.arrow import dates, decimal_cents, numbers, strings
from hospital_analytics.synth.model import Model
from hospital_analytics.synth.people import Pools

_ARROW = {
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "DOUBLE": pa.float64(),
    "DECIMAL(12,2)": pa.decimal128(12, 2),
}
_GENDER = strings(["M", "F"])


def arrow_schema(table: str) -> pa.Schema:
    """The table's logical Arrow schema (how to read the files back)."""
    return pa.schema([pa.field(c.name, _ARROW[c.sql_type], nullable=False) for c in RAW_COLUMNS[table]])


def write_schema(table: str) -> pa.Schema:
    """The schema of the chunks written: text as dictionaries (indices into small label/name pools) -
    the CSV shows the text, Parquet stores it dictionary-encoded and reads back as plain strings."""
    return pa.schema(
        [
            pa.field(c.name, _TEXT if c.sql_type == "VARCHAR" else _ARROW[c.sql_type], nullable=False)
            for c in RAW_COLUMNS[table]
        ]
    )


_TEXT = pa.dictionary(pa.int32(), pa.string())


def _table(table: str, columns: dict[str, pa.Array]) -> pa.Table:
    if list(columns) != column_names(table):  # the schema is the contract with load
        raise AssertionError(f"{table} columns {list(columns)} differ from schema.py")
    return pa.Table.from_arrays(list(columns.values()), schema=write_schema(table))


def _pick(values: pa.Array, index: np.ndarray) -> pa.Array:
    """Text column: ``values[index]`` as a dictionary array (no per-row strings are built here)."""
    return pa.DictionaryArray.from_arrays(numbers(index, pa.int32()), values)


def _labels(names: tuple[str, ...]) -> pa.Array:
    return strings(names)


def patients_table(
    first_id: int,
    female: np.ndarray,
    birth: np.ndarray,
    insurance: np.ndarray,
    first_name: np.ndarray,
    last_name: np.ndarray,
    place: np.ndarray,
    pools: Pools,
) -> pa.Table:
    n = len(female)
    return _table(
        "patients",
        {
            "patient_id": numbers(np.arange(first_id, first_id + n)),
            "first_name": _pick(pools.first_names, first_name),
            "last_name": _pick(pools.last_names, last_name),
            "gender": _pick(_GENDER, female.astype(np.int32)),
            "birth_date": dates(birth),
            "city": _pick(pools.cities, place),
            "state": _pick(pools.states, place),
            "insurance": _pick(_labels(dist.INSURANCE), insurance),
        },
    )


def doctors_table(
    female: np.ndarray, specialty: np.ndarray, first_name: np.ndarray, last_name: np.ndarray, pools: Pools
) -> pa.Table:
    n = len(female)
    return _table(
        "doctors",
        {
            "doctor_id": numbers(np.arange(1, n + 1)),
            "first_name": _pick(pools.first_names, first_name),
            "last_name": _pick(pools.last_names, last_name),
            "gender": _pick(_GENDER, female.astype(np.int32)),
            "specialty": _pick(_labels(tuple(s.name for s in dist.SPECIALTIES)), specialty),
            "department": _pick(_labels(tuple(s.department for s in dist.SPECIALTIES)), specialty),
        },
    )


def hospitalizations_table(
    first_id: int,
    patient: np.ndarray,
    doctor: np.ndarray,
    admission: np.ndarray,
    los: np.ndarray,
    admission_type: np.ndarray,
    stay_type: np.ndarray,
    diagnosis: np.ndarray,
    disposition: np.ndarray,
    cents: np.ndarray,
    model: Model,
) -> pa.Table:
    """``patient`` and ``doctor`` are 0-based indices (ids are index + 1)."""
    n = len(patient)
    los = np.asarray(los, dtype=np.int32)
    admission = np.asarray(admission, dtype=np.int32)
    category = model.category[np.asarray(diagnosis, dtype=np.int64)]
    return _table(
        "hospitalizations",
        {
            "hospitalization_id": numbers(np.arange(first_id, first_id + n)),
            "patient_id": numbers(np.asarray(patient, dtype=np.int64) + 1),
            "doctor_id": numbers(np.asarray(doctor, dtype=np.int64) + 1),
            "admission_date": dates(admission),
            "discharge_date": dates(admission + los),
            "length_of_stay_days": numbers(los, pa.int32()),
            "admission_type": _pick(_labels(dist.ADMISSION_TYPES), admission_type),
            "stay_type": _pick(_labels(dist.STAY_TYPES), stay_type),
            "diagnosis_code": _pick(_labels(model.codes), diagnosis),
            "diagnosis_description": _pick(_labels(model.descriptions), diagnosis),
            "diagnosis_category": _pick(_labels(model.categories), category),
            "discharge_disposition": _pick(_labels(dist.DISPOSITIONS), disposition),
            "total_charges": decimal_cents(cents),
        },
    )


def admissions_by_month_table(
    first_month: int, admissions: np.ndarray, distinct_patients: np.ndarray, total_los: np.ndarray
) -> pa.Table:
    """One row per month with at least one admission; ``first_month`` = months since Jan 1970 of row 0."""
    present = np.flatnonzero(admissions > 0)
    months = first_month + present
    labels = [f"{m // 12 + 1970:04d}-{m % 12 + 1:02d}" for m in months.tolist()]
    count = admissions[present].astype(np.int64)
    total = total_los[present].astype(np.int64)
    return _table(
        "admissions_by_month",
        {
            "month": _pick(strings(labels), np.arange(len(labels))),
            "admissions": numbers(count),
            "distinct_patients": numbers(distinct_patients[present]),
            "total_length_of_stay_days": numbers(total),
            "average_length_of_stay_days": numbers(np.round(total / count, 2), pa.float64()),
        },
    )
