"""The daily feed (docs/design/feed.md): partition files, event rules, the rates of late, corrected and cancelled
events, hour-of-day patterns, address moves, and replay: the events reproduce the snapshot tables."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import hospital_analytics as ha
from helpers import clean_env
from hospital_analytics.schema import FEED_COLUMNS
from hospital_analytics.simulation import feed, tables
from hospital_analytics.simulation.reference import mobility

START, END = dt.date(2024, 1, 1), dt.date(2024, 4, 30)
RUN = {"hospitalizations": 24_000, "hospitals": 2, "seed": 11, "start": START.isoformat(), "end": END.isoformat()}


def read_table(root: Path, table: str, fmt: str = "csv") -> pd.DataFrame:
    """Every partition of a feed table, concatenated (types from the schema)."""
    schema = tables.arrow_schema(table)
    frames = []
    for path in sorted((root / "data/feed" / table).glob(f"date=*/*.{fmt}")):
        if fmt == "csv":
            options = pacsv.ConvertOptions(column_types={f.name: f.type for f in schema})
            frames.append(pacsv.read_csv(path, convert_options=options).to_pandas())
        else:
            frames.append(pq.read_table(path).to_pandas())
    return pd.concat(frames, ignore_index=True)


def snapshot(root: Path, table: str) -> pd.DataFrame:
    schema = tables.arrow_schema(table)
    options = pacsv.ConvertOptions(column_types={f.name: f.type for f in schema})
    return pacsv.read_csv(root / f"data/csv/{table}.csv", convert_options=options).to_pandas()


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A four-month run of two hospitals (about 4,000 stays), CSV and Parquet."""
    root = tmp_path_factory.mktemp("feed")
    with clean_env(root):
        ha.generate(output_dir=root / "out", raw_format="both", **RUN)
    return root / "out"


@pytest.fixture(scope="module")
def later(run, tmp_path_factory) -> Path:
    """The same run advanced by MAX_DELAY_DAYS: every event that happened by END is recorded by then."""
    root = tmp_path_factory.mktemp("later")
    shutil.copytree(run, root / "out")
    with clean_env(root):
        ha.advance(output_dir=root / "out", days=feed.MAX_DELAY_DAYS)
    return root / "out"


@pytest.fixture(scope="module")
def heavy(tmp_path_factory) -> Path:
    """High shares (late 20%, corrections 10%, cancels 10%), to measure each rate precisely."""
    root = tmp_path_factory.mktemp("heavy")
    with clean_env(root):
        ha.generate(
            output_dir=root / "out",
            feed_late_share=0.2,
            feed_correction_share=0.1,
            feed_cancel_share=0.1,
            **RUN,
        )
    return root / "out"


# --- files ---------------------------------------------------------------------------------------------
def test_one_partition_per_day_and_table_in_schema_order_sorted(run):
    days = (END - START).days + 1
    for table, columns in FEED_COLUMNS.items():
        folders = sorted((run / "data/feed" / table).iterdir())
        assert len(folders) == days
        for i, folder in enumerate(folders):
            day = (START + dt.timedelta(days=i)).isoformat()
            assert folder.name == f"date={day}"
            assert sorted(p.name for p in folder.iterdir()) == [f"{table}_{day}.csv", f"{table}_{day}.parquet"]
        frame = read_table(run, table)
        assert list(frame.columns) == [c.name for c in columns]
        assert frame["event_id"].is_unique
        # each partition sorted by (recorded_at, event_id), its date the date of recorded_at
        first = (run / "data/feed" / table / f"date={START}" / f"{table}_{START}.csv").read_text().splitlines()[0]
        assert first == ",".join(f'"{c.name}"' for c in columns)
        for path in (run / "data/feed" / table).glob("date=*/*.csv"):
            part = pacsv.read_csv(path).to_pandas()
            stamp = pd.to_datetime(part["recorded_at"])
            assert (stamp.dt.date.astype(str) == path.parent.name.removeprefix("date=")).all()
            keys = list(zip(stamp, part["event_id"], strict=True))
            assert keys == sorted(keys)
        parquet = read_table(run, table, "parquet")
        assert len(parquet) == len(frame)
        assert (parquet["event_id"].to_numpy() == frame["event_id"].to_numpy()).all()


def test_an_empty_day_is_a_header_only_partition(tmp_path):
    ha.generate(output_dir=tmp_path / "o", hospitalizations=60, seed=3, start="2024-01-01", end="2024-02-29")
    sizes = [len(p.read_text().splitlines()) for p in (tmp_path / "o/data/feed/encounter_events").glob("*/*.csv")]
    assert len(sizes) == 60 and min(sizes) == 1  # about 5 stays a month: most days have no event


def test_manifest_has_the_feed_block_and_the_summary_a_line(run):
    manifest = json.loads((run / "data/manifest.json").read_text())
    block = manifest["feed"]
    assert block["first_day"] == START.isoformat() and block["last_day"] == END.isoformat()
    assert (block["late_share"], block["correction_share"], block["cancel_share"]) == (0.03, 0.01, 0.005)
    for table in FEED_COLUMNS:
        assert block["tables"][table]["partitions"] == (END - START).days + 1
        assert block["tables"][table]["rows"] == len(read_table(run, table))


# --- event rules and rates -------------------------------------------------------------------------------
def test_recorded_after_it_happened_and_never_more_than_three_days_late(run, heavy):
    for root in (run, heavy):
        for table in FEED_COLUMNS:
            events = read_table(root, table)
            delay = (events["recorded_at"] - events["event_at"]).dt.total_seconds()
            assert (delay >= 0).all()
            backfill = events["event_at"] < pd.Timestamp(START)
            assert delay[~backfill].max() <= feed.MAX_DELAY_DAYS * 86_400
            assert (events.loc[backfill, "recorded_at"] == pd.Timestamp(START)).all()
            assert backfill.any()  # stays in house on the first day, and their patients


def _share_ok(hits: int, n: int, share: float) -> bool:
    return abs(hits / n - share) <= 4 * math.sqrt(share * (1 - share) / n) + 1 / n


@pytest.mark.parametrize(("fixture", "late"), [("run", 0.03), ("heavy", 0.2)])
def test_the_late_share(request, fixture, late):
    root = request.getfixturevalue(fixture)
    for table in FEED_COLUMNS:
        events = read_table(root, table)
        plain = events[(events["event_at"] >= pd.Timestamp(START)) & ~events["event_type"].isin(["cancel", "correct"])]
        # only events that happened more than the longest delay before the end: later ones may still be missing
        plain = plain[plain["event_at"] < pd.Timestamp(END) - pd.Timedelta(days=feed.MAX_DELAY_DAYS - 1)]
        delay = (plain["recorded_at"] - plain["event_at"]).dt.total_seconds()
        assert delay[delay < 3_600].max() <= feed.LATENCY_MAX  # on time: seconds to minutes
        assert _share_ok(int((delay >= 3_600).sum()), len(plain), late), (table, (delay >= 3_600).mean())


def test_corrections_and_cancels_at_their_shares_and_after_the_original(heavy):
    events = read_table(heavy, "encounter_events")
    by_id = events.set_index("event_id")
    mature = events["event_at"] < pd.Timestamp(END) - pd.Timedelta(days=feed.MAX_DELAY_DAYS)
    fresh = events["event_at"] >= pd.Timestamp(START)
    for kind, code in (("admit", 41), ("discharge", 43)):
        originals = events[(events["event_type"] == kind) & mature & fresh]
        if kind == "discharge":
            originals = originals[originals["discharge_disposition"] != "Died"]
        fixed = originals["event_id"].add(code - originals["event_id"] % 100).isin(events["event_id"])
        assert _share_ok(int(fixed.sum()), len(originals), 0.1), (kind, fixed.mean())
    corrections = events[events["event_type"] == "correct"]
    cancels = events[events["event_type"] == "cancel"]
    for follow in (corrections, cancels):
        original = by_id.loc[follow["refers_to_event_id"]]
        assert (follow["recorded_at"].to_numpy() > original["recorded_at"].to_numpy()).all()
        assert (follow["event_at"].to_numpy() == original["event_at"].to_numpy()).all()
    assert (by_id.loc[cancels["refers_to_event_id"], "event_type"] == "transfer").all()
    assert set(corrections["hl7_event"]) == {"A08"} and set(cancels["hl7_event"]) == {"A12"}
    # an admit correction changes the diagnosis, a discharge correction the disposition
    admits = corrections[corrections["event_id"] % 100 == 41]
    sent = by_id.loc[admits["refers_to_event_id"], "diagnosis_code"].to_numpy()
    assert (sent != admits["diagnosis_code"].to_numpy()).all()
    stays = events[(events["event_type"] == "admit") & mature & fresh]["hospitalization_id"]
    cancelled = (stays * 100 + 21).isin(events["event_id"]).mean()
    assert 0.06 <= cancelled <= 0.12  # 10% drawn; a stay moving or leaving within hours of admission has none


def test_a_cancelled_transfer_goes_to_a_unit_the_stay_never_enters(heavy):
    events = read_table(heavy, "encounter_events")
    moves = snapshot(heavy, "bed_movements")
    wrong = events[events["event_id"] % 100 == 20]
    assert len(wrong) > 20
    entered = set(zip(moves["hospitalization_id"], moves["unit_id"], strict=True))
    assert not any((h, u) in entered for h, u in zip(wrong["hospitalization_id"], wrong["unit_id"], strict=True))
    units = snapshot(heavy, "units").set_index("unit_id")["hospital_id"]
    assert (units.loc[wrong["unit_id"]].to_numpy() == wrong["hospital_id"].to_numpy()).all()


def test_discharges_mostly_late_morning_to_afternoon(run):
    events = read_table(run, "encounter_events")
    hour = events.loc[events["event_type"] == "discharge", "event_at"].dt.hour
    assert 0.08 <= (hour < 12).mean() <= 0.20  # 13% before noon (Florida, docs/calibration.md)
    assert (hour.between(10, 17)).mean() >= 0.6
    assert 14 <= hour.median() <= 16


def test_recording_is_a_pure_function_of_the_keys():
    key = np.arange(1, 20_001, dtype=np.uint64)
    at = np.full(len(key), 10 * 86_400, dtype=np.int64)
    a = feed.recorded(5, key, 1, at, 0, 0.03)
    b = feed.recorded(5, key[::-1], 1, at, 0, 0.03)[::-1]
    assert (a == b).all()
    assert (feed.recorded(5, key, 1, at, 11 * 86_400, 0.03) == 11 * 86_400).all()  # before the window: backfill
    late = (a - at) >= 3_600
    assert _share_ok(int(late.sum()), len(key), 0.03)
    assert ((a - at)[late] <= feed.LATE_MAX).all()


# --- address moves -------------------------------------------------------------------------------------
def test_moves_at_the_published_rate_within_the_catchment_and_only_while_alive(run):
    patients = snapshot(run, "patients")
    events = read_table(run, "patient_events")
    moves = events[events["event_type"] == "address"]
    registered = events[events["event_type"] == "register"].set_index("patient_id")
    years = registered["event_at"].rsub(pd.Timestamp(END) + pd.Timedelta(days=1)).dt.days.sum() / 365.25
    expected = years * mobility.MOVES_PER_YEAR
    assert abs(len(moves) - expected) <= 4 * math.sqrt(expected) + 2
    assert (moves["event_at"].to_numpy() > registered.loc[moves["patient_id"], "event_at"].to_numpy()).all()
    dead = patients.dropna(subset=["death_date"]).set_index("patient_id")["death_date"]
    after = moves[moves["patient_id"].isin(dead.index)]
    assert (after["event_at"].dt.date.to_numpy() < dead.loc[after["patient_id"]].to_numpy()).all()
    # the new address is another ZIP code of the home hospital's catchment (its patients' ZIP codes)
    home = patients.set_index("patient_id")["home_hospital_id"]
    zips = events.assign(hospital=home.loc[events["patient_id"]].to_numpy()).groupby("hospital")["zip_code"]
    assert all(len(set(z)) > 1 for _, z in zips)
    previous = events.sort_values(["patient_id", "event_at"]).groupby("patient_id")["zip_code"].shift()
    changed = previous.loc[moves.index]
    assert (changed.dropna() != moves.loc[changed.dropna().index, "zip_code"]).all()


# --- replay --------------------------------------------------------------------------------------------
def replay(root: Path, until: pd.Timestamp | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(stays, movements, patients) from the events: the latest version of each event by recorded_at,
    cancelled events dropped; ``until``: only events that happened before it."""
    events = read_table(root, "encounter_events")
    people = read_table(root, "patient_events")
    if until is not None:
        events, people = events[events["event_at"] < until], people[people["event_at"] < until]
    cancelled = events.loc[events["event_type"] == "cancel", "refers_to_event_id"]
    events = events[~events["event_id"].isin(cancelled) & (events["event_type"] != "cancel")]
    events = events.assign(key=events["refers_to_event_id"].fillna(events["event_id"]).astype("int64"))
    latest = events.sort_values(["recorded_at", "event_id"]).groupby("key").tail(1)
    kind = latest["key"] % 100
    admits = latest[kind == 1].set_index("hospitalization_id")
    discharges = latest[kind == 30].set_index("hospitalization_id")
    stays = admits[["patient_id", "doctor_id", "event_at", "diagnosis_code", "payer", "admission_type"]].join(
        discharges[["event_at", "discharge_disposition", "total_charges"]].add_suffix("_discharge"), how="inner"
    )
    legs = latest[(kind == 1) | latest["event_type"].eq("transfer")]
    legs = legs.sort_values(["hospitalization_id", "event_at", "key"])
    legs = legs.assign(sequence=legs.groupby("hospitalization_id").cumcount() + 1)
    now = people.sort_values(["event_at", "recorded_at"]).groupby("patient_id").tail(1).set_index("patient_id")
    return stays, legs, now


def _closed_stays(root: Path) -> pd.DataFrame:
    stays = snapshot(root, "hospitalizations").dropna(subset=["discharged_at"]).set_index("hospitalization_id")
    return stays


def _compare_stays(replayed: pd.DataFrame, truth: pd.DataFrame) -> pd.Series:
    """Per closed stay of ``truth``: does the replay agree on every field?"""
    r = replayed.reindex(truth.index)
    same = (
        (r["event_at"] == truth["admitted_at"])
        & (r["event_at_discharge"] == truth["discharged_at"])
        & (r["discharge_disposition_discharge"] == truth["discharge_disposition"])
        & (r["diagnosis_code"] == truth["diagnosis_code"])
        & (r["total_charges_discharge"].astype(float).round(2) == truth["total_charges"].astype(float).round(2))
        & (r["payer"] == truth["payer"])
        & (r["doctor_id"] == truth["doctor_id"])
        & (r["admission_type"] == truth["admission_type"])
    )
    return same


def test_replay_reproduces_the_snapshot_once_in_flight_events_arrive(run, later):
    """Advanced by three days, every event that happened by END is recorded: replaying those events gives
    exactly END's snapshot of closed stays, bed movements and current addresses and payers."""
    until = pd.Timestamp(END) + pd.Timedelta(days=1)
    stays, legs, people = replay(later, until)
    truth = _closed_stays(run)
    assert _compare_stays(stays, truth).all()
    moves = snapshot(run, "bed_movements")
    got = legs.set_index(["hospitalization_id", "sequence"])
    want = moves.set_index(["hospitalization_id", "sequence"])
    assert len(got) == len(want)
    assert (got.loc[want.index, "unit_id"].to_numpy() == want["unit_id"].to_numpy()).all()
    assert (got.loc[want.index, "event_at"].to_numpy() == want["started_at"].to_numpy()).all()
    patients = snapshot(run, "patients").set_index("patient_id")
    assert sorted(people.index) == sorted(patients.index)
    for column, source in (("city", "city"), ("zip_code", "zip_code"), ("county", "county"), ("payer", "insurance")):
        assert (people.loc[patients.index, column].to_numpy() == patients[source].to_numpy()).all(), column


def test_replay_at_the_last_day_differs_only_by_events_in_flight(run, later):
    stays, _, people = replay(run)
    truth = _closed_stays(run)
    same = _compare_stays(stays, truth)
    # what is still missing: events that happened by END and are recorded in the three days after it
    events = read_table(later, "encounter_events")
    in_flight = events[(events["recorded_at"] >= pd.Timestamp(END) + pd.Timedelta(days=1))]
    in_flight = in_flight[in_flight["event_at"] < pd.Timestamp(END) + pd.Timedelta(days=1)]
    assert set(truth.index[~same]) <= set(in_flight["hospitalization_id"])
    assert 0 < (~same).sum() <= len(in_flight)
    # late events make most of them: the on-time ones of the last minutes of END, corrections the rest
    late = (in_flight["recorded_at"] - in_flight["event_at"]).dt.total_seconds() >= 3_600
    assert late.mean() >= 0.5
    recent = in_flight["event_at"] >= pd.Timestamp(END) - pd.Timedelta(days=feed.MAX_DELAY_DAYS)
    assert recent.all()
    missing = set(snapshot(run, "patients")["patient_id"]) - set(people.index)  # registered, not recorded yet
    registers = read_table(later, "patient_events")
    registers = registers[registers["recorded_at"] >= pd.Timestamp(END) + pd.Timedelta(days=1)]
    assert missing <= set(registers.loc[registers["event_type"] == "register", "patient_id"])
