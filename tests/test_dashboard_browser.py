"""dashboard.html in a real browser: headless Chromium driven by Selenium through Debian's chromedriver.

The page loads from disk with no console error and no network request; a person's clicks on the visible
controls (the gender and month menus, a drag across the monthly bars, a bar of a chart, "Clear filters")
change every tile to the numbers the warehouse gives for the same filter; a screenshot is not blank.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from PIL import Image

from helpers.dashboard import STAYS, analyzed_output, chromium_driver, expected_kpis, open_dashboard

pytestmark = pytest.mark.slow


# tile -> (kpis() key, how many decimals its text shows, scale of the shown number)
TILES = {
    "admissions": (0, 1),
    "patients": (0, 1),
    "average_length_of_stay_days": (1, 1),
    "median_length_of_stay_days": (1, 1),
    "readmission_rate_30d": (1, 100),
    "in_hospital_mortality": (2, 100),
    "average_census": (1, 1),
    "bed_days": (0, 1),
}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return analyzed_output(tmp_path_factory)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver); .ci/run installs it")
    driver_path = shutil.which("chromedriver")
    assert driver_path, "Chromium is installed but chromedriver is not: apt-get install chromium-driver"
    driver = chromium_driver(chromium, driver_path, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


def _tiles(driver) -> dict[str, str]:
    found = driver.execute_script(
        "const out = {}; document.querySelectorAll('[data-kpi]').forEach((t) => "
        "{ out[t.dataset.kpi] = t.querySelector('.number').textContent; }); return out;"
    )
    return dict(found)


def _number(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text))


def _money(text: str) -> float:
    scale = {"T": 1e12, "B": 1e9, "M": 1e6}.get(text[-1], 1)
    return _number(text) * scale


def _check_against_warehouse(driver, duckdb_file: Path, filters: dict) -> dict:
    expected = expected_kpis(duckdb_file, filters)
    shown = driver.execute_script("return window.hospitalDashboard.kpis();")
    tiles = _tiles(driver)
    for key, value in expected.items():
        assert shown[key] == pytest.approx(value, rel=1e-9, abs=1e-9), (key, filters)
    for key, (decimals, scale) in TILES.items():
        # the tile shows the number rounded to its decimals (toLocaleString), thousands separated
        assert abs(_number(tiles[key]) - expected[key] * scale) <= 0.5 * 10**-decimals + 1e-9, (key, tiles[key])
    charges = expected["total_charges"]
    assert abs(_money(tiles["total_charges"]) - charges) <= (5e3 if charges >= 1e6 else 0.5), tiles["total_charges"]
    return expected


def _select(driver, element_id: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, element_id)).select_by_visible_text(text)


BROWSER_PAGES = ("chrome://", "chrome-untrusted://")  # the browser's own pages (its new-tab page loads at start)


def _network_requests(driver) -> list[str]:
    """Every URL requested since the log was last read, but those of the browser's own pages."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            if not message["params"].get("documentURL", "").startswith(BROWSER_PAGES):
                urls.append(message["params"]["request"]["url"])
    return urls


def test_a_person_filters_the_dashboard_and_every_tile_follows(browser, out, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    page, duckdb_file = out / "dashboard.html", out / "hospital.duckdb"
    browser.get_log("performance")  # drop anything logged before this page
    open_dashboard(browser, page)

    # unfiltered: the tiles are the kpis mart's figures
    everything = _check_against_warehouse(browser, duckdb_file, {})
    with duckdb.connect(str(duckdb_file), read_only=True) as con:
        stays = con.execute("SELECT count(*) FROM ANALYTICS.fct_hospitalizations").fetchone()[0]
    assert everything["admissions"] == stays > STAYS // 4  # --hospitalizations is a rate per 24 months

    # the gender and month menus, as a person uses them
    _select(browser, "filter-gender", "Female")
    _select(browser, "filter-from", "Mar 2024")
    _select(browser, "filter-to", "Aug 2024")
    chosen = {"gender": "F", "from": "2024-03", "to": "2024-08"}
    assert browser.execute_script("return window.hospitalDashboard.filters();") == {
        **chosen,
        "age_group": None,
        "diagnosis_category": None,
        "admission_type": None,
        "defect": None,  # the data-quality sheet's filters
        "table": None,
    }
    narrowed = _check_against_warehouse(browser, duckdb_file, chosen)
    assert 0 < narrowed["admissions"] < everything["admissions"] / 4
    status = browser.find_element(By.ID, "status").text
    assert f"Showing {narrowed['admissions']:,} of {everything['admissions']:,} admissions" in status
    assert "Female" in status

    # a drag across the monthly bars chooses months 4..9 (May to Oct 2024)
    bars = browser.find_elements(By.CSS_SELECTOR, "#chart-admissions rect.bar")
    assert len(bars) == 24
    overlay = browser.find_element(By.CSS_SELECTOR, "#chart-admissions rect[data-role=brush]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", overlay)
    first, last = bars[4].rect, bars[9].rect
    box = overlay.rect
    start_x = first["x"] + first["width"] / 2 - (box["x"] + box["width"] / 2)
    end_x = last["x"] + last["width"] / 2 - (box["x"] + box["width"] / 2)
    ActionChains(browser).move_to_element_with_offset(overlay, round(start_x), 0).click_and_hold().move_by_offset(
        round(end_x - start_x), 0
    ).release().perform()
    dragged = {"gender": "F", "from": "2024-05", "to": "2024-10"}
    assert browser.execute_script("return window.hospitalDashboard.filters();")["from"] == "2024-05"
    _check_against_warehouse(browser, duckdb_file, dragged)

    # a click on a bar of the admission-type chart adds that filter; one stay filter keeps patients exact
    browser.find_element(By.CSS_SELECTOR, "#chart-type g.clickable[data-value=Emergency] rect:last-child").click()
    _check_against_warehouse(browser, duckdb_file, {**dragged, "admission_type": "Emergency"})

    # two stay filters: distinct patients cannot be counted from the page's aggregates, and the tile says so
    _select(browser, "filter-age_group", "65-84")
    shown = browser.execute_script("return window.hospitalDashboard.kpis();")
    assert shown["patients"] is None and _tiles(browser)["patients"] == "–"
    both = expected_kpis(duckdb_file, {**dragged, "admission_type": "Emergency", "age_group": "65-84"})
    assert shown["admissions"] == both["admissions"]

    # "Clear filters" brings back every stay
    browser.find_element(By.ID, "clear-filters").click()
    _check_against_warehouse(browser, duckdb_file, {})
    browser.execute_script("window.scrollTo(0, 0);")

    # nothing but the page itself was requested, and the console stayed clean
    requests = _network_requests(browser)
    assert requests and set(requests) == {page.as_uri()}, requests
    assert browser.execute_script("return performance.getEntriesByType('resource').length;") == 0
    problems = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not problems, problems

    shot = tmp_path / "dashboard.png"
    assert browser.save_screenshot(str(shot))
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 300, "the page looks blank"
        background = max(colours)[1]
        busy = sum(n for n, c in colours if sum(abs(a - b) for a, b in zip(c, background, strict=True)) > 60)
        assert busy / (rgb.width * rgb.height) > 0.05, "the page is almost all background"
        r, g, b = rgb.getpixel((10, 10))  # the header band is the dashboard's dark blue, not an error page
        assert b > r + 40, (r, g, b)


def test_the_automation_hook_sets_and_checks_filters(browser, out):
    page, duckdb_file = out / "dashboard.html", out / "hospital.duckdb"
    open_dashboard(browser, page)
    hook = "return window.hospitalDashboard.setFilters(arguments[0]);"
    applied = browser.execute_script(hook, {"diagnosis_category": "Heart failure", "from": "2025-01", "to": "2025-06"})
    assert applied["diagnosis_category"] == "Heart failure" and applied["from"] == "2025-01"
    _check_against_warehouse(
        browser, duckdb_file, {"diagnosis_category": "Heart failure", "from": "2025-01", "to": "2025-06"}
    )
    assert (
        browser.execute_script("return document.getElementById('filter-diagnosis_category').selectedOptions[0].text;")
        == "Heart failure"
    )
    for bad, message in (
        ({"gender": "X"}, "Unknown gender"),
        ({"ward": "A"}, "Unknown filter"),
        ({"from": "2030-01"}, "from must be a month"),
        ({"from": "2025-06", "to": "2025-01"}, "is after to"),
    ):
        error = browser.execute_script(
            "try { window.hospitalDashboard.setFilters(arguments[0]); return null; } catch (e) { return e.message; }",
            bad,
        )
        assert error and message in error, (bad, error)
    cleared = browser.execute_script("return window.hospitalDashboard.clearFilters();")
    assert cleared["diagnosis_category"] is None and cleared["from"] == "2024-01" and cleared["to"] == "2025-12"


def test_the_census_chart_shows_one_hospital_or_kind_of_unit_against_its_beds(browser, out):
    from selenium.webdriver.common.by import By

    page, duckdb_file = out / "dashboard.html", out / "hospital.duckdb"
    open_dashboard(browser, page)
    with duckdb.connect(str(duckdb_file), read_only=True) as con:
        (unit,) = con.execute("SELECT min(unit_name) FROM ANALYTICS.occupancy_daily").fetchone()
        per_day = con.execute(
            "SELECT census_date, sum(patients), sum(beds) FROM ANALYTICS.occupancy_daily WHERE unit_name = ? "
            "GROUP BY 1 ORDER BY 1",
            [unit],
        ).fetchall()
        hospital, hospital_patients = con.execute(
            "SELECT hospital_name, sum(patients) FROM ANALYTICS.occupancy_daily GROUP BY 1 ORDER BY 1 LIMIT 1"
        ).fetchone()
        first = con.execute("SELECT min(census_date) FROM ANALYTICS.daily_census").fetchone()[0]
    card = browser.find_element(By.ID, "chart-census")
    assert "Staffed beds" in card.text and "Filtered stays, monthly average" in card.text  # the whole system

    _select(browser, "census-view", unit)  # as a person does, in the chart's own menu
    shown = browser.execute_script("return window.hospitalDashboard.census();")
    offset = (per_day[0][0] - first).days
    assert shown["label"] == unit
    assert shown["values"][offset : offset + len(per_day)] == [int(r[1]) for r in per_day]
    assert shown["beds"][offset : offset + len(per_day)] == [int(r[2]) for r in per_day]
    assert f"{unit}, each day" in card.text and "Filtered stays" not in card.text  # stay filters: not here
    assert "the stay filters do not apply here" in card.text
    assert len(card.find_elements(By.CSS_SELECTOR, "path.line.beds")) == 1

    shown = browser.execute_script("return window.hospitalDashboard.setCensusView('hospital', arguments[0]);", hospital)
    assert shown["label"] == hospital and sum(shown["values"]) == hospital_patients
    assert browser.execute_script("return document.getElementById('census-view').selectedOptions[0].text;") == hospital
    error = browser.execute_script(
        "try { window.hospitalDashboard.setCensusView('ward', 'A'); return null; } catch (e) { return e.message; }"
    )
    assert error and "Unknown census view" in error and "hospital, unit" in error
    shown = browser.execute_script("return window.hospitalDashboard.setCensusView(null);")
    assert shown["label"] == "All stays" and "Filtered stays, monthly average" in card.text


# --- KPIs defined once: the four places that show them agree -------------------------------------------------
def _tableau_value(formula: str, stays) -> float:
    """Evaluate a KPI formula of the workbook (the aggregations kpis.py writes) over one row per stay."""
    aggregations = {
        "COUNT": lambda c: stays[c].count(),
        "COUNTD": lambda c: stays[c].nunique(),
        "SUM": lambda c: stays[c].sum(),
        "AVG": lambda c: stays[c].mean(),
        "MEDIAN": lambda c: stays[c].median(),
    }
    parts = []
    for term in formula.split(" / "):
        flag = re.fullmatch(r"SUM\(IIF\(\[(\w+)\], 1, 0\)\)", term)
        plain = re.fullmatch(r"(COUNTD|COUNT|SUM|AVG|MEDIAN)\(\[(\w+)\]\)", term)
        assert flag or plain, f"a formula this test cannot read: {formula}"
        parts.append(
            float(stays[flag.group(1)].astype(bool).sum())
            if flag
            else float(aggregations[plain.group(1)](plain.group(2)))
        )
    return parts[0] if len(parts) == 1 else parts[0] / parts[1]


def test_kpis_mart_report_dashboard_and_tableau_show_the_same_numbers(browser, out):
    import duckdb
    import pandas as pd
    from lxml import etree
    from lxml import html as lxml_html

    import hospital_analytics as ha
    from hospital_analytics import kpis

    exported = ha.export(ha.Settings(output_dir=out), formats="csv")  # the environment is clean (isolated_env)
    con = duckdb.connect(str(out / "hospital.duckdb"), read_only=True)
    mart = con.execute("SELECT * FROM ANALYTICS.kpis").df().iloc[0]
    con.close()
    headline = kpis.headline()
    assert {k.name for k in headline} <= set(mart.index)

    # 1. the report's cards
    tree = lxml_html.fromstring((out / "report.html").read_text(encoding="utf-8"))
    cards = {
        c.find_class("label")[0].text_content(): c.find_class("value")[0].text_content() for c in tree.find_class("kpi")
    }
    # 2. the dashboard, unfiltered
    open_dashboard(browser, out / "dashboard.html")
    shown, tiles = browser.execute_script("return window.hospitalDashboard.kpis();"), _tiles(browser)
    # 3. the Tableau workbook's calculated fields, evaluated over the data file it reads
    workbook = etree.parse(str(out / "export" / "hospital_dashboard.twb"))
    formulas = {
        c.get("caption"): c.find("calculation").get("formula")
        for c in workbook.iterfind("datasources/datasource/column")
        if c.find("calculation") is not None
    }
    stays = pd.read_csv(out / "export" / "csv" / "fct_hospitalizations.csv")
    assert exported.files and len(stays) == mart["admissions"]

    for kpi in headline:
        value = float(mart[kpi.name])
        text = kpis.format_value(kpi, value)
        assert cards[kpi.label] == text + (f" {kpi.unit}" if kpi.unit else ""), kpi.name
        assert shown[kpi.name] == pytest.approx(value, rel=1e-9), kpi.name
        assert tiles[kpi.name] == text, kpi.name  # the page formats as the report does
        if kpi.tableau:
            assert _tableau_value(formulas[kpi.label], stays) == pytest.approx(value, rel=1e-9), kpi.name
    assert sum(k.tableau for k in headline) >= 8
