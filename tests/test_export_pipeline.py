"""export end to end on the real pipeline at small size, on DuckDB and on Snowflake (the real connector and
dbt-snowflake against the session's fakesnow server): generate -> load -> transform -> export, then every
file read back and compared with the warehouse's tables, the workbooks checked, and both warehouses' files
compared with each other (same seed, same marts)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from helpers import clean_env, marts
from helpers.export import assert_same_rows, read_back, warehouse_table
from helpers.marts import PIPELINE_SIZE
from helpers.tableau import data_references, field_problems, parse, validate
from hospital_analytics.config import Settings
from hospital_analytics.exports import DASHBOARD_TABLE, FORMATS, export, export_path
from hospital_analytics.layout import MARTS
from hospital_analytics.simulation import generate
from hospital_analytics.transformation import transform
from hospital_analytics.warehouse import open_warehouse
from hospital_analytics.warehouse.loading import load

pytestmark = pytest.mark.slow  # the whole pipeline end to end, on DuckDB and on fakesnow

SIZE = PIPELINE_SIZE


def _snowflake_fields(server: dict) -> dict:
    return {
        "warehouse": "snowflake",
        "snowflake_account": server["account"],
        "snowflake_user": server["user"],
        "snowflake_password": server["password"],
        "snowflake_host": server["host"],
        "snowflake_port": server["port"],
        "snowflake_protocol": server["protocol"],
        "snowflake_login_timeout": 5,
        "snowflake_database": "T_EXPORT_PIPELINE",
    }


def _run(folder, fields: dict) -> tuple[Settings, object]:
    with clean_env(folder):
        settings = Settings(output_dir=folder / "out", **SIZE, **fields)
        generate(settings)
        load(settings)
        assert transform(settings).success
        return settings, export(settings)


@pytest.fixture(scope="module")
def duckdb_pipeline(tmp_path_factory):
    # generate, load and dbt build once per session (shared with test_analysis_pipeline), export in a copy
    root = tmp_path_factory.mktemp("pipeline_duckdb")
    with clean_env(root):
        settings = marts.pipeline_copy(tmp_path_factory, "export_pipeline", **SIZE)
        return settings, export(settings)


@pytest.fixture(scope="module")
def snowflake_pipeline(tmp_path_factory, fakesnow_server):
    return _run(tmp_path_factory.mktemp("pipeline_snowflake"), _snowflake_fields(fakesnow_server))


WAREHOUSES = ["duckdb_pipeline", pytest.param("snowflake_pipeline", marks=pytest.mark.snowflake)]


@pytest.fixture(params=WAREHOUSES)
def pipeline(request):
    return request.getfixturevalue(request.param)


def test_every_mart_round_trips_in_every_format(pipeline):
    settings, result = pipeline
    assert result.warehouse == settings.warehouse
    assert result.formats == list(FORMATS)
    with open_warehouse(settings, read_only=True) as wh:
        for table in MARTS:
            expected = warehouse_table(wh, settings.analytics_schema, table)
            assert result.rows[table] == expected.num_rows
            for fmt in FORMATS:
                actual = read_back(export_path(result.export_dir, table, fmt), fmt, expected.schema)
                assert_same_rows(actual, expected, f"{settings.warehouse} {fmt}:{table}")
    assert result.rows[DASHBOARD_TABLE] == result.rows["fct_hospitalizations"] > SIZE["hospitalizations"] // 2


def test_workbooks_are_valid_and_match_their_data(pipeline, tmp_path):
    import zipfile

    _, result = pipeline
    assert validate(result.workbook).returncode == 0
    with zipfile.ZipFile(result.packaged_workbook) as zf:
        (tmp_path / "inner.twb").write_bytes(zf.read("hospital_dashboard.twb"))
        assert set(data_references(parse(tmp_path / "inner.twb"))) <= set(zf.namelist())
    assert validate(tmp_path / "inner.twb").returncode == 0
    assert field_problems(parse(result.workbook), result.export_dir) == []


@pytest.mark.snowflake
def test_both_warehouses_export_the_same_data(duckdb_pipeline, snowflake_pipeline):
    """Same seed on DuckDB and Snowflake: the files hold the same rows and the same types (Snowflake keeps
    6 decimals of an average, hence the tolerance on floats)."""
    import pyarrow.parquet as pq

    duck, snow = duckdb_pipeline[1], snowflake_pipeline[1]
    assert duck.rows == snow.rows
    for table in MARTS:
        left = pq.read_table(export_path(duck.export_dir, table, "parquet"))
        right = pq.read_table(export_path(snow.export_dir, table, "parquet"))
        assert left.schema.types == right.schema.types, table
        for name in left.schema.names:
            a = sorted(left.column(name).to_pylist(), key=_key)
            b = sorted(right.column(name).to_pylist(), key=_key)
            if pa.types.is_floating(left.schema.field(name).type):
                assert a == pytest.approx(b, abs=1e-5), f"{table}.{name}"
            else:
                assert a == b, f"{table}.{name}"


def _key(value):
    return (value is None, value if value is not None else 0)
