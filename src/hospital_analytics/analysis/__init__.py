"""analyze: the marts -> DataFrames -> matplotlib charts -> a self-contained ``report.html``.

import hospital_analytics as ha
result = ha.analyze()                       # reads the ANALYTICS marts built by `hospital transform`
result.figures["monthly_admissions"]        # a matplotlib Figure; shows inline in a notebook
result.frames["admissions_by_month"]        # the DataFrame behind it
result.quality                              # data-quality counts: issues, classes, tables, quarantined
result.report                               # Path of report.html
result.dashboard                            # Path of dashboard.html (interactive, cross-filtered)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from hospital_analytics.config import Settings, available_cores, resolve_settings
from hospital_analytics.errors import AnalyzeError
from hospital_analytics.fsutil import atomic_path, ensure_writable_dir, remove_stale_temporaries
from hospital_analytics.progress import SILENT, Collector
from hospital_analytics.project import dashboard_spec, dbt_project, uses_project
from hospital_analytics.results import StepResult, kpi_rows
from hospital_analytics.warehouse import open_warehouse

from . import charts, dashboard, marts, quality, report
from .charts import CHART_NAMES, QUALITY_CHART
from .marts import QUERIES

__all__ = ["CHART_NAMES", "AnalysisResult", "analyze"]

TASK = "analyze"


@dataclasses.dataclass
class AnalysisResult(StepResult):
    """What ``analyze`` made: chart files, the report, the headline numbers, and (in Python only) the
    DataFrames and Figures behind them.

    Attributes:
        report: path of ``report.html``.
        dashboard: path of ``dashboard.html``, the interactive dashboard.
        charts: chart files written, in chart order (PNG and/or SVG).
        kpis: headline numbers (admissions, patients, average stay, readmission rate, peak census, ...).
        quality: the data-quality marts' counts (issues, classes, tables, quarantined; marts False when the
            warehouse has none).
        warehouse: where the marts were read from (no secrets).
        frames: name -> DataFrame read from the marts (not in ``to_dict``/JSON).
        figures: chart name -> matplotlib Figure (not in ``to_dict``/JSON).
    """

    report: Path
    dashboard: Path
    charts: list[Path]
    kpis: dict[str, Any]
    warehouse: str
    project: str = ""  # the dbt project whose KPI definition was used, and why that one
    quality: dict[str, Any] = dataclasses.field(default_factory=dict)
    frames: dict[str, pd.DataFrame] = dataclasses.field(default_factory=dict, repr=False)
    figures: Mapping[str, Figure] = dataclasses.field(default_factory=dict, repr=False)

    def summary_rows(self) -> list[tuple[str, str]]:
        rows = [("report", str(self.report)), ("dashboard", str(self.dashboard))]
        rows += [("charts" if i == 0 else "", str(path)) for i, path in enumerate(self.charts)]
        rows += [("dbt project", self.project)] if self.project else []
        return [*rows, ("warehouse", self.warehouse), *kpi_rows(self.kpis), *self._quality_rows()]

    def _quality_rows(self) -> list[tuple[str, str]]:
        if not self.quality:
            return []
        q = self.quality
        if not q.get("issues"):
            return [("data quality", quality.NO_DEFECTS)]
        return [
            (
                "data quality",
                f"{q['issues']:,} issues in {q['classes']} classes, {q['quarantined']:,} rows quarantined "
                "(report: Data quality)",
            )
        ]

    def outcome(self) -> str:
        return f"{len(self.charts)} charts, {self.report.name} and {self.dashboard.name}"


def _formats(chart_format: str) -> tuple[str, ...]:
    return {"png": ("png",), "svg": ("svg",), "both": ("png", "svg")}[chart_format]


@uses_project
def analyze(settings: Settings | None = None, *, progress: Collector = SILENT, **overrides: Any) -> AnalysisResult:
    """Read the marts, draw the charts and write ``charts/*``, ``report.html`` and ``dashboard.html`` under the
    output folder.

    Args:
        settings: the run's settings (default: environment, ``.env``, defaults).
        progress: receives one "analyze" counter advancing per query, chart and file written.
        **overrides: setting names and values that win over ``settings`` (``output_dir``, ``warehouse``,
            ``chart_format`` ("png", "svg" or "both"), ``duckdb_path``, ...).

    Returns:
        AnalysisResult with the report and chart paths, the KPIs, and the DataFrames and Figures.

    Raises:
        StepOrderError: the warehouse or its marts are missing or empty (run ``hospital transform``).
        WarehouseError: the warehouse could not be reached.
        AnalyzeError: a mart could not be read, or a chart, the report or the dashboard could not be written.
        ConfigError / InputError: an override is invalid, or the output folder is not writable.
    """
    started = time.perf_counter()
    s = resolve_settings(settings, **overrides)
    layout = s.layout
    formats = _formats(s.chart_format)
    total = len(QUERIES) + 2 * len(CHART_NAMES) + 2
    progress.update(TASK, 0, total=total)

    # read-only: a notebook may hold the DuckDB file too
    with open_warehouse(s, read_only=True) as wh:
        frames = marts.read_marts(wh, s.analytics_schema, on_query=lambda _name: progress.update(TASK))
        cube = dashboard.read_cube(wh, s.analytics_schema)
        columns = marts.mart_columns(wh, s.analytics_schema)
        dq = quality.read(wh, s.analytics_schema)
        warehouse = f"{wh.describe()}, schema {s.analytics_schema}"
    kpis = marts.kpi_values(frames)
    frames.update(data_quality_summary=dq.summary, data_quality_rules=dq.rules, data_quality_quarantine=dq.quarantine)
    manifest = layout.read_manifest()

    figures: dict[str, Figure] = dict(charts.build_figures(frames, on_chart=lambda _name: progress.update(TASK)))
    if dq.issues:
        figures[QUALITY_CHART] = charts.data_quality(
            dq.summary, quality.FEED_TABLES, quality.ordered(dq.summary["defect"])
        )
        progress.update(TASK, 0, total=total + 2)
        progress.update(TASK)

    charts_dir = ensure_writable_dir(layout.charts_dir, "charts folder")
    ensure_writable_dir(layout.report.parent)
    remove_stale_temporaries(charts_dir)
    written: list[Path] = []
    images: dict[str, bytes] = {}
    try:
        rendered = charts.render_all(figures, tuple(dict.fromkeys(("png", *formats))), jobs=s.jobs or available_cores())
        for name, data in rendered:
            images[name] = data["png"]  # the report embeds the PNG
            for fmt in formats:
                final = charts_dir / f"{name}.{fmt}"
                with atomic_path(final) as tmp:
                    tmp.write_bytes(data[fmt])
                written.append(final)
            for fmt in {"png", "svg"} - set(formats):  # a chart from an earlier run in another format is stale
                (charts_dir / f"{name}.{fmt}").unlink(missing_ok=True)
            progress.update(TASK)
        created = dt.datetime.now(dt.timezone.utc)
        quality_image = images.pop(QUALITY_CHART, None)
        text = report.render(
            kpis=kpis,
            frames=frames,
            images=images,
            settings=s,
            warehouse=warehouse,
            manifest=manifest,
            created=created,
            project=report.project_rows(dbt_project(s), dashboard_spec(s), columns),
            quality=dq,
            quality_image=quality_image,
        )
        path = report.write_report(layout.report, text)
        progress.update(TASK)
        page = dashboard.write(
            layout.dashboard,
            dashboard.render(
                dashboard.build_payload(cube, quality.payload(dq, manifest)),
                title="Hospital operations dashboard",
                subtitle=report.period_and_source(kpis, warehouse),
                created=created,
            ),
        )
    except OSError as exc:
        raise AnalyzeError(
            f"Writing the charts, report or dashboard under {layout.root} failed: {exc.strerror or exc}.",
            "Check the free space and permissions of the output folder (--out).",
        ) from None
    progress.update(TASK)
    return AnalysisResult(
        step=TASK,
        seconds=time.perf_counter() - started,
        report=path,
        dashboard=page,
        charts=written,
        kpis=kpis,
        warehouse=warehouse,
        project=dbt_project(s).label,
        quality=dq.totals(),
        frames=frames,
        figures=figures,
    )
