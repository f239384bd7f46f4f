"""Shared fixtures: an isolated environment per test (no stray HOSPITAL_*/SNOWFLAKE_* or .env)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """Each test runs in its own empty folder with no hospital or Snowflake variables set."""
    for name in list(os.environ):
        if name.startswith(("HOSPITAL_", "SNOWFLAKE_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
