"""Age bands shared by every per-age table of the reference data (HCUP's age groups)."""

from __future__ import annotations

from .types import AgeBand

MAX_AGE = 110  # oldest age at admission the reference data covers

# HCUP Facts and Figures / Fast Stats age groups; "<1" holds newborns and other infant stays.
AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("<1", 0, 0),
    AgeBand("1-17", 1, 17),
    AgeBand("18-44", 18, 44),
    AgeBand("45-64", 45, 64),
    AgeBand("65-84", 65, 84),
    AgeBand("85+", 85, MAX_AGE),
)
BAND_NAMES: tuple[str, ...] = tuple(band.name for band in AGE_BANDS)


def band_index(age: int) -> int:
    """Index in ``AGE_BANDS`` of a whole-year age.

    Args:
        age: age in whole years (0 or more; ages above ``MAX_AGE`` count as the last band).

    Returns:
        The band's index, 0-5.

    Raises:
        ValueError: for a negative age.
    """
    if age < 0:
        raise ValueError(f"age must be 0 or more, got {age}")
    for index, band in enumerate(AGE_BANDS):
        if age <= band.high:
            return index
    return len(AGE_BANDS) - 1
