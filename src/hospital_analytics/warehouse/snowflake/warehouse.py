"""Snowflake as a ``Warehouse``, through ``snowflake-connector-python``: connection, statements, queries. How it
logs in is ``auth.py``; loading (stage, ``PUT``, ``COPY INTO``, in one transaction) is ``bulk_load.py``.

Time limits (``network.py``): ``HOSPITAL_SNOWFLAKE_LOGIN_TIMEOUT`` bounds the login (an unreachable or silent
account fails in that many seconds) and how long a failing request is retried; ``HOSPITAL_SNOWFLAKE_NETWORK_TIMEOUT``
bounds the wait for each answer once logged in. dbt-snowflake's own connections get the same limits while dbt
runs (``dbt_connections``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hospital_analytics.errors import ConfigError, HospitalError, WarehouseError
from hospital_analytics.warehouse.common import (
    TableStats,
    arrow_to_df,
    batches_of,
    dbt_profile_env,
    normalise_arrow,
    one_line,
)
from hospital_analytics.warehouse.identifiers import check_identifier, quote, string_literal
from hospital_analytics.warehouse.snowflake.auth import connect_kwargs, named_connection
from hospital_analytics.warehouse.snowflake.files import CSV_CHUNK_BYTES, PARQUET_CHUNK_BYTES
from hospital_analytics.warehouse.snowflake.network import (
    UNREACHABLE_ERRNO,
    bounded_connections,
    reachability,
)
from hospital_analytics.warehouse.snowflake.network import connect as bounded_connect
from hospital_analytics.warehouse.snowflake.settings import secret
from hospital_analytics.warehouse.sources import SourceFile

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from hospital_analytics.config import Settings
    from hospital_analytics.exports.fanout import ExportReads
    from hospital_analytics.progress import Collector
    from hospital_analytics.warehouse.feed import FeedLoad


# --- the warehouse -------------------------------------------------------------------------------------
class SnowflakeWarehouse:
    """Snowflake as a ``Warehouse``; see the module docstring for authentication and loading."""

    name = "snowflake"

    native_export_formats: frozenset[str] = frozenset()  # every export streams Arrow batches

    def __init__(self, settings: Settings, *, read_only: bool = False):
        self.settings = settings
        self.sf = sf = settings.snowflake
        self.read_only = read_only  # nothing to do differently: a Snowflake reader never locks anyone out
        # Every configured identifier is checked before a connection or a statement is made. SNOWFLAKE_DATABASE
        # wins over HOSPITAL_ANALYTICS_DB.
        database_setting = "SNOWFLAKE_DATABASE" if sf.database else "HOSPITAL_ANALYTICS_DB"
        self.database = check_identifier(sf.database or settings.analytics_db, database_setting).upper()
        self.catalog = self.database
        self.raw_schema = check_identifier(settings.raw_schema, "HOSPITAL_RAW_SCHEMA").upper()
        self.analytics_schema = check_identifier(settings.analytics_schema, "HOSPITAL_ANALYTICS_SCHEMA").upper()
        self.stage = check_identifier(sf.stage, "HOSPITAL_SNOWFLAKE_STAGE").upper()
        self.file_format = check_identifier(sf.file_format, "HOSPITAL_SNOWFLAKE_FILE_FORMAT").upper()
        for value, setting in ((sf.role, "SNOWFLAKE_ROLE"), (sf.warehouse, "SNOWFLAKE_WAREHOUSE")):
            if value:
                check_identifier(value, setting)
        self.csv_chunk_bytes = CSV_CHUNK_BYTES
        self.parquet_chunk_bytes = PARQUET_CHUNK_BYTES
        self._secrets = sf.secrets()
        self._con: Any = None
        self._ensured = False

    # --- what the steps ask ---------------------------------------------------------------------------
    def check_settings(self) -> None:
        """Credentials and the private key, checked without connecting (``ConfigError``)."""
        connect_kwargs(self.sf)

    def ensure_exists(self) -> None:
        """Nothing to check before connecting: a missing database shows as missing tables."""

    def describe(self) -> str:
        sf = self.sf
        account = sf.account or sf.host or sf.connection_name or "?"
        return f"Snowflake account {account}, database {self.database}"

    def profile_env(self) -> dict[str, str | None]:
        """``profiles.yml``'s Snowflake fields; with ``SNOWFLAKE_CONNECTION_NAME``, the named connection's
        values fill those not set (dbt has no field for a named connection). A field that is not set is None:
        absent from dbt's environment, so the profile's default applies (``SNOWFLAKE_PORT=''`` is no port)."""
        sf = self.sf
        fields: dict[str, Any] = {
            "SNOWFLAKE_ACCOUNT": sf.account,
            "SNOWFLAKE_USER": sf.user,
            "SNOWFLAKE_PASSWORD": secret(sf.password),
            "SNOWFLAKE_AUTHENTICATOR": sf.authenticator,
            "SNOWFLAKE_PRIVATE_KEY_FILE": sf.private_key_file,
            "SNOWFLAKE_PRIVATE_KEY_FILE_PWD": secret(sf.private_key_file_pwd),
            "SNOWFLAKE_ROLE": sf.role,
            "SNOWFLAKE_WAREHOUSE": sf.warehouse,
            "SNOWFLAKE_DATABASE": sf.database or self.settings.analytics_db,
            "SNOWFLAKE_HOST": sf.host,
            "SNOWFLAKE_PORT": sf.port,
            "SNOWFLAKE_PROTOCOL": sf.protocol,
        }
        if sf.connection_name:
            named = named_connection(sf.connection_name)
            for variable in fields:
                key = variable.removeprefix("SNOWFLAKE_").lower()
                if not fields[variable] and named.get(key) not in (None, ""):
                    fields[variable] = named[key]
            if not sf.database and named.get("database"):
                fields["SNOWFLAKE_DATABASE"] = named["database"]
        env: dict[str, str | None] = dict(dbt_profile_env(self.settings))
        env.update({name: None if value in (None, "") else str(value) for name, value in fields.items()})
        return env

    def dbt_connections(self) -> contextlib.AbstractContextManager[None]:
        """dbt-snowflake's connections get this warehouse's time limits while dbt runs in this process."""
        return bounded_connections(self.sf, self._where(connect_kwargs(self.sf)))

    def profile_hint(self) -> str:
        return "HOSPITAL_WAREHOUSE=snowflake (with your SNOWFLAKE_* variables)"

    def dbt_error_hint(self, message: str) -> str | None:
        return None

    # --- connection --------------------------------------------------------------------------------
    def connect(self) -> None:
        if self._con is not None:
            return
        from snowflake.connector.errors import Error as SnowflakeError

        kwargs = connect_kwargs(self.sf)
        where = self._where(kwargs)
        try:
            self._con = bounded_connect(kwargs, self.sf, where)
        except SnowflakeError as exc:
            raise self._connect_error(exc, where, kwargs) from None
        except (OSError, ValueError) as exc:
            raise WarehouseError(f"Cannot connect to Snowflake at {where}: {one_line(exc, self._secrets)}.") from None

    def _where(self, kwargs: Mapping[str, Any]) -> str:
        if kwargs.get("host"):
            port = f":{kwargs['port']}" if kwargs.get("port") else ""
            return f"{kwargs['host']}{port}"
        if kwargs.get("account"):
            return f"account {kwargs['account']}"
        return f"connection {kwargs.get('connection_name')!r}"

    def _connect_error(self, exc: Exception, where: str, kwargs: Mapping[str, Any]) -> HospitalError:
        text = one_line(getattr(exc, "msg", None) or exc, self._secrets)
        errno = getattr(exc, "errno", None)
        sf = self.sf
        if "Invalid connection_name" in text:
            return ConfigError(
                f"SNOWFLAKE_CONNECTION_NAME {sf.connection_name!r} is not in connections.toml.",
                "Add it to ~/.snowflake/connections.toml (or $SNOWFLAKE_HOME), or fix SNOWFLAKE_CONNECTION_NAME.",
            )
        if errno in (390100, 390101, 390102, 390144, 390190, 394304) or "Incorrect username or password" in text:
            names = (
                "SNOWFLAKE_USER / SNOWFLAKE_PRIVATE_KEY_FILE"
                if sf.private_key_file
                else "SNOWFLAKE_USER / SNOWFLAKE_AUTHENTICATOR"
                if sf.authenticator
                else "SNOWFLAKE_USER / SNOWFLAKE_PASSWORD"
            )
            return ConfigError(f"Snowflake refused the login at {where}: {text}.", f"Check {names}.")
        if errno in (250001, 250003) or "Could not connect" in text or "timed out" in text.lower():
            found = reachability(kwargs, sf.login_timeout)  # what really happened, not the connector's guess
            return WarehouseError(
                f"Cannot reach Snowflake at {where} (login timeout {sf.login_timeout} s): {found or text}.",
                "Check SNOWFLAKE_ACCOUNT (or SNOWFLAKE_HOST/PORT), the network or proxy; "
                "HOSPITAL_SNOWFLAKE_LOGIN_TIMEOUT sets how long to wait.",
            )
        return WarehouseError(f"Cannot connect to Snowflake at {where}: {text}.")

    def close(self) -> None:
        con, self._con = self._con, None
        self._ensured = False
        if con is not None:
            with contextlib.suppress(Exception):
                con.close()

    def __enter__(self) -> SnowflakeWarehouse:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def con(self) -> Any:
        if self._con is None:
            raise WarehouseError(
                "The Snowflake warehouse is not connected.", "Use `with open_warehouse(settings) as wh:`."
            )
        return self._con

    # --- names -------------------------------------------------------------------------------------
    def qualified(self, schema: str, table: str) -> str:
        return f'"{self.database}".{quote(schema, "schema name", upper=True)}.{quote(table, "table name", upper=True)}'

    def raw_object(self, name: str) -> str:
        return f'"{self.database}"."{self.raw_schema}"."{name}"'

    # --- statements --------------------------------------------------------------------------------
    def cursor_run(self, sql: str, what: str | None = None) -> Any:
        from snowflake.connector.errors import Error as SnowflakeError

        cursor = self.con.cursor()
        try:
            cursor.execute(sql)
        except SnowflakeError as exc:
            cursor.close()
            raise self._query_error(exc, what) from None
        return cursor

    def _query_error(self, exc: Exception, what: str | None) -> WarehouseError:
        text = one_line(getattr(exc, "msg", None) or exc, self._secrets)
        hint = None
        if "No active warehouse" in text:
            hint = "Set SNOWFLAKE_WAREHOUSE to a virtual warehouse your role may use."
        elif "does not exist or not authorized" in text or "Insufficient privileges" in text:
            hint = "Check SNOWFLAKE_ROLE's privileges, or create the object with a role that may."
        elif getattr(exc, "errno", None) == UNREACHABLE_ERRNO:
            hint = (
                "Nothing was committed; run the same command again once Snowflake answers "
                "(HOSPITAL_SNOWFLAKE_LOGIN_TIMEOUT sets how long to wait)."
            )
        return WarehouseError(f"Snowflake {what or 'query'} failed: {text}.", hint)

    def execute(self, sql: str) -> None:
        self.cursor_run(sql).close()

    def fetch_rows(self, sql: str, what: str | None = None) -> list[dict[str, Any]]:
        cursor = self.cursor_run(sql, what)
        try:
            names = [d[0].lower() for d in cursor.description or []]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def ensure_database_and_schemas(self) -> None:
        """Create the database and both schemas when missing, then use the RAW schema."""
        if self._ensured:
            return
        if not self._exists("DATABASES", self.database):
            self.cursor_run(f'CREATE DATABASE IF NOT EXISTS "{self.database}"', "CREATE DATABASE").close()
        existing = {row.get("name") for row in self.fetch_rows(f'SHOW SCHEMAS IN DATABASE "{self.database}"')}
        for schema in (self.raw_schema, self.analytics_schema):
            if schema not in existing:
                self.cursor_run(f'CREATE SCHEMA IF NOT EXISTS "{self.database}"."{schema}"', "CREATE SCHEMA").close()
        self.cursor_run(f'USE SCHEMA "{self.database}"."{self.raw_schema}"', "USE SCHEMA").close()
        self._ensured = True

    def _exists(self, kind: str, name: str) -> bool:
        rows = self.fetch_rows(f"SHOW {kind} LIKE {string_literal(name)}")
        return any(row.get("name") == name for row in rows)

    def row_counts(self, schema: str, tables: Sequence[str]) -> dict[str, int]:
        """One round trip through the DB-API cursor (``COUNT(*)`` is metadata on Snowflake)."""
        if not tables:
            return {}
        sql = " union all ".join(
            f"select {i} as i, count(*) as n from {self.qualified(schema, table)}" for i, table in enumerate(tables)
        )
        return {tables[int(row["i"])]: int(row["n"]) for row in self.fetch_rows(sql, "row count")}

    def table_exists(self, schema: str, table: str) -> bool:
        schema_name = check_identifier(schema, "schema name").upper()
        table_name = check_identifier(table, "table name").upper()
        if not self._exists("DATABASES", self.database):
            return False
        rows = self.fetch_rows(
            f'SELECT COUNT(*) AS n FROM "{self.database}".INFORMATION_SCHEMA.TABLES '
            f"WHERE TABLE_SCHEMA = {string_literal(schema_name)} AND TABLE_NAME = {string_literal(table_name)}"
        )
        return bool(rows and rows[0]["n"])

    # --- queries -----------------------------------------------------------------------------------
    def query_arrow(self, sql: str) -> pa.Table:
        cursor = self.cursor_run(sql)
        try:
            table = cursor.fetch_arrow_all(force_return_table=True)
        finally:
            cursor.close()
        return normalise_arrow(table)

    def query_df(self, sql: str) -> pd.DataFrame:
        return arrow_to_df(self.query_arrow(sql))

    def arrow_batches(self, sql: str) -> Iterator[pa.RecordBatch]:
        cursor = self.cursor_run(sql)

        def stream() -> Iterator[pa.RecordBatch]:
            try:
                yield from batches_of(cursor.fetch_arrow_batches())
            finally:
                cursor.close()

        return stream()

    # --- export ------------------------------------------------------------------------------------
    def prepare_export(self) -> None:
        """Nothing to set: Snowflake sorts on its side."""

    def export_select(self, qualified: str, schema: pa.Schema) -> str:
        """``SELECT *``: the Arrow batches are cast to the export types as they arrive."""
        order = ", ".join(str(position) for position in range(1, len(schema) + 1))
        return f"SELECT * FROM {qualified} ORDER BY {order}"

    def export_reads(self, qualified: str, schema: pa.Schema) -> ExportReads:
        """One query, ``export_select``: Snowflake sorts on its side and streams the batches (the row count, from
        metadata, chooses where the Hyper extract is written)."""
        from hospital_analytics.exports.fanout import ExportReads

        rows = int(self.query_arrow(f"SELECT count(*) AS n FROM {qualified}").column(0)[0].as_py())
        return ExportReads([self.export_select(qualified, schema)], rows=rows)

    def export_native(self, sql: str, target: Path, fmt: str) -> int:
        raise ValueError(f"Snowflake does not export {fmt} files itself: stream arrow_batches instead")

    # --- load --------------------------------------------------------------------------------------
    def load_tables(
        self,
        sources: Mapping[str, SourceFile],
        progress: Collector,
        feed: FeedLoad | None = None,
        *,
        raw_text: bool = False,
        defects: Path | None = None,
    ) -> dict[str, TableStats]:
        """Stage, then replace all four tables in one transaction (``bulk_load.py``)."""
        from hospital_analytics.warehouse.snowflake.bulk_load import load_tables

        return load_tables(self, sources, progress, feed, raw_text=raw_text, defects=defects)
