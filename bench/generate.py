"""Benchmark `generate` (the day-by-day simulation) against row-at-a-time Faker generation (the original style).

    python bench/generate.py                          # 1M stays per 24 months vs the baseline's 500k/1k/1M rows
    python bench/generate.py --baseline-rows 100000   # time the baseline on a sample, extrapolate linearly
    python bench/generate.py --huge 10000000          # also 10M stays: peak RSS (target: under 1 GiB)
    python bench/generate.py --jobs 2                 # generate --jobs 2 (CPU time includes the forked workers)
    PYTHONPATH=/tmp/ref/src python bench/generate.py  # another commit's source (``git archive <ref> src``)

The simulation sizes its own system: ``--stays`` is its rate (admissions per 24 months; patients, doctors and
hospitals follow), and it writes all ten tables of schema.py; rows/s compare patients + doctors + stays rows,
the three tables both contenders write.

Each contender runs in its own subprocess (a fresh interpreter, so peak RSS is its own): wall time is
measured around the subprocess (interpreter start and imports included for both), peak RSS is the child's
``resource.getrusage(RUSAGE_SELF).ru_maxrss``. Both write the same four CSV files.

The baseline is what the original project did: one dict per row, a Faker call per field, ``random.choice``
for categories, then ``pandas.DataFrame(rows).to_csv``. With ``--baseline-rows`` it runs on that many rows
(patients, doctors and stays scaled alike) and its time is extrapolated linearly to the full size, its
memory as (sample peak - interpreter baseline) x scale + interpreter baseline; the output says so.

Writes bench/results/generate.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

INSURANCE = ["Medicare", "Medicaid", "Private", "Self-pay"]
SPECIALTIES = [
    ("Internal Medicine", "Medicine"),
    ("Family Medicine", "Medicine"),
    ("Pediatrics", "Pediatrics"),
    ("Cardiology", "Heart & Vascular"),
    ("General Surgery", "Surgery"),
    ("Obstetrics & Gynecology", "Women's Health"),
    ("Psychiatry", "Behavioral Health"),
]
DIAGNOSES = [
    ("I50.9", "Heart failure, unspecified", "Circulatory"),
    ("J18.9", "Pneumonia, unspecified organism", "Respiratory"),
    ("A41.9", "Sepsis, unspecified organism", "Infectious diseases"),
    ("Z38.00", "Single liveborn infant, delivered vaginally", "Newborn & perinatal"),
    ("M17.11", "Unilateral primary osteoarthritis, right knee", "Musculoskeletal"),
]


# --- children ----------------------------------------------------------------------------------------------
def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _cpu_seconds() -> float:
    """This process's CPU time plus its finished children's (``--jobs`` forks workers for the day loop)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _children_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def child_vectorised(args: argparse.Namespace) -> dict:
    import hospital_analytics as ha

    began = time.perf_counter()
    jobs = {"jobs": args.jobs} if args.jobs else {}  # omitted: the package's default (and older code has none)
    result = ha.generate(output_dir=args.out, hospitalizations=args.stays, seed=args.seed, **jobs)
    return {
        "seconds_inside": time.perf_counter() - began,
        "peak_rss_mib": _peak_rss_mib(),
        "worker_peak_rss_mib": _children_peak_mib(),  # the largest forked worker (0: none)
        "cpu_seconds": _cpu_seconds(),
        "timings": result.timings,
        "fidelity": f"{result.fidelity_passed}/{result.fidelity_judged}",
        "rows": result.rows,
        "hospitals": result.hospitals,
    }


def child_baseline(args: argparse.Namespace) -> dict:
    import datetime as dt
    import random

    import pandas as pd
    from faker import Faker

    began = time.perf_counter()
    fake = Faker("en_US")
    Faker.seed(args.seed)
    random.seed(args.seed)
    out = Path(args.out) / "data" / "csv"
    out.mkdir(parents=True, exist_ok=True)
    start, end = dt.date(2024, 1, 1), dt.date(2025, 12, 31)

    patients = []
    for i in range(1, args.patients + 1):
        gender = random.choice(["F", "M"])
        patients.append(
            {
                "patient_id": i,
                "first_name": fake.first_name_female() if gender == "F" else fake.first_name_male(),
                "last_name": fake.last_name(),
                "gender": gender,
                "birth_date": fake.date_of_birth(minimum_age=0, maximum_age=100),
                "city": fake.city(),
                "state": fake.state(),
                "insurance": random.choice(INSURANCE),
            }
        )
    pd.DataFrame(patients).to_csv(out / "patients.csv", index=False)

    doctors = []
    for i in range(1, args.doctors + 1):
        gender = random.choice(["F", "M"])
        specialty, department = random.choice(SPECIALTIES)
        doctors.append(
            {
                "doctor_id": i,
                "first_name": fake.first_name_female() if gender == "F" else fake.first_name_male(),
                "last_name": fake.last_name(),
                "gender": gender,
                "specialty": specialty,
                "department": department,
            }
        )
    pd.DataFrame(doctors).to_csv(out / "doctors.csv", index=False)

    stays = []
    for i in range(1, args.stays + 1):
        admission = fake.date_between(start_date=start, end_date=end)
        los = random.randint(0, 14)
        code, description, category = random.choice(DIAGNOSES)
        stays.append(
            {
                "hospitalization_id": i,
                "patient_id": random.randint(1, args.patients),
                "doctor_id": random.randint(1, args.doctors),
                "admission_date": admission,
                "discharge_date": admission + dt.timedelta(days=los),
                "length_of_stay_days": los,
                "admission_type": random.choice(["Emergency", "Urgent", "Elective"]),
                "stay_type": random.choice(["Medical", "Surgical", "Maternal/Neonatal"]),
                "diagnosis_code": code,
                "diagnosis_description": description,
                "diagnosis_category": category,
                "discharge_disposition": random.choice(["Home", "Home health care", "Skilled nursing facility"]),
                "total_charges": round(random.uniform(1_000, 100_000), 2),
            }
        )
    frame = pd.DataFrame(stays)
    frame.to_csv(out / "hospitalizations.csv", index=False)
    frame["month"] = pd.to_datetime(frame["admission_date"]).dt.strftime("%Y-%m")
    frame.groupby("month").size().rename("admissions").reset_index().to_csv(
        out / "admissions_by_month.csv", index=False
    )
    return {
        "seconds_inside": time.perf_counter() - began,
        "peak_rss_mib": _peak_rss_mib(),
        "cpu_seconds": _cpu_seconds(),
    }


def child_idle(args: argparse.Namespace) -> dict:
    """Interpreter + the baseline's imports, nothing else: the memory floor for extrapolation."""
    import pandas  # noqa: F401
    from faker import Faker  # noqa: F401

    return {"seconds_inside": 0.0, "peak_rss_mib": _peak_rss_mib(), "cpu_seconds": _cpu_seconds()}


# --- parent ------------------------------------------------------------------------------------------------
def run_child(kind: str, patients: int, doctors: int, stays: int, seed: int, jobs: int | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-generate-{kind}-") as out:
        command = [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--patients",
            str(patients),
            "--doctors",
            str(doctors),
            "--stays",
            str(stays),
            "--seed",
            str(seed),
            "--out",
            out,
            *(["--jobs", str(jobs)] if jobs else []),
        ]
        began = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - began
        if done.returncode != 0:
            raise SystemExit(f"{kind} failed:\n{done.stderr[-2000:]}")
        report = json.loads(done.stdout.strip().splitlines()[-1])
        csv_bytes = sum(p.stat().st_size for p in Path(out, "data", "csv").glob("*.csv"))
    written = report.get("rows")
    if isinstance(written, dict):  # the simulation: what it actually wrote
        patients, doctors, stays = written["patients"], written["doctors"], written["hospitalizations"]
        report["all_rows"] = sum(written.values())
    report.update(
        kind=kind,
        patients=patients,
        doctors=doctors,
        stays=stays,
        wall_seconds=wall,
        rows=patients + doctors + stays,
        csv_bytes=csv_bytes,
    )
    return report


def _code() -> str:
    """Where the measured package comes from (PYTHONPATH may point at another commit's src/)."""
    return os.environ.get("PYTHONPATH") or "this tree"


def _machine() -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=500_000)
    parser.add_argument("--doctors", type=int, default=1_000)
    parser.add_argument("--stays", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--baseline-rows",
        type=int,
        default=None,
        help="run the baseline on this many rows and extrapolate linearly (default: full size)",
    )
    parser.add_argument("--huge", type=int, default=0, help="also generate this many stays (e.g. 10000000)")
    parser.add_argument("--jobs", type=int, default=None, help="generate's --jobs (default: its own default)")
    parser.add_argument("--child", choices=["vectorised", "baseline", "idle"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        report = {"vectorised": child_vectorised, "baseline": child_baseline, "idle": child_idle}[args.child](args)
        print(json.dumps(report))
        return

    total_rows = args.patients + args.doctors + args.stays
    print(f"machine: {_machine()}", file=sys.stderr)
    vectorised = run_child("vectorised", args.patients, args.doctors, args.stays, args.seed, args.jobs)
    print(f"vectorised: {vectorised['wall_seconds']:.1f} s, {vectorised['peak_rss_mib']:.0f} MiB", file=sys.stderr)
    if args.baseline_rows and args.baseline_rows < total_rows:
        scale = total_rows / args.baseline_rows
        sample = [max(1, round(n / scale)) for n in (args.patients, args.doctors, args.stays)]
        measured = run_child("baseline", *sample, args.seed)
        idle = run_child("idle", 1, 1, 1, args.seed)
        factor = total_rows / measured["rows"]
        baseline = dict(
            measured,
            extrapolated_from_rows=measured["rows"],
            patients=args.patients,
            doctors=args.doctors,
            stays=args.stays,
            rows=total_rows,
        )
        baseline["wall_seconds"] = measured["wall_seconds"] * factor
        baseline["cpu_seconds"] = measured["cpu_seconds"] * factor
        baseline["csv_bytes"] = measured["csv_bytes"] * factor
        baseline["peak_rss_mib"] = idle["peak_rss_mib"] + (measured["peak_rss_mib"] - idle["peak_rss_mib"]) * factor
        note = (
            f"baseline timed on {measured['rows']:,} rows and extrapolated linearly x{factor:.1f} "
            f"(time and memory above the {idle['peak_rss_mib']:.0f} MiB interpreter floor)"
        )
    else:
        baseline = run_child("baseline", args.patients, args.doctors, args.stays, args.seed)
        note = "baseline run in full"
    print(f"baseline: {baseline['wall_seconds']:.1f} s, {baseline['peak_rss_mib']:.0f} MiB ({note})", file=sys.stderr)

    huge = None
    if args.huge:
        huge = run_child("vectorised", args.huge // 2, args.huge // 10, args.huge, args.seed, args.jobs)

    speedup = baseline["wall_seconds"] / vectorised["wall_seconds"]
    cpu_speedup = baseline["cpu_seconds"] / vectorised["cpu_seconds"]
    memory_ratio = baseline["peak_rss_mib"] / vectorised["peak_rss_mib"]
    machine = _machine()
    lines = [
        f"Generate (jobs: {args.jobs or 'default'}; code: {_code()}) {args.patients:,} patients / {args.doctors:,} doctors / {args.stays:,} stays "
        f"(machine: {os.cpu_count()} cores, {machine['memory_gib']} GiB, Python {platform.python_version()}; "
        f"load average {machine['load_average'][0]:.1f} at the end)",
        "",
        "| contender | wall time | CPU time | rows/s (wall) | peak RSS | CSV written |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in (
        ("row-at-a-time Faker + pandas (original style)", baseline),
        ("hospital generate (day-by-day simulation)", vectorised),
    ):
        lines.append(
            f"| {name} | {r['wall_seconds']:.1f} s | {r['cpu_seconds']:.1f} s | "
            f"{r['rows'] / r['wall_seconds']:,.0f} | {r['peak_rss_mib']:,.0f} MiB | "
            f"{r['csv_bytes'] / 2**20:,.0f} MiB |"
        )
    lines += [
        "",
        f"The simulation wrote {vectorised['stays']:,} stays in {vectorised['hospitals']} hospitals "
        f"({vectorised['all_rows']:,} rows in all ten tables; fidelity {vectorised['fidelity']}).",
        "",
        f"Speed-up: **{speedup:.0f}x** wall time ({cpu_speedup:.0f}x CPU time); peak memory "
        f"**{memory_ratio:.1f}x** lower. ({note}; both include interpreter start and imports)",
    ]
    if vectorised.get("worker_peak_rss_mib"):
        lines.append(
            f"\nWith forked day-loop workers: the largest worker peaked at {vectorised['worker_peak_rss_mib']:,.0f} MiB "
            f"beside the main process's {vectorised['peak_rss_mib']:,.0f} MiB (CPU time includes the workers)."
        )
    if huge:
        lines.append(
            f"\n{huge['stays']:,} stays ({huge['patients']:,} patients, {huge['doctors']:,} doctors): "
            f"{huge['wall_seconds']:.1f} s wall ({huge['cpu_seconds']:.1f} s CPU), peak RSS {huge['peak_rss_mib']:,.0f} MiB "
            f"({huge['peak_rss_mib'] / 1024:.2f} GiB; target 1 GiB), fidelity {huge['fidelity']}."
        )
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "generate.json").write_text(
        json.dumps(
            {
                "machine": _machine(),
                "vectorised": vectorised,
                "baseline": baseline,
                "baseline_note": note,
                "speedup": speedup,
                "cpu_speedup": cpu_speedup,
                "memory_ratio": memory_ratio,
                "huge": huge,
                "markdown": table,
            },
            indent=2,
        )
        + "\n"
    )
    (RESULTS / "generate.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
