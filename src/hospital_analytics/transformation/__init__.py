"""The ``hospital transform`` step: the dbt project (``dbt_project/``) built in-process with ``dbtRunner``.

    import hospital_analytics as ha
    built = ha.transform()                     # dbt build: models and tests, on the configured warehouse
    built.to_frame()                           # one row per node: status, rows, seconds
    ha.transform(select="kpis+")               # a selection, as with dbt --select

The same ``Settings`` that drive ``hospital load`` drive dbt (``runner.py``: the warehouse's profile
environment, dbt's arguments); progress comes from dbt's events (``events.py``); the results are
``results.py``. This module checks what dbt needs first and turns dbt's failures into one-line errors.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hospital_analytics import project as user_project
from hospital_analytics.config import Settings, resolve_settings
from hospital_analytics.errors import ConfigError, StepOrderError, TransformError
from hospital_analytics.fsutil import atomic_path, ensure_writable_dir
from hospital_analytics.layout import RAW_TABLES
from hospital_analytics.progress import SILENT, Collector
from hospital_analytics.transformation.events import DbtProgress
from hospital_analytics.transformation.results import DocsResult, NodeOutcome, TransformResult, node_names
from hospital_analytics.transformation.runner import (
    PROJECT_NAME,
    clean_message,
    data_window,
    dbt_args,
    invoke,
    missing_raw_table,
    outcomes,
)
from hospital_analytics.warehouse import Warehouse, make_warehouse
from hospital_analytics.warehouse.feed import FEED_TABLES

__all__ = ["COMMANDS", "DocsResult", "NodeOutcome", "TransformResult", "docs", "transform"]

# dbt commands ``transform`` runs (``--full-refresh`` applies to build and run only).
COMMANDS: tuple[str, ...] = ("build", "run", "snapshot", "test", "compile")
LOAD_HINT = "Run `hospital generate` and `hospital load` first (or `hospital run-all`), then transform again."


def check_raw_tables(s: Settings) -> Warehouse:
    """The warehouse, once it holds every RAW table; ``StepOrderError`` otherwise (``hospital load`` has not
    run). Nothing is created (dbt-duckdb would create an empty DuckDB file).
    """
    warehouse = make_warehouse(s)  # read-write, as dbt opens it: DuckDB refuses mixed modes in one process
    warehouse.ensure_exists()
    with warehouse:
        missing = [t for t in (*RAW_TABLES, *FEED_TABLES) if not warehouse.table_exists(s.raw_schema, t)]
    if missing:
        raise StepOrderError(
            f"The {s.raw_schema} table{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"{'are' if len(missing) > 1 else 'is'} missing in {warehouse.describe()}: run `hospital load` first.",
            LOAD_HINT,
        )
    return warehouse


def _missing_table_error(s: Settings, table: str) -> StepOrderError:
    return StepOrderError(f"The {s.raw_schema} table {table} is missing: run `hospital load` first.", LOAD_HINT)


def _inspect_hint(failed: Sequence[NodeOutcome], s: Settings, warehouse: Warehouse, project: Path) -> str:
    """How to look at the first failing test with plain dbt: the command, and where its SQL is."""
    first = failed[0]
    store = "" if first.resource_type == "unit_test" else " --store-failures"
    command = (
        f"{warehouse.profile_hint()} dbt test --select {first.node}{store} --project-dir {project} "
        f"--profiles-dir {project} --target-path {s.layout.dbt_target_dir.resolve()} "
        f"--log-path {s.layout.dbt_log_dir.resolve()} --vars '{data_window(s).vars_text()}'"
    )
    where = first.compiled_path or str(s.layout.dbt_target_dir / "compiled" / PROJECT_NAME)
    saved = "; failing rows go to schema dbt_test__audit" if store else ""
    return f"Inspect with `{command}`{saved}; compiled SQL: {where}; full log: {s.layout.dbt_log_dir / 'dbt.log'}."


def _raise_for(result: TransformResult, s: Settings, warehouse: Warehouse, project: Path) -> None:
    errors = [n for n in result.nodes if n.status == "error" and n.resource_type not in ("test", "unit_test")]
    failed_tests = [n for n in result.tests if n.failed]
    if errors:
        first = errors[0]
        missing = missing_raw_table(first.message or "")
        if missing:
            raise _missing_table_error(s, missing)
        raise TransformError(
            f"dbt {result.command} failed: {len(errors)} {'node' if len(errors) == 1 else 'nodes'} errored "
            f"({node_names(errors)}); {first.node}: {first.message}",
            warehouse.dbt_error_hint(first.message or "")
            or f"See {s.layout.dbt_log_dir / 'dbt.log'}; compiled SQL under {s.layout.dbt_target_dir / 'compiled'}.",
            result=result,
        )
    if failed_tests:
        raise TransformError(
            f"{len(failed_tests)} dbt {'test' if len(failed_tests) == 1 else 'tests'} failed: "
            f"{node_names(failed_tests)}.",
            _inspect_hint(failed_tests, s, warehouse, project),
            result=result,
        )


def transform(
    settings: Settings | None = None,
    *,
    select: str | Sequence[str] | None = None,
    full_refresh: bool = False,
    command: str = "build",
    progress: Collector = SILENT,
    **overrides: Any,
) -> TransformResult:
    """Build the dbt project's models and run its tests on the configured warehouse, in this process.

    Args:
        settings: the settings (default: from the environment and .env). They fill ``profiles.yml``
            (warehouse, DuckDB file, Snowflake account, schemas, threads). The ``window_start`` and
            ``window_end`` vars come from ``data/manifest.json`` when it has them (after ``hospital advance``
            the data's window is longer than the settings'), else from the settings' start and end.
        select: dbt node selection (``--select``), e.g. ``"kpis+"`` or ``["stg_patients", "tag:x"]``.
        full_refresh: rebuild incremental models from scratch (``--full-refresh``; build and run only).
        command: ``build`` (models, snapshots and tests, the default), ``run`` (models only), ``snapshot``
            (the snapshots only: after ``run``, before ``test``), ``test`` or ``compile``.
        progress: receives one counter, ``dbt <command>``, advanced once per finished dbt node.
        **overrides: setting overrides, e.g. ``output_dir="out"``, ``warehouse="snowflake"``.

    Returns:
        TransformResult: one ``NodeOutcome`` per node (status, rows, seconds), the dbt log and target paths.

    Raises:
        ConfigError: an unknown command, or a setting is missing or invalid.
        StepOrderError: a RAW table is missing (``hospital load`` has not run).
        WarehouseError: the warehouse cannot be reached or opened.
        TransformError: a model failed, or tests failed (their names and how to inspect them in the
            message and hint; the ``TransformResult`` is the exception's ``result``).
    """
    s = resolve_settings(settings, **overrides)
    if command not in COMMANDS:
        raise ConfigError(f"Unknown dbt command {command!r}.", f"Use one of: {', '.join(COMMANDS)}.")
    if full_refresh and command not in ("build", "run"):
        raise ConfigError(f"--full-refresh does not apply to dbt {command}.", "Use it with build or run.")
    selection = _selection(select)
    started = time.perf_counter()
    warehouse = check_raw_tables(s)
    source = user_project.dbt_project(s)
    project = source.path

    extra: list[str] = []
    if selection:
        extra += ["--select", *selection]
    if full_refresh:
        extra.append("--full-refresh")
    args = dbt_args([command], s, warehouse, project, extra)
    window = data_window(s)
    events = DbtProgress(progress, f"dbt {command}")
    try:
        with user_project.active(s):
            outcome = invoke(args, s, warehouse, [events])
    finally:
        events.close()

    if outcome.result is None or not hasattr(outcome.result, "results"):
        text = clean_message(outcome.exception or "dbt stopped without a result", s)
        text = re.sub(r"^(Runtime|Compilation|Parsing) Error;?\s*", "", text)
        if selection and ("not a valid method name" in text or "selector" in text.lower()):
            raise ConfigError(
                f"--select {' '.join(selection)!r} is not a valid dbt selection ({text}).",
                "Use dbt's selection syntax: model names, name+ / +name, tag:..., path:..., test_type:unit.",
            )
        missing = missing_raw_table(text)
        if missing:
            raise _missing_table_error(s, missing)
        if "No space left on device" in text:
            raise TransformError(
                f"dbt {command} failed: No space left on device (writing under {s.layout.dbt_dir}).",
                "Free some disk space (or use another --out), then run again.",
            )
        raise TransformError(
            f"dbt {command} failed: {text}",
            f"See {s.layout.dbt_log_dir / 'dbt.log'} for dbt's full output.",
        )

    nodes = outcomes(outcome.result, s)
    if selection and not nodes:
        raise ConfigError(
            f"--select {' '.join(selection)!r} matches no model or test of the dbt project.",
            "Check the names (e.g. kpis, fct_hospitalizations+, stg_patients); see the docs page from `hospital docs`.",
        )
    built_tables = [n.node for n in nodes if n.materialized in ("table", "incremental") and n.status == "success"]
    if built_tables:
        # Rows in each built table: dbt-duckdb reports none for CREATE TABLE AS, dbt-snowflake 1 (the status row).
        with warehouse:
            counts = warehouse.row_counts(s.analytics_schema, built_tables)
        for n in nodes:
            if n.materialized in ("table", "incremental") and n.node in counts:
                n.rows = counts[n.node]
    result = TransformResult(
        step="transform",
        seconds=time.perf_counter() - started,
        command=command,
        warehouse=warehouse.name,
        database=warehouse.catalog,
        schema=s.analytics_schema,
        select=" ".join(selection) if selection else None,
        full_refresh=full_refresh,
        nodes=nodes,
        project_dir=project,
        project=source.label,
        target_dir=s.layout.dbt_target_dir,
        log_file=s.layout.dbt_log_dir / "dbt.log",
        window=f"{window.start} to {window.end} (from {window.source})",
    )
    _raise_for(result, s, warehouse, project)
    return result


def _selection(select: str | Sequence[str] | None) -> list[str]:
    """dbt selectors, one per word (dbt's union syntax); anything that dbt would read as a flag is refused, so
    only selection reaches dbt (``'kpis --empty'`` would otherwise rebuild the marts empty)."""
    if select is None:
        return []
    items = [select] if isinstance(select, str) else list(select)
    parts = [part for item in items for part in str(item).split() if part]
    for part in parts:
        if part.startswith("-") or "\x00" in part:
            raise ConfigError(
                f"--select {' '.join(parts)!r} holds {part!r}, which is not dbt selection syntax.",
                "Give only selectors (names, name+ / +name, tag:..., path:...); dbt's flags are set by hospital.",
            )
    return parts


def docs(settings: Settings | None = None, *, progress: Collector = SILENT, **overrides: Any) -> DocsResult:
    """Write dbt's documentation site as one static HTML file (``dbt docs generate --static``).

    The page (models, columns, tests, lineage, the warehouse's catalog) goes to ``docs/index.html`` under
    the output folder; open it in a browser, no server needed.

    Args:
        settings: the settings (default: from the environment and .env).
        progress: receives one counter, ``dbt docs``.
        **overrides: setting overrides, e.g. ``output_dir="out"``.

    Returns:
        DocsResult: the HTML file's path and size, and how many models and sources it documents.

    Raises:
        StepOrderError: the warehouse holds no RAW tables yet (``hospital load`` has not run).
        TransformError: dbt could not generate the documentation.
    """
    s = resolve_settings(settings, **overrides)
    started = time.perf_counter()
    warehouse = check_raw_tables(s)
    source = user_project.dbt_project(s)
    project = source.path
    progress.update("dbt docs", 0, total=1)
    outcome = invoke(dbt_args(["docs", "generate"], s, warehouse, project, ["--static"]), s, warehouse)
    static = s.layout.dbt_target_dir / "static_index.html"
    if not outcome.success or not static.is_file():
        raise TransformError(
            f"dbt docs generate failed: {clean_message(outcome.exception or 'no static_index.html written', s)}",
            f"See {s.layout.dbt_log_dir / 'dbt.log'} for dbt's full output.",
        )
    html = s.layout.docs_html
    ensure_writable_dir(html.parent, "docs folder")
    with atomic_path(html) as tmp:
        shutil.copyfile(static, tmp)
    manifest = json.loads((s.layout.dbt_target_dir / "manifest.json").read_text(encoding="utf-8"))
    progress.update("dbt docs", 1)
    return DocsResult(
        step="docs",
        seconds=time.perf_counter() - started,
        html=html,
        bytes=html.stat().st_size,
        models=sum(1 for n in manifest.get("nodes", {}).values() if n.get("resource_type") == "model"),
        sources=len(manifest.get("sources", {})),
        project=source.label,
    )
