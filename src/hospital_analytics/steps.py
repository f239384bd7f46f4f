"""The pipeline's steps, in order: where each one lives and what it does, named once.

``hospital_analytics.generate`` (and ``load``, ...), ``run_all`` and the CLI all take their steps from
``STEPS``. Each step is a library function ``step(settings=None, *, progress=SILENT, **overrides)`` returning
a ``StepResult``; ``Step.run`` calls it with a ``Collector`` bracketing it with ``start``/``stop``.

    generate    hospital_analytics.simulation:generate
    advance     hospital_analytics.simulation:advance     (not in run_all's order: it continues generate's run)
    load        hospital_analytics.warehouse.loading:load
    transform   hospital_analytics.transformation:transform
    analyze     hospital_analytics.analysis:analyze
    export      hospital_analytics.exports:export

``run_all`` (``pipeline.py``) runs the ``PIPELINE`` ones in this order; ``hospital docs`` (``transformation:docs``) is a command,
not a pipeline step.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hospital_analytics.progress import SILENT, Collector

if TYPE_CHECKING:
    from hospital_analytics.config import Settings
    from hospital_analytics.results import StepResult


@dataclasses.dataclass(frozen=True)
class Step:
    """One pipeline step: its name (the CLI command, ``run_all``'s ``start_from``), its library function
    (``module:function``, imported on first use) and the one line the CLI's help shows for it."""

    name: str
    target: str
    summary: str
    pipeline: bool = True  # run-all runs it (advance is a command of its own: it continues a generated run)

    def function(self) -> Callable[..., StepResult]:
        """The library function (imports its module)."""
        module, _, name = self.target.partition(":")
        found: Callable[..., StepResult] = getattr(importlib.import_module(module), name)
        return found

    def run(self, settings: Settings, progress: Collector = SILENT, **options: Any) -> StepResult:
        """Run the step with ``settings``; ``progress`` hears ``start``, the step's counters, then ``stop``."""
        from hospital_analytics.fsutil import folder_lock

        progress.start(self.name)
        result = None
        try:
            # One writer per output folder (a folder not made yet is not locked: the step checks it first).
            with folder_lock(settings.output_dir, self.name, create=False):
                result = self.function()(settings, progress=progress, **options)
                return result
        finally:
            progress.stop(self.name, result)

    def outcome(self, result: StepResult) -> str:
        """What the finished step made, in a few words."""
        return result.outcome()


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "generate",
            "hospital_analytics.simulation:generate",
            "Generate patients, doctors and hospital stays calibrated to US inpatient statistics, as CSV/Parquet.",
        ),
        Step(
            "advance",
            "hospital_analytics.simulation:advance",
            "Continue the generated simulation by some days: new daily feed partitions, snapshot tables as of then.",
            pipeline=False,
        ),
        Step(
            "load",
            "hospital_analytics.warehouse.loading:load",
            "Load the generated files into the warehouse's RAW schema (tables replaced, the feed's new partitions "
            "appended), all at once or none.",
        ),
        Step(
            "transform",
            "hospital_analytics.transformation:transform",
            "Build the dbt models in the ANALYTICS schema and run their tests (dbt build, in-process).",
        ),
        Step(
            "analyze",
            "hospital_analytics.analysis:analyze",
            "Chart the marts; write charts/*.png, a self-contained report.html and an interactive dashboard.html.",
        ),
        Step(
            "export",
            "hospital_analytics.exports:export",
            "Export the marts as CSV.gz, Parquet and Tableau Hyper files plus a Tableau dashboard (.twb, .twbx).",
        ),
    )
}


PIPELINE: tuple[str, ...] = tuple(name for name, step in STEPS.items() if step.pipeline)  # run_all's order
