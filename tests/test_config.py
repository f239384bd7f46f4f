"""Settings: environment, .env and flags, flags winning; one-line errors naming flag and variable."""

from __future__ import annotations

import datetime as dt

import pytest

from hospital_analytics.config import REFERENCE_END, Settings, env_name, load_settings, resolve_settings
from hospital_analytics.errors import ConfigError
from hospital_analytics.warehouse import make_warehouse
from hospital_analytics.warehouse.snowflake.settings import SnowflakeSettings

CLI_FLAGS = {"patients": "--patients", "raw_format": "--format", "warehouse": "--warehouse"}


def test_defaults_are_the_original_sizes_and_a_fixed_window():
    s = load_settings()
    assert (s.patients, s.doctors, s.hospitalizations) == (500, 100, 1000)
    assert s.end == REFERENCE_END and s.start == dt.date(2024, 1, 1)
    assert s.warehouse == "duckdb" and s.analytics_db == "HOSPITAL_ANALYTICS_DB" and s.raw_format == "csv"
    assert s.duckdb_file == s.layout.root / "hospital.duckdb"
    assert isinstance(s.snowflake, SnowflakeSettings) and s.snowflake.login_timeout == 20


def test_flags_beat_env_which_beats_dotenv(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("HOSPITAL_PATIENTS=7\nHOSPITAL_DOCTORS=3\nHOSPITAL_SEED=9\n")
    monkeypatch.setenv("HOSPITAL_DOCTORS", "5")
    s = load_settings(seed=11)
    assert (s.patients, s.doctors, s.seed) == (7, 5, 11)


def test_snowflake_database_overrides_only_on_snowflake(monkeypatch):
    monkeypatch.setenv("SNOWFLAKE_DATABASE", "SFDB")
    assert make_warehouse(load_settings()).describe().startswith("DuckDB file")
    assert make_warehouse(load_settings(warehouse="snowflake")).database == "SFDB"
    monkeypatch.delenv("SNOWFLAKE_DATABASE")
    assert make_warehouse(load_settings(warehouse="snowflake")).database == "HOSPITAL_ANALYTICS_DB"


def test_every_snowflake_variable_still_works(monkeypatch):
    values = {
        "SNOWFLAKE_ACCOUNT": "org-acct",
        "SNOWFLAKE_USER": "ann",
        "SNOWFLAKE_PASSWORD": "pw",
        "SNOWFLAKE_ROLE": "R",
        "SNOWFLAKE_WAREHOUSE": "WH",
        "SNOWFLAKE_DATABASE": "DB",
        "SNOWFLAKE_AUTHENTICATOR": "externalbrowser",
        "SNOWFLAKE_PRIVATE_KEY_FILE": "/keys/rsa.p8",
        "SNOWFLAKE_PRIVATE_KEY_FILE_PWD": "pp",
        "SNOWFLAKE_CONNECTION_NAME": "dev",
        "SNOWFLAKE_HOST": "localhost",
        "SNOWFLAKE_PORT": "8080",
        "SNOWFLAKE_PROTOCOL": "HTTP",
        "HOSPITAL_SNOWFLAKE_LOGIN_TIMEOUT": "7",
        "HOSPITAL_SNOWFLAKE_STAGE": "ST",
        "HOSPITAL_SNOWFLAKE_FILE_FORMAT": "FF",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    sf = load_settings().snowflake
    assert (sf.account, sf.user, sf.role, sf.warehouse, sf.database) == ("org-acct", "ann", "R", "WH", "DB")
    assert (sf.authenticator, str(sf.private_key_file), sf.connection_name) == (
        "externalbrowser",
        "/keys/rsa.p8",
        "dev",
    )
    assert sf.password.get_secret_value() == "pw" and sf.private_key_file_pwd.get_secret_value() == "pp"
    assert (sf.host, sf.port, sf.protocol) == ("localhost", 8080, "http")
    assert (sf.login_timeout, sf.stage, sf.file_format) == (7, "ST", "FF")
    # keyword overrides: flat (snowflake_<field>) or nested, the other fields still from the environment
    assert load_settings(snowflake_user="bob").snowflake.user == "bob"
    assert load_settings(snowflake_user="bob").snowflake.account == "org-acct"
    assert Settings(snowflake=SnowflakeSettings(role="Q")).snowflake.role == "Q"


def test_old_raw_format_names_still_work(monkeypatch):
    monkeypatch.setenv("HOSPITAL_FORMAT", "parquet")
    assert load_settings().raw_format == "parquet"
    assert load_settings(format="both").raw_format == "both"  # the keyword's old name
    assert resolve_settings(Settings(), format="csv").raw_format == "csv"


def test_choices_are_case_insensitive():
    s = load_settings(warehouse="DuckDB", raw_format="Parquet", chart_format="SVG", export_format=" ALL ")
    assert (s.warehouse, s.raw_format, s.chart_format, s.export_format) == ("duckdb", "parquet", "svg", "all")


def test_empty_env_values_mean_unset(monkeypatch):
    monkeypatch.setenv("SNOWFLAKE_PORT", "")
    monkeypatch.setenv("HOSPITAL_START", "")
    assert load_settings().snowflake.port is None


def test_scale_multiplies_all_counts():
    assert load_settings(scale=2.5).scaled_counts == (1250, 250, 2500)


def test_start_only_gives_a_24_month_window():
    s = load_settings(start="2023-03-01")
    assert s.end == dt.date(2025, 2, 28)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"patients": 0}, "Invalid --patients / HOSPITAL_PATIENTS (got 0)"),
        ({"doctors": -3}, "Invalid HOSPITAL_DOCTORS (got -3)"),
        ({"hospitalizations": "many"}, "Invalid HOSPITAL_HOSPITALIZATIONS (got 'many')"),
        ({"locale": "xx_YY"}, "unknown locale 'xx_YY'"),
        ({"format": "xml"}, "Invalid --format / HOSPITAL_FORMAT (got 'xml')"),
        ({"start": "2025-06-01", "end": "2025-01-01"}, "Invalid HOSPITAL_START/HOSPITAL_END: end 2025-01-01 is before"),
        ({"start": "2025-06-01", "end": "2025-06-10"}, "shorter than 31 days"),
        ({"end": "31/12/2025"}, "Invalid HOSPITAL_END (got '31/12/2025')"),
        ({"analytics_db": "x; drop table y"}, "is not a valid identifier"),
        ({"warehouse": "oracle"}, "Invalid --warehouse / HOSPITAL_WAREHOUSE (got 'oracle')"),
        ({"snowflake_port": "x"}, "Invalid SNOWFLAKE_PORT (got 'x')"),
        ({"snowflake_warehouse": "a b"}, "Invalid SNOWFLAKE_WAREHOUSE (got 'a b')"),  # not HOSPITAL_WAREHOUSE
        ({"snowflake_login_timeout": 0}, "Invalid HOSPITAL_SNOWFLAKE_LOGIN_TIMEOUT (got 0)"),
    ],
)
def test_invalid_values_give_one_line_naming_the_setting(overrides, message):
    with pytest.raises(ConfigError) as info:
        load_settings(flags=CLI_FLAGS, **overrides)
    assert message in info.value.message
    assert "\n" not in info.value.message
    assert info.value.exit_code == 2


def test_secrets_are_masked_everywhere(monkeypatch):
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", "hunter2-secret")
    s = load_settings()
    assert "hunter2" not in repr(s) and "hunter2" not in str(s.public_dict())
    assert s.public_dict()["snowflake_password"] == "**********"
    assert s.snowflake.password.get_secret_value() == "hunter2-secret" and s.secrets() == ["hunter2-secret"]
    with pytest.raises(ConfigError) as info:
        load_settings(snowflake_password={"not": "a string"})
    assert "hunter2" not in info.value.message


def test_resolve_settings_applies_overrides_to_given_settings():
    base = Settings(patients=10)
    s = resolve_settings(base, doctors=4)
    assert (s.patients, s.doctors) == (10, 4)
    assert resolve_settings(base) is base


def test_env_example_lists_every_setting():
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / ".env.example"
    listed = {
        line.split("=", 1)[0] for line in example.read_text().splitlines() if "=" in line and not line.startswith("#")
    }
    expected = {env_name(field) for field in Settings.model_fields if field != "snowflake"}
    expected |= {env_name(field, SnowflakeSettings) for field in SnowflakeSettings.model_fields}
    assert expected <= listed, f"missing from .env.example: {sorted(expected - listed)}"
    lines = example.read_text().splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            above = i - 1
            while "=" in lines[above] and not lines[above].startswith("#"):
                above -= 1  # settings grouped under one comment
            assert lines[above].startswith("#"), f"{line} has no comment above it"


def test_settings_without_a_flag_are_named_by_their_variable():
    with pytest.raises(ConfigError) as info:
        load_settings(flags={}, raw_schema="bad name")  # the CLI's: no flag sets it
    assert info.value.message.startswith("Invalid HOSPITAL_RAW_SCHEMA (got 'bad name')")
    with pytest.raises(ConfigError) as info:
        load_settings(raw_schema="bad name")  # the library's: its keyword, and the variable
    assert info.value.message.startswith("Invalid `raw_schema` / HOSPITAL_RAW_SCHEMA (got 'bad name')")


def test_a_size_from_the_environment_counts_as_set(monkeypatch):
    # generate lets patients and doctors follow from the simulation unless they were set (model_fields_set)
    assert "patients" not in Settings(hospitalizations=10_000).model_fields_set
    monkeypatch.setenv("HOSPITAL_PATIENTS", "800")
    assert "patients" in Settings(hospitalizations=10_000).model_fields_set
    monkeypatch.setenv("HOSPITAL_PATIENTS", "")  # empty: not set (.env.example's lines)
    assert "patients" not in Settings(hospitalizations=10_000).model_fields_set


def test_overrides_carry_only_what_was_set():
    from hospital_analytics.config import resolve_settings

    base = Settings(hospitalizations=20_000)
    assert {"patients", "doctors"}.isdisjoint(resolve_settings(base, seed=3).model_fields_set)
    assert "patients" in resolve_settings(base, patients=4_000).model_fields_set
