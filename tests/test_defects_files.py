"""Defects as written (issue 15, docs/design/defects.md): the ledger lists exactly what differs from the clean
run of the same seed, each row really shows its class, rates hold within sampling error, and the bytes do not
depend on --jobs or on generate S..D + advance E vs generate S..E; `none` writes the clean bytes."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import hospital_analytics as ha
from hospital_analytics.defects.inject import RETIRED_CODES
from hospital_analytics.defects.ledger import read_ledger
from hospital_analytics.defects.profiles import BUILT_IN, CLASSES, TABLE_CLASSES
from hospital_analytics.schema import FEED_COLUMNS, RAW_COLUMNS
from hospital_analytics.simulation.casemix import casemix

pytestmark = pytest.mark.slow

RUN = {
    "hospitalizations": 60_000,
    "hospitals": 3,
    "seed": 5,
    "start": "2025-01-01",
    "end": "2025-03-31",
    "raw_format": "both",
}
LAST = dt.date(2025, 3, 31)
FIRST_SECOND = "2025-01-01 00:00:00"


def read_csv(path: Path, table: str) -> list[dict[str, str | None]]:
    names = [c.name for c in (RAW_COLUMNS.get(table) or FEED_COLUMNS[table])]
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True)
    return pacsv.read_csv(path, convert_options=options).to_pylist()


def snapshot(root: Path, table: str) -> list[dict[str, str | None]]:
    return read_csv(root / "data" / "csv" / f"{table}.csv", table)


def feed(root: Path, table: str) -> list[dict[str, str | None]]:
    files = sorted((root / "data" / "feed" / table).glob("date=*/*.csv"))
    return [row for path in files for row in read_csv(path, table)]


def data_files(root: Path) -> dict[str, bytes]:
    data = root / "data"
    return {
        p.relative_to(data).as_posix(): p.read_bytes()
        for p in sorted(data.rglob("*"))
        if p.is_file() and p.name != "manifest.json" and "state" not in p.relative_to(data).parts
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("defects")
    clean = ha.generate(output_dir=base / "clean", **RUN)
    chaos = ha.generate(output_dir=base / "chaos", defects="chaos", **RUN)
    realistic = ha.generate(output_dir=base / "realistic", defects="realistic", **RUN)
    return {"base": base, "clean": clean, "chaos": chaos, "realistic": realistic}


def test_none_writes_the_clean_bytes(runs, tmp_path):
    ha.generate(output_dir=tmp_path / "none", defects="none", **RUN)
    clean, none = data_files(runs["base"] / "clean"), data_files(tmp_path / "none")
    assert clean.keys() == none.keys()
    assert [k for k in clean if clean[k] != none[k]] == []
    assert clean["defects.csv"] == b"table_name,record_key,defect\n"
    manifest = json.loads((tmp_path / "none/data/manifest.json").read_text())
    assert manifest["raw_text"] is False and manifest["defects"]["profile"] == "none"
    assert not runs["clean"].raw_text and set(runs["clean"].defects.values()) == {0}


def test_jobs_do_not_change_the_bytes_and_another_seed_does(runs, tmp_path):
    ha.generate(output_dir=tmp_path / "jobs2", defects="chaos", jobs=2, **RUN)
    assert data_files(tmp_path / "jobs2") == data_files(runs["base"] / "chaos")
    ha.generate(output_dir=tmp_path / "seed6", defects="chaos", **{**RUN, "seed": 6})
    assert (tmp_path / "seed6/data/defects.csv").read_bytes() != (runs["base"] / "chaos/data/defects.csv").read_bytes()


def test_generate_then_advance_equals_one_generate_with_defects(runs, tmp_path):
    ha.generate(output_dir=tmp_path / "a", defects="chaos", **{**RUN, "end": "2025-02-20"})
    before = {k: v for k, v in data_files(tmp_path / "a").items() if k.startswith("feed/")}
    result = ha.advance(output_dir=tmp_path / "a", until="2025-03-31")
    after = data_files(tmp_path / "a")
    assert after == data_files(runs["base"] / "chaos")  # files and ledger
    assert all(after[k] == v for k, v in before.items())  # partitions already written never change
    assert result.defects == runs["chaos"].defects and result.raw_text


def test_files_are_text_and_the_manifest_says_so(runs):
    import pyarrow.parquet as pq

    root = runs["base"] / "chaos"
    manifest = json.loads((root / "data/manifest.json").read_text())
    assert manifest["raw_text"] is True
    assert manifest["defects"] == {
        "profile": "chaos",
        "rates": BUILT_IN["chaos"],
        "counts": runs["chaos"].defects,
    }
    ledger = read_ledger(root / "data/defects.csv")
    assert Counter(d for _, _, d in ledger) == {c: n for c, n in runs["chaos"].defects.items() if n}
    assert ledger == sorted(ledger, key=lambda r: (r[0], r[2], r[1]))
    assert set(CLASSES) == {d for _, _, d in ledger}  # every class is there at chaos
    parquet = [*(root / "data/parquet").glob("*.parquet"), *(root / "data/feed").rglob("*.parquet")]
    assert len(parquet) == len(RAW_COLUMNS) + 2 * 90
    for path in parquet:
        assert {str(f.type) for f in pq.read_schema(path)} == {"string"}, path
        in_feed = path.parent.name.startswith("date=")
        table = path.parent.parent.name if in_feed else path.stem
        csv = path.with_suffix(".csv") if in_feed else root / "data/csv" / f"{table}.csv"
        assert pq.read_table(path).to_pylist() == read_csv(csv, table), path  # the same values as the CSV


def _by_key(rows, key):
    out = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def _transposition(a: str, b: str) -> bool:
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _seconds(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


@pytest.mark.parametrize("profile", ["chaos", "realistic"])
def test_the_ledger_is_exactly_what_differs_from_the_clean_run(runs, profile):
    """Every row outside the ledger equals the clean run's; every ledger row shows its class."""
    root, clean_root = runs["base"] / profile, runs["base"] / "clean"
    ledger = read_ledger(root / "data/defects.csv")
    marked: dict[tuple[str, str], str] = {}
    for table, key, defect in ledger:
        assert (table, key) not in marked, f"two defects on one row: {table} {key}"
        marked[(table, key)] = defect
    valid = set(casemix().codes)
    doctors = {r["doctor_id"] for r in snapshot(clean_root, "doctors")}

    # patients
    clean = {r["patient_id"]: r for r in snapshot(clean_root, "patients")}
    rows = _by_key(snapshot(root, "patients"), "patient_id")
    real = len(clean)
    seconds = {k.split("|")[1]: k.split("|")[0] for (t, k), d in marked.items() if d == "duplicate_patient"}
    assert set(rows) == set(clean) | set(seconds)
    for pid, found in rows.items():
        if pid in seconds:  # a second registration
            (second,), original = found, clean[seconds[pid]]
            assert int(pid) > real
            for column in (
                "last_name",
                "gender",
                "zip_code",
                "city",
                "state",
                "county",
                "insurance",
                "home_hospital_id",
            ):
                assert second[column] == original[column]
            same_name = second["first_name"] == original["first_name"]
            days = abs((_day(second["birth_date"]) - _day(original["birth_date"])).days)
            assert (same_name and days == 1) or (
                days == 0 and _transposition(second["first_name"], original["first_name"])
            )
            continue
        defect = marked.get(("patients", pid))
        want = clean[pid]
        if defect is None or defect == "duplicate_patient":
            assert found == [want], pid
        elif defect == "duplicate_row":
            assert found == [want, want]
        else:
            (row,) = found
            changed = [c for c in want if row[c] != want[c]]
            assert len(changed) == 1, (pid, defect, changed)
            value = row[changed[0]]
            if defect == "missing_value":
                assert changed[0] in ("gender", "birth_date") and value is None
            elif defect == "impossible_value":
                born = _day(value)
                assert born > LAST or (LAST.year - born.year - ((LAST.month, LAST.day) < (born.month, born.day))) > 120
            elif defect == "inconsistent_format":
                if changed[0] == "gender":
                    assert (
                        value in {"M": ("Male", "male", "m", "1"), "F": ("Female", "female", "f", "2")}[want["gender"]]
                    )
                elif changed[0] == "birth_date":
                    assert dt.datetime.strptime(value, "%m/%d/%Y").date() == _day(want["birth_date"])
                else:
                    assert value.strip().lower() == want[changed[0]].lower()
            else:
                raise AssertionError(f"patients has no {defect}")

    # hospitalizations
    clean = {r["hospitalization_id"]: r for r in snapshot(clean_root, "hospitalizations")}
    rows = _by_key(snapshot(root, "hospitalizations"), "hospitalization_id")
    assert set(rows) == set(clean)
    discharges = {
        r["hospitalization_id"] for r in feed(clean_root, "encounter_events") if r["event_type"] == "discharge"
    }
    patients = set(_by_key(snapshot(root, "patients"), "patient_id"))
    for hid, found in rows.items():
        defect, want = marked.get(("hospitalizations", hid)), clean[hid]
        if defect is None:
            assert found == [want], hid
            continue
        if defect == "duplicate_row":
            assert found == [want, want]
            continue
        (row,) = found
        changed = [c for c in want if row[c] != want[c]]
        if defect == "orphan_key":
            assert changed in (["patient_id"], ["doctor_id"])
            assert row["patient_id"] not in patients or row["doctor_id"] not in doctors
        elif defect == "discharge_before_admission":
            assert set(changed) == {"discharge_date", "discharged_at", "length_of_stay_days"}
            gap = (_day(row["discharge_date"]) - _day(row["admission_date"])).days
            assert -5 <= gap <= -1 and int(row["length_of_stay_days"]) == gap
        elif defect == "impossible_value":
            assert changed == ["total_charges"] and float(row["total_charges"]) == -float(want["total_charges"]) < 0
        elif defect == "invalid_code":
            got, code = row["diagnosis_code"], want["diagnosis_code"]
            assert changed == ["diagnosis_code"] and got not in valid
            letter_o = len(got) == len(code) and [(code[i], got[i]) for i in range(len(code)) if got[i] != code[i]] == [
                ("0", "O")
            ]
            dot_moved = got.replace(".", "") == code.replace(".", "") and got.index(".") == 2
            assert got in RETIRED_CODES or letter_o or dot_moved, (code, got)
        elif defect == "missing_value":
            assert len(changed) == 1 and changed[0] in ("admission_date", "diagnosis_code", "admission_type")
            assert row[changed[0]] is None
        elif defect == "inconsistent_format":
            assert len(changed) == 1
            if changed[0] == "admission_date":
                assert dt.datetime.strptime(row["admission_date"], "%m/%d/%Y").date() == _day(want["admission_date"])
            else:
                assert changed == ["admission_type"]
                assert row["admission_type"].strip().lower() == want["admission_type"].lower()
        elif defect == "unit_slip":
            assert changed == ["total_charges"] and hid in discharges
            assert round(float(row["total_charges"]), 2) == round(100 * float(want["total_charges"]), 2)
        else:
            raise AssertionError(f"hospitalizations has no {defect}")

    # the feed
    for table in FEED_COLUMNS:
        clean = {r["event_id"]: r for r in feed(clean_root, table)}
        rows = _by_key(feed(root, table), "event_id")
        assert set(rows) == set(clean)
        for eid, found in rows.items():
            defect, want = marked.get((table, eid)), clean[eid]
            if defect is None:
                assert found == [want], (table, eid)
            elif defect == "late_duplicate":
                first, copy = found
                assert first == want and {k: v for k, v in copy.items() if k != "recorded_at"} == {
                    k: v for k, v in want.items() if k != "recorded_at"
                }
                assert 3600 <= _seconds(copy["recorded_at"]) - _seconds(want["recorded_at"]) <= 48 * 3600
                assert want["event_at"] >= FIRST_SECOND  # never a backfilled event
            elif defect == "timezone_shift":
                (row,) = found
                hours = (_seconds(row["event_at"]) - _seconds(want["event_at"])) / 3600
                assert hours in (4, 5, 6, 7, 8) and row["event_at"] > row["recorded_at"]
                assert {k: v for k, v in row.items() if k != "event_at"} == {
                    k: v for k, v in want.items() if k != "event_at"
                }
                assert want["event_type"] in ("admit", "transfer", "discharge")
            else:
                raise AssertionError(f"{table} has no {defect}")


@pytest.mark.parametrize("profile", ["chaos", "realistic"])
def test_rates_hold_within_sampling_error(runs, profile):
    """Each (table, class) count is its rate times the eligible rows, within 4 standard errors."""
    clean_root = runs["base"] / "clean"
    ledger = read_ledger(runs["base"] / profile / "data/defects.csv")
    counts = Counter((t, d) for t, _, d in ledger)
    rates = BUILT_IN[profile]
    patients = snapshot(clean_root, "patients")
    stays = snapshot(clean_root, "hospitalizations")
    closed = [r for r in stays if r["discharge_date"] is not None]
    discharged = {
        r["hospitalization_id"] for r in feed(clean_root, "encounter_events") if r["event_type"] == "discharge"
    }
    eligible = {("patients", c): len(patients) for c in TABLE_CLASSES["patients"]} | {
        ("hospitalizations", c): len(stays) for c in TABLE_CLASSES["hospitalizations"]
    }
    eligible[("hospitalizations", "discharge_before_admission")] = len(closed)
    eligible[("hospitalizations", "impossible_value")] = sum(float(r["total_charges"]) > 0 for r in closed)
    eligible[("hospitalizations", "unit_slip")] = sum(
        float(r["total_charges"]) > 0 and r["hospitalization_id"] in discharged for r in closed
    )
    horizon = dt.datetime(2025, 4, 1).timestamp()
    for table in FEED_COLUMNS:
        events = [r for r in feed(clean_root, table) if r["event_at"] >= FIRST_SECOND]
        # a late copy is written only when recorded by the last day: rows recorded 48 h before its end surely are
        eligible[(table, "late_duplicate")] = sum(_seconds(r["recorded_at"]) < horizon - 48 * 3600 for r in events)
        if table == "encounter_events":
            eligible[(table, "timezone_shift")] = sum(
                r["event_type"] in ("admit", "transfer", "discharge") and r["refers_to_event_id"] is None
                for r in events
            )
    for (table, defect), n in eligible.items():
        rate, found = rates[defect], counts[(table, defect)]
        spread = 4 * math.sqrt(n * rate * (1 - rate)) + 2
        if defect in ("late_duplicate", "timezone_shift"):  # eligibility above is a close bound, not exact
            spread += 0.05 * n * rate
        assert abs(found - rate * n) <= spread, (profile, table, defect, found, rate * n, n)
