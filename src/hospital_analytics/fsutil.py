"""Files and temporaries: everything is written under a temporary name and renamed into place, a set of files
is replaced as one unit (``replaced_dir``), scratch folders are removed however the block ends, output folders
are checked before anything is written, and one writer at a time holds an output folder (``folder_lock``).

Every temporary file or folder the package makes goes through this module. Their names are
``.hospital-tmp-<pid>-<name>``: nobody else's files look like that, and a leftover is removed only once the
process that made it is gone (``remove_stale_temporaries``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hospital_analytics.errors import InputError

TMP_MARK = ".hospital-tmp-"
_TEMPORARY = re.compile(rf"^{re.escape(TMP_MARK)}(?P<pid>\d+)-")
LOCK_NAME = ".hospital.lock"


def temporary_name(final: Path, tag: str = "") -> Path:
    """This process's temporary name beside ``final`` (``.hospital-tmp-<pid>-[<tag>-]<name>``)."""
    final = Path(final)
    return final.with_name(f"{TMP_MARK}{os.getpid()}-{tag + '-' if tag else ''}{final.name}")


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it to ``final`` only if the block succeeds.

    An interrupted or failed write leaves nothing under the final name (the previous file, if any,
    stays as it was) and removes its temporary file.
    """
    final = Path(final)
    tmp = temporary_name(final)
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def replaced_dir(final: Path) -> Iterator[Path]:
    """Yield a new, empty private folder beside ``final``; when the block succeeds it takes ``final``'s place
    with one rename (the previous folder is moved aside first, then removed).

    A reader of ``final`` sees the old set of files or the new one, never a mix: at worst, for the instant
    between the two renames (or after a kill -9 there), no folder at all. A failed block removes the new folder.
    """
    final = Path(final)
    new = temporary_name(final, "new")
    old = temporary_name(final, "old")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    try:
        yield new
        if final.is_symlink() or final.is_file():
            final.unlink()
        elif final.exists():
            os.rename(final, old)
        os.rename(new, final)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        if old.exists() and not final.exists():
            os.rename(old, final)  # put the previous set back
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def temporary_dir(prefix: str) -> Iterator[Path]:
    """A scratch folder in the system's temporary folder, removed with everything in it when the block ends."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield Path(folder)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_temporaries(folder: Path) -> None:
    """Delete the temporaries (files or folders) that a killed run of this program left in ``folder``: only
    names ``.hospital-tmp-<pid>-...`` whose process is gone; never a symbolic link or anything else."""
    if not folder.is_dir():
        return
    for leftover in folder.iterdir():
        match = _TEMPORARY.match(leftover.name)
        if not match or leftover.is_symlink() or _alive(int(match["pid"])):
            continue
        with contextlib.suppress(OSError):
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
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


_HELD: dict[str, list[int]] = {}  # resolved folder -> [lock file descriptor, depth]: re-entrant in a process


@contextlib.contextmanager
def folder_lock(root: Path, step: str, *, create: bool = False) -> Iterator[None]:
    """Hold ``root``'s writer lock (``.hospital.lock``, an ``flock``) for the block: a second writer on the same
    folder fails at once, naming the holder's PID and step. The system releases it when the process ends,
    kill -9 included. Re-entrant within a process (run-all's steps). Where the lock file cannot be made (no
    folder and ``create`` is false, a read-only folder, no ``flock``), the step runs unlocked and reports
    the folder's problem itself.

    Raises:
        FolderBusyError: another process holds the lock.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX
        yield
        return
    from hospital_analytics.errors import FolderBusyError

    root = Path(root)
    try:
        if create:
            root.mkdir(parents=True, exist_ok=True)
        key = str(root.resolve())
    except OSError:
        yield
        return
    if key in _HELD:
        _HELD[key][1] += 1
        try:
            yield
        finally:
            _HELD[key][1] -= 1
        return
    try:
        fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            holder = os.pread(fd, 200, 0).decode(errors="replace").split()
            pid, what = (holder + ["?", "?"])[:2]
            raise FolderBusyError(
                f"The output folder {root} is in use by another hospital process (PID {pid}, running {what}).",
                f"Wait for PID {pid} to finish, or use another folder with --out (or HOSPITAL_OUTPUT_DIR).",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {step}\n".encode(), 0)
        _HELD[key] = [fd, 1]
        try:
            yield
        finally:
            del _HELD[key]
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the flock
