"""Benchmark `hospital load` on DuckDB at 1M stays: rows per second over all four tables.

    python bench/load.py                       # 500k patients / 1k doctors / 1M stays (generated once)
    python bench/load.py --repeat 5            # more rounds (the median is reported)
    python bench/load.py --work /data/bench    # where the generated files and DuckDB files live

Contenders, run side by side in one process, alternating, each round on warm files (page cache):

- ``load (csv)``: ``hospital_analytics.load(raw_format="csv")``: file checks (header, last line, rows counted
  in Python, manifest), typed ``read_csv`` (no auto-detect), all four tables in one transaction;
- ``load (parquet)``: the same from the Parquet files;
- ``bare duckdb (csv)``: the floor a minimal script would get: ``CREATE TABLE ... AS SELECT * FROM
  read_csv_auto(file)`` per table, autocommit, no checks, no types given.

Target: at least 1,000,000 rows/s over all four tables for ``load (csv)``. Wall time depends on what else
runs on the machine, so CPU seconds (all threads) and the load average are reported too.

Writes bench/results/load.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TARGET = 1_000_000


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ensure_data(out: Path, patients: int, doctors: int, stays: int, seed: int) -> dict[str, int]:
    """Generate CSV and Parquet once; reuse them when the manifest says they are the right size."""
    import hospital_analytics as ha

    manifest = out / "data" / "manifest.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text())
        wanted = {"patients": patients, "doctors": doctors, "hospitalizations": stays}
        if all(data.get("rows", {}).get(k) == v for k, v in wanted.items()) and data.get("format") == "both":
            return data["rows"]
    print(f"generating {stays:,} stays into {out} ...", file=sys.stderr)
    result = ha.generate(
        output_dir=out, patients=patients, doctors=doctors, hospitalizations=stays, seed=seed, raw_format="both"
    )
    return dict(result.rows)


def run_load(out: Path, fmt: str, work: Path) -> dict:
    import hospital_analytics as ha

    target = work / f"load-{fmt}.duckdb"
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = ha.load(output_dir=out, raw_format=fmt, duckdb_path=target)
    return {
        "wall": time.perf_counter() - wall,
        "cpu": cpu_seconds() - cpu,
        "rows": result.rows,
        "tables": {t: round(s.seconds, 3) for t, s in result.tables.items()},
    }


def run_bare(out: Path, work: Path) -> dict:
    import duckdb

    from hospital_analytics.layout import RAW_TABLES, OutputLayout

    target = work / "bare.duckdb"
    target.unlink(missing_ok=True)
    layout = OutputLayout(out)
    wall, cpu = time.perf_counter(), cpu_seconds()
    con = duckdb.connect(str(target))
    con.execute("SET enable_progress_bar = false")
    rows = 0
    for table in RAW_TABLES:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv_auto('{layout.csv(table)}')")
        rows += con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    con.close()
    return {"wall": time.perf_counter() - wall, "cpu": cpu_seconds() - cpu, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "hospital-load-bench")
    parser.add_argument("--patients", type=int, default=500_000)
    parser.add_argument("--doctors", type=int, default=1_000)
    parser.add_argument("--stays", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import duckdb

    out = args.work / "data-set"
    rows = ensure_data(out, args.patients, args.doctors, args.stays, args.seed)
    total = sum(rows.values())
    contenders = {
        "load (csv)": lambda: run_load(out, "csv", args.work),
        "load (parquet)": lambda: run_load(out, "parquet", args.work),
        "bare duckdb (csv)": lambda: run_bare(out, args.work),
    }
    for run in contenders.values():  # warm the page cache and imports
        run()
    load_before = os.getloadavg()
    runs: dict[str, list[dict]] = {name: [] for name in contenders}
    for _ in range(args.repeat):
        for name, run in contenders.items():
            measured = run()
            assert measured["rows"] == total, (name, measured["rows"], total)
            runs[name].append(measured)
    load_after = os.getloadavg()

    summary = {}
    for name, measured in runs.items():
        wall = statistics.median(m["wall"] for m in measured)
        best = min(m["wall"] for m in measured)
        cpu = statistics.median(m["cpu"] for m in measured)
        summary[name] = {
            "wall_seconds": round(wall, 3),
            "best_wall_seconds": round(best, 3),
            "cpu_seconds": round(cpu, 3),
            "rows_per_second": round(total / wall),
            "best_rows_per_second": round(total / best),
            "rows_per_cpu_second": round(total / cpu),
            "runs": measured,
        }
    base = summary["bare duckdb (csv)"]["wall_seconds"]
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "platform": platform.platform(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }
    report = {
        "rows": rows,
        "total_rows": total,
        "repeat": args.repeat,
        "target_rows_per_second": TARGET,
        "machine": machine,
        "results": summary,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(report, indent=2))

    print(
        f"DuckDB load, {args.stays:,} stays ({total:,} rows over four tables), median of {args.repeat}; "
        f"{machine['cpus']} CPUs, {machine['memory_gib']} GiB, Python {machine['python']}, DuckDB "
        f"{machine['duckdb']}; load average {load_before[0]:.1f} -> {load_after[0]:.1f}\n"
    )
    print(
        "| contender | wall s (median) | rows/s (median) | rows/s (best run) | CPU s | rows per CPU s | wall vs bare |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, s in summary.items():
        print(
            f"| {name} | {s['wall_seconds']:.2f} | {s['rows_per_second']:,} | {s['best_rows_per_second']:,} | "
            f"{s['cpu_seconds']:.2f} | {s['rows_per_cpu_second']:,} | {s['wall_seconds'] / base:.2f}x |"
        )
    csv = summary["load (csv)"]
    verdict = "meets" if csv["rows_per_second"] >= TARGET else "misses"
    print(
        f"\n`load (csv)` {verdict} the {TARGET:,} rows/s target at the median ({csv['rows_per_second']:,}; "
        f"best run {csv['best_rows_per_second']:,}). A load average above the CPU count means other work "
        f"shared the cores: compare the CPU columns then. JSON: {RESULTS / 'load.json'}"
    )


if __name__ == "__main__":
    main()
