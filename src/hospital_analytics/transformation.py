"""The ``hospital transform`` step: the dbt project (``dbt_project/``) built in-process with ``dbtRunner``.

    import hospital_analytics as ha
    built = ha.transform()                     # dbt build: models and tests, on the configured warehouse
    built.to_frame()                           # one row per node: status, rows, seconds
    ha.transform(select="kpis+")               # a selection, as with dbt --select

The same ``Settings`` that drive ``hospital load`` drive dbt: they are handed to ``profiles.yml`` as the
environment variables it reads (set for the duration of the run only, then restored), so plain
``dbt build --project-dir dbt_project --profiles-dir dbt_project`` with those variables builds the same
tables. dbt's ``target/`` and ``logs/`` go under the output folder; the project itself, which ships inside
the package, is only read. dbt's console output is silenced (its log file keeps everything); progress
comes from dbt's events. The dbt-duckdb connection is closed after every run, so the same process can
open the DuckDB file again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from hospital_analytics.config import Settings, resolve_settings
from hospital_analytics.errors import ConfigError, HospitalError, StepOrderError, TransformError
from hospital_analytics.fsutil import atomic_path, ensure_writable_dir
from hospital_analytics.layout import RAW_TABLES, dbt_project_dir
from hospital_analytics.progress import NULL_PROGRESS, Progress
from hospital_analytics.results import StepResult

__all__ = ["COMMANDS", "DocsResult", "NodeOutcome", "TransformResult", "docs", "transform"]

# dbt commands ``transform`` runs (``--full-refresh`` applies to build and run only).
COMMANDS: tuple[str, ...] = ("build", "run", "test", "compile")
PROJECT_NAME = "hospital_analytics"
LOAD_HINT = "Run `hospital generate` and `hospital load` first (or `hospital run-all`), then transform again."
MAX_NAMES = 5

# What dbt says when a relation is missing, on DuckDB and on Snowflake.
_MISSING_RELATION = (
    re.compile(r"Table with name (?P<name>[\w$]+) does not exist", re.IGNORECASE),
    re.compile(r"Object '(?:[\w$\"]+\.)?(?:[\w$\"]+\.)?(?P<name>[\w$\"]+)' does not exist", re.IGNORECASE),
)


# --- results --------------------------------------------------------------------------------------------
@dataclasses.dataclass
class NodeOutcome:
    """One dbt node's outcome: a model built, a test run, a unit test, an exposure."""

    node: str  # the node's name, e.g. "kpis", "unique_kpis_admissions"
    resource_type: str  # model, test, unit_test, exposure, ...
    status: str  # success, pass, fail, error, warn, skipped, no-op
    # Rows in the built table (counted after the run: for CREATE TABLE AS, dbt-duckdb reports no row count
    # and dbt-snowflake reports 1, the status row); failing rows for a test; None for views and the rest.
    rows: int | None
    seconds: float
    materialized: str | None = None  # table / view for models
    message: str | None = None  # dbt's message for errors and failures (one line)
    unique_id: str = ""
    compiled_path: str | None = None  # the SQL dbt ran, under the output folder's dbt/target

    @property
    def failed(self) -> bool:
        return self.status in ("fail", "error")


@dataclasses.dataclass
class TransformResult(StepResult):
    """What ``transform`` did: one ``NodeOutcome`` per dbt node, where it built and where dbt's files are."""

    command: str = "build"
    warehouse: str = ""
    database: str = ""
    schema: str = ""
    select: str | None = None
    full_refresh: bool = False
    nodes: list[NodeOutcome] = dataclasses.field(default_factory=list)
    project_dir: Path | None = None
    target_dir: Path | None = None
    log_file: Path | None = None

    def of_type(self, *resource_types: str) -> list[NodeOutcome]:
        return [n for n in self.nodes if n.resource_type in resource_types]

    @property
    def models(self) -> list[NodeOutcome]:
        return self.of_type("model")

    @property
    def tests(self) -> list[NodeOutcome]:
        return self.of_type("test", "unit_test")

    @property
    def failures(self) -> list[NodeOutcome]:
        return [n for n in self.nodes if n.failed]

    @property
    def success(self) -> bool:
        return not self.failures

    def rows_of(self, model: str) -> int | None:
        for n in self.models:
            if n.node == model:
                return n.rows
        return None

    def to_frame(self) -> Any:
        """The nodes as a pandas DataFrame (node, resource_type, status, rows, seconds, ...)."""
        import pandas as pd

        return pd.DataFrame([dataclasses.asdict(n) for n in self.nodes])

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["success"] = self.success
        return data

    def summary_rows(self) -> list[tuple[str, str]]:
        models, tests = self.models, self.tests
        kinds: dict[str, int] = {}
        for m in models:
            kinds[m.materialized or "model"] = kinds.get(m.materialized or "model", 0) + 1
        built = sum(1 for m in models if m.status == "success")
        rows = [
            ("command", f"dbt {self.command}" + (f" --select {self.select}" if self.select else "")),
            ("warehouse", f"{self.warehouse} ({self.database}.{self.schema})"),
            (
                "models",
                f"{built} of {len(models)} built ("
                + ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in sorted(kinds.items()))
                + ")"
                if models
                else "none selected",
            ),
        ]
        if tests:
            passed = sum(1 for t in tests if t.status == "pass")
            units = sum(1 for t in tests if t.resource_type == "unit_test")
            rows.append(("tests", f"{passed} of {len(tests)} passed ({len(tests) - units} data, {units} unit)"))
        if self.failures:
            rows.append(("failed", _names(self.failures)))
        rows.append(("dbt log", str(self.log_file)))
        return rows


@dataclasses.dataclass
class DocsResult(StepResult):
    """What ``docs`` wrote: one static HTML file with dbt's documentation site."""

    html: Path | None = None
    bytes: int = 0
    models: int = 0
    sources: int = 0

    def summary_rows(self) -> list[tuple[str, str]]:
        return [
            ("docs", str(self.html)),
            ("size", f"{self.bytes / 1e6:.1f} MB"),
            ("documented", f"{self.models} models, {self.sources} sources"),
        ]


def _names(nodes: Sequence[NodeOutcome]) -> str:
    names = [n.node for n in nodes[:MAX_NAMES]]
    more = len(nodes) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


# --- settings -> profiles.yml's environment ---------------------------------------------------------------
def _secret(value: Any) -> str:
    if value is None:
        return ""
    getter = getattr(value, "get_secret_value", None)
    return str(getter() if getter else value)


def _named_connection(name: str) -> dict[str, Any]:
    """The ``connections.toml`` entry the Snowflake connector would use for ``name`` (dbt has no such field)."""
    try:
        from snowflake.connector.config_manager import CONFIG_MANAGER

        connections = CONFIG_MANAGER["connections"]
    except Exception as exc:  # the connector's own parse errors
        raise ConfigError(
            f"Cannot read the Snowflake connections file for SNOWFLAKE_CONNECTION_NAME={name!r}: {exc}.",
            "Check connections.toml (in SNOWFLAKE_HOME or ~/.snowflake), or set the SNOWFLAKE_* fields instead.",
        ) from None
    if name not in connections:
        raise ConfigError(
            f"SNOWFLAKE_CONNECTION_NAME={name!r} is not in the Snowflake connections file.",
            "Add it to connections.toml (in SNOWFLAKE_HOME or ~/.snowflake), or set the SNOWFLAKE_* fields instead.",
        )
    return dict(connections[name])


def profile_env(s: Settings) -> dict[str, str]:
    """The environment variables ``profiles.yml`` reads, with their values from ``s`` ('' = not set).

    Secrets are included: the mapping is meant for the dbt run's environment only, never for printing.
    """
    env = {
        "HOSPITAL_WAREHOUSE": s.warehouse,
        "HOSPITAL_OUTPUT_DIR": str(s.output_dir),
        "HOSPITAL_DUCKDB_PATH": str(Path(s.duckdb_file).resolve()),
        "HOSPITAL_ANALYTICS_DB": s.analytics_db,
        "HOSPITAL_RAW_SCHEMA": s.raw_schema,
        "HOSPITAL_ANALYTICS_SCHEMA": s.analytics_schema,
        "HOSPITAL_DBT_THREADS": str(s.dbt_threads),
    }
    fields = {
        "SNOWFLAKE_ACCOUNT": s.snowflake_account,
        "SNOWFLAKE_USER": s.snowflake_user,
        "SNOWFLAKE_PASSWORD": _secret(s.snowflake_password),
        "SNOWFLAKE_AUTHENTICATOR": s.snowflake_authenticator,
        "SNOWFLAKE_PRIVATE_KEY_FILE": str(s.snowflake_private_key_file) if s.snowflake_private_key_file else None,
        "SNOWFLAKE_PRIVATE_KEY_FILE_PWD": _secret(s.snowflake_private_key_file_pwd),
        "SNOWFLAKE_ROLE": s.snowflake_role,
        "SNOWFLAKE_WAREHOUSE": s.snowflake_warehouse,
        "SNOWFLAKE_DATABASE": s.database if s.warehouse == "snowflake" else s.snowflake_database,
        "SNOWFLAKE_HOST": s.snowflake_host,
        "SNOWFLAKE_PORT": str(s.snowflake_port) if s.snowflake_port else None,
        "SNOWFLAKE_PROTOCOL": s.snowflake_protocol,
    }
    if s.warehouse == "snowflake" and s.snowflake_connection_name:
        named = {str(k).lower(): v for k, v in _named_connection(s.snowflake_connection_name).items()}
        aliases = {
            "SNOWFLAKE_ACCOUNT": "account",
            "SNOWFLAKE_USER": "user",
            "SNOWFLAKE_PASSWORD": "password",
            "SNOWFLAKE_AUTHENTICATOR": "authenticator",
            "SNOWFLAKE_ROLE": "role",
            "SNOWFLAKE_WAREHOUSE": "warehouse",
            "SNOWFLAKE_HOST": "host",
            "SNOWFLAKE_PORT": "port",
            "SNOWFLAKE_PROTOCOL": "protocol",
            "SNOWFLAKE_PRIVATE_KEY_FILE": "private_key_file",
            "SNOWFLAKE_PRIVATE_KEY_FILE_PWD": "private_key_file_pwd",
        }
        for variable, key in aliases.items():
            if not fields[variable] and named.get(key) not in (None, ""):
                fields[variable] = str(named[key])
        if not s.snowflake_database and named.get("database"):
            fields["SNOWFLAKE_DATABASE"] = str(named["database"])
    env.update({name: "" if value is None else str(value) for name, value in fields.items()})
    return env


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the block; restore the previous values (or absence) afterwards."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --- before and after dbt ---------------------------------------------------------------------------------
def check_raw_tables(s: Settings) -> None:
    """Raise ``StepOrderError`` when the warehouse lacks a RAW table (``hospital load`` has not run).

    For DuckDB, a missing file is reported without creating it (dbt-duckdb would create an empty one).
    """
    from hospital_analytics.warehouse import make_warehouse

    if s.warehouse == "duckdb" and not Path(s.duckdb_file).is_file():
        raise StepOrderError(f"No DuckDB warehouse at {s.duckdb_file}: nothing has been loaded yet.", LOAD_HINT)
    warehouse = make_warehouse(s)  # read-write, as dbt opens it: DuckDB refuses mixed modes in one process
    with warehouse:
        missing = [t for t in RAW_TABLES if not warehouse.table_exists(s.raw_schema, t)]
    if missing:
        where = s.duckdb_file if s.warehouse == "duckdb" else f"Snowflake database {s.database}"
        raise StepOrderError(
            f"The {s.raw_schema} table{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"{'are' if len(missing) > 1 else 'is'} missing in {where}: run `hospital load` first.",
            LOAD_HINT,
        )


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


def _count_rows(s: Settings, tables: Sequence[str]) -> dict[str, int]:
    """Rows in each built table (one cheap ``count(*)`` each; metadata on Snowflake)."""
    if not tables:
        return {}
    from hospital_analytics.warehouse import make_warehouse

    with make_warehouse(s) as warehouse:
        sql = " union all ".join(
            f"select {i} as i, count(*) as n from {warehouse.qualified(s.analytics_schema, table)}"
            for i, table in enumerate(tables)
        )
        # One round trip, through the DB-API cursor both connections offer (no pandas/pyarrow import: this
        # runs after every transform and should cost milliseconds).
        cursor = warehouse.con.cursor()
        try:
            rows = cursor.execute(sql).fetchall()
        finally:
            cursor.close()
    return {tables[int(i)]: int(n) for i, n in rows}


class _EventCollector:
    """Turns dbt's events into progress: the bar's total is the number of nodes dbt will run, one step
    per ``NodeFinished``.

    ``ConcurrencyLine`` carries ``node_count``, but for ``build`` that count leaves out the unit tests, which
    dbt adds just before the first node starts; the ``total`` on ``LogStartLine`` (the "1 of N START"
    line) includes them. So the bar starts on the first ``LogStartLine`` (or with ``node_count`` if no node
    runs) and never advances past its total.
    """

    def __init__(self, progress: Progress, task: str):
        self.progress = progress
        self.task = task
        self.node_count: int | None = None
        self.total: int | None = None
        self.finished = 0

    def __call__(self, event: Any) -> None:
        try:
            name = event.info.name
            if name == "ConcurrencyLine":
                self.node_count = int(event.data.node_count)
            elif name == "LogStartLine" and self.total is None:
                self._start(int(event.data.total) or self.node_count)
            elif name == "NodeFinished":
                if self.total is None:
                    self._start(self.node_count)
                if self.total is None or self.finished < self.total:
                    self.finished += 1
                    self.progress.advance(self.task, 1)
        except Exception:  # progress must never break a dbt run
            pass

    def _start(self, total: int | None) -> None:
        self.total = total
        self.progress.start(self.task, total=total)

    def close(self) -> None:
        if self.total is None:
            self._start(self.node_count or 0)
        self.progress.finish(self.task)


# --- dbt invocation ---------------------------------------------------------------------------------------
def _dbt_args(command: Sequence[str], s: Settings, project: Path, extra: Sequence[str] = ()) -> list[str]:
    layout = s.layout
    return [
        *command,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target",
        s.warehouse,
        "--target-path",
        str(layout.dbt_target_dir.resolve()),
        "--log-path",
        str(layout.dbt_log_dir.resolve()),
        "--threads",
        str(s.dbt_threads),
        "--vars",
        json.dumps({"window_end": s.end.isoformat()}),
        "--log-level",
        "none",  # nothing on the console; dbt.log gets everything
        "--log-level-file",
        "debug",
        "--no-use-colors",
        "--no-send-anonymous-usage-stats",
        "--no-version-check",
        *extra,
    ]


def _invoke(args: list[str], s: Settings, callbacks: Sequence[Any] = ()) -> Any:
    """Run dbt in this process with the profile's variables set from ``s``; always release DuckDB."""
    from dbt.cli.main import dbtRunner

    ensure_writable_dir(s.layout.dbt_dir, "dbt folder")
    with _environment(profile_env(s)):
        try:
            return dbtRunner(callbacks=list(callbacks)).invoke(args)
        finally:
            release_duckdb()


def _secrets_of(s: Settings) -> list[str]:
    return [_secret(s.snowflake_password), _secret(s.snowflake_private_key_file_pwd)]


def _one_line(text: object, s: Settings) -> str:
    from hospital_analytics.warehouse.common import one_line

    cleaned = re.sub(r"\x1b\[[0-9;]*m", "", str(text or ""))
    return one_line(cleaned, _secrets_of(s), limit=240)


def _missing_raw_table(text: str, s: Settings) -> str | None:
    """The RAW table a dbt error says is missing, if that is what it says."""
    for pattern in _MISSING_RELATION:
        match = pattern.search(text)
        if match:
            name = match["name"].strip('"').lower()
            if name in RAW_TABLES:
                return name
    return None


def _outcomes(run_result: Any, s: Settings) -> list[NodeOutcome]:
    outcomes = []
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
        message = _one_line(item.message, s) if item.message and status in ("fail", "error", "warn") else None
        outcomes.append(
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
    return outcomes


def _inspect_hint(failed: Sequence[NodeOutcome], s: Settings, project: Path) -> str:
    """How to look at the first failing test with plain dbt: the command, and where its SQL is."""
    first = failed[0]
    if s.warehouse == "duckdb":
        env = f"HOSPITAL_DUCKDB_PATH={Path(s.duckdb_file).resolve()}"
    else:
        env = "HOSPITAL_WAREHOUSE=snowflake (with your SNOWFLAKE_* variables)"
    store = "" if first.resource_type == "unit_test" else " --store-failures"
    command = (
        f"{env} dbt test --select {first.node}{store} --project-dir {project} --profiles-dir {project} "
        f"--target-path {s.layout.dbt_target_dir.resolve()} --log-path {s.layout.dbt_log_dir.resolve()} "
        f"--vars '{{window_end: {s.end.isoformat()}}}'"
    )
    where = first.compiled_path or str(s.layout.dbt_target_dir / "compiled" / PROJECT_NAME)
    saved = "; failing rows go to schema dbt_test__audit" if store else ""
    return f"Inspect with `{command}`{saved}; compiled SQL: {where}; full log: {s.layout.dbt_log_dir / 'dbt.log'}."


def _raise_for(result: TransformResult, s: Settings, project: Path) -> None:
    errors = [n for n in result.nodes if n.status == "error" and n.resource_type not in ("test", "unit_test")]
    failed_tests = [n for n in result.tests if n.failed]
    if errors:
        first = errors[0]
        missing = _missing_raw_table(first.message or "", s)
        if missing:
            raise StepOrderError(
                f"The {s.raw_schema} table {missing} is missing: run `hospital load` first.", LOAD_HINT
            )
        raise TransformError(
            f"dbt {result.command} failed: {len(errors)} {'node' if len(errors) == 1 else 'nodes'} errored "
            f"({_names(errors)}); {first.node}: {first.message}",
            f"See {s.layout.dbt_log_dir / 'dbt.log'}; compiled SQL under {s.layout.dbt_target_dir / 'compiled'}.",
        )
    if failed_tests:
        raise TransformError(
            f"{len(failed_tests)} dbt {'test' if len(failed_tests) == 1 else 'tests'} failed: {_names(failed_tests)}.",
            _inspect_hint(failed_tests, s, project),
        )


def transform(
    settings: Settings | None = None,
    *,
    select: str | Sequence[str] | None = None,
    full_refresh: bool = False,
    command: str = "build",
    progress: Progress = NULL_PROGRESS,
    **overrides: Any,
) -> TransformResult:
    """Build the dbt project's models and run its tests on the configured warehouse, in this process.

    Args:
        settings: the settings (default: from the environment and .env). They fill ``profiles.yml``
            (warehouse, DuckDB file, Snowflake account, schemas, threads) and the ``window_end`` var
            (``settings.end``).
        select: dbt node selection (``--select``), e.g. ``"kpis+"`` or ``["stg_patients", "tag:x"]``.
        full_refresh: rebuild incremental models from scratch (``--full-refresh``; build and run only).
        command: ``build`` (models and tests, the default), ``run`` (models only), ``test`` or ``compile``.
        progress: receives one task, ``dbt <command>``, advanced once per finished dbt node.
        **overrides: setting overrides, e.g. ``output_dir="out"``, ``warehouse="snowflake"``.

    Returns:
        TransformResult: one ``NodeOutcome`` per node (status, rows, seconds), the dbt log and target paths.

    Raises:
        ConfigError: an unknown command, or a setting is missing or invalid.
        StepOrderError: a RAW table is missing (``hospital load`` has not run).
        WarehouseError: the warehouse cannot be reached or opened.
        TransformError: a model failed, or tests failed (their names and how to inspect them in the
            message and hint; the ``TransformResult`` is on the exception's ``result`` attribute).
    """
    s = resolve_settings(settings, **overrides)
    if command not in COMMANDS:
        raise ConfigError(f"Unknown dbt command {command!r}.", f"Use one of: {', '.join(COMMANDS)}.")
    if full_refresh and command not in ("build", "run"):
        raise ConfigError(f"--full-refresh does not apply to dbt {command}.", "Use it with build or run.")
    selection = _selection(select)
    started = time.perf_counter()
    check_raw_tables(s)
    project = dbt_project_dir()

    extra: list[str] = []
    if selection:
        extra += ["--select", *selection]
    if full_refresh:
        extra.append("--full-refresh")
    args = _dbt_args([command], s, project, extra)
    collector = _EventCollector(progress, f"dbt {command}")
    try:
        outcome = _invoke(args, s, [collector])
    finally:
        collector.close()

    if outcome.result is None or not hasattr(outcome.result, "results"):
        text = _one_line(outcome.exception or "dbt stopped without a result", s)
        text = re.sub(r"^(Runtime|Compilation|Parsing) Error;?\s*", "", text)
        if selection and ("not a valid method name" in text or "selector" in text.lower()):
            raise ConfigError(
                f"--select {' '.join(selection)!r} is not a valid dbt selection ({text}).",
                "Use dbt's selection syntax: model names, name+ / +name, tag:..., path:..., test_type:unit.",
            )
        missing = _missing_raw_table(text, s)
        if missing:
            raise StepOrderError(
                f"The {s.raw_schema} table {missing} is missing: run `hospital load` first.", LOAD_HINT
            )
        raise TransformError(
            f"dbt {command} failed: {text}",
            f"See {s.layout.dbt_log_dir / 'dbt.log'} for dbt's full output.",
        )

    nodes = _outcomes(outcome.result, s)
    if selection and not nodes:
        raise ConfigError(
            f"--select {' '.join(selection)!r} matches no model or test of the dbt project.",
            "Check the names (e.g. kpis, fct_hospitalizations+, stg_patients); see the docs page from `hospital docs`.",
        )
    built_tables = [n.node for n in nodes if n.materialized == "table" and n.status == "success"]
    if built_tables:
        counts = _count_rows(s, built_tables)
        for n in nodes:
            if n.materialized == "table" and n.node in counts:
                n.rows = counts[n.node]
    database = s.database if s.warehouse == "snowflake" else Path(s.duckdb_file).stem
    result = TransformResult(
        step="transform",
        seconds=time.perf_counter() - started,
        command=command,
        warehouse=s.warehouse,
        database=database,
        schema=s.analytics_schema,
        select=" ".join(selection) if selection else None,
        full_refresh=full_refresh,
        nodes=nodes,
        project_dir=project,
        target_dir=s.layout.dbt_target_dir,
        log_file=s.layout.dbt_log_dir / "dbt.log",
    )
    try:
        _raise_for(result, s, project)
    except HospitalError as exc:
        exc.result = result  # type: ignore[attr-defined]
        raise
    return result


def _selection(select: str | Sequence[str] | None) -> list[str]:
    if select is None:
        return []
    items = [select] if isinstance(select, str) else list(select)
    return [part for item in items for part in str(item).split() if part]


def docs(settings: Settings | None = None, *, progress: Progress = NULL_PROGRESS, **overrides: Any) -> DocsResult:
    """Write dbt's documentation site as one static HTML file (``dbt docs generate --static``).

    The page (models, columns, tests, lineage, the warehouse's catalog) goes to ``docs/index.html`` under
    the output folder; open it in a browser, no server needed.

    Args:
        settings: the settings (default: from the environment and .env).
        progress: receives one task, ``dbt docs``.
        **overrides: setting overrides, e.g. ``output_dir="out"``.

    Returns:
        DocsResult: the HTML file's path and size, and how many models and sources it documents.

    Raises:
        StepOrderError: the warehouse holds no RAW tables yet (``hospital load`` has not run).
        TransformError: dbt could not generate the documentation.
    """
    s = resolve_settings(settings, **overrides)
    started = time.perf_counter()
    check_raw_tables(s)
    project = dbt_project_dir()
    progress.start("dbt docs", total=1)
    args = _dbt_args(["docs", "generate"], s, project, ["--static"])
    outcome = _invoke(args, s)
    static = s.layout.dbt_target_dir / "static_index.html"
    if not outcome.success or not static.is_file():
        raise TransformError(
            f"dbt docs generate failed: {_one_line(outcome.exception or 'no static_index.html written', s)}",
            f"See {s.layout.dbt_log_dir / 'dbt.log'} for dbt's full output.",
        )
    html = s.layout.docs_html
    ensure_writable_dir(html.parent, "docs folder")
    with atomic_path(html) as tmp:
        shutil.copyfile(static, tmp)
    manifest = json.loads((s.layout.dbt_target_dir / "manifest.json").read_text(encoding="utf-8"))
    progress.advance("dbt docs", 1)
    progress.finish("dbt docs")
    return DocsResult(
        step="docs",
        seconds=time.perf_counter() - started,
        html=html,
        bytes=html.stat().st_size,
        models=sum(1 for n in manifest.get("nodes", {}).values() if n.get("resource_type") == "model"),
        sources=len(manifest.get("sources", {})),
    )
