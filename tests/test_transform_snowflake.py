"""hospital transform on Snowflake, through a local fakesnow server and the real dbt-snowflake adapter:
the same project builds, every dbt test passes, the marts equal the pandas figures (so, the DuckDB ones).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import helpers.transform as ts
from helpers import clean_env
from hospital_analytics.cli import app
from hospital_analytics.errors import StepOrderError
from hospital_analytics.layout import MARTS
from hospital_analytics.transformation import transform

pytestmark = [pytest.mark.snowflake, pytest.mark.slow]  # dbt build on fakesnow
SECRET = "pw-Xq7-never-in-files"


def _fields(server: dict, database: str) -> dict:
    return {
        "warehouse": "snowflake",
        "snowflake_account": server["account"],
        "snowflake_user": server["user"],
        "snowflake_password": server["password"],
        "snowflake_host": server["host"],
        "snowflake_port": server["port"],
        "snowflake_protocol": server["protocol"],
        "snowflake_login_timeout": 5,
        "snowflake_database": database,
    }


@pytest.fixture(scope="module")
def built_snowflake(fakesnow_server: dict, tmp_path_factory: pytest.TempPathFactory):
    """Edge-case raw data loaded into fakesnow by `hospital load`'s library step, then transform."""
    from hospital_analytics.warehouse.loading import load

    root = tmp_path_factory.mktemp("transform_snowflake")
    with clean_env(root):
        fields = _fields(fakesnow_server, "T_TRANSFORM") | {"snowflake_password": SECRET}  # fakesnow takes any
        settings = ts.clean_settings(output_dir=root / "out", start=ts.START, end=ts.END, **fields)
        ts.write_edge_case_csvs(settings.layout.csv_dir)
        load(settings)
        result = transform(settings)
    return settings, result


def test_snowflake_build_passes_every_dbt_test(built_snowflake) -> None:
    settings, result = built_snowflake
    assert result.success, [(n.node, n.message) for n in result.failures]
    assert result.warehouse == "snowflake" and result.database == "T_TRANSFORM" and result.schema == "ANALYTICS"
    models = {n.node: n for n in result.models}
    assert set(MARTS) <= set(models) and all(n.status == "success" for n in models.values())
    assert sum(1 for n in result.tests if n.resource_type == "unit_test") >= 9
    assert all(n.status == "pass" for n in result.tests)
    assert result.rows_of("kpis") == 1


def test_snowflake_password_stays_out_of_dbt_files(built_snowflake) -> None:
    settings, _ = built_snowflake
    for path in settings.layout.dbt_dir.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_snowflake_marts_equal_pandas_figures(built_snowflake) -> None:
    settings, _ = built_snowflake
    actual = ts.read_marts(settings)
    expected = ts.expected_marts(settings.layout.csv_dir, ts.END)
    ts.assert_marts_match(actual, expected)


def test_snowflake_identifiers_are_upper_case_and_unquoted(built_snowflake) -> None:
    """Models are created unquoted (upper case), so readers find them with or without quotes."""
    from hospital_analytics.warehouse import open_warehouse

    settings, _ = built_snowflake
    with open_warehouse(settings) as wh:
        names = wh.query_df(
            "select table_name, table_type from T_TRANSFORM.INFORMATION_SCHEMA.TABLES where table_schema = 'ANALYTICS'"
        )
        assert {m.upper() for m in MARTS} <= set(names["table_name"])
        assert wh.query_df("select count(*) as n from T_TRANSFORM.ANALYTICS.kpis")["n"].iloc[0] == 1


def test_snowflake_missing_raw_tables_say_to_run_load(fakesnow_server: dict, tmp_path) -> None:
    settings = ts.clean_settings(
        output_dir=tmp_path / "out", start=ts.START, end=ts.END, **_fields(fakesnow_server, "T_TRANSFORM_EMPTY")
    )
    with pytest.raises(StepOrderError) as caught:
        transform(settings)
    assert caught.value.message == (
        "The RAW tables patients, doctors, hospitalizations, admissions_by_month, hospitals, units, bed_movements, "
        "coverage_history, births, capacity_events, encounter_events, patient_events are missing in "
        f"Snowflake account {fakesnow_server['account']}, database T_TRANSFORM_EMPTY: run `hospital load` first."
    )


def test_snowflake_cli_transform_with_env_settings(built_snowflake, fakesnow_server: dict) -> None:
    settings, _ = built_snowflake
    env = {
        "HOSPITAL_WAREHOUSE": "snowflake",
        "HOSPITAL_END": ts.END.isoformat(),
        "SNOWFLAKE_ACCOUNT": fakesnow_server["account"],
        "SNOWFLAKE_USER": fakesnow_server["user"],
        "SNOWFLAKE_PASSWORD": fakesnow_server["password"],
        "SNOWFLAKE_HOST": fakesnow_server["host"],
        "SNOWFLAKE_PORT": str(fakesnow_server["port"]),
        "SNOWFLAKE_PROTOCOL": fakesnow_server["protocol"],
        "SNOWFLAKE_DATABASE": "T_TRANSFORM",
    }
    outcome = CliRunner().invoke(
        app,
        ["transform", "--out", str(settings.output_dir), "--select", "readmission_rate_by_month", "--json"],
        env=env,
    )
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(outcome.stdout)
    assert data["warehouse"] == "snowflake" and data["success"] is True
    rate = [n for n in data["nodes"] if n["node"] == "readmission_rate_by_month"][0]
    assert rate["status"] == "success" and rate["rows"] == 12  # Jan .. Dec 2024 (stays in house at the end are open)
