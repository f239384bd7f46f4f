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


# --- warehouse fixtures (load tests; usable by any test that needs Snowflake) ----------------------------
@pytest.fixture(scope="session")
def fakesnow_server() -> dict:
    """A local fakesnow server for the whole session: the real connector talks HTTP to it.

    Yields the connection fields (host, port, protocol, account, user, password). Its databases live in
    memory and are shared by every test: give each test its own database name (``snowflake_overrides``).
    """
    import logging

    fakesnow = pytest.importorskip("fakesnow")
    with fakesnow.server() as kwargs:
        logging.getLogger("fakesnow.server").setLevel(logging.WARNING)
        yield kwargs


@pytest.fixture
def snowflake_overrides(fakesnow_server: dict, request: pytest.FixtureRequest) -> dict:
    """Settings overrides pointing ``warehouse="snowflake"`` at the fakesnow server, with a database of the
    test's own (so tests sharing the server never see each other's tables)."""
    import re

    name = re.sub(r"[^A-Za-z0-9_]", "_", request.node.name)[:60].upper()
    return {
        "warehouse": "snowflake",
        "snowflake_account": fakesnow_server["account"],
        "snowflake_user": fakesnow_server["user"],
        "snowflake_password": fakesnow_server["password"],
        "snowflake_host": fakesnow_server["host"],
        "snowflake_port": fakesnow_server["port"],
        "snowflake_protocol": fakesnow_server["protocol"],
        "snowflake_login_timeout": 5,
        "snowflake_database": f"T_{name}",
    }
