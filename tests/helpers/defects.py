"""A hand-made dirty data set for the catch tests: generated CSV files edited as docs/design/defects.md says
the injector delivers them, one or two rows per class, with the ledger (data/defects.csv) those edits make and
``"raw_text": true`` in the manifest. Small and independent of the injector, so the staging rules are tested
on defects whose every byte is known.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from hospital_analytics.schema import FEED_COLUMNS, column_names

Ledger = list[tuple[str, str, str]]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, names: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _us(day: str) -> str:
    d = dt.date.fromisoformat(day)
    return f"{d.month:02d}/{d.day:02d}/{d.year:04d}"


def inject_by_hand(data: Path) -> Ledger:
    """Edit the CSV files under ``data`` (a generate's ``data/`` folder, CSV format) with one or two defects
    of every class; write data/defects.csv and mark the manifest ``raw_text``. Returns the ledger rows."""
    ledger: Ledger = []
    manifest = json.loads((data / "manifest.json").read_text())
    end = dt.date.fromisoformat(manifest["end"])
    csv_dir = data / "csv"
    patients = _read(csv_dir / "patients.csv")
    stays = _read(csv_dir / "hospitalizations.csv")
    feed = data / "feed" / "encounter_events"
    events = {p.name: _read(next(p.glob("*.csv"))) for p in sorted(feed.iterdir())}
    discharged = {e["hospitalization_id"] for rows in events.values() for e in rows if e["event_type"] == "discharge"}

    # --- patients: a patient with stays for the defects that hold them back, keys kept apart -----------------
    used: set[str] = set()

    def pick(rows: list[dict[str, str]], key: str, ok=lambda r: True) -> dict[str, str]:
        row = next(r for r in rows if r[key] not in used and ok(r))
        used.add(row[key])
        return row

    with_stays = {s["patient_id"] for s in stays}
    first_name_ok = lambda r: len(r["first_name"]) >= 4 and r["first_name"][1] != r["first_name"][2]  # noqa: E731
    original = pick(patients, "patient_id", first_name_ok)
    second = dict(original)
    second["patient_id"] = str(max(int(p["patient_id"]) for p in patients) + 1)
    name = original["first_name"]
    second["first_name"] = name[0] + name[2] + name[1] + name[3:]
    second["death_date"] = ""
    ledger.append(("patients", f"{original['patient_id']}|{second['patient_id']}", "duplicate_patient"))
    edits = [
        ("missing_value", {"gender": ""}),
        ("missing_value", {"birth_date": ""}),
        ("impossible_value", {"birth_date": (end + dt.timedelta(days=30)).isoformat()}),
        ("impossible_value", {"birth_date": dt.date(end.year - 125, 6, 1).isoformat()}),
    ]
    for defect, change in edits:
        row = pick(patients, "patient_id", lambda r: r["patient_id"] in with_stays)
        row.update(change)
        ledger.append(("patients", row["patient_id"], defect))
    for change in (
        lambda r: {"gender": "Male" if r["gender"] == "M" else "female"},
        lambda r: {"gender": "1" if r["gender"] == "M" else "2"},
        lambda r: {"first_name": r["first_name"].upper()},
        lambda r: {"last_name": f" {r['last_name']} "},
        lambda r: {"birth_date": _us(r["birth_date"])},
    ):
        row = pick(patients, "patient_id")
        row.update(change(row))
        ledger.append(("patients", row["patient_id"], "inconsistent_format"))
    copied = pick(patients, "patient_id")
    ledger.append(("patients", copied["patient_id"], "duplicate_row"))
    out = []
    for row in patients:
        out.append(row)
        if row is copied:
            out.append(dict(row))
    out.append(second)
    _write(csv_dir / "patients.csv", column_names("patients"), out)

    # --- hospitalizations: closed stays of sound patients -------------------------------------------------
    held = {p["patient_id"] for p in patients if p["patient_id"] in used}
    used = set()

    def closed(r: dict[str, str]) -> bool:
        return bool(r["discharge_date"]) and r["patient_id"] not in held and float(r["total_charges"] or 0) > 0

    row = pick(stays, "hospitalization_id", closed)
    row["patient_id"] = "999999999"
    ledger.append(("hospitalizations", row["hospitalization_id"], "orphan_key"))
    row = pick(stays, "hospitalization_id", closed)
    row["doctor_id"] = "999999"
    ledger.append(("hospitalizations", row["hospitalization_id"], "orphan_key"))
    row = pick(stays, "hospitalization_id", closed)
    day = (dt.date.fromisoformat(row["admission_date"]) - dt.timedelta(days=2)).isoformat()
    row.update(discharge_date=day, length_of_stay_days="-2", discharged_at=day + row["discharged_at"][10:])
    ledger.append(("hospitalizations", row["hospitalization_id"], "discharge_before_admission"))
    row = pick(stays, "hospitalization_id", closed)
    row["total_charges"] = "-" + row["total_charges"]
    ledger.append(("hospitalizations", row["hospitalization_id"], "impossible_value"))
    for code in ("I48.1", "I5O.9"):
        row = pick(stays, "hospitalization_id", closed)
        row["diagnosis_code"] = code
        ledger.append(("hospitalizations", row["hospitalization_id"], "invalid_code"))
    for column in ("admission_date", "diagnosis_code", "admission_type"):
        row = pick(stays, "hospitalization_id", closed)
        row[column] = ""
        ledger.append(("hospitalizations", row["hospitalization_id"], "missing_value"))
    for change in (
        lambda r: {"admission_type": r["admission_type"].lower()},
        lambda r: {"admission_type": f" {r['admission_type']} "},
        lambda r: {"admission_date": _us(r["admission_date"])},
    ):
        row = pick(stays, "hospitalization_id", closed)
        row.update(change(row))
        ledger.append(("hospitalizations", row["hospitalization_id"], "inconsistent_format"))
    row = pick(stays, "hospitalization_id", lambda r: closed(r) and r["hospitalization_id"] in discharged)
    row["total_charges"] = f"{float(row['total_charges']) * 100:.2f}"
    ledger.append(("hospitalizations", row["hospitalization_id"], "unit_slip"))
    copied = pick(stays, "hospitalization_id", closed)
    ledger.append(("hospitalizations", copied["hospitalization_id"], "duplicate_row"))
    out = []
    for row in stays:
        out.append(row)
        if row is copied:
            out.append(dict(row))
    _write(csv_dir / "hospitalizations.csv", column_names("hospitalizations"), out)

    # --- the feed: a late copy in the next day's partition, a time-zone shift ---------------------------------
    for table in ("encounter_events", "patient_events"):
        folder = data / "feed" / table
        days = sorted(p.name for p in folder.iterdir())
        parts = {d: _read(next((folder / d).glob("*.csv"))) for d in days}
        names = [c.name for c in FEED_COLUMNS[table]]
        source_day, target_day = days[len(days) // 2], days[len(days) // 2 + 1]
        event = dict(parts[source_day][0])
        event["recorded_at"] = target_day.removeprefix("date=") + " 23:59:00"
        parts[target_day].append(event)
        ledger.append((table, event["event_id"], "late_duplicate"))
        if table == "encounter_events":
            shifted = next(
                e
                for d in days[len(days) // 3 :]
                for e in parts[d]
                if e["event_type"] == "admit"
                and e["event_id"] != event["event_id"]
                and dt.datetime.fromisoformat(e["recorded_at"]) - dt.datetime.fromisoformat(e["event_at"])
                < dt.timedelta(hours=4)
            )
            at = dt.datetime.fromisoformat(shifted["event_at"]) + dt.timedelta(hours=5)
            shifted["event_at"] = at.strftime("%Y-%m-%d %H:%M:%S")
            ledger.append((table, shifted["event_id"], "timezone_shift"))
        for d in (source_day, target_day, *days):
            _write(next((folder / d).glob("*.csv")), names, parts[d])

    ledger.sort(key=lambda r: (r[0], r[2], r[1]))
    _write(
        data / "defects.csv",
        ["table_name", "record_key", "defect"],
        [dict(zip(("table_name", "record_key", "defect"), r, strict=True)) for r in ledger],
    )
    manifest["raw_text"] = True
    (data / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return ledger
