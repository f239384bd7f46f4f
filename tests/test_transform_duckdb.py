"""hospital transform on DuckDB: the whole dbt project builds, every dbt test passes, the marts equal the
same figures computed with pandas from the raw CSVs; failing tests, missing RAW tables, the project left
untouched, the DuckDB file reopenable in the same process, docs, and plain `dbt build` giving the same tables.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import helpers.transform as ts
from hospital_analytics.cli import app
from hospital_analytics.errors import StepOrderError, TransformError
from hospital_analytics.fsutil import TMP_MARK
from hospital_analytics.layout import MARTS, RAW_TABLES
from hospital_analytics.transformation import transform

VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def built(edge_case_build):
    """Edge-case raw data, loaded with `hospital load`'s library step, built once with transform (the session's
    build, helpers.marts: analyze and export read it too)."""
    b = edge_case_build
    return {
        "settings": b.settings,
        "result": b.result,
        "progress": b.progress,
        "project_before": b.project_before,
        "project_after": b.project_after,
    }


def test_every_model_builds_and_its_rows_are_counted(built) -> None:
    result = built["result"]
    assert result.command == "run" and result.success and not result.failures
    models = {n.node: n for n in result.models}
    assert set(MARTS) <= set(models)
    assert {"stg_patients", "stg_doctors", "stg_hospitalizations"} <= set(models)
    assert all(n.status == "success" for n in models.values())
    assert all(models[m].materialized == "table" for m in MARTS)
    assert all(models[m].materialized == "view" for m in ("stg_patients", "stg_doctors", "stg_hospitalizations"))
    # rows are counted for every table
    assert result.rows_of("kpis") == 1
    stays = ts.pd.read_csv(built["settings"].layout.csv("hospitalizations"), parse_dates=["admission_date"])
    # the stays admitted in the window (one of the edge cases was admitted before it: census only)
    assert result.rows_of("fct_hospitalizations") == int((stays["admission_date"] >= ts.pd.Timestamp(ts.START)).sum())
    assert result.rows_of("fct_hospitalizations") == len(stays) - 1
    assert all(models[m].rows is not None and models[m].rows > 0 for m in MARTS)
    assert result.rows_of("stg_patients") is None  # a view


def test_every_unit_test_passes(built) -> None:
    result = transform(built["settings"], command="test", select="test_type:unit")
    units = {n.node: n for n in result.tests}
    assert result.success and all(n.resource_type == "unit_test" and n.status == "pass" for n in units.values())
    for name in (
        "test_int_patient_ages_age_groups",
        "test_int_patient_ages_first_admission_band",
        "test_int_patient_ages_leap_day_birthday",
        "test_int_window_defaults_to_month_end",
        "test_int_window_without_monthly_totals_starts_at_the_first_admission",
        "test_stg_hospitalizations_length_of_stay",
        "test_int_stays_sequenced_readmission_flags",
        "test_int_stays_sequenced_readmission_window_follows_the_var",
        "test_daily_census_midnight_census",
    ):
        assert name in units, name
    assert len(units) >= 10


@pytest.mark.slow  # every dbt test of the project (dbt test)
def test_every_dbt_test_passes(built) -> None:
    result = transform(built["settings"], command="test")
    tests = {n.node: n for n in result.tests}
    assert result.success and all(n.status == "pass" for n in tests.values())
    # the singular tests and the unit tests the project promises
    for name in (
        "assert_discharge_on_or_after_admission",
        "assert_no_overlapping_stays",
        "assert_monthly_totals_match_raw",
        "assert_monthly_totals_match_stays",
        "assert_length_of_stay_matches_dates",
        "assert_census_balances",
        "test_int_patient_ages_age_groups",
        "test_int_patient_ages_leap_day_birthday",
        "test_stg_hospitalizations_length_of_stay",
        "test_int_stays_sequenced_readmission_flags",
        "test_daily_census_midnight_census",
    ):
        assert name in tests, name
    assert sum(1 for n in result.tests if n.resource_type == "unit_test") >= 10
    assert len(result.tests) > 100


def test_marts_equal_pandas_figures_from_the_raw_csvs(built) -> None:
    settings = built["settings"]
    actual = ts.read_marts(settings)
    expected = ts.expected_marts(settings.layout.csv_dir, ts.END)
    ts.assert_marts_match(actual, expected)


def test_edge_cases_land_where_the_rules_say(built) -> None:
    actual = ts.read_marts(built["settings"])
    readm = actual["fct_readmissions"].set_index("hospitalization_id")
    first_patient = readm[readm["patient_id"] == 1].sort_values("admission_date")
    # discharge -> next admission: 30 days (a readmission), then 31 days (not one), then none
    assert [int(v) for v in first_patient["days_to_next_admission"].iloc[:2]] == [30, 31]
    assert [bool(v) for v in first_patient["readmitted_within_30d"]] == [True, False, False]
    per = actual["patients_hospitalizations"].set_index("patient_id")
    # age groups are taken at admission: 17 when admitted two days before the 18th birthday (the window's last
    # day), 84 at the first admission in the window (the stay before the window does not count)
    assert per.loc[2, "age_group"] == "0-17"
    assert per.loc[3, "age_group"] == "65-84"
    assert ts.pd.Timestamp(per.loc[3, "first_admission_date"]).date() == ts.START + ts.dt.timedelta(days=14)
    census = actual["daily_census"]
    assert ts.pd.Timestamp(census["census_date"].max()).date() == ts.END  # to window_end, not to the last discharge
    workload = actual["doctor_workload"].set_index("doctor_id")
    idle = workload.loc[workload.index.max()]
    assert int(idle["stays"]) == 0 and int(idle["bed_days"]) == 0
    assert ts.pd.isna(idle["average_length_of_stay_days"])


def test_progress_counts_every_dbt_node(built) -> None:
    progress, result = built["progress"], built["result"]
    assert progress.totals() == {"dbt run": len(result.nodes)}
    assert progress.advanced("dbt run") == len(result.nodes)


def test_dbt_writes_only_under_the_output_folder(built) -> None:
    settings = built["settings"]
    assert built["project_before"] == built["project_after"]  # nothing written into the (packaged) project
    assert (settings.layout.dbt_target_dir / "manifest.json").is_file()
    assert (settings.layout.dbt_target_dir / "run_results.json").is_file()
    assert (settings.layout.dbt_log_dir / "dbt.log").is_file()


def test_duckdb_file_reopens_read_write_in_the_same_process(built) -> None:
    settings = built["settings"]
    transform(settings, select="kpis")  # another in-process dbt run just before
    with duckdb.connect(str(settings.duckdb_file)) as con:  # read-write: fails if dbt-duckdb still holds it
        con.execute("create or replace table main.reopen_check as select 1 as x")
        con.execute("drop table main.reopen_check")
        assert con.execute('select count(*) from "ANALYTICS".kpis').fetchone() == (1,)
    transform(settings, select="kpis")  # and dbt can open it again after us


@pytest.mark.slow  # a dbt build of its own
def test_failing_tests_raise_with_their_names_and_how_to_inspect(tmp_path: Path) -> None:
    settings = ts.clean_settings(output_dir=tmp_path / "out", start=ts.START, end=ts.END)
    csv_dir = settings.layout.csv_dir
    ts.write_edge_case_csvs(csv_dir)
    # Break two promises: one patient's stays overlap, and one monthly total disagrees with the rows.
    stays = ts.pd.read_csv(csv_dir / "hospitalizations.csv", dtype=str, keep_default_na=False)  # text kept as is
    first = stays.index[stays["patient_id"] == "1"][0]
    stays.loc[first, "discharge_date"] = "2024-03-20"
    stays.loc[first, "discharged_at"] = "2024-03-20 18:15:00"
    stays.loc[first, "length_of_stay_days"] = "69"
    stays.to_csv(csv_dir / "hospitalizations.csv", index=False)
    totals = ts.pd.read_csv(csv_dir / "admissions_by_month.csv")
    totals.loc[0, "admissions"] += 1
    totals.to_csv(csv_dir / "admissions_by_month.csv", index=False)
    ts.load_duckdb(settings.duckdb_file, csv_dir)

    with pytest.raises(TransformError) as caught:
        transform(settings)
    error = caught.value
    assert "dbt tests failed" in error.message
    assert "assert_no_overlapping_stays" in error.message
    assert "assert_monthly_totals_match_raw" in error.message
    assert "\n" not in error.message
    assert "dbt test --select" in error.hint and "--store-failures" in error.hint
    assert str(settings.layout.dbt_target_dir / "compiled") in error.hint
    # The hint's command works as given: plain dbt reruns the first failing test and stores its rows.
    command = error.hint.split("`")[1]
    rerun = subprocess.run(
        command,
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith(("HOSPITAL_", "SNOWFLAKE_"))}
        | {"PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", "DO_NOT_TRACK": "1"},
    )
    assert rerun.returncode == 1, rerun.stdout[-2000:]
    assert "FAIL" in rerun.stdout and "dbt_test__audit" in rerun.stdout
    first_failed = error.result.failures[0]
    assert Path(first_failed.compiled_path).is_file() and first_failed.compiled_path in error.hint
    failed = {n.node for n in error.result.failures}
    assert {"assert_no_overlapping_stays", "assert_monthly_totals_match_raw"} <= failed
    assert all(n.rows and n.rows > 0 for n in error.result.failures if n.resource_type == "test")

    # The CLI: exit 1, the names, the table of what failed, no traceback.
    runner = CliRunner()
    outcome = runner.invoke(app, ["transform", "--out", str(settings.output_dir)], env={"HOSPITAL_END": "2024-12-31"})
    assert outcome.exit_code == 1
    assert "assert_no_overlapping_stays" in outcome.output
    assert "dbt test --select" in outcome.output
    assert "Traceback" not in outcome.output


def test_missing_raw_table_says_to_run_load(tmp_path: Path) -> None:
    settings = ts.clean_settings(output_dir=tmp_path / "out", start=ts.START, end=ts.END)
    # No warehouse file at all: nothing is created.
    with pytest.raises(StepOrderError, match=r"does not exist yet: nothing has been loaded into it"):
        transform(settings)
    assert not settings.duckdb_file.exists()
    # A file holding every RAW table but one.
    ts.write_edge_case_csvs(settings.layout.csv_dir)
    ts.load_duckdb(
        settings.duckdb_file, settings.layout.csv_dir, tables=tuple(t for t in RAW_TABLES if t != "hospitalizations")
    )
    with pytest.raises(StepOrderError) as caught:
        transform(settings)
    assert caught.value.message == (
        f"The RAW table hospitalizations is missing in DuckDB file {settings.duckdb_file}: run `hospital load` first."
    )
    runner = CliRunner()
    outcome = runner.invoke(app, ["transform", "--out", str(settings.output_dir)])
    assert outcome.exit_code == 1
    assert "run `hospital load` first" in outcome.output
    assert "Traceback" not in outcome.output


def test_cli_transform_prints_the_node_table_and_json(built) -> None:
    settings = built["settings"]
    runner = CliRunner()
    env = {"HOSPITAL_END": ts.END.isoformat()}
    outcome = runner.invoke(app, ["transform", "--out", str(settings.output_dir), "--select", "kpis"], env=env)
    assert outcome.exit_code == 0, outcome.output
    assert "kpis" in outcome.output and "success" in outcome.output
    assert "tests passed" in outcome.output
    outcome = runner.invoke(
        app, ["transform", "--out", str(settings.output_dir), "-s", "daily_census", "--json"], env=env
    )
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(outcome.stdout)
    assert data["step"] == "transform" and data["success"] is True and data["select"] == "daily_census"
    census = [n for n in data["nodes"] if n["node"] == "daily_census"][0]
    assert census["status"] == "success" and census["rows"] == (ts.END - ts.START).days + 1
    outcome = runner.invoke(app, ["transform", "--out", str(settings.output_dir), "--warehouse", "oracle"])
    assert outcome.exit_code == 2
    assert "--warehouse" in outcome.output
    # a selection that matches nothing, or is not dbt syntax, is a usage error, not a silent no-op
    outcome = runner.invoke(app, ["transform", "--out", str(settings.output_dir), "--select", "kpiz"], env=env)
    assert outcome.exit_code == 2
    assert "--select 'kpiz' matches no model or test" in outcome.output
    outcome = runner.invoke(app, ["transform", "--out", str(settings.output_dir), "-s", "nomethod:x"], env=env)
    assert outcome.exit_code == 2
    assert "is not a valid dbt selection" in outcome.output


@pytest.mark.slow  # dbt docs generate, the whole documentation site
def test_docs_writes_one_static_html_page(built) -> None:
    from hospital_analytics.transformation import docs

    settings = built["settings"]
    result = docs(settings)
    assert result.html == settings.layout.docs_html and result.html.is_file()
    html = result.html.read_text(encoding="utf-8")
    assert "patients_demographics" in html and "readmitted_within_30d" in html
    # the raw tables, the daily feed's two and its load ledger
    assert result.models >= 16 and result.sources == len(RAW_TABLES) + 3
    assert not any(p.name.startswith(TMP_MARK) for p in result.html.parent.iterdir())


def _plain_dbt_build(settings, tmp_path: Path, dbt_vars: dict | None) -> Path:
    """`dbt build --project-dir dbt_project --profiles-dir dbt_project` (with ``dbt_vars``, or none) on a copy
    of the session's RAW tables; the copy's path."""
    copy = tmp_path / "plain.duckdb"
    shutil.copyfile(settings.duckdb_file, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute('drop schema "ANALYTICS" cascade')
    repo_project = Path(__file__).resolve().parents[1] / "dbt_project"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSPITAL_", "SNOWFLAKE_"))}
    env.update(HOSPITAL_DUCKDB_PATH=str(copy), DO_NOT_TRACK="1")
    command = [
        str(VENV_BIN / "dbt"),
        "build",
        "--project-dir",
        str(repo_project),
        "--profiles-dir",
        str(repo_project),
        "--target-path",
        str(tmp_path / "target"),
        "--log-path",
        str(tmp_path / "logs"),
    ]
    if dbt_vars is not None:
        command += ["--vars", json.dumps(dbt_vars)]
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "Completed successfully" in run.stdout
    return copy


def _assert_same_marts(one: Path, other: Path) -> None:
    plain = duckdb.connect(str(one), read_only=True)
    mine = duckdb.connect(str(other), read_only=True)
    try:
        for mart in MARTS:
            query = f'select * from "ANALYTICS".{mart} order by all'
            assert plain.sql(query).fetchall() == mine.sql(query).fetchall(), mart
    finally:
        plain.close()
        mine.close()


@pytest.mark.slow  # a dbt build of its own
def test_plain_dbt_build_gives_the_same_tables(built, tmp_path: Path) -> None:
    """`dbt build --project-dir dbt_project --profiles-dir dbt_project` with the env vars builds the same marts."""
    settings = built["settings"]
    window = {"window_start": ts.START.isoformat(), "window_end": ts.END.isoformat()}
    _assert_same_marts(_plain_dbt_build(settings, tmp_path, window), settings.duckdb_file)


@pytest.mark.slow  # a dbt build of its own
def test_plain_dbt_without_the_window_vars_derives_the_same_window(built, tmp_path: Path) -> None:
    """Plain `dbt build` without vars: int_window starts on the first month of RAW.admissions_by_month (not on
    the stay admitted before the window, which stays census-only) and ends at the last admission's month end,
    so every mart equals transform's, which passes the settings' window."""
    settings = built["settings"]
    copy = _plain_dbt_build(settings, tmp_path, None)
    with duckdb.connect(str(copy), read_only=True) as con:
        window = con.execute(
            'select first_admission_date, window_start, window_end from "ANALYTICS".int_window'
        ).fetchone()
    assert window[0] < ts.START  # the edge cases hold a stay admitted before the window
    assert window[1:] == (ts.START, ts.END)
    _assert_same_marts(copy, settings.duckdb_file)


# The marts' columns, in order: their contract (analyze, export and the Tableau dashboard read exactly these).
CONTRACT_COLUMNS = {
    "patients_demographics": "gender age_group age_group_order patients share_of_patients",
    "patients_admissions_by_month": "month month_label admissions distinct_patients total_length_of_stay_days "
    "average_length_of_stay_days",
    "patients_hospitalizations": "patient_id gender age_group stays total_days average_length_of_stay_days "
    "first_admission_date last_discharge_date",
    "fct_hospitalizations": "hospitalization_id patient_id doctor_id admission_date discharge_date admission_month "
    "length_of_stay_days admission_type stay_type diagnosis_code diagnosis_description diagnosis_category "
    "discharge_disposition total_charges patient_gender patient_age_at_admission age_group age_group_order "
    "insurance patient_state doctor_specialty doctor_department readmitted_within_30d is_readmission died_in_hospital "
    "hospital_id hospital_name payer is_discharged admission_weekday discharge_weekday"
    " follow_up_complete readmitted_within_30d_followed_up patient_age_group patient_age_group_order",
    "fct_readmissions": "hospitalization_id patient_id admission_date discharge_date discharge_month next_admission_date "
    "days_to_next_admission readmitted_within_30d",
    "readmission_rate_by_month": "month month_label discharges readmissions_30d readmission_rate",
    "length_of_stay_by_diagnosis": "diagnosis_category doctor_specialty stays mean_length_of_stay_days "
    "median_length_of_stay_days p90_length_of_stay_days",
    "doctor_workload": "doctor_id doctor_name specialty department stays patients bed_days average_length_of_stay_days "
    "hospital_id roster_role attends_stays",
    "daily_census": "census_date admissions discharges patients_in_hospital",
    "kpis": "admissions patients average_length_of_stay_days median_length_of_stay_days readmission_rate_30d "
    "in_hospital_mortality average_census bed_days total_charges peak_census peak_census_date first_admission_date "
    "last_admission_date",
    "occupancy_daily": "census_date hospital_id hospital_name unit_id unit_code unit_name beds patients occupancy_rate",
    "discharge_dispositions": "diagnosis_category age_group age_group_order discharge_disposition discharges "
    "share_of_group",
    "admissions_by_weekday": "day_of_week day_name admission_type admissions discharges share_of_admissions "
    "share_of_discharges",
}


def _warehouse_columns(settings) -> dict[str, list[tuple[str, str]]]:
    with duckdb.connect(str(settings.duckdb_file), read_only=True) as con:
        rows = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'ANALYTICS' order by table_name, ordinal_position"
        ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        columns.setdefault(table, []).append((column, data_type))
    return columns


def test_marts_have_exactly_the_contract_columns_and_types(built) -> None:
    columns = _warehouse_columns(built["settings"])
    assert set(CONTRACT_COLUMNS) == set(MARTS)
    for mart, names in CONTRACT_COLUMNS.items():
        assert [c for c, _ in columns[mart]] == names.split(), mart
    types = {mart: dict(cols) for mart, cols in columns.items()}
    for mart in ("patients_admissions_by_month", "readmission_rate_by_month"):
        assert types[mart]["month"] == "DATE"
    assert types["daily_census"]["census_date"] == "DATE"
    assert types["fct_hospitalizations"]["readmitted_within_30d"] == "BOOLEAN"
    assert types["fct_hospitalizations"]["is_readmission"] == "BOOLEAN"
    assert types["fct_readmissions"]["readmitted_within_30d"] == "BOOLEAN"
    # counts are BIGINT (never DuckDB's HUGEINT, which pandas turns into floats), measures DOUBLE
    for mart, cols in types.items():
        assert "HUGEINT" not in cols.values(), mart
    assert types["kpis"]["bed_days"] == "BIGINT" and types["kpis"]["readmission_rate_30d"] == "DOUBLE"


def test_every_model_and_column_is_described(built) -> None:
    manifest = json.loads((built["settings"].layout.dbt_target_dir / "manifest.json").read_text())
    columns = _warehouse_columns(built["settings"])
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert len(models) >= 16
    for model in models:
        assert model["description"].strip(), model["name"]
        documented = {name: c["description"] for name, c in model["columns"].items()}
        assert set(documented) == {c for c, _ in columns[model["name"]]}, model["name"]
        assert all(text.strip() for text in documented.values()), model["name"]
    for source in manifest["sources"].values():
        assert source["description"].strip() and all(c["description"].strip() for c in source["columns"].values())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert {"tableau_hospital_dashboard", "hospital_report_charts"} <= set(exposures)
    assert (
        "model.hospital_analytics.fct_hospitalizations"
        in exposures["tableau_hospital_dashboard"]["depends_on"]["nodes"]
    )


@pytest.mark.slow  # a dbt build of its own
def test_generated_data_builds_and_matches_pandas(tmp_path: Path) -> None:
    """The real pipeline's data (hospital generate + hospital load): every dbt test passes, marts = pandas."""
    from hospital_analytics.simulation import generate
    from hospital_analytics.warehouse.loading import load

    settings = ts.clean_settings(output_dir=tmp_path / "out", patients=600, doctors=60, hospitalizations=2_000, seed=11)
    generate(settings)
    load(settings)
    result = transform(settings)
    assert result.success and len(result.tests) > 100
    actual = ts.read_marts(settings)
    ts.assert_marts_match(actual, ts.expected_marts(settings.layout.csv_dir, settings.end, settings.start))
    kpis = actual["kpis"].iloc[0]
    assert 1_700 <= int(kpis["admissions"]) <= 2_300  # --hospitalizations: a rate per 24 months (the window's length)
    assert 0.0 < float(kpis["readmission_rate_30d"]) < 0.5


def test_the_living_hospitals_promises_fail_when_broken(tmp_path: Path) -> None:
    """Each new singular test catches its broken promise: a unit over its beds, a stay after the patient's death,
    a newborn whose birth date is not its mother's delivery day, overlapping coverage spells, a stay half open."""
    settings = ts.clean_settings(output_dir=tmp_path / "out", start=ts.START, end=ts.END)
    csv_dir = settings.layout.csv_dir
    ts.write_edge_case_csvs(csv_dir)

    def edit(table: str, change) -> None:
        frame = ts.pd.read_csv(csv_dir / f"{table}.csv", dtype=str, keep_default_na=False)  # text kept as is
        change(frame)
        frame.to_csv(csv_dir / f"{table}.csv", index=False)

    def one_bed(units):  # the busiest unit, medical-surgical of hospital 1, gets one bed (and its hospital too)
        units.loc[units["unit_id"] == "1", "beds"] = "1"

    def dead_too_early(patients):  # patient 1 died before their stays
        patients.loc[patients["patient_id"] == "1", "death_date"] = "2024-01-05"

    def born_another_day(births):
        births.loc[0, "birth_date"] = "2024-01-01"

    def overlapping(spells):
        first = spells.iloc[[0]].assign(valid_from="2010-01-01", valid_to="2030-01-01", payer="Self-pay")
        spells.loc[len(spells)] = first.iloc[0]

    def half_open(stays):  # a discharge date without its discharge time
        stays.loc[stays["hospitalization_id"] == "1", "discharged_at"] = ""

    for table, change in (
        ("units", one_bed),
        ("patients", dead_too_early),
        ("births", born_another_day),
        ("coverage_history", overlapping),
        ("hospitalizations", half_open),
    ):
        edit(table, change)
    ts.load_duckdb(settings.duckdb_file, csv_dir)
    transform(settings, command="run")  # models only: then every test runs, none skipped
    transform(settings, command="snapshot")  # the snapshots' tests need their tables
    with pytest.raises(TransformError) as caught:
        transform(settings, command="test")
    assert caught.value.result is not None
    failed = {n.node for n in caught.value.result.failures}
    assert {
        "assert_census_within_beds",
        "assert_no_stay_after_death",
        "assert_newborns_linked_to_delivery",
        "assert_coverage_intervals_do_not_overlap",
        "assert_open_stays_consistent",
        "assert_hospital_beds_add_up",
    } <= failed, failed


def _last_run_log(settings) -> str:
    """dbt.log from the last dbt invocation on."""
    text = (settings.layout.dbt_log_dir / "dbt.log").read_text(encoding="utf-8")
    return text[text.rindex("running dbt with arguments") :]


@pytest.mark.slow  # four dbt runs, two full parses
def test_a_kept_parse_is_reused_and_an_edited_project_is_parsed_again(built, tmp_path: Path) -> None:
    """Runs that alternate schemas (full_refresh_differences does) reuse each one's parse (runner.parse_cache);
    a project file edited since is still parsed again, and the build follows the edit."""
    from hospital_analytics.layout import dbt_project_dir

    shutil.copytree(built["settings"].layout.root, tmp_path / "out")
    shutil.copytree(dbt_project_dir(), tmp_path / "project", ignore=shutil.ignore_patterns("target", "logs"))
    settings = ts.clean_settings(
        output_dir=tmp_path / "out", start=ts.START, end=ts.END, dbt_project_dir=tmp_path / "project"
    )
    transform(settings, command="run", select="kpis")
    assert "Starting full parse" in _last_run_log(settings) or "Unable to do partial parsing" in _last_run_log(settings)
    transform(settings, command="run", select="+kpis", analytics_schema="OTHER")
    assert "Unable to do partial parsing" in _last_run_log(settings)  # another profile: dbt's own target/ is stale
    transform(settings, command="run", select="kpis")
    log = _last_run_log(settings)
    assert "Unable to do partial parsing" not in log and "Starting full parse" not in log
    assert "Partial parsing enabled, no changes found" in log

    model = tmp_path / "project" / "models" / "marts" / "kpis.sql"
    model.write_text(f"select *, 42 as parse_check from (\n{model.read_text()}\n) as kept\n")
    transform(settings, command="run", select="kpis")
    assert "1 files changed" in _last_run_log(settings)
    with duckdb.connect(str(settings.duckdb_file), read_only=True) as con:
        assert con.execute('select parse_check from "ANALYTICS".kpis').fetchall() == [(42,)]
        assert "parse_check" not in [r[0] for r in con.execute('describe "OTHER".kpis').fetchall()]
