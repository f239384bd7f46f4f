"""Settings: every option from ``HOSPITAL_*`` (and ``SNOWFLAKE_*``) environment variables, a ``.env`` file
and keyword arguments (the CLI's flags), keywords winning.

``Settings()`` reads the environment and ``./.env``; keyword arguments override both. Snowflake's fields are a
``SnowflakeSettings`` of their own (``settings.snowflake``, owned by ``warehouse/snowflake``). ``load_settings``
turns pydantic's validation errors into one-line ``ConfigError`` messages that name the environment variable
(and the flag, when the CLI says which flag sets the field).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from dotenv import dotenv_values
from pydantic import AliasChoices, Field, SecretStr, TypeAdapter, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from hospital_analytics.errors import ConfigError
from hospital_analytics.layout import OutputLayout
from hospital_analytics.setting_types import Choice, Identifier
from hospital_analytics.warehouse.snowflake.settings import SnowflakeSettings

# Reference date the default window ends on: fixed, never "today", so a seed always reproduces.
REFERENCE_END = dt.date(2025, 12, 31)
DEFAULT_WINDOW_MONTHS = 24
DEFAULT_SEED = 42
# DuckDB's memory limit for transform's dbt connections (HOSPITAL_DUCKDB_MEMORY_LIMIT), also profiles.yml's default:
# DuckDB's own share of RAM, now explicit. Lower is not safe by default: at 10M stays the dashboard marts (window
# functions, 4 dbt threads at once) fail with 2GB and 3GB; 25% of 24 GiB passes (docs/scaling.md).
DUCKDB_MEMORY_LIMIT = "80%"
MIN_WINDOW_DAYS = 31  # 30-day readmissions need a month of follow-up
NAME_MAX, PATH_MAX = 255, 4096  # bytes: longest file name and path (Linux, macOS)
SNOWFLAKE_PREFIX = "snowflake_"  # flat keywords for settings.snowflake's fields: snowflake_account=...
NESTED: dict[str, type[BaseSettings]] = {"snowflake": SnowflakeSettings}  # Settings fields that are models
_DATE = TypeAdapter(dt.date)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


_UNPARSED: Any = object()


def _parse_date(value: Any) -> Any:
    """A date from what a setting holds; None when empty, ``_UNPARSED`` when not a date."""
    if value in (None, ""):
        return None
    try:
        return _DATE.validate_python(value)
    except ValidationError:
        return _UNPARSED


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it): the default of ``jobs``
    for the steps that use every core."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_start(end: dt.date) -> dt.date:
    """First day of the month 23 months before ``end``'s month: a 24-month window."""
    return _add_months(end, -(DEFAULT_WINDOW_MONTHS - 1))


class Settings(BaseSettings):
    """All of hospital-analytics' settings. See ``.env.example`` for one line on each.

    Args:
        **values: any field below by name (``output_dir``, ``patients``, ``hospitalizations``, ``seed``,
            ``warehouse``, ...), and Snowflake's either as ``snowflake=SnowflakeSettings(...)`` or flat
            (``snowflake_account="..."``); fields not given come from ``HOSPITAL_*`` / ``SNOWFLAKE_*``
            environment variables, then ``./.env``, then the defaults. ``format`` is the old name of
            ``raw_format`` and still accepted.

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
    hospitalizations: int = Field(
        1_000, gt=0, le=1_000_000_000, description="Hospital stays per 24 months (a rate: the window sets the count)."
    )
    hospitals: int | None = Field(None, gt=0, le=60_000, description="Hospitals (default: as many as the stays need).")
    scale: float = Field(1.0, gt=0, le=100_000, description="Multiplies patients, doctors and stays.")
    jobs: int | None = Field(
        None,
        gt=0,
        le=1024,
        description="Processes of generate (default: every core from 2M stays), analyze (every core); same bytes.",
    )
    seed: int = Field(DEFAULT_SEED, ge=0, le=2**63 - 1, description="Random seed; same seed, same bytes.")
    # start/end: no default, yet either may be left out: ``_window`` fills them before fields are validated.
    start: dt.date = Field(description="First day of the simulated window (YYYY-MM-DD).")
    end: dt.date = Field(description="Last day of the simulated window (YYYY-MM-DD).")
    locale: str = Field("en_US", description="Faker locale for names and places.")
    raw_format: Annotated[Literal["csv", "parquet", "both"], Choice] = Field(
        "csv", validation_alias="HOSPITAL_FORMAT", description="Raw file format(s)."
    )
    # --- the daily feed (docs/design/feed.md): part of the simulation's saved shape ----------------------
    feed_late_share: float = Field(0.03, ge=0, le=0.5, description="Share of feed events recorded hours to days late.")
    feed_correction_share: float = Field(0.01, ge=0, le=0.5, description="Share of admits and discharges corrected.")
    feed_cancel_share: float = Field(0.005, ge=0, le=0.5, description="Share of stays sent a transfer then cancelled.")
    # --- dirty data on purpose (docs/design/defects.md): part of the saved shape when not none -----------
    defects: str = Field(
        "none",
        min_length=1,
        description="Defect profile: none, light, realistic, chaos, or a .toml/.yaml file of class rates.",
    )

    # --- warehouse --------------------------------------------------------------------------------
    warehouse: Annotated[Literal["duckdb", "snowflake"], Choice] = Field("duckdb", description="Warehouse to use.")
    analytics_db: Identifier = Field("HOSPITAL_ANALYTICS_DB", description="Database name (HOSPITAL_ANALYTICS_DB).")
    raw_schema: Identifier = Field("RAW", description="Schema for loaded tables.")
    analytics_schema: Identifier = Field("ANALYTICS", description="Schema for dbt models.")
    duckdb_path: Path | None = Field(None, description="DuckDB file; default <output_dir>/hospital.duckdb.")
    # DuckDB's memory for dbt (transform): its buffer pool grows to the limit before it spills to disk (5.1 GiB
    # of RSS at 10M stays with 80%). A DuckDB size or a share of RAM.
    duckdb_memory_limit: str = Field(
        DUCKDB_MEMORY_LIMIT,
        pattern=r"(?i)^\s*\d+(\.\d+)?\s*(%|[kmgt]i?b)\s*$",
        description="DuckDB memory limit while dbt builds (e.g. 2GB, 512MiB, 25%; spills to disk beyond).",
    )
    duckdb_threads: int | None = Field(
        None, gt=0, le=256, description="DuckDB threads while dbt builds (default: cores)."
    )
    snowflake: SnowflakeSettings = Field(default_factory=SnowflakeSettings, description="SNOWFLAKE_*.")

    # --- transform --------------------------------------------------------------------------------
    dbt_threads: int = Field(4, gt=0, le=64, description="dbt threads.")
    # Your own project (``hospital init``); unset: ./dbt_project or ./tableau made by init, else the packaged ones.
    dbt_project_dir: Path | None = Field(None, description="dbt project to build (a folder with dbt_project.yml).")
    dashboard_spec: Path | None = Field(None, description="Tableau dashboard spec (dashboard.json) export reads.")

    # --- analyze / export -------------------------------------------------------------------------
    chart_format: Annotated[Literal["png", "svg", "both"], Choice] = Field("png", description="Chart format(s).")
    export_format: Annotated[Literal["csv", "parquet", "hyper", "all"], Choice] = Field(
        "all", description="Export format(s)."
    )

    def __init__(self, **values: Any) -> None:
        # Flat Snowflake keywords (snowflake_account=...) become settings.snowflake; its other fields still come
        # from SNOWFLAKE_* and .env. Built here, outside validation, so its own errors stay pydantic's.
        flat = {
            key[len(SNOWFLAKE_PREFIX) :]: values.pop(key) for key in list(values) if key.startswith(SNOWFLAKE_PREFIX)
        }
        if flat:
            given = values.get("snowflake")
            base = given.model_dump() if isinstance(given, SnowflakeSettings) else dict(given or {})
            values["snowflake"] = SnowflakeSettings(**{**base, **flat})
        if "format" in values:  # the old keyword, e.g. generate(format="both")
            values["raw_format"] = values.pop("format")
        super().__init__(**values)

    @field_validator("output_dir", "duckdb_path")
    @classmethod
    def _usable_path(cls, value: Path | None) -> Path | None:
        # ``~`` and ``~/...`` mean the home folder, as in a shell (a .env value is never expanded by one).
        if value is not None and (value.parts[:1] == ("~",)):
            value = value.expanduser()
        # The OS refuses longer names (ENAMETOOLONG) in every step: say so here, once, as a setting error.
        if value is not None:
            long = [part for part in value.parts if len(os.fsencode(part)) > NAME_MAX]
            if long:
                raise ValueError(f"the name {long[0][:24]}... is longer than {NAME_MAX} bytes")
            if len(os.fsencode(str(value))) >= PATH_MAX:
                raise ValueError(f"the path is longer than {PATH_MAX - 1} bytes")
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value == "en_US":  # the default: skip importing Faker's locale list at start-up
            return value
        from faker.config import AVAILABLE_LOCALES

        if value not in AVAILABLE_LOCALES:
            raise ValueError(f"unknown locale {value!r} (try en_US, en_GB, de_DE, fr_FR)")
        return value

    @model_validator(mode="before")
    @classmethod
    def _window(cls, data: Any) -> Any:
        """Fill whichever of start/end is missing (24 months, ending 2025-12-31 when both are), then check the
        window. A value that is not a date is left for the field's own validation to report."""
        if not isinstance(data, dict):
            return data
        parsed = {key: _parse_date(data.get(key)) for key in ("start", "end")}
        if any(value is _UNPARSED for value in parsed.values()):  # the field reports it; the other one defaults
            return {
                **data,
                "start": data.get("start") or default_start(REFERENCE_END),
                "end": data.get("end") or REFERENCE_END,
            }
        start, end = parsed["start"], parsed["end"]
        if start is None:
            end = end or REFERENCE_END
            start = default_start(end)
        elif end is None:
            end = _add_months(start, DEFAULT_WINDOW_MONTHS) - dt.timedelta(days=1)
        if start > end:
            raise PydanticCustomError("window", f"end {end} is before start {start}", {"fields": ("start", "end")})
        if (end - start).days + 1 < MIN_WINDOW_DAYS:
            raise PydanticCustomError(
                "window",
                f"the window {start}..{end} is shorter than {MIN_WINDOW_DAYS} days",
                {"fields": ("start", "end")},
            )
        return {**data, "start": start, "end": end}

    # --- derived values ---------------------------------------------------------------------------
    @property
    def layout(self) -> OutputLayout:
        return OutputLayout(self.output_dir)

    @property
    def duckdb_file(self) -> Path:
        return self.duckdb_path or self.layout.duckdb

    def public_dict(self) -> dict[str, Any]:
        """Settings as JSON-safe values, Snowflake's as ``snowflake_<field>``, secrets masked."""
        values = self.model_dump(exclude={"snowflake"})
        values.update({f"{SNOWFLAKE_PREFIX}{k}": v for k, v in self.snowflake.model_dump().items()})
        out = {}
        for name, value in values.items():
            if isinstance(value, SecretStr):
                value = "**********" if value.get_secret_value() else ""
            elif isinstance(value, (Path, dt.date)):
                value = str(value)
            out[name] = value
        return out

    def secrets(self) -> list[str]:
        """Every secret value that is set, to blank out of messages (dbt's, the connector's)."""
        return self.snowflake.secrets()

    @property
    def scaled_counts(self) -> tuple[int, int, int]:
        """(patients, doctors, hospitalizations) after ``scale``; each at least 1."""
        patients, doctors, stays = (
            max(1, round(n * self.scale)) for n in (self.patients, self.doctors, self.hospitalizations)
        )
        return patients, doctors, stays


def _model_field(title: str, loc: tuple[Any, ...]) -> tuple[type[BaseSettings], str] | None:
    """(model, field) a validation error names: its model (``title``) and location (a field name or one of its
    aliases), in ``Settings`` or in the nested ``SnowflakeSettings``."""
    if not loc:
        return None
    if title == SnowflakeSettings.__name__:  # raised by SnowflakeSettings itself (its own variables)
        return _model_field_in(SnowflakeSettings, str(loc[0]))
    if len(loc) > 1 and str(loc[0]) in NESTED:  # a nested model's field, given as Settings(snowflake={...})
        return _model_field_in(NESTED[str(loc[0])], str(loc[1]))
    return _model_field_in(Settings, str(loc[0]))


def _model_field_in(model: type[BaseSettings], loc: str) -> tuple[type[BaseSettings], str] | None:
    for name, info in model.model_fields.items():
        alias = info.validation_alias
        aliases = alias.choices if isinstance(alias, AliasChoices) else [alias] if alias else []
        if loc == name or loc in aliases:
            return model, name
    return None


def env_name(field: str, model: type[BaseSettings] | None = None) -> str:
    """The environment variable that sets ``field`` of ``Settings`` (or of ``model``, e.g. ``SnowflakeSettings``)."""
    model = model or Settings
    alias = model.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    if isinstance(alias, str):
        return alias
    return f"{model.model_config.get('env_prefix', '')}{field}".upper()


def _names(model: type[BaseSettings], field: str, flags: Mapping[str, str] | None) -> str:
    """How a user sets ``field``: "--flag / VARIABLE" (the CLI's flags), the variable alone when no flag sets it;
    for the library (``flags`` None), "`keyword` / VARIABLE"."""
    if flags is None and model is Settings:
        return f"`{field}` / {env_name(field, model)}"
    flag = (flags or {}).get(field) if model is Settings else None
    return f"{flag} / {env_name(field, model)}" if flag else env_name(field, model)


def from_env_file(s: Settings) -> set[str]:
    """Fields of ``s`` whose value is the one ``./.env`` gives: not set in the environment, and equal to what
    ``.env`` alone would give (a flag or keyword that changed it is not counted)."""
    dotenv = Path(".env")
    if not dotenv.is_file():
        return set()
    try:
        named = {key.upper() for key in dotenv_values(dotenv)}
        fresh = Settings()
    except (UnicodeDecodeError, ValidationError):
        return set()
    environ = {key.upper() for key in os.environ}
    return {
        field
        for field in s.model_fields_set
        if env_name(field).upper() in named - environ and getattr(s, field) == getattr(fresh, field)
    }


def load_settings(*, flags: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build ``Settings`` from the environment, ``.env`` and ``overrides`` (``None`` values are ignored).

    Args:
        flags: field name -> the command-line flag that sets it (the CLI's), named in messages beside the variable.
        **overrides: setting values that win over the environment and ``.env`` (the CLI's flags).

    Returns:
        Settings: the validated settings.

    Raises:
        ConfigError: a value is invalid; the message names the environment variable (and flag).
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except UnicodeDecodeError as exc:  # pydantic-settings reading ./.env
        raise ConfigError(
            f"{Path('.env').absolute()} is not valid UTF-8 (byte {exc.object[exc.start : exc.start + 1]!r} at "
            f"offset {exc.start}).",
            "Save .env as UTF-8 (or remove the odd character), then run again.",
        ) from None
    except ValidationError as exc:
        error = exc.errors()[0]
        reason = str(error["msg"]).removeprefix("Value error, ")
        pair = (error.get("ctx") or {}).get("fields")
        found = _model_field(exc.title, tuple(error["loc"]))
        if pair:  # a rule between fields (the window): "--start/--end: ..."
            names = "/".join(
                (flags or {}).get(field) or (f"`{field}`" if flags is None else env_name(field)) for field in pair
            )
            message = f"Invalid {names}: {reason}."
        elif found:
            model, field = found
            value = error.get("input")
            secret = "password" in field or "pwd" in field or isinstance(value, dict)
            shown = "" if secret else f" (got {value!r})"
            message = f"Invalid {_names(model, field, flags)}{shown}: {reason}."
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
    # Only what was set carries over: a size left unset still follows from the simulation.
    return load_settings(**{**settings.model_dump(exclude_unset=True), **given})
