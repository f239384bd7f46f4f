"""Snowflake: ``settings.py`` (``SnowflakeSettings``, the ``SNOWFLAKE_*`` variables), ``auth.py`` (how to log
in), ``warehouse.py`` (``SnowflakeWarehouse``: connection, statements, queries), ``bulk_load.py`` (stage, ``PUT``,
``COPY INTO``) and ``files.py`` (large files split for a parallel ``COPY``).

Nothing is imported here: ``config`` imports ``settings.py`` at start-up, and the connector loads only when a
connection is made.
"""
