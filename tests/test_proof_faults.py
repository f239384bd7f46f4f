"""Faults: each leaves one clear line, a non-zero exit, and the earlier good data as it was.

- generate killed mid-write (SIGINT, SIGKILL): no partial file under a final name; the next run succeeds;
- the Snowflake server (fakesnow, in its own process) killed in the middle of a load: a clear error, the
  previous tables intact after the server comes back, and a rerun loads every row exactly once;
- the DuckDB file locked by another process: every step that opens it fails with one line;
- the output folder read-only (a read-only bind mount: we run as root, so chmod would not stop writes);
- a raw file corrupted after generate: load names the table and the file, the previous tables stay.
"""

from __future__ import annotations

import _thread
import contextlib
import csv
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import helpers.proof as ps
from helpers import clean_env
from hospital_analytics.cli import RichProgress
from hospital_analytics.config import Settings
from hospital_analytics.fsutil import TMP_MARK
from hospital_analytics.layout import RAW_TABLES, OutputLayout
from hospital_analytics.schema import column_names


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> ps.SharedRun:
    return ps.shared_run(tmp_path_factory)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- generate interrupted -------------------------------------------------------------------------------
# Big enough that writing takes a second or two here, small enough to keep the test short.
BIG = ["--patients", "100000", "--hospitalizations", "200000", "--seed", "7"]


def _generate(out: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSPITAL_", "SNOWFLAKE_"))}
    return subprocess.Popen(
        [sys.executable, "-m", "hospital_analytics", "generate", "--out", str(out), "--json", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=out.parent,
    )


def _temporaries(out: Path) -> list[Path]:
    """Our temporaries under data/, listed while generate may be removing folders (data/state, an old set):
    os.walk skips a folder that vanishes mid-walk, where Path.rglob raises FileNotFoundError."""
    found = []
    for folder, dirs, files in os.walk(OutputLayout(out).data_dir):
        found += [Path(folder) / name for name in (*dirs, *files) if name.startswith(TMP_MARK)]
    return found


def _final_files(out: Path) -> dict[str, Path]:
    layout = OutputLayout(out)
    return {t: layout.csv(t) for t in RAW_TABLES}


def _assert_complete_csv(table: str, path: Path) -> None:
    data = path.read_bytes()
    header = next(csv.reader([data.split(b"\n", 1)[0].decode()]))
    assert header == column_names(table), (path, header)
    assert data.endswith(b"\n"), f"{path} ends mid-line"


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One folder per signal, each first holding a small good run; then the big run is killed mid-write
    (once a temporary file holds data) and the folder inspected; then the same big run again, whole."""
    outcomes = {}
    for sig in (signal.SIGINT, signal.SIGKILL):
        out = tmp_path_factory.mktemp(f"generate_{sig.name}") / "out"
        out.parent.mkdir(exist_ok=True)
        good = _generate(out, "--patients", "50", "--hospitalizations", "100", "--seed", "1")
        assert good.wait(120) == 0, good.stderr.read()
        before = {t: _sha(p) for t, p in _final_files(out).items()}
        proc = _generate(out, *BIG)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if any(p.stat().st_size > 0 for p in _temporaries(out) if p.exists()):
                break
            time.sleep(0.01)
        assert proc.poll() is None, "generate ended before it could be interrupted: make BIG bigger"
        mid_write = [p.name for p in _temporaries(out)]
        proc.send_signal(sig)
        code = proc.wait(120)
        stderr = proc.stderr.read().decode()
        after = {t: _sha(p) for t, p in _final_files(out).items()}
        for table, path in _final_files(out).items():
            _assert_complete_csv(table, path)
        leftovers = [p.name for p in _temporaries(out)]
        manifest_after = OutputLayout(out).read_manifest()
        rerun = _generate(out, *BIG)
        rerun_code = rerun.wait(300)
        outcomes[sig.name] = dict(
            out=out,
            code=code,
            stderr=stderr,
            before=before,
            after=after,
            mid_write=mid_write,
            leftovers=leftovers,
            manifest_after=manifest_after,
            rerun_code=rerun_code,
            rerun_stderr=rerun.stderr.read().decode(),
            new={t: _sha(p) for t, p in _final_files(out).items()},
        )
    return outcomes


@pytest.mark.slow  # end to end on the shared run-all, or a killed process
@pytest.mark.parametrize("sig", ["SIGINT", "SIGKILL"])
def test_interrupted_generate_leaves_no_partial_file_and_the_next_run_succeeds(interrupted: dict, sig: str) -> None:
    o = interrupted[sig]
    assert o["mid_write"], "no temporary file seen: the run was not interrupted mid-write"
    if sig == "SIGINT":
        assert o["code"] == 130
        errors = [line for line in o["stderr"].splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and "interrupted" in errors[0], o["stderr"]
        assert "Traceback" not in o["stderr"]
        assert o["leftovers"] == [], "SIGINT must remove its temporary files"
    else:
        assert o["code"] == -signal.SIGKILL  # nothing can run: what is left must still be safe
    # Under every final name: the earlier good file, or a complete new one; never a part of one.
    for table, digest in o["after"].items():
        assert digest in (o["before"][table], o["new"][table]), f"{table}: a file of neither run"
    # The manifest (a complete set's certificate) describes the files under the final names: the previous
    # run's, still whole (the new set is switched in only once complete), or none while a switch was cut.
    manifest = o["manifest_after"]
    assert manifest is None or (manifest["seed"] == 1 and o["after"] == o["before"]), manifest
    # The next run succeeds, removes what a killed run left, and writes the same bytes as any other run
    # with that seed (the two folders' reruns are compared).
    assert o["rerun_code"] == 0, o["rerun_stderr"]
    assert _temporaries(o["out"]) == []
    assert OutputLayout(o["out"]).manifest.is_file()
    assert interrupted["SIGINT"]["new"] == interrupted["SIGKILL"]["new"]


# --- the Snowflake server stopped in the middle of a load ------------------------------------------------
class StopServerAfterFirstTable(RichProgress):
    """The CLI's progress display, which also kills the server once the first table is copied (inside the
    load's transaction, before the second table's DELETE)."""

    def __init__(self, server: ps.FakesnowProcess):
        super().__init__(enabled=False)
        self.server = server
        self.totals: dict[str, float | None] = {}
        self.counts: dict[str, float] = {}
        self.finished: list[str] = []

    def update(self, name: str, inc: float = 1, total: float | None = None) -> None:
        super().update(name, inc, total)
        self.totals[name] = total if total is not None else self.totals.get(name)
        self.counts[name] = self.counts.get(name, 0) + inc
        if inc and self.counts[name] == self.totals[name]:  # a table is copied
            self.finished.append(name)
            if len(self.finished) == 1:
                self.server.kill()


@pytest.mark.slow  # end to end on the shared run-all, or a killed process
@pytest.mark.snowflake
def test_snowflake_server_stopped_mid_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hospital_analytics import cli
    from hospital_analytics.simulation import generate
    from hospital_analytics.warehouse.loading import load

    database = "T_PROOF_STOPPED"
    server = ps.FakesnowProcess(tmp_path / "fakesnow", (database,))
    server.start()
    try:
        out = tmp_path / "out"
        fields = server.settings_fields(database)
        settings = Settings(output_dir=out, **fields)
        generate(settings, patients=40, hospitalizations=80, seed=1)
        load(settings)
        good = ps.raw_content(settings)
        assert len(good["hospitalizations"]) == OutputLayout(out).read_manifest()["rows"]["hospitalizations"] > 40

        generate(settings, patients=60, hospitalizations=120, seed=2)  # the load that will be cut
        for name, value in server.env(database).items():
            monkeypatch.setenv(name, value)
        killer = StopServerAfterFirstTable(server)
        monkeypatch.setattr(cli, "progress_for", lambda as_json: killer)
        started = time.monotonic()
        # Without a bound on the connector's retries the load would wait forever (and so would its ROLLBACK
        # and clean-up): interrupt it every 5 s from 60 s on, so the CLI exits 130 and the assertions below
        # fail, rather than hang the test run.
        done = threading.Event()

        def watchdog() -> None:
            if not done.wait(60):
                while not done.wait(5):
                    _thread.interrupt_main()

        threading.Thread(target=watchdog, daemon=True).start()
        try:
            result = ps.invoke("load", "--out", str(out))
        finally:
            done.set()
        took = time.monotonic() - started
        line = ps.assert_one_error(result, 1, "stopped answering")
        assert killer.finished == ["patients"], killer.finished
        assert "doctors" in line and f"{server.port}" in line, line
        assert took < 60, f"the failed load took {took:.0f} s to give up"

        server.start()  # the server comes back with what it had committed
        assert ps.raw_content(settings) == good, "the interrupted load changed the previous tables"

        monkeypatch.setattr(cli, "progress_for", lambda as_json: RichProgress(enabled=False))
        result = ps.invoke("load", "--out", str(out))
        assert result.exit_code == 0, result.output
        loaded = ps.raw_content(settings)
        layout = OutputLayout(out)
        import pyarrow.csv as pacsv

        for table in RAW_TABLES:
            expected = pacsv.read_csv(layout.csv(table)).num_rows
            assert len(loaded[table]) == expected, table
        rows = layout.read_manifest()["rows"]  # --hospitalizations is a rate: the files say how many
        ids = [row["hospitalization_id"] for row in _as_dicts(loaded, "hospitalizations")]
        assert sorted(ids) == list(range(1, rows["hospitalizations"] + 1)), "every stay exactly once"
        patient_ids = [row["patient_id"] for row in _as_dicts(loaded, "patients")]
        assert sorted(patient_ids) == list(range(1, rows["patients"] + 1))
    finally:
        server.kill()


def _as_dicts(content: dict, table: str) -> list[dict]:
    """Rows of ``raw_content`` (tuples, columns in name order) as dicts."""
    names = sorted(column_names(table))
    return [dict(zip(names, row, strict=True)) for row in content[table]]


# --- the DuckDB file locked by another process ------------------------------------------------------------
_HOLD = r"""
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(600)
"""


@contextlib.contextmanager
def _locked(path: Path):
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait(30)


@pytest.mark.slow  # end to end on the shared run-all, or a killed process
@pytest.mark.parametrize(
    "args",
    [["load"], ["transform"], ["analyze"], ["export"], ["run-all", "--from", "load"]],
    ids=["load", "transform", "analyze", "export", "run-all"],
)
def test_duckdb_locked_by_another_process(shared: ps.SharedRun, args: list[str]) -> None:
    before = ps.stable_digests(ps.file_digests(shared.out))
    raw, marts = ps.raw_content(shared.settings), ps.marts_content(shared.settings)
    with _locked(OutputLayout(shared.out).duckdb) as pid:
        result = ps.invoke(*args, "--out", str(shared.out))
    if args[0] == "transform":  # dbt-duckdb's own message, turned into one line by transform
        line = ps.assert_one_error(result, 1, "hospital.duckdb")
        assert "lock" in line.lower() or "in use" in line.lower(), line
    else:
        line = ps.assert_one_error(result, 1, "is in use by another process")
        assert f"PID {pid}" in line, line
    assert ps.stable_digests(ps.file_digests(shared.out)) == before
    assert ps.raw_content(shared.settings) == raw and ps.marts_content(shared.settings) == marts


# --- the output folder read-only --------------------------------------------------------------------------
@contextlib.contextmanager
def _read_only(folder: Path):
    """``folder`` as a read-only bind mount of itself (root ignores permission bits, not a read-only mount)."""
    bound = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True, text=True)
    if bound.returncode != 0:
        pytest.skip(f"cannot bind-mount here ({bound.stderr.strip()}); see test_output_folder_is_a_file")
    try:
        ro = subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True, text=True)
        if ro.returncode != 0:
            pytest.skip(f"cannot remount read-only here ({ro.stderr.strip()})")
        probe = folder / ".probe"
        with pytest.raises(OSError):
            probe.write_text("x")  # the mount really refuses writes, even to root
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.slow  # end to end on the shared run-all, or a killed process
@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["generate"], 2, "is not writable"),
        (["load"], 2, "is not writable"),
        (["transform"], 2, "is not writable"),
        (["analyze"], 2, "is not writable"),
        (["export"], 2, "is not writable"),
        (["run-all"], 2, "is not writable"),
        (["run-all", "--from", "analyze"], 2, "is not writable"),
    ],
    ids=["generate", "load", "transform", "analyze", "export", "run-all", "run-all-from-analyze"],
)
def test_output_folder_read_only(shared: ps.SharedRun, args: list[str], code: int, expected: str) -> None:
    before = ps.file_digests(shared.out)
    with _read_only(shared.out):
        result = ps.invoke(*args, "--out", str(shared.out))
    ps.assert_one_error(result, code, expected)
    assert ps.file_digests(shared.out) == before


def test_output_folder_is_a_file(tmp_path: Path) -> None:
    """What the product checks without any mount: an output path that is a file (exit 2, nothing written)."""
    target = tmp_path / "not-a-folder"
    target.write_text("keep me\n")
    for command in ("generate", "run-all"):
        result = ps.invoke(command, "--out", str(target))
        ps.assert_one_error(result, 2, "is a file")
    assert target.read_text() == "keep me\n"


# --- a raw file corrupted after generate ------------------------------------------------------------------
def _truncate_mid_line(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 7])


def _bad_date_same_size(path: Path) -> None:
    """Month 13 in the first date of row 5: same length, so the manifest's row and byte counts still match
    and only the warehouse's typed read can tell."""
    lines = path.read_bytes().split(b"\n")
    lines[5], n = re.subn(rb"(\d{4})-\d{2}-(\d{2})", rb"\1-13-\2", lines[5], count=1)
    assert n == 1, lines[5]
    path.write_bytes(b"\n".join(lines))


def _header_renamed(path: Path) -> None:
    data = path.read_bytes()
    header, rest = data.split(b"\n", 1)
    path.write_bytes(header.replace(b"patient_id", b"patient_jd") + b"\n" + rest)


def _binary_garbage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = os.urandom(64).replace(b"\n", b"x")
    path.write_bytes(bytes(data))


def _extra_field(path: Path) -> None:
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3] + b",surplus"
    path.write_bytes(b"\n".join(lines))


CORRUPTIONS = {
    "truncated mid-line": _truncate_mid_line,
    "bad date, same size": _bad_date_same_size,
    "header renamed": _header_renamed,
    "binary garbage": _binary_garbage,
    "extra field": _extra_field,
}


@pytest.fixture(scope="module")
def corrupt_setup(tmp_path_factory: pytest.TempPathFactory):
    """A folder loaded with seed 1, then regenerated with seed 2 (not loaded); a pristine copy of seed 2."""
    from hospital_analytics.simulation import generate
    from hospital_analytics.warehouse.loading import load

    root = tmp_path_factory.mktemp("corrupt")
    with clean_env(root):
        settings = Settings(output_dir=root / "out")
        generate(settings, patients=50, hospitalizations=100, seed=1)
        load(settings)
        good = ps.raw_content(settings)
        generate(settings, patients=70, hospitalizations=140, seed=2)
        pristine = root / "pristine"
        shutil.copytree(settings.layout.data_dir, pristine)
    return settings, good, pristine


@pytest.mark.parametrize("table", ["hospitalizations", "patients"])
@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_corrupted_raw_file_names_table_and_file(corrupt_setup, corruption: str, table: str) -> None:
    settings, good, pristine = corrupt_setup
    data_dir = settings.layout.data_dir
    shutil.rmtree(data_dir)
    shutil.copytree(pristine, data_dir)
    path = settings.layout.csv(table)
    before = path.read_bytes()
    CORRUPTIONS[corruption](path)
    assert path.read_bytes() != before
    result = ps.invoke("load", "--out", str(settings.output_dir))
    line = ps.assert_one_error(result, 1, f"{table}")
    assert line.startswith(f"Error: {table}: ") and f"{table}.csv" in line, line
    assert ps.raw_content(settings) == good, "the previous tables changed"
