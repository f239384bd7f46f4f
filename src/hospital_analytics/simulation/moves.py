"""Address changes: patients move within their home hospital's catchment (``reference.mobility``).

A patient's moves are a pure function of (seed, patient key): exponential gaps at ``MOVES_PER_YEAR`` from
the day the patient was first registered by the engine (encoded in the key), each to a catchment place drawn
with the catchment's weights (another place than the current one). Moves take effect at 00:00 of their day
and stop at death, so the address on any day never depends on where a run stopped.
"""

from __future__ import annotations

import numpy as np

from hospital_analytics.simulation import draws
from hospital_analytics.simulation.engine import DAY_OFFSET, Engine
from hospital_analytics.simulation.reference.mobility import MAX_MOVES, MOVES_PER_YEAR

NEVER = np.iinfo(np.int64).max // 4
_DAILY = -np.log1p(-MOVES_PER_YEAR) / 365.25


def registered_day(key: np.ndarray) -> np.ndarray:
    """The day the engine first registered each patient (the day packed in the key of their first stay)."""
    return (np.asarray(key, dtype=np.uint64) >> np.uint64(44)).astype(np.int64) - DAY_OFFSET


class Plan:
    """The moves of some patients: ``day`` and ``home`` (catchment place index after the move), (n, MAX_MOVES)."""

    def __init__(self, engine: Engine, patients: np.ndarray):
        pt = engine.patients
        key = pt["key"][patients]
        hospital = pt["hospital"][patients].astype(np.int64)
        size = engine.system.home_size[hospital].astype(np.int64)
        flat, offset = engine.system.home_cdf
        death = pt["death"][patients].astype(np.int64)
        movable = size > 1
        day = np.empty((len(patients), MAX_MOVES), dtype=np.int64)
        home = np.empty((len(patients), MAX_MOVES), dtype=np.int32)
        when = registered_day(key)
        current = pt["home"][patients].astype(np.int64)
        for k in range(MAX_MOVES):  # a column at a time: (patients x MAX_MOVES) draws at once are large
            gap = np.ceil(-np.log1p(-draws.uniform(engine.seed, draws.MOVE, key, 2 * k)) / _DAILY).astype(np.int64)
            when = when + np.maximum(gap, 1)
            alive = (death < 0) | (when < death)
            day[:, k] = np.where(alive & movable, when, NEVER)
            u = draws.uniform(engine.seed, draws.MOVE, key, 2 * k + 1)
            drawn = np.searchsorted(flat, hospital + u, side="right") - offset[hospital]
            drawn = np.clip(drawn, 0, size - 1)
            drawn = np.where(drawn == current, (drawn + 1) % np.maximum(size, 1), drawn)
            current = np.where(day[:, k] < NEVER, drawn, current)
            home[:, k] = current
        self.first = pt["home"][patients].astype(np.int64)
        self.day, self.home = day, home

    def home_on(self, day: np.ndarray) -> np.ndarray:
        """Each patient's catchment place on ``day`` (one day per patient; moves of that day included)."""
        done = (self.day <= np.asarray(day, dtype=np.int64)[:, None]).sum(axis=1)
        return np.where(done > 0, self.home[np.arange(len(done)), np.maximum(done - 1, 0)], self.first)
