"""Results in a notebook (a one-line repr, a small HTML table) and errors in the library's words."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import hospital_analytics as ha
from helpers.proof import invoke
from hospital_analytics.errors import ConfigError, StepOrderError
from hospital_analytics.results import REPR_MAX, StepResult, fidelity_html
from hospital_analytics.transformation.results import NodeOutcome, TransformResult
from hospital_analytics.wording import library


def _built(nodes: int) -> TransformResult:
    made = [
        NodeOutcome(f"not_null_model_{i}", "test", "pass", 0, 0.01, unique_id=f"test.x.{i}", compiled_path="/x" * 40)
        for i in range(nodes)
    ]
    made.append(NodeOutcome("kpis", "model", "success", 1, 0.2, materialized="table"))
    return TransformResult(step="transform", seconds=1.5, warehouse="duckdb", nodes=made, project="/p (packaged)")


def test_a_result_with_many_nodes_has_a_one_line_repr() -> None:
    built = _built(500)
    assert len(dataclasses.asdict(built)["nodes"]) == 501  # what the dataclass repr used to print, all of it
    text = repr(built)
    assert text == "<TransformResult transform: 1 models, 500 tests passed (1.50 s)>"
    assert len(text) <= REPR_MAX and "\n" not in text


def test_every_subclass_gets_the_short_repr_and_the_html_table() -> None:
    @dataclasses.dataclass
    class Made(StepResult):
        items: list[str] = dataclasses.field(default_factory=list)

        def summary_rows(self) -> list[tuple[str, str]]:
            return [("items", str(len(self.items))), ("<b>", "a & b")]

    made = Made(step="made", seconds=0.5, items=["x" * 1000] * 100)
    assert repr(made).startswith("<Made made: items 100") and len(repr(made)) <= REPR_MAX
    html = made._repr_html_()
    assert html.startswith("<table><caption>Made</caption>") and "&lt;b&gt;" in html and "a &amp; b" in html
    assert "x" * 100 not in html


def test_the_fidelity_table_marks_each_row() -> None:
    @dataclasses.dataclass
    class Row:
        quantity: str
        passed: bool | None
        target: str = "12%"
        generated: float | None = 0.11
        allowed: str = "10%..14%"
        verdict: str = "too few stays to judge"

    html = fidelity_html([Row("a", True), Row("b", False), Row("c", None)])
    assert html.count("<tr>") == 4
    assert "✓ ok" in html and "✗ off" in html and "– too few stays to judge" in html


def test_library_words() -> None:
    assert library("Run `hospital load` first.") == "Call `ha.load()` first."
    assert library("the marts: run `hospital transform` first") == "the marts: call `ha.transform()` first"
    assert library("or `hospital run-all`; set --out or --hospitalizations") == (
        "or `ha.run_all()`; set `output_dir` or `hospitalizations`"
    )
    dbt = "Inspect with `dbt test --select kpis --store-failures --project-dir /p`."
    assert library(dbt) == dbt  # a dbt command keeps its flags
    assert library("see `hospital --help`") == "see `help(ha)`"
    assert library("Invalid --format / HOSPITAL_EXPORT_FORMAT") == "Invalid `export_format` / HOSPITAL_EXPORT_FORMAT"


def test_library_errors_speak_keywords_and_the_cli_flags(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        ha.generate(hospitalizations=0)
    assert str(caught.value).startswith("Invalid `hospitalizations` / HOSPITAL_HOSPITALIZATIONS (got 0)")
    assert "--" not in str(caught.value) and "hospital --help" not in caught.value.library_hint
    cli = invoke("generate", "--hospitalizations", "0")
    assert cli.exit_code == 2 and "Invalid --hospitalizations / HOSPITAL_HOSPITALIZATIONS" in cli.output

    with pytest.raises(StepOrderError) as caught:
        ha.transform(output_dir=tmp_path / "none")
    assert "`ha.load()`" in caught.value.library_hint and "hospital load" not in caught.value.library_hint
    assert "`hospital load`" in caught.value.hint  # what the CLI prints
