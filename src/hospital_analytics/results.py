"""The shape every step's result shares: timings, a JSON form and a readable summary.

Each step defines a dataclass deriving from ``StepResult``; ``summary_rows`` gives the lines the CLI and a
notebook print, ``to_dict`` the ``--json`` form (DataFrames, Figures and secrets left out).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr}
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return None  # DataFrames, Figures and other rich objects stay out of JSON


def human_size(n: float) -> str:
    """Bytes in binary units for people: 980 B, 1.2 MB (MiB), 3.4 GB (GiB)."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def kpi_rows(kpis: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The headline numbers (``analyze``'s KPIs, from the kpis mart) formatted for people; "–" when missing."""
    if not kpis:
        return []

    def show(name: str, spec: str) -> str:
        value = kpis.get(name)
        return "–" if value is None else format(value, spec)

    return [
        ("admissions", show("admissions", ",d")),
        ("patients", show("patients", ",d")),
        (
            "average stay",
            f"{show('average_length_of_stay_days', '.2f')} days (median {show('median_length_of_stay_days', 'g')})",
        ),
        ("30-day readmission rate", show("readmission_rate_30d", ".1%")),
        ("bed days", show("bed_days", ",d")),
        ("peak census", f"{show('peak_census', ',d')} patients on {kpis.get('peak_census_date') or '–'}"),
        ("total charges", f"${show('total_charges', ',.0f')}"),
    ]


@dataclasses.dataclass
class StepResult:
    """Base of every step's result."""

    step: str
    seconds: float

    def summary_rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs shown by ``__str__`` and the CLI; steps extend it."""
        return []

    def outcome(self) -> str:
        """What the step made, in a few words (run-all's line per step); steps override it."""
        return ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fields (fields declared with ``repr=False`` are left out)."""
        return _jsonable(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def __str__(self) -> str:
        rows = [("step", self.step), *self.summary_rows(), ("seconds", f"{self.seconds:.2f}")]
        width = max(len(label) for label, _ in rows)
        return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython / Jupyter
        printer.text(str(self))
