"""Settings: every option from ``HOSPITAL_*`` (and ``SNOWFLAKE_*``) environment variables, a ``.env`` file
and CLI flags, flags winning.

``Settings()`` reads the environment and ``./.env``; keyword arguments (the CLI's flags) override both.
``load_settings`` turns pydantic's validation errors into one-line ``ConfigError`` messages that name the
flag and the environment variable.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hospital_analytics.errors import ConfigError
from hospital_analytics.layout import OutputLayout

# Reference date the default window ends on: fixed, never "today", so a seed always reproduces.
REFERENCE_END = dt.date(2025, 12, 31)
DEFAULT_WINDOW_MONTHS = 24
DEFAULT_SEED = 42
MIN_WINDOW_DAYS = 31  # 30-day readmissions need a month of follow-up
NAME_MAX, PATH_MAX = 255, 4096  # bytes: longest file name and path (Linux, macOS)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,254}$")


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def default_start(end: dt.date) -> dt.date:
    """First day of the month 23 months before ``end``'s month: a 24-month window."""
    return _add_months(end, -(DEFAULT_WINDOW_MONTHS - 1))


class Settings(BaseSettings):
    """All of hospital-analytics' settings. See ``.env.example`` for one line on each.

    Args:
        **values: any field below by name (``output_dir``, ``patients``, ``hospitalizations``, ``seed``,
            ``warehouse``, ...); fields not given come from ``HOSPITAL_*`` / ``SNOWFLAKE_*`` environment
            variables, then ``./.env``, then the defaults.

    Returns:
        Settings: validated values; ``start``/``end`` always filled, secrets kept as ``SecretStr``.

    Raises:
        pydantic.ValidationError: a value is invalid (``load_settings`` turns it into a one-line
            ``ConfigError`` naming the flag and the variable).
    """

    model_config = SettingsConfigDict(
        env_prefix="HOSPITAL_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
        populate_by_name=True,
        validate_default=True,
    )

    # --- output -----------------------------------------------------------------------------------
    output_dir: Path = Field(Path("hospital_output"), description="Folder every step writes under.")

    # --- generate ---------------------------------------------------------------------------------
    patients: int = Field(500, gt=0, le=100_000_000, description="Number of patients.")
    doctors: int = Field(100, gt=0, le=10_000_000, description="Number of doctors.")
    hospitalizations: int = Field(1_000, gt=0, le=1_000_000_000, description="Number of hospital stays.")
    scale: float = Field(1.0, gt=0, le=100_000, description="Multiplies patients, doctors and stays.")
    seed: int = Field(DEFAULT_SEED, ge=0, le=2**63 - 1, description="Random seed; same seed, same bytes.")
    start: dt.date | None = Field(None, description="First day of the simulated window (YYYY-MM-DD).")
    end: dt.date | None = Field(None, description="Last day of the simulated window (YYYY-MM-DD).")
    locale: str = Field("en_US", description="Faker locale for names and places.")
    format: Literal["csv", "parquet", "both"] = Field("csv", description="Raw file format(s) to write.")

    # --- warehouse --------------------------------------------------------------------------------
    warehouse: Literal["duckdb", "snowflake"] = Field("duckdb", description="Warehouse to load into.")
    analytics_db: str = Field("HOSPITAL_ANALYTICS", description="Database name (HOSPITAL_ANALYTICS_DB).")
    raw_schema: str = Field("RAW", description="Schema for loaded tables.")
    analytics_schema: str = Field("ANALYTICS", description="Schema for dbt models.")
    duckdb_path: Path | None = Field(None, description="DuckDB file; default <output_dir>/hospital.duckdb.")

    # --- snowflake (the connector's usual variable names) ------------------------------------------
    snowflake_account: str | None = Field(None, validation_alias=_env("SNOWFLAKE_ACCOUNT", "snowflake_account"))
    snowflake_user: str | None = Field(None, validation_alias=_env("SNOWFLAKE_USER", "snowflake_user"))
    snowflake_password: SecretStr | None = Field(
        None, validation_alias=_env("SNOWFLAKE_PASSWORD", "snowflake_password")
    )
    snowflake_role: str | None = Field(None, validation_alias=_env("SNOWFLAKE_ROLE", "snowflake_role"))
    snowflake_warehouse: str | None = Field(None, validation_alias=_env("SNOWFLAKE_WAREHOUSE", "snowflake_warehouse"))
    snowflake_database: str | None = Field(None, validation_alias=_env("SNOWFLAKE_DATABASE", "snowflake_database"))
    snowflake_authenticator: str | None = Field(
        None, validation_alias=_env("SNOWFLAKE_AUTHENTICATOR", "snowflake_authenticator")
    )
    snowflake_private_key_file: Path | None = Field(
        None, validation_alias=_env("SNOWFLAKE_PRIVATE_KEY_FILE", "snowflake_private_key_file")
    )
    snowflake_private_key_file_pwd: SecretStr | None = Field(
        None, validation_alias=_env("SNOWFLAKE_PRIVATE_KEY_FILE_PWD", "snowflake_private_key_file_pwd")
    )
    snowflake_connection_name: str | None = Field(
        None, validation_alias=_env("SNOWFLAKE_CONNECTION_NAME", "snowflake_connection_name")
    )
    snowflake_host: str | None = Field(None, validation_alias=_env("SNOWFLAKE_HOST", "snowflake_host"))
    snowflake_port: int | None = Field(None, gt=0, lt=65536, validation_alias=_env("SNOWFLAKE_PORT", "snowflake_port"))
    snowflake_protocol: Literal["https", "http"] | None = Field(
        None, validation_alias=_env("SNOWFLAKE_PROTOCOL", "snowflake_protocol")
    )
    snowflake_login_timeout: int = Field(
        20, gt=0, le=3600, description="Seconds before an unreachable Snowflake account fails."
    )
    snowflake_stage: str = Field("HOSPITAL_STAGE", description="Internal stage used by load.")
    snowflake_file_format: str = Field("HOSPITAL_CSV", description="Named file format used by load.")

    # --- transform --------------------------------------------------------------------------------
    dbt_threads: int = Field(4, gt=0, le=64, description="dbt threads.")

    # --- analyze / export -------------------------------------------------------------------------
    chart_format: Literal["png", "svg", "both"] = Field("png", description="Chart image format(s).")
    export_format: Literal["csv", "parquet", "hyper", "all"] = Field("all", description="Export format(s).")

    @field_validator("output_dir", "duckdb_path")
    @classmethod
    def _usable_path(cls, value: Path | None) -> Path | None:
        # The OS refuses longer names (ENAMETOOLONG) in every step: say so here, once, as a setting error.
        if value is not None:
            long = [part for part in value.parts if len(os.fsencode(part)) > NAME_MAX]
            if long:
                raise ValueError(f"the name {long[0][:24]}... is longer than {NAME_MAX} bytes")
            if len(os.fsencode(str(value))) >= PATH_MAX:
                raise ValueError(f"the path is longer than {PATH_MAX - 1} bytes")
        return value

    @field_validator("start", "end", mode="before")
    @classmethod
    def _empty_date_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value == "en_US":  # the default: skip importing Faker's locale list at start-up
            return value
        from faker.config import AVAILABLE_LOCALES

        if value not in AVAILABLE_LOCALES:
            raise ValueError(f"unknown locale {value!r} (try en_US, en_GB, de_DE, fr_FR)")
        return value

    @field_validator(
        "analytics_db",
        "raw_schema",
        "analytics_schema",
        "snowflake_database",
        "snowflake_role",
        "snowflake_warehouse",
        "snowflake_stage",
        "snowflake_file_format",
    )
    @classmethod
    def _identifier(cls, value: str | None) -> str | None:
        if value is not None and not _IDENTIFIER.match(value):
            raise ValueError(
                f"{value!r} is not a valid identifier (letters, digits, _ and $; starting with a letter or _)"
            )
        return value

    @model_validator(mode="after")
    def _window(self) -> Settings:
        start, end = self.start, self.end
        if start is None and end is None:
            end = REFERENCE_END
        if start is None:
            start = default_start(end)
        if end is None:
            end = _add_months(start, DEFAULT_WINDOW_MONTHS) - dt.timedelta(days=1)
        if start > end:
            raise ValueError(f"--start/--end: end {end} is before start {start}")
        if (end - start).days + 1 < MIN_WINDOW_DAYS:
            raise ValueError(f"--start/--end: the window {start}..{end} is shorter than {MIN_WINDOW_DAYS} days")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        return self

    # --- derived values ---------------------------------------------------------------------------
    @property
    def layout(self) -> OutputLayout:
        return OutputLayout(self.output_dir)

    @property
    def database(self) -> str:
        """Database name: SNOWFLAKE_DATABASE overrides HOSPITAL_ANALYTICS_DB on Snowflake."""
        if self.warehouse == "snowflake" and self.snowflake_database:
            return self.snowflake_database
        return self.analytics_db

    @property
    def duckdb_file(self) -> Path:
        return self.duckdb_path or self.layout.duckdb

    @property
    def scaled_counts(self) -> tuple[int, int, int]:
        """(patients, doctors, hospitalizations) after ``scale``; each at least 1."""
        return tuple(max(1, round(n * self.scale)) for n in (self.patients, self.doctors, self.hospitalizations))

    def public_dict(self) -> dict[str, Any]:
        """Settings as JSON-safe values, secrets masked."""
        out = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                value = "**********" if value.get_secret_value() else ""
            elif isinstance(value, (Path, dt.date)):
                value = str(value)
            out[name] = value
        return out


# Fields that also have a CLI flag (the rest are set by environment variable or .env only).
_FLAGS = {
    "output_dir": "--out",
    "patients": "--patients",
    "doctors": "--doctors",
    "hospitalizations": "--hospitalizations",
    "scale": "--scale",
    "seed": "--seed",
    "start": "--start",
    "end": "--end",
    "locale": "--locale",
    "format": "--format",
    "warehouse": "--warehouse",
    "chart_format": "--chart-format",
    "export_format": "--format",
}


def env_name(field: str) -> str:
    """The environment variable that sets ``field``."""
    info = Settings.model_fields[field]
    if info.validation_alias is not None:
        return info.validation_alias.choices[0]
    return f"HOSPITAL_{field.upper()}"


def _field_named(loc: str) -> str:
    """The field a validation error's location names (a field name or one of its aliases)."""
    for name, info in Settings.model_fields.items():
        if name == loc or (info.validation_alias is not None and loc in info.validation_alias.choices):
            return name
    return loc


def _setting_names(field: str) -> str:
    if field not in Settings.model_fields:
        return field
    flag = _FLAGS.get(field)
    return f"{flag} / {env_name(field)}" if flag else env_name(field)


def load_settings(**overrides: Any) -> Settings:
    """Build ``Settings`` from the environment, ``.env`` and ``overrides`` (``None`` values are ignored).

    Args:
        **overrides: setting values that win over the environment and ``.env`` (the CLI's flags).

    Returns:
        Settings: the validated settings.

    Raises:
        ConfigError: a value is invalid; the message names the flag and environment variable.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = _field_named(str(error["loc"][0])) if error["loc"] else ""
        reason = str(error["msg"]).removeprefix("Value error, ")
        if field:
            names = _setting_names(field)
            value = error.get("input")
            secret = "password" in field or "pwd" in field or isinstance(value, dict)
            shown = "" if secret else f" (got {value!r})"
            message = f"Invalid {names}{shown}: {reason}."
        else:
            message = f"Invalid {reason}."
        raise ConfigError(message, "Fix the value (see `hospital --help` and .env.example).") from None


def resolve_settings(settings: Settings | None = None, **overrides: Any) -> Settings:
    """The settings a library step runs with: ``settings`` (or the environment's) with ``overrides`` applied.

    Raises:
        ConfigError: an override is invalid.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    if settings is None:
        return load_settings(**given)
    if not given:
        return settings
    return load_settings(**{**settings.model_dump(), **given})
