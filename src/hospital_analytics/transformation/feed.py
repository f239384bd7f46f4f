"""The daily feed's incremental models, and the check that an incremental build equals a full refresh.

``full_refresh_differences(settings)`` builds the incremental models from scratch (``--full-refresh``) in a
schema of their own beside the ANALYTICS one and counts, per model, the rows one build has and the other has
not: all zero when the incremental runs got every late event, correction and cancel right. bench/daily.py and
the property tests use it.
"""

from __future__ import annotations

from typing import Any

from hospital_analytics.config import Settings, resolve_settings
from hospital_analytics.warehouse import open_warehouse

# The incremental models of dbt_project/models/marts/feed, in build order.
INCREMENTAL_MODELS: tuple[str, ...] = ("fct_encounter_events", "fct_adt_daily", "fct_encounters")
# dbt's snapshots of the feed (dbt_project/snapshots), SCD type 2.
SNAPSHOTS: tuple[str, ...] = ("snap_patient_address", "snap_patient_coverage")


def full_refresh_differences(
    settings: Settings | None = None, *, schema_suffix: str = "_FULL_REFRESH", **overrides: Any
) -> dict[str, tuple[int, int]]:
    """Per incremental model: (rows only the incremental build has, rows only a full refresh has).

    The full refresh is built with ``transform(select=..., full_refresh=True)`` into the ANALYTICS schema's
    name plus ``schema_suffix`` (with the staging views it reads), so the incremental tables stay as they are.
    """
    from hospital_analytics.transformation import transform

    s = resolve_settings(settings, **overrides)
    other = full_refresh_schema(s, schema_suffix)
    transform(
        s,
        select=[f"+{model}" for model in INCREMENTAL_MODELS],
        full_refresh=True,
        command="run",
        analytics_schema=other,
    )
    return differences(s, other)


def full_refresh_schema(settings: Settings, schema_suffix: str = "_FULL_REFRESH") -> str:
    """The schema a full refresh is built in beside the ANALYTICS one."""
    return settings.analytics_schema + schema_suffix


def differences(settings: Settings, other: str) -> dict[str, tuple[int, int]]:
    """Per incremental model: (rows only in the ANALYTICS schema's table, rows only in ``other``'s)."""
    found: dict[str, tuple[int, int]] = {}
    with open_warehouse(settings) as wh:
        schema = other if wh.name == "duckdb" else other.upper()
        for model in INCREMENTAL_MODELS:
            ours, theirs = wh.qualified(wh.analytics_schema, model), wh.qualified(schema, model)
            row = wh.query_arrow(
                f"select (select count(*) from (select * from {ours} except select * from {theirs}) as a) as only_ours, "
                f"(select count(*) from (select * from {theirs} except select * from {ours}) as b) as only_theirs, "
                f"(select count(*) from {ours}) as n_ours, (select count(*) from {theirs}) as n_theirs"
            ).to_pylist()[0]
            # EXCEPT is set-wise: a duplicated row shows as a count difference
            extra = int(row["n_ours"]) - int(row["n_theirs"])
            found[model] = (int(row["only_ours"]) + max(extra, 0), int(row["only_theirs"]) + max(-extra, 0))
    return found
