"""Benchmark dashboard.html: its size is bounded by the grain (months x segments x facet values), not the stays.

    python bench/bench_dashboard.py                                  # 1,000 / 100,000 / 1,000,000 stays
    python bench/bench_dashboard.py --stays 1000 1000000 10000000 --work /tmp/dashboard-bench

For each size, an output folder is made once with the real pipeline (generate, load, transform on DuckDB),
then the dashboard marts are read and the page is built (best of ``--runs``). Printed per size: the page's
bytes, the payload as plain JSON and gzipped, the rows of each dashboard mart, the grain's upper bound on
cells, and the time to read the marts and build the page. Results also go to bench/results/dashboard.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import time
import warnings
from pathlib import Path


def best(fn, runs: int):
    times, value = [], None
    for _ in range(runs):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return min(times), value


def prepare(work: Path, stays: int):
    from hospital_analytics.config import Settings
    from hospital_analytics.simulation import generate
    from hospital_analytics.transformation import transform
    from hospital_analytics.warehouse.loading import load

    settings = Settings(
        output_dir=work / f"stays-{stays}",
        hospitalizations=stays,
        patients=max(50, stays // 2),
        doctors=max(10, stays // 10),
    )
    if not (settings.layout.root / "dbt" / "target").is_dir():
        generate(settings)
        load(settings)
        transform(settings)
    return settings


def measure(settings, runs: int) -> dict:
    from hospital_analytics.analysis import dashboard
    from hospital_analytics.warehouse import open_warehouse

    with open_warehouse(settings, read_only=True) as wh:
        t_read, frames = best(lambda: dashboard.read_cube(wh, settings.analytics_schema), runs)
        stays = int(wh.query_df(f"SELECT admissions FROM {wh.qualified(settings.analytics_schema, 'kpis')}").iloc[0, 0])
    created = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

    def build() -> tuple[dict, str]:
        payload = dashboard.build_payload(frames)
        return payload, dashboard.render(payload, title="Hospital operations dashboard", subtitle="", created=created)

    t_build, (payload, page) = best(build, runs)
    plain = json.dumps(payload, separators=(",", ":")).encode()
    bound = len(payload["months"])
    for d in payload["dimensions"]:
        bound *= len(d["values"])
    return {
        "stays": stays,
        "page bytes": len(page.encode()),
        "payload JSON bytes": len(plain),
        "payload gzip -9 bytes": len(gzip.compress(plain, 9)),
        "cells (segments rows)": len(frames["segments"]),
        "cells upper bound": bound,
        "facet rows": len(frames["facets"]),
        "patient-month rows": len(frames["patient_months"]),
        "read marts s": round(t_read, 3),
        "build page s": round(t_build, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stays", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("bench/results/dashboard"))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = [measure(prepare(args.work, n), args.runs) for n in args.stays]
    print(f"{'':<24}" + "".join(f"{r['stays']:>14,}" for r in rows) + "   (stays)")
    for label in [k for k in rows[0] if k != "stays"]:
        print(f"{label:<24}" + "".join(f"{r[label]:>14,}" for r in rows))
    out = Path("bench/results")
    out.mkdir(parents=True, exist_ok=True)
    (out / "dashboard.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
