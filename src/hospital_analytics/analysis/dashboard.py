"""``dashboard.html``: an interactive, cross-filtered dashboard in one self-contained file.

The page holds no stay-level rows: only the dashboard marts (``dashboard_segments``, ``dashboard_facets``,
``dashboard_patient_months``) and the daily census, whose rows are bounded by months x segments (gender,
age group, diagnosis category, admission type) x facet values, whatever the number of stays. Its script
(plain JavaScript drawing SVG, ``dashboard_assets/``) adds up the rows that pass the filters, so every tile
and chart follows them, and draws the charts. The data travels gzip-compressed and base64-encoded inside
the page; the browser inflates it with its built-in ``DecompressionStream``. A Content-Security-Policy
allows only the page's own script and style (by hash) and ``data:`` images: nothing is ever fetched.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import html
import json
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from hospital_analytics.errors import AnalyzeError, HospitalError, StepOrderError, WarehouseError
from hospital_analytics.fsutil import atomic_path

if TYPE_CHECKING:
    from hospital_analytics.warehouse.base import Warehouse

ASSETS = "dashboard_assets"

# The stay attributes the dashboard filters on: (key in the page, column of the marts, label).
DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("gender", "patient_gender", "Gender"),
    ("age_group", "age_group", "Age group"),
    ("diagnosis_category", "diagnosis_category", "Diagnosis category"),
    ("admission_type", "admission_type", "Admission type"),
)
GENDER_LABELS = {"F": "Female", "M": "Male"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MEASURES = ("admissions", "bed_days", "total_charges", "readmissions_30d", "deaths", "patient_days")

QUERIES: dict[str, tuple[str, str]] = {
    "segments": (
        "dashboard_segments",
        "SELECT month, patient_gender, age_group, diagnosis_category, admission_type, admissions, bed_days, "
        "total_charges, readmissions_30d, deaths, patient_days FROM {t} "
        "ORDER BY month, patient_gender, age_group, diagnosis_category, admission_type",
    ),
    "facets": (
        "dashboard_facets",
        "SELECT month, patient_gender, age_group, diagnosis_category, admission_type, facet, facet_value, "
        "facet_label, stays, bed_days FROM {t} ORDER BY facet, month, patient_gender, age_group, "
        "diagnosis_category, admission_type, facet_value",
    ),
    "patient_months": (
        "dashboard_patient_months",
        "SELECT patient_gender, filter_dimension, filter_value, month, next_month, patients FROM {t} "
        "ORDER BY filter_dimension, filter_value, patient_gender, month, next_month",
    ),
    "census": (
        "daily_census",
        "SELECT census_date, patients_in_hospital FROM {t} ORDER BY census_date",
    ),
}

TRANSFORM_HINT = "Run `hospital transform` to build the dashboard marts, then `hospital analyze` again."


def read_cube(warehouse: Warehouse, schema: str) -> dict[str, pd.DataFrame]:
    """The dashboard marts as DataFrames (a few thousand rows each, whatever the number of stays).

    Raises:
        StepOrderError: a dashboard mart is missing (marts built by an older version: run ``hospital transform``).
        AnalyzeError: a query failed for another reason.
    """
    frames: dict[str, pd.DataFrame] = {}
    for name, (mart, sql) in QUERIES.items():
        try:
            frame = warehouse.query_df(sql.format(t=warehouse.qualified(schema, mart)))
        except HospitalError as exc:
            if not warehouse.table_exists(schema, mart):
                raise StepOrderError(
                    f"The {schema}.{mart} mart is missing in the {warehouse.name} warehouse.", TRANSFORM_HINT
                ) from None
            detail = exc.message if isinstance(exc, WarehouseError) else str(exc)
            raise AnalyzeError(f"Reading the {schema}.{mart} mart failed: {detail}", TRANSFORM_HINT) from None
        except Exception as exc:  # any driver error: one line naming the mart
            if not warehouse.table_exists(schema, mart):
                raise StepOrderError(
                    f"The {schema}.{mart} mart is missing in the {warehouse.name} warehouse.", TRANSFORM_HINT
                ) from None
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise AnalyzeError(f"Reading the {schema}.{mart} mart failed: {first}", TRANSFORM_HINT) from None
        frame.columns = [str(c).lower() for c in frame.columns]
        frames[name] = frame
    if frames["segments"].empty or frames["census"].empty:
        raise StepOrderError(f"The {schema} dashboard marts hold no admissions.", TRANSFORM_HINT)
    return frames


def _age_order(label: str) -> tuple[int, str]:
    """'0-17' < '18-44' < ... < '85+': by the first number in the label."""
    found = re.match(r"\d+", label)
    return (int(found.group()) if found else 10**6, label)


def _months(first: pd.Timestamp, last: pd.Timestamp) -> list[pd.Timestamp]:
    return list(pd.date_range(first.to_period("M").to_timestamp(), last.to_period("M").to_timestamp(), freq="MS"))


def _ints(values: Any) -> list[int]:
    return [int(v) for v in pd.Series(values).fillna(0).round().astype("int64")]


def _delta(values: list[int]) -> list[int]:
    """First value, then differences (sorted indices compress well as small numbers)."""
    return [b - a for a, b in zip([0, *values[:-1]], values, strict=True)]


def build_payload(frames: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """The page's data: dimensions and months, the cube (columnar, codes instead of labels), the facets and
    patient-month tables keyed by cell, and the daily census. Same marts, same payload."""
    seg = frames["segments"].copy()
    seg["month"] = pd.to_datetime(seg["month"])
    census = frames["census"].copy()
    census["census_date"] = pd.to_datetime(census["census_date"])
    months = _months(min(seg["month"].min(), census["census_date"].min()), census["census_date"].max())
    month_index = {m: i for i, m in enumerate(months)}
    days_per_month = census.groupby(census["census_date"].dt.to_period("M").dt.to_timestamp()).size()

    dimensions = []
    codes: dict[str, dict[str, int]] = {}
    for key, column, label in DIMENSIONS:
        present = [str(v) for v in seg[column].astype(str).unique()]
        if key == "age_group":
            values = sorted(present, key=_age_order)
        else:  # most admissions first: the order charts and menus list them in
            totals = seg.assign(_v=seg[column].astype(str)).groupby("_v")["admissions"].sum()
            values = sorted(present, key=lambda v: (-int(totals.get(v, 0)), v))
        codes[key] = {v: i for i, v in enumerate(values)}
        labels = [GENDER_LABELS.get(v, v) if key == "gender" else v for v in values]
        dimensions.append({"key": key, "label": label, "values": values, "labels": labels})

    keys = ["month", *[column for _, column, _ in DIMENSIONS]]
    seg = seg.sort_values(keys).reset_index(drop=True)
    cells: dict[str, Any] = {"month": [month_index[m] for m in seg["month"]]}
    for key, column, _ in DIMENSIONS:
        cells[key] = [codes[key][str(v)] for v in seg[column]]
    for measure in MEASURES:
        values = seg[measure] * 100 if measure == "total_charges" else seg[measure]  # charges in cents
        cells["total_charges_cents" if measure == "total_charges" else measure] = _ints(values)
    cell_of = {tuple(row): i for i, row in enumerate(_key_rows(seg, keys))}

    facets: dict[str, Any] = {}
    raw = frames["facets"].copy()
    raw["month"] = pd.to_datetime(raw["month"])
    for facet, rows in raw.groupby("facet", sort=True):
        rows = rows.assign(_cell=[cell_of[tuple(r)] for r in _key_rows(rows, keys)])
        values, labels = _facet_values(str(facet), rows)
        index = {v: i for i, v in enumerate(values)}
        rows = rows.assign(_value=[index[str(v)] for v in rows["facet_value"]]).sort_values(["_cell", "_value"])
        facets[str(facet)] = {
            "values": values,
            "labels": labels,
            "cell": _delta(rows["_cell"].tolist()),
            "value": rows["_value"].tolist(),
            "stays": _ints(rows["stays"]),
            "bed_days": _ints(rows["bed_days"]),
        }

    pm = frames["patient_months"].copy()
    dimension_keys = ["all", *[column for _, column, _ in DIMENSIONS[1:]]]
    dim_code = {column: i for i, column in enumerate(dimension_keys)}
    key_of = {column: key for key, column, _ in DIMENSIONS}
    pm["month"] = pd.to_datetime(pm["month"])
    pm["next_month"] = pd.to_datetime(pm["next_month"])
    patients = {
        "dimensions": ["all", *[key_of[c] for c in dimension_keys[1:]]],
        "gender": [codes["gender"][str(g)] for g in pm["patient_gender"]],
        "dimension": [dim_code[str(d)] for d in pm["filter_dimension"]],
        "value": [
            0 if d == "all" else codes[key_of[str(d)]].get(str(v), -1)
            for d, v in zip(pm["filter_dimension"], pm["filter_value"], strict=True)
        ],
        "month": [month_index[m] for m in pm["month"]],
        "next": [-1 if pd.isna(m) else month_index[m] for m in pm["next_month"]],
        "patients": _ints(pm["patients"]),
    }

    return {
        "months": [f"{m:%Y-%m}" for m in months],
        "days": [int(days_per_month.get(m, 0)) for m in months],
        "dimensions": dimensions,
        "cells": cells,
        "facets": facets,
        "patients": patients,
        "census": {
            "start": f"{census['census_date'].iloc[0]:%Y-%m-%d}",
            "values": _ints(census["patients_in_hospital"]),
            "beds": None,  # beds per day, when the marts have them (the living hospital's occupancy mart)
        },
    }


def _key_rows(frame: pd.DataFrame, keys: list[str]) -> list[tuple]:
    columns = [frame[k].astype(str) if k != "month" else frame[k] for k in keys]
    return list(zip(*columns, strict=True))


def _facet_values(facet: str, rows: pd.DataFrame) -> tuple[list[str], list[str]]:
    """A facet's values in display order, with labels."""
    present = sorted({str(v) for v in rows["facet_value"]})
    if facet == "length_of_stay":
        values = sorted(present, key=int)
        return values, values
    if facet.endswith("_weekday"):
        values = [str(d) for d in range(1, 8)]
        return values, list(WEEKDAYS)
    if facet == "diagnosis":
        labels = rows.dropna(subset=["facet_label"]).groupby("facet_value")["facet_label"].first()
        return present, [str(labels.get(v, v)) for v in present]
    return present, present


def encode(payload: Mapping[str, Any]) -> str:
    """JSON -> gzip (no timestamp: same payload, same bytes) -> base64."""
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True, allow_nan=False)
    return base64.b64encode(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


def _asset(name: str) -> str:
    return (resources.files("hospital_analytics.analysis") / ASSETS / name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render(payload: Mapping[str, Any], *, title: str, subtitle: str, created: dt.datetime) -> str:
    """The page's HTML: template, style, script and the encoded data, all inline."""
    style, script = _asset("dashboard.css"), _asset("dashboard.js")
    csp = (
        f"default-src 'none'; script-src {_sha256(script)}; style-src {_sha256(style)}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    page = _asset("dashboard.html")
    replacements = {
        "%CSP%": html.escape(csp, quote=False),  # no double quote in it: the attribute stays readable
        "%TITLE%": html.escape(title),
        "%SUBTITLE%": html.escape(subtitle),
        "%CREATED%": html.escape(f"{created:%Y-%m-%d %H:%M} UTC"),
        "%DATA%": encode(payload),
        "%STYLE%": style,
        "%SCRIPT%": script,
    }
    return re.sub("|".join(map(re.escape, replacements)), lambda m: replacements[m.group()], page)


def write(path: Path, text: str) -> Path:
    """Write the page atomically (a failed run leaves the previous page in place)."""
    with atomic_path(Path(path)) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
