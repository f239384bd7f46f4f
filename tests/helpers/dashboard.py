"""Helpers for the dashboard tests: the analyzed output of generated marts (built once per session), the data
a page carries, headless Chromium under Selenium, and the KPIs of a filter computed straight from the stays
(fct_hospitalizations and the days of daily_census), independently of the dashboard marts."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import re
from pathlib import Path

import duckdb
import pytest

from helpers import clean_env
from helpers.marts import copy_marts, generated
from hospital_analytics.config import Settings

# The generated hospital the dashboard tests read: the default 24-month window, enough stays to fill the cube.
START, END = dt.date(2024, 1, 1), dt.date(2025, 12, 31)
STAYS = 1_500
_ANALYZED: dict[str, Path] = {}

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
)


def decode_page(page: str) -> dict:
    """The data a dashboard.html carries (base64 of gzip of JSON), decoded."""
    found = re.search(r'<script type="application/octet-stream" id="dashboard-data">([A-Za-z0-9+/=]+)</script>', page)
    assert found, "no data block in the page"
    return json.loads(gzip.decompress(base64.b64decode(found.group(1))))


def chromium_driver(chromium: str, chromedriver: str, profile: Path, width: int = 1440, height: int = 2300):
    """Headless Chromium under Selenium, through the given chromedriver: Selenium Manager (which could
    download a driver) never runs. Browser console and network events are logged (``get_log``)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    driver.set_script_timeout(30)
    return driver


def open_dashboard(driver, page: Path) -> None:
    """Load the page and wait until its data is unpacked and drawn."""
    driver.get(page.as_uri())
    state = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.hospitalDashboard.ready.then(() => done('ready'), (e) => done('failed: ' + e.message));"
    )
    assert state == "ready", state


def analyzed_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder holding generated marts (``helpers.marts.generated``: generate, load, ``dbt run``) and
    what analyze made of them (report.html, dashboard.html), once per session; its path."""
    from hospital_analytics import analyze

    if "out" not in _ANALYZED:
        marts = generated(tmp_path_factory, START, END, hospitalizations=STAYS, doctors=40)
        root = tmp_path_factory.mktemp("dashboard")
        copy_marts(marts, root / "hospital.duckdb")
        with clean_env(root):
            analyze(Settings(output_dir=root, start=START, end=END))
        _ANALYZED["out"] = root
    return _ANALYZED["out"]


FILTER_COLUMNS = {
    "gender": "patient_gender",
    "age_group": "age_group",
    "diagnosis_category": "diagnosis_category",
    "admission_type": "admission_type",
}


def expected_kpis(duckdb_file: Path, filters: dict) -> dict:
    """The dashboard's KPIs for ``filters`` (from/to as YYYY-MM, dimension values) from the stays themselves."""
    where = ["1 = 1"]
    if filters.get("from"):
        where.append(f"admission_month >= DATE '{filters['from']}-01'")
    if filters.get("to"):
        where.append(f"admission_month <= DATE '{filters['to']}-01'")
    for key, column in FILTER_COLUMNS.items():
        if filters.get(key) is not None:
            where.append(f"{column} = '{filters[key]}'")
    stays = " AND ".join(where)
    days = ["1 = 1"]
    if filters.get("from"):
        days.append(f"census_date >= DATE '{filters['from']}-01'")
    if filters.get("to"):
        end = dt.date.fromisoformat(filters["to"] + "-01")
        after = dt.date(end.year + end.month // 12, end.month % 12 + 1, 1)
        days.append(f"census_date < DATE '{after}'")
    in_range = " AND ".join(days)
    # midnights: the stays passing the non-date filters, on the days of the range (census semantics)
    segment = " AND ".join(w for w in where if "admission_month" not in w)
    con = duckdb.connect(str(duckdb_file), read_only=True)
    try:
        row = con.execute(
            f"""
            SELECT count(*), count(DISTINCT patient_id), avg(length_of_stay_days), median(length_of_stay_days),
                   sum(CAST(readmitted_within_30d_followed_up AS INTEGER))
                       / nullif(sum(CAST(follow_up_complete AS INTEGER)), 0),
                   sum(CASE WHEN discharge_disposition = 'Died' THEN 1 ELSE 0 END) / count(discharge_date),
                   sum(length_of_stay_days), sum(total_charges)
            FROM ANALYTICS.fct_hospitalizations WHERE {stays}"""
        ).fetchone()
        # every stay in house at midnight: those admitted before the window and the open ones too (daily_census)
        midnights, day_count = con.execute(
            f"""
            WITH f AS (
                SELECT s.admission_date, s.discharge_date, p.gender AS patient_gender, s.diagnosis_category,
                       s.admission_type,
                       CASE WHEN age < 18 THEN '0-17' WHEN age < 45 THEN '18-44' WHEN age < 65 THEN '45-64'
                            WHEN age < 85 THEN '65-84' ELSE '85+' END AS age_group
                FROM ANALYTICS.stg_hospitalizations s
                JOIN ANALYTICS.stg_patients p USING (patient_id),
                LATERAL (SELECT year(s.admission_date) - year(p.birth_date)
                         - CASE WHEN month(s.admission_date) * 100 + day(s.admission_date)
                                     < month(p.birth_date) * 100 + day(p.birth_date) THEN 1 ELSE 0 END AS age)
            )
            SELECT (SELECT count(*) FROM f
                    JOIN ANALYTICS.daily_census d ON d.census_date >= f.admission_date
                         AND (f.discharge_date IS NULL OR d.census_date < f.discharge_date)
                    WHERE {segment} AND {in_range}),
                   (SELECT count(*) FROM ANALYTICS.daily_census WHERE {in_range})"""
        ).fetchone()
    finally:
        con.close()
    admissions, patients, average, median, readmitted, died, bed_days, charges = row
    return {
        "admissions": admissions,
        "patients": patients,
        "average_length_of_stay_days": average,
        "median_length_of_stay_days": median,
        "readmission_rate_30d": readmitted,
        "in_hospital_mortality": died,
        "average_census": midnights / day_count,
        "bed_days": bed_days,
        "total_charges": float(charges),
    }
