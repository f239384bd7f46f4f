"""Byte-identity check: `hospital generate` on this tree against a reference commit's source, same settings.

    python bench/identical.py                      # reference = main's merge base (git merge-base HEAD main)
    python bench/identical.py --ref 42ca4e7 --case big

The reference commit's ``src/`` is exported with ``git archive`` into a temporary folder and run with
``PYTHONPATH`` pointing at it (same interpreter and packages), so the sums are produced by a reference run in
the same check, never hard-coded. Every written file (CSV and Parquet) is compared by sha256; the manifest is
compared without its timings. Exit 1 on any difference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "small": [["--hospitalizations", "20000", "--seed", "3"], ["--scale", "10", "--seed", "5"]],
    "big": [
        ["--hospitalizations", "200000", "--seed", "11"],
        ["--hospitalizations", "20000", "--hospitals", "4", "--seed", "2"],
    ],
}


def _sums(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted((folder / "data").rglob("*")):
        if path.is_file() and path.suffix in (".csv", ".parquet"):
            if path == folder / "data" / "defects.csv" and path.read_text() == "table_name,record_key,defect\n":
                continue  # the empty ledger of a clean run (issue 15): a tree from before it has none
            out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = json.loads((folder / "data" / "manifest.json").read_text())
    for volatile in ("timings", "generated_at", "created_at", "seconds"):
        manifest.pop(volatile, None)
    if manifest.get("raw_text") is False and manifest.get("defects", {}).get("profile") == "none":
        manifest.pop("raw_text")  # a clean run's "no defects" keys (issue 15), absent from older trees
        manifest.pop("defects")
    out["manifest (without timings)"] = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()
    return out


def _run(src: Path, args: list[str], out: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(src))
    where = subprocess.run(
        [sys.executable, "-c", "import hospital_analytics as h; print(h.__file__)"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    if not Path(where).is_relative_to(src):
        raise SystemExit(f"{src} is not the source that runs ({where})")
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "hospital_analytics", "generate", *args, "--format", "both", "--out", str(out)],
        env=env, check=False, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"generate {' '.join(args)} failed with {src}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default=None, help="reference commit (default: merge base with main)")
    parser.add_argument("--case", choices=sorted(CASES), default="small")
    args = parser.parse_args()
    ref = (
        args.ref
        or subprocess.run(
            ["git", "merge-base", "HEAD", "main"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
    )
    failed = 0
    with tempfile.TemporaryDirectory(prefix="identical-") as tmp:
        ref_root = Path(tmp, "ref")
        ref_root.mkdir()
        archive = subprocess.run(["git", "archive", ref, "src"], cwd=ROOT, check=True, capture_output=True).stdout
        tar_path = Path(tmp, "ref.tar")
        tar_path.write_bytes(archive)
        with tarfile.open(tar_path) as tar:
            tar.extractall(ref_root, filter="data")
        for i, case in enumerate(CASES[args.case]):
            a, b = Path(tmp, f"ref-{i}"), Path(tmp, f"new-{i}")
            ta = _run(ref_root / "src", case, a)
            tb = _run(ROOT / "src", case, b)
            sa, sb = _sums(a), _sums(b)
            diff = sorted(k for k in sa.keys() | sb.keys() if sa.get(k) != sb.get(k))
            status = "identical" if not diff else f"DIFFERENT: {', '.join(diff)}"
            print(f"{' '.join(case)}: {len(sa)} files, ref {ta:.1f} s, this tree {tb:.1f} s: {status}")
            failed += bool(diff)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
