"""Every ``hospital ...`` command the README shows runs as written, in README order, in one empty folder
(except those that need Snowflake credentials), and so do its plain-dbt commands (``.venv/bin/`` is this
test's virtualenv). The commands are found generically (code blocks and inline code), so the test follows
the README as it changes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
PLACEHOLDER = re.compile(r"[A-Z]{3,}(?![A-Z_]*=)|…|<|\.\.\.|N/")  # COMMAND, <out>, N/1000: not runnable as is
NEEDS_CREDENTIALS = re.compile(r"snowflake", re.IGNORECASE)
INSTALLS = re.compile(r"\bpip install\b|python3 -m venv")
PROGRAM = re.compile(
    r"((\.\./)*\.venv/bin/)?(hospital [a-z-]+|dbt (build|run|test|compile|parse|docs|debug|ls|seed|show))\b"
)
VENV = re.compile(r"(\.\./)*\.venv/bin/")


def _logical_lines(block: str) -> list[str]:
    """A code block's lines with backslash continuations joined and comments dropped."""
    joined = re.sub(r"\s*\\\n\s*", " ", block)
    lines = []
    for line in joined.splitlines():
        line = re.sub(r"\s+#\s.*$", "", line).strip()
        if line:
            lines.append(line)
    return lines


def _without_benchmarks(text: str) -> str:
    """The README less its "Benchmarks" section: those commands are measurement recipes at 1M-10M stays (the
    bench scripts run them), not steps a reader follows; blanked so positions keep README order."""
    match = re.search(r"(?ms)^## Benchmarks\n.*?(?=^## |\Z)", text)
    return text if match is None else text[: match.start()] + " " * len(match.group(0)) + text[match.end() :]


def readme_commands(text: str) -> list[str]:
    """The shell commands the README shows that start ``hospital`` (or ``.venv/bin/hospital``) or run plain
    dbt, in order: from indented and fenced shell blocks, and from inline code."""
    found: list[tuple[int, str]] = []
    text = _without_benchmarks(text)
    prose = text
    for match in re.finditer(r"```(?:bash|sh|shell|console)?\n(.*?)```", text, flags=re.DOTALL):
        if match.group(0).startswith("```python"):
            continue
        for line in _logical_lines(match.group(1)):
            found.append((match.start(), line))
    prose = re.sub(r"```.*?```", lambda m: " " * len(m.group(0)), text, flags=re.DOTALL)
    for match in re.finditer(r"(?m)((?:^(?: {4}|\t).*\n?)+)", prose):
        block = re.sub(r"(?m)^(?: {4}|\t)", "", match.group(1))
        for line in _logical_lines(block):
            found.append((match.start(), line))
        prose = prose[: match.start()] + " " * len(match.group(1)) + prose[match.end() :]
    for match in re.finditer(r"`(hospital [^`]+)`", prose):
        found.append((match.start(), match.group(1)))
    commands = []
    for _, line in sorted(found, key=lambda item: item[0]):
        program = re.sub(r"^(cd \S+ && )?(\w+=\S+\s+)*", "", line)  # after `cd DIR &&` and VAR=value
        if not PROGRAM.match(program) or INSTALLS.search(line):
            continue
        if PLACEHOLDER.search(line) or NEEDS_CREDENTIALS.search(line):
            continue
        if line not in commands:
            commands.append(line)
    return commands


def test_the_extractor_finds_the_readme_commands() -> None:
    commands = readme_commands(README.read_text(encoding="utf-8"))
    assert any(c.startswith("hospital init") for c in commands), commands
    assert any(c.startswith("hospital run-all") for c in commands), commands
    assert any(".venv/bin/dbt build" in c for c in commands), commands
    assert not any(c.startswith("dbt project") for c in commands)  # a transcript's row, not a command
    assert not any("snowflake" in c.lower() for c in commands)
    assert not any("--scale 10000" in c for c in commands)  # the Benchmarks section's recipes are left out
    bench = "## Benchmarks\n\n    hospital generate --scale 10000\n\n## Layout\n\n    hospital docs\n"
    assert readme_commands(bench) == ["hospital docs"]
    sample = "text `hospital docs` more\n\n    hospital load   # a comment\n    X=1 \\\n      dbt build --x\n"
    assert readme_commands(sample) == ["hospital docs", "hospital load", "X=1 dbt build --x"]


@pytest.mark.slow  # every README command, the bigger examples included
def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    commands = readme_commands(README.read_text(encoding="utf-8"))
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSPITAL_", "SNOWFLAKE_"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    folder = tmp_path / "reader"
    folder.mkdir()
    for command in commands:
        shell = VENV.sub(f"{bin_dir}/", command)
        run = subprocess.run(["bash", "-c", shell], cwd=folder, env=env, capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, f"`{command}` exited {run.returncode}:\n{run.stdout[-1500:]}\n{run.stderr[-1500:]}"
