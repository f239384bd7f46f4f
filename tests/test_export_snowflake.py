"""export from Snowflake: the real connector against the session's fakesnow server, rows streamed with
``fetch_arrow_batches``; every file read back and compared with the Snowflake tables and the DuckDB source."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import duckdb
import pytest
from export_marts import build_marts
from export_support import assert_same_rows, clean_env, read_back, warehouse_table
from tableau_check import field_problems, parse, validate, validator

from hospital_analytics.config import Settings
from hospital_analytics.exports import DASHBOARD_TABLE, FORMATS, export, export_path
from hospital_analytics.layout import MARTS
from hospital_analytics.warehouse import open_warehouse

pytestmark = pytest.mark.snowflake

DATABASE = "T_EXPORT_MARTS"
_SNOWFLAKE_TYPE = {"BIGINT": "NUMBER(38,0)", "INTEGER": "NUMBER(38,0)", "HUGEINT": "NUMBER(38,0)",
                   "DOUBLE": "FLOAT", "VARCHAR": "VARCHAR", "DATE": "DATE", "BOOLEAN": "BOOLEAN"}


def _snowflake_type(duck_type: str) -> str:
    if duck_type.startswith("DECIMAL"):
        return duck_type.replace("DECIMAL", "NUMBER")
    return _SNOWFLAKE_TYPE[duck_type]


def _value(v):
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def copy_marts_to_snowflake(source: Path, server: dict, database: str) -> None:
    """Create ``database``.ANALYTICS on the fakesnow server with the DuckDB file's marts (same types)."""
    import snowflake.connector

    duck = duckdb.connect(str(source), read_only=True)
    con = snowflake.connector.connect(**server)
    try:
        cur = con.cursor()
        cur.execute(f"CREATE OR REPLACE DATABASE {database}")
        cur.execute(f"CREATE SCHEMA {database}.ANALYTICS")
        for table in MARTS:
            columns = duck.execute(f'DESCRIBE "ANALYTICS"."{table}"').fetchall()
            ddl = ", ".join(f"{name} {_snowflake_type(kind)}" for name, kind, *_ in columns)
            cur.execute(f"CREATE TABLE {database}.ANALYTICS.{table} ({ddl})")
            rows = [tuple(_value(v) for v in row) for row in duck.execute(f'SELECT * FROM "ANALYTICS"."{table}"').fetchall()]
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(f"INSERT INTO {database}.ANALYTICS.{table} VALUES ({marks})", rows)
    finally:
        con.close()
        duck.close()


@pytest.fixture(scope="module")
def snowflake_export(fakesnow_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("snowflake")
    source = build_marts(folder / "source.duckdb")
    copy_marts_to_snowflake(source, fakesnow_server, DATABASE)
    with clean_env(folder):
        settings = Settings(
            output_dir=folder / "out", warehouse="snowflake", snowflake_account=fakesnow_server["account"],
            snowflake_user=fakesnow_server["user"], snowflake_password=fakesnow_server["password"],
            snowflake_host=fakesnow_server["host"], snowflake_port=fakesnow_server["port"],
            snowflake_protocol=fakesnow_server["protocol"], snowflake_database=DATABASE,
        )
        result = export(settings)
    return settings, source, result


def test_every_mart_in_every_format(snowflake_export):
    _, _, result = snowflake_export
    assert result.warehouse == "snowflake" and result.formats == list(FORMATS)
    assert {(f.table, f.format) for f in result.files if f.format in FORMATS} == {
        (t, fmt) for t in MARTS for fmt in FORMATS}
    assert result.dashboard_data == "hyper"


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_on_snowflake(snowflake_export, fmt):
    settings, source, result = snowflake_export
    duck = duckdb.connect(str(source), read_only=True)
    try:
        with open_warehouse(settings) as wh:
            for table in MARTS:
                expected = warehouse_table(wh, "ANALYTICS", table)
                actual = read_back(export_path(result.export_dir, table, fmt), fmt, expected.schema)
                assert_same_rows(actual, expected, f"snowflake {fmt}:{table}")
                assert result.rows[table] == expected.num_rows
                # and the same values the marts had where they came from
                original = duck.execute(f'SELECT * FROM "ANALYTICS"."{table}"').to_arrow_table()
                assert_same_rows(actual, original.cast(expected.schema), f"source {fmt}:{table}")
    finally:
        duck.close()


@pytest.mark.skipif(not validator().is_file(), reason="Tableau's validator (../shared/tableau) is absent")
def test_workbook_from_snowflake_is_valid_and_matches_its_data(snowflake_export):
    _, _, result = snowflake_export
    assert validate(result.workbook).returncode == 0
    assert field_problems(parse(result.workbook), result.export_dir) == []
    assert result.rows[DASHBOARD_TABLE] > 100
