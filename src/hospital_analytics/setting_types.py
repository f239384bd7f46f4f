"""Field types shared by ``Settings`` and ``SnowflakeSettings``: choices and identifiers, checked in one place.

- ``Choice``: a ``Literal`` of lower-case words read case-insensitively (``DuckDB``, `` parquet `` both pass),
  for every setting that picks one of a few values;
- ``Identifier``: a database, schema, stage, role or warehouse name, refused unless it is a plain identifier
  (``warehouse.identifiers`` checks it again where it is put into SQL).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from hospital_analytics.warehouse.identifiers import IDENTIFIER_RE


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _identifier(value: str) -> str:
    if not IDENTIFIER_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid identifier (letters, digits, _ and $; starting with a letter or _)")
    return value


# Usage: ``warehouse: Annotated[Literal["duckdb", "snowflake"], Choice]``.
Choice = BeforeValidator(_lower)
Identifier = Annotated[str, AfterValidator(_identifier)]
