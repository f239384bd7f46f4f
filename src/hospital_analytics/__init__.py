"""hospital-analytics: simulate a hospital's operations and run the analytics workflow on them.

    import hospital_analytics as ha
    generated = ha.generate(patients=1_000, hospitalizations=5_000)
    loaded = ha.load()              # DuckDB by default
    built = ha.transform()          # dbt build
    report = ha.analyze()           # DataFrames + matplotlib Figures + report.html
    files = ha.export()             # CSV.gz, Parquet, Tableau extracts and workbook
    ha.init("my_project")           # your own dbt project and dashboard spec, to edit

Every step takes an optional ``Settings`` plus keyword overrides and returns a result object that prints
a short summary. Heavy modules (dbt, matplotlib) are imported on first use.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

from hospital_analytics.config import Settings, load_settings
from hospital_analytics.errors import HospitalError
from hospital_analytics.steps import STEPS

# The steps' functions (steps.STEPS says where each lives) and run_all, imported on first use so that
# `import hospital_analytics` stays fast. (Module names differ from the functions, so importing a submodule
# never shadows the function on the package.)
_LAZY = [*STEPS, "run_all", "init"]

__all__ = ["HospitalError", "Settings", "__version__", "load_settings", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in STEPS:
        return STEPS[name].function()
    if name == "run_all":
        from hospital_analytics.pipeline import run_all

        return run_all
    if name == "init":
        from hospital_analytics.starter import init

        return init
    raise AttributeError(f"module 'hospital_analytics' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
