"""``hospital advance``: continues a generated run; one clear line (exit 2) for a missing state, a setting that
disagrees with the saved one, and bad --days/--until."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hospital_analytics.cli import app

runner = CliRunner()
GENERATE = ("--hospitalizations", "600", "--seed", "5", "--start", "2024-01-01", "--end", "2024-02-29")


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "o"
    result = runner.invoke(app, ["generate", *GENERATE, "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def _advance(*args: str):
    return runner.invoke(app, ["advance", *args], env={"COLUMNS": "200"})


def test_advance_adds_days_and_says_so(out):
    result = _advance("--days", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "data/manifest.json").read_text())
    assert (manifest["start"], manifest["end"]) == ("2024-01-01", "2024-03-03")
    assert manifest["feed"]["last_day"] == "2024-03-03"
    assert (out / "data/feed/encounter_events/date=2024-03-03/encounter_events_2024-03-03.csv").is_file()
    assert "data/feed" in result.output and "daily partitions" in result.output
    assert "2024-01-01..2024-03-03" in result.output
    again = _advance("--until", "2024-03-10", "--out", str(out), "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["end"] == "2024-03-10"


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("--days", "0"), "Invalid --days (got 0): advance by at least 1 day."),
        (("--days", "-2"), "Invalid --days (got -2)"),
        (("--days", "x"), "Invalid --days (got 'x'): not a whole number."),
        (("--days", "2", "--until", "2024-03-09"), "Give either --days or --until (one of them)"),
        ((), "Give either --days or --until (one of them)"),
        (("--until", "2024-02-29"), "Invalid --until (got 2024-02-29): the simulation already runs to 2024-02-29."),
        (("--until", "March"), "Invalid --until (got 'March'): not a date"),
        (("--days", "1", "--seed", "6"), "was made with seed 5, not 6."),
        (("--days", "1", "--format", "parquet"), "was made with raw_format 'csv', not 'parquet'."),
        (("--days", "1", "--late-share", "0.1"), "was made with feed_late_share 0.03, not 0.1."),
        (("--days", "1", "--late-share", "0.9"), "Invalid --late-share / HOSPITAL_FEED_LATE_SHARE (got '0.9')"),
    ],
)
def test_bad_requests_are_one_line_and_exit_2(out, args, text):
    before = (out / "data/manifest.json").read_bytes()
    result = _advance(*args, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert text in result.stderr
    assert "Traceback" not in result.output
    assert (out / "data/manifest.json").read_bytes() == before  # nothing written


def test_a_missing_state_says_to_generate_first(tmp_path):
    result = _advance("--days", "1", "--out", str(tmp_path / "nothing"))
    assert result.exit_code == 2
    assert "No simulation state in" in result.stderr and "hospital generate" in result.stderr


def test_a_state_of_another_version_is_refused(out):
    path = out / "data/state/state.json"
    meta = json.loads(path.read_text())
    path.write_text(json.dumps({**meta, "state_version": 1}))
    result = _advance("--days", "1", "--out", str(out))
    assert result.exit_code == 2
    assert "is version 1; this package reads version 2" in result.stderr


def test_the_same_seed_from_the_environment_is_fine(out):
    result = runner.invoke(app, ["advance", "--days", "1", "--out", str(out)], env={"HOSPITAL_SEED": "5"})
    assert result.exit_code == 0, result.output
    wrong = runner.invoke(app, ["advance", "--days", "1", "--out", str(out)], env={"HOSPITAL_SEED": "9"})
    assert wrong.exit_code == 2 and "seed 5, not 9" in wrong.stderr
    env = {"HOSPITAL_HOSPITALIZATIONS": "700"}
    bigger = runner.invoke(app, ["advance", "--days", "1", "--out", str(out)], env=env)
    assert bigger.exit_code == 2 and "was made with hospitalizations 600, not 700." in bigger.stderr


def test_settings_from_dot_env_are_defaults_not_explicit(out, tmp_path, monkeypatch):
    """`hospital init` writes a .env with its own size; advance continues the saved simulation regardless,
    while the same setting in the environment (set for this command) is still refused."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("HOSPITAL_HOSPITALIZATIONS=200000\nHOSPITAL_SEED=9\n")
    result = _advance("--days", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    flagged = _advance("--days", "1", "--out", str(out), "--seed", "11")
    assert flagged.exit_code == 2 and "seed 5, not 11" in flagged.stderr
    env = {"HOSPITAL_HOSPITALIZATIONS": "700"}
    bigger = runner.invoke(app, ["advance", "--days", "1", "--out", str(out)], env=env)
    assert bigger.exit_code == 2 and "was made with hospitalizations 600, not 700." in bigger.stderr


@pytest.mark.parametrize(
    ("env", "text"),
    [
        ({"HOSPITAL_FEED_CANCEL_SHARE": "0.6"}, "Invalid HOSPITAL_FEED_CANCEL_SHARE (got '0.6')"),
        ({"HOSPITAL_FEED_CORRECTION_SHARE": "-0.1"}, "Invalid HOSPITAL_FEED_CORRECTION_SHARE (got '-0.1')"),
        ({"HOSPITAL_FEED_LATE_SHARE": "lots"}, "Invalid --late-share / HOSPITAL_FEED_LATE_SHARE (got 'lots')"),
    ],
)
def test_feed_shares_are_checked_before_anything_is_written(tmp_path, env, text):
    result = runner.invoke(app, ["generate", "--out", str(tmp_path / "o")], env=env)
    assert result.exit_code == 2, result.output
    assert text in result.stderr and len(result.stderr.strip().splitlines()) == 2  # the error and its hint
    assert not (tmp_path / "o").exists()


def test_generate_takes_the_late_share(tmp_path):
    result = runner.invoke(app, ["generate", *GENERATE, "--late-share", "0.2", "--out", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o/data/manifest.json").read_text())["feed"]["late_share"] == 0.2
