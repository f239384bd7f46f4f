"""Who pays: the payer at a patient's first contact by age, Medicare at 65, and changes of coverage over time.

Payer labels are the values of the ``insurance`` columns. Sources and assumptions: ``docs/calibration.md``,
section "Payers".
"""

from __future__ import annotations

import datetime as dt

PAYERS: tuple[str, ...] = ("Medicare", "Medicaid", "Private", "Self-pay", "Other")

# Expected primary payer of stays by age band (<1, 1-17, 18-44, 45-64, 65-84, 85+), shaped on HCUP: Medicaid
# pays for ~45% of births and half of children's stays (SB #104, SB #235), Medicare covers nearly all stays at
# 65+ and disabled/ESRD adults below 65, "Other" (TRICARE, workers' compensation, other government) 3% of all
# stays (HCUP Facts and Figures 2009). The cells are an assumption that reproduces the published all-ages mix.
PAYER_BY_AGE: tuple[tuple[float, ...], ...] = (
    (0.000, 0.470, 0.450, 0.040, 0.040),
    (0.000, 0.500, 0.420, 0.040, 0.040),
    (0.080, 0.320, 0.420, 0.130, 0.050),
    (0.210, 0.190, 0.460, 0.090, 0.050),
    (0.920, 0.015, 0.045, 0.005, 0.015),
    (0.960, 0.010, 0.022, 0.003, 0.005),
)

# At 65 coverage moves to Medicare from the first day of the month of the 65th birthday (the month before
# when the birthday falls on the 1st; SSA/CMS). Share of each payer that moves (assumption: some keep an
# employer plan as primary while still working; duals and TRICARE For Life have Medicare primary).
MEDICARE_AGE = 65
MOVES_TO_MEDICARE_AT_65: dict[str, float] = {"Medicaid": 1.0, "Private": 0.90, "Self-pay": 0.95, "Other": 0.90}

# Coverage changes per year of coverage, by (from, to) (assumption shaped on KFF/MACPAC Medicaid churn, about
# one enrollee in ten leaving and re-enrolling within a year, and on Census coverage transitions). The
# simulation turns a yearly rate r into a daily hazard 1 - (1 - r) ** (1 / 365.25).
TRANSITIONS_PER_YEAR: dict[tuple[str, str], float] = {
    ("Medicaid", "Self-pay"): 0.10,
    ("Medicaid", "Private"): 0.08,
    ("Self-pay", "Medicaid"): 0.15,
    ("Self-pay", "Private"): 0.12,
    ("Private", "Self-pay"): 0.025,
    ("Private", "Medicaid"): 0.02,
    ("Other", "Private"): 0.05,
}


def medicare_start(birth_date: dt.date) -> dt.date:
    """The day Medicare (Part A) coverage starts for a person turning 65.

    Args:
        birth_date: the person's date of birth.

    Returns:
        The first day of the month of the 65th birthday, or of the month before when the birthday is on
        the 1st (SSA rule).
    """
    year, month = birth_date.year + MEDICARE_AGE, birth_date.month
    if birth_date.day == 1:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return dt.date(year, month, 1)


def payer_shares(age_band: int) -> dict[str, float]:
    """Payer at first contact for a patient of an age band.

    Args:
        age_band: index into ``ages.AGE_BANDS``.

    Returns:
        Payer -> share (sums to 1).
    """
    return dict(zip(PAYERS, PAYER_BY_AGE[age_band], strict=True))


def daily_hazard(rate_per_year: float) -> float:
    """Daily probability of an event with a given yearly probability (constant hazard).

    Args:
        rate_per_year: probability of at least one event in a year, 0-1.

    Returns:
        The equivalent probability per day.
    """
    return 1.0 - (1.0 - rate_per_year) ** (1.0 / 365.25)
