"""Hostile input and faults the CLI must turn into one line (issue 10): .env encoding, ~ in paths, Ctrl-C,
a full disk, NUL bytes and odd decimals in raw files, spreadsheet formulas in CSV exports, mathtext in labels."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from helpers.proof import assert_one_error, invoke
from helpers.raw import write_raw
from hospital_analytics.config import load_settings
from hospital_analytics.errors import ConfigError, LoadError
from hospital_analytics.layout import OutputLayout
from hospital_analytics.warehouse.loading import load

SMALL = ["--patients", "40", "--doctors", "6", "--hospitalizations", "90"]


def test_env_file_not_utf8_is_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"HOSPITAL_SEED=3\nHOSPITAL_LOCALE=caf\xe9\n")
    result = invoke("generate", "--out", str(tmp_path / "out"), *SMALL)
    line = assert_one_error(result, 2, "is not valid UTF-8")
    assert str(tmp_path / ".env") in line
    assert not (tmp_path / "out").exists()


def test_tilde_in_env_file_means_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (work / ".env").write_text("HOSPITAL_OUTPUT_DIR=~/proj\n")
    assert load_settings().output_dir == home / "proj"
    result = invoke("generate", *SMALL)
    assert result.exit_code == 0, result.output
    assert (home / "proj" / "data" / "csv" / "patients.csv").is_file()
    assert not (work / "~").exists()
    assert invoke("load").exit_code == 0
    assert (home / "proj" / "hospital.duckdb").is_file()


def test_folder_named_with_a_tilde_stays_where_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """'~tilde' is a folder of that name here (no user 'tilde'), and DuckDB gets its absolute path."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert invoke("generate", "--out", "~tilde", *SMALL).exit_code == 0
    result = invoke("load", "--out", "~tilde")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "~tilde" / "hospital.duckdb").is_file()
    assert not (tmp_path / "home").exists()


def test_selection_flags_never_reach_dbt() -> None:
    from hospital_analytics.transformation import _selection

    assert _selection(["kpis+", "tag:x stg_patients"]) == ["kpis+", "tag:x", "stg_patients"]
    for bad in ("kpis --empty", "--target-path /elsewhere", "-x"):
        with pytest.raises(ConfigError, match="not dbt selection syntax"):
            _selection(bad)


def _interrupting(exc: BaseException):
    """A step body that gets Ctrl-C, and turns it into ``exc`` as DuckDB ("Query interrupted") and dbt
    ("Connection already closed!") do."""

    def step(*args, **kwargs):
        try:
            signal.raise_signal(signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:
            raise exc from None
        raise AssertionError("SIGINT did not arrive")

    return step


@pytest.mark.parametrize(
    ("command", "module", "name", "exc"),
    [
        ("load", "hospital_analytics.warehouse.loading", "load", RuntimeError("Query interrupted")),
        ("transform", "hospital_analytics.transformation", "transform", RuntimeError("Connection already closed!")),
        ("run-all", "hospital_analytics.simulation", "generate", RuntimeError("")),
    ],
)
def test_ctrl_c_exits_130_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, module: str, name: str, exc: BaseException
) -> None:
    import importlib

    monkeypatch.setattr(importlib.import_module(module), name, _interrupting(exc))
    result = invoke(command, "--out", str(tmp_path / "out"))
    line = assert_one_error(result, 130, "interrupted (Ctrl-C)")
    assert "unexpected" not in line


@pytest.mark.slow  # a dbt build
def test_full_disk_during_transform_is_one_line(tmp_path: Path) -> None:
    """Every file dbt writes fails with ENOSPC (/dev/full): one error line, not dbt's logging tracebacks."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    out = tmp_path / "out"
    assert invoke("generate", "--out", str(out), *SMALL).exit_code == 0
    assert invoke("load", "--out", str(out)).exit_code == 0
    layout = OutputLayout(out)
    for path in (
        layout.dbt_log_dir / "dbt.log",
        layout.dbt_target_dir / "manifest.json",
        layout.dbt_target_dir / "run_results.json",
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to("/dev/full")
    result = invoke("transform", "--out", str(out))
    line = assert_one_error(result, 1, "No space left on device")
    assert str(layout.dbt_dir) in line
    assert len(result.output.splitlines()) <= 5, result.output[:2000]


def test_enospc_anywhere_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import hospital_analytics.simulation as synth

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "data"))

    monkeypatch.setattr(synth, "generate", full)
    result = invoke("generate", "--out", str(tmp_path / "out"))
    line = assert_one_error(result, 1, "No space left on device")
    assert str(tmp_path / "out" / "data") in line and "unexpected" not in line


def _edit_line(path: Path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


def test_nul_byte_in_a_text_field_is_refused_naming_table_file_and_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_raw(out)
    path = OutputLayout(out).csv("patients")
    lines = path.read_bytes().split(b"\n")
    fields = lines[2].split(b",")
    fields[1] = fields[1] + b"\x00x"
    lines[2] = b",".join(fields)
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(LoadError) as caught:
        load(output_dir=out, allow_edited=True)
    assert caught.value.message == f"patients: {path} line 3 holds a NUL byte."


def test_money_with_more_than_two_decimals_is_refused(tmp_path: Path) -> None:
    import pyarrow.csv as pacsv

    out = tmp_path / "out"
    write_raw(out)
    path = OutputLayout(out).csv("hospitalizations")
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    value = f"{table['total_charges'][4].as_py():.2f}"
    _edit_line(path, 6, value, value + "7")
    with pytest.raises(LoadError) as caught:
        load(output_dir=out, allow_edited=True)
    message = caught.value.message
    assert message.startswith(f"hospitalizations: {path} line 6: total_charges '{value}7' has more than 2 decimals")


def test_csv_export_defuses_spreadsheet_formulas(tmp_path: Path) -> None:
    """OWASP CSV injection: text starting with = + - @ tab or CR gets a leading quote in CSV; numbers and other
    text are untouched, and Parquet keeps the exact value."""
    import gzip

    import pyarrow as pa
    import pyarrow.parquet as pq

    from hospital_analytics.config import Settings
    from hospital_analytics.exports.writers import write_csv, write_parquet
    from hospital_analytics.warehouse import open_warehouse

    settings = Settings(output_dir=tmp_path)
    texts = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", "a=b", None]
    with open_warehouse(settings) as wh:
        wh.execute("CREATE SCHEMA IF NOT EXISTS t")
        wh.execute("CREATE TABLE t.x (i BIGINT, s VARCHAR, n BIGINT)")
        for i, text in enumerate(texts):
            literal = "NULL" if text is None else "'" + text.replace("'", "''") + "'"
            wh.execute(f"INSERT INTO t.x VALUES ({i}, {literal}, {-i})")
        schema = pa.schema([("i", pa.int64()), ("s", pa.string()), ("n", pa.int64())])
        sql = "SELECT i, s, n FROM t.x ORDER BY i"
        write_csv(wh, sql, schema, tmp_path / "x.csv.gz")
        write_parquet(wh, sql, schema, tmp_path / "x.parquet")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(gzip.decompress((tmp_path / "x.csv.gz").read_bytes()).decode(), newline="")))
    cells = [row[1] for row in rows[1:]]
    assert cells == ["'" + t for t in texts[:6]] + ["plain", "a=b", ""]
    assert [row[2] for row in rows[1:]] == [str(-i) for i in range(len(texts))]
    assert pq.read_table(tmp_path / "x.parquet")["s"].to_pylist() == texts


def test_chart_labels_from_data_are_plain_text() -> None:
    import io

    import matplotlib
    import pandas as pd

    matplotlib.use("Agg")
    from hospital_analytics.analysis.charts import top_diagnoses

    names = [r"Cost $\frac{a}{$ b", "x $$ y", r"back\slash $\alpha$", r"a\$b"]
    frame = pd.DataFrame(
        {
            "diagnosis_description": names,
            "diagnosis_code": ["A", "B", "C", "D"],
            "stays": [4, 3, 2, 1],
            "average_length_of_stay_days": [1.0, 2.0, 3.0, 4.0],
        }
    )
    fig = top_diagnoses(frame)
    for fmt in ("png", "svg"):
        fig.savefig(io.BytesIO(), format=fmt)  # mathtext would raise ValueError here
    shown = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert all(text.count("$") == text.count(r"\$") for text in shown), shown


def test_duckdb_memory_refused_but_lint_setting_still_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HOSPITAL_DUCKDB_PATH=:memory: keeps nothing: refused by every warehouse step; the setting itself still
    loads (.ci/run lints the dbt project with it, through dbt, not through hospital)."""
    from hospital_analytics.warehouse import make_warehouse

    monkeypatch.setenv("HOSPITAL_DUCKDB_PATH", ":memory:")
    settings = load_settings(output_dir=tmp_path)
    with pytest.raises(ConfigError, match="keeps nothing"):
        make_warehouse(settings)
    assert os.environ["HOSPITAL_DUCKDB_PATH"] == ":memory:"
