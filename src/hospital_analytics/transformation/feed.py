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
    other = s.analytics_schema + schema_suffix
    transform(
        s,
        select=[f"+{model}" for model in INCREMENTAL_MODELS],
        full_refresh=True,
        command="run",
        analytics_schema=other,
    )
    found: dict[str, tuple[int, int]] = {}
    with open_warehouse(s) as wh:
        for model in INCREMENTAL_MODELS:
            ours = wh.qualified(wh.analytics_schema, model)
            theirs = wh.qualified(other if wh.name == "duckdb" else other.upper(), model)
            only_ours = wh.query_arrow(
                f"select count(*) as n from (select * from {ours} except select * from {theirs}) as d"
            )
            only_theirs = wh.query_arrow(
                f"select count(*) as n from (select * from {theirs} except select * from {ours}) as d"
            )
            counts = wh.query_arrow(
                f"select (select count(*) from {ours}) as a, (select count(*) from {theirs}) as b"
            ).to_pylist()[0]
            extra = abs(int(counts["a"]) - int(counts["b"]))  # duplicates, which EXCEPT would not show
            found[model] = (
                int(only_ours.to_pylist()[0]["n"]) + (extra if counts["a"] > counts["b"] else 0),
                int(only_theirs.to_pylist()[0]["n"]) + (extra if counts["b"] > counts["a"] else 0),
            )
    return found
