"""Calibration tables as data: who is admitted, with what, for how long, by whom, and what it costs.

Every number here is either a published figure (source named beside it, see CALIBRATION.md) or a stated
assumption. ``model.py`` turns these tables into the matrices the vectorised sampler uses; nothing in this
module draws random numbers.

Age groups used for weights (``GROUPS``): infant (<1 year, stays other than the birth stay), child (1-17),
18-44, 45-64, 65-84, 85+. Birth stays (liveborn, Z38.00) are their own kind: one per newborn patient,
admitted on the birth date.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- age groups ------------------------------------------------------------------------------------------
MAX_AGE = 120  # open-ended upper age of "85+" and of age rules
GROUPS: tuple[str, ...] = ("infant", "1-17", "18-44", "45-64", "65-84", "85+")
GROUP_YEARS: tuple[tuple[int, int], ...] = ((0, 0), (1, 17), (18, 44), (45, 64), (65, 84), (85, MAX_AGE))

# Share of all stays by age at admission (HCUP Facts & Figures 2006): <1 12%, 1-17 4%, 18-44 26%,
# 45-64 23%, 65-84 27%, 85+ 8%. The <1 share splits into birth stays (liveborn, 3.69M of 35.8M stays in
# 2017 = 10.31%, HCUP Fast Stats) and other infant stays (the remaining 1.69%).
BIRTH_SHARE = 3.69 / 35.8
STAY_SHARE_BY_GROUP: tuple[float, ...] = (0.12 - BIRTH_SHARE, 0.04, 0.26, 0.23, 0.27, 0.08)
AGE_MIX_TARGET: tuple[tuple[str, float], ...] = (
    ("<1", 0.12),
    ("1-17", 0.04),
    ("18-44", 0.26),
    ("45-64", 0.23),
    ("65-84", 0.27),
    ("85+", 0.08),
)

# Share of stays that are female, by group (assumption shaped on HCUP: ~57% of stays are women, driven
# by childbirth at 18-44; 1.05 boys per girl at birth).
FEMALE_SHARE_NEWBORN = 1 / 2.05
FEMALE_SHARE_BY_GROUP: tuple[float, ...] = (0.47, 0.49, 0.69, 0.50, 0.54, 0.64)

# Relative number of stays per patient by group (assumption: older patients are admitted more often).
STAYS_WEIGHT_BY_GROUP: tuple[float, ...] = (1.0, 0.8, 1.0, 1.3, 1.7, 1.9)
# Gamma frailty shape per group: lower = more heterogeneous (a few patients account for many stays).
FRAILTY_SHAPE_BY_GROUP: tuple[float, ...] = (1.5, 1.0, 0.8, 0.8, 0.8, 0.9)
# Newborns: share of non-birth infant stays that are newborns coming back (jaundice, bronchiolitis...).
NEWBORN_SHARE_OF_INFANT_STAYS = 0.4
NEWBORN_MAX_EXTRA_STAYS = 2
# Mothers: one delivery stay each (deliveries ~ births), at a maternal age ~ normal(29.5, 5.8) years within
# 15-49 (CDC NVSS 2022: mean age at birth 29.6). Their other stays are fewer than other adults' (weight).
MOTHER_AGE_YEARS = (29.5, 5.8)
MOTHER_AGE_RANGE = (15.02, 49.97)
MOTHER_EXTRA_STAYS = 0.25  # mean other stays per mother in the window (assumption)
# A patient has at most one stay per MIN_DAYS_PER_STAY days of the window (hard cap: feasibility), and
# normally at most one per TYPICAL_DAYS_PER_STAY days (soft cap: about a 5-day stay plus a month apart, so
# episodes rarely need compressing); the soft cap gives way when the requested stays need more.
MIN_DAYS_PER_STAY = 8
TYPICAL_DAYS_PER_STAY = 36


# --- insurance ------------------------------------------------------------------------------------------
INSURANCE: tuple[str, ...] = ("Medicare", "Medicaid", "Private", "Self-pay")
# Primary payer by age group (assumption shaped on HCUP payer mix: Medicare covers ~94% of 65+ stays,
# Medicaid ~45% of births and children, Medicare under 65 = disability/ESRD).
INSURANCE_NEWBORN: tuple[float, ...] = (0.0, 0.45, 0.50, 0.05)
INSURANCE_MOTHER: tuple[float, ...] = (0.01, 0.42, 0.52, 0.05)
INSURANCE_BY_GROUP: tuple[tuple[float, ...], ...] = (
    (0.00, 0.50, 0.45, 0.05),
    (0.00, 0.48, 0.47, 0.05),
    (0.07, 0.34, 0.46, 0.13),
    (0.20, 0.23, 0.48, 0.09),
    (0.93, 0.015, 0.05, 0.005),
    (0.96, 0.010, 0.027, 0.003),
)

# --- 30-day readmission -----------------------------------------------------------------------------------
# HCUP SB #248: all-cause 13.9-14.2%, Medicare 17-18%, private 8.6%, pregnancy 3.6%. Medicaid and
# self-pay are solved at run time so that the overall rate is READMISSION_OVERALL (their ratio below is
# an assumption: Medicaid runs higher than self-pay).
READMISSION_OVERALL = 0.1405
READMISSION_BY_INSURANCE: dict[str, float] = {"Medicare": 0.175, "Private": 0.086}
READMISSION_SOLVED_RATIO: dict[str, float] = {"Medicaid": 1.0, "Self-pay": 0.8}
READMISSION_PREGNANCY = 0.036
# A readmission repeats the previous stay's diagnosis this often (when still eligible). Assumption.
READMISSION_REPEAT_DIAGNOSIS = 0.3
# Days from discharge to readmission (1..30): early days are likelier (assumption: exponential, 10 days).
READMISSION_GAP_SCALE_DAYS = 10.0
# Readmissions are chosen per block so each insurance meets its rate exactly in expectation: stays with a
# next stay are picked with probability ~ (diagnosis propensity), capped here.
READMISSION_MAX_PROBABILITY = 0.97
# Two deliveries are at least this many days apart (and no pregnancy stay soon after a delivery).
DELIVERY_SPACING_DAYS = 300

# --- length of stay ----------------------------------------------------------------------------------------
# Adults stay longer with age (HCUP SB #79: 45-54 4.8 d, 55-64 5.2 d, 65-74 5.4 d): multiplier per year
# of age over 50, clipped, times an adult scale (the catalogue's means are all-ages figures; adults' own
# stays run longer). Both are calibration knobs, checked by the fidelity table.
LOS_AGE_SLOPE_PER_YEAR = 0.005
LOS_AGE_CLIP = (0.85, 1.3)
LOS_ADULT_SCALE = 1.07
LOS_MAX_DAYS = 365

# --- charges ---------------------------------------------------------------------------------------------------
# HCUP SB #180: mean cost per stay ~$10,400 (2012); charges run several times cost. Each diagnosis has a
# mean charge; a stay's charge grows with its length and varies around it (lognormal, sigma below).
MEAN_COST_PER_STAY = 10_400.0
CHARGES_LOS_SHARE = 0.6
CHARGES_SIGMA = 0.35
CHARGES_SURGICAL_MULTIPLIER = 1.8  # a stay with an operating-room procedure, for mostly-medical diagnoses

# --- admission type, disposition -----------------------------------------------------------------------------
ADMISSION_TYPES: tuple[str, ...] = ("Emergency", "Urgent", "Elective", "Newborn")
STAY_TYPES: tuple[str, ...] = ("Medical", "Surgical", "Maternal/Neonatal")
STAY_TYPE_TARGET: tuple[tuple[str, float], ...] = (
    ("Medical", 0.56),
    ("Surgical", 0.218),
    ("Maternal/Neonatal", 0.222),
)
DISPOSITIONS: tuple[str, ...] = (
    "Home",
    "Home health care",
    "Skilled nursing facility",
    "Transfer to another hospital",
    "Left against medical advice",
    "Died",
)
# Discharge destination of survivors by age group (assumption shaped on HCUP: routine 66%, home health
# 16%, SNF/other facility 14%, short-term hospital 2%, against advice 1.3%); index 0 is newborns.
DISPOSITION_BY_GROUP: tuple[tuple[float, ...], ...] = (
    (0.975, 0.005, 0.0, 0.02, 0.0),
    (0.95, 0.025, 0.0, 0.02, 0.005),
    (0.95, 0.025, 0.0, 0.02, 0.005),
    (0.87, 0.06, 0.01, 0.02, 0.04),
    (0.72, 0.14, 0.07, 0.025, 0.045),
    (0.52, 0.24, 0.19, 0.025, 0.025),
    (0.35, 0.27, 0.34, 0.02, 0.02),
)
DEATH_AGE_MULTIPLIER: tuple[tuple[int, float], ...] = ((0, 0.6), (65, 1.0), (85, 1.8))


# --- doctors -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Specialty:
    name: str
    physicians: int  # active US physicians, AAMC 2022
    female: float  # share of women
    department: str
    attends: bool = True  # attends inpatient stays


# The first ten are CALIBRATION.md's (AAMC 2022); the others are approximate AAMC 2022 counts, included
# so every diagnosis has a fitting specialty. Women are 37% of physicians overall (AAMC).
SPECIALTIES: tuple[Specialty, ...] = (
    Specialty("Internal Medicine", 120_000, 0.46, "Medicine"),
    Specialty("Family Medicine", 119_000, 0.45, "Medicine"),
    Specialty("Pediatrics", 60_000, 0.65, "Pediatrics"),
    Specialty("Emergency Medicine", 47_000, 0.30, "Emergency", attends=False),
    Specialty("Obstetrics & Gynecology", 42_000, 0.62, "Women's Health"),
    Specialty("Anesthesiology", 42_000, 0.27, "Anesthesiology", attends=False),
    Specialty("Psychiatry", 38_000, 0.44, "Behavioral Health"),
    Specialty("Radiology", 27_000, 0.27, "Radiology", attends=False),
    Specialty("General Surgery", 25_000, 0.24, "Surgery"),
    Specialty("Cardiology", 22_000, 0.15, "Heart & Vascular"),
    Specialty("Orthopedic Surgery", 19_000, 0.06, "Orthopedics"),
    Specialty("Hematology & Oncology", 16_300, 0.36, "Oncology"),
    Specialty("Gastroenterology", 15_700, 0.19, "Medicine"),
    Specialty("Neurology", 14_100, 0.36, "Neurosciences"),
    Specialty("Pulmonary & Critical Care", 12_600, 0.25, "Medicine"),
    Specialty("Nephrology", 11_400, 0.32, "Medicine"),
    Specialty("Urology", 10_200, 0.10, "Surgery"),
    Specialty("Infectious Disease", 6_900, 0.53, "Medicine"),
    Specialty("Neonatology", 5_900, 0.58, "Pediatrics"),
)
PEDIATRIC_SPECIALTIES: tuple[str, ...] = ("Pediatrics", "Neonatology")
DOCTORS_FEMALE_TARGET = 0.37
# Who treats a stay when the roster lacks every fitting specialty (small rosters).
FALLBACK_ADULT: tuple[str, ...] = ("Internal Medicine", "Family Medicine")
FALLBACK_CHILD: tuple[str, ...] = ("Pediatrics", "Family Medicine")
# Workload varies between doctors of one specialty (gamma shape; assumption).
DOCTOR_WORKLOAD_SHAPE = 4.0

# --- patients' places -----------------------------------------------------------------------------------------
# A hospital draws most patients from its own region (assumption): HOME_SHARE of patients live in one of
# HOME_CITIES cities of the home state (Zipf-weighted), the rest anywhere.
HOME_SHARE = 0.85
HOME_CITIES = 25
OTHER_PLACES = 250
FIRST_NAME_POOL = 2_000  # per sex; drawn from Faker with repeats, so Faker's own frequencies carry over
LAST_NAME_POOL = 4_000

# --- diagnoses ------------------------------------------------------------------------------------------------------
IM, FM, PED, OB, PSY, GS, CAR = (
    "Internal Medicine",
    "Family Medicine",
    "Pediatrics",
    "Obstetrics & Gynecology",
    "Psychiatry",
    "General Surgery",
    "Cardiology",
)
ORT, ONC, GI, NEU, PUL, NEP, URO, ID, NEO = (
    "Orthopedic Surgery",
    "Hematology & Oncology",
    "Gastroenterology",
    "Neurology",
    "Pulmonary & Critical Care",
    "Nephrology",
    "Urology",
    "Infectious Disease",
    "Neonatology",
)


@dataclass(frozen=True)
class Diagnosis:
    """One principal diagnosis and everything the generator needs to know about its stays."""

    code: str  # ICD-10-CM
    description: str
    category: str
    stay_type: str  # Medical, Surgical or Maternal/Neonatal: the class when no OR procedure is done
    p_surgical: float  # share of its stays with an operating-room procedure (HCUP "surgical")
    ages: tuple[int, int]  # eligible age at admission, whole calendar years, inclusive
    los: tuple[float, float]  # mean length of stay (days) and lognormal sigma
    charges: float  # mean total charges of a stay (USD)
    specialties: tuple[tuple[str, float], ...]  # attending specialty for adults, with weights
    admission: tuple[float, float, float]  # Emergency, Urgent, Elective
    readmission: float  # relative 30-day readmission propensity (1 = average)
    death: float  # in-hospital mortality at 65-84
    season: str = "flat"  # seasonality curve (seasonality.py)
    sex: str | None = None  # "F" or "M" when only one sex can have it
    days: tuple[int, int] | None = None  # eligible age in days (neonatal conditions)
    share: float | None = None  # pinned share of all stays (published figure)
    profile: tuple[float, ...] | None = None  # pinned: how its stays spread over GROUPS (sums to 1)
    weights: tuple[float, ...] = (0.0,) * 6  # unpinned: relative weight within each group's remainder
    maternal: bool = False  # pregnancy and childbirth (female, 15-49, OB-GYN)
    delivery: bool = False  # a delivery: at most one per DELIVERY_SPACING_DAYS


_EMERG = (0.85, 0.12, 0.03)

# The nine top principal diagnoses of HCUP Fast Stats 2017 (stays of 35.8M), pinned to their shares,
# then the rest of a representative catalogue sharing each group's remaining stays by weight.
TOP = 35.8
CATALOGUE: tuple[Diagnosis, ...] = (
    # --- pinned: the 2017 top diagnoses (liveborn is the birth stay, handled apart) --------------------
    Diagnosis(
        "Z38.00",
        "Single liveborn infant, delivered vaginally",
        "Newborn & perinatal",
        "Maternal/Neonatal",
        0.0,
        (0, 0),
        (3.0, 0.6),
        12_000,
        ((PED, 0.7), (NEO, 0.3)),
        (0.0, 0.0, 0.0),
        0.15,
        0.002,
        "births",
        days=(0, 0),
        share=3.69 / TOP,
    ),
    Diagnosis(
        "A41.9",
        "Sepsis, unspecified organism",
        "Infectious diseases",
        "Medical",
        0.1,
        (0, MAX_AGE),
        (6.3, 0.75),
        65_000,
        ((IM, 0.55), (FM, 0.2), (ID, 0.15), (PUL, 0.1)),
        (0.9, 0.08, 0.02),
        1.4,
        0.11,
        days=(29, 40_000),
        share=2.09 / TOP,
        profile=(0.002, 0.008, 0.11, 0.28, 0.45, 0.15),
    ),
    Diagnosis(
        "M17.11",
        "Unilateral primary osteoarthritis, right knee",
        "Musculoskeletal",
        "Surgical",
        0.97,
        (30, MAX_AGE),
        (2.2, 0.45),
        60_000,
        ((ORT, 1.0),),
        (0.02, 0.03, 0.95),
        0.45,
        0.002,
        share=1.25 / TOP,
        profile=(0, 0, 0.027, 0.37, 0.58, 0.023),
    ),
    Diagnosis(
        "I50.9",
        "Heart failure, unspecified",
        "Circulatory",
        "Medical",
        0.04,
        (18, MAX_AGE),
        (5.3, 0.65),
        42_000,
        ((CAR, 0.55), (IM, 0.35), (FM, 0.1)),
        _EMERG,
        1.6,
        0.03,
        "cardiac",
        share=1.09 / TOP,
        profile=(0, 0, 0.02, 0.16, 0.56, 0.26),
    ),
    Diagnosis(
        "J44.1",
        "Chronic obstructive pulmonary disease with (acute) exacerbation",
        "Respiratory",
        "Medical",
        0.02,
        (40, MAX_AGE),
        (4.4, 0.6),
        32_000,
        ((PUL, 0.4), (IM, 0.45), (FM, 0.15)),
        (0.88, 0.1, 0.02),
        1.5,
        0.02,
        "respiratory",
        share=0.76 / TOP,
        profile=(0, 0, 0, 0.25, 0.64, 0.11),
    ),
    Diagnosis(
        "I21.4",
        "Non-ST elevation (NSTEMI) myocardial infarction",
        "Circulatory",
        "Medical",
        0.45,
        (18, MAX_AGE),
        (4.4, 0.65),
        52_000,
        ((CAR, 0.85), (IM, 0.15)),
        _EMERG,
        1.1,
        0.045,
        "cardiac",
        share=0.66 / TOP,
        profile=(0, 0, 0.04, 0.30, 0.53, 0.13),
    ),
    Diagnosis(
        "E11.65",
        "Type 2 diabetes mellitus with hyperglycemia",
        "Endocrine & metabolic",
        "Medical",
        0.12,
        (10, MAX_AGE),
        (4.4, 0.7),
        36_000,
        ((IM, 0.7), (FM, 0.3)),
        (0.8, 0.15, 0.05),
        1.3,
        0.01,
        share=0.66 / TOP,
        profile=(0, 0.005, 0.19, 0.42, 0.34, 0.045),
    ),
    Diagnosis(
        "J18.9",
        "Pneumonia, unspecified organism",
        "Respiratory",
        "Medical",
        0.03,
        (0, MAX_AGE),
        (4.9, 0.6),
        36_000,
        ((IM, 0.55), (FM, 0.2), (PUL, 0.25)),
        (0.88, 0.1, 0.02),
        1.15,
        0.035,
        "respiratory",
        days=(29, 40_000),
        share=0.64 / TOP,
        profile=(0.02, 0.03, 0.08, 0.22, 0.45, 0.20),
    ),
    Diagnosis(
        "I48.91",
        "Unspecified atrial fibrillation",
        "Circulatory",
        "Medical",
        0.1,
        (18, MAX_AGE),
        (3.3, 0.65),
        34_000,
        ((CAR, 0.6), (IM, 0.3), (FM, 0.1)),
        (0.75, 0.15, 0.10),
        1.0,
        0.01,
        "cardiac",
        share=0.61 / TOP,
        profile=(0, 0, 0.03, 0.19, 0.59, 0.19),
    ),
    # --- pregnancy and childbirth: pinned as a block (MATERNAL_SHARE), split by weights[0] -----------------
    Diagnosis(
        "O80",
        "Encounter for full-term uncomplicated delivery",
        "Pregnancy & childbirth",
        "Maternal/Neonatal",
        0,
        (15, 49),
        (2.1, 0.3),
        16_000,
        ((OB, 1),),
        (0.1, 0.6, 0.3),
        0.3,
        0.0001,
        sex="F",
        weights=(30,),
        maternal=True,
        delivery=True,
    ),
    Diagnosis(
        "O34.211",
        "Maternal care for low transverse scar from previous cesarean delivery",
        "Pregnancy & childbirth",
        "Maternal/Neonatal",
        0,
        (15, 49),
        (2.9, 0.3),
        23_000,
        ((OB, 1),),
        (0.05, 0.25, 0.7),
        0.3,
        0.0001,
        sex="F",
        weights=(14,),
        maternal=True,
        delivery=True,
    ),
    Diagnosis(
        "O70.1",
        "Second degree perineal laceration during delivery",
        "Pregnancy & childbirth",
        "Maternal/Neonatal",
        0,
        (15, 49),
        (2.1, 0.3),
        16_000,
        ((OB, 1),),
        (0.15, 0.65, 0.2),
        0.3,
        0.0001,
        sex="F",
        weights=(10,),
        maternal=True,
        delivery=True,
    ),
    Diagnosis(
        "O48.0",
        "Post-term pregnancy",
        "Pregnancy & childbirth",
        "Maternal/Neonatal",
        0,
        (15, 49),
        (2.3, 0.3),
        17_000,
        ((OB, 1),),
        (0.1, 0.5, 0.4),
        0.3,
        0.0001,
        sex="F",
        weights=(6,),
        maternal=True,
        delivery=True,
    ),
    Diagnosis(
        "O42.92",
        "Full-term premature rupture of membranes, unspecified as to length of time between rupture and onset of labor",
        "Pregnancy & childbirth",
        "Maternal/Neonatal",
        0,
        (15, 49),
        (2.4, 0.35),
        17_000,
        ((OB, 1),),
        (0.15, 0.8, 0.05),
        0.3,
        0.0001,
        sex="F",
        weights=(7,),
        maternal=True,
        delivery=True,
    ),
    Diagnosis(
        "O32.1XX0",
        "Maternal care for breech presentation, not applicable or unspecified",
        "Pregnancy & childbirth",
        "Maternal/Neonatal",
        0,
        (15, 49),
        (2.9, 0.3),
        23_000,
        ((OB, 1),),
        (0.1, 0.3, 0.6),
        0.3,
        0.0001,
        sex="F",
        weights=(5,),
        maternal=True,
        delivery=True,
    ),
    Diagnosis(
        "O60.14X0",
        "Preterm labor third trimester with preterm delivery third trimester, not applicable or unspecified",
        "Pregnancy & childbirth",
        "Maternal/Neonatal",
        0,
        (15, 49),
        (3.5, 0.55),
        22_000,
        ((OB, 1),),
        (0.4, 0.58, 0.02),
        0.3,
        0.0002,
        sex="F",
        weights=(7,),
        maternal=True,
        delivery=True,
    ),
    Diagnosis(
        "O24.420",
        "Gestational diabetes mellitus in childbirth, diet controlled",
        "Pregnancy & childbirth",
        "Maternal/Neonatal",
        0,
        (15, 49),
        (2.6, 0.35),
        19_000,
        ((OB, 1),),
        (0.1, 0.5, 0.4),
        0.3,
        0.0001,
        sex="F",
        weights=(6,),
        maternal=True,
        delivery=True,
    ),
    Diagnosis(
        "O13.3",
        "Gestational [pregnancy-induced] hypertension without significant proteinuria, third trimester",
        "Pregnancy & childbirth",
        "Maternal/Neonatal",
        0,
        (15, 49),
        (3.0, 0.5),
        18_000,
        ((OB, 1),),
        (0.5, 0.45, 0.05),
        0.3,
        0.0002,
        sex="F",
        weights=(6,),
        maternal=True,
    ),
    Diagnosis(
        "O21.0",
        "Mild hyperemesis gravidarum",
        "Pregnancy & childbirth",
        "Maternal/Neonatal",
        0,
        (15, 49),
        (2.6, 0.6),
        12_000,
        ((OB, 1),),
        (0.6, 0.38, 0.02),
        0.3,
        0.0001,
        sex="F",
        weights=(4,),
        maternal=True,
    ),
    # --- newborns and infants ---------------------------------------------------------------------------------
    Diagnosis(
        "P59.9",
        "Neonatal jaundice, unspecified",
        "Newborn & perinatal",
        "Maternal/Neonatal",
        0,
        (0, 0),
        (2.2, 0.45),
        14_000,
        ((PED, 0.6), (NEO, 0.4)),
        (0.6, 0.35, 0.05),
        0.5,
        0.0005,
        days=(1, 28),
        weights=(18, 0, 0, 0, 0, 0),
    ),
    Diagnosis(
        "P22.1",
        "Transient tachypnea of newborn",
        "Newborn & perinatal",
        "Maternal/Neonatal",
        0,
        (0, 0),
        (3.5, 0.5),
        24_000,
        ((NEO, 0.7), (PED, 0.3)),
        (0.7, 0.28, 0.02),
        0.5,
        0.002,
        days=(1, 28),
        weights=(7, 0, 0, 0, 0, 0),
    ),
    Diagnosis(
        "J21.9",
        "Acute bronchiolitis, unspecified",
        "Respiratory",
        "Medical",
        0.0,
        (0, 1),
        (3.0, 0.55),
        18_000,
        ((PED, 1),),
        (0.85, 0.14, 0.01),
        0.6,
        0.001,
        "respiratory",
        days=(29, 40_000),
        weights=(30, 6, 0, 0, 0, 0),
    ),
    Diagnosis(
        "R56.00",
        "Simple febrile convulsions",
        "Symptoms & signs",
        "Medical",
        0.0,
        (0, 5),
        (1.6, 0.5),
        11_000,
        ((PED, 1),),
        (0.9, 0.09, 0.01),
        0.3,
        0.0001,
        days=(182, 40_000),
        weights=(4, 5, 0, 0, 0, 0),
    ),
    Diagnosis(
        "A08.4",
        "Viral intestinal infection, unspecified",
        "Infectious diseases",
        "Medical",
        0.0,
        (0, MAX_AGE),
        (2.6, 0.5),
        14_000,
        ((IM, 0.6), (FM, 0.4)),
        (0.85, 0.13, 0.02),
        0.6,
        0.002,
        days=(29, 40_000),
        weights=(10, 7, 1.5, 0.8, 0.8, 0.8),
    ),
    Diagnosis(
        "N39.0",
        "Urinary tract infection, site not specified",
        "Genitourinary",
        "Medical",
        0.02,
        (0, MAX_AGE),
        (4.3, 0.6),
        28_000,
        ((IM, 0.6), (FM, 0.3), (URO, 0.1)),
        (0.85, 0.13, 0.02),
        1.0,
        0.01,
        days=(29, 40_000),
        weights=(8, 3, 1.5, 2.5, 4.5, 7),
    ),
    Diagnosis(
        "J11.1",
        "Influenza due to unidentified influenza virus with other respiratory manifestations",
        "Respiratory",
        "Medical",
        0.01,
        (0, MAX_AGE),
        (3.8, 0.6),
        30_000,
        ((IM, 0.6), (FM, 0.2), (ID, 0.2)),
        (0.9, 0.09, 0.01),
        0.8,
        0.015,
        "respiratory",
        days=(29, 40_000),
        weights=(6, 4, 0.8, 1, 1.5, 2),
    ),
    Diagnosis(
        "U07.1",
        "COVID-19",
        "Infectious diseases",
        "Medical",
        0.02,
        (0, MAX_AGE),
        (5.5, 0.75),
        55_000,
        ((IM, 0.6), (PUL, 0.2), (ID, 0.2)),
        (0.9, 0.09, 0.01),
        1.0,
        0.06,
        "respiratory",
        days=(29, 40_000),
        weights=(4, 2, 0.8, 1.2, 2.5, 3.5),
    ),
    # --- children and adults ----------------------------------------------------------------------------------
    Diagnosis(
        "J45.901",
        "Unspecified asthma with (acute) exacerbation",
        "Respiratory",
        "Medical",
        0.0,
        (2, MAX_AGE),
        (2.4, 0.55),
        18_000,
        ((IM, 0.5), (PUL, 0.3), (FM, 0.2)),
        (0.9, 0.09, 0.01),
        0.8,
        0.001,
        weights=(0, 9, 2, 1, 0.6, 0.3),
    ),
    Diagnosis(
        "K35.80",
        "Unspecified acute appendicitis",
        "Digestive",
        "Surgical",
        0.9,
        (2, MAX_AGE),
        (2.6, 0.55),
        38_000,
        ((GS, 1),),
        (0.9, 0.1, 0.0),
        0.4,
        0.001,
        weights=(0, 10, 3.5, 1.2, 0.5, 0.2),
    ),
    Diagnosis(
        "E10.10",
        "Type 1 diabetes mellitus with ketoacidosis without coma",
        "Endocrine & metabolic",
        "Medical",
        0.0,
        (1, MAX_AGE),
        (3.0, 0.5),
        26_000,
        ((IM, 0.7), (FM, 0.3)),
        (0.9, 0.09, 0.01),
        1.2,
        0.005,
        weights=(0, 6, 2.5, 0.8, 0.3, 0.1),
    ),
    Diagnosis(
        "G40.909",
        "Epilepsy, unspecified, not intractable, without status epilepticus",
        "Nervous system",
        "Medical",
        0.02,
        (1, MAX_AGE),
        (3.3, 0.7),
        32_000,
        ((NEU, 0.8), (IM, 0.2)),
        (0.85, 0.13, 0.02),
        0.9,
        0.005,
        weights=(0, 6, 2.5, 1.5, 1, 0.6),
    ),
    Diagnosis(
        "F32.9",
        "Major depressive disorder, single episode, unspecified",
        "Mental & behavioural",
        "Medical",
        0.0,
        (10, MAX_AGE),
        (7.0, 0.75),
        30_000,
        ((PSY, 1),),
        (0.7, 0.25, 0.05),
        1.0,
        0.0005,
        weights=(0, 12, 7, 3.5, 1, 0.3),
    ),
    Diagnosis(
        "F20.9",
        "Schizophrenia, unspecified",
        "Mental & behavioural",
        "Medical",
        0.0,
        (15, MAX_AGE),
        (12.0, 0.75),
        38_000,
        ((PSY, 1),),
        (0.7, 0.25, 0.05),
        1.5,
        0.001,
        weights=(0, 1, 6, 3, 0.6, 0.1),
    ),
    Diagnosis(
        "F10.239",
        "Alcohol dependence with withdrawal, unspecified",
        "Mental & behavioural",
        "Medical",
        0.0,
        (15, MAX_AGE),
        (4.3, 0.6),
        30_000,
        ((PSY, 0.5), (IM, 0.4), (FM, 0.1)),
        (0.8, 0.17, 0.03),
        1.5,
        0.005,
        weights=(0, 0.2, 5, 4, 1, 0.1),
    ),
    Diagnosis(
        "L03.115",
        "Cellulitis of right lower limb",
        "Skin",
        "Medical",
        0.1,
        (0, MAX_AGE),
        (4.2, 0.6),
        30_000,
        ((IM, 0.6), (FM, 0.3), (ID, 0.1)),
        (0.85, 0.13, 0.02),
        0.9,
        0.003,
        days=(29, 40_000),
        weights=(1, 3, 3, 3, 2.5, 2),
    ),
    Diagnosis(
        "K80.00",
        "Calculus of gallbladder with acute cholecystitis without obstruction",
        "Digestive",
        "Surgical",
        0.85,
        (10, MAX_AGE),
        (3.6, 0.6),
        45_000,
        ((GS, 1),),
        (0.6, 0.3, 0.1),
        0.6,
        0.004,
        weights=(0, 0.5, 3, 2.5, 2, 1),
    ),
    Diagnosis(
        "K85.90",
        "Acute pancreatitis without necrosis or infection, unspecified",
        "Digestive",
        "Medical",
        0.1,
        (10, MAX_AGE),
        (4.3, 0.6),
        38_000,
        ((GI, 0.5), (IM, 0.4), (GS, 0.1)),
        (0.88, 0.1, 0.02),
        1.3,
        0.01,
        weights=(0, 0.5, 3.5, 2.5, 1.2, 0.5),
    ),
    Diagnosis(
        "K92.2",
        "Gastrointestinal hemorrhage, unspecified",
        "Digestive",
        "Medical",
        0.1,
        (18, MAX_AGE),
        (4.3, 0.6),
        40_000,
        ((GI, 0.6), (IM, 0.4)),
        (0.88, 0.1, 0.02),
        1.2,
        0.025,
        weights=(0, 0, 1.2, 2.2, 3, 3.5),
    ),
    Diagnosis(
        "K57.32",
        "Diverticulitis of large intestine without perforation or abscess without bleeding",
        "Digestive",
        "Medical",
        0.35,
        (18, MAX_AGE),
        (4.2, 0.6),
        38_000,
        ((GS, 0.5), (GI, 0.2), (IM, 0.3)),
        (0.8, 0.15, 0.05),
        1.0,
        0.005,
        weights=(0, 0, 1.2, 2.5, 2, 1),
    ),
    Diagnosis(
        "K56.609",
        "Unspecified intestinal obstruction, unspecified as to partial versus complete obstruction",
        "Digestive",
        "Medical",
        0.4,
        (18, MAX_AGE),
        (5.5, 0.7),
        45_000,
        ((GS, 0.5), (GI, 0.2), (IM, 0.3)),
        (0.88, 0.1, 0.02),
        1.2,
        0.03,
        weights=(0, 0, 1, 2, 2.5, 2.5),
    ),
    Diagnosis(
        "R07.9",
        "Chest pain, unspecified",
        "Symptoms & signs",
        "Medical",
        0.01,
        (18, MAX_AGE),
        (2.0, 0.5),
        22_000,
        ((IM, 0.5), (CAR, 0.3), (FM, 0.2)),
        (0.85, 0.13, 0.02),
        0.7,
        0.001,
        weights=(0, 0, 2.5, 2.5, 1.5, 0.8),
    ),
    Diagnosis(
        "R55",
        "Syncope and collapse",
        "Symptoms & signs",
        "Medical",
        0.01,
        (18, MAX_AGE),
        (2.8, 0.55),
        26_000,
        ((IM, 0.5), (CAR, 0.3), (FM, 0.2)),
        (0.88, 0.1, 0.02),
        0.8,
        0.003,
        weights=(0, 0, 1, 1.2, 2.5, 3.5),
    ),
    Diagnosis(
        "I63.9",
        "Cerebral infarction, unspecified",
        "Circulatory",
        "Medical",
        0.15,
        (18, MAX_AGE),
        (5.3, 0.75),
        50_000,
        ((NEU, 0.8), (IM, 0.2)),
        (0.9, 0.08, 0.02),
        0.9,
        0.06,
        "cardiac",
        weights=(0, 0, 0.6, 3, 5, 6),
    ),
    Diagnosis(
        "I26.99",
        "Other pulmonary embolism without acute cor pulmonale",
        "Circulatory",
        "Medical",
        0.03,
        (18, MAX_AGE),
        (4.2, 0.6),
        40_000,
        ((PUL, 0.4), (IM, 0.5), (FM, 0.1)),
        (0.9, 0.08, 0.02),
        1.0,
        0.03,
        weights=(0, 0, 1.5, 2, 2, 1.5),
    ),
    Diagnosis(
        "I25.10",
        "Atherosclerotic heart disease of native coronary artery without angina pectoris",
        "Circulatory",
        "Surgical",
        0.75,
        (30, MAX_AGE),
        (5.5, 0.55),
        110_000,
        ((CAR, 1),),
        (0.3, 0.2, 0.5),
        0.9,
        0.015,
        weights=(0, 0, 0.3, 2.5, 3, 1),
    ),
    Diagnosis(
        "I35.0",
        "Nonrheumatic aortic (valve) stenosis",
        "Circulatory",
        "Surgical",
        0.8,
        (30, MAX_AGE),
        (4.5, 0.7),
        180_000,
        ((CAR, 1),),
        (0.2, 0.2, 0.6),
        0.9,
        0.02,
        weights=(0, 0, 0, 0.3, 2, 3),
    ),
    Diagnosis(
        "N17.9",
        "Acute kidney failure, unspecified",
        "Genitourinary",
        "Medical",
        0.03,
        (18, MAX_AGE),
        (5.4, 0.65),
        38_000,
        ((NEP, 0.5), (IM, 0.4), (FM, 0.1)),
        (0.88, 0.1, 0.02),
        1.4,
        0.04,
        weights=(0, 0, 0.8, 2.5, 4, 5),
    ),
    Diagnosis(
        "E87.1",
        "Hypo-osmolality and hyponatremia",
        "Endocrine & metabolic",
        "Medical",
        0.01,
        (18, MAX_AGE),
        (4.2, 0.6),
        30_000,
        ((IM, 0.7), (NEP, 0.2), (FM, 0.1)),
        (0.9, 0.08, 0.02),
        1.2,
        0.02,
        weights=(0, 0, 0.4, 1, 2, 3.5),
    ),
    Diagnosis(
        "J96.01",
        "Acute respiratory failure with hypoxia",
        "Respiratory",
        "Medical",
        0.05,
        (18, MAX_AGE),
        (6.0, 0.75),
        70_000,
        ((PUL, 0.7), (IM, 0.3)),
        (0.92, 0.07, 0.01),
        1.5,
        0.12,
        "respiratory",
        weights=(0, 0, 0.8, 2, 3, 3),
    ),
    Diagnosis(
        "S72.001A",
        "Fracture of unspecified part of neck of right femur, initial encounter",
        "Injury",
        "Surgical",
        0.95,
        (18, MAX_AGE),
        (5.5, 0.5),
        62_000,
        ((ORT, 1),),
        (0.95, 0.05, 0.0),
        1.0,
        0.025,
        weights=(0, 0, 0.3, 1, 3.5, 8),
    ),
    Diagnosis(
        "M16.11",
        "Unilateral primary osteoarthritis, right hip",
        "Musculoskeletal",
        "Surgical",
        0.97,
        (30, MAX_AGE),
        (2.4, 0.45),
        62_000,
        ((ORT, 1),),
        (0.02, 0.03, 0.95),
        0.45,
        0.002,
        weights=(0, 0, 0.3, 3, 4, 0.6),
    ),
    Diagnosis(
        "M48.061",
        "Spinal stenosis, lumbar region without neurogenic claudication",
        "Musculoskeletal",
        "Surgical",
        0.85,
        (30, MAX_AGE),
        (3.0, 0.6),
        75_000,
        ((ORT, 1),),
        (0.05, 0.1, 0.85),
        0.6,
        0.002,
        weights=(0, 0, 0.6, 3, 3, 0.5),
    ),
    Diagnosis(
        "C34.90",
        "Malignant neoplasm of unspecified part of unspecified bronchus or lung",
        "Neoplasms",
        "Medical",
        0.4,
        (18, MAX_AGE),
        (6.5, 0.7),
        70_000,
        ((ONC, 0.7), (PUL, 0.3)),
        (0.5, 0.2, 0.3),
        1.5,
        0.07,
        weights=(0, 0, 0.2, 1.5, 2.2, 1),
    ),
    Diagnosis(
        "C18.9",
        "Malignant neoplasm of colon, unspecified",
        "Neoplasms",
        "Surgical",
        0.6,
        (18, MAX_AGE),
        (6.5, 0.65),
        80_000,
        ((ONC, 0.5), (GS, 0.5)),
        (0.3, 0.2, 0.5),
        1.5,
        0.04,
        weights=(0, 0, 0.3, 1.2, 1.5, 0.8),
    ),
    Diagnosis(
        "C50.911",
        "Malignant neoplasm of unspecified site of right female breast",
        "Neoplasms",
        "Surgical",
        0.7,
        (18, MAX_AGE),
        (2.5, 0.6),
        50_000,
        ((ONC, 0.5), (GS, 0.5)),
        (0.1, 0.2, 0.7),
        1.0,
        0.01,
        sex="F",
        weights=(0, 0, 1, 1.5, 1, 0.3),
    ),
    Diagnosis(
        "N40.1",
        "Benign prostatic hyperplasia with lower urinary tract symptoms",
        "Genitourinary",
        "Surgical",
        0.8,
        (40, MAX_AGE),
        (2.2, 0.5),
        40_000,
        ((URO, 1),),
        (0.2, 0.2, 0.6),
        0.7,
        0.002,
        sex="M",
        weights=(0, 0, 0, 0.8, 1.8, 1.2),
    ),
    Diagnosis(
        "K43.2",
        "Incisional hernia without obstruction or gangrene",
        "Digestive",
        "Surgical",
        0.9,
        (18, MAX_AGE),
        (3.5, 0.6),
        60_000,
        ((GS, 1),),
        (0.15, 0.15, 0.7),
        0.7,
        0.003,
        weights=(0, 0, 1.2, 2.5, 2, 0.6),
    ),
    Diagnosis(
        "M51.26",
        "Other intervertebral disc displacement, lumbar region",
        "Musculoskeletal",
        "Surgical",
        0.85,
        (18, MAX_AGE),
        (2.8, 0.6),
        70_000,
        ((ORT, 1),),
        (0.1, 0.15, 0.75),
        0.6,
        0.001,
        weights=(0, 0, 2.5, 3, 1.5, 0.2),
    ),
    Diagnosis(
        "N20.0",
        "Calculus of kidney",
        "Genitourinary",
        "Surgical",
        0.6,
        (10, MAX_AGE),
        (2.4, 0.6),
        38_000,
        ((URO, 1),),
        (0.8, 0.15, 0.05),
        0.7,
        0.001,
        weights=(0, 0.3, 2.5, 2.5, 1.2, 0.3),
    ),
    Diagnosis(
        "D25.9",
        "Leiomyoma of uterus, unspecified",
        "Neoplasms",
        "Surgical",
        0.95,
        (18, MAX_AGE),
        (2.0, 0.5),
        42_000,
        ((OB, 1),),
        (0.05, 0.1, 0.85),
        0.5,
        0.0005,
        sex="F",
        weights=(0, 0, 3, 2.5, 0.2, 0),
    ),
    Diagnosis(
        "E66.01",
        "Morbid (severe) obesity due to excess calories",
        "Endocrine & metabolic",
        "Surgical",
        0.95,
        (18, MAX_AGE),
        (1.8, 0.45),
        55_000,
        ((GS, 1),),
        (0.0, 0.05, 0.95),
        0.6,
        0.0005,
        weights=(0, 0, 2.5, 2, 0.3, 0),
    ),
)

LIVEBORN_CODE = "Z38.00"
# Pregnancy and childbirth: share of all stays, split over the maternal codes by weights[0]. Delivery codes
# are the mothers' delivery stays; the others (antepartum) spread over groups by MATERNAL_PROFILE (15-17
# within "1-17", 45-49 within "45-64"). With liveborn (10.31%) and neonatal stays: HCUP's 22.2%.
MATERNAL_SHARE = 0.115
MATERNAL_PROFILE: tuple[float, ...] = (0.0, 0.012, 0.98, 0.008, 0.0, 0.0)

# Diagnosis codes the fidelity table follows, with HCUP Fast Stats 2017 counts (millions of stays).
TOP_DIAGNOSES: tuple[tuple[str, float], ...] = (
    ("Z38.00", 3.69),
    ("A41.9", 2.09),
    ("M17.11", 1.25),
    ("I50.9", 1.09),
    ("J44.1", 0.76),
    ("I21.4", 0.66),
    ("E11.65", 0.66),
    ("J18.9", 0.64),
    ("I48.91", 0.61),
)
HEART_FAILURE_CODE = "I50.9"
# Heart-failure admissions by season (Akintoye et al. 2017): winter 27%, spring 26%, fall 24%, summer 23%.
HEART_FAILURE_SEASONS: tuple[tuple[str, float], ...] = (
    ("winter", 0.27),
    ("spring", 0.26),
    ("summer", 0.23),
    ("fall", 0.24),
)
