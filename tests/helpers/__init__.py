"""Test helpers, one module per concern (the tests import them as ``helpers.<module>``):

- ``clean_env`` (here): no ``HOSPITAL_*``/``SNOWFLAKE_*`` variables and an empty working folder, for the autouse
  ``isolated_env`` fixture and for fixtures wider than one test;
- ``Recorder`` (here): a ``Collector`` that remembers what it was told;
- ``raw``: raw files in an output folder (the real generator, or hand-made with awkward quoting) and ways to
  corrupt them;
- ``transform``: small raw data sets with the edge cases the dbt logic must get right, and the marts computed
  from them with pandas;
- ``marts``: the real dbt project built once per session on tiny data (the marts analyze and export read);
- ``export``: reading exported files back and comparing them with the warehouse;
- ``dashboard``: generated marts analyzed once per session, a dashboard page's data, headless Chromium, and a
  filter's KPIs computed from the stays;
- ``proof``: the proof tests' shared run-all, the CLI's one-error contract, a killable fakesnow server;
- ``network``: loopback-only sockets for the whole suite (``conftest.py`` installs the guard), a server that
  accepts and never answers, a relay that can go silent mid-step;
- ``tableau``: a workbook read back and checked against its data files, and Tableau's validator
  (vendored in ``tableau_schema/``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from hospital_analytics.progress import Collector


@contextlib.contextmanager
def clean_env(folder: Path) -> Iterator[pytest.MonkeyPatch]:
    """No HOSPITAL_/SNOWFLAKE_ variables and ``folder`` as the working folder (so no stray ``.env``); the
    Snowflake connector's cloud platform detection (requests to cloud metadata addresses) off."""
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("HOSPITAL_", "SNOWFLAKE_")):
                mp.delenv(name, raising=False)
        mp.setenv("SNOWFLAKE_DISABLE_PLATFORM_DETECTION", "true")
        mp.chdir(folder)
        yield mp


class Recorder(Collector):
    """A ``Collector`` remembering every call: ("start", step), ("update", name, inc, total), ("stop", step, result)."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def start(self, step):
        self.events.append(("start", step))

    def update(self, name, inc=1, total=None):
        self.events.append(("update", name, inc, total))

    def stop(self, step, result=None):
        self.events.append(("stop", step, result))

    def totals(self) -> dict[str, float | None]:
        """Each counter's last announced total."""
        found: dict[str, float | None] = {}
        for event in self.events:
            if event[0] == "update" and (event[1] not in found or event[3] is not None):
                found[event[1]] = event[3] if event[3] is not None else found.get(event[1])
        return found

    def advanced(self, name: str) -> float:
        """How far counter ``name`` went."""
        return sum(event[2] for event in self.events if event[0] == "update" and event[1] == name)
