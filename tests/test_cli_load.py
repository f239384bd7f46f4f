"""`hospital load` through the CLI: exit codes, the summary, --json, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers.raw import CORRUPTIONS, write_raw
from hospital_analytics.cli import app
from hospital_analytics.layout import OutputLayout

runner = CliRunner()


def invoke(*args: str, env: dict | None = None):
    return runner.invoke(app, ["load", *args], env=env)


def assert_one_error_line(output: str, start: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith(start), output
    assert "Traceback" not in output


def test_load_prints_a_table_per_table_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    rows = write_raw(out)
    result = invoke("--out", str(out))
    assert result.exit_code == 0, result.output
    for table, n in rows.items():
        assert table in result.output and f"{n:,}" in result.output
    assert "Loaded into duckdb" in result.output
    assert "rows/s" in result.output
    assert OutputLayout(out).duckdb.is_file()


def test_json_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    rows = write_raw(out)
    result = invoke("--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["step"] == "load" and data["warehouse"] == "duckdb" and data["schema"] == "RAW"
    assert {t: v["rows"] for t, v in data["tables"].items()} == rows
    assert data["rows"] == sum(rows.values()) and data["bytes_staged"] > 0


def test_env_variables_and_out_flag(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_raw(out)
    result = invoke("--json", env={"HOSPITAL_OUTPUT_DIR": str(out), "HOSPITAL_RAW_SCHEMA": "LANDING"})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schema"] == "LANDING"


def test_missing_files_exit_1_and_point_at_generate(tmp_path: Path) -> None:
    result = invoke("--out", str(tmp_path / "nothing"))
    assert result.exit_code == 1
    assert_one_error_line(result.output, "Error: No generated data to load:")
    assert "hospital generate" in result.output


def test_corrupt_file_exit_1_names_table_and_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_raw(out)
    CORRUPTIONS["bad date"](OutputLayout(out).csv("hospitalizations"))
    result = invoke("--out", str(out))
    assert result.exit_code == 1
    assert_one_error_line(result.output, "Error: hospitalizations: loading ")
    assert "hospitalizations.csv" in result.output


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"HOSPITAL_RAW_SCHEMA": "x; drop table y"}, "HOSPITAL_RAW_SCHEMA"),
        ({"HOSPITAL_ANALYTICS_DB": "x; drop table y"}, "HOSPITAL_ANALYTICS_DB"),
        ({"HOSPITAL_SNOWFLAKE_STAGE": "x; drop table y", "HOSPITAL_WAREHOUSE": "snowflake"}, "SNOWFLAKE_STAGE"),
    ],
)
def test_injection_in_identifier_setting_exit_2(tmp_path: Path, env: dict, names: str) -> None:
    out = tmp_path / "out"
    write_raw(out)
    result = invoke("--out", str(out), env=env)
    assert result.exit_code == 2
    assert_one_error_line(result.output, "Error: Invalid ")
    assert names in result.output and "not a valid identifier" in result.output
    assert not OutputLayout(out).duckdb.exists()


def test_unknown_warehouse_exit_2(tmp_path: Path) -> None:
    result = invoke("--out", str(tmp_path), "--warehouse", "oracle")
    assert result.exit_code == 2
    assert_one_error_line(result.output, "Error: Invalid --warehouse / HOSPITAL_WAREHOUSE")


def test_snowflake_without_account_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_raw(out)
    result = invoke("--out", str(out), "--warehouse", "snowflake")
    assert result.exit_code == 2
    assert_one_error_line(result.output, "Error: SNOWFLAKE_ACCOUNT is not set.")


@pytest.mark.snowflake
def test_snowflake_load_and_secret_never_printed(tmp_path: Path, fakesnow_server: dict) -> None:
    out = tmp_path / "out"
    rows = write_raw(out)
    env = {
        "HOSPITAL_WAREHOUSE": "snowflake",
        "SNOWFLAKE_ACCOUNT": "fakesnow",
        "SNOWFLAKE_USER": "fake",
        "SNOWFLAKE_PASSWORD": "Pw-only-in-env-42",
        "SNOWFLAKE_HOST": fakesnow_server["host"],
        "SNOWFLAKE_PORT": str(fakesnow_server["port"]),
        "SNOWFLAKE_PROTOCOL": "http",
        "SNOWFLAKE_DATABASE": "CLI_LOAD_TEST",
    }
    result = invoke("--out", str(out), "--json", env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["warehouse"] == "snowflake" and data["database"] == "CLI_LOAD_TEST"
    assert {t: v["rows"] for t, v in data["tables"].items()} == rows
    assert "Pw-only-in-env-42" not in result.output

    # a failing run does not print it either
    CORRUPTIONS["bad date"](OutputLayout(out).csv("patients"))
    failed = invoke("--out", str(out), env=env)
    assert failed.exit_code == 1
    assert_one_error_line(failed.output, "Error: patients: loading ")
    assert "Pw-only-in-env-42" not in failed.output


@pytest.mark.snowflake
def test_snowflake_unreachable_exit_1_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = tmp_path / "out"
    write_raw(out)
    env = {
        "SNOWFLAKE_ACCOUNT": "acme",
        "SNOWFLAKE_USER": "u",
        "SNOWFLAKE_PASSWORD": "Secret-pw-9",
        "SNOWFLAKE_HOST": "127.0.0.1",
        "SNOWFLAKE_PORT": str(port),
        "SNOWFLAKE_PROTOCOL": "http",
        "HOSPITAL_SNOWFLAKE_LOGIN_TIMEOUT": "3",
    }
    result = invoke("--out", str(out), "--warehouse", "snowflake", env=env)
    assert result.exit_code == 1
    assert_one_error_line(result.output, f"Error: Cannot reach Snowflake at 127.0.0.1:{port}")
    assert "Secret-pw-9" not in result.output
