"""Which dbt project and Tableau dashboard spec a run uses: the user's own, or the packaged ones.

In order: the settings ``HOSPITAL_DBT_PROJECT_DIR`` / ``HOSPITAL_DASHBOARD_SPEC`` (``dbt_project_dir=``,
``dashboard_spec=``); else a ``dbt_project/`` (``tableau/dashboard.json``) in the working folder that
``hospital init`` made (it holds the ``.hospital-init`` marker); else the copy inside the package. Every step
that reads one says which (``Source.label``).

``active(settings)`` makes the settings' dbt project the one that readers without settings (``kpis.load``)
use while a step runs.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from hospital_analytics.errors import ConfigError
from hospital_analytics.layout import dbt_project_dir as packaged_dbt_project
from hospital_analytics.layout import tableau_source_dir

if TYPE_CHECKING:
    from hospital_analytics.config import Settings

MARKER = ".hospital-init"  # written by `hospital init` into the dbt_project/ and tableau/ folders it makes
DBT_FOLDER, TABLEAU_FOLDER, SPEC_FILE = "dbt_project", "tableau", "dashboard.json"

_ACTIVE: contextvars.ContextVar[Path | None] = contextvars.ContextVar("hospital_dbt_project", default=None)


@dataclasses.dataclass(frozen=True)
class Source:
    """A project file or folder and where the choice came from: "setting", "init" or "package"."""

    path: Path
    origin: str

    @property
    def label(self) -> str:
        """How a step names it: the path, and why this one."""
        why = {
            "setting": "from the setting",
            "init": "made by hospital init, found in the working folder",
            "package": "packaged; run `hospital init` for one you can edit",
        }[self.origin]
        return f"{self.path} ({why})"


def _from_environment(variable: str) -> Path | None:
    value = os.environ.get(variable, "").strip()
    return Path(value) if value else None


def _discovered(folder: str) -> Path | None:
    found = Path.cwd() / folder
    return found if (found / MARKER).is_file() else None


def dbt_project(settings: Settings | None) -> Source:
    """The dbt project a step builds or reads.

    Raises:
        ConfigError: ``HOSPITAL_DBT_PROJECT_DIR`` names a folder without ``dbt_project.yml``.
    """
    given = settings.dbt_project_dir if settings is not None else _from_environment("HOSPITAL_DBT_PROJECT_DIR")
    if given is not None:
        if not (given / "dbt_project.yml").is_file():
            raise ConfigError(
                f"The dbt project {given} (HOSPITAL_DBT_PROJECT_DIR) has no dbt_project.yml.",
                "Point it at the folder `hospital init` wrote (its dbt_project/), or unset it.",
            )
        return Source(given.resolve(), "setting")
    found = _discovered(DBT_FOLDER)
    if found is not None and (found / "dbt_project.yml").is_file():
        return Source(found, "init")
    return Source(packaged_dbt_project(), "package")


def dashboard_spec(settings: Settings | None) -> Source:
    """The Tableau dashboard spec export writes the workbook from.

    Raises:
        ConfigError: ``HOSPITAL_DASHBOARD_SPEC`` names a file that does not exist.
    """
    given = settings.dashboard_spec if settings is not None else _from_environment("HOSPITAL_DASHBOARD_SPEC")
    if given is not None:
        if not given.is_file():
            raise ConfigError(
                f"The dashboard spec {given} (HOSPITAL_DASHBOARD_SPEC) does not exist.",
                "Point it at the tableau/dashboard.json `hospital init` wrote, or unset it.",
            )
        return Source(given.resolve(), "setting")
    found = _discovered(TABLEAU_FOLDER)
    if found is not None and (found / SPEC_FILE).is_file():
        return Source(found / SPEC_FILE, "init")
    return Source(tableau_source_dir() / SPEC_FILE, "package")


@contextlib.contextmanager
def active(settings: Settings | None) -> Iterator[Source]:
    """While the block runs, ``current_dbt_project()`` is the settings' dbt project."""
    source = dbt_project(settings)
    token = _ACTIVE.set(source.path)
    try:
        yield source
    finally:
        _ACTIVE.reset(token)


def current_dbt_project() -> Path:
    """The dbt project of the step running now (``active``), else the one the environment picks."""
    path = _ACTIVE.get()
    return path if path is not None else dbt_project(None).path


_Step = TypeVar("_Step", bound=Callable[..., Any])


def uses_project(step: _Step) -> _Step:
    """Run a step ``step(settings=None, ..., **overrides)`` with its settings' dbt project ``active``."""

    @functools.wraps(step)
    def run(settings: Settings | None = None, *args: Any, **kwargs: Any) -> Any:
        from hospital_analytics.config import resolve_settings

        given = {"dbt_project_dir": kwargs["dbt_project_dir"]} if "dbt_project_dir" in kwargs else {}
        with active(resolve_settings(settings, **given)):
            return step(settings, *args, **kwargs)

    return cast(_Step, run)
