"""`hospital analyze`: writes charts and report.html, prints their paths; the flag over the environment; one-line
errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from helpers.marts import copy_marts
from hospital_analytics.analysis import CHART_NAMES
from hospital_analytics.cli import app

runner = CliRunner()


@pytest.fixture
def out(marts_db, tmp_path):
    copy_marts(marts_db, tmp_path / "out" / "hospital.duckdb")
    return tmp_path / "out"


def _flat(text: str) -> str:
    return "".join(text.split())  # rich may wrap long paths in a narrow test terminal


def test_analyze_writes_and_prints_the_paths(out, monkeypatch):
    monkeypatch.setenv("HOSPITAL_CHART_FORMAT", "svg")  # the flag below wins over it
    result = runner.invoke(app, ["analyze", "--out", str(out), "-w", "DuckDB", "--chart-format", "BOTH"])  # any case
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file()
    for name in CHART_NAMES:
        for fmt in ("png", "svg"):
            assert (out / "charts" / f"{name}.{fmt}").is_file()
            assert _flat(str(out / "charts" / f"{name}.{fmt}")) in _flat(result.stdout)
    assert _flat(str(out / "report.html")) in _flat(result.stdout)
    assert "admissions" in result.stdout and "peak census" in result.stdout


def test_bad_chart_format_is_a_usage_error(out):
    result = runner.invoke(app, ["analyze", "--out", str(out), "--chart-format", "gif"])
    assert result.exit_code == 2
    assert "--chart-format" in result.stderr and "HOSPITAL_CHART_FORMAT" in result.stderr
    assert "Traceback" not in result.output


def test_missing_warehouse_names_the_step(tmp_path):
    result = runner.invoke(app, ["analyze", "--out", str(tmp_path / "nothing-here")])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "The DuckDB warehouse" in errors[0] and "does not exist yet" in errors[0]
    assert "`hospital load`" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "nothing-here").exists()


def test_empty_marts_name_the_step(marts_db, tmp_path):
    copy_marts(marts_db, tmp_path / "hospital.duckdb", empty=True)
    result = runner.invoke(app, ["analyze", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "hold no admissions" in result.stderr and "hospital transform" in result.stderr
    assert "Hint:" in result.stderr


def test_help_has_a_sentence_and_an_example():
    result = runner.invoke(app, ["analyze", "--help"])
    assert result.exit_code == 0
    for flag in ("--out", "--warehouse", "--chart-format", "--json"):
        assert flag in result.output
    assert "Example: hospital analyze" in result.output
    assert "HOSPITAL_CHART_FORMAT" in result.output  # not eaten as rich markup
