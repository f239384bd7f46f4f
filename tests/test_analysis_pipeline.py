"""analyze end to end on the real pipeline at small size: generate -> load -> transform (dbt) -> analyze.

Checks the charts against the marts dbt built (read back through the Warehouse), the KPI cards against the
kpis mart, and the provenance against generate's manifest.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from lxml import html as lxml_html

from helpers import clean_env, marts
from helpers.marts import PIPELINE_SIZE as SIZE
from hospital_analytics.analysis import CHART_NAMES, analyze
from hospital_analytics.config import Settings
from hospital_analytics.warehouse import open_warehouse

pytestmark = pytest.mark.slow  # the whole pipeline end to end (generate, load, dbt build, analyze)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    # generate, load and dbt build once per session (shared with test_export_pipeline's DuckDB run), in a copy
    root = tmp_path_factory.mktemp("analysis_pipeline")
    with clean_env(root):
        settings = marts.pipeline_copy(tmp_path_factory, "analysis_pipeline", **SIZE)
        return settings, analyze(settings, chart_format="both")


def _mart(settings: Settings, sql: str):
    with open_warehouse(settings, read_only=True) as wh:
        return wh.query_df(sql.format(s=settings.analytics_schema))


def test_charts_plot_the_dbt_marts(pipeline):
    settings, result = pipeline
    by_month = _mart(settings, "SELECT * FROM {s}.patients_admissions_by_month ORDER BY month")
    ax = result.figures["monthly_admissions"].axes[0]
    assert [p.get_height() for p in ax.patches] == by_month["admissions"].tolist()
    ax = result.figures["average_length_of_stay"].axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), by_month["average_length_of_stay_days"].astype(float))

    readmissions = _mart(settings, "SELECT * FROM {s}.readmission_rate_by_month ORDER BY month")
    ax = result.figures["readmission_rate"].axes[0]
    plotted = [*ax.lines[0].get_ydata(), *ax.lines[1].get_ydata()[1:]]  # complete months, then the dashed tail
    np.testing.assert_allclose(plotted, readmissions["readmission_rate"].astype(float))

    census = _mart(settings, "SELECT * FROM {s}.daily_census ORDER BY census_date")
    ax = result.figures["daily_census"].axes[0]
    assert ax.lines[0].get_ydata().tolist() == census["patients_in_hospital"].tolist()

    demographics = _mart(
        settings, "SELECT gender, SUM(patients) AS n FROM {s}.patients_demographics GROUP BY 1 ORDER BY 1"
    )
    ax = result.figures["gender_distribution"].axes[0]
    assert [p.get_height() for p in ax.patches] == [int(n) for n in demographics["n"]]

    stays = _mart(settings, "SELECT COUNT(*) AS n, COUNT(discharge_date) AS d FROM {s}.fct_hospitalizations").iloc[0]
    ax = result.figures["length_of_stay_distribution"].axes[0]
    assert stays["n"] == result.kpis["admissions"]
    assert sum(p.get_height() for p in ax.patches) == stays["d"]  # the discharged stays: open ones have no length


def test_report_matches_the_kpis_mart_and_the_manifest(pipeline):
    settings, result = pipeline
    kpis = _mart(settings, "SELECT * FROM {s}.kpis").iloc[0]
    page = result.report.read_text(encoding="utf-8")
    tree = lxml_html.fromstring(page)
    values = {
        c.find_class("label")[0].text_content(): c.find_class("value")[0].text_content() for c in tree.find_class("kpi")
    }
    assert values["Admissions"] == f"{int(kpis['admissions']):,}"
    assert values["Patients"] == f"{int(kpis['patients']):,}"
    assert values["Average stay"] == f"{float(kpis['average_length_of_stay_days']):.1f} days"
    assert values["30-day readmission rate"] == f"{float(kpis['readmission_rate_30d']):.1%}"
    assert values["Peak census"] == f"{int(kpis['peak_census']):,} patients"

    manifest = json.loads(settings.layout.manifest.read_text(encoding="utf-8"))
    text = tree.text_content()
    assert str(manifest["seed"]) in text and manifest["seed"] == 11
    assert str(manifest["generated_at"])[:19].replace("T", " ") + " UTC" in text
    assert f"{manifest['start']} to {manifest['end']}" in text
    assert len(tree.xpath("//img[starts-with(@src, 'data:image/png;base64,')]")) == len(CHART_NAMES)
    assert sorted(p.name for p in result.charts) == sorted(f"{n}.{f}" for n in CHART_NAMES for f in ("png", "svg"))
