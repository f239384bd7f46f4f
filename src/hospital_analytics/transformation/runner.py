"""dbt in this process (``dbtRunner``): its arguments, its environment, and what it reports back.

The warehouse's ``profile_env()`` is set as environment variables for the duration of the run only, then
restored, so plain ``dbt build --project-dir dbt_project --profiles-dir dbt_project`` with those variables
builds the same tables. dbt's ``target/`` and ``logs/`` go under the output folder; the project itself, which
ships inside the package, is only read. Each parse is kept under ``dbt/parse/`` by project, vars and profile
(``parse_cache``), so runs that alternate windows or schemas do not parse the whole project every time.
dbt's console output is silenced (its log file keeps everything).
The dbt-duckdb connection is closed after every run, so the same process can open the DuckDB file again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from hospital_analytics.config import Settings
from hospital_analytics.fsutil import ensure_writable_dir
from hospital_analytics.layout import RAW_TABLES
from hospital_analytics.transformation.results import NodeOutcome
from hospital_analytics.warehouse import Warehouse
from hospital_analytics.warehouse.common import one_line
from hospital_analytics.warehouse.feed import FEED_TABLES

PROJECT_NAME = "hospital_analytics"

# What dbt says when a relation is missing, on DuckDB and on Snowflake.
_MISSING_RELATION = (
    re.compile(r"Table with name (?P<name>[\w$]+) does not exist", re.IGNORECASE),
    re.compile(r"Object '(?:[\w$\"]+\.)?(?:[\w$\"]+\.)?(?P<name>[\w$\"]+)' does not exist", re.IGNORECASE),
)


@dataclasses.dataclass(frozen=True)
class Window:
    """The simulated window dbt's models read (vars window_start, window_end), and where it came from."""

    start: dt.date
    end: dt.date
    source: str  # "data/manifest.json" or "settings"

    def vars_text(self) -> str:
        return f"{{window_start: {self.start.isoformat()}, window_end: {self.end.isoformat()}}}"


def data_window(s: Settings) -> Window:
    """The window of the data in the output folder: ``data/manifest.json``'s start and end when it has them
    (after ``hospital advance`` the data reaches past the settings' end), else the settings' start and end."""
    manifest = s.layout.read_manifest() or {}
    try:
        start = dt.date.fromisoformat(str(manifest["start"]))
        end = dt.date.fromisoformat(str(manifest["end"]))
    except (KeyError, ValueError, TypeError):
        return Window(s.start, s.end, "settings")
    if end < start:
        return Window(s.start, s.end, "settings")
    return Window(start, end, "data/manifest.json")


def dbt_vars(s: Settings, window: Window) -> dict[str, object]:
    """dbt's vars: the window, and ``raw_text: true`` when data/manifest.json says the raw layer is text (data
    generated with defects, docs/design/defects.md: staging then types and cleans it, macros/data_quality.sql)."""
    values: dict[str, object] = {"window_start": window.start.isoformat(), "window_end": window.end.isoformat()}
    if (s.layout.read_manifest() or {}).get("raw_text") is True:
        values["raw_text"] = True
    return values


def dbt_args(
    command: Sequence[str], s: Settings, warehouse: Warehouse, project: Path, extra: Sequence[str] = ()
) -> list[str]:
    """dbt's command line: the project, ``warehouse``'s target, files under the output folder, no console."""
    layout = s.layout
    window = data_window(s)
    return [
        *command,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target",
        warehouse.name,
        "--target-path",
        str(layout.dbt_target_dir.resolve()),
        "--log-path",
        str(layout.dbt_log_dir.resolve()),
        "--threads",
        str(s.dbt_threads),
        "--vars",
        json.dumps(dbt_vars(s, window)),
        "--log-level",
        "none",  # nothing on the console; dbt.log gets everything
        "--log-level-file",
        "debug",
        "--no-use-colors",
        "--no-send-anonymous-usage-stats",
        "--no-version-check",
        *extra,
    ]


@contextlib.contextmanager
def environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set environment variables for the block (None: remove it, so nothing, not even '', reaches dbt); restore
    the previous values (or absence) afterwards."""
    previous = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def invoke(args: list[str], s: Settings, warehouse: Warehouse, callbacks: Sequence[Any] = ()) -> Any:
    """Run dbt in this process with ``warehouse``'s profile variables set; always release DuckDB."""
    from dbt.cli.main import dbtRunner

    ensure_writable_dir(s.layout.dbt_dir, "dbt folder")
    profile = warehouse.profile_env()
    saved = parse_cache(s, args, profile)
    written = s.layout.dbt_target_dir / "partial_parse.msgpack"
    before = written.stat().st_mtime_ns if written.is_file() else None
    if saved.is_file():
        args = [*args, "--partial-parse-file-path", str(saved)]
    # A log handler that cannot write (a full disk) would print a traceback per log line: dbt.log is best
    # effort, and the failure the user sees is dbt's own, as one line.
    raise_exceptions, logging.raiseExceptions = logging.raiseExceptions, False
    with environment(profile), warehouse.dbt_connections():
        try:
            return dbtRunner(callbacks=list(callbacks)).invoke(args)
        finally:
            logging.raiseExceptions = raise_exceptions
            release_duckdb()
            if written.is_file() and written.stat().st_mtime_ns != before:  # this run's parse
                keep_parse(written, saved)


def parse_cache(s: Settings, args: Sequence[str], profile: Mapping[str, str | None]) -> Path:
    """Where dbt's parse of this project, target, vars and profile is kept between runs (``dbt/parse/``).

    dbt reads its partial parse from ``target/partial_parse.msgpack``, the last run's, and parses the whole
    project again when the vars or the profile differ (a new window after ``advance``, the full-refresh schema
    of ``full_refresh_differences``). One file per combination lets runs that alternate reuse theirs. dbt still
    checks the file (every project file's checksum, the vars, the profile) and re-parses what changed.
    """
    parse_flags = ("--project-dir", "--profiles-dir", "--target", "--vars")
    used = [[flag, args[i + 1]] for i, flag in enumerate(args[:-1]) if flag in parse_flags]
    # Secrets do not change a parse (dbt's own check leaves them out too), and not even their hash is kept.
    kept = sorted((k, v) for k, v in profile.items() if not re.search("PASSWORD|PASSPHRASE|PRIVATE_KEY|TOKEN", k))
    key = json.dumps([used, kept])
    name = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return s.layout.dbt_dir / "parse" / f"{name}.msgpack"


def keep_parse(written: Path, saved: Path) -> None:
    """Copy the run's ``partial_parse.msgpack`` to ``saved`` (best effort: without it dbt parses again)."""
    try:
        saved.parent.mkdir(parents=True, exist_ok=True)
        tmp = saved.with_name(saved.name + ".tmp")
        shutil.copyfile(written, tmp)
        os.replace(tmp, saved)
    except OSError:
        pass


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb may still hold, so this process can open the file again."""
    try:
        from dbt.adapters.factory import cleanup_connections

        cleanup_connections()
    except Exception:  # no adapter registered yet
        pass
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # dbt-duckdb not installed
        return
    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()


def clean_message(text: object, s: Settings) -> str:
    """dbt's (coloured, multi-line) text as one line without secrets."""
    cleaned = re.sub(r"\x1b\[[0-9;]*m", "", str(text or ""))
    return one_line(cleaned, s.secrets(), limit=240)


def missing_raw_table(text: str) -> str | None:
    """The RAW table a dbt error says is missing, if that is what it says."""
    for pattern in _MISSING_RELATION:
        match = pattern.search(text)
        if match:
            name = match["name"].strip('"').lower()
            if name in RAW_TABLES or name in FEED_TABLES:
                return name
    return None


def outcomes(run_result: Any, s: Settings) -> list[NodeOutcome]:
    """One ``NodeOutcome`` per node of dbt's run result (row counts of built tables are added afterwards)."""
    found = []
    for item in getattr(run_result, "results", None) or []:
        node = item.node
        resource_type = str(getattr(node, "resource_type", "") or "")
        status = str(getattr(item.status, "value", item.status)).lower()
        materialized = (
            getattr(getattr(node, "config", None), "materialized", None) if resource_type == "model" else None
        )
        rows = None
        if resource_type in ("test", "unit_test") and status in ("pass", "fail", "warn"):
            rows = int(item.failures or 0)  # failing rows (0 when the test passed)
        message = clean_message(item.message, s) if item.message and status in ("fail", "error", "warn") else None
        found.append(
            NodeOutcome(
                node=node.name,
                resource_type=resource_type,
                status=status,
                rows=rows,
                seconds=round(float(item.execution_time or 0.0), 3),
                materialized=materialized,
                message=message,
                unique_id=node.unique_id,
                compiled_path=getattr(node, "compiled_path", None),
            )
        )
    return found
