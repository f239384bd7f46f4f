"""Who works there: physician specialties, the roles of a hospital roster, and how many a census needs.

Attending roles take the stays of one service (hospitalists the medical floor, surgeons the surgical
stays, intensivists the ICU part of a stay, ...); the others (anaesthesia, radiology, emergency medicine,
consultants) are on the roster but never attending of a stay. A role covers ``patients_per_day`` patients
per physician on duty and rotates ``days_on``/``days_off`` (hospitalists 7 on / 7 off), so a hospitalist
attends several hundred stays a year. Sources: ``docs/calibration.md``, section "Staffing".
"""

from __future__ import annotations

import math

from .types import Role

# Specialty -> (active US physicians, share of women). AAMC 2022 Physician Specialty Data Report; counts
# are rounded and, for the smaller surgical specialties, approximate. Women are 37% of all active physicians.
SPECIALTIES: dict[str, tuple[int, float]] = {
    "Internal Medicine": (120_000, 0.46),
    "Family Medicine": (119_000, 0.45),
    "Hospital Medicine": (50_000, 0.42),  # hospitalists (SHM: ~50,000; boarded in IM/FM); women: assumption
    "Pediatrics": (60_000, 0.65),
    "Emergency Medicine": (47_000, 0.30),
    "Obstetrics & Gynecology": (42_000, 0.62),
    "Anesthesiology": (42_000, 0.27),
    "Psychiatry": (38_000, 0.44),
    "Radiology": (27_000, 0.27),
    "General Surgery": (25_000, 0.24),
    "Cardiology": (22_000, 0.15),
    "Orthopedic Surgery": (19_000, 0.06),
    "Hematology & Oncology": (16_300, 0.36),
    "Gastroenterology": (15_700, 0.19),
    "Neurology": (14_100, 0.36),
    "Critical Care Medicine": (13_000, 0.28),
    "Pulmonary Disease": (12_600, 0.25),
    "Nephrology": (11_400, 0.32),
    "Urology": (10_200, 0.10),
    "Otolaryngology": (9_800, 0.19),
    "Ophthalmology": (19_300, 0.28),
    "Infectious Disease": (6_900, 0.53),
    "Neonatology": (5_900, 0.58),
    "Neurological Surgery": (5_700, 0.10),
    "Plastic Surgery": (7_400, 0.19),
    "Cardiothoracic Surgery": (4_600, 0.08),
    "Vascular Surgery": (3_600, 0.17),
    "Colorectal Surgery": (1_800, 0.25),
    "Surgical Oncology": (1_500, 0.30),
    "Gynecologic Oncology": (1_200, 0.55),
    "Pediatric Surgery": (1_100, 0.30),
    "Trauma Surgery": (4_000, 0.24),
    "Transplant Surgery": (1_000, 0.15),
}
FEMALE_SHARE_ALL_PHYSICIANS = 0.37  # AAMC 2022

# Hospitalists are boarded in internal medicine mostly (SHM State of Hospital Medicine; assumption).
HOSPITALIST_BOARDS: tuple[tuple[str, float], ...] = (
    ("Internal Medicine", 0.82),
    ("Family Medicine", 0.15),
    ("Pediatrics", 0.03),
)


def _role(name, specialty, service, attends, per_day, on, off, source):
    return Role(name, specialty, service, attends, per_day, on, off, SPECIALTIES[specialty][1], source)


# Census per physician on duty: hospitalists ~15 (SHM 2020), intensivists 1:14 at most (SCCM), the others
# an assumption. Rotations: 7 on / 7 off for round-the-clock services (SHM: the commonest schedule),
# 5 on / 2 off with call for the surgical and psychiatric services (assumption).
ROLES: tuple[Role, ...] = (
    _role("hospitalist", "Hospital Medicine", "hospital_medicine", True, 15, 7, 7, "shm_2020"),
    _role("oncologist", "Hematology & Oncology", "hospital_medicine", True, 12, 7, 7, "assumption"),
    _role("surgeon", "General Surgery", "surgery", True, 8, 5, 2, "assumption"),
    _role("obstetrician", "Obstetrics & Gynecology", "obstetrics", True, 10, 7, 7, "assumption"),
    _role("pediatric_hospitalist", "Pediatrics", "pediatrics", True, 12, 7, 7, "assumption"),
    _role("newborn_physician", "Pediatrics", "newborn", True, 20, 7, 7, "assumption"),
    _role("neonatologist", "Neonatology", "newborn", True, 10, 7, 7, "assumption"),
    _role("psychiatrist", "Psychiatry", "psychiatry", True, 12, 5, 2, "assumption"),
    _role("intensivist", "Critical Care Medicine", "critical_care", True, 14, 7, 7, "sccm_critical_care"),
    _role("anesthesiologist", "Anesthesiology", "surgery", False, 0, 5, 2, "assumption"),
    _role("radiologist", "Radiology", "", False, 0, 5, 2, "assumption"),
    _role("emergency_physician", "Emergency Medicine", "", False, 0, 4, 3, "assumption"),
    _role("consultant", "Cardiology", "", False, 0, 5, 2, "assumption"),
)
ROLES_BY_NAME: dict[str, Role] = {r.name: r for r in ROLES}

# Surgical specialties of the surgeon role (a diagnosis names its own, e.g. "Orthopedic Surgery").
SURGICAL_SPECIALTIES: tuple[str, ...] = (
    "General Surgery",
    "Orthopedic Surgery",
    "Neurological Surgery",
    "Cardiothoracic Surgery",
    "Vascular Surgery",
    "Urology",
    "Otolaryngology",
    "Ophthalmology",
    "Plastic Surgery",
    "Colorectal Surgery",
    "Surgical Oncology",
    "Gynecologic Oncology",
    "Pediatric Surgery",
    "Trauma Surgery",
    "Transplant Surgery",
    "Obstetrics & Gynecology",
)
# Consultants seen on the roster (non-attending), and non-attending staff per 100 staffed beds
# (assumption: a 300-bed hospital has ~9 anaesthesiologists, ~6 radiologists, ~12 ED physicians).
CONSULTANT_SPECIALTIES: tuple[str, ...] = (
    "Cardiology",
    "Gastroenterology",
    "Nephrology",
    "Neurology",
    "Pulmonary Disease",
    "Infectious Disease",
    "Hematology & Oncology",
)
NON_ATTENDING_PER_100_BEDS: dict[str, float] = {
    "anesthesiologist": 3.0,
    "radiologist": 2.0,
    "emergency_physician": 4.0,
    "consultant": 5.0,
}


def role_for(service: str, specialty: str) -> Role:
    """The attending role for a stay's service (and, on the medical service, its specialty).

    Args:
        service: a service name (``diagnoses.SERVICES``).
        specialty: the diagnosis' attending specialty.

    Returns:
        The attending ``Role``: an oncologist for oncology on the medical service, a neonatologist for
        "Neonatology" newborn stays, otherwise the service's role.

    Raises:
        KeyError: for an unknown service.
    """
    if service == "hospital_medicine":
        return ROLES_BY_NAME["oncologist" if specialty == "Hematology & Oncology" else "hospitalist"]
    if service == "newborn":
        return ROLES_BY_NAME["neonatologist" if specialty == "Neonatology" else "newborn_physician"]
    by_service = {
        "surgery": "surgeon",
        "obstetrics": "obstetrician",
        "pediatrics": "pediatric_hospitalist",
        "psychiatry": "psychiatrist",
        "critical_care": "intensivist",
    }
    return ROLES_BY_NAME[by_service[service]]


def roster_size(role: Role, mean_census: float) -> int:
    """Physicians of an attending role a hospital needs for a mean daily census of its patients.

    Args:
        role: an attending role.
        mean_census: the mean number of that role's patients in house at once.

    Returns:
        Physicians on the roster: enough on duty every day for the census (at least one), times the
        rotation's cycle over its days on; 0 when the census is 0.

    Raises:
        ValueError: for a non-attending role or a negative census.
    """
    if not role.attends:
        raise ValueError(f"{role.name} does not attend stays")
    if mean_census < 0:
        raise ValueError("mean_census must be 0 or more")
    if mean_census == 0:
        return 0
    on_duty = max(1, math.ceil(mean_census / role.patients_per_day))
    return math.ceil(on_duty * (role.days_on + role.days_off) / role.days_on)


def non_attending_size(role: Role, beds: int) -> int:
    """Non-attending physicians of a role for a hospital's staffed beds (at least one).

    Args:
        role: a non-attending role.
        beds: the hospital's staffed beds.

    Returns:
        The head count.

    Raises:
        ValueError: for an attending role.
    """
    if role.attends:
        raise ValueError(f"{role.name} attends stays; use roster_size")
    return max(1, round(beds * NON_ATTENDING_PER_100_BEDS[role.name] / 100))


def bed_days_per_physician_year(role: Role) -> float:
    """Patient-days one physician of an attending role covers in a year.

    Args:
        role: an attending role.

    Returns:
        patients_per_day x 365.25 x days_on / (days_on + days_off).
    """
    return role.patients_per_day * 365.25 * role.days_on / (role.days_on + role.days_off)
