"""export's single read per table (exports/fanout.py): key ranges give the same files as one sorted read, a key
that is not unique falls back to every column, a failing writer (in this process or the Hyper child) leaves
nothing half-written."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from helpers.export import duckdb_settings, read_back
from helpers.marts import copy_marts
from hospital_analytics.errors import ExportError
from hospital_analytics.exports import DASHBOARD_TABLE, export, export_path, fanout, writers
from hospital_analytics.fsutil import TMP_MARK
from hospital_analytics.layout import MARTS
from hospital_analytics.warehouse import duckdb as duckdb_wh
from hospital_analytics.warehouse import open_warehouse


def _temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(TMP_MARK)]


def _one_read(monkeypatch) -> None:
    """Every table read by one query ordered by every column (what key ranges must reproduce)."""

    def whole(wh, qualified, schema):
        return fanout.ExportReads([wh.export_select(qualified, schema)])

    monkeypatch.setattr(duckdb_wh.DuckDBWarehouse, "export_reads", whole)


def test_key_ranges_and_the_hyper_child_give_the_same_files_as_one_sorted_read(marts_db, tmp_path, monkeypatch):
    with monkeypatch.context() as m:
        _one_read(m)
        reference = export(duckdb_settings(tmp_path / "one", marts_db))
    monkeypatch.setattr(duckdb_wh, "EXPORT_CHUNK_ROWS", 37)  # many ranges, batches cut at odd places
    monkeypatch.setattr(fanout, "HYPER_CHILD_ROWS", 0)  # every extract through the child process
    ranged = export(duckdb_settings(tmp_path / "ranged", marts_db))
    with open_warehouse(duckdb_settings(tmp_path, marts_db), read_only=True) as wh:
        reads = wh.export_reads(wh.qualified("ANALYTICS", DASHBOARD_TABLE), reference_schema(wh))
    assert len(reads.queries) > 3 and reads.key == "hospitalization_id"
    for table in MARTS:
        a, b = (export_path(r.export_dir, table, "csv") for r in (reference, ranged))
        assert gzip.decompress(a.read_bytes()) == gzip.decompress(b.read_bytes()), table
        a, b = (export_path(r.export_dir, table, "parquet") for r in (reference, ranged))
        assert a.read_bytes() == b.read_bytes(), table  # row groups of fixed size: same bytes
        a, b = (export_path(r.export_dir, table, "hyper") for r in (reference, ranged))
        schema = pq.read_schema(export_path(reference.export_dir, table, "parquet"))
        assert read_back(a, "hyper", schema).equals(read_back(b, "hyper", schema)), table
    assert reference.rows == ranged.rows


def reference_schema(wh):
    q = wh.qualified("ANALYTICS", DASHBOARD_TABLE)
    return writers.export_schema(wh.query_arrow(f"SELECT * FROM {q} LIMIT 1").schema)


def test_a_first_column_that_is_not_unique_falls_back_to_every_column(marts_db, tmp_path, monkeypatch):
    db = copy_marts(marts_db, tmp_path / "hospital.duckdb")
    con = duckdb.connect(str(db))
    # every stay twice, the copy with other charges: the key repeats, rows differ after it
    con.execute(
        'INSERT INTO "ANALYTICS".fct_hospitalizations SELECT * REPLACE (total_charges + 1 AS total_charges) '
        'FROM "ANALYTICS".fct_hospitalizations'
    )
    expected = con.execute('SELECT count(*) FROM "ANALYTICS".fct_hospitalizations').fetchall()[0][0]
    con.close()
    monkeypatch.setattr(duckdb_wh, "EXPORT_CHUNK_ROWS", 50)
    ranged = export(duckdb_settings(tmp_path / "ranged", db), formats="csv")
    _one_read(monkeypatch)
    whole = export(duckdb_settings(tmp_path / "whole", db), formats="csv")
    a, b = (export_path(r.export_dir, DASHBOARD_TABLE, "csv") for r in (ranged, whole))
    assert gzip.decompress(a.read_bytes()) == gzip.decompress(b.read_bytes())
    assert ranged.rows[DASHBOARD_TABLE] == expected


def _break(monkeypatch, fmt: str) -> None:
    """The ``fmt`` writer writes part of its file, then the disk is full."""

    def broken(batches, schema, tmp, *rest):
        next(iter(batches), None)
        Path(tmp).write_bytes(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writers, {"csv": "gzip_csv_to", "parquet": "parquet_to", "hyper": "hyper_to"}[fmt], broken)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "hyper"])
def test_a_failing_writer_replaces_no_file_and_leaves_no_temporary(marts_db, tmp_path, monkeypatch, fmt):
    settings = duckdb_settings(tmp_path, marts_db)
    first = export(settings)
    before = {p: p.read_bytes() for p in first.export_dir.rglob("*.*") if p.suffix != ".twbx"}
    with monkeypatch.context() as m:
        _break(m, fmt)
        with pytest.raises(ExportError, match="No space left on device") as info:
            export(settings)
    assert "\n" not in info.value.message
    assert {p: p.read_bytes() for p in before} == before
    assert _temporaries(first.export_dir) == []


def test_a_failing_hyper_child_says_why_and_leaves_no_temporary(marts_db, tmp_path, monkeypatch):
    settings = duckdb_settings(tmp_path, marts_db)
    first = export(settings, formats="hyper")
    target = export_path(first.export_dir, DASHBOARD_TABLE, "hyper")
    before = target.read_bytes()
    monkeypatch.setattr(fanout, "HYPER_CHILD_ROWS", 0)
    script = (
        "import sys; open(sys.argv[1], 'wb').write(b'half'); sys.stdin.buffer.read(100); "
        "print('Hyper: disk quota exceeded', file=sys.stderr); sys.exit(1)"
    )
    monkeypatch.setattr(fanout, "HYPER_CHILD", ("-c", script))
    with pytest.raises(ExportError, match="disk quota exceeded") as info:
        export(settings, formats="hyper")
    assert "\n" not in info.value.message
    assert target.read_bytes() == before
    assert _temporaries(first.export_dir) == []
