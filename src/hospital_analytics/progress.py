"""Progress reporting: every library step takes a ``Collector`` (``progress=``) and defaults to silence.

The model is dlt's ``Collector``: a step reports on named counters with ``update(name, inc, total=...)``
("3 of 4 tables", "812 of 1,204 dbt nodes"); whoever runs steps (``run_all``, the CLI) brackets each one with
``start(step)`` and ``stop(step, result)``. This base class ignores everything: subclass it and override what
you draw (the CLI draws rich bars on stderr).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hospital_analytics.results import StepResult


class Collector:
    """Receives a step's progress; the base class is the silent default (``SILENT``)."""

    def start(self, step: str) -> None:
        """Pipeline step ``step`` begins."""

    def update(self, name: str, inc: float = 1, total: float | None = None) -> None:
        """Counter ``name`` moved ``inc`` further (0 to only announce it); ``total`` is how far it goes, when known.

        A counter begins with its first update; a step's counters follow one another (a bar per counter).
        """

    def stop(self, step: str, result: StepResult | None = None) -> None:
        """Pipeline step ``step`` ended: with its ``result``, or ``None`` when it failed."""


SILENT = Collector()
