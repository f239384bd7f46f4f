"""``hospital generate``: summary and fidelity table, --json, and one clear line (exit 2, nothing written)
for every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hospital_analytics.cli import app
from hospital_analytics.fsutil import LOCK_NAME

runner = CliRunner()


def _run(*args: str, env: dict | None = None):
    return runner.invoke(app, ["generate", *args], env=env)


def test_generate_prints_files_and_the_fidelity_table(tmp_path):
    result = _run(
        "--patients",
        "300",
        "--doctors",
        "30",
        "--hospitalizations",
        "600",
        "--out",
        str(tmp_path / "o"),
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "o/data/manifest.json").read_text())
    stays = manifest["rows"]["hospitalizations"]
    assert 500 <= stays <= 700  # a rate: about 600 stays per 24 months
    for text in (
        "data/csv/hospitalizations.csv",
        f"{stays:,} rows",
        "data/csv/bed_movements.csv",
        "hospitals",
        "time",
        "Fidelity",
        "mean_los_days",
        "readmission_30d",
        "ok",
    ):
        assert text in result.output
    assert (tmp_path / "o/data/csv/patients.csv").is_file()


def test_hospitals_flag_sets_the_system_size(tmp_path):
    result = _run("--hospitals", "3", "--hospitalizations", "900", "--json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["hospitals"] == 3 and data["rows"]["hospitals"] == 3
    hospitals = (tmp_path / "data/csv/hospitals.csv").read_text().splitlines()
    assert len(hospitals) == 4 and hospitals[0].startswith(
        '"hospital_id","hospital_name","city","county","state","zip_code"'
    )


def test_json_output_is_machine_readable(tmp_path):
    result = _run("--hospitalizations", "400", "--format", "both", "--seed", "3", "--json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["step"] == "generate" and data["seed"] == 3 and data["format"] == "both"
    assert 300 <= data["rows"]["hospitalizations"] <= 500 and len(data["files"]) == 20
    assert data["fidelity"][0]["quantity"] == "mean_los_days"


def test_environment_and_scale(tmp_path):
    result = _run("--scale", "0.5", "--out", str(tmp_path), env={"HOSPITAL_PATIENTS": "400", "HOSPITAL_SEED": "8"})
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "data/manifest.json").read_text())
    assert manifest["counts"] == {"patients": 200, "doctors": 50, "hospitalizations": 500} and manifest["seed"] == 8


def test_help_is_one_sentence_and_an_example():
    result = runner.invoke(app, ["generate", "--help"])
    assert result.exit_code == 0
    assert "Generate patients, doctors and hospital stays" in result.output
    assert "Example: hospital generate --patients 5000" in result.output
    assert "HOSPITAL_HOSPITALIZATIONS" in result.output


BAD = [
    (["--patients", "0"], "Invalid --patients / HOSPITAL_PATIENTS (got '0'): Input should be greater than 0."),
    (["--patients", "-5"], "Invalid --patients / HOSPITAL_PATIENTS (got '-5'): Input should be greater than 0."),
    (["--doctors", "0"], "Invalid --doctors / HOSPITAL_DOCTORS (got '0'): Input should be greater than 0."),
    (
        ["--hospitalizations", "0"],
        "Invalid --hospitalizations / HOSPITAL_HOSPITALIZATIONS (got '0'): Input should be greater than 0.",
    ),
    (["--patients", "abc"], "Invalid --patients / HOSPITAL_PATIENTS (got 'abc'): Input should be a valid integer"),
    (["--hospitalizations", "1e3x"], "Invalid --hospitalizations / HOSPITAL_HOSPITALIZATIONS (got '1e3x')"),
    (["--scale", "lots"], "Invalid --scale / HOSPITAL_SCALE (got 'lots'): Input should be a valid number"),
    (["--scale", "-1"], "Invalid --scale / HOSPITAL_SCALE (got '-1'): Input should be greater than 0."),
    (["--seed", "-1"], "Invalid --seed / HOSPITAL_SEED (got '-1'): Input should be greater than or equal to 0."),
    (
        ["--start", "2025-06-01", "--end", "2025-01-01"],
        "Invalid --start/--end: end 2025-01-01 is before start 2025-06-01.",
    ),
    (
        ["--start", "2025-06-01", "--end", "2025-06-20"],
        "Invalid --start/--end: the window 2025-06-01..2025-06-20 is shorter than 31 days.",
    ),
    (["--start", "2025-13-01"], "Invalid --start / HOSPITAL_START (got '2025-13-01')"),
    (
        ["--start", "1850-01-01", "--end", "1851-01-01"],
        "Invalid --start/--end: the window 1850-01-01..1851-01-01 must lie between 1900-01-01 and 2200-12-31.",
    ),
    (["--locale", "xx_YY"], "Invalid --locale / HOSPITAL_LOCALE (got 'xx_YY'): unknown locale 'xx_YY'"),
    (["--format", "xml"], "Invalid --format / HOSPITAL_FORMAT (got 'xml')"),
    (
        ["--patients", "2", "--hospitalizations", "500"],
        "Invalid --patients / HOSPITAL_PATIENTS (got 2): about 500 stays come from",
    ),
    (
        ["--patients", "5000", "--hospitalizations", "1000"],
        "Invalid --patients / HOSPITAL_PATIENTS (got 5000): about 1,001 stays come from 213 to 883 distinct patients",
    ),
    (["--hospitals", "0"], "Invalid --hospitals / HOSPITAL_HOSPITALS (got '0'): Input should be greater than 0."),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_gives_one_line_exit_2_and_writes_nothing(tmp_path, args, message):
    before = sorted(Path.cwd().iterdir())
    result = _run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.output.count("Error:") == 1 and "Traceback" not in result.output
    assert sorted(Path.cwd().iterdir()) == before  # not even the output folder


def test_bad_environment_value_names_the_variable():
    result = _run(env={"HOSPITAL_DOCTORS": "many"})
    assert result.exit_code == 2
    assert "Invalid --doctors / HOSPITAL_DOCTORS (got 'many')" in result.output
    assert not Path("hospital_output").exists()


def test_output_path_that_is_a_file(tmp_path):
    target = tmp_path / "taken.txt"
    target.write_text("not a folder")
    result = _run("--out", str(target))
    assert result.exit_code == 2
    assert f"Error: The output folder {target} is a file." in result.output
    assert target.read_text() == "not a folder"


def test_output_path_below_a_file(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    result = _run("--out", str(blocker / "sub"))
    assert result.exit_code == 2
    assert f"The output folder {blocker / 'sub'} cannot be created: {blocker} is a file." in result.output


def test_output_path_that_is_not_writable():
    """Tests run as root, which ignores permission bits; /proc refuses new folders even to root."""
    result = _run("--out", "/proc/hospital-analytics-test")
    assert result.exit_code == 2
    assert "The output folder /proc/hospital-analytics-test is not writable" in result.output
    assert not Path("/proc/hospital-analytics-test").exists()


def test_a_data_folder_that_is_a_file_stops_before_anything_is_created(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out/data").write_text("")
    result = _run("--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "cannot be created:" in result.output and "data is a file" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name != LOCK_NAME) == ["data"]
