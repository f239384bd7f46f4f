"""Benchmark `hospital transform` against plain `dbt build` on the same project and the same data.

    python bench/transform.py                              # 1,000 and 1,000,000 stays, 3 alternating runs each
    python bench/transform.py --stays 1000000 --runs 5 --work /tmp/transform-bench

For each size: raw data is made once (``hospital generate`` + ``hospital load`` when the generator is
installed, else a synthetic DuckDB-SQL generator with the same raw facts, named in the results), then both
commands run as subprocesses from this venv, one warm-up each (so both have dbt's partial-parse cache),
then ``--runs`` timed rounds, alternating which goes first. Both build the same marts into the same DuckDB
file with the same threads and ``window_end``. The overhead is the median over rounds of
hospital / dbt - 1 (the two runs of a round are adjacent in time, which cancels most background load).

Writes bench/results/transform.json and bench/results/transform.md (a Markdown table).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
START, END = dt.date(2024, 1, 1), dt.date(2025, 12, 31)

SYNTHETIC_SQL = """
CREATE SCHEMA IF NOT EXISTS "RAW";
CREATE OR REPLACE TABLE "RAW".patients AS
SELECT i::BIGINT AS patient_id, 'Pat' || i AS first_name, 'Doe' AS last_name,
       CASE WHEN hash(i) % 2 = 0 THEN 'F' ELSE 'M' END AS gender,
       DATE '1925-01-01' + (hash(i * 3) % 36000)::INTEGER AS birth_date, 'Springfield' AS city, 'IL' AS state,
       ['Medicare', 'Medicaid', 'Private', 'Self-pay'][(1 + hash(i * 5) % 4)::BIGINT] AS insurance
FROM range(1, {patients} + 1) t(i);
CREATE OR REPLACE TABLE "RAW".doctors AS
SELECT i::BIGINT AS doctor_id, 'Doc' || i AS first_name, 'Smith' AS last_name, 'F' AS gender,
       ['Cardiology', 'Internal Medicine', 'General Surgery', 'Pediatrics'][(1 + i % 4)::BIGINT] AS specialty,
       ['Heart Center', 'Medicine', 'Surgery', 'Pediatrics'][(1 + i % 4)::BIGINT] AS department
FROM range(1, {doctors} + 1) t(i);
-- Each patient's k-th stay starts in its own 340-day slot and lasts at most 29 days: stays never overlap.
CREATE OR REPLACE TABLE "RAW".hospitalizations AS
WITH s AS (
    SELECT i, ((i - 1) % {patients}) + 1 AS pid, (i - 1) // {patients} AS k,
           least(29, (-ln(1 - (hash(i * 7) % 1000000) / 1000000.0) * 4.5))::INTEGER AS los,
           (hash(i * 11) % 300)::INTEGER AS offset_days
    FROM range(1, {stays} + 1) t(i)
), d AS (
    SELECT pid, k, los, DATE '{start}' + (offset_days + k * 340)::INTEGER AS adm FROM s
)
SELECT row_number() OVER (ORDER BY adm, pid)::BIGINT AS hospitalization_id, pid::BIGINT AS patient_id,
       (hash(pid * 31 + k) % {doctors} + 1)::BIGINT AS doctor_id, adm AS admission_date, adm + los AS discharge_date,
       los AS length_of_stay_days, 'Emergency' AS admission_type, 'Medical' AS stay_type,
       ['I50.9', 'J18.9', 'A41.9'][(1 + hash(pid + k) % 3)::BIGINT] AS diagnosis_code,
       ['Heart failure', 'Pneumonia', 'Sepsis'][(1 + hash(pid + k) % 3)::BIGINT] AS diagnosis_description,
       ['Circulatory', 'Respiratory', 'Infectious'][(1 + hash(pid + k) % 3)::BIGINT] AS diagnosis_category,
       'Home' AS discharge_disposition, (1000 + hash(pid * k + 1) % 5000000 / 100.0)::DECIMAL(12, 2) AS total_charges
FROM d;
CREATE OR REPLACE TABLE "RAW".admissions_by_month AS
SELECT strftime(admission_date, '%Y-%m') AS month, count(*)::BIGINT AS admissions,
       count(DISTINCT patient_id)::BIGINT AS distinct_patients,
       sum(length_of_stay_days)::BIGINT AS total_length_of_stay_days,
       round(avg(length_of_stay_days), 2)::DOUBLE AS average_length_of_stay_days
FROM "RAW".hospitalizations GROUP BY 1;
"""


def prepare(out: Path, stays: int, source: str) -> str:
    """Raw tables for ``stays`` stays in ``out``/hospital.duckdb; returns how they were made."""
    patients, doctors = max(10, stays // 2), max(10, stays // 10)  # the default 500:100:1,000 ratio
    if source in ("auto", "generate"):
        try:
            import hospital_analytics as ha

            ha.generate(
                output_dir=out, hospitalizations=stays, patients=patients, doctors=doctors, start=START, end=END
            )
            ha.load(output_dir=out)
            return "hospital generate + hospital load"
        except (ImportError, AttributeError):
            if source == "generate":
                raise
    import duckdb

    windows = max(1, -(-stays // patients))  # stays per patient
    if (END - START).days < 340 * windows:
        raise SystemExit("window too short for the synthetic generator's stays per patient")
    sql = SYNTHETIC_SQL.format(patients=patients, doctors=doctors, stays=stays, start=START.isoformat())
    out.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(out / "hospital.duckdb")) as con:
        con.execute(sql)
    return "synthetic DuckDB SQL (bench/transform.py)"


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSPITAL_", "SNOWFLAKE_", "DBT_"))}
    env["DO_NOT_TRACK"] = "1"
    return env


def run_hospital(out: Path, threads: int) -> float:
    env = clean_env() | {
        "HOSPITAL_START": START.isoformat(),
        "HOSPITAL_END": END.isoformat(),
        "HOSPITAL_DBT_THREADS": str(threads),
    }
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "hospital"), "transform", "--out", str(out)], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"hospital transform failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds


def run_dbt(out: Path, threads: int) -> float:
    project = REPO / "dbt_project"
    env = clean_env() | {"HOSPITAL_DUCKDB_PATH": str(out / "hospital.duckdb"), "HOSPITAL_DBT_THREADS": str(threads)}
    command = [
        str(BIN / "dbt"),
        "build",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(out / "plain_dbt" / "target"),
        "--log-path",
        str(out / "plain_dbt" / "logs"),
        "--vars",
        json.dumps({"window_end": END.isoformat()}),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=out)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"dbt build failed:\n{done.stdout[-3000:]}")
    return seconds


def dbt_elapsed(target: Path) -> float:
    return float(json.loads((target / "run_results.json").read_text())["elapsed_time"])


def bench_size(work: Path, stays: int, runs: int, threads: int, source: str) -> dict:
    out = work / f"stays_{stays}"
    made = time.perf_counter()
    how = prepare(out, stays, source)
    prepare_seconds = time.perf_counter() - made
    run_hospital(out, threads)  # warm-up: parse caches, tables exist
    run_dbt(out, threads)
    hospital, dbt = [], []
    for round_no in range(runs):
        order = ("hospital", "dbt") if round_no % 2 == 0 else ("dbt", "hospital")
        for which in order:
            if which == "hospital":
                hospital.append(run_hospital(out, threads))
            else:
                dbt.append(run_dbt(out, threads))
        print(
            f"  {stays:>9,} stays, round {round_no + 1}: hospital {hospital[-1]:.2f} s, dbt {dbt[-1]:.2f} s", flush=True
        )
    med_h, med_d = statistics.median(hospital), statistics.median(dbt)
    # Each round's two runs are adjacent in time, so their ratio cancels most of the machine's background
    # load; the median of those ratios is the overhead reported (min/min shown as a cross-check).
    paired = [h / d - 1 for h, d in zip(hospital, dbt, strict=True)]
    return {
        "stays": stays,
        "data": how,
        "prepare_seconds": round(prepare_seconds, 2),
        "hospital_transform_seconds": [round(s, 3) for s in hospital],
        "dbt_build_seconds": [round(s, 3) for s in dbt],
        "hospital_median": round(med_h, 3),
        "dbt_median": round(med_d, 3),
        "overhead": round(statistics.median(paired), 4),
        "overhead_per_round": [round(x, 4) for x in paired],
        "overhead_of_medians": round(med_h / med_d - 1, 4),
        "overhead_of_minimums": round(min(hospital) / min(dbt) - 1, 4),
        "dbt_elapsed_inside_hospital": round(dbt_elapsed(out / "dbt" / "target"), 3),
        "dbt_elapsed_inside_plain": round(dbt_elapsed(out / "plain_dbt" / "target"), 3),
    }


def machine() -> dict:
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = float("nan")
    from importlib.metadata import version

    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "dbt_core": version("dbt-core"),
        "dbt_duckdb": version("dbt-duckdb"),
        "duckdb": version("duckdb"),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"`hospital transform` vs plain `dbt build` (DuckDB; {m['cpus']} cores, {m['memory_gib']} GiB, Python "
        f"{m['python']}, dbt-core {m['dbt_core']}, dbt-duckdb {m['dbt_duckdb']}; median of "
        f"{results['runs']} alternating runs after one warm-up each)",
        "",
        "| stays | hospital transform (s, median) | dbt build (s, median) | overhead (median of paired runs) "
        "| overhead (min / min) | data |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for r in results["sizes"]:
        lines.append(
            f"| {r['stays']:,} | {r['hospital_median']:.2f} | {r['dbt_median']:.2f} | {r['overhead'] * 100:+.1f}% "
            f"| {r['overhead_of_minimums'] * 100:+.1f}% | {r['data']} |"
        )
    lines += ["", f"Command: `{results['command']}`", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stays", type=int, nargs="+", default=[1_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--work", type=Path, default=Path("/tmp/hospital-transform-bench"))
    parser.add_argument("--data", choices=("auto", "generate", "synthetic"), default="auto")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    args = parser.parse_args()

    results = {
        "command": "python bench/transform.py " + " ".join(sys.argv[1:]),
        "runs": args.runs,
        "threads": args.threads,
        "machine": machine(),
        "sizes": [],
    }
    for stays in args.stays:
        print(f"{stays:,} stays", flush=True)
        results["sizes"].append(bench_size(args.work, stays, args.runs, args.threads, args.data))
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "transform.json").write_text(json.dumps(results, indent=2) + "\n")
    text = markdown(results)
    (args.results / "transform.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
