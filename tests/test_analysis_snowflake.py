"""analyze on Snowflake: the real connector against the session's fakesnow server reads the same marts and
draws the same charts as on DuckDB (Snowflake's NUMBER/Decimal and DATE columns normalised)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.marts import copy_to_snowflake
from hospital_analytics.analysis import CHART_NAMES, analyze
from hospital_analytics.config import Settings
from hospital_analytics.errors import StepOrderError

pytestmark = [pytest.mark.snowflake, pytest.mark.slow]  # the marts copied to fakesnow and analyzed there


def _settings(server: dict, database: str, out) -> Settings:
    return Settings(
        output_dir=out,
        warehouse="snowflake",
        snowflake_account=server["account"],
        snowflake_user=server["user"],
        snowflake_password=server["password"],
        snowflake_host=server["host"],
        snowflake_port=server["port"],
        snowflake_protocol=server["protocol"],
        snowflake_database=database,
        snowflake_login_timeout=5,
    )


def test_snowflake_marts_chart_like_duckdb(fakesnow_server, marts_db, tmp_path):
    source = marts_db
    copy_to_snowflake(source, fakesnow_server, "T_ANALYZE_MARTS")
    on_duckdb = analyze(Settings(output_dir=tmp_path / "duck", duckdb_path=source))
    on_snowflake = analyze(_settings(fakesnow_server, "T_ANALYZE_MARTS", tmp_path / "snow"))

    assert on_snowflake.kpis.keys() == on_duckdb.kpis.keys()
    for key, value in on_duckdb.kpis.items():
        if isinstance(value, float):
            assert on_snowflake.kpis[key] == pytest.approx(value, rel=1e-6), key
        else:
            assert on_snowflake.kpis[key] == value, key
    for name, frame in on_duckdb.frames.items():
        other = on_snowflake.frames[name]
        if name == "top_diagnoses":  # ties in stays may order differently; compare as sets of rows
            frame, other = (f.sort_values(["stays", "diagnosis_code"]).reset_index(drop=True) for f in (frame, other))
        # NUMBER(38,6) keeps 6 decimals of an average; dtypes are the same kinds (dates, int64, float64, text)
        pd.testing.assert_frame_equal(other, frame, check_dtype=False, check_exact=False, atol=1e-5, obj=name)
        assert [t.kind for t in other.dtypes] == [t.kind for t in frame.dtypes], name
    for name in ("monthly_admissions", "daily_census", "readmission_rate"):
        duck_ax, snow_ax = on_duckdb.figures[name].axes[0], on_snowflake.figures[name].axes[0]
        if duck_ax.lines:
            for snow_line, duck_line in zip(snow_ax.lines, duck_ax.lines, strict=True):
                np.testing.assert_allclose(snow_line.get_ydata(), duck_line.get_ydata())
        else:
            assert [p.get_height() for p in snow_ax.patches] == [p.get_height() for p in duck_ax.patches]

    page = on_snowflake.report.read_text(encoding="utf-8")
    assert f"Snowflake account {fakesnow_server['account']}, database T_ANALYZE_MARTS, schema ANALYTICS" in page
    assert f">{fakesnow_server['password']}<" not in page
    assert len(on_snowflake.charts) == len(CHART_NAMES)


def test_snowflake_missing_mart_names_the_step(fakesnow_server, marts_db, tmp_path):
    copy_to_snowflake(marts_db, fakesnow_server, "T_ANALYZE_MISSING", drop=("daily_census",))
    with pytest.raises(StepOrderError) as caught:
        analyze(_settings(fakesnow_server, "T_ANALYZE_MISSING", tmp_path / "out"))
    assert "(daily_census)" in str(caught.value) and "`ha.transform()`" in str(caught.value)  # library words
    assert "`hospital transform`" in caught.value.message  # the CLI's
