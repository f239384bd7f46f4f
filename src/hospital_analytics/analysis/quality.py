"""The data-quality marts (issue 15, docs/design/defects.md) as analyze reads them: issues by class, table and
day (``data_quality_summary``), what each rule did (``data_quality_rules``) and what the ``quarantine_<table>``
models hold, by reason.

They are optional: a warehouse built before them reads as no defects detected (``Quality.present`` False),
never as an error, and so does a clean run (the marts exist, with no rows).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from hospital_analytics.errors import AnalyzeError, HospitalError, WarehouseError
from hospital_analytics.schema import FEED_COLUMNS, RAW_COLUMNS

if TYPE_CHECKING:
    from hospital_analytics.warehouse.base import Warehouse

SUMMARY, RULES = "data_quality_summary", "data_quality_rules"

# The defect classes of the contract, in its order, with what each one is (the report's and the sheet's words).
CLASSES: dict[str, str] = {
    "duplicate_row": "Exact duplicate row",
    "duplicate_patient": "Same patient registered twice",
    "orphan_key": "Stay whose patient or doctor does not exist",
    "discharge_before_admission": "Discharge before admission",
    "impossible_value": "Impossible value (negative charges, age over 120, birth in the future)",
    "invalid_code": "Invalid or retired ICD-10 code",
    "missing_value": "Required value missing",
    "inconsistent_format": "Inconsistent format (case, spaces, dates, gender codes)",
    "unit_slip": "Charges in cents (x100)",
    "late_duplicate": "Feed event delivered twice",
    "timezone_shift": "Feed timestamp shifted by a time zone",
}
FEED_TABLES: tuple[str, ...] = tuple(FEED_COLUMNS)
# Tables a quarantine model may exist for: the contract's (defects.md) first, then any other raw table.
QUARANTINE_TABLES: tuple[str, ...] = tuple(
    dict.fromkeys(("patients", "hospitalizations", "encounter_events", "patient_events", *RAW_COLUMNS, *FEED_TABLES))
)
NO_DEFECTS = "No defects detected"
RULE_COLUMNS = ("defect", "table_name", "rule", "action", "issues")


@dataclasses.dataclass
class Quality:
    """What the data-quality marts say: ``summary`` (defect, table_name, issue_date, issues), ``rules`` (defect,
    table_name, rule, action, issues; in the mart's rule order), ``quarantine`` (table_name, reason, rows); ``present`` is False when the warehouse has
    no data-quality marts (built before them)."""

    present: bool
    summary: pd.DataFrame
    rules: pd.DataFrame
    quarantine: pd.DataFrame

    @property
    def issues(self) -> int:
        return int(self.summary["issues"].sum()) if len(self.summary) else 0

    @property
    def quarantined(self) -> int:
        return int(self.quarantine["rows"].sum()) if len(self.quarantine) else 0

    def by_class(self, injected: Mapping[str, int] | None = None) -> pd.DataFrame:
        """One row per class detected (or injected): defect, description, tables, detected, injected (the
        ledger's count from the manifest, None when unknown), first_day, last_day; contract order."""
        rows = []
        grouped = {str(k): g for k, g in self.summary.groupby("defect", sort=False)} if len(self.summary) else {}
        names = ordered([*grouped, *((injected or {}).keys())])
        for name in names:
            group = grouped.get(name)
            count = None if injected is None else int(injected.get(name, 0))
            if group is None and not count:
                continue
            rows.append(
                {
                    "defect": name,
                    "description": CLASSES.get(name, name.replace("_", " ")),
                    "tables": ", ".join(sorted(group["table_name"].astype(str).unique())) if group is not None else "",
                    "detected": int(group["issues"].sum()) if group is not None else 0,
                    "injected": count,
                    "first_day": group["issue_date"].min() if group is not None else None,
                    "last_day": group["issue_date"].max() if group is not None else None,
                }
            )
        columns = ["defect", "description", "tables", "detected", "injected", "first_day", "last_day"]
        return pd.DataFrame(rows, columns=columns)

    def totals(self) -> dict[str, Any]:
        """Plain numbers for the CLI summary and JSON: issues, classes, tables, rows quarantined, present."""
        return {
            "issues": self.issues,
            "classes": int(self.summary.loc[self.summary["issues"] > 0, "defect"].nunique())
            if len(self.summary)
            else 0,
            "tables": int(self.summary["table_name"].nunique()) if len(self.summary) else 0,
            "quarantined": self.quarantined,
            "marts": self.present,
        }


def ordered(names: Any) -> list[str]:
    """Class names in the contract's order, unknown ones after it alphabetically, each once."""
    unique = list(dict.fromkeys(str(n) for n in names))
    known = [n for n in CLASSES if n in unique]
    return known + sorted(n for n in unique if n not in CLASSES)


def empty(present: bool = False) -> Quality:
    return Quality(
        present=present,
        summary=pd.DataFrame({"defect": [], "table_name": [], "issue_date": pd.to_datetime([]), "issues": []}).astype(
            {"defect": object, "table_name": object, "issues": "int64"}
        ),
        rules=pd.DataFrame({c: [] for c in RULE_COLUMNS}).astype(
            {"defect": object, "table_name": object, "rule": object, "action": object, "issues": "int64"}
        ),
        quarantine=pd.DataFrame({"table_name": [], "reason": [], "rows": []}).astype(
            {"table_name": object, "reason": object, "rows": "int64"}
        ),
    )


def _query(warehouse: Warehouse, schema: str, mart: str, sql: str) -> pd.DataFrame:
    try:
        frame = warehouse.query_df(sql.format(t=warehouse.qualified(schema, mart)))
    except HospitalError as exc:
        detail = exc.message if isinstance(exc, WarehouseError) else str(exc)
        raise AnalyzeError(
            f"Reading the {schema}.{mart} data-quality model failed: {detail}",
            "If it comes from an older version, run `hospital transform` again.",
        ) from None
    except Exception as exc:  # any driver error: one line naming the model
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise AnalyzeError(
            f"Reading the {schema}.{mart} data-quality model failed: {first}",
            "If it comes from an older version, run `hospital transform` again.",
        ) from None
    frame.columns = [str(c).lower() for c in frame.columns]
    return frame


def _text(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = frame[column].astype("string").fillna("").astype(object)
    return frame


def _counts(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    frame[column] = pd.to_numeric(frame[column]).fillna(0).astype("int64")
    return frame


def read(warehouse: Warehouse, schema: str) -> Quality:
    """The data-quality marts, or ``empty()`` when the warehouse has none (one metadata call then).

    Raises:
        AnalyzeError: a data-quality model exists but could not be read.
    """
    if not warehouse.table_exists(schema, SUMMARY):
        return empty()
    summary = _query(
        warehouse,
        schema,
        SUMMARY,
        "SELECT defect, table_name, issue_date, CAST(SUM(issues) AS BIGINT) AS issues FROM {t} "
        "GROUP BY defect, table_name, issue_date ORDER BY issue_date, defect, table_name",
    )
    summary = _counts(_text(summary, "defect", "table_name"), "issues")
    summary["issue_date"] = pd.to_datetime(summary["issue_date"])
    rules = empty().rules
    if warehouse.table_exists(schema, RULES):
        rules = _query(warehouse, schema, RULES, "SELECT * FROM {t}")
        if "table_name" not in rules.columns:
            rules["table_name"] = ""
        order = {name: i for i, name in enumerate(ordered(rules["defect"]))}
        rules = rules.assign(
            _order=pd.to_numeric(rules["rule_order"]) if "rule_order" in rules.columns else rules["defect"].map(order)
        )
        rules = rules.sort_values(["_order", "defect", "table_name"], kind="stable").reset_index(drop=True)
        rules = _counts(_text(rules[list(RULE_COLUMNS)].copy(), "defect", "table_name", "rule", "action"), "issues")
    tables = list(dict.fromkeys([*QUARANTINE_TABLES, *summary["table_name"]]))
    parts = []
    for table in tables:
        model = f"quarantine_{table}"
        if not table.isidentifier() or not warehouse.table_exists(schema, model):
            continue
        held = _query(
            warehouse,
            schema,
            model,
            f"SELECT '{table}' AS table_name, reason, COUNT(*) AS held_rows FROM {{t}} GROUP BY reason",
        ).rename(columns={"held_rows": "rows"})
        parts.append(_counts(_text(held, "table_name", "reason"), "rows"))
    quarantine = empty().quarantine
    if parts:
        quarantine = pd.concat(parts, ignore_index=True)
        quarantine = quarantine.sort_values(["table_name", "rows", "reason"], ascending=[True, False, True])
        quarantine = quarantine.reset_index(drop=True)
    return Quality(present=True, summary=summary, rules=rules, quarantine=quarantine)


def injected_counts(manifest: Mapping[str, Any] | None) -> dict[str, int] | None:
    """The ledger's count per class from the manifest's ``defects`` block (generate, defects.md), or None."""
    block = manifest.get("defects") if isinstance(manifest, Mapping) else None
    counts = block.get("counts") if isinstance(block, Mapping) else None
    if not isinstance(counts, Mapping):
        return None
    return {str(k): int(v) for k, v in counts.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def profile(manifest: Mapping[str, Any] | None) -> str | None:
    """The defect profile the data was generated with (``none``, ``light``, ... or a file), or None."""
    block = manifest.get("defects") if isinstance(manifest, Mapping) else None
    name = block.get("profile") if isinstance(block, Mapping) else None
    return None if name is None else str(name)


def payload(quality: Quality, manifest: Mapping[str, Any] | None) -> dict[str, Any]:
    """The dashboard's data-quality sheet: classes and tables (display order), the summary rows as codes and
    day offsets, what quarantine holds, what each rule did, and the ledger's counts when the manifest has them."""
    summary = quality.summary
    defects = ordered(summary["defect"])
    tables = sorted(summary["table_name"].astype(str).unique(), key=lambda t: (t in FEED_TABLES, t))
    start: dt.date | None = summary["issue_date"].min().date() if len(summary) else None
    days = ((summary["issue_date"] - pd.Timestamp(start)).dt.days.astype("int64").tolist()) if start is not None else []
    return {
        "present": quality.present,
        "defects": defects,
        "descriptions": [CLASSES.get(d, d.replace("_", " ")) for d in defects],
        "tables": tables,
        "feed_tables": [t for t in tables if t in FEED_TABLES],
        "start": None if start is None else start.isoformat(),
        "rows": {
            "day": days,
            "defect": pd.Index(defects).get_indexer(summary["defect"]).tolist(),
            "table": pd.Index(tables).get_indexer(summary["table_name"]).tolist(),
            "issues": summary["issues"].astype("int64").tolist(),
        },
        "quarantine": [
            {"table": str(r.table_name), "reason": str(r.reason), "rows": int(r.rows)}
            for r in quality.quarantine.itertuples(index=False)
        ],
        "rules": [
            {
                "defect": str(r.defect),
                "table": str(r.table_name),
                "rule": str(r.rule),
                "action": str(r.action),
                "issues": int(r.issues),
            }
            for r in quality.rules.itertuples(index=False)
        ],
        "injected": injected_counts(manifest),
        "profile": profile(manifest),
    }
