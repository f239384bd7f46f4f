"""The daily feed's dbt models: incremental models equal a full refresh after any sequence of advance, load and
transform (DuckDB, and Snowflake on the fakesnow server); late events land on their own day; corrections and
cancels are applied; the stays built from events equal the hospitalizations snapshot; snapshots keep history.

Data: the real ``generate``/``advance`` with raised late, correction and cancel shares (so a small run holds
every case), and for the quick tier the contract-exact partitions of ``helpers.feed`` appended day by day.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import pytest

from helpers import clean_env
from helpers.feed import write_feed
from hospital_analytics.config import Settings
from hospital_analytics.layout import OutputLayout
from hospital_analytics.simulation import advance, generate
from hospital_analytics.transformation import transform
from hospital_analytics.transformation.feed import INCREMENTAL_MODELS, full_refresh_differences
from hospital_analytics.transformation.runner import data_window
from hospital_analytics.warehouse import open_warehouse
from hospital_analytics.warehouse.loading import load

START, END = dt.date(2024, 1, 1), dt.date(2024, 2, 29)
SHARES = {"feed_late_share": 0.2, "feed_correction_share": 0.1, "feed_cancel_share": 0.1}
FEED_ONLY = [f"+{m}" for m in INCREMENTAL_MODELS] + ["+snap_patient_address", "+snap_patient_coverage"]
ZERO = dict.fromkeys(INCREMENTAL_MODELS, (0, 0))


def _generate(out: Path, seed: int = 5, stays: int = 12000) -> None:
    generate(output_dir=out, hospitalizations=stays, start=START, end=END, seed=seed, **SHARES)


def _rows(out: Path, sql: str) -> list[tuple]:
    with open_warehouse(output_dir=out) as wh:
        return [tuple(r.values()) for r in wh.query_arrow(sql).to_pylist()]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated data, loaded and built once (dbt build: every model and test)."""
    folder = tmp_path_factory.mktemp("feed_models")
    with clean_env(folder):
        out = folder / "out"
        _generate(out)
        load(output_dir=out)
        result = transform(output_dir=out)
        tests = {n.node: n.status for n in result.tests}
        assert tests["assert_encounters_match_hospitalizations"] == "pass"
        assert {n.node for n in result.nodes if n.resource_type == "snapshot"} == {
            "snap_patient_address",
            "snap_patient_coverage",
        }
        yield out


@pytest.mark.slow
def test_late_events_land_on_the_day_they_happened(built: Path) -> None:
    late = _rows(
        built,
        'SELECT e.event_id, CAST(e.event_at AS DATE), f.event_date, f.is_late FROM "RAW".encounter_events e '
        'JOIN "ANALYTICS".fct_encounter_events f USING (event_id) '
        "WHERE CAST(e.recorded_at AS DATE) > CAST(e.event_at AS DATE) AND e.event_type IN ('admit', 'transfer', 'discharge')",
    )
    assert len(late) > 20
    assert all(day == event_date and is_late for _, day, event_date, is_late in late)
    # the day's counts hold them: admits per hospital and day equal the admit events that happened that day
    by_day = _rows(
        built,
        "SELECT hospital_id, CAST(event_at AS DATE) AS d, count(*) FROM \"RAW\".encounter_events WHERE event_type = 'admit' "
        'GROUP BY 1, 2 EXCEPT SELECT hospital_id, event_date, admits FROM "ANALYTICS".fct_adt_daily WHERE admits > 0',
    )
    assert by_day == []


@pytest.mark.slow
def test_corrections_replace_the_payload_and_cancelled_events_are_flagged_and_not_counted(built: Path) -> None:
    corrected = _rows(
        built,
        "SELECT c.refers_to_event_id, c.diagnosis_code, c.discharge_disposition, f.diagnosis_code AS f_code, "
        'f.discharge_disposition AS f_disposition, f.is_corrected FROM "RAW".encounter_events c '
        'JOIN "ANALYTICS".fct_encounter_events f ON f.event_id = c.refers_to_event_id '
        "WHERE c.event_type = 'correct'",
    )
    assert len(corrected) > 5
    for _, code, disposition, f_code, f_disposition, flag in corrected:
        assert flag and (code, disposition) == (f_code, f_disposition)
    cancelled = _rows(
        built,
        'SELECT f.event_id, f.is_cancelled FROM "RAW".encounter_events c '
        "JOIN \"ANALYTICS\".fct_encounter_events f ON f.event_id = c.refers_to_event_id WHERE c.event_type = 'cancel'",
    )
    assert len(cancelled) > 5 and all(flag for _, flag in cancelled)
    transfers = _rows(
        built,
        'SELECT (SELECT sum(transfers) FROM "ANALYTICS".fct_adt_daily), '
        "(SELECT count(*) FROM \"ANALYTICS\".fct_encounter_events WHERE event_type = 'transfer' AND NOT is_cancelled)",
    )
    assert transfers[0][0] == transfers[0][1]
    # no cancel or correct message becomes an event of its own
    kinds = {k for (k,) in _rows(built, 'SELECT DISTINCT event_type FROM "ANALYTICS".fct_encounter_events')}
    assert kinds == {"admit", "transfer", "discharge"}


@pytest.mark.slow
def test_encounters_are_in_house_until_discharged_and_match_the_snapshot(built: Path) -> None:
    statuses = dict(_rows(built, 'SELECT status, count(*) FROM "ANALYTICS".fct_encounters GROUP BY 1'))
    assert statuses.keys() == {"in house", "discharged"}
    open_in_snapshot = _rows(
        built,
        'SELECT count(*) FROM "ANALYTICS".fct_encounters e JOIN "RAW".hospitalizations h USING (hospitalization_id) '
        "WHERE h.discharged_at IS NULL AND e.status <> 'in house'",
    )
    assert open_in_snapshot == [(0,)]  # a stay open in the snapshot is never discharged by the feed
    mismatched = _rows(
        built,
        'SELECT count(*) FROM "ANALYTICS".fct_encounters e JOIN "RAW".hospitalizations h USING (hospitalization_id) '
        "WHERE e.status = 'discharged' AND e.discharged_at < TIMESTAMP '2024-02-20' "
        "AND (e.discharge_disposition <> h.discharge_disposition OR e.diagnosis_code <> h.diagnosis_code "
        "OR e.total_charges <> h.total_charges OR e.admitted_at <> h.admitted_at)",
    )
    assert mismatched == [(0,)]


def test_transform_takes_the_window_from_the_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    settings = Settings(output_dir=out)
    assert data_window(settings).source == "settings"
    OutputLayout(out).data_dir.mkdir(parents=True)
    OutputLayout(out).manifest.write_text('{"start": "2024-01-01", "end": "2024-03-09"}', encoding="utf-8")
    window = data_window(settings)
    assert (window.start, window.end, window.source) == (START, dt.date(2024, 3, 9), "data/manifest.json")
    assert window.vars_text() == "{window_start: 2024-01-01, window_end: 2024-03-09}"


# --- the property: incremental == full refresh ------------------------------------------------------------
@pytest.mark.slow
def test_incremental_equals_full_refresh_with_partitions_appended_day_by_day(tmp_path: Path) -> None:
    """Quick tier: contract-exact partitions (helpers.feed: 15 % late, 8 % corrected, 8 % cancelled) appended
    a random 1-7 days at a time; after each load and transform the feed models equal a full refresh."""
    out = tmp_path / "out"
    generate(output_dir=out, hospitalizations=2500, start=START, end=dt.date(2024, 3, 31), seed=11)
    shutil.rmtree(OutputLayout(out).data_dir / "feed")
    rng = random.Random(14)
    day = dt.date(2024, 1, 20)
    write_feed(out, START, day)
    load(output_dir=out)
    transform(output_dir=out)  # everything once; then the feed models (and the tests on them) day by day
    for _ in range(3):
        day += dt.timedelta(days=rng.randint(1, 7))
        write_feed(out, START, day)
        result = load(output_dir=out)
        assert result.feed_rows_new > 0
        transform(output_dir=out, select=FEED_ONLY)
        assert full_refresh_differences(output_dir=out) == ZERO
    # snapshots: a patient who moved has the old address closed when the new one took effect
    history = _rows(
        out,
        'SELECT patient_id, city, dbt_valid_from, dbt_valid_to FROM "ANALYTICS".snap_patient_address '
        'WHERE patient_id IN (SELECT patient_id FROM "ANALYTICS".snap_patient_address GROUP BY 1 HAVING count(*) > 1) '
        "ORDER BY 1, 3",
    )
    assert history, "no patient moved between two transforms"
    first, second = history[0], history[1]
    assert first[0] == second[0] and first[3] == second[2] and second[3] is None and first[1] != second[1]


@pytest.mark.slow
def test_incremental_equals_full_refresh_after_random_advances(tmp_path: Path) -> None:
    """generate, then a seeded random sequence of two 1-7 day advances, each followed by load and transform (the
    whole dbt build); every incremental model equals a full refresh on the same data, row for row."""
    out = tmp_path / "out"
    _generate(out, seed=21, stays=6000)
    load(output_dir=out)
    transform(output_dir=out)
    rng = random.Random(2024)
    for _ in range(2):  # two steps (each a whole build, two full dbt parses); the day-by-day test takes three more
        days = rng.randint(1, 7)
        advance(output_dir=out, days=days)
        loaded = load(output_dir=out)
        assert loaded.feed_partitions_new == 2 * days
        built = transform(output_dir=out)
        assert built.window.endswith("(from data/manifest.json)")
        assert full_refresh_differences(output_dir=out) == ZERO


@pytest.mark.slow
@pytest.mark.snowflake
def test_incremental_equals_full_refresh_on_snowflake(tmp_path: Path, snowflake_overrides: dict) -> None:
    """The same property on the fakesnow server (two random advances; the feed models and snapshots)."""
    out = tmp_path / "out"
    _generate(out, seed=22, stays=6000)
    load(output_dir=out, **snowflake_overrides)
    transform(output_dir=out, **snowflake_overrides)  # everything once (the tests on the feed models read the rest)
    rng = random.Random(7)
    for _ in range(2):
        advance(output_dir=out, days=rng.randint(1, 7))
        load(output_dir=out, **snowflake_overrides)
        transform(output_dir=out, select=FEED_ONLY, **snowflake_overrides)
        assert full_refresh_differences(output_dir=out, **snowflake_overrides) == ZERO


@pytest.mark.slow
def test_a_new_simulation_in_the_folder_rebuilds_the_feed_models(tmp_path: Path) -> None:
    """generate, load, transform; generate another seed into the same folder, load (the feed restarts), transform:
    the incremental models and snapshots hold the new simulation's rows only (equal to a full refresh; the
    encounters equal the new hospitalizations: transform's singular test would fail otherwise)."""
    out = tmp_path / "out"
    _generate(out, seed=31, stays=3000)
    load(output_dir=out)
    transform(output_dir=out)
    _generate(out, seed=32, stays=3000)
    assert load(output_dir=out).feed_restarted is not None
    transform(output_dir=out)  # raises if assert_encounters_match_hospitalizations fails
    assert full_refresh_differences(output_dir=out) == ZERO
    patients = _rows(out, "SELECT count(DISTINCT patient_id) FROM RAW.patient_events")[0][0]
    snapshot = _rows(out, "SELECT count(DISTINCT patient_id) FROM ANALYTICS.snap_patient_address")[0][0]
    assert snapshot == patients  # no patient of the old simulation left in the snapshot
