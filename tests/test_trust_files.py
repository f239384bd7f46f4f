"""Files and concurrency (issue 10): a raw set is one unit, one writer per output folder, only our own
temporaries are cleaned up."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import hospital_analytics.fsutil as fsutil
from helpers.proof import assert_one_error, invoke
from hospital_analytics.layout import RAW_TABLES, OutputLayout
from hospital_analytics.simulation import generate

SMALL = {"patients": 40, "doctors": 6, "hospitalizations": 90}


def _digests(out: Path) -> dict[str, str | None]:
    layout = OutputLayout(out)
    return {
        t: hashlib.sha256(layout.csv(t).read_bytes()).hexdigest() if layout.csv(t).is_file() else None
        for t in RAW_TABLES
    }


class _Cut(Exception):
    """A kill between two renames."""


@pytest.mark.parametrize("cut_at", range(1, 8))
def test_generate_cut_between_renames_never_leaves_a_mixed_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut_at: int
) -> None:
    """The run is stopped at its n-th rename (as a kill there would): the CSV files are all the previous run's,
    all the new run's, or absent; never some of each."""
    out = tmp_path / "out"
    generate(output_dir=out, seed=1, **SMALL)
    old = _digests(out)
    generate(output_dir=tmp_path / "other", seed=2, **SMALL)
    new = _digests(tmp_path / "other")
    calls = {"n": 0}
    real_replace, real_rename = os.replace, os.rename

    def counted(real):
        def rename(src, dst, *args, **kwargs):
            calls["n"] += 1
            if calls["n"] == cut_at:
                raise _Cut()
            return real(src, dst, *args, **kwargs)

        return rename

    monkeypatch.setattr(os, "replace", counted(real_replace))
    monkeypatch.setattr(os, "rename", counted(real_rename))
    try:
        generate(output_dir=out, seed=2, **SMALL)
    except _Cut:
        pass
    monkeypatch.undo()
    found = _digests(out)
    assert found in (old, new, dict.fromkeys(RAW_TABLES)), "a mix of two runs' files"


def test_load_refuses_the_set_a_cut_generate_leaves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a cut generate leaves, load takes the complete previous set or refuses: it never replaces the
    tables with a mixed set."""
    from hospital_analytics.errors import HospitalError
    from hospital_analytics.warehouse.loading import load

    out = tmp_path / "out"
    generate(output_dir=out, seed=1, **SMALL)
    real = {"rename": os.rename, "replace": os.replace}
    for cut_at in range(1, 8):
        calls = {"n": 0}

        def cutting(name, _cut=cut_at, _calls=calls):
            def rename(src, dst, *args, **kwargs):
                _calls["n"] += 1
                if _calls["n"] == _cut:
                    raise _Cut()
                return real[name](src, dst, *args, **kwargs)

            return rename

        with monkeypatch.context() as mp:
            mp.setattr(os, "rename", cutting("rename"))
            mp.setattr(os, "replace", cutting("replace"))
            try:
                generate(output_dir=out, seed=cut_at + 1, patients=50 + cut_at, hospitalizations=100)
            except _Cut:
                pass
        try:
            result = load(output_dir=out)
        except HospitalError:
            continue
        stays = result.tables["hospitalizations"].rows
        patients = result.tables["patients"].rows
        assert (stays == 90) == (patients == 40), f"a mixed set loaded (cut at rename {cut_at})"
        manifest = OutputLayout(out).read_manifest()
        assert manifest and (manifest["rows"]["patients"], manifest["rows"]["hospitalizations"]) == (patients, stays)


_HOLD = """
import sys, time
from hospital_analytics.fsutil import folder_lock
with folder_lock(sys.argv[1], "generate"):
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_second_writer_fails_at_once_naming_the_holder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = invoke("generate", "--out", str(out), "--patients", "40", "--hospitalizations", "90")
        took = time.monotonic() - started
        line = assert_one_error(result, 1, f"PID {holder.pid}")
        assert "running generate" in line and took < 5
        assert not OutputLayout(out).data_dir.exists()  # nothing written
        for args in (["load"], ["run-all"]):
            assert_one_error(invoke(*args, "--out", str(out)), 1, f"PID {holder.pid}")
    finally:
        holder.kill()
        holder.wait(30)
    # the holder is gone (killed: no clean-up ran): the lock is free
    assert invoke("generate", "--out", str(out), "--patients", "40", "--hospitalizations", "90").exit_code == 0


def test_lock_is_reentrant_in_one_process_and_exclusive_across(tmp_path: Path) -> None:
    with fsutil.folder_lock(tmp_path, "run-all"), fsutil.folder_lock(tmp_path, "load"):
        probe = subprocess.run(
            [sys.executable, "-c", _HOLD.replace("time.sleep(120)", "pass"), str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert probe.returncode != 0 and "FolderBusyError" in probe.stderr
        assert f"PID {os.getpid()}, running run-all" in probe.stderr
    with fsutil.folder_lock(tmp_path, "generate"):
        pass


def test_cleanup_removes_only_this_programs_dead_temporaries(tmp_path: Path) -> None:
    """The user's own ``.tmp-*`` files (also in a symlinked folder), a live process's temporaries and anything
    not named by this program stay; a dead process's temporaries go."""
    folder = tmp_path / "charts"
    folder.mkdir()
    elsewhere = tmp_path / "mine"
    elsewhere.mkdir()
    (elsewhere / ".tmp-notes.txt").write_text("mine")
    linked = tmp_path / "export"
    linked.symlink_to(elsewhere)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    keep = [
        folder / ".tmp-draft.png",
        folder / f".hospital-tmp-{os.getpid()}-kpis.png",  # ours, alive
        folder / ".hospital-tmp-x-kpis.png",  # not our pattern
    ]
    for path in keep:
        path.write_text("x")
    gone = [folder / f".hospital-tmp-{dead_pid}-kpis.png", folder / f".hospital-tmp-{dead_pid}-new-csv"]
    gone[0].write_text("x")
    gone[1].mkdir()
    (gone[1] / "patients.csv").write_text("x")
    fsutil.remove_stale_temporaries(folder)
    fsutil.remove_stale_temporaries(linked)
    assert all(path.exists() for path in keep)
    assert not any(path.exists() for path in gone)
    assert (elsewhere / ".tmp-notes.txt").read_text() == "mine"


def test_temporary_names_use_a_pattern_of_this_program() -> None:
    assert fsutil.temporary_name(Path("a/kpis.png")).name == f".hospital-tmp-{os.getpid()}-kpis.png"
