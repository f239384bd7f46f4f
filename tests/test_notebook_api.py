"""The notebook API: the README's notebook session runs as written, its results print well, and every public
function documents its arguments, what it returns and what it raises."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import json
import re
from pathlib import Path

import pytest

import hospital_analytics as ha

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## In a notebook"


def readme_session() -> str:
    """The first ```python block of the README's notebook section."""
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, f"README.md has no {SECTION!r} section"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert blocks, "the notebook section has no ```python block"
    return blocks[0]


def test_the_readme_session_is_a_whole_session() -> None:
    code = readme_session()
    assert "import hospital_analytics as ha" in code and "ha.Settings(" in code
    for step in ("generate", "load", "transform", "analyze", "export", "run_all"):
        assert f"ha.{step}(" in code, f"the README's session does not show ha.{step}"


class Printer:
    """What IPython hands ``_repr_pretty_``: something with ``text``."""

    def __init__(self) -> None:
        self.out = io.StringIO()

    def text(self, value: str) -> None:
        self.out.write(value)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The README's session executed as it is written, in an empty folder, its printed output captured."""
    from helpers import clean_env

    root = tmp_path_factory.mktemp("notebook")
    namespace: dict = {"__name__": "__notebook__"}
    printed = io.StringIO()
    with clean_env(root), contextlib.redirect_stdout(printed):
        exec(compile(readme_session(), "README.md (notebook session)", "exec"), namespace)
    namespace["__printed__"] = printed.getvalue()
    namespace["__root__"] = root
    return namespace


def _one(namespace: dict, cls: type):
    found = [v for k, v in namespace.items() if isinstance(v, cls) and not k.startswith("__")]
    assert found, f"the session made no {cls.__name__}"
    return found[0]


@pytest.mark.slow  # the README's notebook session, end to end
def test_session_results_print_well(session: dict) -> None:
    from hospital_analytics.analysis import AnalysisResult
    from hospital_analytics.exports import ExportResult
    from hospital_analytics.pipeline import RunAllResult
    from hospital_analytics.simulation import GenerateResult
    from hospital_analytics.transformation import TransformResult
    from hospital_analytics.warehouse.loading import LoadResult

    generated = _one(session, GenerateResult)
    stays = generated.rows["hospitalizations"]
    text = str(generated)
    assert "data/csv/hospitalizations.csv" in text and f"{stays:,} rows" in text and "fidelity" in text
    assert generated.tables["hospitalizations"].shape[0] == stays

    text = str(_one(session, LoadResult))
    assert "duckdb" in text and f"hospitalizations {stays:,}" in text

    built = _one(session, TransformResult)
    assert built.success and "dbt build" in str(built) and "models" in str(built)
    assert {"node", "status", "rows"} <= set(built.to_frame().columns)

    analysis = _one(session, AnalysisResult)
    text = str(analysis)
    admitted = analysis.kpis["admissions"]  # the stays admitted in the window: the file also holds those in house
    assert admitted <= stays  # on its first day (admitted earlier)
    assert "report.html" in text and f"{admitted:,}" in text and "readmission rate" in text
    from matplotlib.figure import Figure

    assert all(isinstance(f, Figure) for f in analysis.figures.values()) and analysis.figures
    assert not analysis.frames["admissions_by_month"].empty

    exported = _one(session, ExportResult)
    assert "parquet" in str(exported) and "hospital_dashboard.twbx" in str(exported)

    again = _one(session, RunAllResult)
    text = str(again)
    for line in ("analyze", "export", "admissions", "report", "dashboard"):
        assert line in text, (line, text)
    assert f"{admitted:,}" in text

    printed = session["__printed__"]
    assert "readmission rate: " in printed and "hospital_dashboard.twbx" in printed
    for result in (generated, built, analysis, exported, again):
        json.dumps(result.to_dict())  # the --json form of every result is JSON
        printer = Printer()
        result._repr_pretty_(printer, False)  # what IPython/Jupyter shows
        assert printer.out.getvalue() == str(result)


@pytest.mark.slow  # the README's notebook session, end to end
def test_session_wrote_where_it_said(session: dict) -> None:
    from hospital_analytics.pipeline import RunAllResult

    again = _one(session, RunAllResult)
    root = session["__root__"]  # the session's working folder: relative paths are relative to it
    for path in (again.report, again.dashboard, again.export_dir):
        assert path is not None
        assert (root / path).exists(), path
    settings = _one(session, ha.Settings)
    assert (root / settings.output_dir / "data" / "manifest.json").is_file()


# --- docstrings -----------------------------------------------------------------------------------------
STEP_MODULES = (
    "hospital_analytics.simulation",
    "hospital_analytics.warehouse",
    "hospital_analytics.transformation",
    "hospital_analytics.analysis",
    "hospital_analytics.exports",
    "hospital_analytics.pipeline",
)


def public_functions() -> dict[str, object]:
    """``ha``'s public names, and the functions each step module lists in ``__all__``."""
    names: dict[str, object] = {}
    for name in ha.__all__:
        value = getattr(ha, name)
        if inspect.isfunction(value) or (inspect.isclass(value) and name == "Settings"):
            names[f"ha.{name}"] = value
    for module_name in STEP_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if inspect.isfunction(value):
                names[f"{module_name}.{name}"] = value
    return names


def test_the_notebook_names_are_public() -> None:
    for name in ("generate", "load", "transform", "analyze", "export", "run_all", "Settings"):
        assert name in ha.__all__ and name in dir(ha)


@pytest.mark.parametrize("name", sorted(public_functions()))
def test_public_function_documents_args_returns_raises(name: str) -> None:
    doc = inspect.getdoc(public_functions()[name]) or ""
    summary = doc.split("\n", 1)[0]
    assert summary.strip(), f"{name} has no one-line summary"
    for section in ("Args:", "Returns:", "Raises:"):
        assert f"\n{section}\n" in f"\n{doc}\n", f"{name}'s docstring has no {section} section"
