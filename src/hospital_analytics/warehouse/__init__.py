"""Warehouses: ``open_warehouse(settings)`` for any step that reads or writes tables.

    from hospital_analytics.warehouse import open_warehouse
    with open_warehouse(settings) as wh:
        kpis = wh.query_df(f"select * from {wh.qualified(wh.analytics_schema, 'kpis')}")

DuckDB (``HOSPITAL_WAREHOUSE=duckdb``, the default) is a file in the output folder (``duckdb.py``); Snowflake
(``HOSPITAL_WAREHOUSE=snowflake``) is reached with ``snowflake-connector-python`` (``snowflake/``). Both
implement ``Warehouse`` (``base.py``), which holds every difference between them, and answer with lower-case
column names. The load step is ``loading.py``.

Nothing heavy is imported here (``config`` imports ``snowflake.settings`` at start-up).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hospital_analytics.errors import ConfigError
from hospital_analytics.warehouse.base import Warehouse

if TYPE_CHECKING:
    from hospital_analytics.config import Settings

__all__ = ["WAREHOUSES", "Warehouse", "make_warehouse", "open_warehouse"]

# HOSPITAL_WAREHOUSE value -> the class implementing it (module, name): imported only when used.
WAREHOUSES: dict[str, tuple[str, str]] = {
    "duckdb": ("hospital_analytics.warehouse.duckdb", "DuckDBWarehouse"),
    "snowflake": ("hospital_analytics.warehouse.snowflake.warehouse", "SnowflakeWarehouse"),
}


def make_warehouse(settings: Settings, *, read_only: bool = False) -> Warehouse:
    """The configured warehouse, not yet connected. Identifiers are checked here, before any SQL.

    Args:
        settings: the settings naming the warehouse and its identifiers.
        read_only: open it for reading only (DuckDB: several readers may share the file, which must exist).

    Returns:
        A ``Warehouse`` (DuckDB or Snowflake); call ``connect()`` or use it as a context manager.

    Raises:
        ConfigError: an identifier setting is invalid, or the warehouse name is unknown.
    """
    if settings.warehouse not in WAREHOUSES:
        raise ConfigError(f"Unknown warehouse {settings.warehouse!r}.", f"Use --warehouse {' or '.join(WAREHOUSES)}.")
    module, name = WAREHOUSES[settings.warehouse]
    cls = getattr(importlib.import_module(module), name)
    warehouse: Warehouse = cls(settings, read_only=read_only)
    return warehouse


def open_warehouse(settings: Settings | None = None, *, read_only: bool = False, **overrides: Any) -> Warehouse:
    """A connected warehouse for ``settings`` (use it as a context manager to close it).

    Args:
        settings: the settings (default: from the environment and .env).
        read_only: open it for reading only (DuckDB: several readers may share the file, which must exist).
        **overrides: setting overrides, as for every step (e.g. ``warehouse="snowflake"``).

    Returns:
        A connected ``Warehouse``.

    Raises:
        ConfigError: a setting is missing or invalid (named in the message).
        StepOrderError: ``read_only`` and the warehouse holds nothing yet (the DuckDB file does not exist).
        WarehouseError: the connection failed (unreachable, file locked by another process, ...).
    """
    from hospital_analytics.config import resolve_settings

    warehouse = make_warehouse(resolve_settings(settings, **overrides), read_only=read_only)
    warehouse.connect()
    return warehouse
