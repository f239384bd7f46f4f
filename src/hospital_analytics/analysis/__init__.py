"""analyze: the marts -> DataFrames -> matplotlib charts -> a self-contained ``report.html``.

import hospital_analytics as ha
result = ha.analyze()                       # reads the ANALYTICS marts built by `hospital transform`
result.figures["monthly_admissions"]        # a matplotlib Figure; shows inline in a notebook
result.frames["admissions_by_month"]        # the DataFrame behind it
result.report                               # Path of report.html
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from hospital_analytics.config import Settings, resolve_settings
from hospital_analytics.errors import AnalyzeError
from hospital_analytics.fsutil import atomic_path, ensure_writable_dir, remove_stale_temporaries
from hospital_analytics.progress import NULL_PROGRESS, Progress
from hospital_analytics.results import StepResult

from . import charts, marts, report
from .charts import CHART_NAMES
from .marts import QUERIES

__all__ = ["CHART_NAMES", "AnalysisResult", "analyze"]

TASK = "analyze"


@dataclasses.dataclass
class AnalysisResult(StepResult):
    """What ``analyze`` made: chart files, the report, the headline numbers, and (in Python only) the
    DataFrames and Figures behind them.

    Attributes:
        report: path of ``report.html``.
        charts: chart files written, in chart order (PNG and/or SVG).
        kpis: headline numbers (admissions, patients, average stay, readmission rate, peak census, ...).
        warehouse: where the marts were read from (no secrets).
        frames: name -> DataFrame read from the marts (not in ``to_dict``/JSON).
        figures: chart name -> matplotlib Figure (not in ``to_dict``/JSON).
    """

    report: Path
    charts: list[Path]
    kpis: dict[str, Any]
    warehouse: str
    frames: dict[str, pd.DataFrame] = dataclasses.field(default_factory=dict, repr=False)
    figures: dict[str, Figure] = dataclasses.field(default_factory=dict, repr=False)

    def summary_rows(self) -> list[tuple[str, str]]:
        k = self.kpis

        def num(name: str, fmt: str) -> str:
            value = k.get(name)
            return "–" if value is None else format(value, fmt)

        rows = [("report", str(self.report))]
        rows += [("charts" if i == 0 else "", str(path)) for i, path in enumerate(self.charts)]
        return rows + [
            ("warehouse", self.warehouse),
            ("admissions", num("admissions", ",d")),
            ("patients", num("patients", ",d")),
            ("average stay", num("average_length_of_stay_days", ".2f") + " days"),
            ("readmission rate", num("readmission_rate_30d", ".1%")),
            ("peak census", f"{num('peak_census', ',d')} on {k.get('peak_census_date') or '–'}"),
        ]

    def __repr__(self) -> str:
        return f"AnalysisResult(report={str(self.report)!r}, charts={len(self.charts)}, figures={list(self.figures)})"


def _formats(chart_format: str) -> tuple[str, ...]:
    return {"png": ("png",), "svg": ("svg",), "both": ("png", "svg")}[chart_format]


def analyze(
    settings: Settings | None = None, *, progress: Progress = NULL_PROGRESS, **overrides: Any
) -> AnalysisResult:
    """Read the marts, draw the charts and write ``charts/*`` and ``report.html`` under the output folder.

    Args:
        settings: the run's settings (default: environment, ``.env``, defaults).
        progress: receives one "analyze" task advancing per query, chart and file written.
        **overrides: setting names and values that win over ``settings`` (``output_dir``, ``warehouse``,
            ``chart_format`` ("png", "svg" or "both"), ``duckdb_path``, ...).

    Returns:
        AnalysisResult with the report and chart paths, the KPIs, and the DataFrames and Figures.

    Raises:
        StepOrderError: the warehouse or its marts are missing or empty (run ``hospital transform``).
        WarehouseError: the warehouse could not be reached.
        AnalyzeError: a mart could not be read, or a chart or the report could not be written.
        ConfigError / InputError: an override is invalid, or the output folder is not writable.
    """
    started = time.perf_counter()
    s = resolve_settings(settings, **overrides)
    layout = s.layout
    formats = _formats(s.chart_format)
    total = len(QUERIES) + 2 * len(CHART_NAMES) + 1
    progress.start(TASK, total)

    with marts.open_reader(s) as wh:
        frames = marts.read_marts(wh, s.analytics_schema, on_query=lambda _name: progress.advance(TASK))
        warehouse = report.warehouse_description(s)
    kpis = marts.kpi_values(frames)

    figures = charts.build_figures(frames, on_chart=lambda _name: progress.advance(TASK))

    charts_dir = ensure_writable_dir(layout.charts_dir, "charts folder")
    ensure_writable_dir(layout.report.parent)
    remove_stale_temporaries(charts_dir)
    written: list[Path] = []
    images: dict[str, bytes] = {}
    try:
        for name, fig in figures.items():
            png = charts.figure_bytes(fig, "png")
            images[name] = png
            for fmt in formats:
                final = charts_dir / f"{name}.{fmt}"
                data = png if fmt == "png" else charts.figure_bytes(fig, fmt)
                with atomic_path(final) as tmp:
                    tmp.write_bytes(data)
                written.append(final)
            for fmt in {"png", "svg"} - set(formats):  # a chart from an earlier run in another format is stale
                (charts_dir / f"{name}.{fmt}").unlink(missing_ok=True)
            progress.advance(TASK)
        created = dt.datetime.now(dt.timezone.utc)
        text = report.render(
            kpis=kpis,
            frames=frames,
            images=images,
            settings=s,
            manifest=report.read_manifest(layout.manifest),
            created=created,
        )
        path = report.write_report(layout.report, text)
    except OSError as exc:
        raise AnalyzeError(
            f"Writing the charts or report under {layout.root} failed: {exc.strerror or exc}.",
            "Check the free space and permissions of the output folder (--out).",
        ) from None
    progress.advance(TASK)
    progress.finish(TASK)
    return AnalysisResult(
        step=TASK,
        seconds=time.perf_counter() - started,
        report=path,
        charts=written,
        kpis=kpis,
        warehouse=warehouse,
        frames=frames,
        figures=figures,
    )
