"""Names from Faker pools: drawn once per run (a few thousand Faker picks), then indexed per row by keyed draws.

A pool is one draw from the locale's own weighted name list (or, where a locale composes names, one Faker call
per entry), so Faker's name frequencies carry over to the rows. Places are real US places for every locale
(``reference.places.PLACES_NOTE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from hospital_analytics.simulation import draws
from hospital_analytics.simulation.arrow import strings

FIRST_NAME_POOL = 2_000  # per sex
LAST_NAME_POOL = 4_000


@dataclass(frozen=True)
class Pools:
    first_names: pa.Array  # [female pool | male pool]
    last_names: pa.Array

    def first_index(self, seed: int, purpose_key: np.ndarray, female: np.ndarray, kind: int) -> np.ndarray:
        u = draws.uniform(seed, draws.NAMES, purpose_key, kind, 1)
        return (np.floor(u * FIRST_NAME_POOL) + np.where(female, 0, FIRST_NAME_POOL)).astype(np.int32)

    def last_index(self, seed: int, purpose_key: np.ndarray, female: np.ndarray, kind: int) -> np.ndarray:
        u = draws.uniform(seed, draws.NAMES, purpose_key, kind, 2)
        return (np.floor(u * LAST_NAME_POOL) + np.where(female, 0, LAST_NAME_POOL)).astype(np.int32)


def _names(fake: Any, lists: tuple[str, ...], method: str, n: int) -> list[str]:
    person = next((p for p in fake.get_providers() if type(p).__module__.startswith("faker.providers.person")), None)
    for attribute in lists:
        elements = getattr(person, attribute, None)
        if isinstance(elements, (dict, list, tuple)) and len(elements) > 0:
            return [str(name) for name in fake.random_elements(elements=elements, length=n)]
    return [str(getattr(fake, method)()) for _ in range(n)]


def build_pools(locale: str, seed: int) -> Pools:
    """The name pools of a locale, drawn from Faker seeded with ``seed``."""
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    first = _names(fake, ("first_names_female",), "first_name_female", FIRST_NAME_POOL) + _names(
        fake, ("first_names_male",), "first_name_male", FIRST_NAME_POOL
    )
    last = _names(fake, ("last_names_female", "last_names"), "last_name_female", LAST_NAME_POOL) + _names(
        fake, ("last_names_male", "last_names"), "last_name_male", LAST_NAME_POOL
    )
    return Pools(strings(first), strings(last))
