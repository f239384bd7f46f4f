"""`hospital load` and the daily feed: only new partitions are appended, each recorded in the ledger; reloading
never duplicates; a partition changed since it was loaded is refused (nothing loaded) or, with
--reload-changed, replaced. DuckDB here; Snowflake on the fakesnow server at the end."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from helpers.feed import write_feed
from helpers.proof import assert_one_error
from helpers.raw import write_raw
from hospital_analytics.cli import app
from hospital_analytics.errors import LoadError
from hospital_analytics.layout import OutputLayout
from hospital_analytics.warehouse import open_warehouse
from hospital_analytics.warehouse.feed import find_partitions, plan
from hospital_analytics.warehouse.loading import load

START = dt.date(2024, 1, 1)
runner = CliRunner()


def _feed_files(out: Path) -> list[Path]:
    return sorted((OutputLayout(out).data_dir / "feed").rglob("*.csv"))


def _raw(out: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(OutputLayout(out).duckdb), read_only=True) as con:
        return con.execute(sql).fetchall()


def _data_rows(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) - 1


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    write_raw(out)
    shutil.rmtree(OutputLayout(out).data_dir / "feed", ignore_errors=True)  # the generator's: ours has more cases
    write_feed(out, START, dt.date(2024, 2, 15))
    return out


def test_first_load_appends_every_partition_and_records_each_in_the_ledger(folder: Path) -> None:
    result = load(output_dir=folder)
    files = _feed_files(folder)
    rows = {
        t: sum(_data_rows(p) for p in files if p.name.startswith(t)) for t in ("encounter_events", "patient_events")
    }
    assert rows["encounter_events"] > 0 and rows["patient_events"] > 0
    assert {t: f.rows_new for t, f in result.feed.items()} == rows
    assert {t: f.rows_total for t, f in result.feed.items()} == rows
    assert result.feed_partitions_new == len(files) == 2 * 46 and result.feed_partitions_skipped == 0
    assert "92 new partitions" in result.feed_text() and "0 skipped" in result.feed_text()

    ledger = _raw(
        folder, 'SELECT table_name, partition_date, file_name, rows, checksum, run_id FROM "RAW".feed_load_ledger'
    )
    assert len(ledger) == len(files)
    by_file = {row[2]: row for row in ledger}
    for path in files:
        name = path.relative_to(OutputLayout(folder).data_dir / "feed").as_posix()
        table, day, rows_, checksum, run = (
            by_file[name][0],
            by_file[name][1],
            by_file[name][3],
            by_file[name][4],
            by_file[name][5],
        )
        assert name.startswith(f"{table}/date={day.isoformat()}/")
        assert rows_ == _data_rows(path)
        assert checksum == hashlib.sha256(path.read_bytes()).hexdigest()
        assert run
    # every row knows the partition file it came from; typed as schema.FEED_COLUMNS says
    per_file = dict(_raw(folder, 'SELECT "_source_file", count(*) FROM "RAW".encounter_events GROUP BY 1'))
    assert per_file == {k: v[3] for k, v in by_file.items() if k.startswith("encounter_events") and v[3]}
    types = dict(
        _raw(
            folder,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'RAW' AND table_name = 'encounter_events'",
        )
    )
    assert types["event_at"] == "TIMESTAMP" and types["total_charges"] == "DECIMAL(12,2)"
    assert types["event_id"] == "BIGINT" and types["_source_file"] == "VARCHAR"


def test_loading_again_never_duplicates_and_new_days_are_appended(folder: Path) -> None:
    first = load(output_dir=folder)
    again = load(output_dir=folder)
    assert again.feed_partitions_new == 0 and again.feed_rows_new == 0
    assert again.feed_partitions_skipped == first.feed_partitions_new
    assert {t: f.rows_total for t, f in again.feed.items()} == {t: f.rows_total for t, f in first.feed.items()}

    write_feed(folder, START, dt.date(2024, 2, 25))  # ten more days; the written ones stay byte-identical
    later = load(output_dir=folder)
    assert later.feed_partitions_new == 20 and later.feed_partitions_skipped == first.feed_partitions_new
    total = sum(_data_rows(p) for p in _feed_files(folder) if p.name.startswith("encounter_events"))
    assert later.feed["encounter_events"].rows_total == total
    assert _raw(folder, 'SELECT count(*), count(DISTINCT event_id) FROM "RAW".encounter_events')[0] == (total, total)
    assert _raw(folder, 'SELECT count(*) FROM "RAW".feed_load_ledger')[0][0] == len(_feed_files(folder))


def _change(path: Path) -> None:
    """The partition's first data row dropped: same header, other content."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(lines[0] + "".join(lines[2:]), encoding="utf-8")


def _partition_with_rows(out: Path) -> Path:
    return next(p for p in _feed_files(out) if p.name.startswith("encounter_events") and _data_rows(p) >= 1)


def test_a_changed_partition_is_refused_and_nothing_is_loaded(folder: Path) -> None:
    load(output_dir=folder)
    before = _raw(folder, 'SELECT count(*) FROM "RAW".encounter_events')[0][0]
    changed = _partition_with_rows(folder)
    _change(changed)
    write_feed(folder, START, dt.date(2024, 2, 20))  # new days beside the changed one (rewritten: change again)
    _change(changed)
    _change_again = changed.read_bytes()
    with pytest.raises(LoadError) as caught:
        load(output_dir=folder)
    assert "changed since it was loaded" in caught.value.message and changed.name in caught.value.message
    assert "--reload-changed" in (caught.value.hint or "")
    # nothing at all was loaded: not the new days, not the snapshot tables again
    assert _raw(folder, 'SELECT count(*) FROM "RAW".encounter_events')[0][0] == before
    assert (
        _raw(folder, "SELECT count(*) FROM \"RAW\".feed_load_ledger WHERE partition_date > DATE '2024-02-15'")[0][0]
        == 0
    )
    assert changed.read_bytes() == _change_again


def test_reload_changed_replaces_the_partitions_rows(folder: Path) -> None:
    load(output_dir=folder)
    changed = _partition_with_rows(folder)
    rows_before = _data_rows(changed)
    _change(changed)
    name = changed.relative_to(OutputLayout(folder).data_dir / "feed").as_posix()
    result = load(output_dir=folder, reload_changed=True)
    assert result.feed["encounter_events"].partitions_replaced == 1
    assert "1 changed partitions reloaded" in result.feed_text()
    loaded = _raw(folder, f'SELECT count(*) FROM "RAW".encounter_events WHERE "_source_file" = \'{name}\'')[0][0]
    assert loaded == rows_before - 1
    ledger = _raw(folder, f"SELECT rows, checksum FROM \"RAW\".feed_load_ledger WHERE file_name = '{name}'")
    assert ledger == [(rows_before - 1, hashlib.sha256(changed.read_bytes()).hexdigest())]
    assert load(output_dir=folder).feed_partitions_new == 0  # and the next load sees nothing new


def test_a_new_generate_restarts_the_feed_instead_of_refusing_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_raw(out, patients=40, stays=90)
    first = load(output_dir=out)
    assert first.feed_partitions_new > 0 and first.feed_restarted is None
    write_raw(out, patients=55, stays=120, seed=2)  # another simulation in the same folder
    again = load(output_dir=out)
    assert again.feed_restarted is not None and "feed restarted: a new simulation" in again.feed_text()
    assert again.feed_partitions_skipped == 0
    files = _feed_files(out)
    total = sum(_data_rows(p) for p in files if p.name.startswith("encounter_events"))
    assert _raw(out, 'SELECT count(*) FROM "RAW".encounter_events')[0][0] == total
    assert _raw(out, 'SELECT count(*) FROM "RAW".feed_load_ledger')[0][0] == len(files)
    assert load(output_dir=out).feed_restarted is None


def test_a_data_folder_without_a_feed_loads_as_before_with_empty_feed_tables(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_raw(out)
    shutil.rmtree(OutputLayout(out).data_dir / "feed")
    result = load(output_dir=out)
    assert result.feed_partitions_new == 0 and all(f.rows_total == 0 for f in result.feed.values())
    assert _raw(out, 'SELECT count(*) FROM "RAW".patient_events')[0][0] == 0


def test_plan_keeps_partitions_loaded_from_the_other_format() -> None:
    from hospital_analytics.warehouse.feed import LedgerRow, Partition

    day = dt.date(2024, 1, 2)
    csv_part = Partition(
        "encounter_events", day, Path("x.csv"), "csv", 3, 10, "a", "encounter_events/date=2024-01-02/x.csv"
    )
    loaded = LedgerRow("encounter_events", day, "encounter_events/date=2024-01-02/x.parquet", 3, "b")
    assert plan([csv_part], [loaded]).skipped == [csv_part]
    changed = LedgerRow("encounter_events", day, csv_part.file_name, 3, "b")
    with pytest.raises(LoadError):
        plan([csv_part], [changed])
    assert plan([csv_part], [changed], reload_changed=True).replaced == [csv_part]


def test_a_truncated_partition_is_refused_before_any_sql(folder: Path) -> None:
    path = _partition_with_rows(folder)
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    with pytest.raises(LoadError, match="ends in the middle of a line"):
        find_partitions(OutputLayout(folder))


# --- CLI --------------------------------------------------------------------------------------------------
def test_cli_load_reports_the_feed_and_refuses_a_changed_partition_in_one_line(folder: Path) -> None:
    first = runner.invoke(app, ["load", "--out", str(folder)])
    assert first.exit_code == 0, first.output
    assert "encounter_events (feed)" in first.output and "92 new partitions" in first.output
    again = runner.invoke(app, ["load", "--out", str(folder)])
    assert again.exit_code == 0 and "0 new partitions (0 rows), 92 skipped" in again.output

    _change(_partition_with_rows(folder))
    refused = runner.invoke(app, ["load", "--out", str(folder)])
    line = assert_one_error(refused, 1, "changed since it was loaded")
    assert "nothing loaded" in line
    assert "--reload-changed" in refused.output
    reloaded = runner.invoke(app, ["load", "--out", str(folder), "--reload-changed"])
    assert reloaded.exit_code == 0, reloaded.output
    assert "1 changed partitions reloaded" in reloaded.output


# --- Snowflake (fakesnow server) ------------------------------------------------------------------------
@pytest.mark.snowflake
def test_snowflake_stages_each_day_copies_without_force_and_the_ledger_agrees(
    folder: Path, snowflake_overrides: dict
) -> None:
    from hospital_analytics.warehouse.snowflake.feed_load import ledger_disagreements

    first = load(output_dir=folder, **snowflake_overrides)
    files = _feed_files(folder)
    assert first.feed_partitions_new == len(files)
    with open_warehouse(**snowflake_overrides) as wh:
        ledger = wh.fetch_rows(f"SELECT COUNT(*) AS n, SUM(rows) AS r FROM {wh.raw_object('FEED_LOAD_LEDGER')}")[0]
        assert int(ledger["n"]) == len(files)
        assert int(ledger["r"]) == sum(_data_rows(p) for p in files)
        staged = wh.fetch_rows(f"LIST @{wh.raw_object(wh.stage)}")
        names = [str(r["name"]) for r in staged if "/feed/encounter_events/" in str(r["name"])]
        with_rows = [p for p in files if p.name.startswith("encounter_events") and _data_rows(p)]
        assert len(names) == len(with_rows)  # each day's file under its dated path; empty days not staged
        assert all(re.search(r"/feed/encounter_events/2024-\d\d-\d\d/encounter_events_2024", n) for n in names)

    again = load(output_dir=folder, **snowflake_overrides)
    assert again.feed_partitions_new == 0 and again.feed_partitions_skipped == len(files)

    write_feed(folder, START, dt.date(2024, 2, 20))
    later = load(output_dir=folder, **snowflake_overrides)
    assert later.feed_partitions_new == 10
    total = sum(_data_rows(p) for p in _feed_files(folder) if p.name.startswith("encounter_events"))
    with open_warehouse(**snowflake_overrides) as wh:
        rows = wh.fetch_rows(
            f"SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS d FROM {wh.raw_object('ENCOUNTER_EVENTS')}"
        )
        assert (int(rows[0]["n"]), int(rows[0]["d"])) == (total, total)

    # The ledger agrees with Snowflake's own load history, partition by partition; and a partition the
    # ledger lost (edited by hand) is refused by COPY's load metadata (no FORCE), not loaded twice.
    from hospital_analytics.progress import SILENT
    from hospital_analytics.warehouse.feed import FeedLoad
    from hospital_analytics.warehouse.sources import find_sources

    with open_warehouse(**snowflake_overrides) as wh:
        wh.ensure_database_and_schemas()
        assert ledger_disagreements(wh) == []
        loaded_part = next(p for p in find_partitions(OutputLayout(folder)) if p.rows)
        unseen = dataclasses.replace(loaded_part, day=dt.date(2030, 1, 1))  # a COPY history does not show (yet)
        wrong = dataclasses.replace(loaded_part, rows=loaded_part.rows + 1)  # history shows other rows
        assert ledger_disagreements(wh, [unseen]) and ledger_disagreements(wh, [unseen], missing_ok=True) == []
        assert ledger_disagreements(wh, [wrong], missing_ok=True)  # a real disagreement is never tolerated
        layout = OutputLayout(folder)
        wh.execute(f"DELETE FROM {wh.raw_object('FEED_LOAD_LEDGER')} WHERE partition_date >= '2024-02-16'")
        for table in ("encounter_events", "patient_events"):
            wh.execute(
                f"DELETE FROM {wh.raw_object(table.upper())} WHERE \"_SOURCE_FILE\" >= '{table}/date=2024-02-16'"
            )
        kept = int(wh.fetch_rows(f"SELECT COUNT(*) AS n FROM {wh.raw_object('ENCOUNTER_EVENTS')}")[0]["n"])
        assert kept < total
        feed = FeedLoad(find_partitions(layout), run_id="test")
        with pytest.raises(LoadError, match="load metadata says partition") as caught:
            wh.load_tables(find_sources(layout), SILENT, feed)
        assert "--reload-changed" in (caught.value.hint or "")
        rows = wh.fetch_rows(f"SELECT COUNT(*) AS n FROM {wh.raw_object('ENCOUNTER_EVENTS')}")
        assert int(rows[0]["n"]) == kept  # rolled back: nothing appended
        ledger_after = wh.fetch_rows(f"SELECT COUNT(*) AS n FROM {wh.raw_object('FEED_LOAD_LEDGER')}")
        assert int(ledger_after[0]["n"]) == len(_feed_files(folder)) - 10


@pytest.mark.snowflake
def test_snowflake_refuses_a_changed_partition_and_reloads_it_with_the_flag(
    folder: Path, snowflake_overrides: dict
) -> None:
    load(output_dir=folder, **snowflake_overrides)
    changed = _partition_with_rows(folder)
    rows_before = _data_rows(changed)
    _change(changed)
    with pytest.raises(LoadError, match="changed since it was loaded"):
        load(output_dir=folder, **snowflake_overrides)
    result = load(output_dir=folder, reload_changed=True, **snowflake_overrides)
    assert result.feed["encounter_events"].partitions_replaced == 1
    name = changed.relative_to(OutputLayout(folder).data_dir / "feed").as_posix()
    with open_warehouse(**snowflake_overrides) as wh:
        rows = wh.fetch_rows(
            f"SELECT COUNT(*) AS n FROM {wh.raw_object('ENCOUNTER_EVENTS')} WHERE \"_SOURCE_FILE\" = '{name}'"
        )
        assert int(rows[0]["n"]) == rows_before - 1


@pytest.mark.snowflake
def test_snowflake_restart_empties_the_feed_models(tmp_path: Path, snowflake_overrides: dict) -> None:
    """On Snowflake too, a new simulation's load empties the feed's incremental models and snapshots (here a
    stand-in table of the same name in ANALYTICS) in the load's transaction, and keeps other tables."""
    out = tmp_path / "out"
    write_raw(out, patients=40, stays=90, start=START, end=dt.date(2024, 1, 31))
    load(output_dir=out, **snowflake_overrides)
    with open_warehouse(**snowflake_overrides) as wh:
        for name in ("FCT_ENCOUNTERS", "PATIENTS_DEMOGRAPHICS"):
            table = wh.qualified(wh.analytics_schema, name)
            wh.execute(f"CREATE OR REPLACE TABLE {table} (n INTEGER)")
            wh.execute(f"INSERT INTO {table} VALUES (1)")
    write_raw(out, patients=55, stays=120, seed=2, start=START, end=dt.date(2024, 1, 31))
    assert load(output_dir=out, **snowflake_overrides).feed_restarted is not None
    with open_warehouse(**snowflake_overrides) as wh:
        count = {
            name: int(wh.fetch_rows(f"SELECT COUNT(*) AS n FROM {wh.qualified(wh.analytics_schema, name)}")[0]["n"])
            for name in ("FCT_ENCOUNTERS", "PATIENTS_DEMOGRAPHICS")
        }
    assert count == {"FCT_ENCOUNTERS": 0, "PATIENTS_DEMOGRAPHICS": 1}
