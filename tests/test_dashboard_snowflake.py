"""The dashboard on Snowflake: the same generated files loaded and transformed on DuckDB and, through the real
connector and dbt-snowflake, on a local fakesnow server give the same dashboard data, number for number."""

from __future__ import annotations

import pandas as pd
import pytest

import hospital_analytics as ha
from helpers.dashboard import decode_page
from hospital_analytics.config import Settings

pytestmark = [pytest.mark.snowflake, pytest.mark.slow]


def test_snowflake_and_duckdb_give_the_same_dashboard(snowflake_overrides, tmp_path):
    base = {"hospitalizations": 300, "patients": 120, "doctors": 20, "seed": 9}
    duck = Settings(output_dir=tmp_path / "duck", **base)
    snow = Settings(output_dir=tmp_path / "duck", **snowflake_overrides, **base)  # the same generated files
    ha.generate(duck)
    pages = {}
    for name, settings in (("duckdb", duck), ("snowflake", snow)):
        ha.load(settings)
        built = ha.transform(settings)
        assert built.success, (name, [(n.node, n.message) for n in built.failures])
        result = ha.analyze(settings)
        pages[name] = decode_page(result.dashboard.read_text(encoding="utf-8"))
    assert pages["snowflake"] == pages["duckdb"]
    stays = pd.read_csv(duck.layout.csv("hospitalizations"), parse_dates=["admission_date"])
    admitted = int((stays["admission_date"] >= pd.Timestamp(duck.start)).sum())  # the stays admitted in the window
    assert sum(pages["snowflake"]["cells"]["admissions"]) == admitted > 150  # 300 a rate per 24 months
