"""analyze's data-quality section (issue 15): the report's "Data quality" section and the dashboard's data-quality
sheet show what the data-quality marts hold (issues by class, table and day; quarantine by reason; what each rule
did), "No defects detected" with counts 0 for a clean run and for a warehouse built before those marts, and the
sheet renders and filters in a real browser with no network request.

The marts here are the session's edge-case build with the contract's data-quality tables added by hand
(docs/design/defects.md columns); expected numbers are read back from the DuckDB file with plain SQL.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from lxml import html as lxml_html

from helpers import clean_env
from helpers.dashboard import chromium_driver, decode_page, open_dashboard
from helpers.marts import MANIFEST, copy_marts, read
from hospital_analytics.analysis import analyze, quality
from hospital_analytics.config import Settings

SUMMARY = [  # defect, table_name, issue_date, issues
    ("duplicate_row", "patients", "2024-12-31", 3),
    ("duplicate_row", "hospitalizations", "2024-12-31", 5),
    ("orphan_key", "hospitalizations", "2024-12-31", 4),
    ("inconsistent_format", "patients", "2024-12-31", 7),
    ("late_duplicate", "encounter_events", "2024-03-02", 2),
    ("late_duplicate", "encounter_events", "2024-03-05", 1),
    ("late_duplicate", "patient_events", "2024-03-05", 1),
    ("timezone_shift", "encounter_events", "2024-06-10", 2),
]
RULES = [  # defect, table_name, rule, action, issues (rule_order: the row's place)
    ("duplicate_row", "patients", "same key, every column equal", "first copy kept", 3),
    ("duplicate_row", "hospitalizations", "same key, every column equal", "first copy kept", 5),
    ("orphan_key", "hospitalizations", "patient_id or doctor_id in no delivered row", "quarantined", 4),
    ("inconsistent_format", "patients", "text differs from its canonical form", "cleaned and kept", 7),
    ("late_duplicate", "encounter_events", "event_id seen twice", "earliest recorded kept", 3),
    ("late_duplicate", "patient_events", "event_id seen twice", "earliest recorded kept", 1),
    ("timezone_shift", "encounter_events", "event_at after recorded_at", "quarantined", 2),
    ("unit_slip", "hospitalizations", "charges 100 x the feed's", "the feed's charges used, kept", 0),
]
QUARANTINE = {"hospitalizations": [(901, "orphan_key")] * 4, "encounter_events": [(5501, "timezone_shift")] * 2}
INJECTED = {"duplicate_row": 8, "orphan_key": 4, "inconsistent_format": 7, "late_duplicate": 4, "timezone_shift": 2}
DEFECTS_MANIFEST = {**MANIFEST, "defects": {"profile": "realistic", "rates": {}, "counts": INJECTED}}


def drop_quality_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Every data-quality model (tables and views) out of ANALYTICS: a warehouse built before them."""
    found = con.execute(
        "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'ANALYTICS' "
        "AND (table_name LIKE 'data_quality_%' OR table_name LIKE 'quarantine_%')"
    ).fetchall()
    for name, kind in found:
        con.execute(f'DROP {"VIEW" if kind == "VIEW" else "TABLE"} ANALYTICS."{name}"')


def add_quality_marts(path: Path, *, rows: bool = True) -> None:
    """The contract's data-quality tables in ANALYTICS (with the rows above, or empty as a clean run builds them),
    in place of those the build made."""
    con = duckdb.connect(str(path))
    try:
        drop_quality_marts(con)
        con.execute(
            "CREATE TABLE ANALYTICS.data_quality_issues (table_name VARCHAR, record_key VARCHAR, defect VARCHAR)"
        )
        con.execute(
            "CREATE TABLE ANALYTICS.data_quality_summary "
            "(defect VARCHAR, table_name VARCHAR, issue_date DATE, issues BIGINT)"
        )
        con.execute(
            "CREATE TABLE ANALYTICS.data_quality_rules (defect VARCHAR, table_name VARCHAR, rule VARCHAR, action VARCHAR, "
            "issues BIGINT, rule_order INTEGER)"
        )
        for table in ("patients", "hospitalizations", "encounter_events"):
            con.execute(f"CREATE TABLE ANALYTICS.quarantine_{table} (record_id BIGINT, reason VARCHAR)")
        if rows:
            con.executemany("INSERT INTO ANALYTICS.data_quality_summary VALUES (?, ?, ?, ?)", SUMMARY)
            con.executemany(
                "INSERT INTO ANALYTICS.data_quality_rules VALUES (?, ?, ?, ?, ?, ?)",
                [(*rule, -i) for i, rule in enumerate(reversed(RULES))],  # rule_order, not insertion order
            )
            for table, held in QUARANTINE.items():
                con.executemany(f"INSERT INTO ANALYTICS.quarantine_{table} VALUES (?, ?)", held)
    finally:
        con.close()


def _analyzed(marts_db: Path, root: Path, manifest: dict | None, *, rows: bool | None) -> Path:
    """analyze on a copy of the session's marts with the data-quality tables (``rows`` None: none of them)."""
    copy_marts(marts_db, root / "hospital.duckdb")
    if rows is not None:
        add_quality_marts(root / "hospital.duckdb", rows=rows)
    else:
        with duckdb.connect(str(root / "hospital.duckdb")) as con:
            drop_quality_marts(con)
    if manifest is not None:
        (root / "data").mkdir(parents=True)
        (root / "data" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with clean_env(root):
        analyze(Settings(output_dir=root))
    return root


@pytest.fixture(scope="module")
def dirty(marts_db, tmp_path_factory) -> Path:
    return _analyzed(marts_db, tmp_path_factory.mktemp("dirty"), DEFECTS_MANIFEST, rows=True)


def _section(page: Path):
    tree = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    sections = tree.xpath("//section[@aria-label='Data quality']")
    assert len(sections) == 1
    return sections[0]


def _rows(section, title: str) -> list[list[str]]:
    card = section.xpath(f".//div[@class='card'][h3='{title}']")
    assert card, title
    return [[cell.text_content() for cell in row] for row in card[0].xpath(".//tbody/tr")]


def _counts(section) -> dict[str, str]:
    return {
        c.find_class("label")[0].text_content(): c.find_class("value")[0].text_content()
        for c in section.find_class("dq-count")
    }


def test_report_shows_the_data_quality_marts(dirty):
    db = dirty / "hospital.duckdb"
    section = _section(dirty / "report.html")
    issues = int(read(db, "SELECT sum(issues) AS n FROM ANALYTICS.data_quality_summary")["n"][0])
    held = int(
        read(
            db,
            "SELECT (SELECT count(*) FROM ANALYTICS.quarantine_hospitalizations) "
            "+ (SELECT count(*) FROM ANALYTICS.quarantine_encounter_events) AS n",
        )["n"][0]
    )
    assert (issues, held) == (25, 6)
    verdict = section.find_class("verdict")[0].text_content()
    assert f"{issues} issues detected in 5 defect classes and 4 tables; {held} rows held in quarantine" in verdict
    assert "--defects realistic" in verdict and "records 25 injected" in verdict
    assert _counts(section) == {
        "Issues detected": "25",
        "Defect classes": "5",
        "Rows in quarantine": "6",
        "Tables affected": "4",
    }
    by_class = read(db, "SELECT defect, sum(issues) AS n FROM ANALYTICS.data_quality_summary GROUP BY 1")
    expected = dict(zip(by_class["defect"], by_class["n"], strict=True))
    rows = _rows(section, "Issues by class")
    # the contract's order; detected from the marts beside injected from the manifest's ledger counts
    assert [r[0] for r in rows] == [
        "duplicate_row",
        "orphan_key",
        "inconsistent_format",
        "late_duplicate",
        "timezone_shift",
    ]
    for defect, _what, _tables, detected, injected, _dated in rows:
        assert int(detected) == expected[defect] and int(injected) == INJECTED[defect], defect
    assert rows[0][2] == "hospitalizations, patients" and rows[0][5] == "31 Dec 2024"
    assert rows[3][2] == "encounter_events, patient_events" and rows[3][5] == "02 Mar 2024 – 05 Mar 2024"
    assert _rows(section, "What quarantine holds") == [
        ["quarantine_encounter_events", "timezone_shift", "2"],
        ["quarantine_hospitalizations", "orphan_key", "4"],
    ]
    assert _rows(section, "What each rule did") == [[d, t, r, a, str(n)] for d, t, r, a, n in RULES]


def test_report_embeds_the_chart_of_issues_by_class_and_day(dirty):
    section = _section(dirty / "report.html")
    images = section.xpath(".//figure[@id='data_quality']/img")
    assert len(images) == 1 and images[0].get("src").startswith("data:image/png;base64,")
    assert (dirty / "charts" / "data_quality.png").stat().st_size > 5_000
    tree = lxml_html.fromstring((dirty / "report.html").read_text(encoding="utf-8"))
    charts = tree.xpath("//section[@aria-label='Charts']//figure/@id")
    assert "data_quality" not in charts  # in its own section, not among the operations charts


def test_chart_stacks_the_feeds_issues_per_day():
    import matplotlib.dates as mdates
    import pandas as pd

    from hospital_analytics.analysis import charts

    summary = pd.DataFrame(SUMMARY, columns=["defect", "table_name", "issue_date", "issues"])
    summary["issue_date"] = pd.to_datetime(summary["issue_date"])
    fig = charts.data_quality(summary, quality.FEED_TABLES, quality.ordered(summary["defect"]))
    left, right = fig.axes
    assert [round(p.get_width()) for p in left.patches] == [8, 4, 7, 4, 2]  # per class, contract order
    heights = {}  # the feed's issues per day, stacked: late duplicates 2 on 2 Mar, 2 on 5 Mar; 2 shifts on 10 Jun
    for patch in right.patches:
        if patch.get_height():
            day = mdates.num2date(patch.get_x() + patch.get_width() / 2).strftime("%Y-%m-%d")
            heights[day] = heights.get(day, 0) + patch.get_height()
    assert heights == {"2024-03-02": 2, "2024-03-05": 2, "2024-06-10": 2}


def test_dashboard_payload_carries_the_sheets_data(dirty):
    payload = decode_page((dirty / "dashboard.html").read_text(encoding="utf-8"))["quality"]
    assert payload["present"] is True and payload["profile"] == "realistic" and payload["injected"] == INJECTED
    assert payload["defects"] == [
        "duplicate_row",
        "orphan_key",
        "inconsistent_format",
        "late_duplicate",
        "timezone_shift",
    ]
    assert payload["tables"] == ["hospitalizations", "patients", "encounter_events", "patient_events"]
    assert payload["feed_tables"] == ["encounter_events", "patient_events"] and payload["start"] == "2024-03-02"
    rows = payload["rows"]
    shown = sorted(
        (payload["defects"][d], payload["tables"][t], day, n)
        for d, t, day, n in zip(rows["defect"], rows["table"], rows["day"], rows["issues"], strict=True)
    )
    import datetime as dt

    start = dt.date(2024, 3, 2)
    assert shown == sorted((d, t, (dt.date.fromisoformat(day) - start).days, n) for d, t, day, n in SUMMARY)
    assert payload["quarantine"] == [
        {"table": "encounter_events", "reason": "timezone_shift", "rows": 2},
        {"table": "hospitalizations", "reason": "orphan_key", "rows": 4},
    ]
    assert [(r["defect"], r["table"], r["issues"]) for r in payload["rules"]] == [
        (d, t, n) for d, t, _r, _a, n in RULES
    ]


def test_a_clean_run_says_no_defects_detected(marts_db, tmp_path):
    root = _analyzed(
        marts_db, tmp_path / "clean", {**MANIFEST, "defects": {"profile": "none", "counts": {}}}, rows=False
    )
    section = _section(root / "report.html")
    verdict = section.find_class("verdict")[0].text_content()
    assert verdict.startswith("No defects detected: every check passed and quarantine is empty")
    assert "--defects none" in verdict
    assert set(_counts(section).values()) == {"0"}
    assert not section.xpath(".//img") and not (root / "charts" / "data_quality.png").exists()
    assert "None: no defects detected." in section.text_content()
    payload = decode_page((root / "dashboard.html").read_text(encoding="utf-8"))["quality"]
    assert payload["present"] is True and payload["rows"]["issues"] == [] and payload["quarantine"] == []


def test_a_warehouse_without_the_marts_reads_as_no_defects(marts_db, tmp_path):
    """A warehouse built before the data-quality models: not an error, no defects detected."""
    root = _analyzed(marts_db, tmp_path / "old", MANIFEST, rows=None)
    section = _section(root / "report.html")
    verdict = section.find_class("verdict")[0].text_content()
    assert verdict.startswith("No defects detected: this warehouse has no data-quality models")
    assert "hospital transform" in verdict
    assert set(_counts(section).values()) == {"0"}
    assert decode_page((root / "dashboard.html").read_text(encoding="utf-8"))["quality"]["present"] is False


def test_the_real_clean_build_reads_as_no_defects(analyzed):
    """The session's build of clean edge-case data (dbt's data-quality models empty): no defects, the rules
    listed with 0 issues each."""
    assert analyzed.result.quality == {"issues": 0, "classes": 0, "tables": 0, "quarantined": 0, "marts": True}
    assert ("data quality", "No defects detected") in analyzed.result.summary_rows()
    section = _section(analyzed.result.report)
    assert section.find_class("verdict")[0].text_content().startswith("No defects detected: every check passed")
    rules = _rows(section, "What each rule did")
    assert len(rules) >= 11 and {r[4] for r in rules} == {"0"}
    assert {r[0] for r in rules} == set(quality.CLASSES)  # every class of the contract has its rule


def test_the_result_counts_the_issues(dirty, marts_db, tmp_path):
    copy_marts(marts_db, tmp_path / "hospital.duckdb")
    add_quality_marts(tmp_path / "hospital.duckdb")
    with clean_env(tmp_path):
        result = analyze(Settings(output_dir=tmp_path))
    assert result.quality == {"issues": 25, "classes": 5, "tables": 4, "quarantined": 6, "marts": True}
    assert result.frames["data_quality_summary"]["issues"].sum() == 25
    assert "data_quality" in result.figures
    assert dict(result.summary_rows())["data quality"].startswith("25 issues in 5 classes, 6 rows quarantined")
    assert result.to_dict()["quality"]["issues"] == 25


# --- the sheet in a real browser -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver); .ci/run installs it")
    driver_path = shutil.which("chromedriver")
    assert driver_path, "Chromium is installed but chromedriver is not: apt-get install chromium-driver"
    driver = chromium_driver(chromium, driver_path, tmp_path_factory.mktemp("chromium-profile"), height=1400)
    try:
        yield driver
    finally:
        driver.quit()


def _cells(driver, selector: str) -> list[list[str]]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map("
        "(r) => Array.from(r.cells).map((c) => c.textContent));",
        selector,
    )


def _tiles(driver) -> dict[str, str]:
    return dict(
        driver.execute_script(
            "const out = {}; document.querySelectorAll('[data-quality]').forEach((t) => "
            "{ out[t.dataset.quality] = t.querySelector('.value').textContent; }); return out;"
        )
    )


@pytest.mark.slow
def test_the_data_quality_sheet_renders_and_filters(browser, dirty):
    import json as _json

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    page = dirty / "dashboard.html"
    browser.get_log("performance")
    open_dashboard(browser, page)
    assert browser.find_element(By.ID, "sheet-quality").get_attribute("hidden") is not None
    assert browser.find_element(By.ID, "quality-badge").text == "25"
    browser.find_element(By.ID, "tab-quality").click()  # as a person does
    assert browser.execute_script("return window.hospitalDashboard.sheet();") == "quality"
    assert browser.find_element(By.ID, "sheet-operations").get_attribute("hidden") is not None
    assert not browser.find_element(By.ID, "filter-gender").is_displayed()
    assert browser.find_element(By.ID, "filter-defect").is_displayed()
    assert _tiles(browser) == {"issues": "25", "classes": "5", "tables": "4", "quarantined": "6", "injected": "25"}
    assert "25 issues detected in 5 defect classes" in browser.find_element(By.ID, "quality-verdict").text
    days = browser.find_elements(By.CSS_SELECTOR, "#chart-quality-days g[data-day]")
    assert [d.get_attribute("data-day") for d in days] == ["2024-03-02", "2024-03-05", "2024-06-10", "2024-12-31"]
    classes = browser.find_elements(By.CSS_SELECTOR, "#chart-quality-classes g.clickable")
    assert [c.get_attribute("data-value") for c in classes] == [
        "duplicate row",
        "orphan key",
        "inconsistent format",
        "late duplicate",
        "timezone shift",
    ]
    assert _cells(browser, "#table-quarantine tbody tr") == [
        ["quarantine_encounter_events", "timezone_shift", "2"],
        ["quarantine_hospitalizations", "orphan_key", "4"],
    ]

    # a click on a class bar filters the sheet to that class: tiles, the day chart, quarantine and rules follow
    browser.find_element(
        By.CSS_SELECTOR, "#chart-quality-classes g.clickable[data-value='late duplicate'] rect:last-child"
    ).click()
    assert browser.execute_script("return window.hospitalDashboard.filters();")["defect"] == "late_duplicate"
    assert _tiles(browser)["issues"] == "4" and _tiles(browser)["tables"] == "2"
    shown = browser.execute_script("return window.hospitalDashboard.quality();")
    assert shown["by_day"] == {"2024-03-02": 2, "2024-03-05": 2} and shown["quarantined"] == 0
    assert _cells(browser, "#table-rules tbody tr") == [
        [d, t, r, a, str(n)] for d, t, r, a, n in RULES if d == "late_duplicate"
    ]
    assert _cells(browser, "#table-quarantine tbody tr") == []  # late duplicates are deduplicated, not quarantined
    # the table menu and the month range, as a person uses them
    Select(browser.find_element(By.ID, "filter-table")).select_by_visible_text("patient_events")
    assert _tiles(browser)["issues"] == "1"
    browser.find_element(By.ID, "clear-filters").click()
    Select(browser.find_element(By.ID, "filter-from")).select_by_visible_text("Mar 2024")
    Select(browser.find_element(By.ID, "filter-to")).select_by_visible_text("Jun 2024")
    assert _tiles(browser)["issues"] == "6"  # the feed's issues; the snapshot's are dated 31 Dec 2024
    assert "6 data-quality issues" in browser.find_element(By.ID, "status").text
    error = browser.execute_script(
        "try { window.hospitalDashboard.setFilters({defect: 'typo'}); return null; } catch (e) { return e.message; }"
    )
    assert "Unknown defect" in error and "late_duplicate" in error

    # back to the operations sheet: its tiles are drawn again
    browser.find_element(By.ID, "tab-operations").click()
    assert browser.find_element(By.ID, "chart-admissions").is_displayed()
    assert browser.find_elements(By.CSS_SELECTOR, "#chart-admissions rect.bar")

    requests = []
    for entry in browser.get_log("performance"):
        message = _json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent" and not message["params"].get("documentURL", "").startswith(
            ("chrome://", "chrome-untrusted://")
        ):
            requests.append(message["params"]["request"]["url"])
    assert set(requests) == {page.as_uri()}, requests
    problems = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not problems, problems


@pytest.mark.slow
def test_the_sheet_of_a_clean_warehouse_says_no_defects_detected(browser, analyzed):
    from selenium.webdriver.common.by import By

    browser.get(analyzed.result.dashboard.as_uri() + "#data-quality")  # the hash opens the sheet
    state = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.hospitalDashboard.ready.then(() => done('ready'), (e) => done('failed: ' + e.message));"
    )
    assert state == "ready" and browser.execute_script("return window.hospitalDashboard.sheet();") == "quality"
    assert browser.find_element(By.ID, "quality-verdict").text.startswith("No defects detected")
    assert set(_tiles(browser).values()) == {"0", "–"}
    assert browser.find_element(By.ID, "quality-badge").text == "0"
    assert "No defects detected" in browser.find_element(By.ID, "chart-quality-days").text
