"""The command line as people type it: global flags after the command, switches without a type, errors as JSON
with --json, nothing drawn before an error, --from refusing generate's flags, honest help."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import hospital_analytics as ha
from helpers.proof import assert_one_error, invoke
from hospital_analytics.cli import COMMAND_ORDER
from hospital_analytics.errors import ConfigError


def test_debug_works_after_the_command(tmp_path: Path) -> None:
    result = invoke("load", "--debug")
    assert result.exit_code == 1 and "Traceback" in result.output
    assert invoke("--debug", "load").exit_code == 1
    quiet = invoke("load")
    assert quiet.exit_code == 1 and "Traceback" not in quiet.output


@pytest.mark.parametrize("command", [(), *((name,) for name in COMMAND_ORDER)])
def test_switches_show_no_type(command: tuple[str, ...]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    assert "--help" in result.output


def test_json_errors_are_a_json_object_on_stdout(tmp_path: Path) -> None:
    result = invoke("load", "--json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)
    assert set(error) == {"error", "hint", "exit_code"} and error["exit_code"] == 1
    assert error["error"].startswith("No generated data to load") and "hospital generate" in error["hint"]
    assert "Error: No generated data" in result.stderr  # the line for people, still
    bad = invoke("generate", "--seed", "-1", "--json")
    assert bad.exit_code == 2 and json.loads(bad.stdout)["exit_code"] == 2


def test_no_blank_or_progress_line_before_an_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    for args in (("run-all", "--out", "file/out"), ("load",)):
        result = invoke(*args)
        assert result.exit_code != 0
        assert result.stderr.splitlines()[0].startswith("Error:"), repr(result.stderr[:300])


def test_from_refuses_generate_flags(tmp_path: Path) -> None:
    result = invoke("run-all", "--from", "transform", "--seed", "3", "--hospitalizations", "50")
    line = assert_one_error(result, 2, "--from transform reuses the data already generated: --hospitalizations, --seed")
    assert len(line) < 200 and list(tmp_path.iterdir()) == []
    assert invoke("run-all", "--from", "generate", "--seed", "x").exit_code == 2  # from generate: the value is checked
    with pytest.raises(ConfigError, match=r"`seed` cannot apply"):
        ha.run_all(start_from="analyze", seed=3)


def test_help_tells_the_truth() -> None:
    text = re.sub(r"[\s│]+", " ", invoke("transform", "--help").output)
    # the project has incremental models now (the daily feed's): the help names them
    assert "fct_encounter_events, fct_adt_daily, fct_encounters" in text and "rebuilt from every event loaded" in text
    text = re.sub(r"[\s│]+", " ", invoke("generate", "--help").output)
    assert "default 2024-01-01" in text and "24 months after --start" in text
