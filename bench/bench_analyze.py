"""Benchmark `hospital analyze`: its time should not grow with the number of stays (it reads aggregated marts).

    python bench/bench_analyze.py                                  # 10,000 and 1,000,000 stays
    python bench/bench_analyze.py --stays 100000 1000000 --work /tmp/analyze-bench

For each size, an output folder is made once with the real pipeline (generate, load, transform), then, side by
side in one run: reading the marts, building the 8 figures, rendering them (PNG at 200 dpi, SVG), the whole
``analyze()``, and the length-of-stay histogram as the aggregated ``GROUP BY`` analyze runs against fetching
every stay's length of stay and counting in numpy. Best of ``--runs`` for each timing.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np


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
        patients=max(50, stays // 5),
        doctors=max(10, stays // 500),
    )
    if not (settings.layout.root / "dbt" / "target").is_dir():
        generate(settings)
        load(settings)
        transform(settings)
    return settings


def measure(settings, runs: int) -> dict[str, float]:
    from hospital_analytics.analysis import analyze, charts, marts
    from hospital_analytics.warehouse import open_warehouse

    with open_warehouse(settings, read_only=True) as wh:
        t_read, frames = best(lambda: marts.read_marts(wh, settings.analytics_schema), runs)
        fct = wh.qualified(settings.analytics_schema, "fct_hospitalizations")
        t_group, _ = best(
            lambda: wh.query_df(f"SELECT length_of_stay_days, COUNT(*) AS stays FROM {fct} GROUP BY 1"), runs
        )
        t_fetch, _ = best(
            lambda: np.bincount(
                wh.query_df(f"SELECT length_of_stay_days FROM {fct}")["length_of_stay_days"].to_numpy()
            ),
            runs,
        )
    t_build, figures = best(lambda: charts.build_figures(frames), runs)
    t_png, _ = best(lambda: [charts.figure_bytes(f, "png") for f in figures.values()], runs)
    t_svg, _ = best(lambda: [charts.figure_bytes(f, "svg") for f in figures.values()], runs)
    t_total, result = best(lambda: analyze(settings), runs)
    return {
        "stays": result.kpis["admissions"],
        "read marts": t_read,
        "build figures": t_build,
        "render PNG": t_png,
        "render SVG": t_svg,
        "analyze()": t_total,
        "LOS GROUP BY": t_group,
        "LOS fetch all": t_fetch,
        "rows fetched": sum(len(f) for f in frames.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stays", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("bench/results/analyze"))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = [measure(prepare(args.work, n), args.runs) for n in args.stays]
    labels = [k for k in rows[0] if k != "stays"]
    print(f"{'':<16}" + "".join(f"{r['stays']:>16,}" for r in rows) + "   (stays)")
    for label in labels:
        cells = "".join(f"{r[label]:>16,}" if label == "rows fetched" else f"{r[label]:>15.3f}s" for r in rows)
        print(f"{label:<16}{cells}")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(
            f"\nanalyze() at {last['stays']:,} stays / at {first['stays']:,}: {last['analyze()'] / first['analyze()']:.2f}x "
            f"for {last['stays'] / first['stays']:,.0f}x the stays"
        )
    for r in rows:
        print(
            f"LOS histogram at {r['stays']:,} stays: fetch-all / GROUP BY = {r['LOS fetch all'] / r['LOS GROUP BY']:.2f}x"
        )


if __name__ == "__main__":
    main()
