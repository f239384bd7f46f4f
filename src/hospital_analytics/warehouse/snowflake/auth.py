"""Snowflake authentication: the connector's keyword arguments from ``SnowflakeSettings``, and named connections.

Connecting (first match wins):

1. ``SNOWFLAKE_CONNECTION_NAME``: a named connection from the connector's ``connections.toml``
   (``~/.snowflake/`` or ``$SNOWFLAKE_HOME``); any ``SNOWFLAKE_*`` value that is set overrides its field;
2. key pair: ``SNOWFLAKE_PRIVATE_KEY_FILE`` (PEM, PKCS#8 or traditional) and, when it is encrypted,
   ``SNOWFLAKE_PRIVATE_KEY_FILE_PWD``; the key is read here with ``cryptography``;
3. ``SNOWFLAKE_AUTHENTICATOR`` (``externalbrowser``, ``oauth``, ``username_password_mfa``, an Okta URL, ...),
   with ``SNOWFLAKE_PASSWORD`` when that authenticator wants one;
4. password: ``SNOWFLAKE_PASSWORD``.

``SNOWFLAKE_ACCOUNT`` and ``SNOWFLAKE_USER`` are required outside a named connection (the user may be
left out with an authenticator); ``SNOWFLAKE_ROLE`` and ``SNOWFLAKE_WAREHOUSE`` are used when set;
``SNOWFLAKE_HOST``/``SNOWFLAKE_PORT``/``SNOWFLAKE_PROTOCOL`` pass through.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hospital_analytics.errors import ConfigError
from hospital_analytics.warehouse.common import one_line
from hospital_analytics.warehouse.identifiers import check_identifier
from hospital_analytics.warehouse.snowflake.settings import SnowflakeSettings, secret

AUTH_HINT = (
    "Set SNOWFLAKE_PASSWORD, or use a key pair (SNOWFLAKE_PRIVATE_KEY_FILE, SNOWFLAKE_PRIVATE_KEY_FILE_PWD), "
    "SNOWFLAKE_AUTHENTICATOR (e.g. externalbrowser) or SNOWFLAKE_CONNECTION_NAME; see .env.example."
)


def load_private_key(path: Path, passphrase: str | None) -> bytes:
    """The private key in ``path`` as unencrypted PKCS#8 DER bytes, as the connector wants it.

    Raises:
        ConfigError: the file is missing or unreadable, not a PEM/DER private key, encrypted while no
            passphrase is set, or the passphrase does not decrypt it.
    """
    from cryptography.hazmat.primitives import serialization

    path = Path(path).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"SNOWFLAKE_PRIVATE_KEY_FILE {path} cannot be read: {exc.strerror or exc}.",
            "Point SNOWFLAKE_PRIVATE_KEY_FILE at your PEM private key file.",
        ) from None
    password = passphrase.encode() if passphrase else None
    loader = serialization.load_pem_private_key if b"-----BEGIN" in data else serialization.load_der_private_key
    try:
        key = loader(data, password=password)
    except TypeError:
        if password is None:
            raise ConfigError(
                f"SNOWFLAKE_PRIVATE_KEY_FILE {path} is encrypted but SNOWFLAKE_PRIVATE_KEY_FILE_PWD is not set.",
                "Set SNOWFLAKE_PRIVATE_KEY_FILE_PWD to the key's passphrase.",
            ) from None
        raise ConfigError(
            f"SNOWFLAKE_PRIVATE_KEY_FILE {path} is not encrypted, but SNOWFLAKE_PRIVATE_KEY_FILE_PWD is set.",
            "Unset SNOWFLAKE_PRIVATE_KEY_FILE_PWD.",
        ) from None
    except ValueError:
        if password is not None:
            raise ConfigError(
                f"SNOWFLAKE_PRIVATE_KEY_FILE_PWD does not decrypt SNOWFLAKE_PRIVATE_KEY_FILE {path} "
                "(wrong passphrase, or not a private key).",
                "Check SNOWFLAKE_PRIVATE_KEY_FILE_PWD and SNOWFLAKE_PRIVATE_KEY_FILE.",
            ) from None
        raise ConfigError(
            f"SNOWFLAKE_PRIVATE_KEY_FILE {path} is not a PEM or DER private key.",
            "Point SNOWFLAKE_PRIVATE_KEY_FILE at the private key (rsa_key.p8), not the public key.",
        ) from None
    except Exception as exc:  # cryptography's UnsupportedAlgorithm and friends
        raise ConfigError(
            f"SNOWFLAKE_PRIVATE_KEY_FILE {path} cannot be used: {one_line(exc, [passphrase])}.",
            "Use an RSA private key in PEM format (see Snowflake's key-pair authentication guide).",
        ) from None
    return key.private_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def connect_kwargs(sf: SnowflakeSettings) -> dict[str, Any]:
    """Keyword arguments for ``snowflake.connector.connect`` from the settings (secrets included).

    Raises:
        ConfigError: a required setting is missing (the message names it) or the private key is unusable.
    """
    kwargs: dict[str, Any] = {"login_timeout": sf.login_timeout}
    for key, value, setting in (
        ("role", sf.role, "SNOWFLAKE_ROLE"),
        ("warehouse", sf.warehouse, "SNOWFLAKE_WAREHOUSE"),
    ):
        if value:
            kwargs[key] = check_identifier(value, setting)
    passthrough: dict[str, Any] = {"host": sf.host, "port": sf.port, "protocol": sf.protocol}
    kwargs.update({key: value for key, value in passthrough.items() if value})
    if sf.account:
        kwargs["account"] = sf.account
    if sf.user:
        kwargs["user"] = sf.user
    password = secret(sf.password)
    passphrase = secret(sf.private_key_file_pwd)

    if sf.connection_name:
        kwargs["connection_name"] = sf.connection_name
        home = os.environ.get("SNOWFLAKE_HOME")
        if home and (Path(home).expanduser() / "connections.toml").is_file():
            kwargs["connections_file_path"] = Path(home).expanduser() / "connections.toml"
    else:
        if not sf.account:
            raise ConfigError(
                "SNOWFLAKE_ACCOUNT is not set.",
                "Set SNOWFLAKE_ACCOUNT (orgname-accountname), "
                "or SNOWFLAKE_CONNECTION_NAME for a connections.toml entry.",
            )
        if not sf.user and not sf.authenticator:
            raise ConfigError("SNOWFLAKE_USER is not set.", "Set SNOWFLAKE_USER to your Snowflake login name.")

    if sf.private_key_file:
        kwargs["private_key"] = load_private_key(sf.private_key_file, passphrase)
        kwargs["authenticator"] = "SNOWFLAKE_JWT"
    elif sf.authenticator:
        kwargs["authenticator"] = sf.authenticator
        if password:
            kwargs["password"] = password
    elif password:
        kwargs["password"] = password
    elif not sf.connection_name:
        raise ConfigError("SNOWFLAKE_PASSWORD is not set.", AUTH_HINT)
    return kwargs


def named_connection(name: str) -> dict[str, Any]:
    """The ``connections.toml`` entry the connector would use for ``name``, keys in lower case (dbt has no
    such field, so its profile gets the entry's values).

    Raises:
        ConfigError: the file cannot be read, or has no connection ``name``.
    """
    try:
        from snowflake.connector.config_manager import CONFIG_MANAGER

        connections: Any = CONFIG_MANAGER["connections"]
    except Exception as exc:  # the connector's own parse errors
        raise ConfigError(
            f"Cannot read the Snowflake connections file for SNOWFLAKE_CONNECTION_NAME={name!r}: {exc}.",
            "Check connections.toml (in SNOWFLAKE_HOME or ~/.snowflake), or set the SNOWFLAKE_* fields instead.",
        ) from None
    if name not in connections:
        raise ConfigError(
            f"SNOWFLAKE_CONNECTION_NAME={name!r} is not in the Snowflake connections file.",
            "Add it to connections.toml (in SNOWFLAKE_HOME or ~/.snowflake), or set the SNOWFLAKE_* fields instead.",
        )
    return {str(key).lower(): value for key, value in dict(connections[name]).items()}
