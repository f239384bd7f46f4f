"""Settings: environment, .env and flags, flags winning; one-line errors naming flag and variable."""

from __future__ import annotations

import datetime as dt

import pytest

from hospital_analytics.config import REFERENCE_END, Settings, load_settings, resolve_settings
from hospital_analytics.errors import ConfigError


def test_defaults_are_the_original_sizes_and_a_fixed_window():
    s = load_settings()
    assert (s.patients, s.doctors, s.hospitalizations) == (500, 100, 1000)
    assert s.end == REFERENCE_END and s.start == dt.date(2024, 1, 1)
    assert s.warehouse == "duckdb" and s.database == "HOSPITAL_ANALYTICS"
    assert s.duckdb_file == s.layout.root / "hospital.duckdb"


def test_flags_beat_env_which_beats_dotenv(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("HOSPITAL_PATIENTS=7\nHOSPITAL_DOCTORS=3\nHOSPITAL_SEED=9\n")
    monkeypatch.setenv("HOSPITAL_DOCTORS", "5")
    s = load_settings(seed=11)
    assert (s.patients, s.doctors, s.seed) == (7, 5, 11)


def test_snowflake_database_overrides_only_on_snowflake(monkeypatch):
    monkeypatch.setenv("SNOWFLAKE_DATABASE", "SFDB")
    assert load_settings().database == "HOSPITAL_ANALYTICS"
    assert load_settings(warehouse="snowflake").database == "SFDB"


def test_empty_env_values_mean_unset(monkeypatch):
    monkeypatch.setenv("SNOWFLAKE_PORT", "")
    monkeypatch.setenv("HOSPITAL_START", "")
    assert load_settings().snowflake_port is None


def test_scale_multiplies_all_counts():
    assert load_settings(scale=2.5).scaled_counts == (1250, 250, 2500)


def test_start_only_gives_a_24_month_window():
    s = load_settings(start="2023-03-01")
    assert s.end == dt.date(2025, 2, 28)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"patients": 0}, "Invalid --patients / HOSPITAL_PATIENTS (got 0)"),
        ({"doctors": -3}, "Invalid --doctors / HOSPITAL_DOCTORS (got -3)"),
        ({"hospitalizations": "many"}, "Invalid --hospitalizations / HOSPITAL_HOSPITALIZATIONS (got 'many')"),
        ({"locale": "xx_YY"}, "unknown locale 'xx_YY'"),
        ({"format": "xml"}, "Invalid --format / HOSPITAL_FORMAT (got 'xml')"),
        ({"start": "2025-06-01", "end": "2025-01-01"}, "end 2025-01-01 is before start 2025-06-01"),
        ({"start": "2025-06-01", "end": "2025-06-10"}, "shorter than 31 days"),
        ({"analytics_db": "x; drop table y"}, "is not a valid identifier"),
        ({"warehouse": "oracle"}, "Invalid --warehouse / HOSPITAL_WAREHOUSE (got 'oracle')"),
    ],
)
def test_invalid_values_give_one_line_naming_the_setting(overrides, message):
    with pytest.raises(ConfigError) as info:
        load_settings(**overrides)
    assert message in info.value.message
    assert "\n" not in info.value.message
    assert info.value.exit_code == 2


def test_secrets_are_masked_everywhere(monkeypatch):
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", "hunter2-secret")
    s = load_settings()
    assert "hunter2" not in repr(s) and "hunter2" not in str(s.public_dict())
    assert s.snowflake_password.get_secret_value() == "hunter2-secret"
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

    from hospital_analytics.config import env_name

    example = Path(__file__).resolve().parents[1] / ".env.example"
    listed = {
        line.split("=", 1)[0] for line in example.read_text().splitlines() if "=" in line and not line.startswith("#")
    }
    expected = {env_name(field) for field in Settings.model_fields}
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
        load_settings(raw_schema="bad name")
    assert info.value.message.startswith("Invalid HOSPITAL_RAW_SCHEMA (got 'bad name')")
