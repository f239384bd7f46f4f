"""Names and places: pools drawn from a seeded Faker once per run, then picked per row with numpy.

Faker is used a few hundred times per run (pool sizes are fixed), never per row: a name pool is one draw
from the locale's own weighted name list (or, where a locale composes names, one Faker call per pool
entry). The pools keep repeats, so Faker's name frequencies carry over to the sampled rows.

Places model a hospital's catchment: most patients live in a couple of dozen cities of one home state or
region, the rest anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from faker import Faker

from hospital_analytics.synth import distributions as dist
from hospital_analytics.synth.arrow import strings


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


def _names(fake: Faker, lists: tuple[str, ...], method: str, n: int) -> list[str]:
    """``n`` names: one Faker draw from the locale's own (weighted) list when its person provider has one,
    else ``n`` calls of the Faker method (locales that compose names from formats)."""
    person = next((p for p in fake.get_providers() if type(p).__module__.startswith("faker.providers.person")), None)
    for attribute in lists:
        elements = getattr(person, attribute, None)
        if isinstance(elements, (dict, list, tuple)) and len(elements) > 0:
            return [str(name) for name in fake.random_elements(elements=elements, length=n)]
    return [getattr(fake, method)() for _ in range(n)]


def build_pools(locale: str, seed: int) -> Pools:
    """Draw the name and place pools for ``locale`` from Faker seeded with ``seed``."""
    fake = Faker(locale)
    fake.seed_instance(seed)
    n_first, n_last = dist.FIRST_NAME_POOL, dist.LAST_NAME_POOL
    first = _names(fake, ("first_names_female",), "first_name_female", n_first) + _names(
        fake, ("first_names_male",), "first_name_male", n_first
    )
    last = _names(fake, ("last_names_female", "last_names"), "last_name_female", n_last) + _names(
        fake, ("last_names_male", "last_names"), "last_name_male", n_last
    )

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
        first_names=strings(first),
        last_names=strings(last),
        first_size=n_first,
        last_size=n_last,
        cities=strings(cities),
        states=strings(states),
        place_cdf=cdf,
    )
