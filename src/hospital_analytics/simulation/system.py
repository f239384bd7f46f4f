"""The health system: hospitals (size, real site, catchment, name), their units and beds, and the roster.

Sizes follow from the admission rate (design, "Sizes"): the system has as many hospitals drawn from the US
bed-size distribution as the rate needs (or ``--hospitals``), each takes a share of the admissions by its
drawn size, and each unit gets beds for its expected midnight census (``hospitals.beds_for_census``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from hospital_analytics.simulation import draws
from hospital_analytics.simulation.casemix import (
    ATTENDING_ROLES,
    N_BANDS,
    ROLE_CODES,
    ROLE_ICU,
    ROLE_NICU,
    ROLE_STEPDOWN,
    casemix,
)
from hospital_analytics.simulation.reference import diagnoses, hospitals, places, staffing
from hospital_analytics.simulation.reference.types import Catchment, Place

DAYS_PER_RATE = 730.5  # --hospitalizations is a rate per 24 months (design)
MAX_HOSPITALS = 60_000
DEPARTMENT = {
    "hospital_medicine": "Medicine",
    "surgery": "Surgery",
    "obstetrics": "Women's Health",
    "newborn": "Pediatrics",
    "pediatrics": "Pediatrics",
    "psychiatry": "Behavioral Health",
    "critical_care": "Critical Care",
}
NON_ATTENDING_DEPARTMENT = {
    "anesthesiologist": "Anesthesiology",
    "radiologist": "Radiology",
    "emergency_physician": "Emergency",
    "consultant": "Medicine",
}
ROLE_NAMES = tuple(r.name for r in staffing.ROLES)


@dataclass(frozen=True)
class System:
    """Hospitals (index h), units (index u, global) and doctors (index k) of the simulated system."""

    rate: np.ndarray  # expected stays per day per hospital
    site: tuple[Place, ...]
    catchment: tuple[Catchment, ...]
    name: tuple[str, ...]
    beds: np.ndarray  # per hospital (sum of its units)
    unit_hospital: np.ndarray
    unit_code: tuple[str, ...]
    unit_beds: np.ndarray
    unit_map: np.ndarray  # (hospitals, roles) -> unit index
    doctor_hospital: np.ndarray
    doctor_role: np.ndarray  # index into ROLE_NAMES
    doctor_specialty: tuple[str, ...]
    doctor_department: tuple[str, ...]
    doctor_female: np.ndarray
    roster_first: np.ndarray  # (hospitals, attending roles): first doctor index of the block (or a stand-in's)
    roster_size: np.ndarray  # (hospitals, attending roles): its size
    home_cdf: tuple[np.ndarray, np.ndarray]  # catchment weights of all hospitals: (h + cumulative, offsets)
    home_size: np.ndarray  # places per catchment

    @property
    def hospitals(self) -> int:
        return len(self.rate)


@lru_cache(maxsize=1)
def expected_days() -> tuple[np.ndarray, np.ndarray, float]:
    """Per stay on average: days in each unit role (roles,), days per attending role (attending,), LOS."""
    mix = casemix()
    w = mix.weight[:, None] * mix.age_share  # (n, bands)
    w = w / w.sum()
    los = mix.los_mean[:, None] * mix.los_age  # (n, bands)
    icu = mix.icu_first[:, None]
    step = mix.step_down[:, None]
    icu_share = mix.icu_days[:, None]
    after = np.minimum(diagnoses.STEP_DOWN_SHARE_AFTER_ICU, (1 - icu_share) / 2)
    icu_days = los * icu * icu_share
    step_days = los * (icu * step * after + (1 - icu) * step * diagnoses.STEP_DOWN_SHARE_WITHOUT_ICU)
    floor_days = los - icu_days - step_days
    roles = np.zeros(len(ROLE_CODES))
    attending = np.zeros(len(ATTENDING_ROLES))
    child = np.arange(N_BANDS) < 2
    for band in range(N_BANDS):
        c = int(child[band])
        np.add.at(roles, mix.floor_role[:, c], w[:, band] * floor_days[:, band])
        np.add.at(attending, mix.attending[:, c], w[:, band] * los[:, band] * (1 - mix.icu_first))
    roles[ROLE_ICU] = float((w * icu_days)[~mix.newborn].sum())
    roles[ROLE_NICU] = float((w * icu_days)[mix.newborn].sum())
    roles[ROLE_STEPDOWN] = float((w * step_days).sum())
    attending[ATTENDING_ROLES.index("intensivist")] += float((w * los * icu)[~mix.newborn].sum())
    newborn_icu = float((w * los * icu)[mix.newborn].sum())
    attending[ATTENDING_ROLES.index("neonatologist")] += newborn_icu
    return roles, attending, float((w * los).sum())


def _hospital_shares(seed: int, rate_per_day: float, count: int | None) -> np.ndarray:
    """Relative sizes of the hospitals: drawn from the bed-size distribution until they hold the rate."""
    needed_beds = rate_per_day * 365.25 / hospitals.ADMISSIONS_PER_BED_YEAR
    if count is not None:
        fixed = [hospitals.beds_from_uniform(float(u)) for u in draws.uniform(seed, draws.SYSTEM, np.arange(count))]
        return np.array(fixed, dtype=float) / sum(fixed)
    sizes: list[int] = []
    batch = 0
    while sum(sizes) < needed_beds and len(sizes) < MAX_HOSPITALS:
        keys = np.arange(batch * 256, (batch + 1) * 256)
        for u in draws.uniform(seed, draws.SYSTEM, keys):
            sizes.append(hospitals.beds_from_uniform(float(u)))
            if sum(sizes) >= needed_beds:
                break
        batch += 1
    if len(sizes) > 1 and sum(sizes) > needed_beds:  # the last one takes what is left, at least a small hospital
        sizes[-1] = max(hospitals.BED_SIZE_CLASSES[0].low, sizes[-1] - int(sum(sizes) - needed_beds))
    return np.array(sizes, dtype=float) / sum(sizes)


def build_system(seed: int, stays: float, count: int | None = None, doctors: int | None = None) -> System:
    """The hospitals, units and roster for ``stays`` admissions per 24 months (``count`` fixes the hospitals,
    ``doctors`` the roster's total; both None: sized from the rate)."""
    rate_per_day = stays / DAYS_PER_RATE
    share = _hospital_shares(seed, rate_per_day, count)
    rate = share * rate_per_day
    role_days, attending_days, _ = expected_days()
    nominal = np.maximum(6, np.round(rate * 365.25 / hospitals.ADMISSIONS_PER_BED_YEAR)).astype(int)
    sites = places.hospital_sites(draws.uniform(seed, draws.SITES, np.arange(len(rate))), nominal)
    unit_hospital: list[int] = []
    unit_code: list[str] = []
    unit_beds: list[int] = []
    unit_map = np.zeros((len(rate), len(ROLE_CODES)), dtype=np.int64)
    for h, (r, size) in enumerate(zip(rate, nominal, strict=True)):
        available = tuple(k.code for k in hospitals.units_for(int(size)))
        census: dict[str, float] = {}
        target: list[str] = []
        for role, code in enumerate(ROLE_CODES):
            if role == ROLE_ICU:
                unit = hospitals.unit_for("hospital_medicine", available, icu=True)
            elif role == ROLE_NICU:
                unit = hospitals.unit_for("newborn", available, icu=True)
            else:
                unit = code if code in available else hospitals.FALLBACK_UNIT.get(code, "MEDSURG")
                while unit not in available:
                    unit = hospitals.FALLBACK_UNIT.get(unit, "MEDSURG")
            target.append(unit)
            census[unit] = census.get(unit, 0.0) + r * role_days[role]
        first = len(unit_code)
        codes = [k.code for k in hospitals.UNIT_KINDS if k.code in census]
        for code in codes:
            unit_hospital.append(h)
            unit_code.append(code)
            unit_beds.append(hospitals.beds_for_census(census[code], hospitals.UNIT_BY_CODE[code]))
        for role, unit in enumerate(target):
            unit_map[h, role] = first + codes.index(unit)
        smallest = hospitals.BED_SIZE_CLASSES[0].low  # no hospital below the smallest AHA class: MEDSURG grows
        unit_beds[first] += max(0, smallest - sum(unit_beds[first:]))
    beds_by_hospital = np.bincount(np.array(unit_hospital), weights=np.array(unit_beds), minlength=len(rate))
    names = tuple(
        hospitals.hospital_name(site.city, site.county, places.STATE_NAMES[site.state], int(b), float(u1), float(u2))
        for site, b, u1, u2 in zip(
            sites,
            beds_by_hospital,
            draws.uniform(seed, draws.NAMES, np.arange(len(rate)), 1),
            draws.uniform(seed, draws.NAMES, np.arange(len(rate)), 2),
            strict=True,
        )
    )
    roster = _roster(seed, rate, attending_days, beds_by_hospital.astype(int), doctors)
    catchments = tuple(places.catchment(site) for site in sites)
    cumulative = [draws.cumulative(np.array(c.weights)) for c in catchments]
    sizes = np.array([len(c) for c in cumulative], dtype=np.int64)
    flat = np.concatenate([h + c for h, c in enumerate(cumulative)])
    offsets = np.concatenate([[0], np.cumsum(sizes)])[:-1]
    return System(
        rate=rate,
        site=sites,
        catchment=catchments,
        home_cdf=(flat, offsets),
        home_size=sizes,
        name=_unique(names),
        beds=beds_by_hospital.astype(np.int64),
        unit_hospital=np.array(unit_hospital, dtype=np.int64),
        unit_code=tuple(unit_code),
        unit_beds=np.array(unit_beds, dtype=np.int64),
        unit_map=unit_map,
        **roster,
    )


def _unique(names: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return tuple(out)


def _largest_remainder(need: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``need`` summing to ``total``; cells with need get one first while possible."""
    flat = need.ravel().astype(float)
    out = np.zeros(len(flat), dtype=np.int64)
    positive = np.flatnonzero(flat > 0)
    if total <= 0 or len(positive) == 0:
        return out.reshape(need.shape)
    if total <= len(positive):
        out[positive[np.argsort(-flat[positive], kind="stable")[:total]]] = 1
        return out.reshape(need.shape)
    out[positive] = 1
    rest = total - len(positive)
    quota = flat / flat.sum() * rest
    out += np.floor(quota).astype(np.int64)
    left = total - int(out.sum())
    out[np.argsort(-(quota - np.floor(quota)), kind="stable")[:left]] += 1
    return out.reshape(need.shape)


def _roster(seed: int, rate: np.ndarray, attending_days: np.ndarray, beds: np.ndarray, doctors: int | None) -> dict:
    roles = staffing.ROLES
    need = np.zeros((len(rate), len(roles)), dtype=np.int64)
    for j, role in enumerate(roles):
        for h in range(len(rate)):
            if role.attends:
                need[h, j] = staffing.roster_size(
                    role, float(rate[h] * attending_days[ATTENDING_ROLES.index(role.name)])
                )
            else:
                need[h, j] = staffing.non_attending_size(role, int(beds[h]))
    if doctors is not None:
        wanted = need.copy()
        need = _largest_remainder(need, doctors)
        attends = np.array([r.attends for r in roles])
        if need[:, attends].sum() == 0:  # a tiny roster: its first doctor attends (the most needed role)
            cell = np.unravel_index(int(np.argmax(np.where(attends[None, :], wanted, -1))), need.shape)
            donor = np.unravel_index(int(np.argmax(need)), need.shape)
            need[donor] -= 1
            need[cell] += 1
    hospital = np.repeat(np.repeat(np.arange(len(rate)), len(roles)), need.ravel())
    role_index = np.repeat(np.tile(np.arange(len(roles)), len(rate)), need.ravel())
    n = len(hospital)
    u = draws.uniform(seed, draws.ROSTER, np.arange(n), 1)
    specialty: list[str] = []
    for k in range(n):
        role = roles[int(role_index[k])]
        if role.name == "hospitalist":
            options = staffing.HOSPITALIST_BOARDS
        elif role.name == "surgeon":
            options = tuple((s, float(staffing.SPECIALTIES[s][0])) for s in staffing.SURGICAL_SPECIALTIES[:-1])
        elif role.name == "consultant":
            options = tuple((s, float(staffing.SPECIALTIES[s][0])) for s in staffing.CONSULTANT_SPECIALTIES)
        else:
            options = ((role.specialty, 1.0),)
        cdf = draws.cumulative(np.array([w for _, w in options]))
        specialty.append(options[int(draws.choose(cdf, u[k : k + 1])[0])][0])
    female_share = np.array([staffing.SPECIALTIES[s][1] for s in specialty])
    female = draws.uniform(seed, draws.ROSTER, np.arange(n), 2) < female_share
    department = tuple(
        DEPARTMENT[roles[int(j)].service] if roles[int(j)].attends else NON_ATTENDING_DEPARTMENT[roles[int(j)].name]
        for j in role_index
    )
    first = np.full((len(rate), len(ATTENDING_ROLES)), -1, dtype=np.int64)
    size = np.zeros((len(rate), len(ATTENDING_ROLES)), dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(need.ravel())])[:-1].reshape(need.shape)
    for a, name in enumerate(ATTENDING_ROLES):
        j = ROLE_NAMES.index(name)
        size[:, a] = need[:, j]
        first[:, a] = np.where(need[:, j] > 0, starts[:, j], -1)
    # a role a small explicit --doctors left empty: the hospital's largest attending block, else the system's
    largest = np.argmax(size, axis=1)
    own_first, own_size = first[np.arange(len(rate)), largest], size[np.arange(len(rate)), largest]
    h0, r0 = np.unravel_index(int(np.argmax(size)), size.shape)
    stand_in = own_size > 0
    fallback_first = np.where(stand_in, own_first, first[h0, r0])
    fallback_size = np.where(stand_in, own_size, size[h0, r0])
    first = np.where(size > 0, first, fallback_first[:, None])
    size = np.where(size > 0, size, fallback_size[:, None])
    return {
        "doctor_hospital": hospital.astype(np.int64),
        "doctor_role": role_index.astype(np.int64),
        "doctor_specialty": tuple(specialty),
        "doctor_department": department,
        "doctor_female": female,
        "roster_first": first,
        "roster_size": size,
    }
