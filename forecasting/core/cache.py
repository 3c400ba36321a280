"""The disk cache: one artefact per file, named by a hash of what it was built from.

Why one module: parsed raw files, fitted models, calibrations and projections are all kept the
same way, so they all get the same guarantees. A file is read back only if it loads and passes
``valid``; anything else (missing, truncated, a pickle of a class whose module moved) is a miss
and is rebuilt, never trusted. A new file is written atomically (a concurrent reader never sees
half a file), then the older keys beside it (``stale_glob``) are removed. A read-only folder only
costs the rebuild next time.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from forecasting.core.atomic import write_via_temp

T = TypeVar("T")


def read_frame(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path)


def write_frame(frame: pd.DataFrame, tmp: str) -> None:
    frame.to_parquet(tmp, index=False)


def read_pickle(path: Path) -> Any:
    with open(path, "rb") as fh:
        return pickle.load(fh)


def write_pickle(obj: Any, tmp: str) -> None:
    with open(tmp, "wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)


def load(path: str | Path, read: Callable[[Path], T],
         valid: Callable[[T], bool] | None = None) -> T | None:
    """The artefact at ``path``, or None when it is missing, unreadable or not ``valid``."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        obj = read(path)
    except Exception:  # damaged or from older code: a miss, rebuilt by the caller
        return None
    return obj if valid is None or valid(obj) else None


def store(path: str | Path, obj: T, write: Callable[[T, str], object],
          stale_glob: str | None = None, *, strict: bool = False) -> None:
    """Write ``obj`` to ``path`` atomically, then remove the files matching ``stale_glob`` beside
    it (older keys). An OSError (read-only or missing folder) is ignored unless ``strict``."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_via_temp(path, lambda tmp: write(obj, tmp))
        if stale_glob:
            for old in path.parent.glob(stale_glob):
                if old != path:
                    old.unlink(missing_ok=True)
    except OSError:
        if strict:
            raise


def load_or_build(path: str | Path, build: Callable[[], T], *, read: Callable[[Path], T],
                  write: Callable[[T, str], object], stale_glob: str | None = None,
                  valid: Callable[[T], bool] | None = None, rebuild: bool = False) -> T:
    """Read the artefact at ``path`` (unless ``rebuild``), or ``build()`` it and store it."""
    if not rebuild:
        obj = load(path, read, valid)
        if obj is not None:
            return obj
    obj = build()
    store(path, obj, write, stale_glob)
    return obj


def cached_frame(path: str | Path, stale_glob: str | None,
                 build: Callable[[], pd.DataFrame], rebuild: bool = False) -> pd.DataFrame:
    """A DataFrame kept as parquet at ``path`` (see the module docstring)."""
    return load_or_build(path, build, read=read_frame, write=write_frame,
                         stale_glob=stale_glob, rebuild=rebuild)


def cached_pickle(path: str | Path, stale_glob: str | None, build: Callable[[], T],
                  valid: Callable[[T], bool] | None = None, rebuild: bool = False) -> T:
    """Any picklable object kept at ``path``; ``valid`` rejects a loaded object (wrong type or
    key) so it is rebuilt."""
    return load_or_build(path, build, read=read_pickle, write=write_pickle,
                         stale_glob=stale_glob, valid=valid, rebuild=rebuild)
