"""Names and places: pools drawn from a seeded Faker once per run, then picked per row with numpy.

Faker is called a few thousand times per run (pool sizes are fixed), never per row. The pools keep Faker's
repeats, so its own name frequencies carry over to the sampled rows. Places model a hospital's catchment:
most patients live in a couple of dozen cities of one home state or region, the rest anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from faker import Faker

from hospital_analytics.synth import distributions as dist


@dataclass(frozen=True)
class Pools:
    """String pools (Arrow arrays) plus how to pick from them."""

    first_names: pa.Array  # [female pool | male pool]
    last_names: pa.Array  # [female pool | male pool]
    first_size: int
    last_size: int
    cities: pa.Array
    states: pa.Array
    place_cdf: np.ndarray

    def first_name_index(self, rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
        return (rng.integers(0, self.first_size, len(female)) + np.where(female, 0, self.first_size)).astype(np.int32)

    def last_name_index(self, rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
        return (rng.integers(0, self.last_size, len(female)) + np.where(female, 0, self.last_size)).astype(np.int32)

    def place_index(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.searchsorted(self.place_cdf, rng.random(n), side="right").astype(np.int32)


def _region_function(fake: Faker) -> Callable[[], str]:
    """The locale's state/region generator (US states, German Länder, Japanese prefectures...), or ''."""
    for name in ("state", "administrative_unit", "region", "province", "county"):
        try:
            getattr(fake, name)()
        except AttributeError:
            continue
        return getattr(fake, name)
    return lambda: ""


def build_pools(locale: str, seed: int) -> Pools:
    """Draw the name and place pools for ``locale`` from Faker seeded with ``seed``."""
    fake = Faker(locale)
    fake.seed_instance(seed)
    n_first, n_last = dist.FIRST_NAME_POOL, dist.LAST_NAME_POOL
    first = [fake.first_name_female() for _ in range(n_first)] + [fake.first_name_male() for _ in range(n_first)]
    last = [fake.last_name_female() for _ in range(n_last)] + [fake.last_name_male() for _ in range(n_last)]

    region = _region_function(fake)
    home_region = region()
    home_cities = [fake.city() for _ in range(dist.HOME_CITIES)]
    other = [(fake.city(), region()) for _ in range(dist.OTHER_PLACES)]
    cities = home_cities + [city for city, _ in other]
    states = [home_region] * len(home_cities) + [state for _, state in other]

    zipf = 1.0 / np.arange(1, len(home_cities) + 1)
    weights = np.concatenate(
        [dist.HOME_SHARE * zipf / zipf.sum(), np.full(len(other), (1 - dist.HOME_SHARE) / len(other))]
    )
    cdf = np.cumsum(weights / weights.sum())
    cdf[-1] = 1.0
    return Pools(
        first_names=pa.array(first, pa.string()),
        last_names=pa.array(last, pa.string()),
        first_size=n_first,
        last_size=n_last,
        cities=pa.array(cities, pa.string()),
        states=pa.array(states, pa.string()),
        place_cdf=cdf,
    )
