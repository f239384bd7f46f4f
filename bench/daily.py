"""Benchmark the daily feed: one day's incremental transform against a full refresh, side by side in one run.

    python bench/daily.py                          # 1,000,000 stays (per 24 months), one day
    python bench/daily.py --stays 100000 --days 3 --work /tmp/daily-bench

For the size, an output folder is made once with the real pipeline (generate 2024-01-01..2025-12-31, load,
transform: the whole dbt build). Then, for each of ``--days`` days: ``advance`` 1 day and ``load`` (the day's
partitions only), then

- incremental: ``transform(select=<the feed models>, command="run")``, the incremental models taking the new
  events (fct_encounter_events, fct_adt_daily, fct_encounters and the staging view they read);
- full refresh: the same models with ``--full-refresh`` into a schema beside ANALYTICS, on the same data;

and prints both times, their ratio, the rows the day brought, and that both builds hold the same rows
(``transformation.feed.differences``). dbt's start-up (parsing the project, connecting) is part of both
end-to-end times; "models only" sums dbt's own timings of the three incremental models.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kb = int(handle.readline().split()[1])
            memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.machine()} {platform.system()}, {cpus} CPUs{memory}, Python {platform.python_version()}"


def prepare(work: Path, stays: int) -> Path:
    from hospital_analytics.simulation import generate
    from hospital_analytics.transformation import transform
    from hospital_analytics.warehouse.loading import load

    out = work / f"stays-{stays}"
    if not (out / "hospital.duckdb").is_file():
        for name, step in (
            ("generate", lambda: generate(output_dir=out, hospitalizations=stays, seed=42)),
            ("load", lambda: load(output_dir=out)),
            ("transform", lambda: transform(output_dir=out)),
        ):
            started = time.perf_counter()
            step()
            print(f"  {name}: {time.perf_counter() - started:.1f} s", flush=True)
    return out


def one_day(out: Path) -> dict:
    from hospital_analytics.config import Settings
    from hospital_analytics.simulation import advance
    from hospital_analytics.transformation import transform
    from hospital_analytics.transformation.feed import INCREMENTAL_MODELS, differences, full_refresh_schema
    from hospital_analytics.warehouse.loading import load

    select = [f"+{model}" for model in INCREMENTAL_MODELS]
    advance(output_dir=out, days=1)
    started = time.perf_counter()
    loaded = load(output_dir=out)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    built = transform(output_dir=out, select=select, command="run")
    incremental = time.perf_counter() - started
    other = full_refresh_schema(Settings(output_dir=out))
    started = time.perf_counter()
    rebuilt = transform(output_dir=out, select=select, command="run", full_refresh=True, analytics_schema=other)
    full = time.perf_counter() - started
    same = differences(Settings(output_dir=out), other)
    return {
        "day": (out / "data" / "manifest.json").read_text(encoding="utf-8").split('"end": "')[1][:10],
        "feed_rows": loaded.feed_rows_new,
        "load": load_seconds,
        "incremental": incremental,
        "full": full,
        "events": built.rows_of("fct_encounter_events"),
        # the models' own SQL time (dbt's node timings), without dbt's start-up
        "incremental_sql": sum(n.seconds for n in built.models if n.node in INCREMENTAL_MODELS),
        "full_sql": sum(n.seconds for n in rebuilt.models if n.node in INCREMENTAL_MODELS),
        "same": all(v == (0, 0) for v in same.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stays", type=int, default=1_000_000, help="Stays per 24 months (default 1,000,000).")
    parser.add_argument("--days", type=int, default=1, help="Days to advance, one at a time (default 1).")
    parser.add_argument("--work", type=Path, default=Path("/tmp/hospital-daily-bench"))
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"preparing {args.stays:,} stays in {args.work}", flush=True)
    out = prepare(args.work, args.stays)
    from hospital_analytics.transformation import transform
    from hospital_analytics.transformation.feed import INCREMENTAL_MODELS

    # dbt parses the project on its first run in a process: once here, so neither contender pays for it
    transform(output_dir=out, select=[f"+{m}" for m in INCREMENTAL_MODELS], command="compile")
    print(
        f"{'day':<12}{'new rows':>10}{'load s':>9}{'incremental s':>15}{'full refresh s':>16}{'ratio':>8}"
        f"{'models only: incr. s':>22}{'full s':>8}{'ratio':>8}  same rows"
    )
    for _ in range(args.days):
        r = one_day(out)
        ratio = r["full"] / r["incremental"] if r["incremental"] else float("inf")
        sql_ratio = r["full_sql"] / r["incremental_sql"] if r["incremental_sql"] else float("inf")
        print(
            f"{r['day']:<12}{r['feed_rows']:>10,}{r['load']:>9.2f}{r['incremental']:>15.2f}{r['full']:>16.2f}"
            f"{ratio:>7.1f}x{r['incremental_sql']:>22.2f}{r['full_sql']:>8.2f}{sql_ratio:>7.1f}x"
            f"  {'yes' if r['same'] else 'NO'} ({r['events']:,} events in fct_encounter_events)",
            flush=True,
        )


if __name__ == "__main__":
    main()
