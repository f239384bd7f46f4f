"""Shared fixtures: loopback-only sockets, an isolated environment per test (no stray HOSPITAL_*/SNOWFLAKE_* or .env), the session's
marts, a fakesnow server, the installed wheel."""

from __future__ import annotations

import os

import pytest

from helpers import clean_env
from helpers.network import GUARD

# The CLI's consoles are made at import and fix their width from COLUMNS then: an inherited width (pytest-xdist's
# workers start with COLUMNS=80) would override what a test passes to CliRunner (env={"COLUMNS": "200"}).
for _name in ("COLUMNS", "LINES"):
    os.environ.pop(_name, None)


def pytest_configure(config: pytest.Config) -> None:
    """Sockets may reach loopback addresses only, for the whole session (``helpers.network``)."""
    GUARD.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    GUARD.uninstall()


@pytest.fixture(autouse=True)
def loopback_only():
    """A test that tried to reach anything but this machine fails, even if the code swallowed the error."""
    GUARD.take()
    yield
    blocked = GUARD.take()
    assert not blocked, f"the test tried to leave the machine: {blocked[:5]}"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path):
    """Each test runs in its own empty folder with no hospital or Snowflake variables set."""
    with clean_env(tmp_path):
        yield


@pytest.fixture(scope="session")
def edge_case_build(tmp_path_factory: pytest.TempPathFactory):
    """The edge-case hospital loaded and its models built (dbt run), once per session (``helpers.marts``)."""
    from helpers import marts

    return marts.edge_cases(tmp_path_factory)


@pytest.fixture(scope="session")
def marts_db(edge_case_build):
    """The DuckDB file of the session's dbt build (RAW and ANALYTICS): what analyze and export read."""
    return edge_case_build.settings.duckdb_file.resolve()


@pytest.fixture(scope="session")
def analyzed(marts_db, tmp_path_factory: pytest.TempPathFactory):
    """analyze run once on the session's marts (both chart formats, a manifest, its progress recorded)."""
    from helpers import marts

    return marts.analyzed(marts_db, tmp_path_factory)


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


# --- the package as a user installs it: a wheel, installed (no dependencies) into its own folder -------------
@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory):
    """A folder holding the package installed from a freshly built wheel; put it first on PYTHONPATH.

    Built once per test session (hatchling comes with the test extra, so no download is needed).
    """
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    base = tmp_path_factory.mktemp("wheel")
    wheel_dir, site = base / "dist", base / "site"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheel_dir),
            str(repo),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(wheel_dir.glob("hospital_analytics-*.whl"))
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    return site
