"""Benchmark `hospital export` on a large fct_hospitalizations: time, file size and peak memory per format,
DuckDB's own COPY against the Arrow-batch stream (the Snowflake path, and export's choice for CSV on DuckDB),
side by side in one run.

    python bench/bench_export.py --rows 10000000 --work /tmp/export-bench
    python bench/bench_export.py --db OUT/hospital.duckdb --baseline main --formats all csv parquet hyper

With ``--db`` (a warehouse the real pipeline built, e.g. ``hospital run-all --scale 10000``) and ``--baseline REF``
it runs ``export()`` of this checkout and of the git revision ``REF`` (its ``src/`` extracted under ``--work``,
put first on ``PYTHONPATH``), alternately in subprocesses, once per ``--formats`` entry: wall seconds, CPU
seconds (the process and its children: hyperd, the Hyper writer), peak RSS of the Python process and of its
largest child, bytes written. Side by side in one run, so both see the same (shared) machine.

Builds (once) a DuckDB file with the real pipeline's ANALYTICS marts at a tiny size (generate, load, dbt run),
fct_hospitalizations then replaced by ``--rows`` synthetic stays (its columns and types), then runs every writer
in its own process and reports seconds, rows/s, bytes and peak resident memory (the Python process; Hyper's own
server process separately). "duckdb" is DuckDB's own COPY (what export uses for Parquet; for CSV measured here
only: export streams CSV), "arrow" the Arrow-batch stream.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

FCT_SQL = """
CREATE OR REPLACE TABLE "ANALYTICS".fct_hospitalizations AS
WITH s AS (
  SELECT i, CAST(hash(i) % 9007199254740991 AS BIGINT) AS h, DATE '2024-01-01' + CAST(i * 730 // {rows} AS INTEGER) AS adm,
         CAST(hash(i * 7) % 12 AS INTEGER) AS los, CAST(hash(i * 13) % 100 AS INTEGER) AS age
  FROM range(1, {rows} + 1) t(i))
SELECT i AS hospitalization_id, CAST(h % ({rows} // 5) + 1 AS BIGINT) AS patient_id,
       CAST(h % 500 + 1 AS BIGINT) AS doctor_id, adm AS admission_date, adm + los AS discharge_date,
       CAST(date_trunc('month', adm) AS DATE) AS admission_month, los AS length_of_stay_days,
       ['Emergency', 'Urgent', 'Elective'][1 + h % 3] AS admission_type,
       ['Medical', 'Surgical', 'Maternal/Neonatal'][1 + (h // 3) % 3] AS stay_type,
       ['I50.9', 'J18.9', 'O80', 'A41.9'][1 + (h // 9) % 4] AS diagnosis_code,
       ['Heart failure, unspecified', 'Pneumonia, unspecified organism',
        'Encounter for full-term uncomplicated delivery', 'Sepsis, unspecified organism'][1 + (h // 9) % 4]
         AS diagnosis_description,
       ['Circulatory', 'Respiratory', 'Pregnancy', 'Infectious'][1 + (h // 9) % 4] AS diagnosis_category,
       ['Home', 'Home health', 'Skilled nursing'][1 + (h // 36) % 3] AS discharge_disposition,
       CAST(1000 + (h % 9000000) / 100.0 AS DECIMAL(12,2)) AS total_charges,
       ['F', 'M'][1 + (h // 108) % 2] AS patient_gender, age AS patient_age_at_admission,
       CASE WHEN age < 18 THEN '0-17' WHEN age < 45 THEN '18-44' WHEN age < 65 THEN '45-64'
            WHEN age < 85 THEN '65-84' ELSE '85+' END AS age_group,
       CASE WHEN age < 18 THEN 1 WHEN age < 45 THEN 2 WHEN age < 65 THEN 3 WHEN age < 85 THEN 4 ELSE 5 END
         AS age_group_order,
       ['Medicare', 'Medicaid', 'Private', 'Self-pay'][1 + (h // 216) % 4] AS insurance,
       ['CA', 'TX', 'NY', 'FL'][1 + (h // 864) % 4] AS patient_state,
       ['Cardiology', 'Internal Medicine', 'General Surgery'][1 + (h // 3456) % 3] AS doctor_specialty,
       ['Heart Center', 'Medicine', 'Surgery'][1 + (h // 3456) % 3] AS doctor_department,
       (h // 10368) % 7 = 0 AS readmitted_within_30d, (h // 72576) % 7 = 0 AS is_readmission
FROM s
"""


def build(db: Path, rows: int) -> None:
    import duckdb

    from hospital_analytics import generate, load, transform
    from hospital_analytics.config import Settings

    marker = db.with_suffix(".rows")
    if db.is_file() and marker.is_file() and marker.read_text() == str(rows):
        return
    settings = Settings(output_dir=db.parent / "pipeline", duckdb_path=db, hospitalizations=400, _env_file=None)
    generate(settings)
    load(settings)
    transform(settings, command="run")
    con = duckdb.connect(str(db))
    con.execute(FCT_SQL.format(rows=rows))
    con.close()
    marker.write_text(str(rows))


def one(db: Path, out: Path, fmt: str, mode: str) -> dict:
    """Write fct_hospitalizations in one format, in this process; report time and peak memory."""
    from hospital_analytics.config import Settings
    from hospital_analytics.exports import writers
    from hospital_analytics.warehouse import open_warehouse

    settings = Settings(output_dir=out, duckdb_path=db, _env_file=None)
    out.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    with open_warehouse(settings, read_only=True) as wh:
        wh.prepare_export()
        if mode == "arrow":  # the path Snowflake takes: Arrow batches, written as they come
            wh.native_export_formats = frozenset()
        q = wh.qualified("ANALYTICS", "fct_hospitalizations")
        schema = writers.export_schema(wh.query_arrow(f"SELECT * FROM {q} LIMIT 1").schema)
        sql = wh.export_select(q, schema)
        path = out / f"fct_hospitalizations.{mode}.{ {'csv': 'csv.gz', 'parquet': 'parquet', 'hyper': 'hyper'}[fmt] }"
        if fmt == "csv" and mode == "duckdb":
            written = _duckdb_csv(wh, sql, path)
        else:
            write = {"csv": writers.write_csv, "parquet": writers.write_parquet, "hyper": writers.write_hyper}[fmt]
            written = write(wh, sql, schema, path)
    seconds = time.perf_counter() - began
    return {
        "format": fmt,
        "mode": mode,
        "rows": written.rows,
        "bytes": written.bytes,
        "seconds": round(seconds, 2),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
    }


def _duckdb_csv(wh, sql: str, path: Path):
    """DuckDB's own gzip CSV writer (export streams CSV instead; this is what it is measured against)."""
    from hospital_analytics.exports.writers import Written
    from hospital_analytics.warehouse.identifiers import string_literal

    wh.execute("SET preserve_insertion_order = false")
    wh.execute(f"COPY ({sql}) TO {string_literal(str(path))} (FORMAT csv, HEADER true, COMPRESSION gzip)")
    rows = int(wh.query_arrow(f"SELECT count(*) AS n FROM ({sql}) AS t").column(0)[0].as_py())
    return Written(path, rows, path.stat().st_size)


def whole(db: Path, out: Path) -> dict:
    """The library step itself: every mart, all formats, the workbooks."""
    from hospital_analytics.config import Settings
    from hospital_analytics.exports import export

    began = time.perf_counter()
    result = export(Settings(output_dir=out, duckdb_path=db, _env_file=None), formats="all")
    return {
        "format": "all (export())",
        "mode": "duckdb",
        "rows": sum(result.rows.values()),
        "bytes": result.total_bytes,
        "seconds": round(time.perf_counter() - began, 2),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
    }


def compare(db: Path, work: Path, baseline: str, formats: list[str], rounds: int) -> None:
    """This checkout's export() against ``baseline``'s, alternately (see the module docstring)."""
    import os
    import shutil

    repo = Path(__file__).resolve().parent.parent
    base_src = work / f"baseline-{baseline.replace('/', '_')}"
    if base_src.exists():
        shutil.rmtree(base_src)
    base_src.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", baseline, "src", "tableau", "dbt_project"], check=True, capture_output=True
    )
    subprocess.run(["tar", "-x", "-C", str(base_src)], input=archive.stdout, check=True)
    trees = {baseline: str(base_src / "src"), "this": str(repo / "src")}
    rows = []
    for _ in range(rounds):
        for fmt in formats:
            for name, src in trees.items():
                out = work / f"out-{name.replace('/', '_')}-{fmt}"
                shutil.rmtree(out, ignore_errors=True)
                env = {**os.environ, "PYTHONPATH": src}
                cmd = [sys.executable, __file__, "--work", str(work), "--db", str(db), "--timed", fmt, str(out)]
                done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
                rows.append({"tree": name, **json.loads(done.stdout)})
                print(rows[-1], file=sys.stderr)
    print(
        "| formats | code | seconds | CPU s (process + children) | peak RSS MB (python / largest child) | MB written |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['formats']} | {r['tree']} | {r['seconds']:.1f} | {r['cpu']:.1f} | "
            f"{r['peak_rss_mb']} / {r['children_peak_rss_mb']} | {r['bytes'] / 1e6:,.0f} |"
        )


def timed(db: Path, out: Path, fmt: str) -> dict:
    """export() of whichever hospital_analytics is first on the path, with its time, CPU and peak memory."""
    from hospital_analytics.config import Settings
    from hospital_analytics.exports import export

    began = time.perf_counter()
    result = export(Settings(output_dir=out, duckdb_path=db, _env_file=None), formats=fmt)
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "formats": fmt,
        "seconds": round(time.perf_counter() - began, 2),
        "cpu": round(me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime, 1),
        "bytes": result.total_bytes,
        "peak_rss_mb": me.ru_maxrss // 1024,
        "children_peak_rss_mb": kids.ru_maxrss // 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/export-bench"))
    parser.add_argument("--one", nargs=2, metavar=("FORMAT", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--whole", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help="an existing warehouse (built by the real pipeline) to export")
    parser.add_argument("--baseline", help="git revision to compare with, side by side (needs --db)")
    parser.add_argument("--formats", nargs="+", default=["all"], help="with --baseline: export runs to compare")
    parser.add_argument("--rounds", type=int, default=1, help="with --baseline: rounds of alternating runs")
    parser.add_argument("--timed", nargs=2, metavar=("FORMAT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.timed:
        print(json.dumps(timed(args.db, Path(args.timed[1]), args.timed[0])))
        return
    if args.baseline:
        if args.db is None:
            parser.error("--baseline needs --db")
        compare(args.db.resolve(), args.work.resolve(), args.baseline, args.formats, args.rounds)
        return
    db = args.work / "bench.duckdb"
    if args.one:
        print(json.dumps(one(db, args.work / "out", *args.one)))
        return
    if args.whole:
        print(json.dumps(whole(db, args.work / "whole")))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    build(db, args.rows)
    print(f"warehouse with {args.rows:,} stays ready in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    # interleaved, so both paths of a format see the same machine load
    runs = [
        ("parquet", "duckdb"),
        ("parquet", "arrow"),
        ("parquet", "duckdb"),
        ("parquet", "arrow"),
        ("csv", "duckdb"),
        ("csv", "arrow"),
        ("csv", "duckdb"),
        ("csv", "arrow"),
        ("hyper", "arrow"),
    ]
    rows = []
    for fmt, mode in runs:
        cmd = [sys.executable, __file__, "--rows", str(args.rows), "--work", str(args.work), "--one", fmt, mode]
        rows.append(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout))
        print(rows[-1], file=sys.stderr)
    cmd = [sys.executable, __file__, "--rows", str(args.rows), "--work", str(args.work), "--whole"]
    rows.append(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout))
    print(
        "| format | path (duckdb = DuckDB COPY, arrow = Arrow stream) | rows | MB | seconds | rows/s | peak RSS MB (python / hyperd) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0
        print(
            f"| {r['format']} | {r['mode']} | {r['rows']:,} | {r['bytes'] / 1e6:,.0f} | {r['seconds']:.1f} | "
            f"{rate:,.0f} | {r['peak_rss_mb']} / {r['children_peak_rss_mb']} |"
        )


if __name__ == "__main__":
    main()
