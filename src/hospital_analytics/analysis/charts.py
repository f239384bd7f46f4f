"""Charts from the marts' DataFrames: matplotlib ``Figure`` objects, never pyplot.

Figures are built with ``matplotlib.figure.Figure`` and an Agg canvas attached to each one, so nothing
touches pyplot's global figure list or the session's backend: a notebook user's own plots and settings are
left alone, and the figures still display inline (``ChartFigure._repr_png_``). Every chart plots
aggregated rows (a few hundred at most), so they look the same and draw as fast at 10M stays as at 1,000.

Styling is explicit per Axes (no ``rcParams`` changes): one palette, titles, axis labels with units,
thousands separators, and date ticks thinned for anything from one month to decades of data.
"""

from __future__ import annotations

import io
import math
import multiprocessing
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Literal

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

# --- palette: one set of colours for every chart and the report ----------------------------------------
PRIMARY = "#2b6a99"  # single-series bars and lines; men
ACCENT = "#d9733b"  # second series, highlights; women
TEAL = "#3a9e8f"
MUTED = "#9aa5b1"  # context: averages, tails, incomplete periods
INK = "#1f2933"  # text
GRID = "#d9dee4"
GENDER_COLOURS = {"F": ACCENT, "M": PRIMARY}
GENDER_NAMES = {"F": "Female", "M": "Male"}

PRINT_DPI = 200
SCREEN_DPI = 100
WIDE = (10.0, 4.8)
TALL = (10.0, 5.6)

# Stable chart names: the file names under charts/ and the keys of AnalysisResult.figures.
CHART_NAMES: tuple[str, ...] = (
    "monthly_admissions",
    "gender_distribution",
    "average_length_of_stay",
    "age_gender_pyramid",
    "length_of_stay_distribution",
    "top_diagnoses",
    "readmission_rate",
    "daily_census",
    "occupancy",
    "discharge_dispositions",
    "weekday_pattern",
)
HOSPITAL_COLOURS = (PRIMARY, ACCENT, TEAL, "#7b5ea7", "#c2a83e", "#5a8f29", "#b5495b", MUTED)
WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class ChartFigure(Figure):
    """A ``Figure`` that shows itself in Jupyter (as PNG) without pyplot or an inline backend."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=SCREEN_DPI)
        return buffer.getvalue()


def _figure(size: tuple[float, float] = WIDE) -> ChartFigure:
    fig = ChartFigure(figsize=size, dpi=SCREEN_DPI, layout="constrained", facecolor="white")
    FigureCanvasAgg(fig)  # the Agg canvas for this figure only; the global backend is not touched
    return fig


def _style(ax: Axes, *, grid_axis: Literal["both", "x", "y"] = "y") -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
    ax.tick_params(colors=INK, labelsize=10, length=3)
    ax.set_axisbelow(True)
    ax.grid(axis=grid_axis, color=GRID, linewidth=0.8)
    ax.xaxis.label.set_color(INK)
    ax.yaxis.label.set_color(INK)


def _title(ax: Axes, text: str) -> None:
    ax.set_title(text, loc="left", fontsize=14, fontweight="bold", color=INK, pad=10)


def _label(ax: Axes, x: str | None, y: str | None) -> None:
    if x is not None:
        ax.set_xlabel(x, fontsize=11)
    if y is not None:
        ax.set_ylabel(y, fontsize=11)


def thousands(value: float, _pos: object = None) -> str:
    """Tick text with thousands separators: 1,234,567; decimals only when the value has them."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}"


THOUSANDS = FuncFormatter(thousands)
ABS_THOUSANDS = FuncFormatter(lambda value, _pos=None: thousands(abs(value)))


def month_span(first: pd.Timestamp, last: pd.Timestamp) -> int:
    """Calendar months from ``first``'s month to ``last``'s month, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def date_axis(
    ax: Axes, first: pd.Timestamp, last: pd.Timestamp, *, pad_days: float, monthly: bool = False, max_ticks: int = 8
) -> None:
    """Date ticks that never crowd: at most ``max_ticks`` labels, on month (or year) starts.

    Monthly series (``monthly=True``, one point per month start) always get month ticks ("Jan 2025") and at
    least four months of room, so one month of data is one slim bar, not a wall. Short daily series (up to
    ~two months) get days ("15 Jan 2025": every day, or the 1st/8th/15th/22nd, ...); longer ones the first
    of every 1, 2, 3 or 6 months ("Jan 2025"); a decade gets every 2nd year ("2016"). The densest choice
    with at most ``max_ticks`` labels in view wins.
    """
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    months = month_span(first, last)
    if monthly and months < 4:
        pad_days += (4 - months) * 15
    lo, hi = first - pd.Timedelta(days=pad_days), last + pd.Timedelta(days=pad_days)
    ax.set_xlim(lo, hi)
    span_days = (last - first).days
    short = not monthly and span_days <= 62
    candidates: list[tuple[mdates.DateLocator, str]] = []
    if short:
        candidates += [(mdates.DayLocator(), "%d %b %Y")]
        candidates += [(mdates.DayLocator(bymonthday=d), "%d %b %Y") for d in ((1, 8, 15, 22), (1, 15), (1,))]
    candidates += [(mdates.MonthLocator(bymonth=range(1, 13, step)), "%b %Y") for step in (1, 2, 3, 6)]
    candidates += [(mdates.YearLocator(base=b, month=1, day=1), "%Y") for b in (1, 2, 5, 10, 20, 50, 100, 200)]
    limit = min(max_ticks, 6) if short else max_ticks
    view = mdates.date2num(lo.to_pydatetime()), mdates.date2num(hi.to_pydatetime())

    def in_view(candidate: mdates.DateLocator) -> int:
        candidate.set_axis(ax.xaxis)
        return sum(view[0] <= t <= view[1] for t in candidate.tick_values(lo.to_pydatetime(), hi.to_pydatetime()))

    # the densest candidate with 1..limit labels in view (a single month still gets its own label)
    locator, fmt = next(((c, f) for c, f in candidates if 1 <= in_view(c) <= limit), candidates[-1])
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter(fmt))
    ax.xaxis.set_minor_locator(mdates.MonthLocator() if months <= 36 and not short else mdates.YearLocator())
    ax.tick_params(axis="x", which="minor", length=2, colors=MUTED)
    for label in ax.get_xticklabels():
        label.set_rotation(0)
        label.set_horizontalalignment("center")


def _legend(fig: Figure, ax: Axes) -> None:
    """The legend below the plot, outside it, so it never hides data."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=len(handles), fontsize=10, frameon=False)


# --- the original three ---------------------------------------------------------------------------------
def monthly_admissions(by_month: pd.DataFrame) -> ChartFigure:
    """Bar chart: admissions per month (``patients_admissions_by_month``)."""
    fig = _figure()
    ax = fig.add_subplot()
    _style(ax)
    months = pd.to_datetime(by_month["month"])
    ax.bar(months, by_month["admissions"].to_numpy(), width=24, color=PRIMARY, align="center")
    if len(months):
        date_axis(ax, months.min(), months.max(), pad_days=20, monthly=True)
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    _title(ax, "Admissions per month")
    _label(ax, "Admission month", "Admissions (stays)")
    return fig


def gender_distribution(demographics: pd.DataFrame) -> ChartFigure:
    """Bar chart: patients (admitted in the window) by gender, with counts and shares (``patients_demographics``)."""
    totals = gender_totals(demographics)
    fig = _figure((7.0, 4.6))
    ax = fig.add_subplot()
    _style(ax)
    labels = [GENDER_NAMES.get(g, str(g)) for g in totals.index]
    colours = [GENDER_COLOURS.get(g, TEAL) for g in totals.index]
    bars = ax.bar(labels, totals.to_numpy(), color=colours, width=0.6)
    everyone = totals.sum()
    ax.bar_label(
        bars,
        labels=[f"{v:,} ({v / everyone:.1%})" if everyone else f"{v:,}" for v in totals],
        padding=3,
        fontsize=10,
        color=INK,
    )
    ax.set_ylim(0, max(1, totals.max()) * 1.15)
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    _title(ax, "Patients admitted in the window, by gender")
    _label(ax, "Gender", "Patients admitted in the window")
    return fig


def gender_totals(demographics: pd.DataFrame) -> pd.Series:
    """Patients per gender, women first then men (then anything else), as int64."""
    totals = demographics.groupby("gender", sort=False)["patients"].sum().astype("int64")
    order = [g for g in ("F", "M") if g in totals.index] + sorted(g for g in totals.index if g not in ("F", "M"))
    return totals.reindex(order)


def average_length_of_stay(by_month: pd.DataFrame, overall: float | None = None) -> ChartFigure:
    """Line chart: average length of stay of the stays admitted each month, with the overall average."""
    fig = _figure()
    ax = fig.add_subplot()
    _style(ax)
    months = pd.to_datetime(by_month["month"])
    values = by_month["average_length_of_stay_days"].to_numpy(dtype=float)
    ax.plot(
        months,
        values,
        color=PRIMARY,
        linewidth=2,
        label="Average for the month",
        marker="o" if len(months) <= 36 else None,
        markersize=4,
    )
    if overall is not None and not math.isnan(overall):
        ax.axhline(overall, color=MUTED, linestyle="--", linewidth=1.2, label=f"Whole period: {overall:.2f} days")
    _legend(fig, ax)
    if len(months):
        date_axis(ax, months.min(), months.max(), pad_days=20, monthly=True)
    top = np.nanmax(values) if len(values) and not np.all(np.isnan(values)) else 1.0
    ax.set_ylim(0, max(top, overall or 0) * 1.2 or 1)
    _title(ax, "Average length of stay by admission month")
    _label(ax, "Admission month", "Average length of stay (days)")
    return fig


# --- beyond them ----------------------------------------------------------------------------------------
def age_gender_pyramid(demographics: pd.DataFrame) -> ChartFigure:
    """Population pyramid: patients admitted in the window per age group (age at their first admission in it),
    men to the left, women to the right."""
    groups = (
        demographics[["age_group", "age_group_order"]].drop_duplicates().sort_values("age_group_order")["age_group"]
    ).tolist()
    table = (
        demographics.pivot_table(index="age_group", columns="gender", values="patients", aggfunc="sum")
        .reindex(groups)
        .fillna(0)
        .astype("int64")
    )
    fig = _figure(TALL)
    ax = fig.add_subplot()
    _style(ax, grid_axis="x")
    y = np.arange(len(groups))
    men = table["M"].to_numpy() if "M" in table else np.zeros(len(groups), dtype="int64")
    women = table["F"].to_numpy() if "F" in table else np.zeros(len(groups), dtype="int64")
    left = ax.barh(y, -men, color=GENDER_COLOURS["M"], height=0.7, label="Male")
    right = ax.barh(y, women, color=GENDER_COLOURS["F"], height=0.7, label="Female")
    ax.bar_label(left, labels=[f"{v:,}" for v in men], padding=3, fontsize=10, color=INK)
    ax.bar_label(right, labels=[f"{v:,}" for v in women], padding=3, fontsize=10, color=INK)
    widest = max(1, int(men.max(initial=0)), int(women.max(initial=0)))
    ax.set_xlim(-widest * 1.25, widest * 1.25)
    ax.axvline(0, color=INK, linewidth=0.8)
    ax.set_yticks(y, [plain(g) for g in groups])
    ax.xaxis.set_major_formatter(ABS_THOUSANDS)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True, symmetric=True))
    _legend(fig, ax)
    _title(ax, "Patients admitted in the window, by age group and gender")
    _label(ax, "Patients (men left, women right)", "Age group (years, age at admission: the first in the window)")
    return fig


def length_of_stay_bins(
    histogram: pd.DataFrame, share: float = 0.99, min_cap: int = 14
) -> tuple[pd.DataFrame, int | None]:
    """Per-day counts up to a cap, plus one tail bin for the longest 1% of stays.

    Returns (bins, tail_from): ``bins`` has ``length_of_stay_days`` and ``stays`` with every day from 0 to the
    cap (missing days counted 0); ``tail_from`` is the first day of the tail bin (its row is last), or None.
    """
    hist = histogram.sort_values("length_of_stay_days")
    days = hist["length_of_stay_days"].to_numpy(dtype="int64")
    counts = hist["stays"].to_numpy(dtype="int64")
    if len(days) == 0:
        return pd.DataFrame({"length_of_stay_days": [], "stays": []}, dtype="int64"), None
    cumulative = np.cumsum(counts) / counts.sum()
    cap = max(min_cap, int(days[np.searchsorted(cumulative, share)]) if cumulative[-1] > 0 else 0)
    top = int(days.max())
    shown = np.arange(0, min(cap, top) + 1)
    per_day = pd.Series(counts, index=days).reindex(shown, fill_value=0)
    bins = pd.DataFrame({"length_of_stay_days": shown, "stays": per_day.to_numpy(dtype="int64")})
    if top <= cap:
        return bins, None
    tail = int(counts[days > cap].sum())
    bins = pd.concat([bins, pd.DataFrame({"length_of_stay_days": [cap + 1], "stays": [tail]})], ignore_index=True)
    return bins, cap + 1


def length_of_stay_distribution(
    histogram: pd.DataFrame, mean: float | None = None, median: float | None = None
) -> ChartFigure:
    """Histogram of length of stay in days (from ``GROUP BY length_of_stay_days`` counts), with mean and median."""
    bins, tail_from = length_of_stay_bins(histogram)
    fig = _figure()
    ax = fig.add_subplot()
    _style(ax)
    colours = [PRIMARY] * len(bins)
    if tail_from is not None:
        colours[-1] = MUTED
    ax.bar(bins["length_of_stay_days"], bins["stays"], width=0.85, color=colours)
    if tail_from is not None:
        ax.annotate(
            f"≥ {tail_from} days",
            (tail_from, bins["stays"].iloc[-1]),
            textcoords="offset points",
            xytext=(0, 4),
            ha="center",
            fontsize=9,
            color=INK,
        )
    if mean is not None and not math.isnan(mean):
        ax.axvline(mean, color=ACCENT, linewidth=1.5, label=f"Mean {mean:.1f} days")
    if median is not None and not math.isnan(median):
        ax.axvline(median, color=TEAL, linewidth=1.5, linestyle="--", label=f"Median {median:g} days")
    _legend(fig, ax)
    ax.set_xlim(-0.8, (len(bins) - 1) + (2.5 if tail_from is not None else 0.8) if len(bins) else 1)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    _title(ax, "Length of stay distribution")
    _label(ax, "Length of stay (days; 0 = discharged the same day)", "Stays")
    return fig


def plain(text: object) -> str:
    """Text drawn from data as plain text: matplotlib would read ``$...$`` as mathtext (and fail on a stray
    backslash or brace inside it); every ``$`` escaped, nothing is math."""
    return str(text).replace("$", r"\$")


def _short(text: str, width: int = 38) -> str:
    text = str(text)
    return plain(text if len(text) <= width else text[: width - 1].rstrip() + "…")


def top_diagnoses(diagnoses: pd.DataFrame) -> ChartFigure:
    """Two panels sharing the diagnoses: stays (left) and average length of stay (right), most stays on top."""
    fig = _figure(TALL)
    left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    _style(left, grid_axis="x")
    _style(right, grid_axis="x")
    y = np.arange(len(diagnoses))
    labels = [
        f"{_short(d)} ({c})"
        for d, c in zip(diagnoses["diagnosis_description"], diagnoses["diagnosis_code"], strict=True)
    ]
    stays = diagnoses["stays"].to_numpy(dtype="int64")
    average = diagnoses["average_length_of_stay_days"].to_numpy(dtype=float)
    bars = left.barh(y, stays, color=PRIMARY, height=0.7)
    left.bar_label(bars, labels=[f"{v:,}" for v in stays], padding=3, fontsize=9, color=INK)
    bars = right.barh(y, average, color=ACCENT, height=0.7)
    right.bar_label(bars, labels=[f"{v:.1f}" for v in average], padding=3, fontsize=9, color=INK)
    left.set_yticks(y, labels, fontsize=10)
    left.invert_yaxis()
    left.set_xlim(0, max(1, stays.max(initial=0)) * 1.18)
    right.set_xlim(0, max(1.0, np.nanmax(average) if len(average) else 1.0) * 1.2)
    left.xaxis.set_major_formatter(THOUSANDS)
    left.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    right.xaxis.set_major_locator(MaxNLocator(nbins=4))
    right.tick_params(axis="y", left=False)
    left.set_xlabel("Stays", fontsize=11)
    right.set_xlabel("Average length of stay (days)", fontsize=11)
    fig.suptitle(
        f"Top {len(diagnoses)} diagnoses by stays, with their average length of stay",
        x=0.01,
        ha="left",
        fontsize=14,
        fontweight="bold",
        color=INK,
    )
    return fig


def follow_up_complete(months: pd.Series, window_end: pd.Timestamp | None) -> np.ndarray:
    """Per discharge month: True when every stay discharged that month has 30 days of data after it
    (the month's last day + 30 days is on or before ``window_end``)."""
    months = pd.to_datetime(months)
    if window_end is None:
        return np.ones(len(months), dtype=bool)
    last_days = months + pd.offsets.MonthEnd(0)
    return (last_days + pd.Timedelta(days=30) <= pd.Timestamp(window_end)).to_numpy()


def readmission_rate(
    by_month: pd.DataFrame, overall: float | None = None, window_end: pd.Timestamp | None = None
) -> ChartFigure:
    """Line chart: share of each discharge month's stays readmitted within 30 days.

    Months whose 30-day follow-up runs past ``window_end`` (the data's last day) are drawn dashed and grey:
    their readmissions are not all in the data yet, so their rate is too low to compare.
    The first line holds the complete months, the second the incomplete ones (joined to the last complete one).
    """
    fig = _figure()
    ax = fig.add_subplot()
    _style(ax)
    months = pd.to_datetime(by_month["month"]).reset_index(drop=True)
    rate = by_month["readmission_rate"].to_numpy(dtype=float)
    complete = follow_up_complete(months, window_end)
    cut = int(complete.sum())  # months are in order: the complete ones come first
    marker = "o" if len(months) <= 36 else None
    ax.plot(
        months[:cut],
        rate[:cut],
        color=PRIMARY,
        linewidth=2,
        marker=marker,
        markersize=4,
        label="Discharge month" if cut else "_nolegend_",
    )
    if cut < len(months):
        joined = max(cut - 1, 0)
        ax.plot(
            months[joined:],
            rate[joined:],
            color=MUTED,
            linewidth=2,
            linestyle="--",
            marker=marker,
            markersize=4,
            label="Follow-up incomplete (after the data ends)",
        )
    if overall is not None and not math.isnan(overall):
        ax.axhline(overall, color=MUTED, linestyle=":", linewidth=1.2, label=f"Whole period: {overall:.1%}")
    if len(months):
        date_axis(ax, months.min(), months.max(), pad_days=20, monthly=True)
    top = np.nanmax(rate) if len(rate) and not np.all(np.isnan(rate)) else 0.0
    ax.set_ylim(0, max(0.05, top, overall or 0) * 1.25)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))  # whole percents: no "2%" for 2.5%
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    _legend(fig, ax)
    _title(ax, "30-day readmission rate by discharge month")
    _label(ax, "Discharge month", "Readmitted within 30 days (% of stays)")
    return fig


def daily_census(census: pd.DataFrame, peak: int | None = None, peak_date: pd.Timestamp | None = None) -> ChartFigure:
    """Line chart: patients in hospital at midnight each day, with a 28-day average and the peak marked."""
    fig = _figure()
    ax = fig.add_subplot()
    _style(ax)
    days = pd.to_datetime(census["census_date"])
    values = census["patients_in_hospital"].to_numpy(dtype="int64")
    dense = len(days) > 400
    ax.plot(
        days,
        values,
        color=PRIMARY,
        linewidth=0.8 if dense else 1.4,
        alpha=0.75 if dense else 1.0,
        label="Midnight census",
    )
    if len(days) > 120:
        smooth = pd.Series(values, index=days).rolling(28, min_periods=1, center=True).mean()
        ax.plot(days, smooth.to_numpy(), color=ACCENT, linewidth=2, label="28-day average")
    if peak is not None and peak_date is not None and not pd.isna(peak_date) and len(days):
        when = pd.Timestamp(peak_date)
        ax.scatter([when], [peak], color=ACCENT, s=30, zorder=3, edgecolor="white")
        where = (when - days.min()) / max(days.max() - days.min(), pd.Timedelta(days=1))
        align = "right" if where > 0.85 else "left" if where < 0.15 else "center"
        ax.annotate(
            f"Peak {peak:,} on {when:%d %b %Y}",
            (when, peak),
            textcoords="offset points",
            xytext=(0, 8),
            ha=align,
            fontsize=10,
            color=INK,
        )
    if len(days):
        date_axis(ax, days.min(), days.max(), pad_days=max(1, (days.max() - days.min()).days * 0.01))
    ax.set_ylim(0, max(1, values.max(initial=0), peak or 0) * 1.2)
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    _legend(fig, ax)
    _title(ax, "Daily census (occupancy)")
    _label(ax, "Date", "Patients in hospital at midnight")
    return fig


def occupancy(by_month: pd.DataFrame) -> ChartFigure:
    """Line chart: each hospital's monthly occupancy (midnight census / staffed beds; ``occupancy_daily``)."""
    fig = _figure()
    ax = fig.add_subplot()
    _style(ax)
    months = pd.to_datetime(by_month["month"])
    for index, (_hospital, rows) in enumerate(by_month.assign(month=months).groupby("hospital_id", sort=True)):
        name = str(rows["hospital_name"].iloc[0])
        ax.plot(
            rows["month"],
            rows["occupancy_rate"].to_numpy(dtype=float),
            color=HOSPITAL_COLOURS[index % len(HOSPITAL_COLOURS)],
            linewidth=1.8,
            marker="o" if len(rows) <= 36 else None,
            markersize=3,
            label=_short(name, 30),
        )
    if len(months):
        date_axis(ax, months.min(), months.max(), pad_days=20, monthly=True)
    top = float(np.nanmax(by_month["occupancy_rate"].to_numpy(dtype=float))) if len(by_month) else 0.0
    ax.set_ylim(0, max(1.0, top * 1.1))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    _legend(fig, ax)
    _title(ax, "Occupancy by hospital")
    _label(ax, "Month", "Occupied beds at midnight (% of staffed beds)")
    return fig


def discharge_dispositions(dispositions: pd.DataFrame) -> ChartFigure:
    """Horizontal bars: discharged stays by disposition, with each one's share (``discharge_dispositions``)."""
    fig = _figure()
    ax = fig.add_subplot()
    _style(ax, grid_axis="x")
    frame = dispositions.sort_values("discharges", ascending=True)
    counts = frame["discharges"].to_numpy(dtype="int64")
    total = max(int(counts.sum()), 1)
    names = [str(n) for n in frame["discharge_disposition"]]
    colours = [ACCENT if n == "Died" else PRIMARY for n in names]
    ax.barh(names, counts, color=colours)
    for y, count in enumerate(counts):
        ax.annotate(
            f"{count:,} ({count / total:.1%})", (count, y), textcoords="offset points", xytext=(4, 0), va="center"
        )
    ax.set_xlim(0, max(1, counts.max(initial=0)) * 1.25)
    ax.xaxis.set_major_formatter(THOUSANDS)
    _title(ax, "Where patients went at discharge")
    _label(ax, "Discharged stays", "Disposition")
    return fig


def weekday_pattern(weekday: pd.DataFrame) -> ChartFigure:
    """Two panels: admissions by weekday (stacked by admission type) and discharges by weekday."""
    fig = _figure(TALL)
    left, right = fig.subplots(1, 2, sharey=False)
    positions = np.arange(7)
    types = sorted(weekday["admission_type"].astype(str).unique())
    colours = dict(zip(types, (PRIMARY, ACCENT, TEAL, MUTED, "#7b5ea7"), strict=False))
    bottom = np.zeros(7)
    for kind in types:
        rows = weekday[weekday["admission_type"] == kind].set_index("day_of_week").reindex(range(1, 8), fill_value=0)
        values = rows["admissions"].to_numpy(dtype=float)
        left.bar(positions, values, bottom=bottom, color=colours.get(kind, MUTED), label=kind)
        bottom += values
    discharges = weekday.groupby("day_of_week")["discharges"].sum().reindex(range(1, 8), fill_value=0)
    right.bar(positions, discharges.to_numpy(dtype=float), color="#52606d")
    for ax, title in ((left, "Admissions by weekday"), (right, "Discharges by weekday")):
        _style(ax)
        ax.set_xticks(positions, WEEKDAY_LABELS)
        ax.yaxis.set_major_formatter(THOUSANDS)
        _title(ax, title)
    _label(left, "Day of admission", "Stays")
    _label(right, "Day of discharge", None)
    _legend(fig, left)
    return fig


def build_figures(
    frames: dict[str, pd.DataFrame], on_chart: Callable[[str], object] | None = None
) -> dict[str, ChartFigure]:
    """Every chart in ``CHART_NAMES`` order, from the DataFrames ``marts.read_marts`` returns."""
    kpis = frames["kpis"].iloc[0]

    def value(name: str) -> float | None:
        v = kpis.get(name)
        return None if v is None or pd.isna(v) else float(v)

    census = frames["daily_census"]
    window_end = pd.to_datetime(census["census_date"]).max() if len(census) else None
    peak = value("peak_census")
    makers: dict[str, Callable[[], ChartFigure]] = {
        "monthly_admissions": lambda: monthly_admissions(frames["admissions_by_month"]),
        "gender_distribution": lambda: gender_distribution(frames["demographics"]),
        "average_length_of_stay": lambda: average_length_of_stay(
            frames["admissions_by_month"], value("average_length_of_stay_days")
        ),
        "age_gender_pyramid": lambda: age_gender_pyramid(frames["demographics"]),
        "length_of_stay_distribution": lambda: length_of_stay_distribution(
            frames["length_of_stay_histogram"],
            value("average_length_of_stay_days"),
            value("median_length_of_stay_days"),
        ),
        "top_diagnoses": lambda: top_diagnoses(frames["top_diagnoses"]),
        "readmission_rate": lambda: readmission_rate(
            frames["readmission_rate_by_month"], value("readmission_rate_30d"), window_end
        ),
        "daily_census": lambda: daily_census(census, None if peak is None else int(peak), kpis.get("peak_census_date")),
        "occupancy": lambda: occupancy(frames["occupancy_by_month"]),
        "discharge_dispositions": lambda: discharge_dispositions(frames["dispositions"]),
        "weekday_pattern": lambda: weekday_pattern(frames["weekday"]),
    }
    figures: dict[str, ChartFigure] = {}
    for name in CHART_NAMES:
        figures[name] = makers[name]()
        if on_chart is not None:
            on_chart(name)
    return figures


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = PRINT_DPI) -> bytes:
    """The figure rendered to PNG or SVG bytes (SVG without a timestamp, with stable element ids)."""
    buffer = io.BytesIO()
    if fmt == "svg":
        with matplotlib.rc_context({"svg.hashsalt": "hospital-analytics"}):
            fig.savefig(buffer, format="svg", metadata={"Date": None})
    else:
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


_TO_RENDER: dict[str, tuple[Figure, tuple[str, ...]]] = {}  # what a forked renderer reads (set before forking)


def _render_one(name: str) -> tuple[str, dict[str, bytes]]:
    fig, formats = _TO_RENDER[name]
    return name, {fmt: figure_bytes(fig, fmt) for fmt in formats}


def render_all(
    figures: Mapping[str, Figure], formats: tuple[str, ...], jobs: int = 1
) -> Iterator[tuple[str, dict[str, bytes]]]:
    """Each figure as bytes in each of ``formats``, ``(name, {fmt: bytes})`` in the figures' order as each is
    done, drawn by ``jobs`` forked processes (Linux; elsewhere, or with one job, in this process). Matplotlib
    draws in Python under the GIL, so threads would not help; a forked child inherits the figures and sends
    back the bytes, the same bytes as drawn here (tested)."""
    names = list(figures)
    fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    _TO_RENDER.clear()
    _TO_RENDER.update({name: (figures[name], formats) for name in names})
    try:
        if jobs < 2 or len(names) < 2 or not fork:
            for name in names:
                yield _render_one(name)
            return
        with multiprocessing.get_context("fork").Pool(min(jobs, len(names))) as pool:
            yield from pool.imap(_render_one, names)
    finally:
        _TO_RENDER.clear()


# --- data quality (issue 15) ------------------------------------------------------------------------------
QUALITY_CHART = "data_quality"  # drawn only when the data-quality marts hold issues (not in CHART_NAMES)
CLASS_COLOURS = (PRIMARY, ACCENT, TEAL, "#7b5ea7", "#c2a83e", "#5a8f29", "#b5495b", "#52606d", "#e0a458", "#4c9bd6")


def class_colours(classes: list[str]) -> dict[str, str]:
    """One colour per defect class, in the order given (the report's chart and its legend)."""
    return {name: CLASS_COLOURS[i % len(CLASS_COLOURS)] for i, name in enumerate(classes)}


def data_quality(summary: pd.DataFrame, feed_tables: tuple[str, ...], classes: list[str]) -> ChartFigure:
    """Two panels: issues detected per defect class over the whole window (left), and the feed's issues per
    partition day (per week beyond 120 days) stacked by class (right); the snapshot tables' issues are all dated
    on the extract day, so the right panel leaves them out.

    ``summary`` has defect, table_name, issue_date, issues (``data_quality_summary``); ``classes`` the order."""
    fig = _figure(TALL)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2, 3]})
    _style(left, grid_axis="x")
    _style(right)
    colours = class_colours(classes)
    feed = summary["table_name"].astype(str).isin(feed_tables)
    totals = summary.groupby("defect")["issues"].sum().reindex(classes).fillna(0).astype("int64")
    y = np.arange(len(classes))
    bars = left.barh(y, totals.to_numpy(), color=[colours[c] for c in classes], height=0.7)
    left.bar_label(bars, labels=[f"{v:,}" for v in totals], padding=3, fontsize=9, color=INK)
    left.set_yticks(y, [plain(c.replace("_", " ")) for c in classes], fontsize=10)
    left.invert_yaxis()
    left.set_xlim(0, max(1, int(totals.to_numpy().max(initial=0))) * 1.25)
    left.xaxis.set_major_formatter(THOUSANDS)
    left.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    left.set_xlabel("Issues detected (whole window)", fontsize=11)
    _title(left, "Issues per defect class")

    rows, unit = summary[feed], "day"
    if len(rows):
        per_day = rows.pivot_table(index="issue_date", columns="defect", values="issues", aggfunc="sum").fillna(0)
        days = pd.date_range(per_day.index.min(), per_day.index.max(), freq="D")
        per_day = per_day.reindex(days, fill_value=0)
        weekly = len(days) > 120
        unit = "week" if weekly else "day"
        if weekly:  # a long window: weeks (starting Monday) keep the bars readable
            per_day = per_day.resample("W-MON", label="left", closed="left").sum()
        bottom = np.zeros(len(per_day))
        for name in [c for c in classes if c in per_day.columns]:
            values = per_day[name].to_numpy(dtype=float)
            right.bar(
                per_day.index,
                values,
                bottom=bottom,
                width=6 if weekly else 0.85,
                color=colours[name],
                label=plain(name.replace("_", " ")),
                align="edge" if weekly else "center",
            )
            bottom += values
        date_axis(right, per_day.index.min(), per_day.index.max(), pad_days=7 if weekly else 1, max_ticks=4)
        right.set_ylim(0, max(1.0, float(bottom.max(initial=0))) * 1.15)
        right.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        right.yaxis.set_major_formatter(THOUSANDS)
        _label(right, "Feed partition (the day the events were recorded)", f"Issues per {unit}")
        _legend(fig, right)
    else:
        right.set_axis_off()
        right.text(
            0.5,
            0.5,
            "No issues in the feed",
            ha="center",
            va="center",
            fontsize=12,
            color=MUTED,
            transform=right.transAxes,
        )
    _title(right, f"Feed issues per {unit}, by class")
    return fig
