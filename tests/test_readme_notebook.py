"""The README's notebook session runs as written (the code block under "In a notebook")."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def notebook_code() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## In a notebook", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "the README's notebook section has no python block"
    return "\n".join(blocks)


def test_readme_notebook_session_runs(tmp_path, capsys):
    namespace: dict = {}
    exec(compile(notebook_code(), str(README), "exec"), namespace)  # runs in tmp_path (conftest chdir)
    printed = capsys.readouterr().out
    assert (tmp_path / "demo_output" / "report.html").is_file()
    assert "readmission rate:" in printed and "run-all" in printed
    assert len(namespace["stays"]) == 2_000
    assert namespace["loaded"].tables["hospitalizations"].rows == 2_000
    assert not namespace["nodes"].empty and set(namespace["nodes"]["status"]) <= {"success", "pass", "no-op"}
    assert int(namespace["monthly"]["admissions"].sum()) == 2_000
    assert namespace["figure"].axes, "the monthly admissions figure has no axes"
    assert any(name.endswith(".parquet") for name in (f.path.name for f in namespace["exported"].files))
