"""`hospital export` through the CLI: exit codes, the summary, --json, and one-line errors with a hint."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from helpers.marts import copy_marts
from hospital_analytics.cli import app
from hospital_analytics.exports import writers
from hospital_analytics.layout import MARTS

runner = CliRunner()


@pytest.fixture
def out(marts_db, tmp_path):
    """An output folder whose DuckDB warehouse holds the marts (the default <out>/hospital.duckdb)."""
    copy_marts(marts_db, tmp_path / "out" / "hospital.duckdb")
    return tmp_path / "out"


def _error_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.strip()]


def test_export_one_format(out):
    result = runner.invoke(app, ["export", "--out", str(out), "--format", "parquet"])
    assert result.exit_code == 0, result.output
    assert "export folder" in result.output and "parquet" in result.output
    assert "hospital_dashboard.twbx" in result.output
    assert sorted(p.name for p in (out / "export" / "parquet").iterdir()) == sorted(f"{t}.parquet" for t in MARTS)


def test_export_json(out):
    result = runner.invoke(app, ["export", "-o", str(out), "--format", "CSV", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["step"] == "export" and data["formats"] == ["csv"]
    files = {(f["table"], f["format"]): f for f in data["files"]}
    assert files[("kpis", "csv")]["rows"] == 1
    assert files[("kpis", "csv")]["bytes"] > 0
    assert ("hospital_dashboard", "twbx") in files


def test_env_variable_picks_the_format(out, monkeypatch):
    monkeypatch.setenv("HOSPITAL_EXPORT_FORMAT", "hyper")
    result = runner.invoke(app, ["export", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["formats"] == ["hyper"]


def test_unknown_format_exits_2(out):
    result = runner.invoke(app, ["export", "--out", str(out), "--format", "xlsx"])
    assert result.exit_code == 2
    assert "Invalid --format / HOSPITAL_EXPORT_FORMAT" in result.output
    assert "Traceback" not in result.output


def test_no_warehouse_yet_exits_1_with_a_hint(tmp_path):
    result = runner.invoke(app, ["export", "--out", str(tmp_path / "empty")])
    assert result.exit_code == 1
    lines = _error_lines(result)
    assert lines[0].startswith("Error: The DuckDB warehouse") and "does not exist yet" in lines[0]
    assert "hospital load" in result.output
    assert "Traceback" not in result.output


def test_hyper_without_pantab_exits_2_with_the_install_hint(out, monkeypatch):
    def missing():
        raise ImportError("No module named 'pantab'")

    monkeypatch.setattr(writers, "import_pantab", missing)
    result = runner.invoke(app, ["export", "--out", str(out), "--format", "hyper"])
    assert result.exit_code == 2
    assert "Hyper export needs pantab" in result.output
    assert "pip install 'hospital-analytics[tableau]'" in result.output


def test_all_without_pantab_says_hyper_was_skipped(out, monkeypatch):
    def missing():
        raise ImportError("No module named 'pantab'")

    monkeypatch.setattr(writers, "import_pantab", missing)
    result = runner.invoke(app, ["export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Hyper skipped" in result.output
    assert not (out / "export" / "hyper").exists()


def test_help_has_a_sentence_and_an_example():
    result = runner.invoke(app, ["export", "--help"])
    assert result.exit_code == 0
    assert "Example: hospital export" in result.output
    assert "HOSPITAL_EXPORT_FORMAT" in result.output
