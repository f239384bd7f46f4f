"""One definition of "patients" (admitted in the window) and of "age group" (age at admission; a patient's at
their first admission in the window), and every place that shows them agrees on one generated data set: the
marts, the report's card and charts, the dashboard's data, the exported files and the Tableau workbook's
sheets; each page carries the label saying which definition it uses."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest
from lxml import etree
from lxml import html as lxml_html

from helpers.dashboard import analyzed_output, decode_page
from helpers.export import duckdb_settings
from hospital_analytics import export, kpis
from hospital_analytics.analysis import charts


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """Generated marts with report.html and dashboard.html (the session's), exported as CSV to a folder of
    this module's own."""
    root = analyzed_output(tmp_path_factory)
    target = tmp_path_factory.mktemp("definitions")
    export(duckdb_settings(target, root / "hospital.duckdb"), formats="csv")
    return {"root": root, "export": target / "export"}


def _sql(out, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(out["root"] / "hospital.duckdb"), read_only=True) as con:
        return con.execute(sql).df()


def _csv(out, table: str) -> pd.DataFrame:
    return pd.read_csv(out["export"] / "csv" / f"{table}.csv.gz")


def _first_admission_bands(stays: pd.DataFrame) -> pd.Series:
    """Patients per (gender, age group of their first stay), computed here from one row per stay."""
    first = stays.sort_values(["admission_date", "hospitalization_id"]).groupby("patient_id").first()
    return first.groupby(["patient_gender", "age_group"]).size().rename("patients").sort_index()


def test_patient_counts_agree_in_the_marts_report_dashboard_exports_and_workbook(out) -> None:
    patients = int(_sql(out, 'SELECT patients FROM "ANALYTICS".kpis')["patients"].iloc[0])
    marts = _sql(
        out,
        'SELECT (SELECT count(*) FROM "ANALYTICS".int_patient_ages) AS defined, '
        '(SELECT sum(patients) FROM "ANALYTICS".patients_demographics) AS demographics, '
        '(SELECT count(*) FROM "ANALYTICS".patients_hospitalizations) AS per_patient, '
        '(SELECT count(DISTINCT patient_id) FROM "ANALYTICS".fct_hospitalizations) AS stays',
    ).iloc[0]
    assert {k: int(v) for k, v in marts.items()} == dict.fromkeys(marts.index, patients)
    registered = int(_sql(out, 'SELECT count(*) AS n FROM "ANALYTICS".stg_patients')["n"].iloc[0])
    assert registered > patients  # registered patients without a stay in the window are not "patients"

    # the report's card
    report = lxml_html.fromstring((out["root"] / "report.html").read_text(encoding="utf-8"))
    cards = {c.find_class("label")[0].text_content(): c for c in report.find_class("kpi")}
    patients_kpi = next(k for k in kpis.headline() if k.name == "patients")
    card = cards[patients_kpi.label]
    assert card.find_class("value")[0].text_content() == kpis.format_value(patients_kpi, patients)
    assert kpis.PATIENTS in card.find_class("note")[0].text_content().lower()

    # the dashboard's data: distinct patients over the whole range = rows - links of the unfiltered table
    payload = decode_page((out["root"] / "dashboard.html").read_text(encoding="utf-8"))["patients"]
    unfiltered = [i for i, d in enumerate(payload["dimension"]) if d == 0]
    assert (
        sum(payload["patients"][i] for i in unfiltered)
        - sum(payload["patients"][i] for i in unfiltered if payload["next"][i] >= 0)
        == patients
    )

    # the exported files
    assert int(_csv(out, "kpis")["patients"].iloc[0]) == patients
    assert int(_csv(out, "patients_demographics")["patients"].sum()) == patients
    assert len(_csv(out, "patients_hospitalizations")) == patients
    stays = _csv(out, "fct_hospitalizations")
    assert stays["patient_id"].nunique() == patients


def test_age_groups_are_taken_at_admission_and_patients_counted_once(out) -> None:
    stays = _csv(out, "fct_hospitalizations")
    # a stay's age group is its age at that admission: a patient admitted on both sides of a birthday that
    # changes the band has stays in two age groups (the data holds such patients, or this test proves nothing)
    bands_per_patient = stays.groupby("patient_id")["age_group"].nunique()
    crossers = bands_per_patient[bands_per_patient > 1].index
    assert len(crossers) > 0
    assert (stays.groupby("patient_id")["patient_age_group"].nunique() == 1).all()

    # patients_demographics counts each patient once, in the band of their first admission in the window
    expected = _first_admission_bands(stays)
    demographics = _csv(out, "patients_demographics")
    shown = demographics[demographics["patients"] > 0].set_index(["gender", "age_group"])["patients"].sort_index()
    assert shown.to_dict() == expected.to_dict()
    assert int(shown.sum()) == stays["patient_id"].nunique()
    # patients_hospitalizations' age group is the same one
    per_patient = _csv(out, "patients_hospitalizations").set_index("patient_id")["age_group"]
    first = stays.sort_values(["admission_date", "hospitalization_id"]).groupby("patient_id")["age_group"].first()
    assert per_patient.sort_index().to_dict() == first.sort_index().to_dict()

    # the Tableau sheet counts the same patients by the same band: COUNTD(patient_id) by its column
    workbook = etree.parse(str(out["export"] / "hospital_dashboard.twb"))
    sheet = workbook.find("worksheets/worksheet[@name='Patients by age group']")
    column = re.fullmatch(r"\[[^\]]+\]\.\[none:(\w+):nk\]", sheet.findtext("table/cols")).group(1)
    formulas = {
        c.get("caption"): c.find("calculation").get("formula")
        for c in workbook.iterfind("datasources/datasource/column")
        if c.find("calculation") is not None
    }
    assert formulas["Patients"] == "COUNTD([patient_id])"
    by_band = stays.groupby(column)["patient_id"].nunique()
    assert by_band.to_dict() == demographics.groupby("age_group")["patients"].sum().loc[lambda s: s > 0].to_dict()


def test_every_page_says_which_definition_it_uses(out, tmp_path) -> None:
    report = (out["root"] / "report.html").read_text(encoding="utf-8")
    dashboard = (out["root"] / "dashboard.html").read_text(encoding="utf-8")
    workbook = (out["export"] / "hospital_dashboard.twb").read_text(encoding="utf-8")
    for page in (report, dashboard):
        text = lxml_html.fromstring(page).text_content()
        assert kpis.DEFINITIONS in text
    report_tree = lxml_html.fromstring(report)
    for chart in ("gender_distribution", "age_gender_pyramid"):
        caption = report_tree.get_element_by_id(chart).find("figcaption").text_content()
        assert kpis.PATIENTS in caption, chart
    assert kpis.AGE_GROUP in report_tree.get_element_by_id("age_gender_pyramid").find("figcaption").text_content()
    assert "Registered" not in report and "end of the window" not in report
    # the dashboard's age-group filter and chart say "at admission"
    assert "Age group at admission" in dashboard
    # the workbook: the patient sheets' titles, the age-group captions
    for title in (
        "Patients admitted in the window",
        "Patients admitted in the window, by gender",
        "Patients admitted in the window, by age group (age at admission",
        "Age group (at admission)",
    ):
        assert title in workbook, title
    # the charts' own titles
    demographics = _csv(out, "patients_demographics")
    for figure in (charts.gender_distribution(demographics), charts.age_gender_pyramid(demographics)):
        texts = " ".join(t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text")))
        assert kpis.PATIENTS in texts.lower()
