"""Identifiers at the SQL boundary: every name that comes from configuration is checked, then quoted.

``config.Settings`` already refuses invalid database, schema, stage, file format, warehouse and role names;
this module checks them a second time right where they are put into SQL, so a value that slipped past
(``Settings.model_construct``, a caller building names itself) is refused before any statement runs.

Accepted: the unquoted-identifier shape both warehouses share, ``[A-Za-z_][A-Za-z0-9_$]*`` (up to 255
characters). Such a name means the same thing quoted or unquoted once it is upper-cased on Snowflake,
so quoting never changes which object a user's setting names.
"""

from __future__ import annotations

import re

from hospital_analytics.errors import ConfigError

IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,254}")

# SQL types a raw column may declare (schema.py): a word, optionally with (precision[, scale]).
SQL_TYPE_RE = re.compile(r"[A-Z][A-Z ]{0,30}(\(\d{1,3}(,\s?\d{1,3})?\))?")


def check_identifier(value: object, setting: str) -> str:
    """Return ``value`` if it is a valid identifier, else raise ``ConfigError`` naming ``setting``.

    Args:
        value: the configured name.
        setting: how the user sets it (e.g. ``"HOSPITAL_RAW_SCHEMA"``), named in the message.

    Raises:
        ConfigError: the value is empty, not a string, or not a plain identifier (``x; drop table y``).
    """
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{setting} is not set.", f"Set {setting} to a name made of letters, digits, _ and $.")
    if not IDENTIFIER_RE.fullmatch(value):
        raise ConfigError(
            f"{setting} {value[:60]!r} is not a valid identifier "
            "(letters, digits, _ and $; starting with a letter or _).",
            f"Fix {setting}; names are quoted in SQL, so only plain identifiers are accepted.",
        )
    return value


def quote(value: str, setting: str = "identifier", *, upper: bool = False) -> str:
    """Check ``value`` and return it double-quoted (upper-cased first when ``upper``, as Snowflake does)."""
    name = check_identifier(value, setting)
    if upper:
        name = name.upper()
    return f'"{name}"'


def check_sql_type(sql_type: str) -> str:
    """A column type from schema.py, checked before it is put into DDL."""
    if not SQL_TYPE_RE.fullmatch(sql_type):
        raise ConfigError(f"Column type {sql_type!r} is not a plain SQL type.", "Fix schema.RAW_COLUMNS.")
    return sql_type


def string_literal(value: str) -> str:
    """A single-quoted SQL string literal (quotes doubled; NUL refused)."""
    if "\x00" in value:
        raise ConfigError("A path or value contains a NUL character.", "Use another path.")
    return "'" + value.replace("'", "''") + "'"
