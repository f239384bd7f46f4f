"""analyze's reading of the marts: missing or empty marts give one clear line naming `hospital transform`;
the result object prints well and keeps DataFrames and Figures out of JSON; progress is reported."""

from __future__ import annotations

import json

import pytest

from analysis_marts import MART_SQL, build_marts, drop_mart, empty_marts
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
    assert "`hospital transform`" in text
    assert "Traceback" not in text
    return text


def test_required_marts_are_contract_marts():
    assert set(REQUIRED_MARTS) <= set(MARTS)
    assert set(REQUIRED_MARTS) <= set(MART_SQL)  # the fixture builds every one of them


def test_no_warehouse_file_names_the_step(tmp_path):
    with pytest.raises(StepOrderError) as caught:
        analyze(_settings(tmp_path))
    text = _one_clear_line(caught.value)
    assert "hospital.duckdb" in text
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
def test_one_missing_mart_is_named(mart, tmp_path):
    build_marts(tmp_path / "hospital.duckdb", stays=60, patients=30)
    drop_mart(tmp_path / "hospital.duckdb", mart)
    with pytest.raises(StepOrderError) as caught:
        analyze(_settings(tmp_path))
    text = _one_clear_line(caught.value)
    assert f"({mart})" in text


def test_empty_marts_name_the_step(tmp_path):
    empty_marts(tmp_path / "hospital.duckdb")
    with pytest.raises(StepOrderError) as caught:
        analyze(_settings(tmp_path))
    text = _one_clear_line(caught.value)
    assert "hold no admissions" in text
    assert not (tmp_path / "report.html").exists()


def test_marts_from_another_version_fail_with_one_line(tmp_path):
    import duckdb

    build_marts(tmp_path / "hospital.duckdb", stays=60, patients=30)
    con = duckdb.connect(str(tmp_path / "hospital.duckdb"))
    con.execute("ALTER TABLE ANALYTICS.daily_census DROP COLUMN patients_in_hospital")
    con.close()
    with pytest.raises(AnalyzeError) as caught:
        analyze(_settings(tmp_path))
    text = str(caught.value)
    assert "\n" not in text and "ANALYTICS.daily_census" in text and "patients_in_hospital" in text
    assert "hospital transform" in caught.value.hint


def test_a_custom_analytics_schema_is_read(tmp_path):
    build_marts(tmp_path / "hospital.duckdb", stays=60, patients=30, schema="MARTS_V2")
    result = analyze(_settings(tmp_path, analytics_schema="MARTS_V2"))
    assert result.kpis["admissions"] > 0
    assert "schema MARTS_V2" in result.warehouse


class Recorder:
    def __init__(self):
        self.events = []

    def start(self, task, total=None):
        self.events.append(("start", task, total))

    def advance(self, task, amount=1):
        self.events.append(("advance", task, amount))

    def finish(self, task):
        self.events.append(("finish", task, None))


def test_result_prints_well_and_keeps_rich_objects_out_of_json(tmp_path):
    build_marts(tmp_path / "hospital.duckdb", stays=120, patients=60)
    progress = Recorder()
    result = analyze(_settings(tmp_path), progress=progress)

    assert isinstance(result, AnalysisResult)
    text = str(result)
    assert str(result.report) in text and str(tmp_path / "charts" / "daily_census.png") in text
    assert f"{result.kpis['admissions']:,}" in text
    assert "figures=" in repr(result) and "DataFrame" not in repr(result)

    data = json.loads(result.to_json())
    assert data["step"] == "analyze"
    assert data["report"] == str(tmp_path / "report.html")
    assert len(data["charts"]) == len(CHART_NAMES)
    assert "frames" not in data and "figures" not in data
    assert data["kpis"]["peak_census_date"] == result.kpis["peak_census_date"].isoformat()

    (start, task, total), *rest = progress.events
    assert start == "start" and task == "analyze"
    advanced = sum(amount for kind, _, amount in rest if kind == "advance")
    assert advanced == total == len(QUERIES) + 2 * len(CHART_NAMES) + 1
    assert rest[-1] == ("finish", "analyze", None)


def test_overrides_win_over_settings(tmp_path):
    build_marts(tmp_path / "elsewhere.duckdb", stays=60, patients=30)
    result = analyze(_settings(tmp_path / "out"), duckdb_path=tmp_path / "elsewhere.duckdb", chart_format="svg")
    assert result.report == tmp_path / "out" / "report.html"
    assert {p.suffix for p in result.charts} == {".svg"}


def test_unwritable_output_folder_is_one_line(tmp_path):
    build_marts(tmp_path / "hospital.duckdb", stays=60, patients=30)
    (tmp_path / "charts").write_text("a file where the charts folder should be")
    with pytest.raises(Exception) as caught:
        analyze(_settings(tmp_path))
    assert "charts" in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "report.html").exists()
