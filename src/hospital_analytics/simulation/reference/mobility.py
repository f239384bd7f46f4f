"""Residential moves: how often patients change address within their home hospital's catchment.

Sources: ``docs/calibration.md``, section "Moves". The Current Population Survey's Annual Social and Economic
Supplement (CPS ASEC) asks whether a person lived in the same house a year ago: 11.5% had moved between 2013
and 2014 (Census Bureau release, 18 March 2015); of the movers of 2008, 65% moved within the same county and
18% to another county of the same state (release CB09-62). A catchment spans the hospital's county and its
neighbours, so moves within it are those two kinds: 11.5% x 83% = 9.5% of people a year. Moves out of the
catchment (to another state or abroad) are not modelled: such patients keep their last address.
"""

from __future__ import annotations

MOVER_RATE_PER_YEAR = 0.115  # CPS ASEC 2013-2014: people 1 year and over living elsewhere a year before
WITHIN_CATCHMENT_SHARE = 0.65 + 0.18  # CPS ASEC 2008 movers: same county, other county of the same state
MOVES_PER_YEAR = MOVER_RATE_PER_YEAR * WITHIN_CATCHMENT_SHARE
MAX_MOVES = 8  # moves kept per patient (a patient moves about once a decade; eight cover any window)
