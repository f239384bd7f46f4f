"""The ``advance`` step: continue a saved simulation by some days and write everything as of the new last day.

The settings that shape the simulation come from the saved state (``data/state/``); an explicit setting that
disagrees with it is refused. The new days' feed partitions are added, the earlier ones left as they are, and
the snapshot tables, fidelity, state and manifest are rewritten as ``generate`` writes them: ``generate`` S..D
then ``advance --until E`` gives the same data files as ``generate`` S..E.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from hospital_analytics.config import Settings, from_env_file, resolve_settings
from hospital_analytics.defects.profiles import Profile
from hospital_analytics.defects.profiles import resolve as resolve_profile
from hospital_analytics.errors import ConfigError
from hospital_analytics.progress import SILENT, Collector
from hospital_analytics.simulation import state
from hospital_analytics.simulation.calendar import day_number
from hospital_analytics.simulation.generation import _FORMATS, LAST_DAY, GenerateResult, run_days, system_for, write_run
from hospital_analytics.simulation.writer import prepare_output

_HINT = "Leave it out: advance continues the saved simulation with its own settings (or run `hospital generate`)."


def _conflicts(s: Settings, shape: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(setting, saved, given) for each setting given explicitly that disagrees with the saved shape; a value
    from ``./.env`` is a default (e.g. ``hospital init``'s starter), not an explicit setting."""
    given = s.model_fields_set - from_env_file(s)
    feed = shape.get("feed", {})
    saved: dict[str, tuple[Any, Any]] = {
        "seed": (shape.get("seed"), s.seed),
        "hospitals": (shape.get("hospitals"), s.hospitals),
        "locale": (shape.get("locale"), s.locale),
        "raw_format": (shape.get("format"), s.raw_format),
        "feed_late_share": (feed.get("late_share"), s.feed_late_share),
        "feed_correction_share": (feed.get("correction_share"), s.feed_correction_share),
        "feed_cancel_share": (feed.get("cancel_share"), s.feed_cancel_share),
    }
    if "defects" in given:  # compared by rates: the same rates under another name (a file) are no conflict
        was, now = Profile.from_shape(shape), resolve_profile(s.defects)
        if was.rates != now.rates:
            saved["defects"] = (was.name, now.name if now.name != was.name else f"{now.name} (other rates)")
    if given & {"hospitalizations", "scale"}:
        saved["hospitalizations"] = (shape.get("stays_per_24_months"), s.hospitalizations * s.scale)
    if "doctors" in given and shape.get("doctors") is not None:
        saved["doctors"] = (shape.get("doctors"), max(1, round(s.doctors * s.scale)))
    return [(name, a, b) for name, (a, b) in saved.items() if (name in given or name == "hospitalizations") and a != b]


def _show(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() and value > 1 else repr(value)


def advance(
    settings: Settings | None = None,
    *,
    days: int | None = None,
    until: dt.date | str | None = None,
    progress: Collector = SILENT,
    **overrides: Any,
) -> GenerateResult:
    """Continue the simulation saved in the output folder by ``days`` days (or up to ``until``) and rewrite
    the snapshot tables, add the new days' feed partitions, and write the fidelity table, state and manifest.

    Args:
        settings: settings to use (default: from the environment and ``.env``); only the output folder is
            read from them: the rest comes from the saved state.
        days: how many days to add (at least 1).
        until: the new last day (after the current one); give ``days`` or ``until``, not both.
        progress: hears "simulating days" and "writing files".
        **overrides: ``Settings`` fields, e.g. ``output_dir=...``; a simulation setting that differs from the
            saved one (``seed=...``) is refused.

    Returns:
        GenerateResult: as ``generate``'s, for the whole window (first day to the new last day).

    Raises:
        ConfigError: neither or both of days/until, a non-positive count, a day not after the last one, a
            setting that disagrees with the saved state, or a state of another version (exit code 2).
        InputError: no saved state in the output folder (run generate first; exit code 2).
    """
    began = time.perf_counter()
    s = resolve_settings(settings, **overrides)
    if (days is None) == (until is None):
        raise ConfigError(
            "Give either --days or --until (one of them) to advance.",
            "e.g. `hospital advance --days 7` or `hospital advance --until 2026-01-31`.",
        )
    layout = s.layout
    folder = state.state_dir(layout.data_dir)
    meta = state.read(folder)
    shape = meta["shape"]
    last = int(meta["next_day"]) - 1
    current = dt.date(1970, 1, 1) + dt.timedelta(days=last)
    for name, saved, given in _conflicts(s, shape):
        raise ConfigError(
            f"The simulation in {layout.data_dir} was made with {name} {_show(saved)}, not {_show(given)}.", _HINT
        )
    if days is not None:
        if int(days) < 1:
            raise ConfigError(f"Invalid --days (got {days}): advance by at least 1 day.", "e.g. `--days 1`.")
        target = last + int(days)
    else:
        try:
            day = until if isinstance(until, dt.date) else dt.date.fromisoformat(str(until))
        except ValueError:
            raise ConfigError(
                f"Invalid --until (got {until!r}): not a date (YYYY-MM-DD).", "e.g. `--until 2026-01-31`."
            ) from None
        if day <= current:
            raise ConfigError(
                f"Invalid --until (got {day}): the simulation already runs to {current}.",
                f"Choose a day after {current} (or use --days N).",
            )
        target = day_number(day)
    if target > day_number(LAST_DAY):
        raise ConfigError(f"Cannot advance past {LAST_DAY} (the calendar's last year).", "Choose an earlier day.")
    prepare_output(layout, _FORMATS[shape["format"]])
    engine = state.load(folder, system_for(shape), shape)
    run_days(engine, target, progress)
    result = write_run(engine, shape, layout, progress=progress, began=began, feed_after=last, jobs=s.jobs or 1)
    result.step = "advance"
    return result
