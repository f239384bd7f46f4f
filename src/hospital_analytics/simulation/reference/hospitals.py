"""US hospitals: how big they are, which units they have, how full the units run, and their names.

Sources and assumptions: ``docs/calibration.md``, section "Hospitals and units".
"""

from __future__ import annotations

import math

from .types import BedSizeClass, UnitKind

# AHA-registered US hospitals by staffed beds (6,280 hospitals, AHRQ Hospital Survey 2008, Table 3.1). The
# 400+ class (523 hospitals) is split 400-499 / 500+ as 40% / 60% (assumption, after the AHA Annual Survey
# 2000: 247 hospitals of 500 beds or more, 5% of all). Capped at 1,500 beds (design).
MAX_BEDS = 1500
BED_SIZE_CLASSES: tuple[BedSizeClass, ...] = tuple(
    BedSizeClass(low, high, count / 6280)
    for low, high, count in (
        (6, 24, 607),
        (25, 49, 1374),
        (50, 99, 1329),
        (100, 199, 1341),
        (200, 299, 704),
        (300, 399, 402),
        (400, 499, 209),
        (500, MAX_BEDS, 314),
    )
)

# Community hospitals admit about 45 patients per staffed bed a year (AHA Fast Facts: ~36M admissions to
# ~790,000 staffed beds, 2019-2020). With a 4.6-day mean stay that is ~57% occupancy of all staffed beds;
# acute units run fuller (below), psychiatric and obstetric ones emptier.
ADMISSIONS_PER_BED_YEAR = 45.0

UNIT_KINDS: tuple[UnitKind, ...] = (
    # code, name, smallest hospital with one, occupancy (low, typical, high), smallest unit, source
    UnitKind("MEDSURG", "Medical-surgical", 6, (0.60, 0.72, 0.85), 4, "aha_fast_facts"),
    UnitKind("ICU", "Intensive care", 50, (0.65, 0.75, 0.88), 4, "sccm_critical_care"),
    UnitKind("STEPDOWN", "Step-down (progressive care)", 150, (0.65, 0.75, 0.88), 6, "assumption"),
    UnitKind("MATERNITY", "Labor, delivery and postpartum", 50, (0.40, 0.55, 0.75), 4, "assumption"),
    UnitKind("NURSERY", "Newborn nursery", 50, (0.40, 0.55, 0.75), 4, "assumption"),
    UnitKind("NICU", "Neonatal intensive care", 200, (0.65, 0.75, 0.90), 6, "harrison_goodman_2015"),
    UnitKind("PEDS", "Pediatrics", 200, (0.45, 0.60, 0.80), 6, "assumption"),
    UnitKind("PSYCH", "Behavioral health", 150, (0.75, 0.85, 0.95), 8, "assumption"),
)
UNIT_BY_CODE: dict[str, UnitKind] = {u.code: u for u in UNIT_KINDS}

# The floor unit of each service, and where a stay goes when its hospital lacks that unit (small hospitals
# have no paediatric or psychiatric unit: children and psychiatric patients are cared for on the
# medical-surgical floor, or transferred; the simulation decides). The ICU part of a newborn stay is NICU.
FLOOR_UNIT: dict[str, str] = {
    "hospital_medicine": "MEDSURG",
    "surgery": "MEDSURG",
    "obstetrics": "MATERNITY",
    "newborn": "NURSERY",
    "pediatrics": "PEDS",
    "psychiatry": "PSYCH",
}
FALLBACK_UNIT: dict[str, str] = {
    "STEPDOWN": "MEDSURG",
    "PEDS": "MEDSURG",
    "PSYCH": "MEDSURG",
    "NICU": "NURSERY",
    "MATERNITY": "MEDSURG",
}
# Spare capacity for random peaks: a unit has beds for its mean census plus this many standard deviations
# (the midnight census of a unit with independent stays is about Poisson: sd = sqrt(mean)). Assumption.
# 1.5 (not 2.5): with 2.5 the simulated ICUs ran at 57%, below the published 65-88% (issue 13's fidelity table);
# 1.5 gives ~68% with under 1% of emergencies diverted.
CENSUS_SLACK_SD = 1.5


def size_class(beds: int) -> BedSizeClass:
    """The bed-size class a hospital belongs to.

    Args:
        beds: staffed beds (6 to ``MAX_BEDS``).

    Returns:
        Its ``BedSizeClass``.

    Raises:
        ValueError: outside 6-``MAX_BEDS`` beds.
    """
    for cls in BED_SIZE_CLASSES:
        if cls.low <= beds <= cls.high:
            return cls
    raise ValueError(f"a hospital has 6 to {MAX_BEDS} beds, got {beds}")


def beds_from_uniform(u: float) -> int:
    """A hospital size drawn from the US bed-size distribution by inverse transform.

    Args:
        u: a uniform number in [0, 1).

    Returns:
        Staffed beds: the class by its share of hospitals, then log-uniform within the class.
    """
    cumulative = 0.0
    for cls in BED_SIZE_CLASSES:
        if u < cumulative + cls.share or cls is BED_SIZE_CLASSES[-1]:
            within = min(max((u - cumulative) / cls.share, 0.0), 1.0)
            return int(round(math.exp(math.log(cls.low) + within * (math.log(cls.high) - math.log(cls.low)))))
        cumulative += cls.share
    raise AssertionError("unreachable")


def units_for(beds: int) -> tuple[UnitKind, ...]:
    """The unit kinds a hospital of a given size has (small hospitals lack ICU, NICU, paediatrics, ...).

    Args:
        beds: staffed beds.

    Returns:
        The unit kinds whose ``min_hospital_beds`` the hospital reaches, in ``UNIT_KINDS`` order.
    """
    return tuple(u for u in UNIT_KINDS if beds >= u.min_hospital_beds)


def unit_for(service: str, available: tuple[str, ...], icu: bool = False) -> str:
    """The unit a stay of a service occupies in a hospital with the given units.

    Args:
        service: a service name (``diagnoses.SERVICES``).
        available: the unit codes the hospital has.
        icu: True for the intensive-care part of the stay.

    Returns:
        A unit code the hospital has (falling back along ``FALLBACK_UNIT``; "MEDSURG" always exists).
    """
    code = ("NICU" if service == "newborn" else "ICU") if icu else FLOOR_UNIT[service]
    while code not in available:
        if code == "ICU":
            return "MEDSURG"
        code = FALLBACK_UNIT.get(code, "MEDSURG")
    return code


def beds_for_census(mean_census: float, unit: UnitKind) -> int:
    """Beds a unit needs so its occupancy is typical and a random peak still fits.

    Args:
        mean_census: the expected midnight census of the unit.
        unit: the unit kind.

    Returns:
        max(smallest unit, census / typical occupancy, census + ``CENSUS_SLACK_SD`` standard deviations).

    Raises:
        ValueError: for a negative census.
    """
    if mean_census < 0:
        raise ValueError("mean_census must be 0 or more")
    by_occupancy = mean_census / unit.occupancy[1]
    by_peak = mean_census + CENSUS_SLACK_SD * math.sqrt(mean_census)
    return max(unit.min_beds, math.ceil(max(by_occupancy, by_peak)))


# --- names -------------------------------------------------------------------------------------------------
# Built from the real place (city or county), the way US hospitals are commonly named; small hospitals are
# more often "Community", "Memorial" or county hospitals, large ones "Medical Center" or "University".
# The patterns and their weights are an assumption.
SAINTS: tuple[str, ...] = (
    "Mary", "Joseph", "Luke", "Francis", "Vincent", "Elizabeth", "Anthony", "John", "Jude", "Michael",
    "Catherine", "Rose", "Agnes", "Clare", "Patrick", "Mark", "Bernard", "Alexius",
)  # fmt: skip
NAME_PATTERNS: dict[str, tuple[tuple[str, float], ...]] = {
    "small": (
        ("{city} Community Hospital", 0.25),
        ("{city} Memorial Hospital", 0.20),
        ("{county} County Hospital", 0.15),
        ("{county} Medical Center", 0.10),
        ("{city} Regional Hospital", 0.10),
        ("{city} General Hospital", 0.10),
        ("St. {saint} Hospital", 0.10),
    ),
    "medium": (
        ("{city} Regional Medical Center", 0.25),
        ("{city} Medical Center", 0.15),
        ("{city} General Hospital", 0.12),
        ("{city} Memorial Hospital", 0.12),
        ("St. {saint} Medical Center", 0.14),
        ("{county} Regional Medical Center", 0.10),
        ("Mercy Hospital {city}", 0.06),
        ("Good Samaritan Hospital of {city}", 0.06),
    ),
    "large": (
        ("{city} Medical Center", 0.22),
        ("University Medical Center of {city}", 0.18),
        ("{city} General Hospital", 0.15),
        ("St. {saint} Regional Medical Center", 0.15),
        ("{city} Regional Medical Center", 0.15),
        ("{state} University Hospital", 0.08),
        ("Methodist Hospital of {city}", 0.07),
    ),
}


def hospital_name(city: str, county: str, state_name: str, beds: int, u: float, u_saint: float) -> str:
    """A realistic name for a hospital built from its real place.

    Args:
        city: the city the hospital is in.
        county: its county, with or without the word "County".
        state_name: the state's full name.
        beds: staffed beds (chooses the naming style).
        u: a uniform in [0, 1) choosing the pattern.
        u_saint: a uniform in [0, 1) choosing a saint for "St. ..." names.

    Returns:
        The name, e.g. "Springfield Regional Medical Center".
    """
    style = "small" if beds < 100 else "medium" if beds < 400 else "large"
    patterns = NAME_PATTERNS[style]
    total = sum(weight for _, weight in patterns)
    cumulative, chosen = 0.0, patterns[-1][0]
    for pattern, weight in patterns:
        cumulative += weight / total
        if u < cumulative:
            chosen = pattern
            break
    county_short = county.removesuffix(" County").removesuffix(" Parish").removesuffix(" Borough")
    saint = SAINTS[min(int(u_saint * len(SAINTS)), len(SAINTS) - 1)]
    return chosen.format(city=city, county=county_short, state=state_name, saint=saint)
