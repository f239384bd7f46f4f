"""Files and temporaries: everything is written under a temporary name and renamed into place, scratch
folders are removed however the block ends, and output folders are checked before anything is written.

Every temporary file or folder the package makes goes through this module.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hospital_analytics.errors import InputError

TMP_MARK = ".tmp-"


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it to ``final`` only if the block succeeds.

    An interrupted or failed write leaves nothing under the final name (the previous file, if any,
    stays as it was) and removes its temporary file.
    """
    final = Path(final)
    tmp = final.with_name(f"{TMP_MARK}{os.getpid()}-{final.name}")
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def temporary_dir(prefix: str) -> Iterator[Path]:
    """A scratch folder in the system's temporary folder, removed with everything in it when the block ends."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield Path(folder)


def remove_stale_temporaries(folder: Path) -> None:
    """Delete temporary files a killed run left behind in ``folder``."""
    if folder.is_dir():
        for leftover in folder.glob(f"{TMP_MARK}*"):
            with contextlib.suppress(OSError):
                leftover.unlink()


def ensure_writable_dir(folder: Path, what: str = "output folder") -> Path:
    """Create ``folder`` if needed and check it can be written; raise ``InputError`` otherwise."""
    folder = Path(folder)
    for parent in (folder, *folder.parents):
        if parent.exists():
            if not parent.is_dir():
                raise InputError(
                    f"The {what} {folder} cannot be created: {parent} is a file.",
                    "Choose another folder with --out (or HOSPITAL_OUTPUT_DIR).",
                )
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"The {what} {folder} cannot be created: {exc.strerror or exc}.",
            "Choose a writable folder with --out (or HOSPITAL_OUTPUT_DIR).",
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(
            f"The {what} {folder} is not writable.",
            "Choose a writable folder with --out (or HOSPITAL_OUTPUT_DIR), or fix its permissions.",
        )
    return folder
