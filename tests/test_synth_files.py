"""Determinism to the byte, atomic writes, formats, the manifest, streaming in blocks, and the result object."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest

import hospital_analytics as ha
import hospital_analytics.synth as synth
from hospital_analytics.fsutil import TMP_MARK
from hospital_analytics.layout import RAW_TABLES, OutputLayout
from hospital_analytics.synth import generate
from synth_checks import check_invariants, read_raw

SMALL = {"patients": 1500, "doctors": 40, "hospitalizations": 3000}


def _data_files(root) -> dict[str, bytes]:
    layout = OutputLayout(root)
    return {
        p.relative_to(layout.data_dir).as_posix(): p.read_bytes()
        for p in sorted(layout.data_dir.rglob("*.*"))
        if p.name != "manifest.json"
    }


def test_same_seed_same_bytes_in_both_formats(tmp_path):
    first = generate(output_dir=tmp_path / "a", seed=11, format="both", **SMALL)
    second = generate(output_dir=tmp_path / "b", seed=11, format="both", **SMALL)
    a, b = _data_files(tmp_path / "a"), _data_files(tmp_path / "b")
    assert len(a) == 8 and a.keys() == b.keys()
    assert all(a[name] == b[name] for name in a), [name for name in a if a[name] != b[name]]
    manifest_a, manifest_b = (json.loads(r.manifest.read_text()) for r in (first, second))
    manifest_a.pop("generated_at"), manifest_b.pop("generated_at")
    assert manifest_a == manifest_b  # file hashes included: only the timestamp differs


def test_different_seeds_differ(tmp_path):
    generate(output_dir=tmp_path / "a", seed=1, **SMALL)
    generate(output_dir=tmp_path / "b", seed=2, **SMALL)
    a, b = _data_files(tmp_path / "a"), _data_files(tmp_path / "b")
    assert all(a[name] != b[name] for name in a)


def test_locale_changes_names_not_the_stays(tmp_path):
    generate(output_dir=tmp_path / "us", seed=3, locale="en_US", **SMALL)
    generate(output_dir=tmp_path / "fr", seed=3, locale="fr_FR", **SMALL)
    us, fr = _data_files(tmp_path / "us"), _data_files(tmp_path / "fr")
    assert us["csv/hospitalizations.csv"] == fr["csv/hospitalizations.csv"]
    assert us["csv/patients.csv"] != fr["csv/patients.csv"]
    french = pd.read_csv(tmp_path / "fr/data/csv/patients.csv")
    american = pd.read_csv(tmp_path / "us/data/csv/patients.csv")
    assert not set(french["state"]) & set(american["state"])  # French regions, not US states
    assert (french["gender"] == american["gender"]).all()  # same people, other names


def test_a_failure_mid_write_leaves_no_file_under_the_final_name(tmp_path, monkeypatch):
    generate(output_dir=tmp_path, seed=5, **SMALL)  # a complete earlier run
    layout = OutputLayout(tmp_path)
    before = layout.csv("hospitalizations").read_bytes()
    calls = {"n": 0}
    original = synth.hospitalizations_table

    def fail_on_second_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # like Ctrl-C halfway through the file
        return original(*args, **kwargs)

    monkeypatch.setattr(synth, "WRITE_ROWS", 1000)
    monkeypatch.setattr(synth, "hospitalizations_table", fail_on_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        generate(output_dir=tmp_path, seed=6, **SMALL)
    assert calls["n"] == 2
    assert layout.csv("hospitalizations").read_bytes() == before  # the old complete file, untouched
    assert not list(layout.data_dir.rglob(f"{TMP_MARK}*"))  # the half-written private folder is gone
    assert layout.read_manifest()["seed"] == 5  # the manifest still describes the complete set in place


def test_manifest_describes_the_run(tmp_path):
    result = generate(output_dir=tmp_path, seed=9, format="both", **SMALL)
    manifest = json.loads(result.manifest.read_text())
    assert manifest["seed"] == 9 and manifest["locale"] == "en_US" and manifest["format"] == "both"
    assert (manifest["start"], manifest["end"]) == ("2024-01-01", "2025-12-31")
    assert manifest["counts"] == {"patients": 1500, "doctors": 40, "hospitalizations": 3000}
    assert manifest["package_version"] == ha.__version__ and manifest["generated_at"].endswith("Z")
    assert set(manifest["files"]) == {f"{fmt}/{t}.{fmt}" for fmt in ("csv", "parquet") for t in RAW_TABLES}
    assert manifest["files"]["csv/hospitalizations.csv"]["rows"] == 3000


def test_parquet_matches_csv_and_a_csv_run_removes_stale_parquet(tmp_path):
    generate(output_dir=tmp_path, seed=4, format="both", **SMALL)
    layout = OutputLayout(tmp_path)
    csv = read_raw(tmp_path)
    for table in RAW_TABLES:
        parquet = pd.read_parquet(layout.parquet(table))
        if "total_charges" in parquet:
            parquet["total_charges"] = parquet["total_charges"].astype(float)
        for column in parquet.columns:
            if str(parquet[column].dtype).startswith(("datetime", "object")) and column.endswith("date"):
                parquet[column] = pd.to_datetime(parquet[column])
        pd.testing.assert_frame_equal(parquet, csv[table], check_dtype=False)
    assert pa.types.is_decimal(pa.parquet.read_schema(layout.parquet("hospitalizations")).field("total_charges").type)
    generate(output_dir=tmp_path, seed=4, format="csv", **SMALL)
    assert not layout.parquet("hospitalizations").exists()


def test_parquet_only(tmp_path):
    result = generate(output_dir=tmp_path, format="parquet", **SMALL)
    assert set(result.files) == {f"parquet/{t}" for t in RAW_TABLES}
    assert not OutputLayout(tmp_path).csv_dir.exists()
    assert len(result.frame("hospitalizations")) == 3000


def test_streamed_in_blocks_and_chunks_still_consistent(tmp_path, monkeypatch):
    """Many small blocks and write chunks: ids, months and distinct patients still add up across them."""
    monkeypatch.setattr(synth, "BLOCK_UNITS", 700)
    monkeypatch.setattr(synth, "WRITE_ROWS", 500)
    monkeypatch.setattr(synth, "FRAMES_LIMIT", 0)  # like a huge run: nothing kept in memory
    blocks = []
    original = synth.simulate_block

    def counting(*args, **kwargs):
        blocks.append(args[3:5])
        return original(*args, **kwargs)

    monkeypatch.setattr(synth, "simulate_block", counting)
    result = generate(output_dir=tmp_path, seed=12, **SMALL)
    assert len(blocks) >= 5 and blocks[0][0] == 0 and blocks[-1][1] == 1500
    assert not result.tables_kept and result.tables == {}
    check_invariants(tmp_path, 1500, 40, 3000, result.start, result.end)
    assert result.frame("patients")["patient_id"].tolist() == list(range(1, 1501))  # read back from the file


def test_result_prints_and_serialises_without_frames(tmp_path):
    result = generate(output_dir=tmp_path, **SMALL)
    text = str(result)
    assert "data/csv/hospitalizations.csv" in text and "3,000 rows" in text and "fidelity" in text
    data = json.loads(result.to_json())
    assert "tables" not in data and data["rows"]["hospitalizations"] == 3000
    assert {"quantity", "target", "generated", "passed", "source"} <= set(data["fidelity"][0])
    assert set(result.tables) == set(RAW_TABLES)
    hospitalizations = result.tables["hospitalizations"]
    assert str(hospitalizations["admission_date"].dtype).startswith("datetime64")
    assert hospitalizations["total_charges"].dtype == float
    frame = result.fidelity_frame()
    assert len(frame) == len(result.fidelity) and frame["passed"].all()


def test_public_api_is_lazy_and_named_generate():
    assert ha.generate is synth.generate
