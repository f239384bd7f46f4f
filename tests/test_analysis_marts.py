"""analyze's reading of the marts: missing or empty marts give one clear line naming `hospital transform`;
the result object prints well and keeps DataFrames and Figures out of JSON; progress is reported."""

from __future__ import annotations

import json

import pytest

from helpers.marts import copy_marts
from hospital_analytics.analysis import CHART_NAMES, AnalysisResult, analyze
from hospital_analytics.analysis.marts import QUERIES, REQUIRED_MARTS
from hospital_analytics.config import Settings
from hospital_analytics.errors import AnalyzeError, StepOrderError
from hospital_analytics.layout import MARTS


def _settings(tmp_path, **extra) -> Settings:
    return Settings(output_dir=tmp_path, **extra)


def _one_clear_line(error: Exception) -> str:
    text = str(error)
    assert "\n" not in text and len(text) < 300
    assert "`ha.transform()`" in text  # str(): the library's words
    assert "`hospital transform`" in getattr(error, "message", "")  # what the CLI prints
    assert "Traceback" not in text
    return text


def test_required_marts_are_contract_marts():
    assert set(REQUIRED_MARTS) <= set(MARTS)


def test_no_warehouse_file_names_the_step(tmp_path):
    with pytest.raises(StepOrderError) as caught:
        analyze(_settings(tmp_path))
    text = str(caught.value)
    assert "\n" not in text and "hospital.duckdb" in text and "does not exist yet" in text
    assert "hospital load" in caught.value.hint
    assert not (tmp_path / "hospital.duckdb").exists()  # reading never creates a warehouse
    assert not (tmp_path / "report.html").exists()


def test_warehouse_without_marts_names_the_step(tmp_path):
    import duckdb

    duckdb.connect(str(tmp_path / "hospital.duckdb")).close()  # loaded nothing, transformed nothing
    with pytest.raises(StepOrderError) as caught:
        analyze(_settings(tmp_path))
    text = _one_clear_line(caught.value)
    assert "ANALYTICS marts are missing" in text and "kpis" in text


@pytest.mark.parametrize("mart", ["kpis", "daily_census", "fct_hospitalizations", "doctor_workload"])
def test_one_missing_mart_is_named(mart, marts_db, tmp_path):
    copy_marts(marts_db, tmp_path / "hospital.duckdb", drop=(mart,))
    with pytest.raises(StepOrderError) as caught:
        analyze(_settings(tmp_path))
    text = _one_clear_line(caught.value)
    assert f"({mart})" in text


def test_empty_marts_name_the_step(marts_db, tmp_path):
    copy_marts(marts_db, tmp_path / "hospital.duckdb", empty=True)
    with pytest.raises(StepOrderError) as caught:
        analyze(_settings(tmp_path))
    text = _one_clear_line(caught.value)
    assert "hold no admissions" in text
    assert not (tmp_path / "report.html").exists()


def test_marts_from_another_version_fail_with_one_line(marts_db, tmp_path):
    import duckdb

    copy_marts(marts_db, tmp_path / "hospital.duckdb")
    con = duckdb.connect(str(tmp_path / "hospital.duckdb"))
    con.execute("ALTER TABLE ANALYTICS.daily_census DROP COLUMN patients_in_hospital")
    con.close()
    with pytest.raises(AnalyzeError) as caught:
        analyze(_settings(tmp_path))
    text = str(caught.value)
    assert "\n" not in text and "ANALYTICS.daily_census" in text and "patients_in_hospital" in text
    assert "hospital transform" in caught.value.hint


def test_overrides_win_and_a_custom_analytics_schema_is_read(marts_db, tmp_path):
    elsewhere = copy_marts(marts_db, tmp_path / "elsewhere.duckdb", schema="MARTS_V2")
    result = analyze(
        _settings(tmp_path / "out"), duckdb_path=elsewhere, analytics_schema="MARTS_V2", chart_format="SVG"
    )
    assert result.kpis["admissions"] > 0
    assert "schema MARTS_V2" in result.warehouse and str(elsewhere) in result.warehouse
    assert result.report == tmp_path / "out" / "report.html"
    assert {p.suffix for p in result.charts} == {".svg"}


def test_result_prints_well_and_keeps_rich_objects_out_of_json(analyzed):
    result, progress, root = analyzed.result, analyzed.progress, analyzed.root

    assert isinstance(result, AnalysisResult)
    text = str(result)
    assert str(result.report) in text and str(root / "charts" / "daily_census.png") in text
    assert f"{result.kpis['admissions']:,}" in text
    assert repr(result).startswith("<AnalysisResult analyze: ") and "DataFrame" not in repr(result)
    assert len(repr(result)) < 300 and "\n" not in repr(result)

    data = json.loads(result.to_json())
    assert data["step"] == "analyze"
    assert data["report"] == str(root / "report.html")
    assert data["dashboard"] == str(root / "dashboard.html")
    assert len(data["charts"]) == 2 * len(CHART_NAMES)  # PNG and SVG
    assert "frames" not in data and "figures" not in data
    assert data["kpis"]["peak_census_date"] == result.kpis["peak_census_date"].isoformat()

    # a query each, a chart drawn and written each, the report and the dashboard
    assert progress.events[0] == ("update", "analyze", 0, len(QUERIES) + 2 * len(CHART_NAMES) + 2)
    assert progress.totals() == {"analyze": progress.advanced("analyze")}


def test_unwritable_output_folder_is_one_line(marts_db, tmp_path):
    copy_marts(marts_db, tmp_path / "hospital.duckdb")
    (tmp_path / "charts").write_text("a file where the charts folder should be")
    with pytest.raises(Exception) as caught:
        analyze(_settings(tmp_path))
    assert "charts" in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "report.html").exists()
