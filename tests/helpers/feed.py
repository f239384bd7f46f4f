"""Daily feed partitions written in exactly the contract of docs/design/feed.md, from the raw files of an
output folder (``helpers.raw.write_raw`` or the real generator), for the load and dbt tests.

The events are the stays' own (admit, each later bed movement as a transfer, discharge), a patient's
register at their first admit and their coverage changes; a share is recorded late (hours to
``MAX_DELAY_DAYS`` days), a share of admits and discharges is first sent wrong and corrected, a share of stays
gets an erroneous transfer that a cancel follows. Rates are higher than the real feed's, so small data sets
hold every case. ``write_feed(out, first, last)`` writes partitions first..last (each day one, empty ones
header only); writing again with a later ``last`` adds the next days and leaves the written ones byte-identical.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from hospital_analytics.layout import OutputLayout
from hospital_analytics.schema import FEED_COLUMNS

MAX_DELAY_DAYS = 3
LATE_SHARE = 0.15
CORRECTION_SHARE = 0.08
CANCEL_SHARE = 0.08
_TS = "%Y-%m-%d %H:%M:%S"


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _ts(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, _TS)


def _recorded(rng: random.Random, at: dt.datetime, first: dt.date) -> dt.datetime:
    if rng.random() < LATE_SHARE:
        delay = dt.timedelta(seconds=rng.randrange(3600, MAX_DELAY_DAYS * 86400))
        cap = dt.datetime.combine(at.date() + dt.timedelta(days=MAX_DELAY_DAYS), dt.time(23, 59, 59))
        recorded = min(at + delay, cap)
    else:
        recorded = at + dt.timedelta(seconds=rng.randrange(1, 300))
    return max(recorded, dt.datetime.combine(first, dt.time()))  # backfill: the first day at midnight


def events(out: Path, first: dt.date, seed: int = 7) -> dict[str, list[dict[str, object]]]:
    """Every event of the folder's stays and patients (recorded any day from ``first`` on)."""
    layout = OutputLayout(out)
    rng = random.Random(seed)
    stays = _read(layout.csv("hospitalizations"))
    moves: dict[str, list[dict[str, str]]] = {}
    for move in _read(layout.csv("bed_movements")):
        moves.setdefault(move["hospitalization_id"], []).append(move)
    units = sorted({int(m["unit_id"]) for ms in moves.values() for m in ms}) or [1]
    encounter: list[dict[str, object]] = []
    first_admit: dict[str, dt.datetime] = {}

    def add(**values: object) -> dict[str, object]:
        row: dict[str, object] = dict.fromkeys(c.name for c in FEED_COLUMNS["encounter_events"])
        row.update(values)
        encounter.append(row)
        return row

    for stay in sorted(stays, key=lambda s: int(s["hospitalization_id"])):
        hid = int(stay["hospitalization_id"])
        base = {
            "hospitalization_id": hid,
            "patient_id": int(stay["patient_id"]),
            "hospital_id": int(stay["hospital_id"]),
        }
        ordered = sorted(moves.get(stay["hospitalization_id"], []), key=lambda m: int(m["sequence"]))
        admitted = _ts(stay["admitted_at"])
        previous = first_admit.get(stay["patient_id"])
        first_admit[stay["patient_id"]] = min(previous, admitted) if previous else admitted
        admit_payload = {
            "unit_id": int(ordered[0]["unit_id"]) if ordered else None,
            "admission_type": stay["admission_type"],
            "diagnosis_code": stay["diagnosis_code"],
            "doctor_id": int(stay["doctor_id"]),
            "payer": stay["payer"],
        }
        recorded = _recorded(rng, admitted, first)
        wrong = rng.random() < CORRECTION_SHARE
        add(
            event_id=hid * 100 + 1,
            event_type="admit",
            hl7_event="A01",
            event_at=admitted,
            recorded_at=recorded,
            **base,
            **{**admit_payload, **({"diagnosis_code": "R69"} if wrong else {})},
        )
        if wrong:
            later = recorded + dt.timedelta(seconds=rng.randrange(600, MAX_DELAY_DAYS * 86400))
            add(
                event_id=hid * 100 + 41,
                event_type="correct",
                hl7_event="A08",
                event_at=admitted,
                recorded_at=later,
                refers_to_event_id=hid * 100 + 1,
                **base,
                **admit_payload,
            )
        for k, move in enumerate(ordered[1:3], start=1):
            at = _ts(move["started_at"])
            add(
                event_id=hid * 100 + 10 + k,
                event_type="transfer",
                hl7_event="A02",
                event_at=at,
                recorded_at=_recorded(rng, at, first),
                unit_id=int(move["unit_id"]),
                from_unit_id=int(ordered[k - 1]["unit_id"]),
                **base,
            )
        if rng.random() < CANCEL_SHARE:
            at = admitted + dt.timedelta(hours=rng.randrange(1, 8))
            gone = [u for u in units if u not in {int(m["unit_id"]) for m in ordered}] or [max(units) + 1]
            sent = _recorded(rng, at, first)
            add(
                event_id=hid * 100 + 20,
                event_type="transfer",
                hl7_event="A02",
                event_at=at,
                recorded_at=sent,
                unit_id=rng.choice(gone),
                from_unit_id=admit_payload["unit_id"],
                **base,
            )
            add(
                event_id=hid * 100 + 21,
                event_type="cancel",
                hl7_event="A12",
                event_at=at,
                recorded_at=sent + dt.timedelta(seconds=rng.randrange(600, MAX_DELAY_DAYS * 86400)),
                refers_to_event_id=hid * 100 + 20,
                **base,
            )
        if stay["discharged_at"]:
            at = _ts(stay["discharged_at"])
            payload = {"discharge_disposition": stay["discharge_disposition"], "total_charges": stay["total_charges"]}
            recorded = _recorded(rng, at, first)
            wrong = rng.random() < CORRECTION_SHARE
            add(
                event_id=hid * 100 + 30,
                event_type="discharge",
                hl7_event="A03",
                event_at=at,
                recorded_at=recorded,
                **base,
                **{
                    **payload,
                    **(
                        {
                            "discharge_disposition": "Home health care"
                            if payload["discharge_disposition"] == "Home"
                            else "Home"
                        }
                        if wrong
                        else {}
                    ),
                },
            )
            if wrong:
                add(
                    event_id=hid * 100 + 43,
                    event_type="correct",
                    hl7_event="A08",
                    event_at=at,
                    recorded_at=recorded + dt.timedelta(seconds=rng.randrange(600, MAX_DELAY_DAYS * 86400)),
                    refers_to_event_id=hid * 100 + 30,
                    **base,
                    **payload,
                )
    patients = {p["patient_id"]: p for p in _read(layout.csv("patients"))}
    spells: dict[str, list[dict[str, str]]] = {}
    for spell in _read(layout.csv("coverage_history")):
        spells.setdefault(spell["patient_id"], []).append(spell)
    patient: list[dict[str, object]] = []
    for pid, seen in sorted(first_admit.items(), key=lambda item: int(item[0])):
        p = patients[pid]
        address = {"city": p["city"], "state": p["state"], "zip_code": p["zip_code"], "county": p["county"]}
        later = sorted(
            (s for s in spells.get(pid, []) if s["valid_from"] > seen.date().isoformat()), key=lambda s: s["valid_from"]
        )
        patient.append(
            {
                "event_id": int(pid) * 100 + 1,
                "event_type": "register",
                "hl7_event": "A04",
                "patient_id": int(pid),
                "event_at": seen,
                "recorded_at": _recorded(rng, seen, first),
                **address,
                "payer": p["insurance"],
            }
        )
        for k, spell in enumerate(later[:9], start=1):
            at = dt.datetime.combine(dt.date.fromisoformat(spell["valid_from"]), dt.time())
            patient.append(
                {
                    "event_id": int(pid) * 100 + 50 + k,
                    "event_type": "coverage",
                    "hl7_event": "A08",
                    "patient_id": int(pid),
                    "event_at": at,
                    "recorded_at": _recorded(rng, at, first),
                    **address,
                    "payer": spell["payer"],
                }
            )
        if int(pid) % 3 == 0:  # a move two days after registration, in the same county
            at = seen + dt.timedelta(days=2)
            patient.append(
                {
                    "event_id": int(pid) * 100 + 11,
                    "event_type": "address",
                    "hl7_event": "A08",
                    "patient_id": int(pid),
                    "event_at": at,
                    "recorded_at": _recorded(rng, at, first),
                    **address,
                    "city": p["city"] + " Heights",
                    "payer": p["insurance"],
                }
            )
    return {"encounter_events": encounter, "patient_events": patient}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime(_TS)
    return str(value)


def write_feed(out: Path, first: dt.date, last: dt.date, seed: int = 7) -> dict[str, int]:
    """Partitions ``first``..``last`` of both feed tables under ``out/data/feed``; rows written per table."""
    rows: dict[str, int] = {}
    for table, found in events(out, first, seed).items():
        names = [c.name for c in FEED_COLUMNS[table]]
        by_day: dict[dt.date, list[dict[str, object]]] = {}
        for row in found:
            recorded = row["recorded_at"]
            assert isinstance(recorded, dt.datetime)
            by_day.setdefault(recorded.date(), []).append(row)
        rows[table] = 0
        day = first
        while day <= last:
            folder = OutputLayout(out).data_dir / "feed" / table / f"date={day.isoformat()}"
            folder.mkdir(parents=True, exist_ok=True)
            ordered = sorted(by_day.get(day, []), key=lambda r: (r["recorded_at"], r["event_id"]))  # type: ignore[arg-type, return-value]
            with open(folder / f"{table}_{day.isoformat()}.csv", "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(names)
                writer.writerows([_text(r.get(n)) for n in names] for r in ordered)
            rows[table] += len(ordered)
            day += dt.timedelta(days=1)
    return rows
