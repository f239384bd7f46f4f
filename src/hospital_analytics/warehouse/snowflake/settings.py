"""``SnowflakeSettings``: how to reach Snowflake, from the connector's usual ``SNOWFLAKE_*`` variables.

Nested in ``Settings`` as ``settings.snowflake``. Fields read ``SNOWFLAKE_<FIELD>`` (``SNOWFLAKE_ACCOUNT``,
``SNOWFLAKE_PRIVATE_KEY_FILE``, ...) from the environment and ``./.env``; the three that belong to this
project rather than to the connector keep their ``HOSPITAL_SNOWFLAKE_*`` names (``SNOWFLAKE_*`` works too).
Every time limit the Snowflake side uses is a field here (``login_timeout``, ``network_timeout``), so there is one
place to set them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from hospital_analytics.setting_types import Choice, Identifier


def _ours(name: str) -> AliasChoices:
    """A field also settable as HOSPITAL_SNOWFLAKE_<NAME> (its name since the first release)."""
    return AliasChoices(f"HOSPITAL_SNOWFLAKE_{name.upper()}", f"SNOWFLAKE_{name.upper()}")


class SnowflakeSettings(BaseSettings):
    """Snowflake connection and load settings (``settings.snowflake``). See ``.env.example``.

    Args:
        **values: any field below by name; fields not given come from ``SNOWFLAKE_*`` variables, ``./.env``,
            then the defaults.

    Raises:
        pydantic.ValidationError: a value is invalid (``config.load_settings`` names the variable).
    """

    model_config = SettingsConfigDict(
        env_prefix="SNOWFLAKE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
        populate_by_name=True,
    )

    account: str | None = Field(None, description="Account identifier (orgname-accountname).")
    user: str | None = Field(None, description="Login name.")
    password: SecretStr | None = Field(None, description="Password (or another authenticator's secret).")
    role: Identifier | None = Field(None, description="Role to use.")
    warehouse: Identifier | None = Field(None, description="Virtual warehouse that runs the queries.")
    database: Identifier | None = Field(None, description="Database; overrides HOSPITAL_ANALYTICS_DB.")
    authenticator: str | None = Field(None, description="externalbrowser, oauth, an Okta URL, ...")
    private_key_file: Path | None = Field(None, description="Key-pair authentication: the private key (PEM).")
    private_key_file_pwd: SecretStr | None = Field(None, description="Passphrase of an encrypted private key.")
    connection_name: str | None = Field(None, description="A named connection of connections.toml.")
    host: str | None = Field(None, description="Host (private link, local test servers).")
    port: int | None = Field(None, gt=0, lt=65536, description="Port, with host.")
    protocol: Annotated[Literal["https", "http"], Choice] | None = Field(None, description="Protocol, with host.")
    login_timeout: int = Field(
        20,
        gt=0,
        le=3600,
        validation_alias=_ours("login_timeout"),
        description="Seconds before an unreachable or silent account fails (also bounds a statement's retries).",
    )
    network_timeout: int = Field(
        60,
        gt=0,
        le=3600,
        validation_alias=_ours("network_timeout"),
        description="Seconds a request may wait for an answer once logged in (Snowflake holds one up to 45 s).",
    )
    stage: Identifier = Field("HOSPITAL_STAGE", validation_alias=_ours("stage"), description="Stage used by load.")
    file_format: Identifier = Field(
        "HOSPITAL_CSV", validation_alias=_ours("file_format"), description="Named file format used by load."
    )

    def secrets(self) -> list[str]:
        """The secret values that are set, to blank them out of any message."""
        return [value for value in (secret(self.password), secret(self.private_key_file_pwd)) if value]


def secret(value: SecretStr | None) -> str | None:
    """A secret's text, or None when it is unset or empty."""
    return value.get_secret_value() or None if value is not None else None
