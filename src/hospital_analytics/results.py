"""The shape every step's result shares: timings, a JSON form and a readable summary.

Each step defines a dataclass deriving from ``StepResult``; ``summary_rows`` gives the lines the CLI and a
notebook print, ``to_dict`` the ``--json`` form (DataFrames, Figures and secrets left out).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
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


@dataclasses.dataclass
class StepResult:
    """Base of every step's result."""

    step: str
    seconds: float

    def summary_rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs shown by ``__str__`` and the CLI; steps extend it."""
        return []

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
