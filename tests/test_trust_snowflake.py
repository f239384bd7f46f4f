"""Snowflake as a real account sees it (issue 10): no host/port/protocol set, endpoints that accept and never
answer, a server going silent in the middle of transform, loopback-only tests."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

import helpers.transform as ts
from helpers.network import GUARD, BlockedConnection, Relay, SilentServer
from hospital_analytics.errors import TransformError, WarehouseError
from hospital_analytics.transformation.runner import environment
from hospital_analytics.warehouse import make_warehouse

PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"


def _render_profile(env: dict[str, str | None]):
    """profiles.yml's Snowflake output as dbt renders it under ``env`` (dbt's own renderer, no connection)."""
    import os
    from argparse import Namespace

    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    set_from_args(Namespace(), None)
    with environment(env):
        set_invocation_context(dict(os.environ))
        raw = read_profile(str(PROJECT))
        return Profile.from_raw_profiles(raw, "hospital_analytics", ProfileRenderer({}), target_override="snowflake")


@pytest.mark.parametrize("shell", [{}, {"SNOWFLAKE_PORT": "", "SNOWFLAKE_HOST": "", "SNOWFLAKE_PROTOCOL": ""}])
def test_real_account_profile_renders_without_host_port_protocol(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shell: dict
) -> None:
    """A real account sets none of SNOWFLAKE_HOST/PORT/PROTOCOL (or exports them empty, as a copied
    .env.example does): dbt gets the account's own endpoint, https on 443."""
    for name, value in shell.items():
        monkeypatch.setenv(name, value)
    s = ts.clean_settings(
        output_dir=tmp_path,
        warehouse="snowflake",
        snowflake_account="org-acct",
        snowflake_user="ANA",
        snowflake_password="pw-123",
    )
    env = make_warehouse(s).profile_env()
    assert env["SNOWFLAKE_PORT"] is None and env["SNOWFLAKE_HOST"] is None and env["SNOWFLAKE_PROTOCOL"] is None
    credentials = _render_profile(env).credentials
    assert (credentials.account, credentials.host, credentials.port, credentials.protocol) == (
        "org-acct",
        None,
        443,
        "https",
    )


def _snowflake(port: int, **extra) -> dict:
    return {
        "warehouse": "snowflake",
        "snowflake_account": "acct",
        "snowflake_user": "u",
        "snowflake_password": "pw-silent",
        "snowflake_host": "127.0.0.1",
        "snowflake_port": port,
        "snowflake_protocol": "http",
        **extra,
    }


@pytest.mark.parametrize("timeout", [2, 4])
def test_silent_endpoint_fails_within_the_login_timeout_and_says_so(tmp_path: Path, timeout: int) -> None:
    """An endpoint that accepts TCP and never answers fails in about login_timeout seconds (the connector alone
    waits 60 s whatever the login timeout), and the message says what happened."""
    with SilentServer() as server:
        s = ts.clean_settings(output_dir=tmp_path, **_snowflake(server.port, snowflake_login_timeout=timeout))
        started = time.monotonic()
        with pytest.raises(WarehouseError) as caught:
            make_warehouse(s).connect()
        took = time.monotonic() - started
    assert server.accepted >= 1
    assert took < timeout + 4, f"{took:.1f} s for a {timeout} s login timeout"
    message = caught.value.message
    assert f"(login timeout {timeout} s)" in message and "accepts connections but sent no answer" in message
    assert "\n" not in message and "pw-silent" not in message


def test_refused_endpoint_says_nothing_listens(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    s = ts.clean_settings(output_dir=tmp_path, **_snowflake(port, snowflake_login_timeout=2))
    with pytest.raises(WarehouseError, match=r"nothing listens there \(connection refused\)"):
        make_warehouse(s).connect()


@pytest.mark.snowflake
@pytest.mark.slow  # loads into fakesnow, then dbt
def test_transform_fails_in_bounded_time_when_snowflake_goes_silent(
    tmp_path: Path, fakesnow_server: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Snowflake stops answering after transform's own check: dbt-snowflake's connections (which it opens
    itself) must give up within the login timeout too, with one line."""
    import hospital_analytics.transformation as transformation
    from hospital_analytics.warehouse.loading import load

    relay = Relay((fakesnow_server["host"], int(fakesnow_server["port"])))
    try:
        fields = _snowflake(
            relay.port,
            snowflake_account=fakesnow_server["account"],
            snowflake_user=fakesnow_server["user"],
            snowflake_password=fakesnow_server["password"],
            snowflake_login_timeout=3,
            snowflake_network_timeout=3,
            snowflake_database="T_TRUST_SILENT",
        )
        s = ts.clean_settings(output_dir=tmp_path / "out", start=ts.START, end=ts.END, **fields)
        ts.write_edge_case_csvs(s.layout.csv_dir)
        load(s)
        checked = transformation.check_raw_tables

        def check_then_go_silent(settings):
            warehouse = checked(settings)
            relay.go_silent()
            return warehouse

        monkeypatch.setattr(transformation, "check_raw_tables", check_then_go_silent)
        started = time.monotonic()
        with pytest.raises((TransformError, WarehouseError)) as caught:
            transformation.transform(s)
        took = time.monotonic() - started
    finally:
        relay.close()
    assert took < 3 + 3 + 15, f"transform took {took:.0f} s to give up"
    print(f"transform gave up after {took:.1f} s: {caught.value.message}")
    message = caught.value.message
    assert "\n" not in message and "accepts connections but sent no answer in 3 s" in message, message


def test_tests_cannot_leave_the_machine() -> None:
    """The session's guard refuses a connection to a cloud metadata address (and records it)."""
    with pytest.raises(BlockedConnection), socket.socket() as sock:
        sock.connect(("169.254.169.254", 80))
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("metadata.google.internal", 80)
    assert len(GUARD.take()) == 2  # taken, so this test itself passes


@pytest.mark.snowflake
def test_loopback_server_means_no_platform_detection(
    tmp_path: Path, snowflake_overrides: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even without SNOWFLAKE_DISABLE_PLATFORM_DETECTION, a login to a loopback server makes no connection
    off the machine (the connector's platform detection would probe cloud metadata addresses)."""
    monkeypatch.delenv("SNOWFLAKE_DISABLE_PLATFORM_DETECTION", raising=False)
    s = ts.clean_settings(output_dir=tmp_path, **snowflake_overrides)
    with make_warehouse(s) as wh:
        wh.fetch_rows("select 1 as n")
    assert GUARD.take() == []


@pytest.mark.snowflake
@pytest.mark.slow  # two loads through fakesnow
def test_failed_load_never_empties_a_table_of_an_older_layout(tmp_path: Path, snowflake_overrides: dict) -> None:
    """A RAW table whose columns differ from the schema is replaced by a new table swapped in only after every
    COPY committed: a load failing on a later table leaves its rows (and layout) as they were."""
    from helpers.raw import corrupt_bad_date, write_raw
    from hospital_analytics.errors import LoadError
    from hospital_analytics.layout import OutputLayout
    from hospital_analytics.warehouse import open_warehouse
    from hospital_analytics.warehouse.loading import load

    out = tmp_path / "out"
    expected = write_raw(out)
    load(output_dir=out, **snowflake_overrides)
    with open_warehouse(**snowflake_overrides) as wh:
        patients = wh.qualified(wh.raw_schema, "patients")
        wh.execute(f"CREATE OR REPLACE TABLE {patients} AS SELECT *, 1 AS legacy FROM {patients}")
    corrupt_bad_date(OutputLayout(out).csv("hospitalizations"))  # COPY of a later table fails
    with pytest.raises(LoadError, match="hospitalizations"):
        load(output_dir=out, **snowflake_overrides)
    with open_warehouse(**snowflake_overrides) as wh:
        frame = wh.query_df(f"SELECT * FROM {patients}")
        assert len(frame) == expected["patients"] and "legacy" in frame.columns
        tables = wh.query_df(f'SELECT table_name FROM "{wh.database}".information_schema.tables')["table_name"]
        assert not [t for t in tables if "__NEW_" in t], list(tables)

    write_raw(out)
    load(output_dir=out, **snowflake_overrides)
    with open_warehouse(**snowflake_overrides) as wh:
        frame = wh.query_df(f"SELECT * FROM {patients}")
        assert len(frame) == expected["patients"] and "legacy" not in frame.columns
        tables = wh.query_df(f'SELECT table_name FROM "{wh.database}".information_schema.tables')["table_name"]
        assert not [t for t in tables if "__NEW_" in t or t.endswith("_OLD")], list(tables)


@pytest.mark.parametrize("command", ["load", "transform", "analyze", "export", "docs"])
def test_every_command_honours_the_login_timeout_on_a_silent_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """Each Snowflake command, from the CLI: one line saying what happened, within the configured bound."""
    from helpers.proof import assert_one_error, invoke
    from helpers.raw import write_raw

    out = tmp_path / "out"
    if command == "load":
        write_raw(out)
    with SilentServer() as server:
        for name, value in {
            "HOSPITAL_WAREHOUSE": "snowflake",
            "SNOWFLAKE_ACCOUNT": "acct",
            "SNOWFLAKE_USER": "u",
            "SNOWFLAKE_PASSWORD": "pw-silent",
            "SNOWFLAKE_HOST": "127.0.0.1",
            "SNOWFLAKE_PORT": str(server.port),
            "SNOWFLAKE_PROTOCOL": "http",
            "HOSPITAL_SNOWFLAKE_LOGIN_TIMEOUT": "2",
        }.items():
            monkeypatch.setenv(name, value)
        started = time.monotonic()
        result = invoke(command, "--out", str(out))
        took = time.monotonic() - started
    assert_one_error(result, 1, "accepts connections but sent no answer in 2 s", secret="pw-silent")
    assert took < 2 + 5, f"{command} took {took:.1f} s"
