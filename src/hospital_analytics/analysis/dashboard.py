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

from hospital_analytics import kpis
from hospital_analytics.analysis import quality as data_quality
from hospital_analytics.errors import AnalyzeError, HospitalError, StepOrderError, WarehouseError
from hospital_analytics.fsutil import atomic_path

if TYPE_CHECKING:
    from hospital_analytics.warehouse.base import Warehouse

ASSETS = "dashboard_assets"
# The page's label of its two words (kpis.DEFINITIONS), and what an age-group filter does to the patients tile.
DEFINITIONS = (
    f"{kpis.DEFINITIONS} Filtered by age group, the patients with a stay admitted at that age; admissions and "
    "every stay measure by age group use the stay's age at admission."
)

# The stay attributes the dashboard filters on: (key in the page, column of the marts, label).
DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("gender", "patient_gender", "Gender"),
    ("age_group", "age_group", "Age group at admission"),
    ("diagnosis_category", "diagnosis_category", "Diagnosis category"),
    ("admission_type", "admission_type", "Admission type"),
)
GENDER_LABELS = {"F": "Female", "M": "Male"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def measures() -> tuple[str, ...]:
    """The cube's measure columns: the KPI definition's additive measures, then the midnights."""
    names = [m.name for k in kpis.load() for m in k.measures if m.additive and m.model == "fct_hospitalizations"]
    return (*dict.fromkeys(names), "patient_days")


QUERIES: dict[str, tuple[str, str]] = {
    "segments": (
        "dashboard_segments",
        "SELECT month, patient_gender, age_group, diagnosis_category, admission_type, {measures} FROM {t} "
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
    # the census chart's choices: each hospital, and each kind of unit across the system (not their cross:
    # the page grows with hospitals + unit kinds, not their product)
    "hospital_census": (
        "occupancy_daily",
        "SELECT census_date, hospital_id AS view_id, min(hospital_name) AS view_label, sum(patients) AS patients, "
        "sum(beds) AS beds FROM {t} GROUP BY census_date, hospital_id ORDER BY view_id, census_date",
    ),
    "unit_census": (
        "occupancy_daily",
        "SELECT census_date, min(min(unit_id)) OVER (PARTITION BY unit_code) AS view_id, unit_code, "
        "min(unit_name) AS view_label, sum(patients) AS patients, sum(beds) AS beds FROM {t} "
        "GROUP BY census_date, unit_code ORDER BY view_id, census_date",
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
            frame = warehouse.query_df(sql.format(t=warehouse.qualified(schema, mart), measures=", ".join(measures())))
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


def _ints(values: Any) -> list[int]:
    return pd.Series(values).fillna(0).astype("float64").round().astype("int64").tolist()


def _delta(values: pd.Series) -> list[int]:
    """First value, then differences (sorted indices compress well as small numbers)."""
    return values.diff().fillna(values).astype("int64").tolist()


def _dimensions(seg: pd.DataFrame) -> list[dict[str, Any]]:
    """Each dimension's values in display order (age groups by age, the others most admissions first)."""
    dimensions = []
    for key, column, label in DIMENSIONS:
        totals = seg.assign(_v=seg[column].astype(str)).groupby("_v")["admissions"].sum()
        if key == "age_group":
            values = sorted(totals.index, key=_age_order)
        else:
            values = sorted(totals.index, key=lambda v: (-int(totals[v]), v))
        labels = [GENDER_LABELS.get(v, v) if key == "gender" else v for v in values]
        dimensions.append({"key": key, "label": label, "values": values, "labels": labels})
    return dimensions


def _cell_keys(frame: pd.DataFrame, months: pd.DatetimeIndex, dimensions: list[dict[str, Any]]) -> pd.Series:
    """One integer per (month, gender, age group, category, type): codes in mixed radix, -1 never occurs."""
    key = pd.Series(months.get_indexer(pd.to_datetime(frame["month"])), index=frame.index, dtype="int64")
    for (_, column, _), dim in zip(DIMENSIONS, dimensions, strict=True):
        codes = pd.Index(dim["values"]).get_indexer(frame[column].astype(str))
        key = key * len(dim["values"]) + codes
    return key


# How the page computes each kind of measure under any filter (mirrored by dashboard.js's measureValue).
def _computable(measure: kpis.Measure) -> bool:
    if measure.model == "fct_hospitalizations" and measure.additive:
        return True  # a sum over the chosen cells
    return (measure.model, measure.agg, measure.expr) in {
        ("fct_hospitalizations", "count_distinct", "patient_id"),  # the patient-months table
        ("fct_hospitalizations", "median", "length_of_stay_days"),  # the length-of-stay histogram
        ("daily_census", "average", "patients_in_hospital"),  # midnights / days of the range
    }


def build_payload(frames: Mapping[str, pd.DataFrame], quality: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The page's data: the KPI definitions, dimensions and months, the cube (columnar, codes instead of
    labels), the facets and patient-month tables keyed by cell, the daily census, and the data-quality sheet's
    data (``quality.payload``; none given: no data-quality marts). Same marts, same payload.

    Raises:
        AnalyzeError: a headline KPI's measure is of a kind the page cannot compute from its aggregates.
    """
    for kpi in kpis.headline():
        for measure in kpi.measures:
            if not _computable(measure):
                raise AnalyzeError(
                    f"The dashboard cannot compute KPI {kpi.name} (measure {measure.name}: {measure.agg} of "
                    f"{measure.model}.{measure.expr}) from its aggregates.",
                    "Use an additive measure of fct_hospitalizations in models/semantic/kpis.yml, or extend the "
                    "dashboard's cube.",
                )
    seg = frames["segments"]
    census = frames["census"].assign(census_date=lambda f: pd.to_datetime(f["census_date"]))
    first = min(pd.to_datetime(seg["month"]).min(), census["census_date"].min())
    months = pd.date_range(first.to_period("M").to_timestamp(), census["census_date"].max(), freq="MS")
    days_per_month = census.groupby(census["census_date"].dt.to_period("M").dt.to_timestamp()).size()
    dimensions = _dimensions(seg)

    seg = seg.assign(_key=_cell_keys(seg, months, dimensions)).sort_values("_key").reset_index(drop=True)
    cell_index = pd.Index(seg["_key"])
    cells: dict[str, Any] = {"month": months.get_indexer(pd.to_datetime(seg["month"])).tolist()}
    for (key, column, _), dim in zip(DIMENSIONS, dimensions, strict=True):
        cells[key] = pd.Index(dim["values"]).get_indexer(seg[column].astype(str)).tolist()
    in_cents = {m.name for k in kpis.load() if k.format == "money" for m in k.measures}
    scales = {name: 100 if name in in_cents else 1 for name in measures()}  # whole numbers only
    for name, scale in scales.items():
        cells[name] = _ints(pd.to_numeric(seg[name]).astype("float64") * scale)

    facets: dict[str, Any] = {}
    for facet, rows in frames["facets"].groupby("facet", sort=True):
        values, labels = _facet_values(str(facet), rows)
        rows = rows.assign(
            _cell=cell_index.get_indexer(_cell_keys(rows, months, dimensions)),
            _value=pd.Index(values).get_indexer(rows["facet_value"].astype(str)),
        ).sort_values(["_cell", "_value"])
        facets[str(facet)] = {
            "values": values,
            "labels": labels,
            "cell": _delta(rows["_cell"]),
            "value": rows["_value"].tolist(),
            "stays": _ints(rows["stays"]),
            "bed_days": _ints(rows["bed_days"]),
        }

    return {
        "kpis": [k.to_dict() for k in kpis.headline()],
        "scales": scales,
        "months": [f"{m:%Y-%m}" for m in months],
        "days": [int(days_per_month.get(m, 0)) for m in months],
        "dimensions": dimensions,
        "cells": cells,
        "facets": facets,
        "patients": _patient_months(frames["patient_months"], months, dimensions),
        "census": _census(census, frames["hospital_census"], frames["unit_census"]),
        "quality": dict(quality) if quality is not None else data_quality.payload(data_quality.empty(), None),
    }


def _census(census: pd.DataFrame, hospitals: pd.DataFrame, units: pd.DataFrame) -> dict[str, Any]:
    """The daily census of all stays (daily_census) with the system's beds, and the census chart's views:
    each hospital and each kind of unit (occupancy_daily), their patients and beds on the same days."""
    days = pd.DatetimeIndex(census["census_date"])

    def series(rows: pd.DataFrame, column: str) -> list[int]:
        by_day = rows.assign(_d=pd.to_datetime(rows["census_date"])).set_index("_d")[column]
        return _ints(by_day.reindex(days).fillna(0))

    def view(key: str, label: str, rows: pd.DataFrame) -> dict[str, Any]:
        options = []
        for _, one in rows.groupby("view_id", sort=True):
            options.append(
                {
                    "label": str(one["view_label"].iloc[0]),
                    "values": series(one, "patients"),
                    "beds": series(one, "beds"),
                }
            )
        return {"key": key, "label": label, "options": options}

    beds = hospitals.assign(beds=pd.to_numeric(hospitals["beds"])).groupby("census_date", as_index=False)["beds"].sum()
    return {
        "start": f"{days[0]:%Y-%m-%d}",
        "values": _ints(census["patients_in_hospital"]),
        "beds": series(beds, "beds") if not hospitals.empty else None,  # staffed beds of every unit, each day
        "views": [view("hospital", "Hospital", hospitals), view("unit", "Unit", units)],
    }


def _patient_months(pm: pd.DataFrame, months: pd.DatetimeIndex, dimensions: list[dict[str, Any]]) -> dict[str, Any]:
    """dashboard_patient_months as codes: filter 0 = all stays, then one per stay dimension (its value code)."""
    stay_dimensions = [(key, column, dim) for (key, column, _), dim in zip(DIMENSIONS, dimensions, strict=True)][1:]
    dimension = pd.Series(0, index=pm.index, dtype="int64")
    value = pd.Series(0, index=pm.index, dtype="int64")
    for i, (_, column, dim) in enumerate(stay_dimensions, start=1):
        rows = pm["filter_dimension"] == column
        dimension[rows] = i
        value[rows] = pd.Index(dim["values"]).get_indexer(pm.loc[rows, "filter_value"].astype(str))
    return {
        "dimensions": ["all", *[key for key, _, _ in stay_dimensions]],
        "gender": pd.Index(dimensions[0]["values"]).get_indexer(pm["patient_gender"].astype(str)).tolist(),
        "dimension": dimension.tolist(),
        "value": value.tolist(),
        "month": months.get_indexer(pd.to_datetime(pm["month"])).tolist(),
        "next": months.get_indexer(pd.to_datetime(pm["next_month"])).tolist(),  # -1: no later month
        "patients": _ints(pm["patients"]),
    }


def _facet_values(facet: str, rows: pd.DataFrame) -> tuple[list[str], list[str]]:
    """A facet's values in display order, with labels."""
    present = sorted(rows["facet_value"].astype(str).unique())
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
    return base64.b64encode(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)).decode("ascii")


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
        "%DEFINITIONS%": html.escape(DEFINITIONS),
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
