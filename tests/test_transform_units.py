"""transform's pieces that need no warehouse: the warehouses' profiles.yml variables, the scoped environment,
progress from dbt events, recognising a missing RAW table in dbt's errors, argument checks, results."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

import helpers.transform as ts
from helpers import Recorder
from hospital_analytics.errors import ConfigError
from hospital_analytics.transformation import NodeOutcome, TransformResult, _selection, transform
from hospital_analytics.transformation.events import DbtProgress
from hospital_analytics.transformation.runner import environment, missing_raw_table
from hospital_analytics.warehouse import make_warehouse

PROFILES = Path(__file__).resolve().parents[1] / "dbt_project" / "profiles.yml"


def profile_env(settings) -> dict[str, str]:
    return make_warehouse(settings).profile_env()


def _profile_variables(target: str) -> set[str]:
    """The variables profiles.yml reads for ``target`` (and to choose the target)."""
    import re

    import yaml

    profile = yaml.safe_load(PROFILES.read_text())["hospital_analytics"]
    return set(re.findall(r"env_var\('([A-Z_]+)'", f"{profile['target']} {profile['outputs'][target]}"))


def _event(name: str, **data) -> SimpleNamespace:
    return SimpleNamespace(info=SimpleNamespace(name=name), data=SimpleNamespace(**data))


def test_profile_env_fills_every_profile_variable_from_settings(tmp_path: Path) -> None:
    s = ts.clean_settings(
        output_dir=tmp_path / "out",
        warehouse="snowflake",
        snowflake_account="org-acct",
        snowflake_user="ANA",
        snowflake_password="s3cret-pw",
        snowflake_role="ANALYST",
        snowflake_port=8080,
        snowflake_protocol="http",
        snowflake_host="localhost",
        analytics_db="HOSPITAL_DB",
        dbt_threads=2,
        raw_schema="LANDING",
    )
    env = profile_env(s)
    assert env["HOSPITAL_WAREHOUSE"] == "snowflake"
    assert env["SNOWFLAKE_PASSWORD"] == "s3cret-pw"  # for dbt's environment only
    assert env["SNOWFLAKE_PORT"] == "8080" and env["SNOWFLAKE_PROTOCOL"] == "http"
    assert env["SNOWFLAKE_DATABASE"] == "HOSPITAL_DB"
    assert env["HOSPITAL_RAW_SCHEMA"] == "LANDING" and env["HOSPITAL_DBT_THREADS"] == "2"
    assert env["SNOWFLAKE_WAREHOUSE"] is None and env["SNOWFLAKE_AUTHENTICATOR"] is None  # unset: not in the env
    assert _profile_variables("snowflake") <= set(env)  # every variable its profile reads is provided
    duckdb_env = profile_env(ts.clean_settings(output_dir=tmp_path / "out"))
    assert duckdb_env["HOSPITAL_WAREHOUSE"] == "duckdb" and Path(duckdb_env["HOSPITAL_DUCKDB_PATH"]).is_absolute()
    assert _profile_variables("duckdb") <= set(duckdb_env)
    assert not any(name.startswith("SNOWFLAKE_") for name in duckdb_env)


def test_profile_env_reads_a_named_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import snowflake.connector.config_manager as config_manager

    entry = {"account": "org-named", "user": "NAMED", "password": "pw-from-toml", "warehouse": "WH", "database": "DBX"}
    monkeypatch.setattr(config_manager, "CONFIG_MANAGER", {"connections": {"dev": entry}})
    s = ts.clean_settings(
        output_dir=tmp_path, warehouse="snowflake", snowflake_connection_name="dev", snowflake_role="R"
    )
    env = profile_env(s)
    assert env["SNOWFLAKE_ACCOUNT"] == "org-named" and env["SNOWFLAKE_PASSWORD"] == "pw-from-toml"
    assert env["SNOWFLAKE_WAREHOUSE"] == "WH" and env["SNOWFLAKE_DATABASE"] == "DBX"
    assert env["SNOWFLAKE_ROLE"] == "R"  # settings win over the file
    bad = ts.clean_settings(output_dir=tmp_path, warehouse="snowflake", snowflake_connection_name="nope")
    with pytest.raises(ConfigError, match="SNOWFLAKE_CONNECTION_NAME='nope' is not in"):
        profile_env(bad)


def test_environment_is_restored_after_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSPITAL_WAREHOUSE", "duckdb")
    monkeypatch.delenv("SNOWFLAKE_PASSWORD", raising=False)
    with environment({"HOSPITAL_WAREHOUSE": "snowflake", "SNOWFLAKE_PASSWORD": "x"}):
        assert os.environ["HOSPITAL_WAREHOUSE"] == "snowflake" and os.environ["SNOWFLAKE_PASSWORD"] == "x"
    assert os.environ["HOSPITAL_WAREHOUSE"] == "duckdb"
    assert "SNOWFLAKE_PASSWORD" not in os.environ
    with pytest.raises(RuntimeError):
        with environment({"SNOWFLAKE_PASSWORD": "y"}):
            raise RuntimeError("dbt failed")
    assert "SNOWFLAKE_PASSWORD" not in os.environ


def test_progress_total_includes_unit_tests_dbt_adds_after_concurrency_line() -> None:
    progress = Recorder()
    events = DbtProgress(progress, "dbt build")
    events(_event("ConcurrencyLine", node_count=5, num_threads=4, target_name="duckdb"))
    events(_event("LogStartLine", total=7, index=1))  # 5 nodes + 2 unit tests
    for _ in range(8):  # one more than the total never overflows the bar
        events(_event("NodeFinished"))
    events(_event("LogStartLine", total=99, index=2))  # later start lines do not restart the bar
    events.close()
    assert progress.events[0] == ("update", "dbt build", 0, 7)
    assert progress.events[1:] == [("update", "dbt build", 1, None)] * 7


def test_progress_without_nodes_still_starts_and_finishes() -> None:
    progress = Recorder()
    events = DbtProgress(progress, "dbt run")
    events(_event("ConcurrencyLine", node_count=0))
    events(_event("SomethingElse"))
    events(SimpleNamespace())  # a malformed event never breaks the run
    events.close()
    assert progress.events == [("update", "dbt run", 0, 0)]


@pytest.mark.parametrize(
    ("message", "table"),
    [
        ('Catalog Error: Table with name patients does not exist!\nDid you mean "RAW.doctors"?', "patients"),
        (
            "002003 (42S02): SQL compilation error:\nObject 'HOSPITAL_ANALYTICS.RAW.HOSPITALIZATIONS' does not "
            "exist or not authorized.",
            "hospitalizations",
        ),
        ("Object 'DB.RAW.\"ADMISSIONS_BY_MONTH\"' does not exist or not authorized.", "admissions_by_month"),
        ("Catalog Error: Table with name kpis does not exist!", None),  # a mart, not a RAW table
        ("Binder Error: column x not found", None),
    ],
)
def test_missing_raw_table_is_recognised_in_dbt_errors(message: str, table: str | None) -> None:
    assert missing_raw_table(message) == table


def test_selection_accepts_strings_and_lists() -> None:
    assert _selection(None) == []
    assert _selection("kpis+  stg_patients") == ["kpis+", "stg_patients"]
    assert _selection(["kpis", "tag:x y"]) == ["kpis", "tag:x", "y"]


def test_bad_arguments_are_config_errors_before_dbt_runs(tmp_path: Path) -> None:
    s = ts.clean_settings(output_dir=tmp_path / "out")
    with pytest.raises(ConfigError, match="Unknown dbt command 'seed'"):
        transform(s, command="seed")
    with pytest.raises(ConfigError, match="`full_refresh` does not apply to dbt test"):
        transform(s, command="test", full_refresh=True)
    assert not (tmp_path / "out").exists()


def test_result_prints_and_serialises() -> None:
    result = TransformResult(
        step="transform",
        seconds=1.5,
        warehouse="duckdb",
        database="hospital",
        schema="ANALYTICS",
        nodes=[
            NodeOutcome("kpis", "model", "success", 1, 0.2, materialized="table"),
            NodeOutcome("stg_patients", "model", "success", None, 0.1, materialized="view"),
            NodeOutcome("unique_kpis_x", "test", "fail", 3, 0.1, message="Got 3 results"),
            NodeOutcome("test_ages", "unit_test", "pass", 0, 0.1),
        ],
    )
    text = str(result)
    assert "2 of 2 built (1 table, 1 view)" in text
    assert "1 of 2 passed (1 data, 1 unit)" in text
    assert "unique_kpis_x" in text
    data = json.loads(result.to_json())
    assert data["success"] is False and data["nodes"][0]["rows"] == 1
    assert list(result.to_frame().columns[:5]) == ["node", "resource_type", "status", "rows", "seconds"]


@pytest.mark.slow  # dbt parses the whole project
def test_profiles_render_with_defaults_for_unused_snowflake_fields(tmp_path: Path, monkeypatch) -> None:
    """Only account/user/password set: host, port, protocol, role, warehouse, key fall back to defaults."""
    from dbt.cli.main import dbtRunner

    project = Path(__file__).resolve().parents[1] / "dbt_project"
    for name, value in {
        "HOSPITAL_WAREHOUSE": "snowflake",
        "SNOWFLAKE_ACCOUNT": "org-acct",
        "SNOWFLAKE_USER": "U",
        "SNOWFLAKE_PASSWORD": "12345",
    }.items():
        monkeypatch.setenv(name, value)
    result = dbtRunner().invoke(
        [
            "parse",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(tmp_path / "t"),
            "--log-path",
            str(tmp_path / "l"),
            "--log-level",
            "none",
            "--no-send-anonymous-usage-stats",
        ]
    )
    assert result.success, result.exception
