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


def _rendered_duckdb_credentials(env: dict[str, str], monkeypatch: pytest.MonkeyPatch):
    """profiles.yml's DuckDB target rendered by dbt itself, with ``env`` as the environment."""
    from argparse import Namespace

    import yaml
    from dbt.config.profile import Profile
    from dbt.config.renderer import ProfileRenderer
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    set_from_args(Namespace(), None)  # dbt's default flags (every dbtRunner.invoke sets its own again)
    set_invocation_context(dict(os.environ))
    raw = yaml.safe_load(PROFILES.read_text(encoding="utf-8"))
    return Profile.from_raw_profiles(raw, "hospital_analytics", ProfileRenderer({})).credentials


def test_duckdb_profile_carries_the_memory_limit_and_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB's memory limit and threads reach dbt's connections: transform's env carries the settings (80% of
    RAM by default, every core), the profile puts them in dbt-duckdb's `settings`, and a connection dbt-duckdb
    opens with those credentials runs with them."""
    import duckdb
    from dbt.adapters.duckdb.environments import Environment

    from hospital_analytics.config import DUCKDB_MEMORY_LIMIT

    default = profile_env(ts.clean_settings(output_dir=tmp_path / "out"))
    assert default["HOSPITAL_DUCKDB_MEMORY_LIMIT"] == DUCKDB_MEMORY_LIMIT == "80%"
    assert default["HOSPITAL_DUCKDB_THREADS"] == str(os.cpu_count())
    env = profile_env(ts.clean_settings(output_dir=tmp_path / "out", duckdb_memory_limit="300MiB", duckdb_threads=1))
    assert env["HOSPITAL_DUCKDB_MEMORY_LIMIT"] == "300MiB" and env["HOSPITAL_DUCKDB_THREADS"] == "1"

    credentials = _rendered_duckdb_credentials({k: v for k, v in env.items() if v is not None}, monkeypatch)
    assert credentials.settings == {"memory_limit": "300MiB", "threads": "1"}
    credentials.path = str(tmp_path / "check.duckdb")
    duckdb.connect(credentials.path).close()
    con = Environment.initialize_db(credentials)
    try:
        cursor = Environment.initialize_cursor(credentials, con.cursor())
        cursor.execute("select current_setting('memory_limit'), current_setting('threads')")
        assert cursor.fetchall() == [("300.0 MiB", 1)]
    finally:
        con.close()
    # plain dbt without the variables: the same share of RAM
    monkeypatch.delenv("HOSPITAL_DUCKDB_MEMORY_LIMIT")
    monkeypatch.delenv("HOSPITAL_DUCKDB_THREADS")
    assert _rendered_duckdb_credentials({}, monkeypatch).settings["memory_limit"] == DUCKDB_MEMORY_LIMIT


@pytest.mark.parametrize("value", ["lots", "12", "-1GB", "5 parsecs"])
def test_a_duckdb_memory_limit_duckdb_cannot_read_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="duckdb_memory_limit"):
        ts.clean_settings(duckdb_memory_limit=value)


def test_duckdb_out_of_memory_hint_names_the_setting(tmp_path: Path) -> None:
    """A model that ran out of DuckDB's memory limit gets a hint naming the setting and its value."""
    warehouse = make_warehouse(ts.clean_settings(output_dir=tmp_path / "out", duckdb_memory_limit="256MB"))
    message = "Runtime Error in model dashboard_facets; Out of Memory Error: could not allocate block of size 256.0 KiB"
    hint = warehouse.dbt_error_hint(message)
    assert hint is not None and "HOSPITAL_DUCKDB_MEMORY_LIMIT" in hint and "(256MB)" in hint and "\n" not in hint
    assert warehouse.dbt_error_hint("Binder Error: column x not found") is None
