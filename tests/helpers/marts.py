"""The marts analyze and export read, built by the real dbt project on tiny data, once per test session.

``edge_cases(tmp_path_factory)`` loads the edge-case hospital of ``helpers.transform`` (120 patients, the cases
the dbt logic must get right, 2024) with ``hospital load``'s library step and builds its models with
``transform`` (``dbt run``; the project's tests run on it in test_transform_duckdb: the unit tests in the quick
tier, all of them in the slow one), recording its progress and the project folder before and after; the
transform tests check that build, analyze and export read its DuckDB file (``marts_db``). Only transform's
own tests run dbt on it again (rebuilding the same tables). A test that needs other marts takes a copy
(``copy_marts``: in another schema, one mart dropped, every mart emptied) or asks ``generated`` for marts of
generated data over another window, built once on demand. Expected values are read from the files with plain
SQL (``read``), independently of the code under test. ``analyzed`` runs analyze on those marts once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

import helpers.transform as ts
from helpers import Recorder, clean_env
from hospital_analytics.config import Settings
from hospital_analytics.layout import DASHBOARD_MARTS, MARTS, dbt_project_dir

_BUILT: dict[tuple, Any] = {}

# Every table analyze reads: the marts and the dashboard's marts.
ANALYZED_MARTS = (*MARTS, *DASHBOARD_MARTS)

# The generate manifest beside the analyzed marts: values a test can look for in the report's provenance.
MANIFEST = {
    "seed": 4242,
    "start": "2024-01-01",
    "end": "2025-12-31",
    "counts": {"patients": 150, "doctors": 12, "hospitalizations": 400},
    "locale": "en_US",
    "generated_at": "2026-01-02T03:04:05Z",
    "package_version": "0.1.0",
    "fidelity": {
        "on_target": 30,
        "judged": 37,
        "rows": [  # as the generator writes them (simulation's FidelityRow)
            {
                "quantity": "in_hospital_mortality_sepsis",
                "target": "13-17%",
                "generated": 0.151,
                "low": 0.12,
                "high": 0.18,
                "margin": 0.01,
                "passed": True,
                "source": "HCUP SB 204 <2016>",
                "unit": "%",
            },
            {
                "quantity": "weekend_share_of_admissions",
                "target": "19%",
                "generated": 0.25,
                "low": 0.17,
                "high": 0.21,
                "margin": 0.005,
                "passed": False,
                "source": "Ruiz 2015",
                "unit": "%",
            },
            {"quantity": "peak_hour", "target": "11:00", "generated": None, "passed": None, "source": "-"},
        ],
    },
}
# The small generated pipeline test_analysis_pipeline and test_export_pipeline read (``pipeline_copy``).
PIPELINE_SIZE = {"patients": 300, "doctors": 25, "hospitalizations": 1_200, "seed": 11}
REPORT_SECRET = "hunter2-not-for-reports"  # a Snowflake password set while analyzing: never in the report


@dataclasses.dataclass
class Build:
    """The session's edge-case build: its settings, transform's result (dbt run) and what transform was seen doing."""

    settings: Settings
    result: Any  # TransformResult
    progress: Recorder
    project_before: dict[str, tuple[int, int]]
    project_after: dict[str, tuple[int, int]]


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` (hidden ones too) with its size and mtime."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def edge_cases(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The edge-case hospital loaded and its models built (dbt run), once per session."""
    from hospital_analytics import load, transform

    if "edge_cases" not in _BUILT:
        root = tmp_path_factory.mktemp("edge_cases")
        with clean_env(root):
            settings = ts.clean_settings(output_dir=root / "out", start=ts.START, end=ts.END)
            ts.write_edge_case_csvs(settings.layout.csv_dir)
            load(settings)
            before = tree(dbt_project_dir())
            progress = Recorder()
            result = transform(settings, command="run", progress=progress)
            transform(settings, command="snapshot")  # dbt run builds no snapshot; their tests need them
            _BUILT["edge_cases"] = Build(settings, result, progress, before, tree(dbt_project_dir()))
    build: Build = _BUILT["edge_cases"]
    return build


@dataclasses.dataclass
class Analyzed:
    """analyze run once on the session's marts: its output folder, its result and the progress it reported."""

    root: Path
    result: Any  # AnalysisResult
    progress: Recorder


def analyzed(marts: Path, tmp_path_factory: pytest.TempPathFactory) -> Analyzed:
    """analyze on a copy of ``marts`` (charts in PNG and SVG, ``MANIFEST`` beside them, ``REPORT_SECRET`` set)."""
    from hospital_analytics import analyze

    if "analyzed" not in _BUILT:
        root = tmp_path_factory.mktemp("analyzed")
        copy_marts(marts, root / "hospital.duckdb")
        (root / "data").mkdir()
        (root / "data" / "manifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
        progress = Recorder()
        with clean_env(root):
            settings = Settings(output_dir=root, chart_format="both", snowflake_password=REPORT_SECRET)
            _BUILT["analyzed"] = Analyzed(root, analyze(settings, progress=progress), progress)
    done: Analyzed = _BUILT["analyzed"]
    return done


def generated(tmp_path_factory: pytest.TempPathFactory, start: dt.date, end: dt.date, **size: Any) -> Path:
    """Marts of generated data (generate, load, ``dbt run``) for this window and size, built once on demand."""
    from hospital_analytics import generate, load, transform

    key = (start, end, tuple(sorted(size.items())))
    if key not in _BUILT:
        root = tmp_path_factory.mktemp("marts")
        if "hospitalizations" in size:  # a count for this window -> generate's rate per 24 months
            days = (end - start).days + 1
            size = {**size, "hospitalizations": max(1, round(size["hospitalizations"] * 730.5 / days))}
        with clean_env(root):
            s = Settings(output_dir=root / "out", start=start, end=end, seed=7, **size)
            generate(s)
            load(s)
            transform(s, command="run")
        _BUILT[key] = s.duckdb_file.resolve()
    path: Path = _BUILT[key]
    return path


def copy_marts(
    source: Path, target: Path, *, schema: str = "ANALYTICS", empty: bool = False, drop: tuple[str, ...] = ()
) -> Path:
    """A DuckDB file at ``target`` with ``source``'s marts in ``schema``: all of them, or without ``drop``; with
    their columns but no rows when ``empty`` (what transform builds from empty raw tables)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    con = duckdb.connect(str(target))
    try:
        if schema != "ANALYTICS":
            con.execute(f'CREATE SCHEMA "{schema}"')
            for mart in ANALYZED_MARTS:
                con.execute(f'CREATE TABLE "{schema}"."{mart}" AS SELECT * FROM "ANALYTICS"."{mart}"')
            con.execute('DROP SCHEMA "ANALYTICS" CASCADE')
        for mart in ANALYZED_MARTS:
            if mart in drop:
                con.execute(f'DROP TABLE "{schema}"."{mart}"')
            elif empty:
                con.execute(f'DELETE FROM "{schema}"."{mart}"')
    finally:
        con.close()
    return target


def read(path: Path, sql: str) -> pd.DataFrame:
    """An independent read of a marts file (for expected values)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def _snowflake_type(column: str, duck_type: str) -> str:
    if duck_type == "DOUBLE" and column.startswith(("average_", "mean_", "median_", "p90_")):
        return "NUMBER(38,6)"  # what AVG() gives on Snowflake: analyze must cope with Decimal columns
    if duck_type.startswith("DECIMAL"):
        return duck_type.replace("DECIMAL", "NUMBER")
    return {
        "BIGINT": "NUMBER(38,0)",
        "INTEGER": "NUMBER(38,0)",
        "HUGEINT": "NUMBER(38,0)",
        "DOUBLE": "FLOAT",
        "VARCHAR": "VARCHAR",
        "DATE": "DATE",
        "TIMESTAMP": "TIMESTAMP_NTZ",
        "BOOLEAN": "BOOLEAN",
    }[duck_type]


def copy_to_snowflake(
    source: Path, server: dict, database: str, schema: str = "ANALYTICS", drop: tuple[str, ...] = ()
) -> None:
    """Create ``database.schema`` on a (fakesnow) Snowflake server holding the DuckDB file's marts (but ``drop``),
    and its data-quality marts and quarantine models when it has them, with the types Snowflake gives them."""
    import decimal

    import snowflake.connector

    def value(v: Any) -> Any:
        if isinstance(v, decimal.Decimal):
            return str(v)
        if isinstance(v, dt.datetime):
            return v.isoformat(sep=" ")
        if isinstance(v, dt.date):
            return v.isoformat()
        return v

    duck = duckdb.connect(str(source), read_only=True)
    con = snowflake.connector.connect(**server)
    try:
        cur = con.cursor()
        cur.execute(f"CREATE OR REPLACE DATABASE {database}")
        cur.execute(f"CREATE SCHEMA {database}.{schema}")
        quality = [
            name
            for (name,) in duck.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'ANALYTICS' "
                "AND (table_name LIKE 'data_quality_%' OR table_name LIKE 'quarantine_%') ORDER BY table_name"
            ).fetchall()
        ]
        for table in [t for t in (*ANALYZED_MARTS, *quality) if t not in drop]:
            columns = duck.execute(f'DESCRIBE "ANALYTICS"."{table}"').fetchall()
            ddl = ", ".join(f"{name} {_snowflake_type(name, kind)}" for name, kind, *_ in columns)
            cur.execute(f"CREATE TABLE {database}.{schema}.{table} ({ddl})")
            rows = [
                tuple(value(v) for v in row) for row in duck.execute(f'SELECT * FROM "ANALYTICS"."{table}"').fetchall()
            ]
            if rows:
                marks = ", ".join(["%s"] * len(columns))
                cur.executemany(f"INSERT INTO {database}.{schema}.{table} VALUES ({marks})", rows)
    finally:
        con.close()
        duck.close()


def pipeline_copy(tmp_path_factory: pytest.TempPathFactory, name: str, **size: Any) -> Settings:
    """An output folder of its own holding generate, load and ``dbt build`` of ``size`` (the settings' default
    window), for a module that then runs a later step (analyze, export) in it. The build runs once per session
    for each ``size`` (test_analysis_pipeline and test_export_pipeline share one); each caller gets a copy."""
    from hospital_analytics import generate, load, transform

    key = ("pipeline", tuple(sorted(size.items())))
    if key not in _BUILT:
        root = tmp_path_factory.mktemp("pipeline")
        with clean_env(root):
            s = Settings(output_dir=root / "out", **size)
            generate(s)
            load(s)
            assert transform(s).success
        _BUILT[key] = root / "out"
    built: Path = _BUILT[key]
    target = tmp_path_factory.mktemp(name) / "out"
    shutil.copytree(built, target)
    return Settings(output_dir=target, **size)
