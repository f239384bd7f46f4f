"""``hospital init``: a project the user owns, found by every step, and edits to it showing up downstream."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import duckdb
import pytest

from helpers.proof import assert_one_error, invoke
from hospital_analytics import project
from hospital_analytics.config import Settings
from hospital_analytics.errors import ConfigError
from hospital_analytics.layout import dbt_project_dir, tableau_source_dir
from hospital_analytics.starter import init

NEW_COLUMN = "length_of_stay_hours"
NEW_TITLE = "Teaching dashboard: my first edit"


def test_init_writes_a_project_and_every_step_finds_it(tmp_path: Path) -> None:
    result = invoke("init", "course")
    assert result.exit_code == 0, result.output
    root = tmp_path / "course"
    assert sorted(p.name for p in root.iterdir()) == [".env", "README.md", "dbt_project", "tableau"]
    assert (root / "dbt_project" / "dbt_project.yml").read_bytes() == (
        dbt_project_dir() / "dbt_project.yml"
    ).read_bytes()
    assert (root / "tableau" / "dashboard.json").read_bytes() == (tableau_source_dir() / "dashboard.json").read_bytes()
    assert (
        "HOSPITAL_DBT_PROJECT_DIR=" in (root / ".env").read_text()
        and "SNOWFLAKE_ACCOUNT=" in (root / ".env").read_text()
    )
    assert "hospital run-all" in (root / "README.md").read_text()
    assert not any(part in {"target", "logs"} for p in root.rglob("*") for part in p.parts)
    assert "cd course && hospital run-all" in result.output

    os.chdir(root)
    found = project.dbt_project(Settings())
    assert (found.path, found.origin) == (root / "dbt_project", "init")
    assert "made by hospital init" in found.label
    spec = project.dashboard_spec(Settings())
    assert (spec.path, spec.origin) == (root / "tableau" / "dashboard.json", "init")


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("mine\n")
    result = invoke("init")
    line = assert_one_error(result, 2, "README.md already exists: hospital init never overwrites a file")
    assert len(line) < 200
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md"]  # nothing written, not even a scratch folder
    assert (tmp_path / "README.md").read_text() == "mine\n"
    with pytest.raises(ConfigError, match="already exists"):
        init(tmp_path)


def test_a_dbt_project_folder_not_made_by_init_is_not_picked_up(tmp_path: Path) -> None:
    (tmp_path / "dbt_project").mkdir()
    (tmp_path / "dbt_project" / "dbt_project.yml").write_text("name: other\n")
    found = project.dbt_project(Settings())
    assert (found.path, found.origin) == (dbt_project_dir(), "package")
    assert "hospital init" in found.label


def test_the_settings_win_and_are_checked(tmp_path: Path) -> None:
    init(tmp_path / "a")
    init(tmp_path / "b")
    os.chdir(tmp_path / "a")
    chosen = project.dbt_project(Settings(dbt_project_dir=tmp_path / "b" / "dbt_project"))
    assert (chosen.path, chosen.origin) == (tmp_path / "b" / "dbt_project", "setting")
    with pytest.raises(ConfigError, match=r"has no dbt_project.yml"):
        project.dbt_project(Settings(dbt_project_dir=tmp_path))
    with pytest.raises(ConfigError, match=r"dashboard spec .* does not exist"):
        project.dashboard_spec(Settings(dashboard_spec=tmp_path / "absent.json"))
    os.environ["HOSPITAL_DASHBOARD_SPEC"] = str(tmp_path / "b" / "tableau" / "dashboard.json")
    try:
        assert project.dashboard_spec(Settings()).origin == "setting"
    finally:
        del os.environ["HOSPITAL_DASHBOARD_SPEC"]


def _edit(root: Path) -> None:
    """The README's first edits: a column added to the mart Tableau reads, and the dashboard retitled."""
    mart = root / "dbt_project" / "models" / "marts" / "fct_hospitalizations.sql"
    body, end = mart.read_text().rsplit("\nfrom joined", 1)  # the final select's last column, then its from
    mart.write_text(f"{body},\n    length_of_stay_days * 24 as {NEW_COLUMN}\nfrom joined{end}")
    spec_path = root / "tableau" / "dashboard.json"
    spec = json.loads(spec_path.read_text())
    spec["dashboard"]["title"] = NEW_TITLE
    spec_path.write_text(json.dumps(spec, indent=2))


@pytest.mark.slow
def test_edits_to_the_init_project_show_in_warehouse_report_and_workbook(tmp_path: Path, installed_wheel: Path) -> None:
    """From a wheel install (the packaged project is not what gets edited): init, edit, run-all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSPITAL_", "SNOWFLAKE_"))}
    env.update(PYTHONPATH=str(installed_wheel), COLUMNS="200")
    command = [sys.executable, "-m", "hospital_analytics"]
    made = subprocess.run([*command, "init", "course"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    root = tmp_path / "course"
    packaged = installed_wheel / "hospital_analytics"
    before = {p: p.stat().st_mtime_ns for p in packaged.rglob("*")}
    _edit(root)

    run = subprocess.run(
        [*command, "run-all", "--hospitalizations", "300", "--patients", "200"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    said = re.sub(r"\s+", " ", run.stdout)
    assert f"dbt project {root / 'dbt_project'} (made by hospital init" in said, run.stdout
    assert f"dashboard spec {root / 'tableau' / 'dashboard.json'} (made by hospital init" in said, run.stdout
    assert {p: p.stat().st_mtime_ns for p in packaged.rglob("*")} == before  # the wheel's copy was not used

    out = root / "hospital_output"
    with duckdb.connect(str(out / "hospital.duckdb"), read_only=True) as con:
        columns = [row[0] for row in con.execute("describe analytics.fct_hospitalizations").fetchall()]
        hours, days = con.execute(
            f"select sum({NEW_COLUMN}), sum(length_of_stay_days) from analytics.fct_hospitalizations"
        ).fetchone()
    assert columns[-1] == NEW_COLUMN and hours == 24 * days > 0

    report = (out / "report.html").read_text()
    assert NEW_COLUMN in report and NEW_TITLE in report

    workbook = ET.parse(out / "export" / "hospital_dashboard.twb").getroot()
    names = {c.get("name") for c in workbook.iter("column")}
    assert f"[{NEW_COLUMN}]" in names
    board = next(workbook.iter("dashboard"))
    assert NEW_TITLE in {run.text for run in board.iter("run")}
