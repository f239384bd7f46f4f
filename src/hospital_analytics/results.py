"""The shape every step's result shares: timings, a JSON form and a readable summary.

Each step defines a dataclass deriving from ``StepResult``; ``summary_rows`` gives the lines the CLI and a
notebook print, ``to_dict`` the ``--json`` form (DataFrames, Figures and secrets left out).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
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


REPR_MAX = 300  # characters: a result's repr is one short line, whatever it holds
HTML_ROWS_MAX = 40  # rows of the summary table a notebook shows


def _cell(value: Any) -> str:
    return html.escape(str(value), quote=False)


def fidelity_html(rows: Any) -> str:
    """A fidelity table (rows with ``quantity``, ``target``, ``generated``, ``allowed``, ``passed``) as an HTML
    table, each row marked ✓ ok, ✗ off or – (not judged)."""
    body = []
    for row in rows:
        passed = getattr(row, "passed", None)
        if passed is True:
            mark = ("✓ ok", "green")
        elif passed is False:
            mark = ("✗ off", "#b00020")
        else:
            mark = ("– " + str(getattr(row, "verdict", "not judged")), "gray")
        show = getattr(row, "show", str)
        cells = [
            getattr(row, "quantity", ""),
            getattr(row, "target", ""),
            show(getattr(row, "generated", None)),
            getattr(row, "allowed", ""),
        ]
        body.append(
            "<tr>"
            + "".join(f"<td>{_cell(c)}</td>" for c in cells)
            + f'<td style="color:{mark[1]}">{_cell(mark[0])}</td></tr>'
        )
    head = "".join(f"<th>{h}</th>" for h in ("quantity", "target", "generated", "allowed", ""))
    return f"<table><caption>Fidelity: published target vs generated</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


@dataclasses.dataclass
class StepResult:
    """Base of every step's result.

    In a notebook a result shows as a small table of its summary (``_repr_html_``; a fidelity table too, when
    it has one), and its ``repr`` is one short line: subclasses get this ``__repr__`` instead of the
    dataclass's field dump (``__init_subclass__`` sets it before ``@dataclass`` runs, which then keeps it).
    """

    step: str
    seconds: float

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__repr__" not in cls.__dict__:
            cls.__repr__ = StepResult.__repr__  # type: ignore[method-assign]
        if "_repr_pretty_" not in cls.__dict__:  # IPython takes the nearest of the two: the summary, not repr
            cls._repr_pretty_ = StepResult._repr_pretty_  # type: ignore[method-assign]

    def __repr__(self) -> str:
        what = self.outcome() or "; ".join(f"{label} {value}" for label, value in self.summary_rows()[:3] if label)
        text = f"<{type(self).__name__} {self.step}: {what} ({self.seconds:.2f} s)>"
        return text if len(text) <= REPR_MAX else text[: REPR_MAX - 4] + "...>"

    def _repr_html_(self) -> str:
        rows = [("step", self.step), *self.summary_rows(), ("seconds", f"{self.seconds:.2f}")]
        shown = rows[:HTML_ROWS_MAX]
        more = f"<tr><td></td><td>and {len(rows) - len(shown)} more rows</td></tr>" if len(rows) > len(shown) else ""
        table = (
            f"<table><caption>{_cell(type(self).__name__)}</caption><tbody>"
            + "".join(
                f"<tr><th style='text-align:left'>{_cell(k)}</th><td style='text-align:left'>{_cell(v)}</td></tr>"
                for k, v in shown
            )
            + f"{more}</tbody></table>"
        )
        fidelity = getattr(self, "fidelity", None)
        return table + (fidelity_html(fidelity) if fidelity else "")

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
