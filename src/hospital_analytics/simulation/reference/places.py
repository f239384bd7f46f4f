"""Real US places: ZIP codes, cities, counties and states from the offline ``zipcodes`` package.

The package ships its data inside the wheel (nothing downloads at run time). Places are always US places,
whatever the Faker locale: names follow the locale, places stay American (``PLACES_NOTE``).

- Hospital sites: a city drawn with weight proportional to its number of residential (standard) ZIP codes,
  a proxy for population (assumption); large hospitals only in cities with many ZIP codes, small ones in
  towns; the hospitals of one system within ``REGION_MILES`` of the first one.
- Catchments: the ZIP codes around a site, weighted by distance decay exp(-distance / ``DECAY_MILES``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .types import Catchment, Place

PLACES_NOTE = "Places are real US ZIP codes, cities and counties for every locale (names follow the locale)."
STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip

REGION_MILES = 150.0  # a health system's hospitals lie within this distance of its first one (assumption)
CATCHMENT_MILES = 40.0  # patients come from ZIP codes within this radius ...
RURAL_CATCHMENT_MILES = 80.0  # ... or this one when fewer than MIN_CATCHMENT_ZIPS lie within it
MIN_CATCHMENT_ZIPS = 8
DECAY_MILES = 10.0  # weight exp(-d / 10 mi): half the patients within ~7 miles of a town hospital (assumption)
# Smallest city (in standard ZIP codes) for a hospital of at least this many beds; small hospitals (< 100
# beds) go to towns of at most SMALL_TOWN_ZIPS codes. Assumption: large hospitals are urban.
MIN_CITY_ZIPS_BY_BEDS: tuple[tuple[int, int], ...] = ((400, 12), (200, 4), (100, 2), (0, 1))
SMALL_TOWN_ZIPS = 3
_EARTH_RADIUS_MILES = 3958.8


@dataclass(frozen=True)
class _Table:
    places: tuple[Place, ...]
    lat: np.ndarray  # radians
    lon: np.ndarray
    city_site: np.ndarray  # index into places of each city's central ZIP
    city_zips: np.ndarray  # standard ZIP codes per city


@lru_cache(maxsize=1)
def _table() -> _Table:
    # The package materialises its 42k rows as dicts (~0.5 s, ~150 MiB): only when places are needed, and
    # through its extension rather than ``zipcodes.list_all()``, whose module-level cache would keep them
    # all alive for the whole run (this table keeps the few fields used).
    from zipcodes import _zipcodes

    rows = [
        z
        for z in _zipcodes.filter_by(None, zip_code_type="STANDARD", active=True)
        if z["state"] in STATE_NAMES and z["lat"] and z["long"]
    ]
    rows.sort(key=lambda z: z["zip_code"])
    places = tuple(
        Place(z["zip_code"], z["city"], z["county"], z["state"], float(z["lat"]), float(z["long"])) for z in rows
    )
    lat = np.radians(np.array([p.lat for p in places]))
    lon = np.radians(np.array([p.lon for p in places]))
    _, city = np.unique(np.array([f"{p.state}|{p.city}" for p in places]), return_inverse=True)
    counts = np.bincount(city)
    centre_lat, centre_lon = np.bincount(city, lat) / counts, np.bincount(city, lon) / counts
    a = np.sin((lat - centre_lat[city]) / 2) ** 2 + np.cos(lat) ** 2 * np.sin((lon - centre_lon[city]) / 2) ** 2
    order = np.lexsort((a, city))  # by city, then by distance to the city's centroid
    first = np.concatenate(([True], city[order][1:] != city[order][:-1]))
    return _Table(places, lat, lon, order[first], counts)


def _miles(lat0: float, lon0: float, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle distances (haversine, miles) from one point to many, all in radians."""
    a = np.sin((lat - lat0) / 2) ** 2 + math.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
    return 2 * _EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def all_places() -> tuple[Place, ...]:
    """Every residential (standard, active) ZIP code of the 50 states and DC, in ZIP order."""
    return _table().places


def distance_miles(a: Place, b: Place) -> float:
    """Great-circle distance between two places' centroids, in miles."""
    lat, lon = np.radians([b.lat]), np.radians([b.lon])
    return float(_miles(math.radians(a.lat), math.radians(a.lon), lat, lon)[0])


def _eligible_cities(beds: int, table: _Table) -> np.ndarray:
    if beds < 100:
        return table.city_zips <= SMALL_TOWN_ZIPS
    minimum = next(zips for threshold, zips in MIN_CITY_ZIPS_BY_BEDS if beds >= threshold)
    return table.city_zips >= minimum


def _pick(weights: np.ndarray, u: float) -> int:
    cumulative = np.cumsum(weights)
    return int(min(np.searchsorted(cumulative, u * cumulative[-1], side="right"), len(weights) - 1))


def hospital_sites(u: list[float] | np.ndarray, beds: list[int] | np.ndarray) -> tuple[Place, ...]:
    """Real sites for the hospitals of one health system.

    Args:
        u: one uniform in [0, 1) per hospital (drawn by the caller from its own keys).
        beds: each hospital's staffed beds (chooses city size).

    Returns:
        One ``Place`` per hospital (the central ZIP code of its city): the first drawn nationwide with
        weight proportional to city size, the others within ``REGION_MILES`` of it when such a city
        exists.

    Raises:
        ValueError: when ``u`` and ``beds`` differ in length.
    """
    if len(u) != len(beds):
        raise ValueError("one uniform per hospital is needed")
    table = _table()
    site_lat, site_lon = table.lat[table.city_site], table.lon[table.city_site]
    chosen: list[Place] = []
    near = np.ones(len(table.city_site), dtype=bool)
    for index, (draw, size) in enumerate(zip(u, beds, strict=True)):
        eligible = _eligible_cities(int(size), table)
        if index > 0 and (eligible & near).any():
            eligible = eligible & near
        weights = np.where(eligible, table.city_zips, 0).astype(float)
        city = _pick(weights, float(draw))
        chosen.append(table.places[table.city_site[city]])
        if index == 0:
            near = _miles(site_lat[city], site_lon[city], site_lat, site_lon) <= REGION_MILES
    return tuple(chosen)


def catchment(site: Place) -> Catchment:
    """The ZIP codes a hospital's patients come from, weighted by distance decay.

    Args:
        site: the hospital's place.

    Returns:
        A ``Catchment``: ZIP codes within ``CATCHMENT_MILES`` (``RURAL_CATCHMENT_MILES`` where fewer than
        ``MIN_CATCHMENT_ZIPS`` are that close), nearest first, weights exp(-d / ``DECAY_MILES``) summing to 1.
    """
    table = _table()
    miles = _miles(math.radians(site.lat), math.radians(site.lon), table.lat, table.lon)
    radius = CATCHMENT_MILES if (miles <= CATCHMENT_MILES).sum() >= MIN_CATCHMENT_ZIPS else RURAL_CATCHMENT_MILES
    inside = np.flatnonzero(miles <= radius)
    order = inside[np.lexsort((inside, miles[inside]))]
    weights = np.exp(-miles[order] / DECAY_MILES)
    weights /= weights.sum()
    return Catchment(
        site=site,
        places=tuple(table.places[i] for i in order),
        weights=tuple(float(w) for w in weights),
        distances=tuple(float(m) for m in miles[order]),
    )


def home_indices(area: Catchment, u: np.ndarray) -> np.ndarray:
    """Home ZIP codes for patients of a catchment, by inverse transform of the distance-decay weights.

    Args:
        area: the hospital's catchment.
        u: uniforms in [0, 1), one per patient.

    Returns:
        Indices into ``area.places`` (int64 array, same shape as ``u``).
    """
    cumulative = np.cumsum(area.weights)
    cumulative[-1] = 1.0
    return np.minimum(np.searchsorted(cumulative, np.asarray(u), side="right"), len(area.places) - 1).astype(np.int64)
