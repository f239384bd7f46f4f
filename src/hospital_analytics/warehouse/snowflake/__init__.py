"""Snowflake: ``settings.py`` (``SnowflakeSettings``, the ``SNOWFLAKE_*`` variables), ``auth.py`` (how to log
in), ``files.py`` (large files split for a parallel ``COPY``) and ``warehouse.py`` (``SnowflakeWarehouse``).

Nothing is imported here: ``config`` imports ``settings.py`` at start-up, and the connector loads only when a
connection is made.
"""
