"""Peak memory of each step (generate, load, transform, export) at several sizes: flat or bounded, not total.

    python bench/memory.py --stays 1000000 10000000 --work /tmp/memory-bench

For each size, runs ``hospital generate --scale N/1000``, ``load``, ``transform`` and ``export`` one after the
other as subprocesses on one output folder (DuckDB) and reports each step's wall time and the peak resident
memory of the step's process and of its largest child (hyperd, the Hyper writer), from ``os.wait4``.
Writes bench/results/memory.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
STEPS = ("generate", "load", "transform", "export")


def step(name: str, out: Path, stays: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSPITAL_", "SNOWFLAKE_", "DBT_"))}
    env["HOSPITAL_OUTPUT_DIR"] = str(out)
    cmd = [str(BIN / "hospital"), name]
    if name == "generate":
        cmd += ["--scale", f"{stays / 1000:g}"]
    began = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {process.stderr.read().decode()[-2000:] if process.stderr else ''}")
    # ru_maxrss of wait4 is the largest of the process and its waited-for descendants
    return {"stays": stays, "step": name, "seconds": round(seconds, 1), "peak_rss_mib": usage.ru_maxrss // 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stays", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/memory-bench"))
    parser.add_argument("--steps", nargs="+", default=list(STEPS), choices=STEPS)
    args = parser.parse_args()
    rows = []
    for stays in args.stays:
        out = args.work / f"stays_{stays}"
        for name in args.steps:
            rows.append(step(name, out, stays))
            print(rows[-1], file=sys.stderr)
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "memory.json").write_text(json.dumps(rows, indent=2))
    print("| stays | step | seconds | peak RSS MiB (process or largest child) |")
    print("|---:|---|---:|---:|")
    for r in rows:
        print(f"| {r['stays']:,} | {r['step']} | {r['seconds']} | {r['peak_rss_mib']:,} |")


if __name__ == "__main__":
    main()
