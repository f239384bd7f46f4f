"""`load` into Snowflake: the real connector against a local fakesnow server (no mocks), plus the
connection settings, key-pair handling and file splitting it is made of."""

from __future__ import annotations

import datetime as dt
import socket
import time
from pathlib import Path

import pandas as pd
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from helpers.raw import CORRUPTIONS, corrupt_field, write_handmade, write_raw
from hospital_analytics.config import Settings, load_settings
from hospital_analytics.errors import ConfigError, LoadError, WarehouseError
from hospital_analytics.layout import RAW_TABLES, OutputLayout
from hospital_analytics.warehouse import open_warehouse
from hospital_analytics.warehouse.loading import load
from hospital_analytics.warehouse.snowflake import warehouse as snowflake_warehouse
from hospital_analytics.warehouse.snowflake.auth import connect_kwargs, load_private_key
from hospital_analytics.warehouse.snowflake.files import split_csv, split_parquet

pytestmark = pytest.mark.snowflake


def counts(overrides: dict) -> dict[str, int]:
    with open_warehouse(**overrides) as wh:
        return {
            t: int(wh.query_df(f"SELECT COUNT(*) AS n FROM {wh.qualified(wh.raw_schema, t)}")["n"][0])
            for t in RAW_TABLES
        }


# --- end to end on fakesnow ----------------------------------------------------------------------------
def test_end_to_end(tmp_path: Path, snowflake_overrides: dict) -> None:
    out = tmp_path / "out"
    expected = write_raw(out)
    result = load(output_dir=out, **snowflake_overrides)
    assert (result.warehouse, result.schema) == ("snowflake", "RAW")
    assert result.database == snowflake_overrides["snowflake_database"]
    assert {t: s.rows for t, s in result.tables.items()} == expected
    # every file with rows staged in one part; one of only a header (no capacity event in a small run) not at all
    assert all((s.bytes_staged > 0 and s.files == 1) or (s.rows == 0 and s.files == 0) for s in result.tables.values())
    assert counts(snowflake_overrides) == expected

    with open_warehouse(**snowflake_overrides) as wh:
        assert wh.name == "snowflake"
        name = wh.qualified("raw", "hospitalizations")
        assert name == f'"{result.database}"."RAW"."HOSPITALIZATIONS"'
        frame = wh.query_df(f"SELECT * FROM {name} ORDER BY hospitalization_id")
        assert list(frame.columns)[:3] == ["hospitalization_id", "patient_id", "doctor_id"]
        assert str(frame["total_charges"].dtype) == "float64"
        assert str(frame["admission_date"].dtype).startswith("datetime64")
        assert str(frame["hospitalization_id"].dtype) == "int64"
        import pyarrow.csv as pacsv

        source = pacsv.read_csv(OutputLayout(out).csv("hospitalizations")).to_pandas()
        assert list(frame["diagnosis_description"]) == list(source["diagnosis_description"])
        assert frame["total_charges"].fillna(-1).tolist() == source["total_charges"].fillna(-1).tolist()
        assert [None if pd.isna(d) else d.date() for d in frame["discharge_date"]] == [
            None if pd.isna(d) else d for d in source["discharge_date"]
        ]
        batches = list(wh.arrow_batches(f"SELECT * FROM {name}"))
        assert sum(b.num_rows for b in batches) == expected["hospitalizations"]
        assert batches[0].schema.names[0] == "hospitalization_id"
        assert wh.table_exists("raw", "patients") and not wh.table_exists("raw", "nope")
        assert wh.table_exists(wh.raw_schema, "doctors")
        schemas = set(
            wh.query_df(f'SELECT schema_name FROM "{result.database}".information_schema.schemata')["schema_name"]
        )
        assert {"RAW", "ANALYTICS"} <= schemas


@pytest.mark.slow  # a load through fakesnow (test_end_to_end keeps one in the quick tier)
def test_quoted_fields_survive(tmp_path: Path, snowflake_overrides: dict) -> None:
    out = tmp_path / "out"
    expected = write_handmade(out)
    load(output_dir=out, **snowflake_overrides)
    assert counts(snowflake_overrides) == expected
    with open_warehouse(**snowflake_overrides) as wh:
        names = set(wh.query_df(f"SELECT last_name FROM {wh.qualified('raw', 'patients')}")["last_name"])
        assert "O'Neil, Jr" in names
        descriptions = set(
            wh.query_df(f"SELECT diagnosis_description FROM {wh.qualified('raw', 'hospitalizations')}")[
                "diagnosis_description"
            ]
        )
        assert 'Dependence on "enabling" machines' in descriptions


@pytest.mark.slow  # a load through fakesnow (test_end_to_end keeps one in the quick tier)
def test_load_twice_same_counts(tmp_path: Path, snowflake_overrides: dict) -> None:
    out = tmp_path / "out"
    expected = write_raw(out)
    load(output_dir=out, **snowflake_overrides)
    second = load(output_dir=out, **snowflake_overrides)
    assert {t: s.rows for t, s in second.tables.items()} == expected
    assert counts(snowflake_overrides) == expected


@pytest.mark.slow  # a load through fakesnow (test_end_to_end keeps one in the quick tier)
def test_large_files_are_split_and_loaded_in_parts(
    tmp_path: Path, snowflake_overrides: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    expected = write_raw(out, patients=120, stays=400)
    monkeypatch.setattr(snowflake_warehouse, "CSV_CHUNK_BYTES", 4_000)
    result = load(output_dir=out, **snowflake_overrides)
    size = OutputLayout(out).csv("hospitalizations").stat().st_size
    assert result.tables["hospitalizations"].files >= size // 4_000 >= 3
    assert result.tables["patients"].files >= 2
    assert counts(snowflake_overrides) == expected


@pytest.mark.slow  # a load through fakesnow (test_end_to_end keeps one in the quick tier)
def test_parquet_source(tmp_path: Path, snowflake_overrides: dict) -> None:
    out = tmp_path / "out"
    expected = write_raw(out, fmt="parquet")
    result = load(output_dir=out, raw_format="parquet", **snowflake_overrides)
    assert result.source_format == "parquet"
    assert counts(snowflake_overrides) == expected


# "short row" is left out here: fakesnow answers it with an HTTP 500 (it does not translate DuckDB's
# sniffer error), which the connector retries without end. Real Snowflake reports a column-count error.
@pytest.mark.slow  # a load through fakesnow (test_end_to_end keeps one in the quick tier)
@pytest.mark.parametrize("table", ["patients", "hospitalizations"])
def test_corrupt_file_keeps_previous_tables(tmp_path: Path, snowflake_overrides: dict, table: str) -> None:
    out = tmp_path / "out"
    before = write_raw(out)
    load(output_dir=out, **snowflake_overrides)
    write_raw(out, patients=70, doctors=8, stays=150, seed=5)
    path = OutputLayout(out).csv(table)
    CORRUPTIONS["bad date"](path)
    with pytest.raises(LoadError) as caught:
        load(output_dir=out, **snowflake_overrides)
    message = caught.value.message
    assert message.startswith(f"{table}: loading {path} failed: ") and "2024-13-45" in message
    assert "\n" not in message and len(message) < 500
    assert counts(snowflake_overrides) == before


@pytest.mark.slow  # a load through fakesnow (test_end_to_end keeps one in the quick tier)
def test_failure_in_last_table_rolls_back_everything(tmp_path: Path, snowflake_overrides: dict) -> None:
    out = tmp_path / "out"
    before = write_raw(out)
    load(output_dir=out, **snowflake_overrides)
    write_raw(out, patients=70, doctors=8, stays=150, seed=6)
    OutputLayout(out).manifest.unlink()  # else the size check would refuse the file before any SQL
    corrupt_field(OutputLayout(out).csv("admissions_by_month"), 1, 1, "many")
    # the first three tables are replaced inside the transaction before the last COPY fails
    with pytest.raises(LoadError, match=r"^admissions_by_month: loading .*admissions_by_month\.csv failed"):
        load(output_dir=out, **snowflake_overrides, allow_edited=True)
    assert counts(snowflake_overrides) == before


@pytest.mark.parametrize(
    ("corruption", "expected"),
    [("truncated last line", "ends in the middle of a line"), ("missing column", "header does not match")],
)
def test_file_checks_run_before_connecting(
    tmp_path: Path, snowflake_overrides: dict, corruption: str, expected: str
) -> None:
    """Truncated files and missing columns are caught locally: the (closed) port is never tried."""
    out = tmp_path / "out"
    write_raw(out)
    CORRUPTIONS[corruption](OutputLayout(out).csv("doctors"))
    closed = {**snowflake_overrides, "snowflake_port": _closed_port()}
    with pytest.raises(LoadError, match=rf"^doctors: .*doctors\.csv {expected}"):
        load(output_dir=out, **closed)


# --- connection failures ---------------------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_fails_within_the_login_timeout(tmp_path: Path, snowflake_overrides: dict) -> None:
    out = tmp_path / "out"
    write_raw(out)
    port = _closed_port()
    started = time.monotonic()
    with pytest.raises(WarehouseError) as caught:
        load(output_dir=out, **{**snowflake_overrides, "snowflake_port": port, "snowflake_login_timeout": 3})
    elapsed = time.monotonic() - started
    assert elapsed < 3 + 10
    assert caught.value.message.startswith(f"Cannot reach Snowflake at 127.0.0.1:{port} (login timeout 3 s): ")
    assert "\n" not in caught.value.message
    assert "HOSPITAL_SNOWFLAKE_LOGIN_TIMEOUT" in caught.value.hint


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("snowflake_account", "SNOWFLAKE_ACCOUNT is not set."),
        ("snowflake_user", "SNOWFLAKE_USER is not set."),
        ("snowflake_password", "SNOWFLAKE_PASSWORD is not set."),
    ],
)
def test_missing_credentials_name_the_setting(
    tmp_path: Path, snowflake_overrides: dict, missing: str, message: str
) -> None:
    out = tmp_path / "out"
    write_raw(out)
    overrides = {k: v for k, v in snowflake_overrides.items() if k != missing}
    with pytest.raises(ConfigError) as caught:
        load(output_dir=out, **overrides)
    assert caught.value.message == message
    assert caught.value.exit_code == 2


def test_unknown_connection_name(tmp_path: Path, snowflake_overrides: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "sfhome"
    home.mkdir()
    (home / "connections.toml").write_text('[other]\naccount = "x"\n')
    (home / "connections.toml").chmod(0o600)
    monkeypatch.setenv("SNOWFLAKE_HOME", str(home))
    with pytest.raises(ConfigError, match=r"^SNOWFLAKE_CONNECTION_NAME 'nope' is not in connections.toml"):
        open_warehouse(warehouse="snowflake", snowflake_connection_name="nope")


@pytest.mark.slow  # a load through fakesnow (test_end_to_end keeps one in the quick tier)
def test_named_connection_from_connections_toml(
    tmp_path: Path, snowflake_overrides: dict, fakesnow_server: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "sfhome"
    home.mkdir()
    toml = home / "connections.toml"
    toml.write_text(
        "[hospital]\n"
        f'account = "{fakesnow_server["account"]}"\nuser = "{fakesnow_server["user"]}"\n'
        f'password = "{fakesnow_server["password"]}"\nhost = "{fakesnow_server["host"]}"\n'
        f'port = {fakesnow_server["port"]}\nprotocol = "{fakesnow_server["protocol"]}"\n'
    )
    toml.chmod(0o600)
    monkeypatch.setenv("SNOWFLAKE_HOME", str(home))
    out = tmp_path / "out"
    expected = write_raw(out)
    overrides = {
        "warehouse": "snowflake",
        "snowflake_connection_name": "hospital",
        "snowflake_database": snowflake_overrides["snowflake_database"],
    }
    assert {t: s.rows for t, s in load(output_dir=out, **overrides).tables.items()} == expected


# --- key pair ------------------------------------------------------------------------------------------
def _key_file(folder: Path, passphrase: str | None) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    )
    path = folder / "rsa_key.p8"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))
    return path


@pytest.mark.slow  # a load through fakesnow (test_end_to_end keeps one in the quick tier)
def test_key_pair_login(tmp_path: Path, snowflake_overrides: dict) -> None:
    """The key is decrypted with the passphrase and handed to the connector (fakesnow accepts any JWT)."""
    key = _key_file(tmp_path, "open sesame")
    out = tmp_path / "out"
    expected = write_raw(out)
    overrides = {k: v for k, v in snowflake_overrides.items() if k != "snowflake_password"}
    overrides.update(snowflake_private_key_file=key, snowflake_private_key_file_pwd="open sesame")
    kwargs = connect_kwargs(load_settings(**overrides).snowflake)
    assert kwargs["authenticator"] == "SNOWFLAKE_JWT" and isinstance(kwargs["private_key"], bytes)
    assert "password" not in kwargs
    assert {t: s.rows for t, s in load(output_dir=out, **overrides).tables.items()} == expected


def test_key_pair_wrong_or_missing_passphrase(tmp_path: Path) -> None:
    key = _key_file(tmp_path, "right-passphrase")
    with pytest.raises(ConfigError) as caught:
        load_private_key(key, "wrong-passphrase")
    assert caught.value.message.startswith("SNOWFLAKE_PRIVATE_KEY_FILE_PWD does not decrypt")
    assert "wrong-passphrase" not in caught.value.message and "right-passphrase" not in caught.value.message
    with pytest.raises(ConfigError, match="is encrypted but SNOWFLAKE_PRIVATE_KEY_FILE_PWD is not set"):
        load_private_key(key, None)
    with pytest.raises(ConfigError, match="SNOWFLAKE_PRIVATE_KEY_FILE .* cannot be read"):
        load_private_key(tmp_path / "missing.p8", None)
    public = tmp_path / "rsa_key.pub"
    public.write_bytes(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    with pytest.raises(ConfigError, match="is not a PEM or DER private key"):
        load_private_key(public, None)
    plain = _key_file(tmp_path, None)
    assert isinstance(load_private_key(plain, None), bytes)


def test_authenticator_passes_through_without_password() -> None:
    settings = load_settings(
        warehouse="snowflake",
        snowflake_account="acme-prod",
        snowflake_user="ann",
        snowflake_authenticator="externalbrowser",
        snowflake_role="ANALYST",
        snowflake_warehouse="COMPUTE_WH",
        snowflake_login_timeout=7,
    )
    kwargs = connect_kwargs(settings.snowflake)
    assert kwargs == {
        "login_timeout": 7,
        "role": "ANALYST",
        "warehouse": "COMPUTE_WH",
        "account": "acme-prod",
        "user": "ann",
        "authenticator": "externalbrowser",
    }
    assert "network_timeout" not in kwargs


def test_secrets_masked() -> None:
    settings = load_settings(
        warehouse="snowflake", snowflake_account="a", snowflake_user="u", snowflake_password="s3cret-pw"
    )
    assert "s3cret-pw" not in repr(settings) and "s3cret-pw" not in str(settings.public_dict())
    assert connect_kwargs(settings.snowflake)["password"] == "s3cret-pw"


# --- identifiers -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "field",
    [
        "snowflake_stage",
        "snowflake_file_format",
        "raw_schema",
        "snowflake_database",
        "snowflake_role",
        "snowflake_warehouse",
    ],
)
def test_injection_refused_before_connecting(tmp_path: Path, snowflake_overrides: dict, field: str) -> None:
    """A bad name set past validation is refused before a login is even tried (the port is closed: a
    connection attempt would fail differently)."""
    out = tmp_path / "out"
    write_raw(out)
    settings = Settings(output_dir=out, **{**snowflake_overrides, "snowflake_port": _closed_port()})
    nested = field.removeprefix("snowflake_")
    target = settings.snowflake if nested != field else settings
    object.__setattr__(target, nested, "x; drop table y")
    with pytest.raises(ConfigError, match=r"'x; drop table y' is not a valid identifier"):
        load(settings)
    with pytest.raises(ConfigError):
        load_settings(**{field: "x; drop table y"})


# --- splitting ----------------------------------------------------------------------------------------
def _csv(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "src.csv"
    path.write_text("a,b,c\n" + "".join(line + "\n" for line in lines))
    return path


@pytest.mark.parametrize("chunk", [7, 10, 25, 64, 100, 1_000])
@pytest.mark.parametrize("rows", [0, 1, 2, 17, 250])
def test_split_csv_keeps_every_line_once_in_order(tmp_path: Path, chunk: int, rows: int) -> None:
    lines = [f'{i},{"x" * (i % 13)},"q, {i}"' for i in range(rows)]
    source = _csv(tmp_path, lines)
    parts = split_csv(source, tmp_path / "parts", "t", chunk_bytes=chunk)
    if source.stat().st_size <= chunk:
        assert parts == [source]
    joined: list[str] = []
    for part in parts:
        text = part.read_text()
        assert text.startswith("a,b,c\n") and text.endswith("\n")
        body = text.splitlines()[1:]
        assert body or rows == 0
        # a part only exceeds its budget when a single line does
        if len(body) > 1:
            assert len(text.encode()) <= max(chunk, len("a,b,c\n") + max(len(b) + 1 for b in body))
        joined += body
    assert joined == lines


def test_split_csv_sizes_near_the_chunk(tmp_path: Path) -> None:
    lines = [f"{i:06d},aaaaaaaaaa,bbbbbbbbbb" for i in range(5_000)]
    source = _csv(tmp_path, lines)
    parts = split_csv(source, tmp_path / "parts", "t", chunk_bytes=10_000)
    sizes = [p.stat().st_size for p in parts]
    assert all(s <= 10_000 for s in sizes) and all(s > 10_000 - 29 for s in sizes[:-1])
    assert sum(sizes) == source.stat().st_size + (len(parts) - 1) * len("a,b,c\n")
    assert [p.name for p in parts] == [f"t_{i:05d}.csv" for i in range(1, len(parts) + 1)]


def test_split_parquet(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"x": list(range(50_000)), "y": [f"v{i}" for i in range(50_000)]})
    source = tmp_path / "src.parquet"
    pq.write_table(table, source, compression="none")
    parts = split_parquet(source, tmp_path / "parts", "t", chunk_bytes=source.stat().st_size // 4)
    assert len(parts) >= 4
    assert pa.concat_tables([pq.read_table(p) for p in parts]).equals(table)
    assert split_parquet(source, tmp_path / "parts2", "t", chunk_bytes=10**9) == [source]


@pytest.mark.slow  # a load through fakesnow (test_end_to_end keeps one in the quick tier)
def test_row_count_mismatch_is_an_error_and_rolls_back(tmp_path: Path, snowflake_overrides: dict) -> None:
    import json

    out = tmp_path / "out"
    before = write_raw(out)
    load(output_dir=out, **snowflake_overrides)
    manifest = OutputLayout(out).manifest
    data = json.loads(manifest.read_text())
    data["files"]["csv/hospitalizations.csv"]["rows"] += 1
    manifest.write_text(json.dumps(data))
    with pytest.raises(LoadError, match=rf"^hospitalizations: loaded {before['hospitalizations']} rows but "):
        load(output_dir=out, **snowflake_overrides)
    assert counts(snowflake_overrides) == before


@pytest.mark.slow  # a load through fakesnow (test_end_to_end keeps one in the quick tier)
def test_output_folder_with_quote_in_its_name(tmp_path: Path, snowflake_overrides: dict) -> None:
    """A path PUT could not quote safely is staged through a link in a temporary folder."""
    out = tmp_path / "it's here"
    # a month of feed (31 partitions a table), not two years: each partition is a PUT and a COPY on the server
    expected = write_raw(out, start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31))
    assert {t: s.rows for t, s in load(output_dir=out, **snowflake_overrides).tables.items()} == expected


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_table_typed_with_nulls_where_the_schema_allows(
    tmp_path: Path, snowflake_overrides: dict, fmt: str
) -> None:
    """All ten tables through stage, PUT and COPY: TIMESTAMP_NTZ and BOOLEAN typed, NOT NULL where schema.py
    says so, empty fields NULL (open stays), the same values as the files."""
    from hospital_analytics.schema import RAW_COLUMNS

    out = tmp_path / "out"
    expected = write_handmade(out, fmt=fmt)
    load(output_dir=out, **snowflake_overrides)
    assert counts(snowflake_overrides) == expected
    family = {"BIGINT": "NUMBER", "INTEGER": "NUMBER", "VARCHAR": "TEXT", "DOUBLE": "FLOAT"}
    with open_warehouse(**snowflake_overrides) as wh:
        for table, columns in RAW_COLUMNS.items():
            found = wh.query_df(
                f'SELECT column_name, data_type, is_nullable FROM "{wh.database}".information_schema.columns '
                f"WHERE table_schema = '{wh.raw_schema}' AND table_name = '{table.upper()}' ORDER BY ordinal_position"
            )
            wanted = [
                (
                    c.name.upper(),
                    "TIMESTAMP_NTZ"
                    if c.sql_type == "TIMESTAMP"
                    else "NUMBER"
                    if c.sql_type.startswith("DECIMAL")
                    else family.get(c.sql_type, c.sql_type),
                    "YES" if c.nullable else "NO",
                )
                for c in columns
            ]
            assert [tuple(row) for row in found.itertuples(index=False)] == wanted, table
        stays = wh.query_df(
            f"SELECT hospitalization_id, admitted_at FROM {wh.qualified(wh.raw_schema, 'hospitalizations')} "
            "ORDER BY hospitalization_id"
        )
        assert str(stays["admitted_at"][0]) == "2023-12-29 08:15:30"
        # nulls counted in SQL: fakesnow's server sends a NULL TIMESTAMP_NTZ to the connector as 1970-01-01
        gaps = wh.query_df(
            "SELECT COUNT(*) - COUNT(discharged_at) AS a, COUNT(*) - COUNT(total_charges) AS b, "
            f"COUNT(*) - COUNT(discharge_date) AS c FROM {wh.qualified(wh.raw_schema, 'hospitalizations')}"
        )
        assert [int(v) for v in gaps.iloc[0]] == [2, 2, 2]
        flags = wh.query_df(
            f"SELECT attends_stays, COUNT(*) AS n FROM {wh.qualified(wh.raw_schema, 'doctors')} "
            "GROUP BY attends_stays ORDER BY attends_stays"
        )
        assert [(bool(a), int(n)) for a, n in flags.itertuples(index=False)] == [
            (False, 1),
            (True, expected["doctors"] - 1),
        ]
