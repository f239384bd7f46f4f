"""``run_all``: generate, load, transform, analyze and export in one go, or resume from a step."""

from __future__ import annotations

import dataclasses
import importlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hospital_analytics.config import Settings, resolve_settings
from hospital_analytics.errors import ConfigError
from hospital_analytics.progress import NULL_PROGRESS, Progress
from hospital_analytics.results import StepResult

# Pipeline order: step name -> (module, function). Each function takes (settings, progress=...).
STEPS: dict[str, tuple[str, str]] = {
    "generate": ("hospital_analytics.synth", "generate"),
    "load": ("hospital_analytics.warehouse", "load"),
    "transform": ("hospital_analytics.transformation", "transform"),
    "analyze": ("hospital_analytics.analysis", "analyze"),
    "export": ("hospital_analytics.exports", "export"),
}


def step_function(name: str) -> Callable[..., StepResult]:
    """The library function that runs pipeline step ``name``."""
    module, function = STEPS[name]
    return getattr(importlib.import_module(module), function)


class StepObserver:
    """Told when each pipeline step starts and finishes; the default does nothing."""

    def step_started(self, step: str) -> None:
        pass

    def step_finished(self, step: str, result: StepResult, seconds: float) -> None:
        pass


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
    dashboard: Path | None = None
    export_dir: Path | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    results: dict[str, StepResult] = dataclasses.field(default_factory=dict, repr=False)

    def summary_rows(self) -> list[tuple[str, str]]:
        rows = [("warehouse", self.warehouse)]
        rows += [(timing.step, f"{timing.seconds:.2f} s") for timing in self.timings]
        rows += _kpi_rows(self.kpis)
        rows += [("report", str(self.report)), ("dashboard", str(self.dashboard)), ("exports", str(self.export_dir))]
        return rows + [("note", note) for note in self.notes]


def _kpi_rows(kpis: dict[str, Any]) -> list[tuple[str, str]]:
    """The headline numbers, formatted for people."""
    if not kpis:
        return []
    k = kpis
    return [
        ("admissions", f"{k['admissions']:,}"),
        ("patients", f"{k['patients']:,}"),
        ("average stay", f"{k['average_length_of_stay_days']:.2f} days (median {k['median_length_of_stay_days']:g})"),
        ("30-day readmissions", f"{k['readmission_rate_30d']:.1%}"),
        ("bed days", f"{k['bed_days']:,}"),
        ("peak census", f"{k['peak_census']:,} patients on {k['peak_census_date']}"),
        ("total charges", f"${k['total_charges']:,.0f}"),
    ]


def run_all(
    settings: Settings | None = None,
    *,
    start_from: str = "generate",
    progress: Progress = NULL_PROGRESS,
    observer: StepObserver | None = None,
    **overrides: Any,
) -> RunAllResult:
    """Run the whole pipeline: generate, load, transform, analyze, export.

    Args:
        settings: the settings to run with (default: environment and ``.env``).
        start_from: the first step to run; earlier steps' outputs are reused as they are on disk
            and in the warehouse.
        progress: receives each step's progress (default: silent).
        observer: told as each step starts and finishes (the CLI draws a line per step).
        **overrides: setting values that replace those of ``settings``.

    Returns:
        RunAllResult with per-step timings and results, the KPIs and the output paths.

    Raises:
        ConfigError: ``start_from`` is not a step, or a setting is invalid (the warehouse's identifiers and
            Snowflake credentials are checked before the first step runs).
        HospitalError: whichever step failed, with its own message and hint.
    """
    if start_from not in STEPS:
        raise ConfigError(f"Unknown step {start_from!r} for --from.", f"Choose one of: {', '.join(STEPS)}.")
    settings = resolve_settings(settings, **overrides)
    _check_warehouse_settings(settings)
    names = list(STEPS)[list(STEPS).index(start_from) :]
    begun = time.perf_counter()
    result = RunAllResult(step="run-all", seconds=0.0, warehouse=settings.warehouse, started_from=start_from)
    observer = observer or StepObserver()
    for name in names:
        observer.step_started(name)
        step_begun = time.perf_counter()
        step_result = step_function(name)(settings, progress=progress)
        seconds = time.perf_counter() - step_begun
        result.results[name] = step_result
        result.timings.append(StepTiming(name, seconds))
        observer.step_finished(name, step_result, seconds)
    result.seconds = time.perf_counter() - begun
    _collect_outputs(result, settings)
    return result


def _check_warehouse_settings(settings: Settings) -> None:
    """The warehouse's identifiers and (Snowflake) credentials, checked before the first step, without
    connecting: a missing SNOWFLAKE_PASSWORD fails at once, not after generate has run."""
    from hospital_analytics.warehouse import make_warehouse

    make_warehouse(settings)
    if settings.warehouse == "snowflake":
        from hospital_analytics.warehouse.snowflake import connect_kwargs

        connect_kwargs(settings)


def _collect_outputs(result: RunAllResult, settings: Settings) -> None:
    """KPIs from analyze (or the kpis mart when analyze was not run here) and the output paths."""
    analysis = result.results.get("analyze")
    result.kpis = dict(getattr(analysis, "kpis", None) or {})
    layout = settings.layout
    result.report = layout.report if layout.report.exists() else None
    exported = result.results.get("export")
    result.dashboard = getattr(exported, "packaged_workbook", None)
    result.export_dir = getattr(exported, "export_dir", None)
    result.notes = list(getattr(exported, "notes", None) or [])
