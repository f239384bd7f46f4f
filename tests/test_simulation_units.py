"""Units of the simulation: keyed draws, the calendar, sizing, coverage, and causality (resume = one run)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from hospital_analytics.simulation import calendar, coverage, draws
from hospital_analytics.simulation.engine import Engine
from hospital_analytics.simulation.reference import hospitals as hospital_ref
from hospital_analytics.simulation.stays import holiday, mean_wait
from hospital_analytics.simulation.system import build_system


def test_draws_are_pure_functions_of_their_keys():
    keys = np.arange(1000)
    a = draws.uniform(7, draws.LOS, keys, 3)
    assert (a == draws.uniform(7, draws.LOS, keys, 3)).all()
    assert (a[500:] == draws.uniform(7, draws.LOS, keys[500:], 3)).all()  # no state: a subset draws the same
    assert not (a == draws.uniform(8, draws.LOS, keys, 3)).any()
    assert not (a == draws.uniform(7, draws.PATH, keys, 3)).any()
    assert 0 <= a.min() and a.max() < 1 and abs(a.mean() - 0.5) < 0.03


def test_normal_and_poisson_have_their_moments():
    u = draws.uniform(1, draws.ARRIVALS, np.arange(200_000))
    z = draws.normal_from_uniform(u)
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    for lam in (0.3, 4.0, 35.0, 400.0):
        k = draws.poisson_from_uniform(u, np.full(len(u), lam))
        assert abs(k.mean() / lam - 1) < 0.02 and abs(k.var() / lam - 1) < 0.05


def test_calendar():
    assert calendar.weekday(calendar.day_number(dt.date(2025, 12, 1))) == 0  # a Monday
    days = np.array([calendar.day_number(d) for d in (dt.date(2025, 12, 25), dt.date(2025, 12, 26))])
    assert holiday(days).tolist() == [True, False]
    assert calendar.years_between(np.array([calendar.day_number(dt.date(1960, 3, 1))]), np.array([days[0]]))[0] == 65
    assert 0.2 < mean_wait() < 0.8


def test_system_sizes_follow_the_rate():
    small, large = build_system(1, 1000), build_system(1, 1_000_000)
    assert small.hospitals == 1 and small.beds[0] >= 6
    assert 40 <= large.hospitals <= 120 and large.beds.max() <= hospital_ref.MAX_BEDS
    assert build_system(1, 50_000, count=4).hospitals == 4
    assert len(build_system(1, 50_000, doctors=17).doctor_hospital) == 17
    for system in (small, large):
        assert (system.unit_map < len(system.unit_beds)).all()
        assert (system.unit_hospital[system.unit_map] == np.arange(system.hospitals)[:, None]).all()


def test_medicare_starts_the_month_of_the_65th_birthday():
    birth = np.array([calendar.day_number(dt.date(1960, 5, 17)), calendar.day_number(dt.date(1960, 5, 1))])
    start = coverage.medicare_day(birth)
    assert [calendar.date_of(d) for d in start] == [dt.date(2025, 5, 1), dt.date(2025, 4, 1)]
    first = np.full(2, calendar.day_number(dt.date(2020, 1, 1)))
    starts, payers = coverage.draw_spells(3, np.array([1, 2]), first, birth)
    assert (np.diff(np.where(starts == coverage.NEVER, np.iinfo(np.int32).max, starts), axis=1) >= 0).all()


def _state(engine: Engine) -> dict[str, np.ndarray]:
    out = {f"stays.{k}": v for k, v in engine.stays.export().items()}
    out.update({f"patients.{k}": v for k, v in engine.patients.export().items()})
    out.update({f"events.{k}": v for k, v in engine.events.export().items()})
    out.update({f"births.{k}": v for k, v in engine.births.export().items()})
    out["open"], out["unit"] = engine.open, engine.unit
    return out


@pytest.mark.parametrize("pause", [0, 17, 200])
def test_stopping_and_resuming_gives_the_same_rows_as_one_run(pause):
    """Causality: the day loop can stop after any day and go on (generate S..D then advance to E == S..E)."""
    system = build_system(3, 30_000, count=2)
    first = calendar.day_number(dt.date(2025, 1, 1))
    end = first + 300
    whole = Engine(3, system, first)
    whole.run(end)
    parts = Engine(3, system, first)
    parts.run(first + pause)
    parts.run(end)
    a, b = _state(whole), _state(parts)
    assert a.keys() == b.keys()
    for key in a:
        assert np.array_equal(a[key], b[key]), key


def test_a_saved_state_goes_on_like_one_run_and_refuses_other_settings(tmp_path):
    from hospital_analytics.errors import ConfigError
    from hospital_analytics.simulation import generate, state
    from hospital_analytics.simulation.generation import system_for

    generate(output_dir=tmp_path / "d", hospitalizations=4000, seed=4, start="2025-01-01", end="2025-06-30")
    generate(output_dir=tmp_path / "e", hospitalizations=4000, seed=4, start="2025-01-01", end="2025-12-31")
    folder_d, folder_e = (state.state_dir(tmp_path / x / "data") for x in "de")
    shape = __import__("json").loads((folder_d / "state.json").read_text())["shape"]
    resumed = state.load(folder_d, system_for(shape), shape)
    resumed.run(calendar.day_number(dt.date(2025, 12, 31)))
    whole = state.load(folder_e, system_for(shape), shape)
    a, b = _state(resumed), _state(whole)
    for key in a:
        assert np.array_equal(a[key], b[key]), key
    with pytest.raises(ConfigError, match=r"(?m)^The state in .* was simulated with seed 4, not 5\.$"):
        state.load(folder_d, system_for(shape), {**shape, "seed": 5})
    with pytest.raises(ConfigError, match=r"other settings \(hospitals\)"):
        state.load(folder_d, system_for(shape), {**shape, "hospitals": 2})


def test_coverage_spells_are_contiguous_and_increasing():
    """A turn of 65 without a move to Medicare writes no spell and leaves no empty slot before a later change
    (found at 100,000 stays, seed 7: a patient's current payer read from an empty slot)."""
    n = 20_000
    key = np.arange(n, dtype=np.uint64)
    first = np.full(n, (dt.date(2024, 1, 1) - dt.date(1970, 1, 1)).days, dtype=np.int64)
    birth = np.datetime64("1959-06-01") + (np.arange(n) % 900).astype("timedelta64[D]")  # 65 in the window
    starts, payers = coverage.draw_spells(3, key, first, birth)
    used = starts != coverage.NEVER
    assert used[:, 0].all()
    assert not (~used[:, :-1] & used[:, 1:]).any()  # no empty slot before a used one
    pairs = used[:, 1:]
    assert (starts[:, 1:][pairs] > starts[:, :-1][pairs]).all()
    assert (payers[:, 1:][pairs] != payers[:, :-1][pairs]).all()
