"""dashboard.html's data and page: what the marts become, that it adds up to the kpis mart, that distinct
patients come out exact over any month range, that the page needs no network, and one-line errors."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import random
import re
import shutil

import duckdb
import pandas as pd
import pytest

from helpers.dashboard import STAYS, analyzed_output, decode_page
from hospital_analytics.analysis import analyze, dashboard
from hospital_analytics.config import Settings
from hospital_analytics.errors import StepOrderError

MEASURES = (
    "admissions",
    "bed_days",
    "discharges",
    "followed_up_readmissions_30d",
    "followed_up_stays",
    "deaths",
    "readmissions_30d",
    "total_charges",
    "patient_days",
)


def _frames() -> dict[str, pd.DataFrame]:
    """Two months, three segments: enough to see every mapping."""
    months = [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]
    segments = pd.DataFrame(
        [
            (months[0], "M", "85+", "Circulatory", "Emergency", 2, 9, 2, 1, 2, 1, 1, 1000.25, 4),
            (months[0], "F", "0-17", "Respiratory", "Urgent", 1, 3, 1, 0, 1, 0, 0, 50.5, 2),
            (months[1], "F", "18-44", "Circulatory", "Emergency", 3, 6, 2, 0, 2, 0, 1, 20.0, 7),
        ],
        columns=["month", "patient_gender", "age_group", "diagnosis_category", "admission_type", *MEASURES],
    )
    facets = pd.DataFrame(
        [
            (months[0], "M", "85+", "Circulatory", "Emergency", "length_of_stay", "10", None, 1, 10),
            (months[0], "M", "85+", "Circulatory", "Emergency", "length_of_stay", "2", None, 1, 2),
            (months[1], "F", "18-44", "Circulatory", "Emergency", "diagnosis", "I50.9", "Heart failure", 3, 6),
            (months[0], "F", "0-17", "Respiratory", "Urgent", "admission_weekday", "7", None, 1, 3),
        ],
        columns=[*segments.columns[:5], "facet", "facet_value", "facet_label", "stays", "bed_days"],
    )
    patient_months = pd.DataFrame(
        [
            ("F", "all", "all", months[0], months[1], 1),
            ("F", "all", "all", months[1], None, 3),
            ("M", "age_group", "85+", months[0], None, 1),
        ],
        columns=["patient_gender", "filter_dimension", "filter_value", "month", "next_month", "patients"],
    )
    census = pd.DataFrame({"census_date": pd.date_range("2024-01-01", "2024-02-29"), "patients_in_hospital": 1})
    day = pd.Timestamp
    hospital_census = pd.DataFrame(  # hospital 2 has no row on Jan 2 (no unit of it that day): 0, not a gap
        [
            (day("2024-01-01"), 2, "North", 1, 10),
            (day("2024-01-02"), 1, "South", 1, 5),
            (day("2024-01-01"), 1, "South", 0, 5),
        ],
        columns=["census_date", "view_id", "view_label", "patients", "beds"],
    )
    unit_census = pd.DataFrame(
        [(day("2024-01-01"), 1, "ICU", "Intensive care", 1, 15), (day("2024-01-02"), 1, "ICU", "Intensive care", 1, 5)],
        columns=["census_date", "view_id", "unit_code", "view_label", "patients", "beds"],
    )
    return {
        "segments": segments,
        "facets": facets,
        "patient_months": patient_months,
        "census": census,
        "hospital_census": hospital_census,
        "unit_census": unit_census,
    }


def test_payload_maps_the_marts_to_codes_and_cells():
    payload = dashboard.build_payload(_frames())
    assert payload["months"] == ["2024-01", "2024-02"] and payload["days"] == [31, 29]
    dims = {d["key"]: d for d in payload["dimensions"]}
    assert dims["age_group"]["values"] == ["0-17", "18-44", "85+"]  # by age, not alphabetically
    assert dims["gender"]["values"] == ["F", "M"] and dims["gender"]["labels"] == ["Female", "Male"]
    assert dims["diagnosis_category"]["values"] == ["Circulatory", "Respiratory"]  # most admissions first
    cells = payload["cells"]
    # rows sorted by month, gender, age group, ...: (Jan, F, 0-17), (Jan, M, 85+), (Feb, F, 18-44)
    assert cells["month"] == [0, 0, 1] and cells["gender"] == [0, 1, 0] and cells["age_group"] == [0, 2, 1]
    assert dashboard.measures() == MEASURES  # the additive measures of models/semantic/kpis.yml, then midnights
    assert cells["total_charges"] == [5050, 100025, 2000] and payload["scales"]["total_charges"] == 100  # cents
    assert cells["patient_days"] == [2, 4, 7] and payload["scales"]["patient_days"] == 1
    assert [k["name"] for k in payload["kpis"]][:3] == ["admissions", "patients", "average_length_of_stay_days"]
    los = payload["facets"]["length_of_stay"]
    assert los["values"] == ["2", "10"] and los["cell"] == [1, 0]  # delta-encoded: cell 1 twice
    assert los["value"] == [0, 1] and los["stays"] == [1, 1]
    weekday = payload["facets"]["admission_weekday"]
    assert weekday["labels"][6] == "Sun" and weekday["value"] == [6]
    assert payload["facets"]["diagnosis"]["labels"] == ["Heart failure"]
    patients = payload["patients"]
    assert patients["dimensions"] == ["all", "age_group", "diagnosis_category", "admission_type"]
    assert patients["next"] == [1, -1, -1] and patients["dimension"] == [0, 0, 1] and patients["value"] == [0, 0, 2]


def test_the_census_carries_the_beds_and_one_series_per_hospital_and_kind_of_unit_on_the_census_days():
    census = dashboard.build_payload(_frames())["census"]
    days = 60  # 2024-01-01 .. 2024-02-29, the daily_census days
    assert census["start"] == "2024-01-01" and len(census["values"]) == days
    assert census["beds"][:3] == [15, 5, 0] and len(census["beds"]) == days  # every unit's beds, each day
    hospitals, units = census["views"]
    assert (hospitals["key"], units["key"]) == ("hospital", "unit")
    assert [o["label"] for o in hospitals["options"]] == ["South", "North"]  # by id
    south, north = hospitals["options"]
    assert south["values"][:3] == [0, 1, 0] and south["beds"][:3] == [5, 5, 0]
    assert north["values"][:3] == [1, 0, 0] and north["beds"][:2] == [10, 0]
    assert all(len(o["values"]) == len(o["beds"]) == days for o in (south, north, *units["options"]))
    assert [o["label"] for o in units["options"]] == ["Intensive care"] and units["options"][0]["beds"][:2] == [15, 5]


def test_encoding_is_gzip_json_and_deterministic():
    payload = dashboard.build_payload(_frames())
    first, second = dashboard.encode(payload), dashboard.encode(dashboard.build_payload(_frames()))
    assert first == second
    assert json.loads(gzip.decompress(base64.b64decode(first))) == payload


def test_page_is_self_contained_and_its_policy_allows_only_its_own_script_and_style():
    import datetime as dt

    page = dashboard.render(
        dashboard.build_payload(_frames()), title="T <&>", subtitle="S", created=dt.datetime(2026, 1, 2)
    )
    assert "<title>T &lt;&amp;&gt;</title>" in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "connect-src" not in csp
    for tag in ("script", "style"):
        bodies = re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.S)
        assert len(bodies) == 1, tag
        digest = base64.b64encode(hashlib.sha256(bodies[0].encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp, tag
    assert not re.search(r"\s(src|href|action)=", page)
    assert not re.search(r"url\(|@import|fetch\(|XMLHttpRequest|import\(", page)
    assert set(re.findall(r"https?://[^\s'\"<>]+", page)) == {"http://www.w3.org/2000/svg"}  # a namespace name
    assert decode_page(page) == dashboard.build_payload(_frames())


# --- the real pipeline ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return analyzed_output(tmp_path_factory)


def _patients(payload: dict, first: int, last: int, gender: int | None, dimension: int, value: int) -> int:
    """Distinct patients admitted in months first..last, as the page counts them (rows - links)."""
    p, count = payload["patients"], 0
    for i, n in enumerate(p["patients"]):
        if p["dimension"][i] != dimension or p["value"][i] != value:
            continue
        if (gender is not None and p["gender"][i] != gender) or not first <= p["month"][i] <= last:
            continue
        count += n - (n if 0 <= p["next"][i] <= last else 0)
    return count


@pytest.mark.slow
def test_payload_adds_up_to_the_kpis_mart_and_counts_patients_exactly(out):
    payload = decode_page((out / "dashboard.html").read_text(encoding="utf-8"))
    con = duckdb.connect(str(out / "hospital.duckdb"), read_only=True)
    try:
        kpis = con.execute("SELECT * FROM ANALYTICS.kpis").df().iloc[0]
        cells = payload["cells"]
        stays = con.execute("SELECT count(*) FROM ANALYTICS.fct_hospitalizations").fetchone()[0]
        assert sum(cells["admissions"]) == kpis["admissions"] == stays > STAYS // 4  # a rate: ~STAYS per 24 months
        assert sum(cells["bed_days"]) == kpis["bed_days"]
        assert sum(cells["total_charges"]) == round(float(kpis["total_charges"]) * 100)
        census = con.execute("SELECT sum(patients_in_hospital), count(*) FROM ANALYTICS.daily_census").fetchone()
        assert sum(cells["patient_days"]) == census[0] and sum(payload["days"]) == census[1]
        for name, facet in payload["facets"].items():  # length of stay, discharge weekday: the discharged stays
            whole = sum(cells["discharges"]) if name in ("length_of_stay", "discharge_weekday") else kpis["admissions"]
            assert sum(facet["stays"]) == whole, name
        months, dims = payload["months"], {d["key"]: d for d in payload["dimensions"]}
        assert _patients(payload, 0, len(months) - 1, None, 0, 0) == kpis["patients"]
        rng = random.Random(3)
        for _ in range(25):  # any month range, with or without a gender, with at most one stay filter
            first, last = sorted(rng.sample(range(len(months)), 2))
            gender = rng.choice([None, 0, 1])
            dimension = rng.randrange(4)
            key = payload["patients"]["dimensions"][dimension]
            value = 0 if dimension == 0 else rng.randrange(len(dims[key]["values"]))
            where = [f"admission_month BETWEEN DATE '{months[first]}-01' AND DATE '{months[last]}-01'"]
            if gender is not None:
                where.append(f"patient_gender = '{dims['gender']['values'][gender]}'")
            if dimension:
                where.append(f"{key} = '{dims[key]['values'][value]}'")
            sql = f"SELECT count(DISTINCT patient_id) FROM ANALYTICS.fct_hospitalizations WHERE {' AND '.join(where)}"
            assert _patients(payload, first, last, gender, dimension, value) == con.execute(sql).fetchone()[0], where
    finally:
        con.close()


@pytest.mark.slow
def test_the_census_views_add_up_to_occupancy_and_never_exceed_the_beds(out):
    census = decode_page((out / "dashboard.html").read_text(encoding="utf-8"))["census"]
    with duckdb.connect(str(out / "hospital.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT census_date, sum(patients), sum(beds) FROM ANALYTICS.occupancy_daily GROUP BY 1 ORDER BY 1"
        ).fetchall()
        first = con.execute("SELECT min(census_date) FROM ANALYTICS.daily_census").fetchone()[0]
        beds = con.execute("SELECT sum(beds) FROM RAW.units").fetchone()[0]
    offset = (rows[0][0] - first).days
    assert offset >= 0 and census["beds"][offset : offset + len(rows)] == [int(r[2]) for r in rows]
    assert max(census["beds"]) == beds
    for view in census["views"]:
        assert view["options"], view["key"]
        for day, (_, patients, _) in enumerate(rows):
            assert sum(o["values"][offset + day] for o in view["options"]) == patients, (view["key"], day)
        for option in view["options"]:
            assert all(v <= b for v, b in zip(option["values"], option["beds"], strict=True)), option["label"]


@pytest.mark.slow
def test_page_size_is_bounded_by_the_grain_not_the_stays(out):
    payload = decode_page((out / "dashboard.html").read_text(encoding="utf-8"))
    bound = len(payload["months"])
    for d in payload["dimensions"]:
        bound *= len(d["values"])
    assert len(payload["cells"]["month"]) <= bound
    for facet in payload["facets"].values():
        assert len(facet["cell"]) <= len(payload["cells"]["month"]) * len(facet["values"])
    assert (out / "dashboard.html").stat().st_size < 3_000_000


@pytest.mark.slow
def test_marts_of_an_older_version_name_the_step(out, tmp_path):
    copy = tmp_path / "old.duckdb"
    shutil.copy(out / "hospital.duckdb", copy)
    con = duckdb.connect(str(copy))
    con.execute("DROP TABLE ANALYTICS.dashboard_facets")
    con.close()
    with pytest.raises(StepOrderError) as caught:
        analyze(Settings(output_dir=tmp_path / "out", duckdb_path=copy))
    assert "dashboard_facets" in caught.value.message and "hospital transform" in caught.value.hint
    assert not (tmp_path / "out" / "dashboard.html").exists()
