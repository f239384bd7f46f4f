"""analyze's charts: every plotted value read back from the Axes equals its mart's value; readable axes.

The marts are the real dbt project's, built once per session on tiny data (``helpers.marts``); expected values
are read from that file with plain SQL, independently of analyze's own queries.
"""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from helpers.marts import generated, read
from hospital_analytics.analysis import CHART_NAMES, analyze, charts
from hospital_analytics.config import Settings


@pytest.fixture(scope="module")
def marts_file(marts_db):
    return marts_db


@pytest.fixture(scope="module")
def result(analyzed):
    return analyzed.result


def _dates(values) -> list[dt.date]:
    return [mdates.num2date(v).date() for v in values]


def test_every_chart_is_a_figure_with_a_title_and_labelled_axes(result):
    assert list(result.figures) == list(CHART_NAMES)
    for name, fig in result.figures.items():
        assert isinstance(fig, Figure), name
        title = fig.get_suptitle() or fig.axes[0].get_title(loc="left")
        assert title, name
        for ax in fig.axes:
            assert ax.get_xlabel(), (name, "x label")
        assert fig.axes[0].get_ylabel() or name == "top_diagnoses", (name, "y label")


def test_monthly_admissions_bars_equal_the_mart(result, marts_file):
    expected = read(marts_file, "SELECT month, admissions FROM ANALYTICS.patients_admissions_by_month ORDER BY month")
    ax = result.figures["monthly_admissions"].axes[0]
    heights = [p.get_height() for p in ax.patches]
    centres = [p.get_x() + p.get_width() / 2 for p in ax.patches]
    assert heights == expected["admissions"].tolist()
    assert _dates(centres) == [d.date() for d in pd.to_datetime(expected["month"])]
    assert "(stays)" in ax.get_ylabel()


def test_gender_bars_equal_the_demographics_mart(result, marts_file):
    expected = read(
        marts_file,
        "SELECT gender, sum(patients) AS n FROM ANALYTICS.patients_demographics GROUP BY gender ORDER BY gender",
    )
    ax = result.figures["gender_distribution"].axes[0]
    heights = [p.get_height() for p in ax.patches]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["Female", "Male"]
    assert heights == expected["n"].tolist()  # F then M
    shown = [t.get_text() for t in ax.texts]
    total = expected["n"].sum()
    assert shown == [f"{int(n):,} ({n / total:.1%})" for n in expected["n"]]


def test_average_length_of_stay_line_equals_the_mart(result, marts_file):
    expected = read(
        marts_file,
        "SELECT month, average_length_of_stay_days FROM ANALYTICS.patients_admissions_by_month ORDER BY month",
    )
    overall = read(marts_file, "SELECT average_length_of_stay_days FROM ANALYTICS.kpis").iloc[0, 0]
    ax = result.figures["average_length_of_stay"].axes[0]
    line, reference = ax.lines[0], ax.lines[1]
    np.testing.assert_allclose(line.get_ydata(), expected["average_length_of_stay_days"])
    assert _dates(mdates.date2num(line.get_xdata())) == [d.date() for d in pd.to_datetime(expected["month"])]
    np.testing.assert_allclose(reference.get_ydata(), [overall, overall])
    assert "(days)" in ax.get_ylabel()


def test_pyramid_bars_equal_the_demographics_mart(result, marts_file):
    expected = read(
        marts_file,
        "SELECT age_group, gender, patients FROM ANALYTICS.patients_demographics ORDER BY age_group_order, gender",
    )
    ax = result.figures["age_gender_pyramid"].axes[0]
    groups = [t.get_text() for t in ax.get_yticklabels()]
    assert groups == ["0-17", "18-44", "45-64", "65-84", "85+"]
    bars = ax.patches
    men = [-p.get_width() for p in bars[: len(groups)]]
    women = [p.get_width() for p in bars[len(groups) :]]
    table = expected.pivot(index="age_group", columns="gender", values="patients").reindex(groups)
    assert men == table["M"].tolist()
    assert women == table["F"].tolist()
    assert all(p.get_width() <= 0 for p in bars[: len(groups)])


def test_length_of_stay_histogram_equals_the_fact_table(result, marts_file):
    expected = read(
        marts_file,
        "SELECT length_of_stay_days AS d, count(*) AS n FROM ANALYTICS.fct_hospitalizations "
        "WHERE length_of_stay_days IS NOT NULL GROUP BY 1 ORDER BY 1",  # open stays have no length yet
    )
    per_day = dict(zip(expected["d"], expected["n"], strict=True))
    ax = result.figures["length_of_stay_distribution"].axes[0]
    xs = [round(p.get_x() + p.get_width() / 2) for p in ax.patches]
    heights = [p.get_height() for p in ax.patches]
    assert sum(heights) == expected["n"].sum()  # every stay counted once
    assert xs == list(range(len(xs)))
    last_day = expected["d"].max()
    tail_from = xs[-1] if last_day > xs[-1] else None
    for day, height in zip(xs, heights, strict=True):
        if day == tail_from:
            assert height == expected.loc[expected["d"] >= day, "n"].sum()
        else:
            assert height == per_day.get(day, 0)
    kpis = read(marts_file, "SELECT average_length_of_stay_days, median_length_of_stay_days FROM ANALYTICS.kpis")
    verticals = [line.get_xdata()[0] for line in ax.lines]
    np.testing.assert_allclose(verticals, kpis.iloc[0].tolist())


def test_top_diagnoses_bars_equal_the_fact_table(result, marts_file):
    expected = read(
        marts_file,
        "SELECT diagnosis_code, count(*) AS stays, avg(length_of_stay_days) AS avg_days "
        "FROM ANALYTICS.fct_hospitalizations GROUP BY 1 ORDER BY stays DESC, diagnosis_code LIMIT 10",
    )
    left, right = result.figures["top_diagnoses"].axes
    assert [p.get_width() for p in left.patches] == expected["stays"].tolist()
    np.testing.assert_allclose([p.get_width() for p in right.patches], expected["avg_days"])
    labels = [t.get_text() for t in left.get_yticklabels()]
    assert [label.rsplit("(", 1)[1].rstrip(")") for label in labels] == expected["diagnosis_code"].tolist()
    assert left.yaxis_inverted()  # most stays on top


def test_readmission_line_equals_the_mart(result, marts_file):
    expected = read(
        marts_file, "SELECT month, readmission_rate FROM ANALYTICS.readmission_rate_by_month ORDER BY month"
    )
    overall = read(marts_file, "SELECT readmission_rate_30d FROM ANALYTICS.kpis").iloc[0, 0]
    window_end = read(marts_file, "SELECT max(census_date) FROM ANALYTICS.daily_census").iloc[0, 0]
    ax = result.figures["readmission_rate"].axes[0]
    complete, incomplete, reference = ax.lines
    plotted = [*complete.get_ydata(), *incomplete.get_ydata()[1:]]  # the dashed part starts at the last solid point
    np.testing.assert_allclose(plotted, expected["readmission_rate"])
    np.testing.assert_allclose(reference.get_ydata(), [overall, overall])
    # solid while every discharge of the month has 30 days of data after it, dashed after
    month_ends = pd.to_datetime(expected["month"]) + pd.offsets.MonthEnd(0)
    assert len(complete.get_ydata()) == int((month_ends + pd.Timedelta(days=30) <= window_end).sum())
    assert incomplete.get_linestyle() == "--"
    assert ax.yaxis.get_major_formatter()(0.25, 0) == "25%"
    for tick in ax.get_yticks():  # labels never round a tick: every tick is a whole percent
        assert abs(tick * 100 - round(tick * 100)) < 1e-9


def test_daily_census_line_equals_the_mart_and_marks_the_peak(result, marts_file):
    expected = read(marts_file, "SELECT census_date, patients_in_hospital FROM ANALYTICS.daily_census ORDER BY 1")
    kpis = read(marts_file, "SELECT peak_census, peak_census_date FROM ANALYTICS.kpis").iloc[0]
    ax = result.figures["daily_census"].axes[0]
    assert ax.lines[0].get_ydata().tolist() == expected["patients_in_hospital"].tolist()
    ((x, y),) = ax.collections[0].get_offsets()
    assert y == kpis["peak_census"]
    assert mdates.num2date(x).date() == pd.Timestamp(kpis["peak_census_date"]).date()
    assert f"Peak {kpis['peak_census']:,} on" in ax.texts[0].get_text()


def test_frames_are_what_the_charts_plot(result):
    assert set(result.frames) >= {"kpis", "admissions_by_month", "demographics", "daily_census", "top_diagnoses"}
    months = result.frames["admissions_by_month"]
    assert months["month"].dtype.kind == "M" and months["admissions"].dtype == "int64"


# --- readability: ticks never crowd, whatever the span -----------------------------------------------------
def _shown(locations, labels, limits):
    """The tick labels matplotlib draws: those with text whose tick lies inside the view."""
    lo, hi = sorted(limits)
    # matplotlib may hand back fewer labels than locations: pair what there is
    return [t for x, t in zip(locations, labels, strict=False) if lo <= x <= hi and t.get_visible() and t.get_text()]


def _overlaps(boxes) -> bool:
    return any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


@pytest.mark.parametrize(
    ("start", "end", "stays", "patients"),
    [
        pytest.param(dt.date(2025, 3, 1), dt.date(2025, 3, 31), 60, 40, id="1-month", marks=pytest.mark.slow),
        pytest.param(None, None, None, None, id="1-year"),  # the module's result: the session's marts (2024)
        pytest.param(dt.date(2024, 1, 1), dt.date(2025, 12, 31), 400, 150, id="2-years", marks=pytest.mark.slow),
        pytest.param(dt.date(2016, 1, 1), dt.date(2025, 12, 31), 1500, 500, id="10-years", marks=pytest.mark.slow),
    ],
)
def test_labels_never_overlap_or_leave_the_figure(start, end, stays, patients, tmp_path, tmp_path_factory, request):
    if start is None:
        result = request.getfixturevalue("result")
    else:  # the 1-month and 10-year marts: a dbt run each
        path = generated(tmp_path_factory, start, end, hospitalizations=stays)  # patients: the generator's
        result = analyze(Settings(output_dir=tmp_path / "out", duckdb_path=path, start=start, end=end))
    for name, fig in result.figures.items():
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        frame = fig.bbox
        for ax in fig.axes:
            ticks = _shown(ax.get_xticks(), ax.get_xticklabels(), ax.get_xlim())
            assert 1 <= len(ticks) <= 12, (name, [t.get_text() for t in ticks])
            assert not _overlaps([t.get_window_extent(renderer) for t in ticks]), (name, [t.get_text() for t in ticks])
            yticks = _shown(ax.get_yticks(), ax.get_yticklabels(), ax.get_ylim())
            assert not _overlaps([t.get_window_extent(renderer) for t in yticks]), name
            texts = [*ticks, *yticks, *ax.texts, ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label]
            for text in texts:
                if text.get_visible() and text.get_text():
                    box = text.get_window_extent(renderer)
                    assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1, (name, text.get_text())
                    assert frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1, (name, text.get_text())
        if name in ("monthly_admissions", "average_length_of_stay", "readmission_rate"):
            ax = fig.axes[0]
            labels = [t.get_text() for t in _shown(ax.get_xticks(), ax.get_xticklabels(), ax.get_xlim())]
            assert all(len(label.split()) in (1, 2) for label in labels), labels  # "Jan 2025" or "2016"
            assert labels and (labels[0][:3].isalpha() or labels[0].isdigit())


@pytest.mark.parametrize("months", [1, 2, 3, 5, 8, 9, 12, 13, 24, 36, 37, 60, 119, 120, 240, 600])
@pytest.mark.parametrize("monthly", [True, False])
def test_date_axis_keeps_at_most_eight_labels(months, monthly):
    first = pd.Timestamp("2021-02-01")
    last = (
        first + pd.DateOffset(months=months - 1)
        if monthly
        else first + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    )
    fig = charts._figure()
    ax = fig.add_subplot()
    ax.plot([first, last], [0, 1])
    charts.date_axis(ax, first, last, pad_days=20, monthly=monthly)
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.xaxis.get_major_locator()() if lo <= t <= hi]
    assert 1 <= len(ticks) <= 8, (months, monthly, len(ticks))
    labels = [ax.xaxis.get_major_formatter()(t) for t in ticks]
    assert len(set(labels)) == len(labels)  # never "Jan 2025, Jan 2025"


def test_thousands_separators():
    assert charts.thousands(10_000_000) == "10,000,000"
    assert charts.thousands(1234.5) == "1,234.5"
    assert charts.ABS_THOUSANDS(-25_000, 0) == "25,000"


@pytest.mark.parametrize("seed", range(6))
def test_length_of_stay_bins_keep_every_stay(seed):
    rng = np.random.default_rng(seed)
    days = np.unique(rng.integers(0, rng.integers(1, 400), rng.integers(1, 80)))
    counts = rng.integers(1, 10_000_000, len(days))
    bins, tail_from = charts.length_of_stay_bins(pd.DataFrame({"length_of_stay_days": days, "stays": counts}))
    assert bins["stays"].sum() == counts.sum()
    assert bins["length_of_stay_days"].tolist() == list(range(len(bins)))
    per_day = dict(zip(days, counts, strict=True))
    shown = bins if tail_from is None else bins.iloc[:-1]
    assert all(per_day.get(d, 0) == n for d, n in zip(shown["length_of_stay_days"], shown["stays"], strict=True))
    if tail_from is not None:
        assert tail_from > 14 and bins["stays"].iloc[-1] <= counts.sum() * 0.011 + counts.max()


@pytest.mark.slow  # analyze end to end in a fresh interpreter
def test_charts_stay_out_of_pyplot_and_the_backend(marts_db, tmp_path):
    """Figures are built without pyplot: nothing lands in a notebook's figure list, the backend is untouched."""
    path = marts_db
    code = (
        # the raw rcParams value: matplotlib.get_backend() would itself import pyplot to resolve "auto"
        "import sys, matplotlib; backend = lambda: dict.__getitem__(matplotlib.rcParams, 'backend'); before = backend();"
        "from hospital_analytics.analysis import analyze; from hospital_analytics.config import Settings;"
        f"r = analyze(Settings(output_dir={str(tmp_path / 'out')!r}, duckdb_path={str(path)!r}));"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported';"
        "assert backend() == before, 'backend changed';"
        "png = r.figures['daily_census']._repr_png_(); assert png[:8] == b'\\x89PNG\\r\\n\\x1a\\n';"
        "print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")


def test_charts_drawn_by_forked_processes_are_the_bytes_drawn_here_in_the_same_order(result):
    here = list(charts.render_all(charts.build_figures(result.frames), ("png", "svg"), jobs=1))
    forked = list(charts.render_all(charts.build_figures(result.frames), ("png", "svg"), jobs=2))
    assert [name for name, _ in here] == list(CHART_NAMES)
    assert forked == here
    assert all(set(data) == {"png", "svg"} and data["png"].startswith(b"\x89PNG") for _, data in forked)
    assert charts._TO_RENDER == {}  # nothing left for a later fork to inherit
