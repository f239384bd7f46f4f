"""docs/calibration.md and the reference package cannot drift apart; the package imports light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hospital_analytics.simulation.reference import diagnoses, hospitals, seasons, sources, staffing, targets, timing

DOC = (Path(__file__).resolve().parents[1] / "docs" / "calibration.md").read_text(encoding="utf-8")


def test_every_target_appears_in_the_doc_as_its_row():
    missing = [t.name for t in targets.TARGETS if targets.markdown_row(t) not in DOC]
    assert not missing, f"regenerate these rows of docs/calibration.md: {missing}"


def test_targets_are_unique_well_formed_and_cite_known_sources():
    names = [t.name for t in targets.TARGETS]
    assert len(names) == len(set(names))
    for t in targets.TARGETS:
        assert t.source in sources.SOURCES, t.name
        assert t.low <= t.high
        if t.value is not None:
            assert t.low <= t.value <= t.high, t.name


def test_every_source_used_by_the_data_is_listed_in_the_doc():
    used = {t.source for t in targets.TARGETS}
    used |= {d.source for d in diagnoses.catalogue()}
    used |= {p.source for p in timing.WEEKDAY_PROFILES.values()} | {p.source for p in timing.HOUR_PROFILES.values()}
    used |= {c.source for c in seasons.CURVES.values()}
    used |= {u.source for u in hospitals.UNIT_KINDS} | {r.source for r in staffing.ROLES}
    assert used <= set(sources.SOURCES)
    for key in sources.SOURCES:
        assert f"| `{key}` |" in DOC, key
    assert all(s.title in DOC for s in sources.SOURCES.values())


def test_assumptions_are_marked():
    assert sources.SOURCES["assumption"].assumption and sources.SOURCES["hcup_ccsr_approx"].assumption
    assert DOC.count("**assumption**") >= 20


def test_importing_the_reference_package_loads_no_heavy_data():
    code = (
        "import sys, importlib\n"
        "for m in ('types','ages','sources','timing','seasons','diagnoses','hospitals','places','payers',"
        "'outcomes','revisits','births','staffing','targets'):\n"
        "    importlib.import_module('hospital_analytics.simulation.reference.' + m)\n"
        "print('pandas' in sys.modules, 'zipcodes' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]  # the ZIP table and pandas load only when used
