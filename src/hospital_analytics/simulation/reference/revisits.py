"""Coming back: 30-day readmission by payer and diagnosis, when within the 30 days, stays per patient-year.

A stay's 30-day readmission probability is its diagnosis' propensity (``Diagnosis.readmission``, HCUP rates by
condition) times a payer factor computed here so that each payer's stays meet HCUP's rate in expectation
(``payer_factors``). Sources and assumptions: ``docs/calibration.md``, section "Revisits".
"""

from __future__ import annotations

import math
from functools import lru_cache

from .diagnoses import catalogue
from .payers import PAYER_BY_AGE, PAYERS

# 30-day all-cause readmission rate per index stay by expected payer (HCUP SB #248, 2016: all 13.9%, Medicare
# 17.1%, private 8.6%; Medicaid and uninsured approximate; "Other" an assumption between private and Medicaid).
READMISSION_30D = 0.139
READMISSION_BY_PAYER: dict[str, float] = {
    "Medicare": 0.171,
    "Medicaid": 0.147,
    "Private": 0.086,
    "Self-pay": 0.119,
    "Other": 0.100,
}
MAX_PROBABILITY = 0.95

# Day of readmission after discharge (1-30): weights d^(k-1) exp(-d / tau) with k = 1.2 and tau = 14.75
# days, which puts 36.1% of 30-day readmissions within 7 days (HCUP SB #230), the peak on day 3 and the
# median on day 11 (the shape is an assumption).
_K, _TAU = 1.2, 14.75
_RAW = tuple(d ** (_K - 1) * math.exp(-d / _TAU) for d in range(1, 31))
READMISSION_DAY_WEIGHTS: tuple[float, ...] = tuple(w / sum(_RAW) for w in _RAW)  # index 0 = day 1

# Stays a patient has in a year, among patients with at least one (assumption fitted to HCUP SB #184:
# super-utilizers, 4+ stays a year, averaged 5.9 stays against 1.3 for other patients and held 14% of
# Medicaid stays): 1, 2, 3 and 4+ stays.
STAYS_PER_PATIENT_YEAR: tuple[tuple[str, float], ...] = (("1", 0.785), ("2", 0.140), ("3", 0.040), ("4+", 0.035))
MEAN_STAYS_OF_SUPER_UTILIZERS = 5.9
# Relative propensity to come back (later revisits, beyond the 30-day readmission) by age band (<1, 1-17,
# 18-44, 45-64, 65-84, 85+): assumption shaped on SB #184 (super-utilizers most often 45-64) and on older
# patients' chronic conditions; the simulation scales it to meet ``STAYS_PER_PATIENT_YEAR``.
REVISIT_PROPENSITY_BY_AGE: tuple[float, ...] = (0.5, 0.6, 0.8, 1.2, 1.3, 1.2)
# A readmission repeats the index stay's clinical category about a third of the time (Jencks et al., NEJM
# 2009, Medicare: e.g. 37% of readmissions after heart failure were for heart failure; assumption for the
# whole catalogue); the rest draw a new diagnosis for the patient's age.
REPEAT_CATEGORY_SHARE = 0.35


@lru_cache(maxsize=1)
def payer_factors() -> dict[str, float]:
    """Multipliers of the diagnosis propensity that give each payer its published readmission rate.

    Returns:
        Payer -> factor: the payer's HCUP rate over the mean propensity of the index stays it pays for
        (catalogue weights by age band times ``payers.PAYER_BY_AGE``; liveborn stays excluded as HCUP does).
    """
    weight = dict.fromkeys(PAYERS, 0.0)
    propensity = dict.fromkeys(PAYERS, 0.0)
    for diagnosis in catalogue():
        if diagnosis.newborn:
            continue
        for band, share in enumerate(diagnosis.age_share):
            for payer, payer_share in zip(PAYERS, PAYER_BY_AGE[band], strict=True):
                w = diagnosis.stays * share * payer_share
                weight[payer] += w
                propensity[payer] += w * diagnosis.readmission
    return {p: READMISSION_BY_PAYER[p] / (propensity[p] / weight[p]) for p in PAYERS}


def readmission_probability(propensity: float, payer: str) -> float:
    """30-day readmission probability of one stay.

    Args:
        propensity: the diagnosis' readmission propensity (``Diagnosis.readmission``).
        payer: the stay's payer (``payers.PAYERS``).

    Returns:
        propensity times the payer's factor, capped at ``MAX_PROBABILITY``.
    """
    return min(MAX_PROBABILITY, propensity * payer_factors()[payer])
