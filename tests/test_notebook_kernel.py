"""The README's notebook session in a real Jupyter kernel (nbclient + ipykernel), one cell per paragraph: every
cell runs, and what each one shows is small and says what it should."""

from __future__ import annotations

import os
import re

import pytest

from test_notebook_api import readme_session

pytestmark = pytest.mark.slow  # a kernel, and the whole pipeline on 2,000 stays

PLAIN_MAX = 2_000  # characters of text/plain a cell may show (the old dataclass dumps were 5,000-87,000)
HTML_MAX = 20_000  # characters of text/html (a summary table; for generate, the fidelity table too)
STREAM_MAX = 2_000


def cells(code: str) -> list[str]:
    """The session's paragraphs (split at blank lines), each a notebook cell."""
    return [part.strip("\n") for part in re.split(r"\n\s*\n", code) if part.strip()]


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    from helpers import clean_env

    root = tmp_path_factory.mktemp("kernel")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells(readme_session())]
    with clean_env(root):
        client = nbclient.NotebookClient(
            notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(root)}}
        )
        client.execute(env={**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline"})
    return notebook, root


def _shown(cell) -> dict[str, str]:
    """What a cell displayed: its result's (or display's) data by MIME type, and its printed text."""
    data: dict[str, str] = {}
    for output in cell.outputs:
        assert output.output_type != "error", "\n".join(output.get("traceback", []))
        if output.output_type == "stream":
            data["stream"] = data.get("stream", "") + output.text
        else:
            for mime, value in output.get("data", {}).items():
                data[mime] = value if isinstance(value, str) else "".join(value)
    return data


def _cell(notebook, ending: str):
    """The cell whose last line starts with ``ending``."""
    found = [c for c in notebook.cells if c.source.splitlines()[-1].startswith(ending)]
    assert len(found) == 1, [c.source for c in notebook.cells]
    return found[0]


def test_every_cell_runs_and_shows_little(executed) -> None:
    notebook, root = executed
    assert len(notebook.cells) >= 6
    for cell in notebook.cells:
        shown = _shown(cell)
        assert len(shown.get("text/plain", "")) <= PLAIN_MAX, (cell.source, len(shown["text/plain"]))
        assert len(shown.get("text/html", "")) <= HTML_MAX, (cell.source, len(shown["text/html"]))
        assert len(shown.get("stream", "")) <= STREAM_MAX, (cell.source, shown["stream"][:500])
    assert (root / "demo_output" / "report.html").is_file()


def test_generate_shows_its_summary_and_the_fidelity_table(executed) -> None:
    shown = _shown(_cell(executed[0], "generated"))
    html = shown["text/html"]
    assert html.count("<table") == 2 and "Fidelity" in html
    assert "data/csv/hospitalizations.csv" in html
    marks = re.findall(r"✓ ok|✗ off|– ", html)
    assert len(marks) == html.count("<tr>") - 1 - html.split("Fidelity", 1)[0].count("<tr>"), "a mark per row"
    assert "fidelity" in shown["text/plain"]  # the plain summary, not a dataclass dump
    assert "FidelityRow(" not in shown["text/plain"] and "PosixPath(" not in shown["text/plain"]


def test_transform_shows_a_short_table_not_every_node(executed) -> None:
    shown = _shown(_cell(executed[0], "built"))
    html, plain = shown["text/html"], shown["text/plain"]
    assert "dbt build" in html and "dbt project" in html and "models" in html
    assert "NodeOutcome(" not in plain and "NodeOutcome(" not in html
    assert len(html) < 3_000


def test_analyze_shows_the_figure_and_prints_the_rate(executed) -> None:
    shown = _shown(_cell(executed[0], "analysis.figures"))
    assert "image/png" in shown
    assert re.search(r"readmission rate: \d+\.\d%", shown["stream"])


def test_run_all_shows_its_kpis(executed) -> None:
    shown = _shown(_cell(executed[0], "again"))
    for label in ("admissions", "30-day readmission rate", "report", "dbt project"):
        assert label in shown["text/html"], label
    exported = _shown(_cell(executed[0], "print([file.path.name"))
    assert "hospital_dashboard.twbx" in exported["stream"]
