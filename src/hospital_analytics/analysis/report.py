"""``report.html``: one self-contained page (charts embedded as base64 PNG data URIs, CSS inline, no script,
no network) with KPI cards, the charts, a few small tables and where the data came from.

A Content-Security-Policy in the page forbids every network fetch, so it opens the same offline, from an
e-mail attachment or a shared drive, in any browser.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from hospital_analytics import kpis
from hospital_analytics.analysis.charts import PRINT_DPI, SCREEN_DPI, follow_up_complete
from hospital_analytics.fsutil import atomic_path
from hospital_analytics.kpis import DEFINITIONS

if TYPE_CHECKING:
    from hospital_analytics.analysis.quality import Quality
    from hospital_analytics.config import Settings
    from hospital_analytics.project import Source

CHART_TEXT: dict[str, tuple[str, str]] = {
    # name -> (heading, caption)
    "monthly_admissions": ("Admissions per month", "Stays by the month they began."),
    "gender_distribution": (
        "Patients by gender",
        f"The {kpis.PATIENTS} (at least one stay admitted in it), as the Patients card counts them.",
    ),
    "average_length_of_stay": (
        "Average length of stay",
        "Mean days in hospital of the stays admitted each month; the dashed line is the whole period's mean.",
    ),
    "age_gender_pyramid": (
        "Patients by age group and gender",
        f"The {kpis.PATIENTS} per age group, {kpis.AGE_GROUP}: each patient once, in the age group of their first"
        " admission in the window (the Tableau sheet counts them the same way).",
    ),
    "length_of_stay_distribution": (
        "Length of stay distribution",
        "Stays per whole number of days; the grey bar gathers the longest 1% of stays.",
    ),
    "top_diagnoses": ("Top diagnoses", "The ten most frequent principal diagnoses and how long their stays last."),
    "readmission_rate": (
        "30-day readmissions",
        "Share of stays followed by another admission of the same patient within 30 days of discharge. "
        "Dashed: months whose 30 days of follow-up run past the end of the data, so their rate is not final.",
    ),
    "daily_census": (
        "Daily census",
        "Patients in hospital at midnight (admitted on or before the day, discharged after it), the patients "
        "already in house on the window's first day included.",
    ),
    "occupancy": (
        "Occupancy",
        "Each hospital's occupied beds at midnight as a share of its staffed beds, month by month "
        "(the largest hospitals of the system).",
    ),
    "discharge_dispositions": (
        "Discharge dispositions",
        "Discharged stays by where the patient went; stays still in house at the window's end have none yet.",
    ),
    "weekday_pattern": (
        "Weekday pattern",
        "Admissions by weekday and admission type (electives on weekdays), and discharges by weekday.",
    ),
}

CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9dee4; --bg:#f5f7fa; --primary:#2b6a99; --accent:#d9733b; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
       font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
header { background:var(--primary); color:white; padding:28px 40px 24px; }
header h1 { margin:0 0 4px; font-size:26px; font-weight:650; }
header p { margin:0; opacity:.9; }
main { max-width:1720px; margin:0 auto; padding:24px 40px 48px; }
h2 { font-size:19px; margin:32px 0 12px; }
.kpis { display:grid; grid-template-columns:repeat(5,minmax(0,1fr)); gap:14px; }
@media (max-width:760px) { .kpis { grid-template-columns:repeat(2,minmax(0,1fr)); } }
.kpi { background:white; border:1px solid var(--line); border-top:4px solid var(--primary); border-radius:8px;
       padding:14px 16px; }
.kpi .label { color:var(--muted); font-size:13px; text-transform:uppercase; letter-spacing:.04em; }
.kpi .value { font-size:28px; font-weight:650; margin-top:4px; font-variant-numeric:tabular-nums; white-space:nowrap; }
.kpi .unit { font-size:16px; font-weight:500; color:var(--muted); }
.kpi .note { color:var(--muted); font-size:13px; }
p.definitions { color:var(--muted); font-size:13px; margin:10px 0 0; }
.charts { display:grid; grid-template-columns:repeat(auto-fit,minmax(min(100%,780px),1fr)); gap:18px; }
figure { margin:0; background:white; border:1px solid var(--line); border-radius:8px; padding:14px; }
figure img { max-width:100%; height:auto; display:block; margin:0 auto; }
figcaption { color:var(--muted); font-size:13px; margin-top:8px; }
figcaption strong { color:var(--ink); }
.tables { display:grid; grid-template-columns:repeat(auto-fit,minmax(min(100%,560px),1fr)); gap:18px; }
.card { background:white; border:1px solid var(--line); border-radius:8px; padding:14px 16px; overflow-x:auto; }
.card h3 { margin:0 0 8px; font-size:15px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { padding:5px 8px; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; }
th { color:var(--muted); font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td:first-child { white-space:nowrap; }
dl { display:grid; grid-template-columns:max-content 1fr; gap:4px 18px; margin:0; font-size:14px; }
dt { color:var(--muted); }
dd { margin:0; word-break:break-word; }
details { margin-top:12px; }
summary { cursor:pointer; color:var(--primary); }
.card p.note { color:var(--muted); font-size:12px; margin:8px 0 0; }
.dq-counts { display:grid; grid-template-columns:repeat(4,minmax(0,1fr)); gap:14px; margin:12px 0 4px; }
@media (max-width:760px) { .dq-counts { grid-template-columns:repeat(2,minmax(0,1fr)); } }
.dq-count { border-left:4px solid var(--accent); padding:2px 12px; }
.dq-count.clean { border-left-color:#3a9e8f; }
.dq-count .label { color:var(--muted); font-size:13px; text-transform:uppercase; letter-spacing:.04em; }
.dq-count .value { font-size:24px; font-weight:650; font-variant-numeric:tabular-nums; }
p.verdict { margin:0; font-size:16px; }
.dq-grid { display:grid; grid-template-columns:minmax(0,1.4fr) minmax(0,1fr); gap:18px; margin:18px 0;
           align-items:start; }
@media (max-width:1100px) { .dq-grid { grid-template-columns:minmax(0,1fr); } }
#data-quality > .card { margin-bottom:18px; }
code { font-size:13px; background:var(--bg); padding:0 3px; border-radius:3px; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:16px; }
@media print { header { background:white; color:var(--ink); } .charts,.tables { display:block; }
               figure,.card { break-inside:avoid; margin-bottom:12px; } }
"""

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _date(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    return f"{pd.Timestamp(value):%d %b %Y}"


def kpi_cards(values: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """(label, value, unit, note) of each KPI card: the headline KPIs of their single definition
    (``hospital_analytics.kpis``), then the peak census."""
    cards = []
    for kpi in kpis.headline():
        value = values.get(kpi.name)
        note = kpi.description
        if kpi.name == "admissions":
            note = f"{_date(values.get('first_admission_date'))} – {_date(values.get('last_admission_date'))}"
        cards.append((kpi.label, kpis.format_value(kpi, value), f" {kpi.unit}" if kpi.unit else "", note))
    peak = values.get("peak_census")
    cards.append(
        (
            "Peak census",
            "–" if peak is None else f"{int(peak):,}",
            " patients",
            f"in hospital on {_date(values.get('peak_census_date'))}",
        )
    )
    return cards


def _table(frame: pd.DataFrame, columns: Iterable[tuple[str, str, str]]) -> str:
    """HTML table; ``columns`` are (column, heading, format) with format '' for text, else a format spec."""
    columns = list(columns)
    head = "".join(f'<th class="{"num" if f else ""}">{_e(h)}</th>' for _, h, f in columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for column, _h, fmt in columns:
            value = row[column]
            if fmt == "date":
                cells.append(f'<td class="num">{_date(value)}</td>')
            elif fmt == "text":  # already formatted, right-aligned like a number
                cells.append(f'<td class="num">{_e(value)}</td>')
            elif fmt and not pd.isna(value):
                cells.append(f'<td class="num">{format(value, fmt)}</td>')
            elif fmt:
                cells.append('<td class="num">–</td>')
            else:
                cells.append(f"<td>{_e(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _tables(frames: Mapping[str, pd.DataFrame]) -> str:
    recent = (
        frames["admissions_by_month"]
        .tail(12)
        .merge(frames["readmission_rate_by_month"][["month", "readmission_rate"]], on="month", how="left")
        .iloc[::-1]
    )
    census_days = frames["daily_census"]["census_date"]
    window_end = pd.to_datetime(census_days).max() if len(census_days) else None
    final = follow_up_complete(recent["month"], window_end)
    recent = recent.assign(
        readmission_text=[
            "–" if pd.isna(rate) else f"{rate:.1%}" + ("" if done else " *")
            for rate, done in zip(recent["readmission_rate"], final, strict=True)
        ]
    )
    partial_note = (
        '<p class="note">* not final: the 30 days after some of that month\'s discharges run past the data.</p>'
        if not final.all()
        else ""
    )
    cards = [
        (
            "Top diagnoses",
            frames["top_diagnoses"],
            [
                ("diagnosis_code", "Code", ""),
                ("diagnosis_description", "Diagnosis", ""),
                ("stays", "Stays", ",d"),
                ("average_length_of_stay_days", "Avg stay (days)", ".1f"),
            ],
        ),
        (
            "Length of stay by diagnosis group and specialty (most stays)",
            frames["length_of_stay_by_diagnosis"],
            [
                ("diagnosis_category", "Diagnosis group", ""),
                ("doctor_specialty", "Specialty", ""),
                ("stays", "Stays", ",d"),
                ("mean_length_of_stay_days", "Mean (days)", ".1f"),
                ("median_length_of_stay_days", "Median", ".1f"),
                ("p90_length_of_stay_days", "90th pct", ".1f"),
            ],
        ),
        (
            "Busiest doctors",
            frames["doctor_workload"],
            [
                ("doctor_name", "Doctor", ""),
                ("specialty", "Specialty", ""),
                ("stays", "Stays", ",d"),
                ("patients", "Patients", ",d"),
                ("bed_days", "Bed days", ",d"),
                ("average_length_of_stay_days", "Avg stay (days)", ".1f"),
            ],
        ),
        (
            "Latest months",
            recent,
            [
                ("month", "Month", ""),
                ("admissions", "Admissions", ",d"),
                ("distinct_patients", "Patients", ",d"),
                ("average_length_of_stay_days", "Avg stay (days)", ".2f"),
                ("readmission_text", "30-day readm.", "text"),
            ],
        ),
    ]
    cards += [
        (
            "Occupancy by unit type",
            frames["occupancy_by_unit"],
            [
                ("unit_code", "Unit", ""),
                ("units", "Units", ",d"),
                ("beds", "Beds", ",d"),
                ("occupancy_rate", "Mean occupancy", ".1%"),
                ("peak_occupancy_rate", "Peak", ".0%"),
            ],
        ),
        (
            "In-hospital mortality by diagnosis group (most deaths)",
            frames["mortality_by_diagnosis"],
            [
                ("diagnosis_category", "Diagnosis group", ""),
                ("discharges", "Discharges", ",d"),
                ("deaths", "Deaths", ",d"),
                ("mortality_rate", "Mortality", ".1%"),
            ],
        ),
    ]
    out = []
    for title, frame, columns in cards:
        note = ""
        if title == "Latest months":
            frame = frame.assign(month=pd.to_datetime(frame["month"]).dt.strftime("%b %Y"))
            note = partial_note
        out.append(f'<div class="card"><h3>{_e(title)}</h3>{_table(frame, columns)}{note}</div>')
    return "\n".join(out)


def period_and_source(kpis: Mapping[str, Any], warehouse: str) -> str:
    """ "Admissions 01 Jan 2024 to 31 Dec 2025 · DuckDB file …": the subtitle of the report and the dashboard;
    ``warehouse`` says where the marts were read (``Warehouse.describe()`` and the schema)."""
    first, last = kpis.get("first_admission_date"), kpis.get("last_admission_date")
    return f"Admissions {_date(first)} to {_date(last)} · {warehouse}"


def provenance(
    settings: Settings, warehouse: str, manifest: Mapping[str, Any] | None, created: dt.datetime
) -> list[tuple[str, str]]:
    """(label, text) rows of the report's "Where the data came from" section; ``warehouse`` says where the marts
    were read (``Warehouse.describe()`` and the schema)."""
    from hospital_analytics import __version__

    rows: list[tuple[str, str]] = [
        ("Report created", f"{created:%Y-%m-%d %H:%M} UTC by hospital-analytics {__version__}")
    ]
    rows.append(("Warehouse", warehouse))
    if manifest is None:
        rows.append(("Raw data", f"no manifest at {settings.layout.manifest} (generated elsewhere?)"))
        rows.append(("Window (settings)", f"{settings.start} to {settings.end}"))
        return rows
    generated = manifest.get("generated_at")
    if generated:
        rows.append(("Data generated", _utc(generated)))
    if "seed" in manifest:
        rows.append(("Seed", str(manifest["seed"])))
    if manifest.get("start") or manifest.get("end"):
        rows.append(("Window", f"{manifest.get('start', '?')} to {manifest.get('end', '?')}"))
    counts = manifest.get("counts")
    if isinstance(counts, Mapping):
        rows.append(
            ("Rows generated", ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in counts.items()))
        )
    if manifest.get("locale"):
        rows.append(("Locale", str(manifest["locale"])))
    version = manifest.get("package_version") or manifest.get("version")
    if version:
        rows.append(("Generator version", str(version)))
    fidelity = manifest.get("fidelity")
    if isinstance(fidelity, Mapping) and "on_target" in fidelity and "judged" in fidelity:
        rows.append(("Calibration", f"{fidelity['on_target']} of {fidelity['judged']} checks on target"))
    return rows


def fidelity_rows(manifest: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The generator's fidelity table from ``data/manifest.json``: ``fidelity.rows`` (or ``fidelity`` itself when
    it is a list), one mapping per calibrated quantity (quantity, target, generated, low, high, passed, source,
    unit); rows that are not mappings are skipped."""
    if not isinstance(manifest, Mapping):
        return []
    fidelity = manifest.get("fidelity")
    rows = fidelity.get("rows") if isinstance(fidelity, Mapping) else fidelity
    if not isinstance(rows, list):
        return []
    return [row for row in rows if isinstance(row, Mapping)]


def _shown(value: Any, unit: str) -> str:
    """A generated value or bound as the fidelity table prints it ("%" values are fractions)."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return "–" if value is None or not isinstance(value, str) else value
    if unit == "%":
        return f"{value:.1%}"
    if unit == "d":
        return f"{value:.2f} d"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def fidelity_section(manifest: Mapping[str, Any] | None) -> str:
    """The "How realistic is this data" section: each calibrated quantity, its published target and source,
    the generated value, the range allowed and whether it is on target (from the generator's manifest)."""
    rows = fidelity_rows(manifest)
    if not rows:
        return (
            '<div class="card"><p>The generator recorded no fidelity table for this data '
            "(no <code>fidelity</code> in data/manifest.json).</p></div>"
        )
    judged = [row for row in rows if row.get("passed") is not None]
    passed = sum(1 for row in judged if row.get("passed") is True)
    body = []
    for row in rows:
        unit = str(row.get("unit") or "")
        low, high = row.get("low"), row.get("high")
        allowed = f"{_shown(low, unit)} – {_shown(high, unit)}" if low is not None and high is not None else "–"
        verdict = {True: "yes", False: "no"}.get(row.get("passed"), "not judged")  # type: ignore[arg-type]
        if row.get("passed") is None and row.get("generated") is not None:
            verdict = "too few stays to judge"
        body.append(
            "<tr>"
            f"<td>{_e(row.get('quantity'))}</td>"
            f'<td class="num">{_e(row.get("target"))}</td>'
            f'<td class="num">{_e(_shown(row.get("generated"), unit))}</td>'
            f'<td class="num">{_e(allowed)}</td>'
            f"<td>{_e(verdict)}</td>"
            f"<td>{_e(row.get('source'))}</td>"
            "</tr>"
        )
    head = (
        '<tr><th>Quantity</th><th class="num">Published</th><th class="num">Generated</th>'
        '<th class="num">Allowed</th><th>On target</th><th>Source</th></tr>'
    )
    return (
        f'<div class="card"><p>{passed} of {len(judged)} calibrated quantities are on target: each generated value '
        "against the published figure it is modelled on (allowed: the target widened by the model's tolerance and "
        "the sampling error at this size). Targets and sources: docs/calibration.md.</p>"
        f"<table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _figure_html(name: str, png: bytes, heading: str, caption: str) -> str:
    width, height = png_size(png)  # printed at PRINT_DPI, shown at screen size: sharp on high-DPI screens
    width, height = round(width * SCREEN_DPI / PRINT_DPI), round(height * SCREEN_DPI / PRINT_DPI)
    return (
        f'<figure id="{_e(name)}"><img src="{data_uri(png)}" width="{width}" height="{height}" '
        f'alt="{_e(heading)} chart">'
        f"<figcaption><strong>{_e(heading)}.</strong> {_e(caption)}</figcaption></figure>"
    )


QUALITY_CAPTION = (
    "Left: every issue the pipeline detected (data_quality_summary), per defect class. Right: the issues found in "
    "the daily feed, per partition day; the snapshot tables' issues are all dated on the extract day (the "
    "window's last day), so they are left out there."
)


def quality_section(quality: Quality | None, manifest: Mapping[str, Any] | None, image: bytes | None = None) -> str:
    """The "Data quality" section: a verdict, four counts, the chart of issues by class and day, and three
    tables (issues by class against the ledger, what quarantine holds, what each rule did). "No defects
    detected" with counts 0 for a clean run and for a warehouse built before the data-quality marts."""
    from hospital_analytics.analysis import quality as dq

    quality = quality or dq.empty()
    injected = dq.injected_counts(manifest)
    profile = dq.profile(manifest)
    totals = quality.totals()
    made = f" (generated with <code>--defects {_e(profile)}</code>)" if profile else ""
    if totals["issues"] == 0:
        why = (
            "every check passed and quarantine is empty"
            if quality.present
            else "this warehouse has no data-quality models (built before them): run <code>hospital transform</code>"
        )
        verdict = f"<strong>{dq.NO_DEFECTS}</strong>: {why}{made}."
    else:
        verdict = (
            f"<strong>{totals['issues']:,} issues detected</strong> in {totals['classes']} defect "
            f"class{'es' if totals['classes'] != 1 else ''} and {totals['tables']} "
            f"table{'s' if totals['tables'] != 1 else ''}; {totals['quarantined']:,} rows held in quarantine{made}."
        )
        if injected is not None:
            ledger = sum(injected.values())
            verdict += f" The ledger (<code>data/defects.csv</code>) records {ledger:,} injected."
    counts = [
        ("Issues detected", totals["issues"]),
        ("Defect classes", totals["classes"]),
        ("Rows in quarantine", totals["quarantined"]),
        ("Tables affected", totals["tables"]),
    ]
    tiles = "".join(
        f'<div class="dq-count{" clean" if not value else ""}"><div class="label">{_e(label)}</div>'
        f'<div class="value">{value:,}</div></div>'
        for label, value in counts
    )
    parts = [f'<div class="card"><p class="verdict">{verdict}</p><div class="dq-counts">{tiles}</div></div>']
    classes = quality.by_class(injected).assign(
        days=lambda f: [
            "–" if pd.isna(a) else _date(a) if a == b else f"{_date(a)} – {_date(b)}"
            for a, b in zip(f["first_day"], f["last_day"], strict=True)
        ]
    )
    class_columns = [
        ("defect", "Class", ""),
        ("description", "What it is", ""),
        ("tables", "Table", ""),
        ("detected", "Detected", ",d"),
    ]
    if injected is not None:
        class_columns.append(("injected", "Injected (ledger)", ",d"))
    class_columns.append(("days", "Dated", "text"))
    cards = [
        (
            "Issues by class",
            classes,
            class_columns,
            "Each class once: how many the pipeline found (data_quality_issues), "
            + ("beside how many the generator injected, " if injected is not None else "")
            + "and the days they are dated on (a feed partition, or the extract day).",
        ),
        (
            "What quarantine holds",
            quality.quarantine,
            [("table_name", "Model", ""), ("reason", "Reason", ""), ("rows", "Rows", ",d")],
            "Rows that cannot be used, kept out of every mart in quarantine_&lt;table&gt; with the reason (held_back: a "
            "sound stay of a quarantined patient, held back with it, not an issue itself).",
        ),
        (
            "What each rule did",
            quality.rules,
            [
                ("defect", "Class", ""),
                ("table_name", "Table", ""),
                ("rule", "Rule", ""),
                ("action", "Action", ""),
                ("issues", "Issues", ",d"),
            ],
            "The staging rule that catches each class and what happens to the row (data_quality_rules).",
        ),
    ]
    html_cards = {}
    for title, frame, columns, note in cards:
        if title == "What quarantine holds":
            frame = frame.assign(table_name=frame["table_name"].map(lambda t: f"quarantine_{t}"))
        body = _table(frame, columns) if len(frame) else f'<p class="note">None: {dq.NO_DEFECTS.lower()}.</p>'
        html_cards[title] = f'<div class="card"><h3>{_e(title)}</h3>{body}<p class="note">{note}</p></div>'
    held = html_cards.pop("What quarantine holds")
    if image is not None:  # the chart beside what quarantine holds, then the two wide tables
        figure = _figure_html("data_quality", image, "Issues by class and day", QUALITY_CAPTION)
        parts.append(f'<div class="dq-grid">{figure}{held}</div>')
    else:
        parts.append(f'<div class="dq-grid">{held}</div>')
    parts += list(html_cards.values())
    return "\n".join(parts)


def project_rows(dbt: Source, spec: Source, columns: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """(label, text) rows naming the dbt project and dashboard spec used, the Tableau dashboard's title, and
    each mart's columns: an edit to the user's project (``hospital init``) shows here."""
    try:
        title = str(json.loads(spec.path.read_text(encoding="utf-8"))["dashboard"]["title"])
    except (OSError, ValueError, KeyError, TypeError):
        title = "(the spec cannot be read)"
    rows = [("dbt project", dbt.label), ("Tableau dashboard", f"{title} · spec {spec.label}")]
    return rows + [(f"Mart {mart}", ", ".join(names)) for mart, names in columns.items()]


def _utc(value: Any) -> str:
    """An ISO timestamp as "2026-01-02 03:04:05 UTC" (as given when it does not parse)."""
    try:
        stamp = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.timezone.utc)
    return f"{stamp:%Y-%m-%d %H:%M:%S} UTC"


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render(
    *,
    kpis: Mapping[str, Any],
    frames: Mapping[str, pd.DataFrame],
    images: Mapping[str, bytes],
    settings: Settings,
    warehouse: str,
    manifest: Mapping[str, Any] | None,
    created: dt.datetime,
    project: Sequence[tuple[str, str]] = (),
    quality: Quality | None = None,
    quality_image: bytes | None = None,
) -> str:
    """The report's HTML text. ``images`` maps chart names to PNG bytes; ``warehouse`` says where the marts
    were read (``Warehouse.describe()`` and the schema); ``quality`` the data-quality marts (None: none) and
    ``quality_image`` their chart's PNG (none when there is no issue)."""
    subtitle = period_and_source(kpis, warehouse)
    cards = "\n".join(
        f'<div class="kpi"><div class="label">{_e(label)}</div><div class="value">{_e(value)}'
        f'{f"<span class=unit>{_e(unit)}</span>" if unit else ""}</div><div class="note">{_e(note)}</div></div>'
        for label, value, unit, note in kpi_cards(kpis)
    )
    figures = []
    for name, png in images.items():
        heading, caption = CHART_TEXT.get(name, (name.replace("_", " ").capitalize(), ""))
        figures.append(_figure_html(name, png, heading, caption))
    where = "\n".join(
        f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in [*provenance(settings, warehouse, manifest, created), *project]
    )
    shown = {k: v for k, v in settings.public_dict().items() if v not in (None, "")}
    settings_rows = "\n".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in sorted(shown.items()))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="hospital-analytics">
<title>Hospital operations report</title>
<style>{CSS}</style>
</head>
<body>
<header><h1>Hospital operations report</h1><p>{_e(subtitle)}</p></header>
<main>
<section aria-label="Key figures"><h2>Key figures</h2><div class="kpis">
{cards}
</div><p class="note definitions">{_e(DEFINITIONS)}</p></section>
<section aria-label="Charts"><h2>Charts</h2><div class="charts">
{chr(10).join(figures)}
</div></section>
<section aria-label="Tables"><h2>Tables</h2><div class="tables">
{_tables(frames)}
</div></section>
<section aria-label="How realistic is this data"><h2>How realistic is this data</h2>
{fidelity_section(manifest)}
</section>
<section aria-label="Data quality" id="data-quality"><h2>Data quality</h2>
{quality_section(quality, manifest, quality_image)}
</section>
<section aria-label="Where the data came from"><h2>Where the data came from</h2><div class="card">
<dl>
{where}
</dl>
<details><summary>All settings of this run</summary><dl>
{settings_rows}
</dl></details>
</div></section>
</main>
<footer>Synthetic data for demonstration: no real patient is described here.</footer>
</body>
</html>
"""


def write_report(path: Path, text: str) -> Path:
    """Write the report atomically (a failed run leaves the previous report in place)."""
    with atomic_path(Path(path)) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
