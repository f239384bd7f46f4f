"""One exception tree for the whole package.

Every error carries a one-line ``message`` and a ``hint`` saying what to do next. The CLI catches
``HospitalError`` in one place, prints both, and exits with ``exit_code``: 2 for usage and configuration
errors, 1 for runtime failures. Messages never contain secrets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hospital_analytics.transformation.results import TransformResult


class HospitalError(Exception):
    """Root of every error the package raises on purpose."""

    exit_code = 1
    default_hint = "Run again with --debug for details."

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint or self.default_hint
        if hasattr(self, "add_note"):  # Python 3.11+: shown under the traceback
            self.add_note(f"Hint: {self.library_hint}")

    @property
    def library_hint(self) -> str:
        from hospital_analytics.wording import library

        return library(self.hint)

    def __str__(self) -> str:
        from hospital_analytics.wording import library

        return library(self.message)


class ConfigError(HospitalError):
    """A setting, flag or environment value is missing or invalid (exit 2)."""

    exit_code = 2
    default_hint = "Run `hospital --help` or see .env.example for every setting."


class InputError(ConfigError):
    """An input file or folder is not usable (exit 2)."""

    default_hint = "Check the path and its permissions."


class StepOrderError(HospitalError):
    """A step ran before the step it builds on (exit 1)."""

    default_hint = "Run the earlier steps first, or `hospital run-all`."


class FolderBusyError(HospitalError):
    """Another process is writing to the same output folder (exit 1)."""

    default_hint = "Wait for the other run to finish, or use another --out."


class GenerateError(HospitalError):
    """Synthesising or writing the raw data failed."""


class WarehouseError(HospitalError):
    """Connecting to, loading into or querying a warehouse failed."""

    default_hint = "Check the warehouse settings (see .env.example) and run again with --debug."


class LoadError(WarehouseError):
    """A load failed; the previous tables are left as they were."""


class TransformError(HospitalError):
    """dbt could not build the project or some of its tests failed.

    ``result`` is what dbt did get to (every node's outcome) when it ran at all, else None.
    """

    def __init__(self, message: str, hint: str | None = None, *, result: TransformResult | None = None):
        super().__init__(message, hint)
        self.result = result


class KpiDefinitionError(HospitalError):
    """The KPI definition (models/semantic/kpis.yml) is missing or uses something this package cannot show."""

    default_hint = "Restore dbt_project/models/semantic/kpis.yml from the repository, then run `dbt parse`."


class AnalyzeError(HospitalError):
    """Charts or the report could not be made."""


class ExportError(HospitalError):
    """Writing an export file failed."""
