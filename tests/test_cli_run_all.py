"""`hospital run-all`: DuckDB with no configuration at all, --json, --from (reuse, bad step), and Snowflake
(a fakesnow server, the real connector and dbt-snowflake) end to end."""

from __future__ import annotations

import datetime as dt
import json
import os

import pyarrow.csv as pacsv
import pytest

import helpers.proof as ps
from hospital_analytics.config import Settings
from hospital_analytics.layout import RAW_TABLES, OutputLayout


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> ps.SharedRun:
    return ps.shared_run(tmp_path_factory)


@pytest.mark.slow  # run-all end to end
def test_no_configuration_runs_every_step_and_shows_kpis_and_paths(shared: ps.SharedRun) -> None:
    """The first command a user types: `hospital run-all` in an empty folder, no variables, no .env."""
    assert shared.exit_code == 0, shared.output
    out = shared.output
    for step in ("generate", "load", "transform", "analyze", "export"):
        assert step in out, out
    layout = OutputLayout(shared.out)
    admissions = _kpi(shared, "admissions")
    patients = _kpi(shared, "patients")
    assert f"{admissions:,}" in out and f"{patients:,}" in out, out
    assert "admissions" in out and "patients" in out
    for path in (layout.report, layout.dashboard, layout.export_dir / "hospital_dashboard.twbx", layout.export_dir):
        assert path.exists(), path
    assert "report.html" in out and "dashboard.html" in out and "hospital_dashboard.twbx" in out
    assert "hospital_output/export" in out
    assert "Traceback" not in out and "Error" not in out
    # Nothing outside the default output folder.
    assert sorted(p.name for p in shared.root.iterdir()) == ["hospital_output"]


def _kpi(shared: ps.SharedRun, name: str):
    from hospital_analytics.warehouse import open_warehouse

    with open_warehouse(shared.settings, read_only=True) as wh:
        return wh.query_df(f"SELECT {name} FROM {wh.qualified('ANALYTICS', 'kpis')}").iloc[0, 0].item()


@pytest.mark.slow  # run-all end to end
def test_from_transform_json_reuses_earlier_outputs(shared: ps.SharedRun) -> None:
    layout = OutputLayout(shared.out)
    raw_files = [layout.csv(t) for t in RAW_TABLES] + [layout.manifest]
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in raw_files}
    result = ps.invoke("run-all", "--from", "transform", "--json", "--out", str(shared.out))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["started_from"] == "transform"
    assert [t["step"] for t in data["timings"]] == ["transform", "analyze", "export"]
    assert data["kpis"]["admissions"] == _kpi(shared, "admissions")
    assert set(data["kpis"]) >= {"admissions", "patients", "readmission_rate_30d", "peak_census", "bed_days"}
    for key in ("report", "interactive_dashboard", "dashboard", "export_dir"):
        assert data[key] and os.path.exists(data[key]), (key, data[key])
    # generate and load did not run: their files and tables are the ones the first run left.
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in raw_files} == before
    assert ps.raw_content(shared.settings) == shared.raw
    assert ps.marts_content(shared.settings) == shared.marts


@pytest.mark.parametrize("step", ["nowhere", "exprt", "generate;rm"])
def test_from_an_unknown_step_is_a_usage_error(step: str, tmp_path) -> None:
    result = ps.invoke("run-all", "--from", step, "--out", str(tmp_path / "out"))
    line = ps.assert_one_error(result, 2, f"Unknown step {step!r} for --from")
    assert "generate, load, transform, analyze, export" in result.output, line
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # run-all end to end
@pytest.mark.snowflake
def test_run_all_on_snowflake_end_to_end(fakesnow_server: dict, tmp_path, monkeypatch) -> None:
    """--warehouse snowflake plus the SNOWFLAKE_* variables: every step on fakesnow through the real
    connector and dbt-snowflake; the KPIs agree with the generated files; no password anywhere."""
    env = {
        "SNOWFLAKE_ACCOUNT": fakesnow_server["account"],
        "SNOWFLAKE_USER": fakesnow_server["user"],
        "SNOWFLAKE_PASSWORD": ps.SECRET,  # fakesnow takes any password
        "SNOWFLAKE_HOST": fakesnow_server["host"],
        "SNOWFLAKE_PORT": str(fakesnow_server["port"]),
        "SNOWFLAKE_PROTOCOL": fakesnow_server["protocol"],
        "SNOWFLAKE_DATABASE": "T_RUN_ALL",
        "HOSPITAL_SNOWFLAKE_LOGIN_TIMEOUT": "5",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "out"
    result = ps.invoke(
        "run-all",
        "--warehouse",
        "snowflake",
        "--out",
        str(out),
        "--patients",
        "150",
        "--hospitalizations",
        "300",
        "--seed",
        "11",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert ps.SECRET not in result.output
    data = json.loads(result.stdout)
    assert data["warehouse"] == "snowflake"
    every = pacsv.read_csv(OutputLayout(out).csv("hospitalizations")).to_pandas()
    start = dt.date.fromisoformat(OutputLayout(out).read_manifest()["start"])
    stays = every[every["admission_date"] >= start]  # those in house on the first day count in the census only
    kpis = data["kpis"]
    assert kpis["admissions"] == len(stays) and 200 <= len(stays) <= 400  # --hospitalizations: a rate, 300 / 24 months
    assert kpis["patients"] == stays["patient_id"].nunique()
    assert kpis["bed_days"] == int(stays["length_of_stay_days"].sum())  # open stays: no length yet
    assert os.path.exists(data["report"]) and os.path.exists(data["dashboard"])
    settings = Settings(output_dir=out)  # reads the same variables
    assert settings.warehouse == "duckdb"  # the flag, not the environment, chose Snowflake
    marts = ps.marts_content(Settings(output_dir=out, warehouse="snowflake"))
    assert len(marts["fct_hospitalizations"]) == len(stays) and len(marts["kpis"]) == 1
    for path in out.rglob("*"):
        if path.is_file():
            assert ps.SECRET.encode() not in path.read_bytes(), path
