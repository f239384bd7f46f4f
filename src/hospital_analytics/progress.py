"""Progress reporting: every library step takes a ``Collector`` (``progress=``) and defaults to silence.

The model is dlt's ``Collector``: a step reports on named counters with ``update(name, inc, total=...)``
("3 of 4 tables", "812 of 1,204 dbt nodes"); whoever runs steps (``run_all``, the CLI) brackets each one with
``start(step)`` and ``stop(step, result)``. This base class ignores everything: subclass it and override what
you draw (the CLI draws rich bars on stderr).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

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


# --- the generator's older interface -------------------------------------------------------------------
# synth/ (replaced from scratch by issue 13's simulation/, which reports to a Collector) reports with
# start/advance/finish. The step registry hands it ``CollectorProgress(collector)``; nothing else uses these.
class Progress(Protocol):
    """synth/'s progress interface: ``task`` names a bar; ``total`` may be unknown (None)."""

    def start(self, task: str, total: float | None = None) -> None: ...

    def advance(self, task: str, amount: float = 1) -> None: ...

    def finish(self, task: str) -> None: ...


class CollectorProgress:
    """synth/'s ``Progress`` calls forwarded to a ``Collector``."""

    def __init__(self, collector: Collector):
        self.collector = collector

    def start(self, task: str, total: float | None = None) -> None:
        self.collector.update(task, 0, total=total)

    def advance(self, task: str, amount: float = 1) -> None:
        self.collector.update(task, amount)

    def finish(self, task: str) -> None:
        pass


NULL_PROGRESS = CollectorProgress(SILENT)
