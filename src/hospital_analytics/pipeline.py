"""``run_all``: generate, load, transform, analyze and export in one go, or resume from a step."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from hospital_analytics.config import Settings, resolve_settings
from hospital_analytics.errors import ConfigError
from hospital_analytics.fsutil import folder_lock
from hospital_analytics.progress import SILENT, Collector
from hospital_analytics.results import StepResult, kpi_rows
from hospital_analytics.steps import PIPELINE, STEPS


@dataclasses.dataclass
class StepTiming:
    step: str
    seconds: float


@dataclasses.dataclass
class RunAllResult(StepResult):
    """What ``run_all`` did: each step's time and result, the KPIs and where the outputs are."""

    warehouse: str = "duckdb"
    started_from: str = "generate"
    timings: list[StepTiming] = dataclasses.field(default_factory=list)
    kpis: dict[str, Any] = dataclasses.field(default_factory=dict)
    report: Path | None = None
    interactive_dashboard: Path | None = None  # analyze's dashboard.html
    dashboard: Path | None = None  # export's Tableau workbook (.twbx)
    export_dir: Path | None = None
    dbt_project: str = ""  # the dbt project built and why that one (project.Source.label)
    dashboard_spec: str = ""  # the Tableau spec the workbook came from, and why that one
    notes: list[str] = dataclasses.field(default_factory=list)
    results: dict[str, StepResult] = dataclasses.field(default_factory=dict, repr=False)

    def summary_rows(self) -> list[tuple[str, str]]:
        rows = [("warehouse", self.warehouse)]
        rows += [(timing.step, f"{timing.seconds:.2f} s") for timing in self.timings]
        rows += kpi_rows(self.kpis)
        rows += [
            ("report", str(self.report)),
            ("interactive", str(self.interactive_dashboard)),
            ("dashboard", str(self.dashboard)),
            ("exports", str(self.export_dir)),
        ]
        rows += [
            (label, text)
            for label, text in (("dbt project", self.dbt_project), ("dashboard spec", self.dashboard_spec))
            if text
        ]
        return rows + [("note", note) for note in self.notes]


def run_all(
    settings: Settings | None = None,
    *,
    start_from: str = "generate",
    days: int | None = None,
    progress: Collector = SILENT,
    **overrides: Any,
) -> RunAllResult:
    """Run the whole pipeline: generate, load, transform, analyze, export.

    Args:
        settings: the settings to run with (default: environment and ``.env``).
        start_from: the first step to run (any case); earlier steps' outputs are reused as they are on disk
            and in the warehouse.
        days: continue the simulation in the output folder by this many days (``advance``) instead of
            generating, then load (the new feed partitions only), transform, analyze and export.
        progress: hears each step's ``start`` and ``stop`` and the steps' counters (default: silent).
        **overrides: setting values that replace those of ``settings``.

    Returns:
        RunAllResult with per-step timings and results, the KPIs and the output paths.

    Raises:
        ConfigError: ``start_from`` is not a step, or a setting is invalid (the warehouse's identifiers and
            credentials are checked before the first step runs).
        HospitalError: whichever step failed, with its own message and hint.
    """
    first = start_from.strip().lower()
    if first not in PIPELINE:
        raise ConfigError(f"Unknown step {start_from!r} for --from.", f"Choose one of: {', '.join(PIPELINE)}.")
    if days is not None:
        _check_days(days)
        if first != "generate":
            raise ConfigError(
                "--days continues the simulation (advance), then runs every step after it: --from cannot apply.",
                "Leave out --from (or --days).",
            )
        check_reuse("advance", [f"--{name}" for name in GENERATE_ONLY if overrides.get(name) is not None])
    check_reuse(first, [f"--{name}" for name in GENERATE_ONLY if overrides.get(name) is not None])
    settings = resolve_settings(settings, **overrides)
    _check_warehouse_settings(settings)
    names = list(PIPELINE)[list(PIPELINE).index(first) :]
    if days is not None:
        names = ["advance", *names[1:]]
    begun = time.perf_counter()
    result = RunAllResult(step="run-all", seconds=0.0, warehouse=settings.warehouse, started_from=first)
    with folder_lock(settings.output_dir, "run-all"):  # held from step to step
        for name in names:
            step_begun = time.perf_counter()
            options = {"days": days} if name == "advance" else {}
            result.results[name] = STEPS[name].run(settings, progress, **options)
            result.timings.append(StepTiming(name, time.perf_counter() - step_begun))
    result.seconds = time.perf_counter() - begun
    _collect_outputs(result, settings)
    return result


# Settings only generate reads: resuming from a later step reuses data they cannot change.
GENERATE_ONLY = ("patients", "doctors", "hospitalizations", "scale", "seed", "start", "end", "locale", "defects")


def check_reuse(start_from: str, given: list[str]) -> None:
    """Refuse generate's settings (``given``: their flags, e.g. ``--seed``) when a run resumes after generate.

    Raises:
        ConfigError: ``start_from`` is a later step and ``given`` is not empty.
    """
    first = start_from.strip().lower()
    if given and first == "advance":
        raise ConfigError(
            f"--days continues the simulation already generated: {', '.join(given)} cannot apply to it.",
            f"Leave out {', '.join(given)}, or run without --days to generate the data again.",
        )
    if given and first in PIPELINE and first != "generate":
        raise ConfigError(
            f"--from {first} reuses the data already generated: {', '.join(given)} cannot apply to it.",
            f"Leave out {', '.join(given)}, or run without --from to generate the data again.",
        )


def _check_warehouse_settings(settings: Settings) -> None:
    """The warehouse's identifiers and credentials, and the project's files, checked before the first step,
    without connecting: a missing SNOWFLAKE_PASSWORD or dbt project fails at once, not after generate has run."""
    from hospital_analytics import project
    from hospital_analytics.warehouse import make_warehouse

    make_warehouse(settings).check_settings()
    project.dbt_project(settings)
    project.dashboard_spec(settings)


def _collect_outputs(result: RunAllResult, settings: Settings) -> None:
    """KPIs from analyze and the output paths."""
    analysis = result.results.get("analyze")
    result.kpis = dict(getattr(analysis, "kpis", None) or {})
    layout = settings.layout
    result.report = layout.report if layout.report.exists() else None
    result.interactive_dashboard = layout.dashboard if layout.dashboard.exists() else None
    exported = result.results.get("export")
    result.dashboard = getattr(exported, "packaged_workbook", None)
    result.export_dir = getattr(exported, "export_dir", None)
    result.notes = list(getattr(exported, "notes", None) or [])
    used = result.results.get("transform") or analysis  # analyze reads the KPI definition from it
    result.dbt_project = str(getattr(used, "project", "") or "")
    result.dashboard_spec = str(getattr(exported, "dashboard_spec", "") or "")


def _check_days(days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ConfigError(f"Invalid --days (got {days!r}): at least 1 day.", "e.g. `--days 7`.")


@dataclasses.dataclass
class DayRecord:
    """One simulated day of ``daily``: the day, the feed rows it brought, each step's seconds."""

    day: str  # the simulation's new last day, YYYY-MM-DD
    feed_rows: dict[str, int]  # new rows per feed table (the day's partitions, late events included)
    partitions: int  # feed partitions loaded
    advance_seconds: float
    load_seconds: float
    transform_seconds: float
    incremental_rows: dict[str, int | None] = dataclasses.field(default_factory=dict)  # rows in each model after

    @property
    def rows(self) -> int:
        return sum(self.feed_rows.values())

    @property
    def seconds(self) -> float:
        return self.advance_seconds + self.load_seconds + self.transform_seconds


@dataclasses.dataclass
class DailyResult(StepResult):
    """What ``daily`` did: one ``DayRecord`` per simulated day."""

    warehouse: str = "duckdb"
    days: list[DayRecord] = dataclasses.field(default_factory=list)

    def summary_rows(self) -> list[tuple[str, str]]:
        rows = [("warehouse", self.warehouse)]
        rows += [
            (
                record.day,
                f"{record.rows:,} new feed rows; advance {record.advance_seconds:.2f} s, load "
                f"{record.load_seconds:.2f} s, transform {record.transform_seconds:.2f} s",
            )
            for record in self.days
        ]
        return rows

    def outcome(self) -> str:
        return f"{len(self.days)} days, {sum(r.rows for r in self.days):,} feed rows"


def daily(
    settings: Settings | None = None, *, days: int = 1, progress: Collector = SILENT, **overrides: Any
) -> DailyResult:
    """The daily pipeline, once per simulated day: advance 1 day, load (the new partitions), transform
    (the incremental models take the new events; the other models are rebuilt; snapshots record changes).

    Args:
        settings: the settings (default: environment and ``.env``).
        days: how many simulated days to run (at least 1).
        progress: hears each step's ``start`` and ``stop`` and its counters.
        **overrides: setting values that replace those of ``settings``.

    Returns:
        DailyResult: per day, the feed rows loaded and each step's seconds.

    Raises:
        ConfigError: ``days`` is not a positive whole number, or a setting is invalid.
        HospitalError: whichever step failed, with its own message and hint (days done before stay done).
    """
    _check_days(days)
    settings = resolve_settings(settings, **overrides)
    _check_warehouse_settings(settings)
    begun = time.perf_counter()
    result = DailyResult(step="daily", seconds=0.0, warehouse=settings.warehouse)
    with folder_lock(settings.output_dir, "daily"):
        for _ in range(days):
            started = time.perf_counter()
            advanced = STEPS["advance"].run(settings, progress, days=1)
            advanced_at = time.perf_counter()
            loaded: Any = STEPS["load"].run(settings, progress)
            loaded_at = time.perf_counter()
            built: Any = STEPS["transform"].run(settings, progress)
            manifest = settings.layout.read_manifest() or {}
            result.days.append(
                DayRecord(
                    day=str(manifest.get("end") or getattr(advanced, "end", "")),
                    feed_rows={name: stats.rows_new for name, stats in loaded.feed.items()},
                    partitions=loaded.feed_partitions_new,
                    advance_seconds=advanced_at - started,
                    load_seconds=loaded_at - advanced_at,
                    transform_seconds=time.perf_counter() - loaded_at,
                    incremental_rows={n.node: n.rows for n in built.models if n.materialized == "incremental"},
                )
            )
    result.seconds = time.perf_counter() - begun
    return result
