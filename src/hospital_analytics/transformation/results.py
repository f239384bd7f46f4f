"""What ``transform`` and ``docs`` return: one ``NodeOutcome`` per dbt node, and the step results."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hospital_analytics.results import StepResult

MAX_NAMES = 5


@dataclasses.dataclass
class NodeOutcome:
    """One dbt node's outcome: a model built, a test run, a unit test, an exposure."""

    node: str  # the node's name, e.g. "kpis", "unique_kpis_admissions"
    resource_type: str  # model, test, unit_test, exposure, ...
    status: str  # success, pass, fail, error, warn, skipped, no-op
    # Rows in the built table (counted after the run: for CREATE TABLE AS, dbt-duckdb reports no row count
    # and dbt-snowflake reports 1, the status row); failing rows for a test; None for views and the rest.
    rows: int | None
    seconds: float
    materialized: str | None = None  # table / view for models
    message: str | None = None  # dbt's message for errors and failures (one line)
    unique_id: str = ""
    compiled_path: str | None = None  # the SQL dbt ran, under the output folder's dbt/target

    @property
    def failed(self) -> bool:
        return self.status in ("fail", "error")


@dataclasses.dataclass
class TransformResult(StepResult):
    """What ``transform`` did: one ``NodeOutcome`` per dbt node, where it built and where dbt's files are."""

    command: str = "build"
    warehouse: str = ""
    database: str = ""
    schema: str = ""
    select: str | None = None
    full_refresh: bool = False
    nodes: list[NodeOutcome] = dataclasses.field(default_factory=list)
    project_dir: Path | None = None
    project: str = ""  # the dbt project built and why that one (project.Source.label)
    target_dir: Path | None = None
    log_file: Path | None = None
    window: str = ""  # the window dbt read (window_start to window_end) and where it came from

    def of_type(self, *resource_types: str) -> list[NodeOutcome]:
        return [n for n in self.nodes if n.resource_type in resource_types]

    @property
    def models(self) -> list[NodeOutcome]:
        return self.of_type("model")

    @property
    def tests(self) -> list[NodeOutcome]:
        return self.of_type("test", "unit_test")

    @property
    def failures(self) -> list[NodeOutcome]:
        return [n for n in self.nodes if n.failed]

    @property
    def success(self) -> bool:
        return not self.failures

    def rows_of(self, model: str) -> int | None:
        for n in self.models:
            if n.node == model:
                return n.rows
        return None

    def to_frame(self) -> Any:
        """The nodes as a pandas DataFrame (node, resource_type, status, rows, seconds, ...)."""
        import pandas as pd

        return pd.DataFrame([dataclasses.asdict(n) for n in self.nodes])

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["success"] = self.success
        return data

    def summary_rows(self) -> list[tuple[str, str]]:
        models, tests = self.models, self.tests
        kinds: dict[str, int] = {}
        for m in models:
            kinds[m.materialized or "model"] = kinds.get(m.materialized or "model", 0) + 1
        built = sum(1 for m in models if m.status == "success")
        rows = [
            ("command", f"dbt {self.command}" + (f" --select {self.select}" if self.select else "")),
            ("dbt project", self.project or str(self.project_dir)),
            ("warehouse", f"{self.warehouse} ({self.database}.{self.schema})"),
            (
                "models",
                f"{built} of {len(models)} built ("
                + ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in sorted(kinds.items()))
                + ")"
                if models
                else "none selected",
            ),
        ]
        if tests:
            passed = sum(1 for t in tests if t.status == "pass")
            units = sum(1 for t in tests if t.resource_type == "unit_test")
            rows.append(("tests", f"{passed} of {len(tests)} passed ({len(tests) - units} data, {units} unit)"))
        if self.failures:
            rows.append(("failed", node_names(self.failures)))
        if self.window:
            rows.append(("window", self.window))
        rows.append(("dbt log", str(self.log_file)))
        return rows

    def outcome(self) -> str:
        return f"{len(self.models)} models, {len(self.tests)} tests passed"


@dataclasses.dataclass
class DocsResult(StepResult):
    """What ``docs`` wrote: one static HTML file with dbt's documentation site."""

    html: Path | None = None
    bytes: int = 0
    models: int = 0
    sources: int = 0
    project: str = ""  # the dbt project documented and why that one (project.Source.label)

    def summary_rows(self) -> list[tuple[str, str]]:
        return [
            ("dbt project", self.project),
            ("docs", str(self.html)),
            ("size", f"{self.bytes / 1e6:.1f} MB"),
            ("documented", f"{self.models} models, {self.sources} sources"),
        ]


def node_names(nodes: Sequence[NodeOutcome]) -> str:
    names = [n.node for n in nodes[:MAX_NAMES]]
    more = len(nodes) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")
