"""`hospital daily --days N` and `hospital run-all --days N` through the CLI: exit codes, each day's rows and
seconds, one-line errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers.proof import assert_one_error
from hospital_analytics.cli import app
from hospital_analytics.simulation import generate

runner = CliRunner()


def _generated(out: Path) -> None:
    generate(output_dir=out, hospitalizations=3000, start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31), seed=3)


@pytest.mark.slow
def test_daily_runs_advance_load_transform_once_per_day_and_reports_each(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _generated(out)
    result = runner.invoke(app, ["daily", "--days", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Daily pipeline on duckdb" in result.output
    assert "2024-02-01" in result.output and "2024-02-02" in result.output
    data = runner.invoke(app, ["daily", "--days", "1", "--out", str(out), "--json"])
    assert data.exit_code == 0, data.output
    record = json.loads(data.stdout)["days"][0]
    assert record["day"] == "2024-02-03"
    assert record["partitions"] == 2  # one per feed table for the new day
    assert record["feed_rows"]["encounter_events"] > 0
    assert record["transform_seconds"] > 0 and record["load_seconds"] > 0
    assert record["incremental_rows"]["fct_encounter_events"] > 0


def test_daily_refuses_bad_day_counts_and_a_folder_without_a_simulation(tmp_path: Path) -> None:
    assert_one_error(runner.invoke(app, ["daily", "--days", "0"]), 2, "Invalid --days (got 0)")
    assert_one_error(runner.invoke(app, ["daily", "--days", "x"]), 2, "not a whole number")
    empty = runner.invoke(app, ["daily", "--days", "1", "--out", str(tmp_path / "nothing")])
    assert empty.exit_code in (1, 2) and "Traceback" not in empty.output
    assert len([line for line in empty.output.splitlines() if line.startswith("Error:")]) == 1


def test_run_all_days_refuses_generate_settings_and_from(tmp_path: Path) -> None:
    assert_one_error(
        runner.invoke(app, ["run-all", "--days", "2", "--seed", "4", "--out", str(tmp_path)]),
        2,
        "--days continues the simulation already generated: --seed",
    )
    assert_one_error(
        runner.invoke(app, ["run-all", "--days", "2", "--from", "load", "--out", str(tmp_path)]),
        2,
        "--from cannot apply",
    )
    assert_one_error(runner.invoke(app, ["run-all", "--days", "-1", "--out", str(tmp_path)]), 2, "at least 1 day")


@pytest.mark.slow
def test_run_all_days_advances_then_runs_every_later_step(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _generated(out)
    result = runner.invoke(app, ["run-all", "--days", "3", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [t["step"] for t in data["timings"]] == ["advance", "load", "transform", "analyze", "export"]
    manifest = json.loads((out / "data" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["end"] == "2024-02-03"
    assert (out / "report.html").is_file()
