"""The headline KPIs, read from their single definition: the dbt semantic models and metrics in
``dbt_project/models/semantic/kpis.yml`` (validated by ``dbt parse``).

The kpis mart's columns and the dashboard cube's measures are generated from it by dbt macros
(``macros/kpis.sql``); from this module, the report's KPI cards, the dashboard's tiles and the Tableau
workbook's calculated fields. A metric is ``simple`` (one measure) or ``ratio`` (a metric over a metric); a
measure aggregates one column (``count``, ``count_distinct``, ``sum``, ``sum_boolean``, ``average``, ``median``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hospital_analytics.errors import KpiDefinitionError

DEFINITION = Path("models") / "semantic" / "kpis.yml"

# The project's one definition of the two words every page uses, as the pages label them. The SQL is in one
# place each: "patients" are the rows of int_patient_ages (distinct patients with at least one stay admitted
# in the window; the patients metric counts them), an "age group" is taken at admission (macro
# age_at_admission): a stay's at that admission, a patient's at their first admission in the window.
PATIENTS = "patients admitted in the window"
AGE_GROUP = "age at admission"
DEFINITIONS = (
    f"Patients: {PATIENTS} (at least one stay admitted in it). Age group: {AGE_GROUP}; a patient counted by "
    "age group is counted once, at their first admission in the window."
)
ADDITIVE = ("count", "sum", "sum_boolean")  # a sum over any rows stays exact
FORMATS = ("integer", "number", "decimal1", "decimal2", "percent1", "percent2", "money")

# Tableau's aggregation for each measure aggregation (of a field [expr]).
_TABLEAU = {
    "count": "COUNT([{}])",
    "count_distinct": "COUNTD([{}])",
    "sum": "SUM([{}])",
    "sum_boolean": "SUM(IIF([{}], 1, 0))",
    "average": "AVG([{}])",
    "median": "MEDIAN([{}])",
}
_TABLEAU_FORMAT = {
    "integer": "n#,##0",
    "number": "n#,##0.#",
    "decimal1": "n#,##0.0",
    "decimal2": "n#,##0.00",
    "percent1": "p0.0%",
    "percent2": "p0.00%",
    "money": 'c"$"#,##0',
}


@dataclass(frozen=True)
class Measure:
    name: str
    agg: str
    expr: str
    model: str  # the dbt model the semantic model is built on, e.g. fct_hospitalizations

    @property
    def additive(self) -> bool:
        return self.agg in ADDITIVE


@dataclass(frozen=True)
class Kpi:
    """A metric: ``measure`` for a simple one, ``numerator``/``denominator`` (measures) for a ratio."""

    name: str
    label: str
    description: str
    format: str
    unit: str
    headline: bool
    tableau: bool
    measure: Measure | None = None
    numerator: Measure | None = None
    denominator: Measure | None = None

    @property
    def measures(self) -> tuple[Measure, ...]:
        return tuple(m for m in (self.measure, self.numerator, self.denominator) if m is not None)

    def tableau_formula(self) -> str:
        """The calculated field's formula in Tableau's language, over one row per stay."""
        if self.measure is not None:
            return _tableau(self.measure)
        assert self.numerator is not None and self.denominator is not None
        return f"{_tableau(self.numerator)} / {_tableau(self.denominator)}"

    def tableau_format(self) -> str:
        return _TABLEAU_FORMAT[self.format]

    def to_dict(self) -> dict[str, Any]:
        """What the dashboard page needs: how to compute it from the cube's measures, and how to show it."""

        def measure(m: Measure | None) -> dict[str, str] | None:
            return None if m is None else {"name": m.name, "agg": m.agg, "expr": m.expr, "model": m.model}

        return {
            "name": self.name,
            "label": self.label,
            "description": self.description,
            "format": self.format,
            "unit": self.unit,
            "measure": measure(self.measure),
            "numerator": measure(self.numerator),
            "denominator": measure(self.denominator),
        }


def _tableau(measure: Measure) -> str:
    return _TABLEAU[measure.agg].format(measure.expr)


def load(path: Path | None = None) -> tuple[Kpi, ...]:
    """Every metric of the definition, in its order (headline ones and the parts of ratios). The default
    definition is the running step's dbt project's (``project.current_dbt_project``); an edited file is
    read again.

    Raises:
        KpiDefinitionError: the file is missing, or a metric or measure is of a kind no consumer can compute.
    """
    from hospital_analytics.project import current_dbt_project

    path = Path(path) if path is not None else current_dbt_project() / DEFINITION
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = -1
    return _load(path, stamp)


@functools.lru_cache(maxsize=8)
def _load(path: Path, _stamp: int) -> tuple[Kpi, ...]:
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KpiDefinitionError(f"The KPI definition {path} cannot be read: {exc.strerror or exc}.") from None
    except yaml.YAMLError as exc:
        first = (str(exc).strip().splitlines() or ["invalid"])[0]
        raise KpiDefinitionError(f"The KPI definition {path} is not valid YAML: {first}.") from None
    if not isinstance(spec, dict):
        raise KpiDefinitionError(f"The KPI definition {path} holds no semantic models or metrics.")
    measures: dict[str, Measure] = {}
    for semantic_model in spec.get("semantic_models", []):
        model = str(semantic_model["model"]).removeprefix("ref('").removesuffix("')")
        for m in semantic_model.get("measures", []):
            if m["agg"] not in _TABLEAU:
                raise KpiDefinitionError(f"Measure {m['name']} in {path} aggregates with {m['agg']!r}, not supported.")
            measures[m["name"]] = Measure(m["name"], m["agg"], str(m.get("expr") or m["name"]), model)
    raw = {metric["name"]: metric for metric in spec.get("metrics", [])}

    def measure(name: str, metric: str) -> Measure:
        if name not in measures:
            raise KpiDefinitionError(
                f"Metric {metric} in {path} uses the measure {name!r}, which no semantic model has."
            )
        return measures[name]

    def simple_measure(name: str) -> Measure:
        metric = raw.get(name)
        if metric is None or metric["type"] != "simple":
            raise KpiDefinitionError(f"Ratio metric parts must be simple metrics; {name} in {path} is not.")
        return measure(metric["type_params"]["measure"], name)

    kpis = []
    for name, metric in raw.items():
        meta = metric.get("meta") or {}
        if meta.get("format", "number") not in FORMATS:
            raise KpiDefinitionError(f"Metric {name} in {path} has an unknown format {meta.get('format')!r}.")
        fields: dict[str, Any] = {
            "name": name,
            "label": metric.get("label", name),
            "description": " ".join(str(metric.get("description", "")).split()),
            "format": meta.get("format", "number"),
            "unit": meta.get("unit", ""),
            "headline": bool(meta.get("headline", True)),
        }
        params = metric["type_params"]
        if metric["type"] == "simple":
            fields["measure"] = measure(params["measure"], name)
        elif metric["type"] == "ratio":
            fields["numerator"] = simple_measure(params["numerator"])
            fields["denominator"] = simple_measure(params["denominator"])
        else:
            raise KpiDefinitionError(f"Metric {name} in {path} is of type {metric['type']!r}: use simple or ratio.")
        one_row_per_stay = all(m.model == "fct_hospitalizations" for m in _parts(fields))
        fields["tableau"] = bool(meta.get("tableau", True)) and one_row_per_stay
        kpis.append(Kpi(**fields))
    return tuple(kpis)


def _parts(fields: dict[str, Any]) -> list[Measure]:
    return [fields[k] for k in ("measure", "numerator", "denominator") if fields.get(k) is not None]


def headline(path: Path | None = None) -> tuple[Kpi, ...]:
    """The KPIs people see (tiles, cards), in the definition's order."""
    return tuple(k for k in load(path) if k.headline)


def format_value(kpi: Kpi, value: float | None) -> str:
    """The value as a card or tile shows it (without the unit): 1,234 · 12.35M · 4.6 · 14.1% · $44.53M · –.
    dashboard.js's FORMATS write the same text."""
    if value is None:
        return "–"
    fmt = kpi.format
    if fmt == "integer":  # ten million and more: compact, so that a tile still holds it
        return f"{value / 1e6:,.2f}M" if abs(value) >= 1e7 else f"{round(value):,}"
    if fmt == "number":
        return f"{value:,.1f}".removesuffix(".0")
    if fmt in ("decimal1", "decimal2"):
        return f"{value:,.{fmt[-1]}f}"
    if fmt in ("percent1", "percent2"):
        return f"{value:.{fmt[-1]}%}"
    return money(value)


def money(value: float) -> str:
    """$ with thousands separators below a million, else compact: $5.94M, $1.23B."""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if abs(value) >= size:
            return f"${value / size:,.2f}{suffix}"
    return f"${value:,.0f}"
