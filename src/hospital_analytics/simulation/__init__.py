"""``generate``: simulate a health system day by day and write its tables (issue 13, docs/design/simulation.md).

    import hospital_analytics as ha
    result = ha.generate(hospitalizations=10_000, seed=7)   # about 10,000 stays per 24 months
    result.tables["hospitalizations"].head()                # DataFrames (runs up to FRAMES_LIMIT stays)
    result.fidelity_frame()                                 # published target vs generated, per row

Modules: ``draws`` (keyed counter-based randomness), ``calendar``, ``casemix`` (the diagnosis catalogue as
arrays), ``system`` (hospitals, units, beds, roster), ``coverage`` (payer spells), ``stays`` (a stay drawn at
admission), ``engine`` (the day loop), ``tables`` (Arrow tables in schema order), ``writer`` (atomic files
and the manifest), ``fidelity`` (targets vs generated), ``state`` (the end-of-day state, resumable),
``generation`` (the step itself), ``moves`` (address changes), ``feed`` (the daily feed's events),
``feed_files`` (its partitions), ``advancing`` (``advance``: continue a saved run).
"""

from __future__ import annotations

from hospital_analytics.simulation.advancing import advance
from hospital_analytics.simulation.fidelity import FidelityRow
from hospital_analytics.simulation.generation import FRAMES_LIMIT, GenerateResult, generate

__all__ = ["FRAMES_LIMIT", "FidelityRow", "GenerateResult", "advance", "generate"]
