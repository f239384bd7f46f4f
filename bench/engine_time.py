"""Time the day loop alone (no files): ``python bench/engine_time.py 1000000`` -> CPU seconds per phase."""

from __future__ import annotations

import datetime as dt
import sys
import time

from hospital_analytics.simulation.calendar import day_number
from hospital_analytics.simulation.engine import Engine
from hospital_analytics.simulation.generation import system_for


def main() -> None:
    stays = float(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    c0 = time.process_time()
    system = system_for({"seed": 42, "stays_per_24_months": stays, "hospitals": None, "doctors": None})
    c1 = time.process_time()
    first, last = day_number(dt.date(2024, 1, 1)), day_number(dt.date(2025, 12, 31))
    engine = Engine(42, system, first, last_day=last)
    engine.run(last)
    c2 = time.process_time()
    print(f"system {c1 - c0:.2f} s CPU, engine {c2 - c1:.2f} s CPU, {len(engine.stays):,} stays in the registry")


if __name__ == "__main__":
    main()
