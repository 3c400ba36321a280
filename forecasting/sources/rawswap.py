"""Swap a staged raw-data folder into ``data/raw`` so that, whenever the process dies, data/raw
is the complete old set or the complete new one, never a mix.

data/raw stays an ordinary tracked folder (a fresh clone is unchanged; after an update git shows
the changed files, ready to commit or to discard). The new set is staged as a full copy beside
it (``data/.raw-staging-*``, same file system), flushed to disk, and then:

- Linux: one ``renameat2(RENAME_EXCHANGE)`` call swaps the two folders atomically; the old set
  is then under the staging name and is deleted.
- elsewhere (or ``MLTALENT_SWAP_MODE=rename``): a journal names both folders, then two renames
  (raw -> .raw-old-*, staging -> raw). Killed between them, data/raw is missing for a moment:
  ``recover`` (run by every update-data start, and by ``files.raw_dir`` when data/raw is
  missing) puts the old set back.

``recover`` also deletes what an interrupted run leaves behind (staging and old folders, temp
files). Only one update runs at a time (``locked``).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from forecasting.core.errors import UserInputError

LOCK_NAME = ".update-data.lock"
STAGING_PREFIX = ".raw-staging-"
OLD_PREFIX = ".raw-old-"
JOURNAL_NAME = ".raw-swap.json"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class UpdateBusy(UserInputError):
    """Another update-data holds the lock."""


def step(label: str) -> None:
    """A point between two steps of the swap. ``MLTALENT_UPDATE_STEP_DELAY`` (seconds) slows
    each step down, so tests can kill the process at random points of the swap."""
    delay = os.environ.get("MLTALENT_UPDATE_STEP_DELAY")
    if delay:
        time.sleep(float(delay))


@contextlib.contextmanager
def locked(data_dir: Path) -> Iterator[None]:
    """Hold ``data/.update-data.lock`` (flock; released by the kernel if the process dies)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, still safe for one user
        yield
        return
    with open(Path(data_dir) / LOCK_NAME, "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UpdateBusy(f"another update-data is running ({Path(data_dir) / LOCK_NAME} "
                             "is locked)") from None
        yield


def _fsync_path(path: Path, directory: bool = False) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """Flush every file and folder under ``root`` (the staged set must be on disk before it
    becomes data/raw, or a power cut after the swap could leave empty files)."""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            _fsync_path(Path(folder) / name)
        _fsync_path(Path(folder), directory=True)


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False when not supported here."""
    if not sys.platform.startswith("linux") or os.environ.get("MLTALENT_SWAP_MODE") == "rename":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, f"renameat2 exchange failed: {os.strerror(err)}", str(a))


def swap(data_dir: Path, staged: Path) -> str:
    """Make ``staged`` (a complete raw set under data_dir) the new data/raw; delete the old set.
    Returns the method used ("exchange" or "rename")."""
    data_dir = Path(data_dir)
    raw = data_dir / "raw"
    fsync_tree(staged)
    _fsync_path(data_dir, directory=True)
    step("flushed")
    if exchange(staged, raw):
        _fsync_path(data_dir, directory=True)
        step("exchanged")
        shutil.rmtree(staged, ignore_errors=True)  # now the old set
        return "exchange"
    old = data_dir / (OLD_PREFIX + staged.name[len(STAGING_PREFIX):])
    journal = data_dir / JOURNAL_NAME
    tmp = journal.with_suffix(".tmp")
    tmp.write_text(json.dumps({"old": old.name, "new": staged.name}))
    _fsync_path(tmp)
    os.replace(tmp, journal)
    _fsync_path(data_dir, directory=True)
    step("journal written")
    os.rename(raw, old)
    _fsync_path(data_dir, directory=True)
    step("old set moved aside")
    os.rename(staged, raw)
    _fsync_path(data_dir, directory=True)
    step("new set in place")
    journal.unlink()
    _fsync_path(data_dir, directory=True)
    shutil.rmtree(old, ignore_errors=True)
    return "rename"


def _finish_journal(data_dir: Path) -> str | None:
    """Settle an interrupted two-rename swap. Returns what was done (None: no journal)."""
    journal = data_dir / JOURNAL_NAME
    if not journal.is_file():
        return None
    raw = data_dir / "raw"
    try:
        names = json.loads(journal.read_text())
        old = data_dir / names["old"]
    except (OSError, ValueError, KeyError, TypeError):
        old = None
    if not raw.is_dir():
        if old is None or not old.is_dir():
            raise UserInputError(f"{raw} is missing and the swap journal {journal} does not name "
                                 "a folder to restore; restore data/raw from git")
        os.rename(old, raw)  # killed between the two renames: put the old set back
        done = "restored the previous data/raw (an update was interrupted mid-swap)"
    else:
        done = "cleaned up after an interrupted update"
    _fsync_path(data_dir, directory=True)
    journal.unlink()
    return done


def recover(data_dir: Path) -> list[str]:
    """After a killed update: restore data/raw if it is missing, delete staging/old folders and
    temp files. Call with the lock held. Returns notes of what was done."""
    data_dir = Path(data_dir)
    notes = []
    done = _finish_journal(data_dir)
    if done:
        notes.append(done)
    junk = [p for p in data_dir.iterdir()
            if p.name.startswith((STAGING_PREFIX, OLD_PREFIX))
            or (p.name.startswith(".SOURCES.md.") and p.name.endswith(".tmp"))
            or p.name == JOURNAL_NAME[:-5] + ".tmp"]
    for p in junk:
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    if junk:
        notes.append(f"removed {len(junk)} leftover(s) of an interrupted update")
    return notes


def restore_if_interrupted(data_dir: Path) -> None:
    """data/raw is missing: if a swap journal says why, restore it (unless an update is running,
    which will finish the swap itself)."""
    if not (Path(data_dir) / JOURNAL_NAME).is_file():
        return
    try:
        with locked(data_dir):
            _finish_journal(Path(data_dir))
    except (UpdateBusy, OSError):
        pass
