"""How stays end: discharge dispositions of survivors by age and diagnosis group (deaths come from the
diagnosis' mortality, ``Diagnosis.mortality``).

Labels are the values of ``discharge_disposition``. Sources and assumptions: ``docs/calibration.md``,
section "Outcomes".
"""

from __future__ import annotations

from .types import Diagnosis

DISPOSITIONS: tuple[str, ...] = (
    "Home",
    "Home health care",
    "Skilled nursing facility",
    "Rehabilitation facility",
    "Transfer to another hospital",
    "Left against medical advice",
    "Died",
)
SURVIVOR_DISPOSITIONS: tuple[str, ...] = DISPOSITIONS[:-1]

# Survivors by age band (<1, 1-17, 18-44, 45-64, 65-84, 85+): home, home health, SNF, rehabilitation,
# another acute hospital, against medical advice. Shaped on HCUP Facts and Figures 2008 (routine 72%, long-term
# care and other facilities 13%, home health 10%, short-term hospital 2%, AMA 1%) and SB #205 (post-acute care
# for 41.7% of Medicare stays, 11.7% private, 8.1% Medicaid; home health half of it, SNF two fifths). Against
# medical advice is commonest among young and middle-aged adults. The cells are an assumption.
BY_AGE: tuple[tuple[float, ...], ...] = (
    (0.975, 0.005, 0.000, 0.000, 0.020, 0.000),
    (0.955, 0.020, 0.002, 0.003, 0.018, 0.002),
    (0.915, 0.035, 0.006, 0.006, 0.016, 0.022),
    (0.790, 0.095, 0.045, 0.015, 0.025, 0.030),
    (0.585, 0.185, 0.170, 0.030, 0.025, 0.005),
    (0.400, 0.215, 0.330, 0.025, 0.025, 0.005),
)
# Diagnosis groups shift the age pattern (multipliers per column, then renormalised; assumption): joint
# replacement goes home with home health, hip fracture to SNF and rehab, stroke to rehab, sepsis to facilities
# more (NCHS Data Brief 62: 36% of septicemia stays to other hospitals or long-term care vs 14%), substance use
# leaves against advice most, maternal stays go home.
GROUP_FACTORS: dict[str, tuple[float, ...]] = {
    "general": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    "joint_replacement": (1.0, 2.2, 0.5, 1.2, 0.2, 0.1),
    "hip_fracture": (0.25, 0.7, 2.6, 2.0, 0.5, 0.2),
    "stroke": (0.8, 1.0, 1.4, 5.0, 1.2, 0.6),
    "sepsis": (0.8, 1.2, 1.7, 1.0, 1.4, 0.6),
    "psychiatric": (1.05, 0.1, 0.2, 0.0, 1.5, 1.3),
    "substance": (1.0, 0.2, 0.2, 0.2, 1.0, 4.0),
    "maternal": (1.0, 0.2, 0.0, 0.0, 0.1, 0.15),
    "newborn": (1.0, 1.0, 0.0, 0.0, 1.0, 0.0),
}
_GROUP_OF_CATEGORY: dict[str, str] = {
    "Osteoarthritis": "joint_replacement",
    "Fracture of the neck of the femur (hip)": "hip_fracture",
    "Cerebral infarction": "stroke",
    "Hemorrhagic stroke": "stroke",
    "Septicemia": "sepsis",
    "Depressive disorders": "psychiatric",
    "Bipolar and related disorders": "psychiatric",
    "Schizophrenia spectrum and other psychotic disorders": "psychiatric",
    "Other mental and behavioural disorders": "psychiatric",
    "Suicidal ideation and self-harm": "psychiatric",
    "Alcohol-related disorders": "substance",
    "Other substance-related disorders": "substance",
}


def group_of(diagnosis: Diagnosis) -> str:
    """The disposition group of a diagnosis (a key of ``GROUP_FACTORS``)."""
    if diagnosis.newborn or diagnosis.category == "Neonatal conditions":
        return "newborn"
    if diagnosis.stay_type == "Maternal/Neonatal":
        return "maternal"
    return _GROUP_OF_CATEGORY.get(diagnosis.category, "general")


def survivor_shares(diagnosis: Diagnosis, age_band: int) -> tuple[float, ...]:
    """Where survivors of a stay go, in ``SURVIVOR_DISPOSITIONS`` order.

    Args:
        diagnosis: the principal diagnosis.
        age_band: index into ``ages.AGE_BANDS``.

    Returns:
        Six shares summing to 1.
    """
    raw = [a * f for a, f in zip(BY_AGE[age_band], GROUP_FACTORS[group_of(diagnosis)], strict=True)]
    total = sum(raw)
    return tuple(x / total for x in raw)
