"""Births: delivery method, twins, newborn codes consistent with the mother's delivery, NICU.

The delivery method of a delivery stay comes from its diagnosis (``Diagnosis.cesarean_share``; the catalogue
implies the national 32.4%), the newborn code from the method and plurality (``newborn_code``). Sources:
``docs/calibration.md``, section "Births".
"""

from __future__ import annotations

CESAREAN_SHARE = 0.324  # NVSS, Births: Final Data for 2023
PRETERM_SHARE = 0.104  # NVSS 2023: births before 37 weeks
TWIN_BIRTHS_PER_DELIVERY = 0.031  # NVSS: about 31 twin births per 1,000 births (deliveries ~ births / 1.015)
FEMALE_SHARE_AT_BIRTH = 1 / 2.048  # NVSS: 1,048 boys per 1,000 girls
# Mother's age at delivery: mean 29.6 years (NVSS 2022-2023), spread an assumption; 15-49 as NVSS reports.
MOTHER_AGE_MEAN, MOTHER_AGE_SD, MOTHER_AGE_RANGE = 29.6, 5.8, (15, 49)

# Newborn codes (ICD-10-CM Z38): singleton / twin, born in hospital, by delivery method.
NEWBORN_CODES: dict[tuple[str, int], str] = {
    ("vaginal", 1): "Z38.00",
    ("cesarean", 1): "Z38.01",
    ("vaginal", 2): "Z38.30",
    ("cesarean", 2): "Z38.31",
}
# Twins are delivered by cesarean about three times in four (NVSS; approximate): the share used to split twin
# deliveries, consistent with Z38.30 / Z38.31 weights in the catalogue.
TWIN_CESAREAN_SHARE = 0.75
# NICU admission: 7.8% of live births (Harrison & Goodman 2015); the catalogue's Z38 codes carry it by
# method (6% after vaginal, 12% after cesarean, 30-45% for twins) in ``Diagnosis.icu_first``.
NICU_SHARE = 0.078


def newborn_code(method: str, plurality: int) -> str:
    """The liveborn code of a newborn.

    Args:
        method: "vaginal" or "cesarean" (the mother's delivery).
        plurality: 1 for a singleton, 2 for twins.

    Returns:
        "Z38.00", "Z38.01", "Z38.30" or "Z38.31".

    Raises:
        KeyError: for another method or plurality.
    """
    return NEWBORN_CODES[(method, plurality)]
