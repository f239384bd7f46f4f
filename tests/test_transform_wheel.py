"""transform from a non-editable wheel install: the dbt project ships inside the package, dbt reads it there
and writes only under the output folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import helpers.transform as ts

pytestmark = pytest.mark.slow  # builds and installs the wheel, then dbt build from it

REPO = Path(__file__).resolve().parents[1]

SCRIPT = """
import json, sys
from pathlib import Path
import hospital_analytics
from hospital_analytics.layout import dbt_project_dir
from hospital_analytics.transformation import transform

project = dbt_project_dir()
before = sorted((str(p), p.stat().st_mtime_ns) for p in project.rglob("*"))
result = transform(output_dir=sys.argv[1], start="2024-01-01", end="2024-12-31")
after = sorted((str(p), p.stat().st_mtime_ns) for p in project.rglob("*"))
print(json.dumps({
    "package": hospital_analytics.__file__, "project": str(project), "untouched": before == after,
    "success": result.success, "models": len(result.models), "tests": len(result.tests),
    "target": str(result.target_dir), "kpis_rows": result.rows_of("kpis"),
}))
"""


def test_transform_runs_from_an_installed_wheel(tmp_path: Path, installed_wheel: Path) -> None:
    site = installed_wheel

    out = tmp_path / "out"
    ts.write_edge_case_csvs(out / "data" / "csv")
    ts.load_duckdb(out / "hospital.duckdb", out / "data" / "csv")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSPITAL_", "SNOWFLAKE_"))}
    env["PYTHONPATH"] = str(site)  # ahead of the editable install's path
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(out)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["package"].startswith(str(site))
    assert report["project"] == str(site / "hospital_analytics" / "dbt_project")
    assert report["untouched"] is True
    assert report["success"] is True and report["models"] >= 16 and report["tests"] > 100
    assert report["target"] == str(out / "dbt" / "target") and report["kpis_rows"] == 1
    assert not any(name in {"target", "logs", "dbt_packages"} for name in os.listdir(report["project"]))
