"""`load` into DuckDB, end to end on real files, plus the pieces it is made of."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from helpers.raw import CORRUPTIONS, corrupt_field, write_handmade, write_raw
from hospital_analytics.config import Settings, load_settings
from hospital_analytics.errors import ConfigError, LoadError, StepOrderError, WarehouseError
from hospital_analytics.layout import RAW_TABLES, OutputLayout
from hospital_analytics.schema import column_names
from hospital_analytics.warehouse import open_warehouse
from hospital_analytics.warehouse.common import one_line
from hospital_analytics.warehouse.identifiers import check_identifier, quote
from hospital_analytics.warehouse.loading import LoadResult, load
from hospital_analytics.warehouse.sources import find_sources, format_order


def counts(out: Path) -> dict[str, int]:
    with duckdb.connect(str(OutputLayout(out).duckdb), read_only=True) as con:
        return {t: con.execute(f'SELECT count(*) FROM "RAW"."{t}"').fetchone()[0] for t in RAW_TABLES}


def test_end_to_end_types_values_and_result(tmp_path: Path) -> None:
    out = tmp_path / "out"
    expected = write_raw(out)
    result = load(output_dir=out)

    assert isinstance(result, LoadResult)
    assert (result.warehouse, result.schema, result.source_format) == ("duckdb", "RAW", "csv")
    assert result.database == str(OutputLayout(out).duckdb)
    assert {t: s.rows for t, s in result.tables.items()} == expected
    assert all(s.source_rows == s.rows and s.bytes_staged > 0 and s.seconds >= 0 for s in result.tables.values())
    assert result.rows == sum(expected.values())
    assert counts(out) == expected

    with duckdb.connect(str(OutputLayout(out).duckdb), read_only=True) as con:
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'RAW' AND table_name = 'hospitalizations'"
            ).fetchall()
        )
        assert types["admission_date"] == "DATE"
        assert types["total_charges"] == "DECIMAL(12,2)"
        assert types["length_of_stay_days"] == "INTEGER"
        schemas = {r[0] for r in con.execute("SELECT schema_name FROM information_schema.schemata").fetchall()}
        assert {"RAW", "ANALYTICS"} <= schemas
        # the values are the file's, typed: compare with pyarrow's own reading of the CSV
        import pyarrow.csv as pacsv

        source = pacsv.read_csv(OutputLayout(out).csv("hospitalizations"))
        loaded = con.sql('SELECT * FROM "RAW".hospitalizations ORDER BY hospitalization_id').to_arrow_table()
        assert loaded.column("diagnosis_description").to_pylist() == source.column("diagnosis_description").to_pylist()
        assert [str(d) for d in loaded.column("admission_date").to_pylist()] == [
            str(d) for d in source.column("admission_date").to_pylist()
        ]
        charges = [float(v) for v in loaded.column("total_charges").to_pylist()]
        assert charges == source.column("total_charges").to_pylist()

    data = json.loads(result.to_json())
    assert data["tables"]["patients"]["rows"] == expected["patients"]
    assert data["rows"] == sum(expected.values())
    text = str(result)
    assert "duckdb" in text and "patients" in text and "rows/s" in text


def test_quoted_fields_survive(tmp_path: Path) -> None:
    """Commas, apostrophes and doubled quotes inside quoted fields come through as written."""
    out = tmp_path / "out"
    expected = write_handmade(out)
    load(output_dir=out)
    assert counts(out) == expected
    with duckdb.connect(str(OutputLayout(out).duckdb), read_only=True) as con:
        names = {r[0] for r in con.execute('SELECT last_name FROM "RAW".patients').fetchall()}
        assert "O'Neil, Jr" in names
        query = 'SELECT diagnosis_description FROM "RAW".hospitalizations'
        descriptions = {r[0] for r in con.execute(query).fetchall()}
        assert 'Dependence on "enabling" machines' in descriptions


def test_load_twice_same_counts_no_duplicates(tmp_path: Path) -> None:
    out = tmp_path / "out"
    expected = write_raw(out)
    load(output_dir=out)
    load(output_dir=out)
    assert counts(out) == expected
    with duckdb.connect(str(OutputLayout(out).duckdb), read_only=True) as con:
        assert con.execute('SELECT count(DISTINCT patient_id) = count(*) FROM "RAW".patients').fetchone()[0]


def test_queries_after_table_exists_on_one_connection(tmp_path: Path) -> None:
    """DuckDB 2 refuses new work while a result is unfinished: every helper must fetch all it starts."""
    out = tmp_path / "out"
    write_raw(out)
    load(output_dir=out)
    with open_warehouse(output_dir=out, read_only=True) as wh:
        assert wh.table_exists(wh.raw_schema, "patients")
        assert not wh.table_exists(wh.raw_schema, "no_such_table")
        frame = wh.query_df(f"SELECT count(*) AS n FROM {wh.qualified(wh.raw_schema, 'patients')}")
        assert frame["n"].iloc[0] > 0


def test_reload_replaces_data_with_new_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_raw(out, patients=40, stays=90)
    load(output_dir=out)
    bigger = write_raw(out, patients=55, stays=120, seed=2)
    load(output_dir=out)
    assert counts(out) == bigger


@pytest.mark.parametrize("manifest", ["manifest", "no manifest"])
@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
@pytest.mark.parametrize("table", ["patients", "hospitalizations"])
def test_corrupt_file_names_table_and_file_and_keeps_previous_tables(
    tmp_path: Path, corruption: str, table: str, manifest: str
) -> None:
    """Caught by the file checks, by the manifest's sizes, or (without a manifest) by DuckDB's typed reader."""
    out = tmp_path / "out"
    before = write_raw(out)
    load(output_dir=out)
    # New files with other counts, one of them corrupt: nothing may change.
    write_raw(out, patients=60, stays=150, seed=3)
    path = OutputLayout(out).csv(table)
    CORRUPTIONS[corruption](path)
    if manifest == "no manifest":
        OutputLayout(out).manifest.unlink()
    with pytest.raises(LoadError) as caught:
        load(output_dir=out, allow_edited=manifest == "no manifest")
    message = caught.value.message
    assert message.startswith(f"{table}: ") and str(path) in message
    assert "\n" not in message and len(message) < 400
    assert caught.value.hint
    assert counts(out) == before


def test_failure_in_last_table_rolls_back_the_first_three(tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = write_raw(out)
    load(output_dir=out)
    write_raw(out, patients=70, doctors=9, stays=200, seed=4)
    # Header and last line fine and no manifest to compare with, so the warehouse meets the bad value,
    # after the first three tables were replaced inside the transaction.
    OutputLayout(out).manifest.unlink()
    corrupt_field(OutputLayout(out).csv("admissions_by_month"), 1, 1, "many")
    with pytest.raises(LoadError, match=r"^admissions_by_month: loading .*admissions_by_month\.csv failed"):
        load(output_dir=out, allow_edited=True)
    assert counts(out) == before


def test_files_differing_from_the_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    rows = write_raw(out)
    load(output_dir=out)
    manifest = OutputLayout(out).manifest
    original = manifest.read_text()
    # a file of the recorded size is taken to hold the recorded rows: the warehouse's count disagrees
    data = json.loads(original)
    data["files"]["csv/doctors.csv"]["rows"] += 1
    manifest.write_text(json.dumps(data))
    with pytest.raises(
        LoadError,
        match=rf"(?m)^doctors: loaded {rows['doctors']} rows but .*doctors\.csv has "
        rf"{rows['doctors'] + 1} \(per data/manifest.json\)\.$",
    ):
        load(output_dir=out)
    assert counts(out) == rows
    # a file of another size is refused before any SQL
    data = json.loads(original)
    data["files"]["csv/patients.csv"]["bytes"] -= 1
    manifest.write_text(json.dumps(data))
    with pytest.raises(LoadError, match=r"^patients: .*patients\.csv has [\d,]+ bytes but data/manifest.json says"):
        load(output_dir=out)
    # without a size, the lines are counted and compared with the recorded rows
    data = json.loads(original)
    del data["files"]
    data["rows"]["hospitalizations"] += 2
    manifest.write_text(json.dumps(data))
    with pytest.raises(
        LoadError,
        match=rf"^hospitalizations: .*hospitalizations\.csv has {rows['hospitalizations']}"
        rf" rows but data/manifest.json says {rows['hospitalizations'] + 2}\.",
    ):
        load(output_dir=out)
    manifest.write_text(original)
    assert load(output_dir=out).rows == sum(rows.values())


def test_rows_counted_without_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    rows = write_raw(out)
    OutputLayout(out).manifest.unlink()
    sources = find_sources(OutputLayout(out), allow_edited=True)
    assert {t: s.rows for t, s in sources.items()} == rows
    assert {s.rows_from for s in sources.values()} == {"file"}


def test_a_set_without_manifest_is_refused_unless_allowed(tmp_path: Path) -> None:
    """No manifest: the set may be incomplete or mixed (a generate killed before its end): refused, one line,
    the previous tables kept; ``allow_edited`` (``--allow-edited``) loads it as it is."""
    out = tmp_path / "out"
    before = write_raw(out)
    load(output_dir=out)
    after = write_raw(out, patients=60, stays=150, seed=3)
    OutputLayout(out).manifest.unlink()
    with pytest.raises(LoadError, match=r"manifest\.json is missing or unreadable") as caught:
        load(output_dir=out)
    assert "--allow-edited" in caught.value.hint and "\n" not in caught.value.message
    assert counts(out) == before
    assert load(output_dir=out, allow_edited=True).tables["patients"].rows == after["patients"]


def test_missing_files_ask_for_generate(tmp_path: Path) -> None:
    with pytest.raises(StepOrderError) as caught:
        load(output_dir=tmp_path / "empty")
    assert "patients.csv" in caught.value.message and "\n" not in caught.value.message
    assert "hospital generate" in caught.value.hint
    assert not (tmp_path / "empty" / "hospital.duckdb").exists()


@pytest.mark.parametrize(
    ("preferred", "warehouse", "order"),
    [
        ("csv", "duckdb", ("csv", "parquet")),
        ("parquet", "duckdb", ("parquet", "csv")),
        ("both", "duckdb", ("parquet", "csv")),
        ("both", "snowflake", ("csv", "parquet")),
        ("parquet", "snowflake", ("parquet", "csv")),
    ],
)
def test_format_order(preferred: str, warehouse: str, order: tuple[str, str]) -> None:
    assert format_order(preferred, warehouse) == order


def test_parquet_source_gives_the_same_tables(tmp_path: Path) -> None:
    out = tmp_path / "out"
    expected = write_raw(out, fmt="both")
    from_csv = load(output_dir=out, raw_format="csv", duckdb_path=tmp_path / "csv.duckdb")
    from_parquet = load(output_dir=out, raw_format="parquet", duckdb_path=tmp_path / "parquet.duckdb")
    assert (from_csv.source_format, from_parquet.source_format) == ("csv", "parquet")
    assert {t: s.rows for t, s in from_parquet.tables.items()} == expected
    with (
        duckdb.connect(str(tmp_path / "csv.duckdb"), read_only=True) as a,
        duckdb.connect(str(tmp_path / "parquet.duckdb"), read_only=True) as b,
    ):
        for table in RAW_TABLES:
            query = f'SELECT * FROM "RAW".{table} ORDER BY ALL'
            assert a.execute(query).fetchall() == b.execute(query).fetchall(), table
            describe = f'DESCRIBE "RAW".{table}'
            assert a.execute(describe).fetchall() == b.execute(describe).fetchall(), table


def test_parquet_only_is_used_when_csv_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    expected = write_raw(out, fmt="parquet")
    result = load(output_dir=out)  # HOSPITAL_FORMAT=csv by default: falls back to the Parquet files
    assert result.source_format == "parquet"
    assert counts(out) == expected


def test_both_formats_prefer_parquet_on_duckdb(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_raw(out, fmt="both")
    assert load(output_dir=out, raw_format="both").source_format == "parquet"
    assert load(output_dir=out, raw_format="csv").source_format == "csv"


def test_sources_counted_independently(tmp_path: Path) -> None:
    out = tmp_path / "out"
    expected = write_raw(out, fmt="both")
    for fmt in ("csv", "parquet"):
        sources = find_sources(OutputLayout(out), fmt, "duckdb")
        assert {t: s.rows for t, s in sources.items()} == expected
        assert {s.format for s in sources.values()} == {fmt}


def test_queries_lower_case_names_and_types(tmp_path: Path) -> None:
    out = tmp_path / "out"
    expected = write_raw(out)
    load(output_dir=out)
    with open_warehouse(output_dir=out, read_only=True) as wh:
        assert wh.name == "duckdb"
        name = wh.qualified(wh.raw_schema, "hospitalizations")
        assert name == '"RAW"."hospitalizations"'
        frame = wh.query_df(f"SELECT hospitalization_id AS ID, total_charges, admission_date FROM {name}")
        assert list(frame.columns) == ["id", "total_charges", "admission_date"]
        assert str(frame["total_charges"].dtype) == "float64"
        assert str(frame["admission_date"].dtype).startswith("datetime64")
        import pyarrow.csv as pacsv

        source = pacsv.read_csv(OutputLayout(out).csv("hospitalizations")).to_pandas()
        assert list(frame["total_charges"]) == list(source["total_charges"])  # nearest doubles, exactly
        table = wh.query_arrow(f"SELECT count(*) AS N FROM {name}")
        assert table.column_names == ["n"] and table.column("n").to_pylist() == [expected["hospitalizations"]]
        empty = wh.query_arrow(f"SELECT * FROM {name} WHERE false")
        assert empty.num_rows == 0 and empty.column_names == column_names("hospitalizations")
        batches = list(wh.arrow_batches("SELECT range AS R FROM range(250000)"))
        assert sum(b.num_rows for b in batches) == 250_000
        assert all(b.schema.names == ["r"] for b in batches)
        assert wh.table_exists("raw", "patients") and not wh.table_exists("raw", "nope")
        with pytest.raises(WarehouseError, match="DuckDB query failed"):
            wh.query_df("SELECT * FROM no_such_table")


def test_read_only_open_without_file(tmp_path: Path) -> None:
    with pytest.raises(StepOrderError, match="does not exist yet"):
        open_warehouse(output_dir=tmp_path, read_only=True)


LOCKER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("CREATE TABLE IF NOT EXISTS t (x INT)")
    print("locked", flush=True)
    time.sleep(60)
    """
)


def test_file_locked_by_another_process(tmp_path: Path) -> None:
    out = tmp_path / "out"
    expected = write_raw(out)
    load(output_dir=out)
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(OutputLayout(out).duckdb)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseError) as caught:
            load(output_dir=out)
        message = caught.value.message
        assert message.startswith(f"The DuckDB file {OutputLayout(out).duckdb} is in use by another process")
        assert f"(PID {holder.pid}" in message and "\n" not in message
        assert "Close the other program" in caught.value.hint
    finally:
        holder.kill()
        holder.wait()
    assert counts(out) == expected


def test_not_a_duckdb_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_raw(out)
    OutputLayout(out).duckdb.write_text("not a database" * 500)
    with pytest.raises(WarehouseError, match="is not a DuckDB database file"):
        load(output_dir=out)


# --- identifiers: refused before any SQL runs ---------------------------------------------------------
INJECTIONS = ["x; drop table y", 'RAW"; DROP SCHEMA "RAW', "1abc", "", "a.b", "name with space", "x--"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_refused_by_settings(value: str) -> None:
    with pytest.raises(ConfigError, match="HOSPITAL_RAW_SCHEMA"):
        load_settings(raw_schema=value)
    with pytest.raises(ConfigError):
        check_identifier(value, "HOSPITAL_RAW_SCHEMA")


@pytest.mark.parametrize("field", ["raw_schema", "analytics_schema"])
def test_injection_refused_at_the_sql_boundary(tmp_path: Path, field: str) -> None:
    """Settings built without validation still cannot put the value into SQL: nothing is touched."""
    out = tmp_path / "out"
    expected = write_raw(out)
    load(output_dir=out)
    stamp = OutputLayout(out).duckdb.stat().st_mtime_ns
    settings = Settings(output_dir=out)
    object.__setattr__(settings, field, "x; drop table y")
    with pytest.raises(ConfigError, match=r"'x; drop table y' is not a valid identifier") as caught:
        load(settings)
    assert "HOSPITAL_" in caught.value.message
    assert OutputLayout(out).duckdb.stat().st_mtime_ns == stamp
    assert counts(out) == expected


def test_injection_in_a_query_name_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_raw(out)
    load(output_dir=out)
    with open_warehouse(output_dir=out) as wh:
        with pytest.raises(ConfigError):
            wh.qualified("RAW", "patients; DROP TABLE x")
        with pytest.raises(ConfigError):
            wh.table_exists("RAW", "x' OR '1'='1")


@pytest.mark.parametrize("value", ["RAW", "raw", "_x", "a$b", "A1_2", "x" * 255])
def test_valid_identifiers_quoted(value: str) -> None:
    assert check_identifier(value, "X") == value
    assert quote(value) == f'"{value}"'
    assert quote(value, upper=True) == f'"{value.upper()}"'


def test_identifier_too_long() -> None:
    with pytest.raises(ConfigError):
        check_identifier("x" * 256, "X")


def test_one_line_reduces_driver_text_and_hides_secrets() -> None:
    text = (
        "100038 (22018): Conversion Error: CSV Error on Line: 2\nOriginal Line: 1,a,2020-13-02\n"
        'Error when converting column "column2". Could not convert string "2020-13-02" to \'DATE\'\n\n'
        "Column column2 is being converted as type DATE\nPossible solutions:\n* Override the type\n"
        "password=hunter22 was used"
    )
    line = one_line(text, secrets=["hunter22"])
    assert "\n" not in line and "hunter22" not in line
    assert line.startswith("CSV Error on Line: 2")
    assert "Could not convert string" in line
    assert len(one_line("x" * 1000)) == 300


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_table_typed_with_nulls_where_the_schema_allows(tmp_path: Path, fmt: str) -> None:
    """All ten tables load from hand-written files: TIMESTAMP and BOOLEAN typed, empty fields NULL (open stays)."""
    from hospital_analytics.schema import RAW_COLUMNS

    out = tmp_path / "out"
    expected = write_handmade(out, fmt=fmt)
    result = load(output_dir=out)
    assert result.source_format == fmt and set(result.tables) == set(RAW_TABLES)
    assert counts(out) == expected
    with duckdb.connect(str(OutputLayout(out).duckdb), read_only=True) as con:
        for table, columns in RAW_COLUMNS.items():
            found = con.execute(
                "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'RAW' AND table_name = ? ORDER BY ordinal_position",
                [table],
            ).fetchall()
            assert found == [(c.name, c.sql_type, "YES" if c.nullable else "NO") for c in columns], table
        open_stays = con.execute(
            "SELECT count(*), count(discharge_date), count(discharged_at), count(total_charges), min(admitted_at) "
            'FROM "RAW".hospitalizations WHERE length_of_stay_days IS NULL'
        ).fetchone()
        assert open_stays[:4] == (2, 0, 0, 0)
        first = con.execute('SELECT admitted_at FROM "RAW".hospitalizations WHERE hospitalization_id = 1').fetchone()
        assert str(first[0]) == "2023-12-29 08:15:30"
        assert con.execute('SELECT count(*) FROM "RAW".bed_movements WHERE ended_at IS NULL').fetchone() == (2,)
        flags = con.execute('SELECT attends_stays, count(*) FROM "RAW".doctors GROUP BY 1 ORDER BY 1').fetchall()
        assert flags == [(False, 1), (True, expected["doctors"] - 1)]
        assert con.execute('SELECT count(*) FROM "RAW".capacity_events WHERE patient_id IS NULL').fetchone() == (1,)


def test_a_gap_where_the_schema_has_none_is_refused(tmp_path: Path) -> None:
    """An empty admitted_at (not nullable in schema.py) fails the load with one line; nothing is replaced."""
    out = tmp_path / "out"
    write_handmade(out)
    load(output_dir=out)
    before = counts(out)
    path = OutputLayout(out).csv("hospitalizations")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    position = header.index('"admitted_at"')
    import csv as csv_module

    rows = list(csv_module.reader(lines[1:]))
    rows[3][position] = ""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(lines[0])
        csv_module.writer(handle, lineterminator="\n").writerows(rows)
    with pytest.raises(LoadError) as info:
        load(output_dir=out)
    assert "hospitalizations" in info.value.message and "\n" not in info.value.message
    assert counts(out) == before
