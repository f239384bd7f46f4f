"""Files of ``generate``: determinism to the byte, formats, atomic writes, the manifest, the result object."""

from __future__ import annotations

import contextlib
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hospital_analytics as ha
import hospital_analytics.simulation.generation as generation
from hospital_analytics.fsutil import TMP_MARK
from hospital_analytics.layout import OutputLayout
from hospital_analytics.schema import FEED_COLUMNS, RAW_COLUMNS
from hospital_analytics.simulation import generate

SMALL = {"hospitalizations": 3000}
TABLES = tuple(RAW_COLUMNS)


def _data_files(root) -> dict[str, bytes]:
    layout = OutputLayout(root)
    return {
        p.relative_to(layout.data_dir).as_posix(): p.read_bytes()
        for p in sorted(layout.data_dir.rglob("*.*"))
        if p.name != "manifest.json" and p.parent.name != "state"
    }


def test_same_seed_same_bytes_in_both_formats(tmp_path):
    first = generate(output_dir=tmp_path / "a", seed=11, format="both", **SMALL)
    second = generate(output_dir=tmp_path / "b", seed=11, format="both", **SMALL)
    a, b = _data_files(tmp_path / "a"), _data_files(tmp_path / "b")
    days = (first.end - first.start).days + 1  # the feed: a partition per day, table and format
    assert len(a) == 2 * len(TABLES) + 2 * len(FEED_COLUMNS) * days + 1 and a.keys() == b.keys()  # + defects.csv
    assert a["defects.csv"] == b"table_name,record_key,defect\n"  # the ledger of a clean run: its header
    assert all(a[name] == b[name] for name in a), [name for name in a if a[name] != b[name]]
    manifest_a, manifest_b = (json.loads(r.manifest.read_text()) for r in (first, second))
    manifest_a.pop("generated_at"), manifest_b.pop("generated_at")
    assert manifest_a == manifest_b


def test_different_seeds_differ(tmp_path):
    generate(output_dir=tmp_path / "a", seed=1, **SMALL)
    generate(output_dir=tmp_path / "b", seed=2, **SMALL)
    a, b = _data_files(tmp_path / "a"), _data_files(tmp_path / "b")
    assert a["csv/hospitalizations.csv"] != b["csv/hospitalizations.csv"]
    assert a["csv/patients.csv"] != b["csv/patients.csv"]


def test_locale_changes_names_not_the_stays(tmp_path):
    generate(output_dir=tmp_path / "us", seed=3, locale="en_US", **SMALL)
    generate(output_dir=tmp_path / "fr", seed=3, locale="fr_FR", **SMALL)
    us, fr = _data_files(tmp_path / "us"), _data_files(tmp_path / "fr")
    assert us["csv/hospitalizations.csv"] == fr["csv/hospitalizations.csv"]
    assert us["csv/patients.csv"] != fr["csv/patients.csv"]
    french = pd.read_csv(tmp_path / "fr/data/csv/patients.csv")
    american = pd.read_csv(tmp_path / "us/data/csv/patients.csv")
    assert (french["zip_code"] == american["zip_code"]).all()  # places stay real US places
    assert (french["first_name"] != american["first_name"]).mean() > 0.9


def test_a_failure_mid_write_leaves_no_file_under_the_final_name(tmp_path, monkeypatch):
    generate(output_dir=tmp_path, seed=5, **SMALL)  # a complete earlier run
    layout = OutputLayout(tmp_path)
    before = layout.csv("hospitalizations").read_bytes()
    original = generation.open_table
    calls = {"n": 0}

    @contextlib.contextmanager
    def failing(schema, plain, paths):
        with original(schema, plain, paths) as write:

            def write_then_fail(chunk):
                if "hospitalization_id" in chunk.schema.names and "patient_id" in chunk.schema.names:
                    calls["n"] += 1
                    if calls["n"] == 2:
                        raise KeyboardInterrupt  # like Ctrl-C halfway through the file
                write(chunk)

            yield write_then_fail

    monkeypatch.setattr(generation, "WRITE_ROWS", 1000)
    monkeypatch.setattr(generation, "open_table", failing)
    with pytest.raises(KeyboardInterrupt):
        generate(output_dir=tmp_path, seed=6, **SMALL)
    assert layout.csv("hospitalizations").read_bytes() == before  # the old complete file, untouched
    assert not list(layout.data_dir.rglob(f"{TMP_MARK}*"))  # the half-written private folder is gone
    assert layout.read_manifest()["seed"] == 5  # the manifest still describes the complete set in place


def test_manifest_describes_the_run(tmp_path):
    result = generate(output_dir=tmp_path, seed=9, format="both", **SMALL)
    manifest = json.loads(result.manifest.read_text())
    assert manifest["seed"] == 9 and manifest["locale"] == "en_US" and manifest["format"] == "both"
    assert (manifest["start"], manifest["end"]) == ("2024-01-01", "2025-12-31")
    assert manifest["counts"]["hospitalizations"] == 3000 and manifest["hospitals"] == 1
    assert manifest["package_version"] == ha.__version__ and manifest["generated_at"].endswith("Z")
    assert set(manifest["files"]) == {f"{fmt}/{t}.{fmt}" for fmt in ("csv", "parquet") for t in TABLES}
    assert manifest["files"]["csv/hospitalizations.csv"]["rows"] == result.rows["hospitalizations"]
    assert manifest["fidelity"]["judged"] == len([r for r in manifest["fidelity"]["rows"] if r["passed"] is not None])


def test_parquet_matches_csv_and_a_csv_run_removes_stale_parquet(tmp_path):
    result = generate(output_dir=tmp_path, seed=4, format="both", **SMALL)
    layout = OutputLayout(tmp_path)
    for table in TABLES:
        parquet = pq.read_table(layout.parquet(table))
        assert parquet.num_rows == result.rows[table]
        assert parquet.schema.names == [c.name for c in RAW_COLUMNS[table]]
        frame = result.frame(table)  # kept in memory
        assert len(frame) == parquet.num_rows
    schema = pq.read_schema(layout.parquet("hospitalizations"))
    assert pa.types.is_decimal(schema.field("total_charges").type)
    assert pa.types.is_timestamp(schema.field("admitted_at").type)
    csv = pd.read_csv(layout.csv("hospitalizations"))
    parquet = pd.read_parquet(layout.parquet("hospitalizations"))
    assert (csv["diagnosis_code"] == parquet["diagnosis_code"]).all()
    assert csv["discharge_date"].isna().sum() == parquet["discharge_date"].isna().sum() > 0
    generate(output_dir=tmp_path, seed=4, format="csv", **SMALL)
    assert not layout.parquet("hospitalizations").exists()


def test_parquet_only_and_frames_from_files(tmp_path, monkeypatch):
    monkeypatch.setattr(generation, "FRAMES_LIMIT", 0)  # like a huge run: nothing kept in memory
    result = generate(output_dir=tmp_path, format="parquet", **SMALL)
    assert set(result.files) == {f"parquet/{t}" for t in TABLES}
    assert not OutputLayout(tmp_path).csv_dir.exists()
    assert not result.tables_kept and len(result.tables) == 0
    assert len(result.frame("hospitalizations")) == result.rows["hospitalizations"]


def test_result_prints_and_serialises_without_frames(tmp_path):
    result = generate(output_dir=tmp_path, **SMALL)
    text = str(result)
    stays = result.rows["hospitalizations"]
    assert "data/csv/hospitalizations.csv" in text and f"{stays:,} rows" in text and "fidelity" in text
    data = json.loads(result.to_json())
    assert "tables" not in data and data["rows"]["hospitalizations"] == stays
    assert {"quantity", "target", "generated", "passed", "source"} <= set(data["fidelity"][0])
    assert set(result.tables) == set(TABLES)
    hospitalizations = result.tables["hospitalizations"]
    assert str(hospitalizations["admission_date"].dtype).startswith("datetime64")
    assert hospitalizations["total_charges"].dtype == float
    frame = result.fidelity_frame()
    assert len(frame) == len(result.fidelity)
    assert "stays in 1 hospital," in result.outcome()


def test_public_api_is_lazy_and_named_generate():
    assert ha.generate is generate
