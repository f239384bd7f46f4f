"""The command's frame: help for every command (one sentence and an example), version, debug."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from hospital_analytics import __version__
from hospital_analytics.cli import app

runner = CliRunner()


def _commands() -> dict:
    return typer.main.get_command(app).commands


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_no_arguments_shows_help():
    result = runner.invoke(app, [])
    assert "Usage" in result.output


def test_every_command_has_a_sentence_and_an_example():
    commands = _commands()
    assert commands, "no commands registered"
    for name, command in commands.items():
        help_text = command.help or ""
        assert help_text.strip(), f"`hospital {name}` has no help text"
        assert "Example: hospital " in help_text, f"`hospital {name}` help has no example"
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output, name


def test_summary_values_are_printed_literally(capsys):
    """Library text such as pip's `pkg[extra]` must not be eaten as rich markup."""
    from hospital_analytics.cli import emit
    from hospital_analytics.results import StepResult

    class Noted(StepResult):
        def summary_rows(self):
            return [("note", "pip install 'hospital-analytics[tableau]'")]

    emit(Noted(step="x", seconds=0.0), as_json=False)
    assert "hospital-analytics[tableau]" in capsys.readouterr().out
