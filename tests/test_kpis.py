"""hospital_analytics.kpis: the headline KPIs read from models/semantic/kpis.yml, their Tableau formulas, how
cards and tiles format them, and one-line errors for a definition no consumer can compute."""

from __future__ import annotations

from pathlib import Path

import pytest

from hospital_analytics import kpis
from hospital_analytics.errors import KpiDefinitionError


def test_the_shipped_definition_gives_the_headline_kpis_in_order():
    headline = kpis.headline()
    assert [k.name for k in headline] == [
        "admissions",
        "patients",
        "average_length_of_stay_days",
        "median_length_of_stay_days",
        "readmission_rate_30d",
        "in_hospital_mortality",
        "average_census",
        "bed_days",
        "total_charges",
    ]
    by_name = {k.name: k for k in kpis.load()}
    assert not by_name["deaths"].headline and not by_name["readmissions_30d"].headline  # parts of ratios
    rate = by_name["readmission_rate_30d"]
    assert rate.numerator is not None and rate.numerator.expr == "readmitted_within_30d_followed_up"
    assert rate.denominator is not None and rate.denominator.expr == "follow_up_complete"  # complete follow-up only
    assert rate.tableau_formula() == (
        "SUM(IIF([readmitted_within_30d_followed_up], 1, 0)) / SUM(IIF([follow_up_complete], 1, 0))"
    )
    assert by_name["patients"].tableau_formula() == "COUNTD([patient_id])"
    census = by_name["average_census"]
    assert census.measure is not None and census.measure.model == "daily_census" and not census.tableau


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("admissions", 1234.0, "1,234"),
        ("admissions", 12_345_678.0, "12.35M"),
        ("median_length_of_stay_days", 3.0, "3"),
        ("median_length_of_stay_days", 3.5, "3.5"),
        ("average_length_of_stay_days", 4.56, "4.6"),
        ("readmission_rate_30d", 0.1412, "14.1%"),
        ("in_hospital_mortality", 0.02346, "2.35%"),
        ("total_charges", 44_530_000.0, "$44.53M"),
        ("total_charges", None, "–"),
    ],
)
def test_values_are_formatted_as_cards_and_tiles_show_them(name, value, shown):
    kpi = {k.name: k for k in kpis.load()}[name]
    assert kpis.format_value(kpi, value) == shown


DEFINITION = """
semantic_models:
  - name: stays
    model: ref('fct_hospitalizations')
    measures:
      - {{name: admissions, agg: count, expr: hospitalization_id}}
      - {{name: bed_days, agg: {agg}, expr: length_of_stay_days}}
metrics:
  - {{name: admissions, type: simple, type_params: {{measure: admissions}}, meta: {{format: {format}}}}}
  - {{name: average_stay, type: {type}, type_params: {{numerator: bed_days, denominator: admissions}}}}
  - {{name: bed_days, type: simple, type_params: {{measure: {measure}}}, meta: {{headline: false}}}}
"""
GOOD = {"agg": "sum", "format": "integer", "type": "ratio", "measure": "bed_days"}


def _definition(tmp_path: Path, **changes: str) -> Path:
    path = tmp_path / "kpis.yml"
    path.write_text(DEFINITION.format(**{**GOOD, **changes}), encoding="utf-8")
    return path


def test_a_small_definition_reads_and_ratios_divide_measures(tmp_path):
    admissions, average = kpis.headline(_definition(tmp_path))
    assert admissions.format == "integer" and admissions.tableau_format() == "n#,##0"
    assert average.tableau_formula() == "SUM([length_of_stay_days]) / COUNT([hospitalization_id])"
    assert average.to_dict()["numerator"] == {
        "name": "bed_days",
        "agg": "sum",
        "expr": "length_of_stay_days",
        "model": "fct_hospitalizations",
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"agg": "percentile"}, "aggregates with 'percentile', not supported"),
        ({"format": "roman"}, "unknown format 'roman'"),
        ({"type": "cumulative"}, "of type 'cumulative': use simple or ratio"),
        ({"measure": "bed_nights"}, "uses the measure 'bed_nights', which no semantic model has"),
    ],
)
def test_a_definition_no_consumer_can_compute_is_one_line(tmp_path, changes, message):
    with pytest.raises(KpiDefinitionError) as caught:
        kpis.load(_definition(tmp_path, **changes))
    assert message in caught.value.message and "\n" not in caught.value.message
    assert "kpis.yml" in caught.value.hint


def test_a_missing_or_broken_definition_is_one_line(tmp_path):
    with pytest.raises(KpiDefinitionError, match="cannot be read: No such file"):
        kpis.load(tmp_path / "absent.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("metrics: [\n  - name: x\n", encoding="utf-8")
    with pytest.raises(KpiDefinitionError) as caught:
        kpis.load(broken)
    assert "not valid YAML" in caught.value.message and "\n" not in caught.value.message
    empty = tmp_path / "empty.yml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(KpiDefinitionError, match="holds no semantic models or metrics"):
        kpis.load(empty)
