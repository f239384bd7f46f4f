"""Read the dbt marts through the ``Warehouse`` interface into small, aggregated DataFrames.

Every query here returns a few hundred rows at most, whatever the number of stays: the marts are already
aggregated, and the two questions asked of ``fct_hospitalizations`` (length-of-stay histogram, top
diagnoses) are ``GROUP BY`` queries the warehouse answers. The SQL is plain enough for DuckDB and Snowflake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from hospital_analytics import kpis as kpi_definitions
from hospital_analytics import layout
from hospital_analytics.errors import AnalyzeError, HospitalError, StepOrderError, WarehouseError

if TYPE_CHECKING:
    from hospital_analytics.warehouse.base import Warehouse

TRANSFORM_HINT = (
    "Run `hospital transform` (after `hospital generate` and `hospital load`), or `hospital run-all`; "
    "then `hospital analyze` again."
)

# The marts analyze reads (a subset of layout.MARTS), checked before any query runs.
REQUIRED_MARTS: tuple[str, ...] = (
    "kpis",
    "patients_demographics",
    "patients_admissions_by_month",
    "readmission_rate_by_month",
    "daily_census",
    "fct_hospitalizations",
    "length_of_stay_by_diagnosis",
    "doctor_workload",
    "occupancy_daily",
    "discharge_dispositions",
    "admissions_by_weekday",
)

TOP_DIAGNOSES = 10
TOP_DOCTORS = 10
TOP_DIAGNOSIS_GROUPS = 12
TOP_HOSPITALS = 8  # the occupancy chart's lines: the largest hospitals (a system may have dozens)

# name -> (mart it reads, SQL with {t} for the mart's qualified name)
QUERIES: dict[str, tuple[str, str]] = {
    "kpis": (  # the headline KPIs of their single definition, then the peak census and the admission dates
        "kpis",
        "SELECT "
        + ", ".join(k.name for k in kpi_definitions.headline())
        + ", peak_census, peak_census_date, first_admission_date, last_admission_date FROM {t}",
    ),
    "demographics": (
        "patients_demographics",
        "SELECT gender, age_group, age_group_order, patients, share_of_patients FROM {t} "
        "ORDER BY age_group_order, gender",
    ),
    "admissions_by_month": (
        "patients_admissions_by_month",
        "SELECT month, month_label, admissions, distinct_patients, total_length_of_stay_days, "
        "average_length_of_stay_days FROM {t} ORDER BY month",
    ),
    "readmission_rate_by_month": (
        "readmission_rate_by_month",
        "SELECT month, month_label, discharges, readmissions_30d, readmission_rate FROM {t} ORDER BY month",
    ),
    "daily_census": (
        "daily_census",
        "SELECT census_date, admissions, discharges, patients_in_hospital FROM {t} ORDER BY census_date",
    ),
    "length_of_stay_histogram": (
        "fct_hospitalizations",
        "SELECT length_of_stay_days, COUNT(*) AS stays FROM {t} WHERE length_of_stay_days IS NOT NULL "
        "GROUP BY length_of_stay_days ORDER BY length_of_stay_days",
    ),
    "top_diagnoses": (
        "fct_hospitalizations",
        "SELECT diagnosis_code, diagnosis_description, diagnosis_category, COUNT(*) AS stays, "
        "CAST(AVG(CAST(length_of_stay_days AS DOUBLE)) AS DOUBLE) AS average_length_of_stay_days "
        "FROM {t} GROUP BY diagnosis_code, diagnosis_description, diagnosis_category "
        f"ORDER BY stays DESC, diagnosis_code LIMIT {TOP_DIAGNOSES}",
    ),
    "length_of_stay_by_diagnosis": (
        "length_of_stay_by_diagnosis",
        "SELECT diagnosis_category, doctor_specialty, stays, mean_length_of_stay_days, "
        "median_length_of_stay_days, p90_length_of_stay_days FROM {t} "
        f"ORDER BY stays DESC, diagnosis_category, doctor_specialty LIMIT {TOP_DIAGNOSIS_GROUPS}",
    ),
    "doctor_workload": (
        "doctor_workload",
        "SELECT doctor_id, doctor_name, specialty, department, stays, patients, bed_days, "
        f"average_length_of_stay_days FROM {{t}} ORDER BY stays DESC, doctor_id LIMIT {TOP_DOCTORS}",
    ),
    "occupancy_by_month": (  # monthly occupancy of the largest hospitals: midnights / bed-nights
        "occupancy_daily",
        "SELECT o.hospital_id, o.hospital_name, "
        "CAST(DATE_TRUNC('month', o.census_date) AS DATE) AS month, "
        "CAST(SUM(o.patients) AS DOUBLE) / CAST(SUM(o.beds) AS DOUBLE) AS occupancy_rate "
        "FROM {t} AS o INNER JOIN (SELECT hospital_id FROM {t} WHERE census_date = (SELECT MIN(census_date) FROM {t}) "
        f"GROUP BY hospital_id ORDER BY SUM(beds) DESC, hospital_id LIMIT {TOP_HOSPITALS}) AS h "
        "ON o.hospital_id = h.hospital_id "
        "GROUP BY o.hospital_id, o.hospital_name, CAST(DATE_TRUNC('month', o.census_date) AS DATE) "
        "ORDER BY o.hospital_id, month",
    ),
    "occupancy_by_unit": (  # every unit type over the system: beds, mean and peak midnight occupancy
        "occupancy_daily",
        "SELECT unit_code, CAST(SUM(beds) AS BIGINT) / COUNT(DISTINCT census_date) AS beds, "
        "CAST(SUM(patients) AS DOUBLE) / CAST(SUM(beds) AS DOUBLE) AS occupancy_rate, "
        "MAX(occupancy_rate) AS peak_occupancy_rate, COUNT(DISTINCT unit_id) AS units "
        "FROM {t} GROUP BY unit_code ORDER BY beds DESC, unit_code",
    ),
    "dispositions": (
        "discharge_dispositions",
        "SELECT discharge_disposition, CAST(SUM(discharges) AS BIGINT) AS discharges FROM {t} "
        "GROUP BY discharge_disposition ORDER BY discharges DESC, discharge_disposition",
    ),
    "mortality_by_diagnosis": (  # the categories with most deaths: in-hospital mortality of their discharges
        "discharge_dispositions",
        "SELECT diagnosis_category, CAST(SUM(discharges) AS BIGINT) AS discharges, "
        "CAST(SUM(CASE WHEN discharge_disposition = 'Died' THEN discharges ELSE 0 END) AS BIGINT) AS deaths, "
        "CAST(SUM(CASE WHEN discharge_disposition = 'Died' THEN discharges ELSE 0 END) AS DOUBLE) "
        "/ CAST(SUM(discharges) AS DOUBLE) AS mortality_rate "
        f"FROM {{t}} GROUP BY diagnosis_category ORDER BY deaths DESC, diagnosis_category LIMIT {TOP_DIAGNOSIS_GROUPS}",
    ),
    "weekday": (
        "admissions_by_weekday",
        "SELECT day_of_week, day_name, admission_type, admissions, discharges FROM {t} "
        "ORDER BY admission_type, day_of_week",
    ),
}

_DATE_COLUMNS = {"month", "census_date", "peak_census_date", "first_admission_date", "last_admission_date"}
_TEXT_COLUMNS = {
    "gender",
    "age_group",
    "month_label",
    "diagnosis_code",
    "diagnosis_description",
    "diagnosis_category",
    "doctor_specialty",
    "doctor_name",
    "specialty",
    "department",
    "hospital_name",
    "unit_code",
    "discharge_disposition",
    "day_name",
    "admission_type",
}
_INT_COLUMNS = {
    "admissions",
    "patients",
    "distinct_patients",
    "total_length_of_stay_days",
    "discharges",
    "readmissions_30d",
    "patients_in_hospital",
    "length_of_stay_days",
    "stays",
    "bed_days",
    "peak_census",
    "age_group_order",
    "doctor_id",
    "hospital_id",
    "beds",
    "units",
    "deaths",
    "day_of_week",
}


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Same dtypes from both warehouses: datetime64 dates, int64 counts, float64 measures, str labels.

    Snowflake returns NUMBER(p,s) as Decimal and DATE as ``datetime.date`` objects; DuckDB gives numpy types.
    """
    frame = frame.copy()
    for column in frame.columns:
        if column in _DATE_COLUMNS:
            frame[column] = pd.to_datetime(frame[column])
        elif column in _TEXT_COLUMNS:
            frame[column] = frame[column].astype("string").astype(object)
        elif column in _INT_COLUMNS and not frame[column].isna().any():
            frame[column] = pd.to_numeric(frame[column]).astype("int64")
        else:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def check_marts(warehouse: Warehouse, schema: str) -> None:
    """Raise ``StepOrderError`` naming ``hospital transform`` when a mart analyze reads is missing."""
    missing = [name for name in REQUIRED_MARTS if not warehouse.table_exists(schema, name)]
    if missing:
        shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        raise StepOrderError(
            f"The {schema} marts are missing in the {warehouse.name} warehouse ({shown}): "
            "run `hospital transform` first.",
            TRANSFORM_HINT,
        )


def mart_columns(warehouse: Warehouse, schema: str) -> dict[str, list[str]]:
    """Each mart's columns as the warehouse holds them (the report lists them: an added column shows)."""
    return {
        mart: list(warehouse.query_arrow(f"SELECT * FROM {warehouse.qualified(schema, mart)} LIMIT 0").schema.names)
        for mart in layout.MARTS
    }


def read_marts(
    warehouse: Warehouse,
    schema: str,
    on_query: Callable[[str], Any] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every DataFrame analyze charts and reports, keyed by the names in ``QUERIES``.

    The queries run first; only when one fails are the marts' existence checked (``check_marts``), so a
    healthy run costs no metadata round trips (each one is a network call on Snowflake).

    Raises:
        StepOrderError: a mart is missing, or the marts hold no admissions (run ``hospital transform``).
        AnalyzeError: a query failed (for instance marts built by an older version).
    """
    frames: dict[str, pd.DataFrame] = {}
    for name, (mart, sql) in QUERIES.items():
        query = sql.format(t=warehouse.qualified(schema, mart))
        try:
            frame = warehouse.query_df(query)
        except WarehouseError as exc:  # a missing mart names the step; else one line naming the mart
            check_marts(warehouse, schema)
            raise AnalyzeError(
                f"Reading the {schema}.{mart} mart failed: {exc.message}",
                f"If the marts come from an older version, run `hospital transform` again. {exc.hint}",
            ) from None
        except HospitalError:
            raise
        except Exception as exc:  # any other driver error: still one line, naming the mart
            check_marts(warehouse, schema)
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise AnalyzeError(
                f"Reading the {schema}.{mart} mart failed: {first}",
                "The marts may come from an older version: run `hospital transform` again.",
            ) from None
        frame.columns = [str(c).lower() for c in frame.columns]
        frames[name] = _normalise(frame)
        if on_query is not None:
            on_query(name)
    _check_not_empty(frames, schema)
    return frames


def _check_not_empty(frames: dict[str, pd.DataFrame], schema: str) -> None:
    kpis = frames["kpis"]
    admissions = int(kpis["admissions"].iloc[0]) if len(kpis) and pd.notna(kpis["admissions"].iloc[0]) else 0
    empty = [name for name in ("kpis", "admissions_by_month", "daily_census") if frames[name].empty]
    if admissions == 0 or empty:
        which = ", ".join(empty) if empty else "kpis"
        raise StepOrderError(
            f"The {schema} marts hold no admissions ({which} empty): run `hospital transform` on loaded data.",
            TRANSFORM_HINT,
        )


def kpi_values(frames: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """The report's headline numbers as plain Python values (JSON-safe): the KPIs of their definition
    (``hospital_analytics.kpis``), the peak census and the admission dates."""
    row = frames["kpis"].iloc[0]

    def day(value: Any) -> dt.date | None:
        return None if pd.isna(value) else pd.Timestamp(value).date()

    def number(value: Any, kind: type) -> Any:
        return None if pd.isna(value) else kind(value)

    values: dict[str, Any] = {
        k.name: number(row[k.name], int if k.format == "integer" else float) for k in kpi_definitions.headline()
    }
    values.update(
        peak_census=number(row["peak_census"], int),
        peak_census_date=day(row["peak_census_date"]),
        first_admission_date=day(row["first_admission_date"]),
        last_admission_date=day(row["last_admission_date"]),
    )
    return values
