"""``hospital init [DIR]``: a project the user owns, to edit and see the change.

    DIR/
        dbt_project/            the dbt project (models, tests, the KPI definition); transform builds it
        tableau/dashboard.json  the Tableau dashboard spec export writes the workbook from
        .env                    every setting, from .env.example
        README.md               what to try first

Run from DIR, every step uses these copies (``project.py``: the ``.hospital-init`` marker). Nothing is
overwritten: when any of these exists, nothing is written. The files are copied into a scratch folder inside
DIR first and moved into place, so a failure leaves no half-written project.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from importlib import resources
from pathlib import Path

from hospital_analytics import __version__
from hospital_analytics.errors import ConfigError, InputError
from hospital_analytics.fsutil import TMP_MARK, ensure_writable_dir
from hospital_analytics.layout import dbt_project_dir, tableau_source_dir
from hospital_analytics.project import DBT_FOLDER, MARKER, SPEC_FILE, TABLEAU_FOLDER
from hospital_analytics.results import StepResult

ENV_EXAMPLE = "env.example"  # .env.example, as the wheel ships it (pyproject's force-include)
# Build output plain dbt may have left in the source project; never copied.
_SKIP = ("target", "logs", "dbt_packages", ".user.yml", "__pycache__")
README = """# My hospital-analytics project

Made by `hospital init` (hospital-analytics {version}). Run `hospital` from this folder and every step uses
the files here, and says so (`dbt project: ... (made by hospital init, found in the working folder)`):

| path | what | used by |
|---|---|---|
| `dbt_project/` | the dbt models, tests and KPI definition (`models/semantic/kpis.yml`) | `hospital transform`, `analyze` |
| `tableau/dashboard.json` | the Tableau dashboard: fields, sheets, layout, title | `hospital export` |
| `.env` | every setting (sizes, seed, warehouse, Snowflake account) | every step |

## Try first

1. `hospital run-all`: simulate, load into DuckDB, build `dbt_project/`, chart, export. Open
   `hospital_output/report.html` and `hospital_output/export/hospital_dashboard.twbx`.
2. Add a column to a mart: in `dbt_project/models/marts/fct_hospitalizations.sql`, after the final
   select's last column (just before `from joined`), add `, length_of_stay_days * 24 as length_of_stay_hours`,
   then `hospital run-all --from transform`. The column is in the warehouse, in the report's
   "Where the data came from" list of marts, and in the Tableau workbook's fields.
3. Retitle the dashboard: change `"title"` under `"dashboard"` in `tableau/dashboard.json`, then
   `hospital export`; the `.twb` carries the new title.
4. Change a KPI: edit `dbt_project/models/semantic/kpis.yml` (labels, formats, new ratios); transform,
   analyze and export all read it from here.
5. Plain dbt on the same warehouse:
   `HOSPITAL_DUCKDB_PATH=hospital_output/hospital.duckdb dbt build --project-dir dbt_project --profiles-dir dbt_project
   --vars '{{window_start: 2024-01-01, window_end: 2025-12-31}}'` (the window `hospital generate` used: see
   `hospital_output/data/manifest.json`; without it the window starts on the first admission in the files,
   which may be a stay already in house on the window's first day).

To use these files from another folder, set `HOSPITAL_DBT_PROJECT_DIR` and `HOSPITAL_DASHBOARD_SPEC`.
"""


@dataclasses.dataclass
class InitResult(StepResult):
    """What ``init`` wrote: the project folder and the files and folders in it."""

    directory: Path | None = None
    written: list[Path] = dataclasses.field(default_factory=list)

    def summary_rows(self) -> list[tuple[str, str]]:
        rows = [("project", str(self.directory))]
        rows += [("wrote" if i == 0 else "", str(path)) for i, path in enumerate(self.written)]
        where = "" if self.directory is None or self.directory.resolve() == Path.cwd() else f"cd {self.directory} && "
        return [*rows, ("next", f"{where}hospital run-all   (then see README.md there)")]

    def outcome(self) -> str:
        return f"{len(self.written)} entries in {self.directory}"


def env_example() -> Path:
    """``.env.example``: inside the installed package (wheel), else the repository's."""
    packaged = Path(str(resources.files("hospital_analytics"))) / ENV_EXAMPLE
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / ".env.example"


def _copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*_SKIP))
    (target / MARKER).write_text(f"made by hospital init (hospital-analytics {__version__})\n", encoding="utf-8")


def init(directory: Path | str = ".") -> InitResult:
    """Write a project the user owns into ``directory``: the dbt project, the dashboard spec, ``.env`` and a
    README of what to try first.

    Args:
        directory: where to write (created when missing; default the working folder).

    Returns:
        InitResult: the folder and every entry written.

    Raises:
        ConfigError: one of the entries exists already (nothing is overwritten, nothing written).
        InputError: the folder cannot be created or written.
    """
    started = time.perf_counter()
    root = Path(directory)
    entries = {
        DBT_FOLDER: root / DBT_FOLDER,
        TABLEAU_FOLDER: root / TABLEAU_FOLDER / SPEC_FILE,
        ".env": root / ".env",
        "README.md": root / "README.md",
    }
    existing = [path for path in (*entries.values(), root / TABLEAU_FOLDER / MARKER) if path.exists()]
    if existing:
        raise ConfigError(
            f"{existing[0]} already exists: hospital init never overwrites a file.",
            "Choose an empty folder: hospital init my_project",
        )
    ensure_writable_dir(root, "project folder")
    scratch = root / f"{TMP_MARK}{os.getpid()}-init"
    try:
        scratch.mkdir()
        _copy_tree(dbt_project_dir(), scratch / DBT_FOLDER)
        (scratch / TABLEAU_FOLDER).mkdir()
        shutil.copyfile(tableau_source_dir() / SPEC_FILE, scratch / TABLEAU_FOLDER / SPEC_FILE)
        (scratch / TABLEAU_FOLDER / MARKER).write_text("made by hospital init\n", encoding="utf-8")
        shutil.copyfile(env_example(), scratch / ".env")
        (scratch / "README.md").write_text(README.format(version=__version__), encoding="utf-8")
        (root / TABLEAU_FOLDER).mkdir(exist_ok=True)
        written = []
        for relative in (
            DBT_FOLDER,
            f"{TABLEAU_FOLDER}/{SPEC_FILE}",
            f"{TABLEAU_FOLDER}/{MARKER}",
            ".env",
            "README.md",
        ):
            os.replace(scratch / relative, root / relative)
            if relative != f"{TABLEAU_FOLDER}/{MARKER}":
                written.append(root / relative)
    except OSError as exc:
        raise InputError(
            f"Writing the project into {root} failed: {exc.strerror or exc}.",
            "Check the folder's free space and permissions.",
        ) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return InitResult(step="init", seconds=time.perf_counter() - started, directory=root, written=written)
