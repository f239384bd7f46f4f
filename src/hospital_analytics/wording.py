"""Errors in the words of whoever called: the CLI's flags and commands, or the library's keywords and calls.

Messages are written once, in the command line's words (``--hospitalizations``, ``run `hospital transform`
first``); the CLI prints them as they are. ``library(text)`` says the same in the library's words
(``hospitalizations``, ``call `ha.transform()` first``): ``str()`` of a ``HospitalError``, what a notebook
shows. Inside a code span only a ``hospital ...`` command is reworded (a dbt command line keeps its flags).
"""

from __future__ import annotations

import re

# The CLI's flags whose library keyword is not the flag's own name.
_KEYWORD = {"out": "output_dir", "from": "start_from", "format": "format", "full-refresh": "full_refresh"}
FLAGS = (
    "out",
    "patients",
    "doctors",
    "hospitalizations",
    "scale",
    "seed",
    "start",
    "end",
    "locale",
    "format",
    "warehouse",
    "chart-format",
    "from",
    "select",
    "full-refresh",
)
_FLAG = re.compile(r"--(" + "|".join(sorted(map(re.escape, FLAGS), key=len, reverse=True)) + r")\b(?![-\w])")
_PAIR = re.compile(r"--format / (HOSPITAL_\w+)")  # one flag, two settings: the variable says which
_RUN = re.compile(r"\b([Rr])un `hospital ([a-z-]+)`")
_COMMAND = re.compile(r"^hospital ([a-z-]+)$")


def keyword(flag: str) -> str:
    """The library keyword a CLI flag (without ``--``) sets: ``out`` -> ``output_dir``."""
    return _KEYWORD.get(flag, flag.replace("-", "_"))


def _call(command: str) -> str:
    return "help(ha)" if command == "--help" else f"ha.{command.replace('-', '_')}()"


def _field(variable: str) -> str:
    """The Settings field an environment variable sets (HOSPITAL_ANALYTICS_DB -> analytics_db)."""
    from hospital_analytics.config import Settings, env_name

    for name in Settings.model_fields:
        if env_name(name) == variable:
            return name
    return variable.removeprefix("HOSPITAL_").removeprefix("SNOWFLAKE_").lower()


def _prose(text: str) -> str:
    text = _PAIR.sub(lambda m: f"`{_field(m.group(1))}` / {m.group(1)}", text)
    return _FLAG.sub(lambda m: f"`{keyword(m.group(1))}`", text)


def library(text: str) -> str:
    """``text`` (a message or hint in the CLI's words) in the library's words."""
    text = _RUN.sub(lambda m: f"{'C' if m.group(1) == 'R' else 'c'}all `{_call(m.group(2))}`", text)
    text = text.replace("`hospital --help`", "`help(ha)`")
    parts = text.split("`")
    for i, part in enumerate(parts):
        if i % 2:  # inside a code span
            command = _COMMAND.match(part)
            parts[i] = _call(command.group(1)) if command else part
        else:
            parts[i] = _prose(part)
    return "`".join(parts)
