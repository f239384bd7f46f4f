"""``advance``'s property: generate S..D then advance to E writes the same data files, byte for byte, as
generate S..E (snapshot tables in both formats and every feed partition); 1 day x N equals N days once; the
partitions of days up to D are left as they were; an interrupted advance leaves the previous run whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hospital_analytics as ha
import hospital_analytics.simulation.generation as generation
from hospital_analytics.layout import OutputLayout

RUN = {"hospitalizations": 8_000, "hospitals": 2, "seed": 21, "start": "2024-01-01", "raw_format": "both"}


def data_files(root: Path) -> dict[str, bytes]:
    """Every data file but the manifest and the state, by path under data/."""
    data = OutputLayout(root).data_dir
    return {
        p.relative_to(data).as_posix(): p.read_bytes()
        for p in sorted(data.rglob("*"))
        if p.is_file() and p.name != "manifest.json" and "state" not in p.relative_to(data).parts
    }


def manifest(root: Path) -> dict:
    found = json.loads((root / "data/manifest.json").read_text())
    found.pop("generated_at")
    return found


def same(a: Path, b: Path) -> None:
    fa, fb = data_files(a), data_files(b)
    assert fa.keys() == fb.keys(), sorted(set(fa) ^ set(fb))[:5]
    assert [k for k in fa if fa[k] != fb[k]] == []
    assert manifest(a) == manifest(b)


def test_generate_then_advance_equals_one_generate(tmp_path):
    ha.generate(output_dir=tmp_path / "a", end="2024-02-20", **RUN)
    before = {k: v for k, v in data_files(tmp_path / "a").items() if k.startswith("feed/")}
    result = ha.advance(output_dir=tmp_path / "a", until="2024-03-15")
    ha.generate(output_dir=tmp_path / "b", end="2024-03-15", **RUN)
    same(tmp_path / "a", tmp_path / "b")
    after = data_files(tmp_path / "a")
    assert all(after[k] == v for k, v in before.items())  # the partitions up to D are as they were
    feed = [k for k in after if k.startswith("feed/")]
    assert len(feed) - len(before) == 2 * 2 * 24  # two tables, two formats, 24 new days
    assert result.step == "advance" and str(result.end) == "2024-03-15"
    assert manifest(tmp_path / "a")["start"] == "2024-01-01" and manifest(tmp_path / "a")["end"] == "2024-03-15"


def test_one_day_at_a_time_equals_all_days_at_once(tmp_path):
    for name in "ab":
        ha.generate(output_dir=tmp_path / name, end="2024-02-10", **RUN)
    for _ in range(5):
        ha.advance(output_dir=tmp_path / "a", days=1)
    ha.advance(output_dir=tmp_path / "b", days=5)
    same(tmp_path / "a", tmp_path / "b")


def test_an_interrupted_advance_leaves_the_previous_run_and_can_be_run_again(tmp_path, monkeypatch):
    ha.generate(output_dir=tmp_path / "a", end="2024-02-10", **RUN)
    ha.generate(output_dir=tmp_path / "b", end="2024-02-20", **RUN)
    before = data_files(tmp_path / "a")
    state = (tmp_path / "a/data/state/state.json").read_bytes()
    real = generation.write_partitions

    def interrupted(root, events, first, last, formats):
        real(root, events, first, last, formats)
        raise KeyboardInterrupt

    monkeypatch.setattr(generation, "write_partitions", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ha.advance(output_dir=tmp_path / "a", days=10)
    assert data_files(tmp_path / "a") == before
    assert (tmp_path / "a/data/state/state.json").read_bytes() == state
    assert not [p for p in (tmp_path / "a/data").rglob("*") if p.name.startswith(".hospital-tmp-")]
    monkeypatch.setattr(generation, "write_partitions", real)
    ha.advance(output_dir=tmp_path / "a", days=10)
    same(tmp_path / "a", tmp_path / "b")


def test_a_generate_replaces_the_feed_of_an_advanced_run(tmp_path):
    ha.generate(output_dir=tmp_path / "a", end="2024-02-10", **RUN)
    ha.advance(output_dir=tmp_path / "a", days=20)
    ha.generate(output_dir=tmp_path / "a", end="2024-02-05", **{**RUN, "raw_format": "csv"})
    ha.generate(output_dir=tmp_path / "b", end="2024-02-05", **{**RUN, "raw_format": "csv"})
    same(tmp_path / "a", tmp_path / "b")


@pytest.mark.slow  # six generate-sized writes
def test_a_random_sequence_of_advances_equals_one_generate(tmp_path):
    import random

    steps = random.Random(14).choices(range(1, 8), k=4)  # 1-7 days each, as the property test draws
    ha.generate(output_dir=tmp_path / "a", end="2024-02-01", **RUN)
    for days in steps:
        ha.advance(output_dir=tmp_path / "a", days=days)
    end = manifest(tmp_path / "a")["end"]
    ha.generate(output_dir=tmp_path / "b", end=end, **RUN)
    same(tmp_path / "a", tmp_path / "b")
