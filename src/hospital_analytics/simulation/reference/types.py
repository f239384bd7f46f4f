"""The typed shapes of the reference data: frozen dataclasses the simulation reads, never changes.

Conventions shared by every module of ``reference``:
- Shares are fractions (0.0-1.0); a tuple of shares sums to 1.
- Per-age tuples follow ``ages.AGE_BANDS`` (<1, 1-17, 18-44, 45-64, 65-84, 85+), one value per band.
- Per-weekday tuples run Monday (index 0) to Sunday (6), as ``date.weekday()``; per-hour tuples 0-23;
  per-month tuples January (index 0) to December.
- Labels are the values written to the tables (e.g. "Emergency", "Medical", "Medicare").
- Every number is a published figure or a stated assumption; ``sources.SOURCES`` names the publication
  behind each ``source`` key, and ``docs/calibration.md`` lists them all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A publication that a number comes from.

    ``key`` is how data and targets refer to it (e.g. "hcup_sb277"); ``locator`` names the table or
    figure; ``assumption`` marks keys that stand for a modelling assumption rather than a publication.
    """

    key: str
    title: str
    publisher: str
    year: int
    locator: str = ""
    assumption: bool = False


@dataclass(frozen=True)
class Target:
    """A published figure the generated data is checked against (fidelity table, calibration doc).

    ``value`` is the point figure when one is published; ``low``/``high`` the accepted range (equal to
    ``value`` when none is given). ``unit`` is "share" (0-1), "days", "usd", "rate" and so on.
    """

    name: str
    topic: str
    value: float | None
    low: float
    high: float
    unit: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class AgeBand:
    """An age group in whole years at admission, inclusive on both ends."""

    name: str
    low: int
    high: int


@dataclass(frozen=True)
class Diagnosis:
    """One ICD-10-CM principal diagnosis and everything the simulation needs about its stays.

    Frequencies: ``stays`` is the estimated number of US community-hospital stays a year with this
    principal diagnosis (thousands); shares follow by normalising over the catalogue. ``age_share`` says
    how this diagnosis' stays spread over the age bands (sums to 1; zero outside ``min_age``-``max_age``),
    ``female_share`` the share of its stays that are women's (1.0 or 0.0 for sex-specific codes).

    Length of stay: ``los_mean`` is the all-ages mean (days, the published figure); ``los_age`` are
    multipliers per age band normalised so that ``sum(age_share * los_age) == 1``, so age shifts length
    of stay within the diagnosis and the diagnosis keeps its mean. ``los_cv`` is the coefficient of
    variation (standard deviation / mean) of a lognormal around the mean.

    Mortality: ``mortality`` is the all-ages in-hospital death rate; ``mortality_age`` multipliers per band
    are normalised the same way (``sum(age_share * mortality_age) == 1``).

    Admission: ``admission`` is the (Emergency, Urgent, Elective) mix; liveborn codes are admitted as
    "Newborn" instead (``newborn`` is set). Unit path: ``icu_first`` is P(the stay starts in the ICU),
    ``icu_days_share`` the share of such a stay's days spent in the ICU, ``step_down`` P(a stay passes
    through step-down after the ICU or instead of the floor for cardiac/telemetry patients).

    Coding: ``laterality`` is "right", "left", "bilateral" or "" and ``lateral_group`` the key shared by
    the siblings of one condition (e.g. "knee_oa" for M17.11 right, M17.12 left and M17.0 bilateral).
    ``delivery`` is True for codes of a delivery stay, with ``cesarean_share`` the share of those
    deliveries by cesarean (0 for O80, 1 for O82, ~0.87 after a previous cesarean); ``newborn`` is
    "vaginal" or "cesarean" for liveborn codes (Z38.00, Z38.01, twins Z38.30, Z38.31), "" otherwise.
    ``service`` is the adult service: stays of patients under 18 other than newborn, obstetric and
    psychiatric ones are attended by paediatrics (``diagnoses.service_for``).
    """

    code: str
    description: str
    category: str  # HCUP CCSR category name (e.g. "Heart failure")
    body_system: str  # CCSR body-system abbreviation (e.g. "CIR")
    stay_type: str  # "Medical", "Surgical" or "Maternal/Neonatal": HCUP stay type without/with OR procedure
    surgical_share: float  # share of its stays with an operating-room procedure (HCUP "surgical")
    service: str  # attending service on the floor (services.SERVICES)
    specialty: str  # attending specialty within the service (staffing.SPECIALTIES)
    sex: str  # "F", "M" or "" (both)
    min_age: int
    max_age: int
    stays: float
    age_share: tuple[float, ...]
    female_share: float
    los_mean: float
    los_cv: float
    los_age: tuple[float, ...]
    mortality: float
    mortality_age: tuple[float, ...]
    admission: tuple[float, float, float]
    icu_first: float
    icu_days_share: float
    step_down: float
    readmission: float  # 30-day all-cause readmission rate after a stay with this diagnosis
    season: str  # seasonality curve name (seasons.CURVES)
    charges: float  # mean total charges of a stay (USD)
    laterality: str
    lateral_group: str
    delivery: bool
    cesarean_share: float
    newborn: str
    source: str  # key of the source of its frequency / length of stay


@dataclass(frozen=True)
class WeekdayProfile:
    """Relative intensity by weekday (Monday first); the seven factors average 1."""

    name: str
    factors: tuple[float, ...]
    source: str


@dataclass(frozen=True)
class HourProfile:
    """Share of events by hour of day (0-23); the 24 shares sum to 1."""

    name: str
    shares: tuple[float, ...]
    source: str


@dataclass(frozen=True)
class Holiday:
    """A US federal holiday and the day it is observed in a given year."""

    name: str
    date: dt.date  # the observed day (Saturday -> Friday, Sunday -> Monday)
    actual: dt.date  # the calendar day of the holiday


@dataclass(frozen=True)
class SeasonCurve:
    """Relative admission intensity by calendar month (January first); the twelve values average 1."""

    name: str
    months: tuple[float, ...]
    source: str


@dataclass(frozen=True)
class BedSizeClass:
    """A class of US community hospitals by staffed beds, with its share of hospitals."""

    low: int
    high: int
    share: float


@dataclass(frozen=True)
class UnitKind:
    """A kind of inpatient unit: who it serves, its typical share of a hospital's beds and occupancy.

    ``min_hospital_beds`` is the smallest hospital that has one (small hospitals lack NICU, behavioural
    health and paediatric units); ``occupancy`` is the (low, typical, high) published midnight occupancy;
    ``min_beds`` the smallest unit worth opening.
    """

    code: str
    name: str
    min_hospital_beds: int
    occupancy: tuple[float, float, float]
    min_beds: int
    source: str


@dataclass(frozen=True)
class Place:
    """A real US ZIP code with its city, county, state and centroid."""

    zip_code: str
    city: str
    county: str
    state: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Role:
    """A physician role in a hospital's roster.

    ``attends`` is True for roles that are attending physician of stays; ``patients_per_day`` is the
    census one physician on duty covers; ``days_on``/``days_off`` the rotation (e.g. 7 on, 7 off);
    ``female_share`` the share of women in the specialty (AAMC).
    """

    name: str
    specialty: str
    service: str
    attends: bool
    patients_per_day: float
    days_on: int
    days_off: int
    female_share: float
    source: str


@dataclass(frozen=True)
class Catchment:
    """Where a hospital's patients live: real ZIP codes around its site and the share of patients in each.

    ``weights`` sum to 1 and fall with distance (``places.catchment``); ``distances`` are miles from the
    hospital's site, in the order of ``places``.
    """

    site: Place
    places: tuple[Place, ...]
    weights: tuple[float, ...]
    distances: tuple[float, ...]


@dataclass(frozen=True)
class UnitLeg:
    """One leg of a stay's path through units: a unit role and its share of the stay's days.

    ``unit`` is "ICU" (the NICU for newborns), "STEPDOWN" or "FLOOR" (the service's floor unit);
    ``hospitals.unit_for`` turns it into a unit the hospital has.
    """

    unit: str
    los_share: float


@dataclass(frozen=True)
class UnitPath:
    """A variant of a stay's path through units, with its probability among the diagnosis' variants."""

    probability: float
    legs: tuple[UnitLeg, ...]
