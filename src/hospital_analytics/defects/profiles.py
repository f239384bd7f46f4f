"""Defect profiles (docs/design/defects.md): a rate per defect class, built in or read from a .toml/.yaml file.

A rate is the share of a table's eligible rows that get that class; a row gets at most one defect, so the
rates of one table's classes add up to at most 1. The built-in rates and their sources are in
docs/calibration.md, section "Defects".
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

from hospital_analytics.errors import ConfigError

# Each class and the tables it is injected into, in the order a table's classes share out its rows.
CLASS_TABLES: dict[str, tuple[str, ...]] = {
    "duplicate_row": ("patients", "hospitalizations"),
    "duplicate_patient": ("patients",),
    "orphan_key": ("hospitalizations",),
    "discharge_before_admission": ("hospitalizations",),
    "impossible_value": ("patients", "hospitalizations"),
    "invalid_code": ("hospitalizations",),
    "missing_value": ("patients", "hospitalizations"),
    "inconsistent_format": ("patients", "hospitalizations"),
    "unit_slip": ("hospitalizations",),
    "late_duplicate": ("encounter_events", "patient_events"),
    "timezone_shift": ("encounter_events",),
}
CLASSES: tuple[str, ...] = tuple(CLASS_TABLES)
TABLES: tuple[str, ...] = ("patients", "hospitalizations", "encounter_events", "patient_events")
TABLE_CLASSES: dict[str, tuple[str, ...]] = {
    table: tuple(c for c, tables in CLASS_TABLES.items() if table in tables) for table in TABLES
}
MAX_RATE = 0.5

_ZERO = dict.fromkeys(CLASSES, 0.0)
BUILT_IN: dict[str, dict[str, float]] = {
    "none": dict(_ZERO),
    "light": {
        **_ZERO,
        "duplicate_row": 0.001,
        "duplicate_patient": 0.01,
        "orphan_key": 0.001,
        "discharge_before_admission": 0.0005,
        "impossible_value": 0.001,
        "invalid_code": 0.002,
        "missing_value": 0.003,
        "inconsistent_format": 0.01,
        "unit_slip": 0.0005,
        "late_duplicate": 0.002,
        "timezone_shift": 0.001,
    },
    "realistic": {
        **_ZERO,
        "duplicate_row": 0.003,
        "duplicate_patient": 0.05,
        "orphan_key": 0.003,
        "discharge_before_admission": 0.002,
        "impossible_value": 0.003,
        "invalid_code": 0.01,
        "missing_value": 0.02,
        "inconsistent_format": 0.05,
        "unit_slip": 0.002,
        "late_duplicate": 0.01,
        "timezone_shift": 0.005,
    },
    "chaos": {
        **_ZERO,
        "duplicate_row": 0.05,
        "duplicate_patient": 0.18,
        "orphan_key": 0.05,
        "discharge_before_admission": 0.03,
        "impossible_value": 0.05,
        "invalid_code": 0.08,
        "missing_value": 0.08,
        "inconsistent_format": 0.2,
        "unit_slip": 0.03,
        "late_duplicate": 0.1,
        "timezone_shift": 0.05,
    },
}
NAMES = "none, light, realistic, chaos"
HINT = (
    f"Use {NAMES}, or a .toml/.yaml file of `<class> = <rate>` lines, rates 0..{MAX_RATE} "
    "(docs/design/defects.md; the built-in rates: docs/calibration.md, Defects)."
)
WHERE = "--defects / HOSPITAL_DEFECTS"


@dataclasses.dataclass(frozen=True)
class Profile:
    """A resolved profile: its name (a built-in name or the file as given) and a rate for every class."""

    name: str
    rates: dict[str, float]

    @property
    def active(self) -> bool:
        return any(rate > 0 for rate in self.rates.values())

    def shape(self) -> dict[str, Any]:
        """What the simulation's saved shape keeps (``shape["defects"]``)."""
        return {"profile": self.name, "rates": dict(self.rates)}

    @classmethod
    def from_shape(cls, shape: dict[str, Any]) -> Profile:
        """The profile a saved shape holds (none for a state written before defects existed)."""
        saved = shape.get("defects")
        if not saved:
            return cls("none", dict(_ZERO))
        return cls(str(saved["profile"]), {c: float(saved["rates"].get(c, 0.0)) for c in CLASSES})


def _fail(value: str, reason: str) -> ConfigError:
    return ConfigError(f"Invalid {WHERE} (got {value!r}): {reason}.", HINT)


def _toml(value: str, text: str) -> Any:
    if sys.version_info >= (3, 11):  # tomllib is 3.11's; the package supports 3.10 too
        import tomllib

        return tomllib.loads(text)
    raise _fail(value, "reading TOML needs Python 3.11 or later (write the profile as .yaml)")


def _read(value: str, path: Path) -> dict[str, Any]:
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise _fail(value, f"not a profile name ({NAMES}) nor a .toml/.yaml file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(value, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(value, f"the file cannot be read ({exc.__class__.__name__})") from None
    try:
        if suffix == ".toml":
            data: Any = _toml(value, text)
        else:
            import yaml

            data = yaml.safe_load(text) or {}
    except ConfigError:
        raise
    except Exception as exc:  # tomllib.TOMLDecodeError, yaml.YAMLError: the first line says where
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise _fail(value, f"not valid {suffix.lstrip('.').upper()} ({first})") from None
    if not isinstance(data, dict):
        raise _fail(value, "the file must hold `<class>: <rate>` pairs")
    return data


def check(rates: dict[str, Any], value: str) -> dict[str, float]:
    """Every class's rate from ``rates`` (classes not named: 0), checked.

    Raises:
        ConfigError: an unknown class, a rate that is not a number in 0..MAX_RATE, or one table's rates
            adding up to more than 1.
    """
    out = dict(_ZERO)
    for name, rate in rates.items():
        if name not in CLASS_TABLES:
            raise _fail(value, f"unknown defect class {name!r} (the classes: {', '.join(CLASSES)})")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)):
            raise _fail(value, f"the rate of {name} must be a number, not {rate!r}")
        if not 0 <= float(rate) <= MAX_RATE:
            raise _fail(value, f"the rate of {name} is {rate}, outside 0..{MAX_RATE}")
        out[name] = float(rate)
    for table, classes in TABLE_CLASSES.items():
        total = sum(out[c] for c in classes)
        if total > 1 + 1e-12:
            raise _fail(value, f"the rates of {table}'s classes add up to {total:g}; a row gets one defect at most")
    return out


def resolve(value: str | None) -> Profile:
    """The profile ``value`` names: a built-in name (any case) or a path to a .toml/.yaml file.

    Raises:
        ConfigError: an unknown name, an unreadable or invalid file, or a rate out of range (exit code 2).
    """
    text = "none" if value is None else str(value).strip()
    if text.lower() in BUILT_IN:
        return Profile(text.lower(), dict(BUILT_IN[text.lower()]))
    if not text:
        raise _fail(str(value), "empty")
    return Profile(text, check(_read(text, Path(text).expanduser()), text))
