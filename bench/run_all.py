"""Benchmark `hospital run-all` on DuckDB at several sizes, side by side with plain `dbt build` on the same data.

    python bench/run_all.py                                   # 1,000 (the default size), 100,000 and 1,000,000 stays
    python bench/run_all.py --stays 1000 100000 --runs 3 --work /tmp/run-all-bench

For each size (``--scale`` = stays / 1,000, so patients, doctors and stays keep the default 500:100:1,000
ratio), each round runs, as subprocesses of this venv, one after the other on the same output folder:

1. ``hospital run-all --scale X --out DIR --json``: the time of every step (from its JSON), the wall time of
   the whole process (interpreter start and imports included) and its peak RSS;
2. plain ``dbt build`` (this venv's ``dbt``, the project's ``profiles.yml``, the same DuckDB file, threads and
   ``window_end``) on the raw tables run-all has just loaded, with a target folder of its own, so it parses
   the project cold, as run-all's transform did.

The claim checked: dbt is the floor, so the rest of the pipeline (generate + load + analyze + export, i.e.
run-all's wall time minus its transform step) should cost less than dbt itself (``rest / dbt`` below 1).

Writes bench/results/run_all.json and bench/results/run_all.md (the Markdown table it prints).
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

from hospital_analytics.steps import PIPELINE

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
STEPS = PIPELINE  # run-all's steps, in order (advance is not one)
DEFAULT_STAYS = 1_000
WINDOW_END = "2025-12-31"  # the default window's end: run-all passes it to dbt as window_end


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSPITAL_", "SNOWFLAKE_", "DBT_"))}
    env["DO_NOT_TRACK"] = "1"
    return env


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB of that process and its children, stdout) of one subprocess; exits on failure."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed ({process.returncode}):\n{stdout[-3000:]}\n{stderr[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, stdout


def run_all(out: Path, stays: int) -> dict:
    scale = stays / DEFAULT_STAYS
    command = [str(BIN / "hospital"), "run-all", "--out", str(out), "--scale", f"{scale:g}", "--json"]
    seconds, peak, stdout = timed(command, clean_env(), out.parent)
    data = json.loads(stdout)
    steps = {t["step"]: t["seconds"] for t in data["timings"]}
    return {
        "wall": seconds,
        "peak_rss_mib": peak,
        "steps": steps,
        "kpis": data["kpis"],
        "rest": seconds - steps["transform"],
    }


def dbt_build(out: Path, threads: int) -> float:
    project = REPO / "dbt_project"
    env = clean_env() | {"HOSPITAL_DUCKDB_PATH": str(out / "hospital.duckdb"), "HOSPITAL_DBT_THREADS": str(threads)}
    target = out / "plain_dbt"
    command = [
        str(BIN / "dbt"),
        "build",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(target / "target"),
        "--log-path",
        str(target / "logs"),
        "--vars",
        json.dumps({"window_end": WINDOW_END}),
    ]
    subprocess.run(["rm", "-rf", str(target)], check=True)  # cold, as run-all's transform in a new folder
    seconds, _, _ = timed(command, env, out)
    return seconds


def machine() -> str:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    import dbt.version
    import duckdb

    return (
        f"{os.cpu_count()} cores{memory}, Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"dbt-core {dbt.version.__version__}, {platform.system()} {platform.machine()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stays", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=1, help="rounds per size (run-all then dbt build)")
    parser.add_argument("--threads", type=int, default=4, help="dbt threads (run-all's default: 4)")
    parser.add_argument("--work", type=Path, default=None, help="folder for the outputs (default: a temp folder)")
    args = parser.parse_args()
    import tempfile

    work = args.work or Path(tempfile.mkdtemp(prefix="run-all-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for stays in sorted(args.stays):
        out = work / f"stays_{stays}"
        rounds = []
        for _ in range(args.runs):
            pipeline = run_all(out, stays)
            dbt = dbt_build(out, args.threads)
            rounds.append({"run_all": pipeline, "dbt_build": dbt})
            print(
                f"{stays:>9,} stays: run-all {pipeline['wall']:.1f} s (transform {pipeline['steps']['transform']:.1f} s,"
                f" rest {pipeline['rest']:.1f} s), plain dbt build {dbt:.1f} s",
                file=sys.stderr,
                flush=True,
            )
        med = statistics.median
        steps = {s: med(r["run_all"]["steps"][s] for r in rounds) for s in STEPS}
        row = {
            "stays": stays,
            "admissions": rounds[0]["run_all"]["kpis"].get("admissions"),
            "steps": steps,
            "run_all_wall": med(r["run_all"]["wall"] for r in rounds),
            "rest": med(r["run_all"]["rest"] for r in rounds),
            "dbt_build": med(r["dbt_build"] for r in rounds),
            "rest_over_dbt": med(r["run_all"]["rest"] / r["dbt_build"] for r in rounds),
            "transform_over_dbt": med(r["run_all"]["steps"]["transform"] / r["dbt_build"] for r in rounds),
            "peak_rss_mib": max(r["run_all"]["peak_rss_mib"] for r in rounds),
            "rounds": rounds,
        }
        results.append(row)

    header = (
        "| stays | generate | load | transform | analyze | export | run-all (wall) | rest = run-all − transform "
        "| plain `dbt build` | rest / dbt | transform / dbt |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = [
        f"| {r['stays']:,} | "
        + " | ".join(f"{r['steps'][s]:.1f} s" for s in STEPS)
        + f" | {r['run_all_wall']:.1f} s | {r['rest']:.1f} s | {r['dbt_build']:.1f} s"
        f" | {r['rest_over_dbt']:.2f} | {r['transform_over_dbt']:.2f} |"
        for r in results
    ]
    verdict = ", ".join(
        f"{r['stays']:,}: {'yes' if r['rest_over_dbt'] < 1 else 'NO'} ({r['rest_over_dbt']:.2f})" for r in results
    )
    text = (
        f"Machine: {machine()}. {args.runs} round(s) per size (median), run-all then plain dbt build on the same "
        f"data, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC.\n\n{header}"
        + "\n".join(lines)
        + f"\n\nRest of the pipeline cheaper than dbt itself (rest / dbt < 1)? {verdict}.\n"
    )
    print(text)
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "run_all.md").write_text(text)
    (results_dir / "run_all.json").write_text(
        json.dumps(
            {"machine": machine(), "runs": args.runs, "threads": args.threads, "sizes": results}, indent=2, default=str
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
