"""The principal-diagnosis catalogue: 1,400+ ICD-10-CM codes with how often, how long and how deadly.

The data lives in ``diagnoses.tsv`` beside this module (one row per billable ICD-10-CM code, FY2026 code
set, official descriptions), read once with the csv module. Columns are ``Diagnosis`` fields; ``age_share``
is "|"-separated over ``ages.AGE_BANDS``.

How the numbers were set (details and sources in ``docs/calibration.md``, section "Diagnoses"):
- ``stays``: US stays a year (thousands) per HCUP CCSR category, split over the category's codes by an
  assumed within-category share. The ten largest categories carry HCUP Fast Stats 2017 counts
  (``source`` "hcup_faststats_2017"); the others approximate HCUPnet NIS tables (``hcup_ccsr_approx``,
  an assumption); the catch-all "Other ..." categories also stand for the rare categories not listed.
- ``los_mean`` and ``mortality``: all-ages figures per category or code (HCUP, NCHS; see the doc).
  Age shifts them *within* a diagnosis through ``LOS_AGE_GRADIENT`` and ``MORTALITY_AGE_GRADIENT``,
  normalised per code so that each diagnosis keeps its all-ages mean.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

from .ages import AGE_BANDS
from .types import Diagnosis, UnitLeg, UnitPath

ADMISSION_TYPES: tuple[str, ...] = ("Emergency", "Urgent", "Elective", "Newborn")
STAY_TYPES: tuple[str, ...] = ("Medical", "Surgical", "Maternal/Neonatal")
SERVICES: tuple[str, ...] = (
    "hospital_medicine",
    "surgery",
    "obstetrics",
    "newborn",
    "pediatrics",
    "psychiatry",
    "critical_care",
)
LATERALITIES: tuple[str, ...] = ("right", "left", "bilateral")

# CCSR body systems (HCUP Clinical Classifications Software Refined, the first three letters of a category).
BODY_SYSTEMS: dict[str, str] = {
    "BLD": "Diseases of the blood and blood-forming organs and certain disorders involving the immune mechanism",
    "CIR": "Diseases of the circulatory system",
    "DIG": "Diseases of the digestive system",
    "EAR": "Diseases of the ear and mastoid process (and eye, nose, throat, mouth here)",
    "END": "Endocrine, nutritional and metabolic diseases",
    "FAC": "Factors influencing health status and contact with health services",
    "GEN": "Diseases of the genitourinary system",
    "INF": "Certain infectious and parasitic diseases",
    "INJ": "Injury, poisoning and certain other consequences of external causes",
    "MAL": "Congenital malformations, deformations and chromosomal abnormalities",
    "MBD": "Mental, behavioral and neurodevelopmental disorders",
    "MUS": "Diseases of the musculoskeletal system and connective tissue",
    "NEO": "Neoplasms",
    "NVS": "Diseases of the nervous system",
    "PNL": "Certain conditions originating in the perinatal period",
    "PRG": "Pregnancy, childbirth and the puerperium",
    "RSP": "Diseases of the respiratory system",
    "SKN": "Diseases of the skin and subcutaneous tissue",
    "SYM": "Symptoms, signs and abnormal clinical and laboratory findings",
}

# Within one diagnosis, by age band (<1, 1-17, 18-44, 45-64, 65-84, 85+). Length of stay: older patients
# stay longer, about +4% a decade in adults (HCUP SB #79: 45-54 4.8 d, 55-64 5.2 d, 65-74 5.4 d across
# diagnoses; the within-diagnosis slope is an assumption) and children shorter. Mortality: the case-fatality
# of one condition rises steeply with age (assumption shaped on NCHS Data Brief 118: a quarter of
# in-hospital deaths at 85+, which the catalogue's tests check).
LOS_AGE_GRADIENT: tuple[float, ...] = (1.0, 0.80, 0.86, 1.0, 1.08, 1.12)
MORTALITY_AGE_GRADIENT: tuple[float, ...] = (1.0, 0.30, 0.35, 0.75, 1.15, 1.75)

# Share of a stay's days in step-down when it passes through one (assumption): after the ICU a quarter,
# for a stay that starts there (telemetry, progressive care) two fifths.
STEP_DOWN_SHARE_AFTER_ICU = 0.25
STEP_DOWN_SHARE_WITHOUT_ICU = 0.40

_TSV = "diagnoses.tsv"


def _normalised_gradient(gradient: tuple[float, ...], age_share: tuple[float, ...]) -> tuple[float, ...]:
    mean = sum(g * s for g, s in zip(gradient, age_share, strict=True))
    return tuple(round(g / mean, 6) for g in gradient)


def _diagnosis(row: dict[str, str]) -> Diagnosis:
    age_share = tuple(float(x) for x in row["age_share"].split("|"))
    return Diagnosis(
        code=row["code"],
        description=row["description"],
        category=row["category"],
        body_system=row["body_system"],
        stay_type=row["stay_type"],
        surgical_share=float(row["surgical_share"]),
        service=row["service"],
        specialty=row["specialty"],
        sex=row["sex"],
        min_age=int(row["min_age"]),
        max_age=int(row["max_age"]),
        stays=float(row["stays"]),
        age_share=age_share,
        female_share=float(row["female_share"]),
        los_mean=float(row["los_mean"]),
        los_cv=float(row["los_cv"]),
        los_age=_normalised_gradient(LOS_AGE_GRADIENT, age_share),
        mortality=float(row["mortality"]),
        mortality_age=_normalised_gradient(MORTALITY_AGE_GRADIENT, age_share),
        admission=(float(row["emergency"]), float(row["urgent"]), float(row["elective"])),
        icu_first=float(row["icu_first"]),
        icu_days_share=float(row["icu_days_share"]),
        step_down=float(row["step_down"]),
        readmission=float(row["readmission"]),
        season=row["season"],
        charges=float(row["charges"]),
        laterality=row["laterality"],
        lateral_group=row["lateral_group"],
        delivery=row["delivery"] == "1",
        cesarean_share=float(row["cesarean_share"]),
        newborn=row["newborn"],
        source=row["source"],
    )


@lru_cache(maxsize=1)
def catalogue() -> tuple[Diagnosis, ...]:
    """Every principal diagnosis of the catalogue, in file order (grouped by category).

    Returns:
        The diagnoses (read from ``diagnoses.tsv`` on first call, then cached).
    """
    with resources.files(__package__).joinpath(_TSV).open("r", encoding="utf-8") as handle:
        return tuple(_diagnosis(row) for row in csv.DictReader(handle, delimiter="\t"))


@lru_cache(maxsize=1)
def _index() -> dict[str, Diagnosis]:
    return {d.code: d for d in catalogue()}


def by_code(code: str) -> Diagnosis:
    """The diagnosis with an ICD-10-CM code.

    Args:
        code: the code with its dot (e.g. "I50.23").

    Returns:
        The ``Diagnosis``.

    Raises:
        KeyError: when the code is not in the catalogue.
    """
    return _index()[code]


@lru_cache(maxsize=1)
def lateral_groups() -> dict[str, tuple[Diagnosis, ...]]:
    """Codes that are the right / left / bilateral siblings of one condition, by group key.

    Returns:
        Group key -> its sibling diagnoses (each group has a right and a left code, some a bilateral one).
    """
    groups: dict[str, list[Diagnosis]] = {}
    for diagnosis in catalogue():
        if diagnosis.lateral_group:
            groups.setdefault(diagnosis.lateral_group, []).append(diagnosis)
    return {key: tuple(members) for key, members in groups.items()}


def service_for(diagnosis: Diagnosis, age: int) -> str:
    """The service that attends a stay on the floor: paediatrics for children, else the diagnosis' own.

    Args:
        diagnosis: the principal diagnosis.
        age: the patient's age in whole years at admission.

    Returns:
        A name from ``SERVICES``: children (under 18) with a medical diagnosis go to "pediatrics";
        newborn, obstetric, psychiatric and surgical stays keep their service.
    """
    if age < 18 and diagnosis.service == "hospital_medicine":
        return "pediatrics"
    return diagnosis.service


def age_band_count() -> int:
    """Number of age bands every per-age tuple of a diagnosis has (``len(AGE_BANDS)``)."""
    return len(AGE_BANDS)


def unit_paths(diagnosis: Diagnosis) -> tuple[UnitPath, ...]:
    """The variants of a stay's path through units (ICU, step-down, floor), with their probabilities.

    Args:
        diagnosis: the principal diagnosis.

    Returns:
        Up to four ``UnitPath`` whose probabilities sum to 1: ICU -> step-down -> floor, ICU -> floor,
        step-down -> floor, floor only (``icu_first`` and ``step_down`` give the probabilities,
        ``icu_days_share`` the ICU leg, ``STEP_DOWN_SHARE_*`` the step-down leg). Newborns have no
        step-down (their ICU is the NICU, then the nursery).
    """
    icu, step = diagnosis.icu_first, 0.0 if diagnosis.service == "newborn" else diagnosis.step_down
    icu_days = diagnosis.icu_days_share
    after_icu = min(STEP_DOWN_SHARE_AFTER_ICU, (1 - icu_days) / 2)  # leave days for the floor
    variants = (
        (icu * step, (("ICU", icu_days), ("STEPDOWN", after_icu), ("FLOOR", 1 - icu_days - after_icu))),
        (icu * (1 - step), (("ICU", icu_days), ("FLOOR", 1 - icu_days))),
        ((1 - icu) * step, (("STEPDOWN", STEP_DOWN_SHARE_WITHOUT_ICU), ("FLOOR", 1 - STEP_DOWN_SHARE_WITHOUT_ICU))),
        ((1 - icu) * (1 - step), (("FLOOR", 1.0),)),
    )
    return tuple(
        UnitPath(p, tuple(UnitLeg(unit, share) for unit, share in legs if share > 0)) for p, legs in variants if p > 0
    )
