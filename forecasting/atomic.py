"""Atomic file writes: a temp file in the target folder, then ``os.replace``.

A crash, a full disk or bad input part-way through never leaves half a file at the target, and
an existing file is only replaced by a complete one. Every CLI command writes through here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from forecasting.errors import UserInputError


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; the folder must exist (clear error if not)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserInputError(f"output folder {str(folder)!r} does not exist")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_csv_atomic(df: pd.DataFrame, path: str | os.PathLike, **to_csv: object) -> Path:
    """``df.to_csv`` (no index unless asked) written atomically."""
    to_csv.setdefault("index", False)
    text = df.to_csv(**to_csv)
    return write_bytes_atomic(path, text.encode("utf-8"))
