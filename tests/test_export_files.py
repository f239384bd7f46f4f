"""export on DuckDB: every mart in every format, read back and compared with the warehouse; format choice,
missing pantab, atomic writes and the errors a user meets."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from helpers import clean_env
from helpers.export import assert_same_rows, duckdb_settings, read_back, warehouse_table
from helpers.marts import copy_marts
from helpers.tableau import validate
from hospital_analytics.errors import ConfigError, ExportError, HospitalError, StepOrderError
from hospital_analytics.exports import DASHBOARD_TABLE, FORMATS, export, export_path, writers
from hospital_analytics.fsutil import TMP_MARK
from hospital_analytics.layout import MARTS
from hospital_analytics.warehouse import open_warehouse


@pytest.fixture(scope="module")
def exported(marts_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    with clean_env(out):
        result = export(duckdb_settings(out, marts_db))
    return result


@pytest.fixture
def no_pantab(monkeypatch):
    """pantab is installed here; make its import fail the way it does without the 'tableau' extra."""

    def missing():
        raise ImportError("No module named 'pantab'")

    monkeypatch.setattr(writers, "import_pantab", missing)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_every_mart_in_every_format(exported, marts_db):
    assert exported.formats == ["csv", "parquet", "hyper"]
    data = [f for f in exported.files if f.format in FORMATS]
    assert {(f.table, f.format) for f in data} == {(t, fmt) for t in MARTS for fmt in FORMATS}
    con = duckdb.connect(str(marts_db), read_only=True)
    try:
        for f in data:
            assert f.path == export_path(exported.export_dir, f.table, f.format)
            assert f.bytes == f.path.stat().st_size > 0
            assert f.rows == con.execute(f'SELECT count(*) FROM "ANALYTICS"."{f.table}"').fetchone()[0]
    finally:
        con.close()
    assert exported.rows["fct_hospitalizations"] > 100
    assert exported.total_bytes == sum(f.bytes for f in exported.files)
    assert not [p for p in _files(exported.export_dir) if p.name.startswith(TMP_MARK)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_on_duckdb(exported, marts_db, fmt):
    settings = duckdb_settings(exported.export_dir.parent, marts_db)
    with open_warehouse(settings, read_only=True) as wh:
        for table in MARTS:
            expected = warehouse_table(wh, "ANALYTICS", table)
            actual = read_back(export_path(exported.export_dir, table, fmt), fmt, expected.schema)
            assert_same_rows(actual, expected, f"{fmt}:{table}")
            if fmt != "csv":  # typed formats keep the export types (pantab reads text back as large_string)
                types = [pa.string() if pa.types.is_large_string(f.type) else f.type for f in actual.schema]
                assert types == expected.schema.types, f"{fmt}:{table} types"


def test_csv_is_gzip_with_header_and_iso_dates(exported):
    path = export_path(exported.export_dir, DASHBOARD_TABLE, "csv")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        header = fh.readline().strip()
        first = fh.readline()
    assert header.split(",")[:4] == ["hospitalization_id", "patient_id", "doctor_id", "admission_date"]
    assert first.split(",")[3][:4] in ("2024", "2025") and first.split(",")[3][4] == "-"


def test_hyper_files_hold_the_tableau_extract_table(exported):
    import pantab

    path = export_path(exported.export_dir, "kpis", "hyper")
    tables = pantab.frame_from_hyper_query(
        path, "SELECT schemaname, tablename FROM pg_catalog.pg_tables", return_type="pyarrow"
    )
    assert tables.to_pylist() == [{"schemaname": "Extract", "tablename": "Extract"}]


def test_dashboard_reads_the_hyper_extract(exported):
    assert exported.dashboard_data == "hyper"
    assert exported.workbook == exported.export_dir / "hospital_dashboard.twb"
    assert exported.packaged_workbook == exported.export_dir / "hospital_dashboard.twbx"
    assert "hyper/fct_hospitalizations.hyper" in exported.workbook.read_text(encoding="utf-8")
    text = str(exported)
    assert "hospital_dashboard.twbx" in text and "data: hyper" in text
    as_json = exported.to_dict()
    assert {"table", "format", "path", "rows", "bytes"} <= set(as_json["files"][0])


def test_one_format_only(marts_db, tmp_path):
    result = export(duckdb_settings(tmp_path, marts_db), formats="parquet")
    export_dir = tmp_path / "export"
    assert result.formats == ["parquet"]
    assert not (export_dir / "hyper").exists()
    assert sorted(p.name for p in (export_dir / "parquet").iterdir()) == sorted(f"{t}.parquet" for t in MARTS)
    # the dashboard still comes with its data: a plain CSV (Tableau cannot read gzip)
    assert result.dashboard_data == "csv"
    assert [p.name for p in (export_dir / "csv").iterdir()] == [f"{DASHBOARD_TABLE}.csv"]


def test_format_from_settings_and_list(marts_db, tmp_path):
    result = export(duckdb_settings(tmp_path / "a", marts_db, export_format="csv"))
    assert result.formats == ["csv"]
    result = export(duckdb_settings(tmp_path / "b", marts_db), formats=["hyper", "csv"])
    assert result.formats == ["csv", "hyper"] and result.dashboard_data == "hyper"


def test_unknown_format_is_a_config_error(marts_db, tmp_path):
    with pytest.raises(ConfigError, match="Invalid `export_format` / HOSPITAL_EXPORT_FORMAT") as info:
        export(duckdb_settings(tmp_path, marts_db), formats="xlsx")
    assert info.value.exit_code == 2
    assert not (tmp_path / "export").exists()


def test_hyper_asked_without_pantab(marts_db, tmp_path, no_pantab):
    with pytest.raises(ConfigError) as info:
        export(duckdb_settings(tmp_path, marts_db), formats="hyper")
    assert "pantab" in info.value.message and "\n" not in info.value.message
    assert "pip install 'hospital-analytics[tableau]'" in info.value.hint
    assert not (tmp_path / "export").exists()


def test_all_without_pantab_skips_hyper_and_says_so(marts_db, tmp_path, no_pantab):
    result = export(duckdb_settings(tmp_path, marts_db), formats="all")
    assert result.formats == ["csv", "parquet"]
    assert any("Hyper skipped" in n and "hospital-analytics[tableau]" in n for n in result.notes)
    assert "Hyper skipped" in str(result)
    assert not (tmp_path / "export" / "hyper").exists()
    assert result.dashboard_data == "csv"
    twb = result.workbook.read_text(encoding="utf-8")
    assert "class='textscan'" in twb or 'class="textscan"' in twb
    assert validate(result.workbook).returncode == 0


class _BrokenPantab:
    """pantab whose writer fails halfway: it has written part of the file when it raises."""

    @staticmethod
    def frame_to_hyper(reader, path, table):
        next(iter(reader))
        Path(path).write_bytes(b"half a hyper file")
        raise RuntimeError("Hyper: disk quota exceeded")


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(marts_db, tmp_path, monkeypatch):
    settings = duckdb_settings(tmp_path, marts_db)
    first = export(settings, formats="hyper")
    target = export_path(first.export_dir, MARTS[0], "hyper")
    before = target.read_bytes()
    monkeypatch.setattr(writers, "import_pantab", lambda: _BrokenPantab)
    with pytest.raises(ExportError, match="disk quota exceeded") as info:
        export(settings, formats="hyper")
    assert "\n" not in info.value.message
    assert target.read_bytes() == before
    assert not [p for p in _files(first.export_dir) if p.name.startswith(TMP_MARK)]


def test_arrow_stream_path_writes_row_groups_as_it_goes(marts_db, tmp_path, monkeypatch):
    """The Snowflake path (Arrow batches) never collects a table: Parquet row groups are flushed on the way."""
    import pyarrow.parquet as pq

    from hospital_analytics.warehouse.duckdb import BATCH_ROWS

    monkeypatch.setattr(writers, "PARQUET_ROW_GROUP", 100)
    settings = duckdb_settings(tmp_path, marts_db)
    with open_warehouse(settings, read_only=True) as wh:
        wh.native_export_formats = frozenset()  # take the streaming path (Snowflake's) on the same data
        q = wh.qualified("ANALYTICS", DASHBOARD_TABLE)
        schema = writers.export_schema(wh.query_arrow(f"SELECT * FROM {q} LIMIT 0").schema)
        sql = wh.export_select(q, schema)
        written = writers.write_parquet(wh, sql, schema, tmp_path / "fct.parquet")
        csv_written = writers.write_csv(wh, sql, schema, tmp_path / "fct.csv.gz")
        expected = warehouse_table(wh, "ANALYTICS", DASHBOARD_TABLE)
    assert BATCH_ROWS > 0
    meta = pq.ParquetFile(written.path).metadata
    assert meta.num_row_groups >= expected.num_rows // 100
    assert written.rows == csv_written.rows == expected.num_rows
    assert_same_rows(pq.read_table(written.path), expected, "arrow parquet")
    assert_same_rows(read_back(csv_written.path, "csv", expected.schema), expected, "arrow csv")


def test_export_types_are_warehouse_neutral():
    schema = pa.schema(
        [
            ("a", pa.int32()),
            ("b", pa.decimal128(38, 0)),
            ("c", pa.decimal128(38, 6)),
            ("d", pa.decimal128(12, 2)),
            ("E", pa.large_string()),
            ("f", pa.float32()),
            ("g", pa.date64()),
            ("h", pa.bool_()),
        ]
    )
    out = writers.export_schema(schema)
    assert out == pa.schema(
        [
            ("a", pa.int64()),
            ("b", pa.int64()),
            ("c", pa.float64()),
            ("d", pa.decimal128(12, 2)),
            ("e", pa.string()),
            ("f", pa.float64()),
            ("g", pa.date32()),
            ("h", pa.bool_()),
        ]
    )


def test_missing_warehouse_file(tmp_path):
    with pytest.raises(StepOrderError, match="does not exist yet") as info:
        export(duckdb_settings(tmp_path, tmp_path / "nothing.duckdb"))
    assert "hospital load" in info.value.hint


def test_marts_not_built_yet(tmp_path):
    db = tmp_path / "raw_only.duckdb"
    con = duckdb.connect(str(db))
    con.execute('CREATE SCHEMA "RAW"; CREATE TABLE "RAW".patients (patient_id BIGINT)')
    con.close()
    with pytest.raises(
        StepOrderError, match=r"ANALYTICS\.patients_demographics is not in the DuckDB file .* yet"
    ) as info:
        export(duckdb_settings(tmp_path, db))
    assert "hospital transform" in info.value.hint
    assert isinstance(info.value, HospitalError) and info.value.exit_code == 1


def test_an_empty_mart_gives_empty_files_with_columns(marts_db, tmp_path):
    db = copy_marts(marts_db, tmp_path / "hospital.duckdb")
    con = duckdb.connect(str(db))
    con.execute('DELETE FROM "ANALYTICS".readmission_rate_by_month')
    con.close()
    result = export(duckdb_settings(tmp_path, db))
    assert result.rows["readmission_rate_by_month"] == 0
    with open_warehouse(duckdb_settings(tmp_path, db), read_only=True) as wh:
        expected = warehouse_table(wh, "ANALYTICS", "readmission_rate_by_month")
    for fmt in FORMATS:
        back = read_back(export_path(result.export_dir, "readmission_rate_by_month", fmt), fmt, expected.schema)
        assert back.num_rows == 0 and back.schema.names == expected.schema.names


def test_arrow_stream_path_with_no_rows_writes_the_header(marts_db, tmp_path):
    import pyarrow.parquet as pq

    with open_warehouse(duckdb_settings(tmp_path, marts_db), read_only=True) as wh:
        wh.native_export_formats = frozenset()  # the streaming path
        q = wh.qualified("ANALYTICS", "kpis")
        schema = writers.export_schema(wh.query_arrow(f"SELECT * FROM {q} LIMIT 1").schema)
        sql = f"SELECT * FROM ({wh.export_select(q, schema)}) AS t WHERE false"
        csv_written = writers.write_csv(wh, sql, schema, tmp_path / "kpis.csv.gz")
        parquet_written = writers.write_parquet(wh, sql, schema, tmp_path / "kpis.parquet")
        hyper_written = writers.write_hyper(wh, sql, schema, tmp_path / "kpis.hyper")
    assert csv_written.rows == parquet_written.rows == hyper_written.rows == 0
    with gzip.open(csv_written.path, "rt") as fh:
        assert fh.read().strip().replace('"', "").split(",") == schema.names
    assert pq.read_table(parquet_written.path).schema.names == schema.names
    assert read_back(hyper_written.path, "hyper", schema).num_rows == 0


def test_gzip_members_make_one_gzip_file(marts_db, tmp_path, monkeypatch):
    """The CSV stream compresses batches as separate gzip members; readers see one file, rows in order."""
    import pyarrow.csv as pacsv

    class SmallBatches:
        """The warehouse, answering in batches of 50 rows."""

        name = "snowflake-like"

        def __init__(self, wh):
            self.wh = wh

        def arrow_batches(self, sql):
            for batch in self.wh.arrow_batches(sql):
                yield from (batch.slice(i, 50) for i in range(0, batch.num_rows, 50))

    with open_warehouse(duckdb_settings(tmp_path, marts_db), read_only=True) as wh:
        q = wh.qualified("ANALYTICS", DASHBOARD_TABLE)
        schema = writers.export_schema(wh.query_arrow(f"SELECT * FROM {q} LIMIT 1").schema)
        sql = f"SELECT * FROM {q} ORDER BY hospitalization_id"
        written = writers.write_csv(SmallBatches(wh), sql, schema, tmp_path / "fct.csv.gz")
        expected = warehouse_table(wh, "ANALYTICS", DASHBOARD_TABLE).sort_by("hospitalization_id")
    raw = written.path.read_bytes()
    assert raw.count(b"\x1f\x8b\x08") >= expected.num_rows // 50  # several members
    back = pacsv.read_csv(written.path, convert_options=pacsv.ConvertOptions(column_types=schema))
    assert back.column("hospitalization_id").to_pylist() == expected.column("hospitalization_id").to_pylist()
    with gzip.open(written.path, "rt") as fh:
        assert sum(1 for _ in fh) == expected.num_rows + 1  # one header


def test_exported_numbers_are_rounded_to_what_they_mean(marts_db, tmp_path):
    """Money 2 decimals (DECIMAL(p,2) already), rates and shares 4, days and census 2: no 13.200000000000003."""
    import re

    result = export(duckdb_settings(tmp_path, marts_db), formats=["csv", "parquet"])
    long_tail = re.compile(r"\d\.\d{5,}")
    for f in result.files:
        if f.format == "csv":
            text = gzip.decompress(f.path.read_bytes()).decode()
            assert not long_tail.search(text), (f.table, long_tail.search(text).group(0))
    kpis = read_back(export_path(tmp_path / "export", "kpis", "parquet"), "parquet", None).to_pylist()[0]
    assert kpis["readmission_rate_30d"] == round(kpis["readmission_rate_30d"], 4)
    assert kpis["average_length_of_stay_days"] == round(kpis["average_length_of_stay_days"], 2)
    assert writers.export_digits("readmission_rate_30d") == 4 and writers.export_digits("share_of_patients") == 4
    assert writers.export_digits("average_census") == 2 and writers.export_digits("p90_length_of_stay_days") == 2
