"""analyze's report.html: KPI values shown, self-contained (no network), provenance, and it renders in Chromium."""

from __future__ import annotations

import base64
import datetime as dt
import re
import shutil
import subprocess

import pytest
from dateutil.relativedelta import relativedelta
from lxml import html as lxml_html
from PIL import Image

from helpers.marts import REPORT_SECRET, copy_marts, read
from hospital_analytics.analysis import CHART_NAMES, analyze
from hospital_analytics.config import Settings
from hospital_analytics.fsutil import TMP_MARK


@pytest.fixture(scope="module")
def out(analyzed):
    return analyzed.root


@pytest.fixture(scope="module")
def result(analyzed):
    return analyzed.result


@pytest.fixture(scope="module")
def page(result):
    return result.report.read_text(encoding="utf-8")


def _cards(page: str) -> dict[str, tuple[str, str]]:
    tree = lxml_html.fromstring(page)
    return {
        card.find_class("label")[0].text_content(): (
            card.find_class("value")[0].text_content(),
            card.find_class("note")[0].text_content(),
        )
        for card in tree.find_class("kpi")
    }


def test_report_shows_each_kpi_value(result, page, out):
    kpis = read(out / "hospital.duckdb", "SELECT * FROM ANALYTICS.kpis").iloc[0]
    cards = _cards(page)
    assert cards["Admissions"][0] == f"{int(kpis['admissions']):,}"
    assert cards["Patients"][0] == f"{int(kpis['patients']):,}"
    assert cards["Average stay"][0] == f"{kpis['average_length_of_stay_days']:.1f} days"
    assert cards["Median stay"][0] == f"{kpis['median_length_of_stay_days']:g} days"
    assert cards["30-day readmission rate"][0] == f"{kpis['readmission_rate_30d']:.1%}"
    died = read(
        out / "hospital.duckdb", "SELECT avg(CAST(died_in_hospital AS INTEGER)) FROM ANALYTICS.fct_hospitalizations"
    )
    assert cards["In-hospital mortality"][0] == f"{died.iloc[0, 0]:.2%}"
    assert cards["Peak census"][0] == f"{int(kpis['peak_census']):,} patients"
    assert kpis["peak_census_date"].strftime("%d %b %Y") in cards["Peak census"][1]
    assert cards["Bed days"][0] == f"{int(kpis['bed_days']):,}"
    assert cards["Total charges"][0] == f"${kpis['total_charges'] / 1e6:,.2f}M"
    census = read(out / "hospital.duckdb", "SELECT avg(patients_in_hospital) FROM ANALYTICS.daily_census").iloc[0, 0]
    assert cards["Average census"][0] == f"{census:,.1f} patients"
    assert result.kpis["admissions"] == int(kpis["admissions"])


def test_report_embeds_every_chart_as_a_png_data_uri(page):
    tree = lxml_html.fromstring(page)
    images = tree.xpath("//img")
    assert [img.getparent().get("id") for img in images] == list(CHART_NAMES)
    for img in images:
        src = img.get("src")
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert img.get("alt")
        assert int(img.get("width")) >= 500


def test_report_needs_no_network(page):
    tree = lxml_html.fromstring(page)
    for element in tree.iter():
        for attribute in ("src", "href", "action", "data", "poster"):
            value = element.get(attribute) if isinstance(element.tag, str) else None
            assert value is None or value.startswith(("data:", "#")), (element.tag, attribute, value[:80])
    assert not tree.xpath("//script | //link | //iframe | //object | //embed")
    assert not re.search(r"url\(|@import", page)
    csp = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert csp and "default-src 'none'" in csp[0] and "img-src data:" in csp[0]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "$0"), (999_999.4, "$999,999"), (5_941_620.7, "$5.94M"), (1_234_000_000, "$1.23B"), (2.5e12, "$2.50T")],
)
def test_money_stays_short(value, shown):
    from hospital_analytics.kpis import money

    assert money(value) == shown


def test_report_tells_where_the_data_came_from(page, out):
    text = lxml_html.fromstring(page).text_content()
    assert "Seed4242" in text.replace(" ", "") or "4242" in text
    assert "2026-01-02 03:04:05 UTC" in text
    assert "2024-01-01 to 2025-12-31" in text
    assert f"DuckDB file {out / 'hospital.duckdb'}" in text
    assert "hospitalizations 400" in text
    assert "30 of 37 checks on target" in text
    assert REPORT_SECRET not in page and "hunter2" not in page  # secrets stay out, even from the settings list
    assert "**********" in page


def test_how_realistic_shows_the_generators_fidelity_table(page):
    tree = lxml_html.fromstring(page)
    section = tree.xpath("//section[@aria-label='How realistic is this data']")[0]
    rows = [[cell.text_content() for cell in row] for row in section.xpath(".//tbody/tr")]
    assert rows[0] == ["in_hospital_mortality_sepsis", "13-17%", "15.1%", "12.0% – 18.0%", "yes", "HCUP SB 204 <2016>"]
    assert rows[1][2:5] == ["25.0%", "17.0% – 21.0%", "no"]
    assert rows[2][2:5] == ["–", "–", "not judged"]
    assert "1 of 2 calibrated quantities are on target" in section.text_content()
    assert "&lt;2016&gt;" in page  # escaped


def test_how_realistic_says_so_when_the_manifest_has_no_table():
    from hospital_analytics.analysis.report import fidelity_section

    assert "no <code>fidelity</code>" in fidelity_section({"fidelity": {"on_target": 1, "judged": 2}})
    assert "no <code>fidelity</code>" in fidelity_section(None)


def test_tables_show_the_top_diagnoses(page, out):
    top = read(
        out / "hospital.duckdb",
        "SELECT diagnosis_code, count(*) AS n FROM ANALYTICS.fct_hospitalizations GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
    )
    tree = lxml_html.fromstring(page)
    table = tree.xpath("//div[@class='card'][h3='Top diagnoses']//tbody/tr")
    assert [row[0].text_content() for row in table] == top["diagnosis_code"].tolist()
    assert [row[2].text_content() for row in table] == [f"{n:,}" for n in top["n"]]


def test_latest_months_flag_rates_that_are_not_final(page, out):
    rates = read(out / "hospital.duckdb", "SELECT month, readmission_rate FROM ANALYTICS.readmission_rate_by_month")
    by_month = dict(zip(rates["month"].dt.strftime("%b %Y"), rates["readmission_rate"], strict=True))
    rows = lxml_html.fromstring(page).xpath("//div[@class='card'][h3='Latest months']//tbody/tr")
    shown = {row[0].text_content(): row[4].text_content() for row in rows}
    assert len(shown) == 12
    window_end = read(out / "hospital.duckdb", "SELECT max(census_date) AS d FROM ANALYTICS.daily_census")["d"][0]
    finals = set()
    for label, text in shown.items():
        month_end = dt.datetime.strptime(label, "%b %Y").date() + relativedelta(months=1, days=-1)
        final = month_end + dt.timedelta(days=30) <= window_end.date()  # its 30 days of follow-up are all in
        assert text == f"{by_month[label]:.1%}" + ("" if final else " *"), label
        finals.add(final)
    assert finals == {True, False}
    assert "* not final" in page


def test_chart_files_in_both_formats(result, out):
    assert [p.name for p in result.charts] == [f"{n}.{f}" for n in CHART_NAMES for f in ("png", "svg")]
    for path in result.charts:
        assert path.parent == out / "charts" and path.stat().st_size > 5_000
        if path.suffix == ".png":
            with Image.open(path) as image:
                assert image.info.get("dpi", (0, 0))[0] == pytest.approx(200, abs=1)
                assert image.width >= 1400
        else:
            assert path.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert not list((out / "charts").glob(f"{TMP_MARK}*"))


def test_switching_to_svg_only_removes_stale_pngs_and_no_manifest_is_said(result, marts_db, tmp_path):
    copy_marts(marts_db, tmp_path / "hospital.duckdb")
    shutil.copytree(result.report.parent / "charts", tmp_path / "charts")  # an earlier run's PNG and SVG charts
    assert len(list((tmp_path / "charts").glob("*.png"))) == len(CHART_NAMES)
    second = analyze(Settings(output_dir=tmp_path), chart_format="svg")
    assert {p.suffix for p in second.charts} == {".svg"}
    assert not list((tmp_path / "charts").glob("*.png"))
    page = second.report.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page  # the report still embeds PNG
    assert "no manifest at" in lxml_html.fromstring(page).text_content()  # this folder has no generate manifest


def test_chart_files_are_reproducible(result):
    """Same marts, same bytes: SVG without a date and with stable ids, PNG without a timestamp."""
    from hospital_analytics.analysis import charts

    again = charts.build_figures(result.frames)
    folder = result.report.parent / "charts"
    for name in ("monthly_admissions", "readmission_rate", "top_diagnoses"):
        # rendered in analyze's order (PNG, then SVG): a second layout pass may move things by 1e-6 pt
        assert charts.figure_bytes(again[name], "png") == (folder / f"{name}.png").read_bytes(), name
        assert charts.figure_bytes(again[name], "svg") == (folder / f"{name}.svg").read_bytes(), name


# --- the report in a real browser ----------------------------------------------------------------------------
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--disable-extensions",
    "--mute-audio",
]

# Injected before the report's own <head> content (so before its CSP meta): once the page has loaded it
# writes, into the DOM, how many images there are, how many decoded (complete with a natural width),
# how much text the page shows and how tall it is. --dump-dom then prints that DOM.
PROBE = """<script>
window.addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images);
  var loaded = images.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  var probe = document.createElement('div');
  probe.id = 'probe';
  probe.setAttribute('data-images', images.length);
  probe.setAttribute('data-loaded', loaded);
  probe.setAttribute('data-text', document.body.innerText.trim().length);
  probe.setAttribute('data-height', document.documentElement.scrollHeight);
  document.body.appendChild(probe);
});
</script>"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    return found


def _run(binary: str, profile, *args: str) -> subprocess.CompletedProcess:
    command = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=90)


@pytest.mark.slow  # a real browser renders the page
def test_report_renders_in_headless_chromium(result, tmp_path):
    binary = _chromium()
    page = result.report.read_text(encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")

    dom = _run(binary, tmp_path / "profile-dom", "--virtual-time-budget=10000", "--dump-dom", probed.as_uri())
    assert dom.returncode == 0, dom.stderr[-1500:]
    found = re.search(
        r'<div id="probe" data-images="(\d+)" data-loaded="(\d+)" data-text="(\d+)" data-height="(\d+)"', dom.stdout
    )
    assert found, "the page did not finish loading:\n" + dom.stdout[-800:] + dom.stderr[-800:]
    images, loaded, text, height = map(int, found.groups())
    assert images == len(CHART_NAMES)
    assert loaded == images, f"{images - loaded} image(s) did not load"
    assert text > 1_000 and height > 3_000

    shot = tmp_path / "report.png"  # kept for a person to look at
    done = _run(
        binary, tmp_path / "profile-shot", "--window-size=1280,4000", f"--screenshot={shot}", result.report.as_uri()
    )
    assert done.returncode == 0 and shot.is_file(), done.stderr[-1500:]
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        assert rgb.size == (1280, 4000)
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 200, "the page looks blank"
        background = max(colours)[1]
        busy = sum(n for n, c in colours if sum(abs(a - b) for a, b in zip(c, background, strict=True)) > 60)
        assert busy / (1280 * 4000) > 0.05, "the page is almost all background"
        # the header band is the report's primary blue, not an error page
        r, g, b = rgb.getpixel((20, 20))
        assert b > r + 40, (r, g, b)
