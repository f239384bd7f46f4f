"""``generate --jobs``: hospitals simulated in several processes give the same bytes as one process, and the
merged engine goes on exactly like a one-process engine (the state ``advance`` continues from)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from hospital_analytics.cli import app
from hospital_analytics.layout import OutputLayout
from hospital_analytics.simulation import engine as engine_mod
from hospital_analytics.simulation import generate
from hospital_analytics.simulation import tables as t
from hospital_analytics.simulation.calendar import day_number
from hospital_analytics.simulation.generation import system_for

ROOT = Path(__file__).resolve().parent.parent


def _data_files(root: Path) -> dict[str, bytes]:
    data = OutputLayout(root).data_dir
    return {
        p.relative_to(data).as_posix(): p.read_bytes()
        for p in sorted(data.rglob("*.*"))
        if p.name != "manifest.json" and p.parent.name != "state"
    }


def _manifest(root: Path) -> dict:
    manifest = json.loads(OutputLayout(root).manifest.read_text())
    manifest.pop("generated_at")
    return manifest


def test_jobs_give_the_same_bytes(tmp_path):
    settings = {"hospitalizations": 6000, "hospitals": 3, "seed": 9, "format": "both"}
    generate(output_dir=tmp_path / "one", jobs=1, **settings)
    generate(output_dir=tmp_path / "three", jobs=3, **settings)
    one, three = _data_files(tmp_path / "one"), _data_files(tmp_path / "three")
    assert len([n for n in one if not n.startswith("feed/")]) == 21 and one.keys() == three.keys()  # + defects.csv
    assert any(n.startswith("feed/encounter_events/") for n in one)  # the daily feed's partitions compared too
    assert [name for name in one if one[name] != three[name]] == []
    assert _manifest(tmp_path / "one") == _manifest(tmp_path / "three")  # fidelity figures too


def test_jobs_flag_through_the_cli(tmp_path):
    runner = CliRunner()
    for jobs in ("1", "2"):
        out = tmp_path / jobs
        result = runner.invoke(app, ["generate", "--hospitalizations", "3000", "--hospitals", "2", "--jobs", jobs,
                                     "--out", str(out)])  # fmt: skip
        assert result.exit_code == 0, result.output
    assert _data_files(tmp_path / "1") == _data_files(tmp_path / "2")
    bad = runner.invoke(app, ["generate", "--jobs", "0", "--out", str(tmp_path / "bad")])
    assert bad.exit_code == 2 and "--jobs" in bad.output and "HOSPITAL_JOBS" in bad.output


def test_merged_engine_goes_on_like_one_process():
    """Simulate to day D in 3 processes, then go on in this one to E: the rows a one-process run to E has."""
    system = system_for({"seed": 4, "stays_per_24_months": 8000.0, "hospitals": 4, "doctors": None})
    first, middle, last = (day_number(dt.date(2024, 1, 1)) + k for k in (0, 40, 90))
    merged = engine_mod.simulate(4, system, first, middle, jobs=3)
    assert merged.system is system and len(merged.patients) and len(merged.schedule)
    merged.run(last)
    serial = engine_mod.simulate(4, system, first, last, jobs=1)

    def rows(engine) -> pa.Table:
        return t.hospitalizations_table(engine, t.select(engine, last))

    assert rows(merged).equals(rows(serial))
    assert np.array_equal(merged.census_sum, serial.census_sum)
    assert sorted(merged.events["day"].tolist()) == sorted(serial.events["day"].tolist())


def test_partition_covers_every_hospital_once():
    rate = np.array([5.0, 1.0, 3.0, 3.0, 0.5, 8.0])
    groups = engine_mod._partition(rate, 3)
    assert sorted(np.concatenate(groups).tolist()) == list(range(6))
    loads = sorted(float(rate[g].sum()) for g in groups)
    assert loads[-1] - loads[0] <= rate.max()
    assert len(engine_mod._partition(rate, 10)) == 6  # never an empty group


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_a_failed_worker_is_one_error(monkeypatch):
    import os

    from hospital_analytics.errors import GenerateError

    def dies(group: int, path: str) -> None:  # pragma: no cover - runs in the forked worker
        os._exit(3)

    monkeypatch.setattr(engine_mod, "_worker", dies)
    system = system_for({"seed": 4, "stays_per_24_months": 2000.0, "hospitals": 2, "doctors": None})
    first = day_number(dt.date(2024, 1, 1))
    with pytest.raises(GenerateError, match="exit code 3") as caught:
        engine_mod.simulate(4, system, first, first + 5, jobs=2)
    assert "--jobs 1" in caught.value.hint
    assert engine_mod._PART == {}  # nothing left for the next run
