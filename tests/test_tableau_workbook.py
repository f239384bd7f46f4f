"""The Tableau dashboard export writes: valid by Tableau's published schema (the validator, run as a
subprocess), every field present in its data file with the same type, relative paths, a .twbx that holds
the workbook at its root and every file it reads, and the content the issue asks for."""

from __future__ import annotations

import copy
import json
import shutil
import zipfile

import pytest
from lxml import etree

from helpers import clean_env
from helpers.export import duckdb_settings
from helpers.tableau import data_references, field_problems, parse, validate
from hospital_analytics import tableau
from hospital_analytics.errors import ExportError
from hospital_analytics.exports import export, writers
from hospital_analytics.layout import tableau_source_dir


@pytest.fixture(scope="module")
def books(marts_db, tmp_path_factory) -> dict[str, object]:
    """The export of the session's marts twice: Hyper data (pantab) and CSV data (as without pantab)."""
    db = marts_db
    out = {}
    for kind, formats in (("hyper", "hyper"), ("csv", "csv")):
        folder = tmp_path_factory.mktemp(kind)
        with clean_env(folder):
            out[kind] = export(duckdb_settings(folder, db), formats=formats)
    return out


@pytest.fixture(params=["hyper", "csv"])
def result(request, books):
    return books[request.param]


def test_the_workbook_reads_the_expected_data(books):
    assert books["hyper"].dashboard_data == "hyper"
    assert books["csv"].dashboard_data == "csv"
    assert data_references(parse(books["hyper"].workbook)) == ["hyper/fct_hospitalizations.hyper"]
    assert data_references(parse(books["csv"].workbook)) == ["csv/fct_hospitalizations.csv"]


def test_twb_passes_tableau_schema_validation(result):
    run = validate(result.workbook)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 error(s), 0 warning(s)" in run.stderr


def test_twb_inside_twbx_passes_tableau_schema_validation(result, tmp_path):
    with zipfile.ZipFile(result.packaged_workbook) as zf:
        inner = tmp_path / "inner.twb"
        inner.write_bytes(zf.read("hospital_dashboard.twb"))
    run = validate(inner)
    assert run.returncode == 0, run.stdout + run.stderr


def test_validation_can_fail(result, tmp_path):
    """The check above is not vacuous: a workbook without its version attribute is refused."""
    root = parse(result.workbook)
    del root.attrib["version"]
    broken = tmp_path / "broken.twb"
    broken.write_bytes(etree.tostring(root))
    assert validate(broken).returncode == 1


def test_twbx_is_a_zip_with_the_workbook_at_root_and_every_data_file(result):
    with zipfile.ZipFile(result.packaged_workbook) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        workbooks = [n for n in names if n.endswith(".twb")]
        assert workbooks == ["hospital_dashboard.twb"]  # at the root: no folder part
        inner = zf.read("hospital_dashboard.twb")
        refs = data_references(parse(inner))
        assert refs and set(refs) <= set(names)
        for ref in refs:
            assert zf.read(ref) == (result.export_dir / ref).read_bytes()
        assert inner == result.workbook.read_bytes()


def test_every_field_exists_in_its_data_file_with_the_same_type(result):
    assert field_problems(parse(result.workbook), result.export_dir) == []


def test_the_field_check_catches_a_wrong_type_and_a_missing_column(result):
    root = parse(result.workbook)
    column = root.find("datasources/datasource/column[@name='[patient_gender]']")
    column.set("datatype", "integer")
    deps = root.find("worksheets/worksheet/table/view/datasource-dependencies")
    etree.SubElement(deps, "column", datatype="string", name="[no_such_column]", role="dimension", type="nominal")
    problems = field_problems(root, result.export_dir)
    assert any("patient_gender" in p for p in problems)
    assert any("no_such_column" in p for p in problems)


def test_paths_are_relative_so_the_folder_can_move(result, tmp_path):
    root = parse(result.workbook)
    for conn in root.iter("connection"):
        for attr in ("dbname", "directory", "filename"):
            value = conn.get(attr)
            if value is not None:
                assert not value.startswith("/") and ":" not in value and "\\" not in value, value
    moved = tmp_path / "moved"
    shutil.copytree(result.export_dir, moved)
    for ref in data_references(parse(moved / "hospital_dashboard.twb")):
        assert (moved / ref).is_file()
    assert field_problems(parse(moved / "hospital_dashboard.twb"), moved) == []


def test_same_data_same_workbook(result, tmp_path):
    spec = tableau.load_spec()
    data = tableau.WorkbookData(result.dashboard_data, data_references(parse(result.workbook))[0], _columns(result))
    assert tableau.workbook_bytes(spec, data) == result.workbook.read_bytes()


def _columns(result) -> tuple[tableau.DataColumn, ...]:
    ds = parse(result.workbook).find("datasources/datasource")
    return tuple(
        tableau.DataColumn(r.findtext("remote-name"), r.findtext("local-type"))
        for r in ds.iterfind(".//metadata-record[@class='column']")
    )


def test_dashboard_content(books):
    root = parse(books["hyper"].workbook)
    ds = "federated.hospital_stays"
    sheets = {w.get("name"): w for w in root.iterfind("worksheets/worksheet")}
    board = root.find("dashboards/dashboard")
    zones = list(board.iter("zone"))
    on_board = {z.get("name") for z in zones if z.get("name") and z.get("type-v2") is None}
    assert on_board == set(sheets)
    # KPI cards: one calculated field per headline KPI of their single definition (kpis.yml), one card each
    calcs = {
        c.get("caption"): c.find("calculation").get("formula")
        for c in root.iterfind("datasources/datasource/column")
        if c.find("calculation") is not None
    }
    assert calcs["Admissions"] == "COUNT([hospitalization_id])"
    assert calcs["Patients"] == "COUNTD([patient_id])"
    # rates over the discharged stays (a stay still open at the window's end has no length or outcome yet);
    # the readmission rate over the discharges whose 30-day follow-up lies inside the data
    discharged = "SUM(IIF([is_discharged], 1, 0))"
    assert calcs["Average stay"] == f"SUM([length_of_stay_days]) / {discharged}"
    assert calcs["30-day readmission rate"] == (
        "SUM(IIF([readmitted_within_30d_followed_up], 1, 0)) / SUM(IIF([follow_up_complete], 1, 0))"
    )
    assert calcs["In-hospital mortality"] == f"SUM(IIF([died_in_hospital], 1, 0)) / {discharged}"
    assert "Average census" not in calcs  # one row per stay: no daily census in the workbook's data
    kpi_text = {name: w.find(".//encodings/text").get("column") for name, w in sheets.items() if name.startswith("KPI")}
    assert kpi_text["KPI Average stay"] == f"[{ds}].[usr:Calculation_average_length_of_stay_days:qk]"
    assert {t.split(":")[1].removeprefix("Calculation_") for t in kpi_text.values()} == {
        "admissions",
        "patients",
        "average_length_of_stay_days",
        "median_length_of_stay_days",
        "readmission_rate_30d",
        "in_hospital_mortality",
        "bed_days",
        "total_charges",
    }
    # demographics, admissions over time, length of stay by month
    assert sheets["Patients by gender"].findtext("table/rows") == f"[{ds}].[none:patient_gender:nk]"
    # patients by their own age group (first admission in the window), as patients_demographics counts them
    assert sheets["Patients by age group"].findtext("table/cols") == f"[{ds}].[none:patient_age_group:nk]"
    assert sheets["Admissions over time"].findtext("table/cols") == f"[{ds}].[tmn:admission_date:qk]"
    assert (
        sheets["Average stay by month"].findtext("table/rows")
        == f"[{ds}].[usr:Calculation_average_length_of_stay_days:qk]"
    )
    # filters: date range, gender, age group, diagnosis category; shared by every sheet, shown on the dashboard
    shared = root.find("shared-views/shared-view")
    filters = {f.get("column"): f.get("class") for f in shared.iterfind("filter")}
    assert filters == {
        f"[{ds}].[none:admission_date:qk]": "quantitative",
        f"[{ds}].[none:patient_gender:nk]": "categorical",
        f"[{ds}].[none:age_group:nk]": "categorical",
        f"[{ds}].[none:diagnosis_category:nk]": "categorical",
    }
    filter_zones = {z.get("param") for z in zones if z.get("type-v2") == "filter"}
    assert filter_zones == set(filters)
    for sheet in sheets.values():
        assert {c.text for c in sheet.iterfind("table/view/slices/column")} == set(filters)


def test_spec_column_missing_from_the_data_is_a_clear_error(tmp_path):
    spec = copy.deepcopy(tableau.load_spec())
    spec["filters"].append({"field": "ward", "kind": "list", "title": "Ward"})
    data = tableau.WorkbookData("csv", "csv/x.csv", (tableau.DataColumn("admission_date", "date"),))
    with pytest.raises(ExportError, match="missing from csv/x.csv") as info:
        tableau.workbook_bytes(spec, data)
    assert "\n" not in info.value.message


def test_tableau_source_folder_holds_spec_and_readme():
    folder = tableau_source_dir()
    assert json.loads((folder / "dashboard.json").read_text(encoding="utf-8"))["workbook"] == "hospital_dashboard"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "hospital_dashboard.twbx" in readme


def test_pantab_import_helper_is_the_one_export_uses():
    assert writers.pantab_available()
    assert writers.import_pantab().__name__ == "pantab"
