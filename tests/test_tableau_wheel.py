"""export from a non-editable wheel install: the dashboard spec ships inside the package (beside the
``tableau`` module, which still imports), and the workbook written from it validates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.tableau import field_problems, parse, validate

pytestmark = pytest.mark.slow  # builds and installs the wheel, then export from it

REPO = Path(__file__).resolve().parents[1]

SCRIPT = """
import json, sys
import hospital_analytics.tableau as tableau
from hospital_analytics.exports import export
from hospital_analytics.layout import tableau_source_dir
result = export(output_dir=sys.argv[1], duckdb_path=sys.argv[2], formats="hyper")
print(json.dumps({"module": tableau.__file__, "source": str(tableau_source_dir()),
                  "workbook": str(result.workbook), "data": result.dashboard_data}))
"""


def test_export_runs_from_an_installed_wheel(tmp_path: Path, installed_wheel: Path, marts_db: Path) -> None:
    site = installed_wheel
    db = marts_db
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSPITAL_", "SNOWFLAKE_"))}
    env["PYTHONPATH"] = str(site)
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "out"), str(db)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["module"] == str(site / "hospital_analytics" / "tableau.py")
    assert report["source"] == str(site / "hospital_analytics" / "tableau")
    assert report["data"] == "hyper"
    workbook = Path(report["workbook"])
    assert field_problems(parse(workbook), workbook.parent) == []
    assert validate(workbook).returncode == 0
