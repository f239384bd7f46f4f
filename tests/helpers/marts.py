"""The marts analyze and export read, built by the real dbt project on tiny generated data.

``shared(tmp_path_factory)`` runs generate -> load -> transform (``dbt run``) once per test session on 150
patients, 12 doctors and 400 stays over the default window, and returns the DuckDB file (RAW and ANALYTICS
schemas); every module asking for it gets the same file, which nobody writes to. A test that needs other marts
takes a copy (``copy_marts``: in another schema, one mart dropped, every mart emptied) or asks ``shared`` for
another window, built once on demand. Expected values are read from the file with plain SQL (``read``),
independently of the code under test.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from helpers import clean_env
from hospital_analytics.config import Settings
from hospital_analytics.layout import MARTS

SIZE = {"patients": 150, "doctors": 12, "hospitalizations": 400, "seed": 7}
_BUILT: dict[tuple, Path] = {}


def build(root: Path, **settings: Any) -> Path:
    """generate, load and transform (``dbt run``: the models; their tests run in test_transform_*) into ``root``;
    the DuckDB file."""
    from hospital_analytics import generate, load, transform

    with clean_env(root):
        s = Settings(output_dir=root / "out", **{**SIZE, **settings})
        generate(s)
        load(s)
        transform(s, command="run")
    return s.duckdb_file.resolve()


def shared(
    tmp_path_factory: pytest.TempPathFactory, start: dt.date | None = None, end: dt.date | None = None, **size: Any
) -> Path:
    """The session's marts for this window and size (built on first use; the default: ``SIZE``, 2024-2025)."""
    key = (start, end, tuple(sorted(size.items())))
    if key not in _BUILT:
        window = {name: day for name, day in (("start", start), ("end", end)) if day is not None}
        _BUILT[key] = build(tmp_path_factory.mktemp("marts"), **window, **size)
    return _BUILT[key]


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
            for mart in MARTS:
                con.execute(f'CREATE TABLE "{schema}"."{mart}" AS SELECT * FROM "ANALYTICS"."{mart}"')
            con.execute('DROP SCHEMA "ANALYTICS" CASCADE')
        for mart in MARTS:
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
        "BOOLEAN": "BOOLEAN",
    }[duck_type]


def copy_to_snowflake(
    source: Path, server: dict, database: str, schema: str = "ANALYTICS", drop: tuple[str, ...] = ()
) -> None:
    """Create ``database.schema`` on a (fakesnow) Snowflake server holding the DuckDB file's marts (but ``drop``),
    with the types Snowflake gives them."""
    import decimal

    import snowflake.connector

    def value(v: Any) -> Any:
        if isinstance(v, decimal.Decimal):
            return str(v)
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()[:10]
        return v

    duck = duckdb.connect(str(source), read_only=True)
    con = snowflake.connector.connect(**server)
    try:
        cur = con.cursor()
        cur.execute(f"CREATE OR REPLACE DATABASE {database}")
        cur.execute(f"CREATE SCHEMA {database}.{schema}")
        for table in [t for t in MARTS if t not in drop]:
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
