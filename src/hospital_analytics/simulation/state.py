"""The end-of-day state beside the data (``data/state/``): what day ``t + 1`` reads, so a run can go on.

``state.json`` holds the state version, the settings that shape the simulation (seed, sizes, window start,
revisit propensity) and the last simulated day; ``arrays.npz`` every registry (patients, stays, events,
births), the open stays and their units, booked returns, postponed electives and the census sums. The system
(hospitals, units, roster) is rebuilt from the settings, deterministically. A state of another version, seed or
shape is refused with one line (issue 14's ``advance`` reads it; ``generate`` S..D then continuing to E gives
the same rows as ``generate`` S..E).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from hospital_analytics.errors import ConfigError, InputError
from hospital_analytics.fsutil import replaced_dir
from hospital_analytics.simulation.columns import Columns
from hospital_analytics.simulation.engine import BIRTH_SPEC, CANDIDATE, EVENT_SPEC, PATIENT_SPEC, STAY_SPEC, Engine
from hospital_analytics.simulation.system import System

STATE_VERSION = 2  # 2: the shape holds the feed's shares, locale, format and counts (issue 14)
HINT = "Run `hospital generate` again with the same settings to make a new state."
STORES = {"patients": PATIENT_SPEC, "stays": STAY_SPEC, "events": EVENT_SPEC, "births": BIRTH_SPEC}


def state_dir(data_dir: Path) -> Path:
    return data_dir / "state"


def remove(folder: Path) -> None:
    """Delete a saved state (a run that is about to replace the data)."""
    shutil.rmtree(folder, ignore_errors=True)


def save(engine: Engine, folder: Path, shape: dict[str, Any]) -> None:
    """Write the engine's end-of-day state as ``folder``: a private folder that replaces it in one rename, so
    a reader finds the previous state or this one, whole."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with replaced_dir(folder) as new:
        _write(engine, new, shape)


def _write(engine: Engine, folder: Path, shape: dict[str, Any]) -> None:
    arrays: dict[str, np.ndarray] = {}
    for name in STORES:
        store = getattr(engine, name)
        for column in store.names():
            arrays[f"{name}.{column}"] = store[column]  # views, not copies: a large run's registries are big
    arrays["open"], arrays["unit"] = engine.open, engine.unit
    arrays["census_sum"] = engine.census_sum
    days = [d for d, groups in sorted(engine.schedule.items()) for _ in groups]
    groups = [g for _, gs in sorted(engine.schedule.items()) for g in gs]
    arrays["schedule_day"] = np.repeat(np.array(days, dtype=np.int64), [len(g) for g in groups])
    arrays["schedule_patient"] = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
    pending = [p for _, ps in sorted(engine.pending.items()) for p in ps]
    for key in CANDIDATE:
        arrays[f"pending.{key}"] = np.concatenate([p[key] for p in pending]) if pending else np.zeros(0, dtype=np.int64)
    with open(folder / "arrays.npz", "wb") as handle:
        np.savez(handle, **arrays)  # type: ignore[arg-type]
    meta = {
        "state_version": STATE_VERSION,
        "shape": shape,
        "next_day": engine.day,
        "first_day": engine.first_day,
        "window_start": engine.window_start,
        "census_days": engine.census_days,
        "later_revisit": engine.later_revisit,
    }
    (folder / "state.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def read(folder: Path) -> dict[str, Any]:
    """The saved state's description (``state.json``: version, shape, next day), checked for its version.

    Raises:
        InputError: no state there (run generate first).
        ConfigError: a state of another version.
    """
    try:
        meta = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"No simulation state in {folder}: nothing to advance.",
            "Run `hospital generate` first (with the same --out), then `hospital advance`.",
        ) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"No usable simulation state in {folder} ({exc.__class__.__name__}).", HINT) from None
    if not isinstance(meta, dict) or meta.get("state_version") != STATE_VERSION:
        version = meta.get("state_version") if isinstance(meta, dict) else None
        raise ConfigError(
            f"The state in {folder} is version {version}; this package reads version {STATE_VERSION}.", HINT
        )
    return meta


def load(folder: Path, system: System, shape: dict[str, Any]) -> Engine:
    """The engine as saved under ``folder``, ready to ``run`` on.

    Raises:
        InputError: no readable state there.
        ConfigError: the state is of another version, seed or shape (one line).
    """
    hint = HINT
    try:
        meta = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        data = dict(np.load(folder / "arrays.npz"))
    except (OSError, ValueError) as exc:
        raise InputError(f"No usable simulation state in {folder} ({exc.__class__.__name__}).", hint) from None
    if meta.get("state_version") != STATE_VERSION:
        raise ConfigError(
            f"The state in {folder} is version {meta.get('state_version')}; this package reads version {STATE_VERSION}.",
            hint,
        )
    saved = meta.get("shape", {})
    if saved.get("seed") != shape.get("seed"):
        raise ConfigError(
            f"The state in {folder} was simulated with seed {saved.get('seed')}, not {shape.get('seed')}.", hint
        )
    differ = sorted(k for k in set(saved) | set(shape) if saved.get(k) != shape.get(k))
    if differ:
        raise ConfigError(f"The state in {folder} was simulated with other settings ({', '.join(differ)}).", hint)
    engine = Engine(int(shape["seed"]), system, int(meta["window_start"]), later_revisit=float(meta["later_revisit"]))
    engine.day = int(meta["next_day"])
    engine.first_day = int(meta["first_day"])
    engine.census_days = int(meta["census_days"])
    for name, spec in STORES.items():
        setattr(engine, name, Columns.restore(spec, {c: data[f"{name}.{c}"] for c in spec}))
    engine.open, engine.unit = data["open"].astype(np.int64), data["unit"].astype(np.int64)
    engine.census_sum = data["census_sum"]
    days, patients = data["schedule_day"], data["schedule_patient"]
    for day in np.unique(days).tolist():
        engine.schedule[int(day)] = [patients[days == day]]
    pending_day = data["pending.day"]
    for day in np.unique(pending_day).tolist():
        rows = pending_day == day
        engine.pending[int(day)] = [{key: data[f"pending.{key}"][rows] for key in CANDIDATE}]
    return engine
