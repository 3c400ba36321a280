"""The limits a user file and a user horizon must respect, and how a user value is quoted.

One horizon check for every entry point (CLI predict/backtest/batch, ``frames.forecast_frame``,
the upload page): ``validate_horizon`` and ``MAX_HORIZON``.
"""

from __future__ import annotations

import os
import re

import numpy as np

from forecasting.core.errors import UserInputError

MIN_POINTS = 4            # fewer points cannot be backtested or fitted meaningfully
MAX_HORIZON = 120         # 10 years of monthly steps; longer is extrapolation theatre
MAX_ABS_Y = 1e12          # beyond this a value is almost surely a unit/parse mistake
DEFAULT_MAX_MB = 50.0
SINGLE_SERIES_ID = "series_1"
EXPECTED_HEADER = "series_id,ds,y"


def max_upload_bytes(max_bytes: int | None = None) -> int:
    """The size limit: argument, else env MLTALENT_MAX_UPLOAD_MB, else 50 MB."""
    if max_bytes is not None:
        return int(max_bytes)
    raw = os.environ.get("MLTALENT_MAX_UPLOAD_MB", "").strip()
    if not raw:
        return int(DEFAULT_MAX_MB * 1024 * 1024)
    try:
        mb = float(raw)
    except ValueError:
        raise UserInputError(f"MLTALENT_MAX_UPLOAD_MB must be a number of megabytes, "
                             f"got {_show(raw)}") from None
    if not np.isfinite(mb) or mb <= 0:
        raise UserInputError(f"MLTALENT_MAX_UPLOAD_MB must be positive, got {_show(raw)}")
    return int(mb * 1024 * 1024)


def validate_horizon(h: object, *, max_h: int = MAX_HORIZON) -> int:
    """Turn a user horizon (int or text) into an int in 1..max_h, or refuse with why."""
    if isinstance(h, bool):
        raise UserInputError(f"horizon must be a whole number of periods, got {h!r}")
    if isinstance(h, str):
        text = h.strip()
        if not re.fullmatch(r"[+-]?\d+", text):
            raise UserInputError(f"horizon must be a whole number of periods, got {_show(h)}")
        value = int(text)
    elif isinstance(h, (int, np.integer)) or (
            isinstance(h, (float, np.floating)) and float(h).is_integer()):
        value = int(h)
    else:
        raise UserInputError(f"horizon must be a whole number of periods, got {_show(str(h))}")
    if value < 1:
        raise UserInputError(f"horizon must be at least 1 period, got {value}")
    if value > max_h:
        raise UserInputError(f"horizon {value} is too long: at most {max_h} periods")
    return value


def _show(value: object, limit: int = 40) -> str:
    """repr() of a user value, truncated, so messages stay one line and safe to print."""
    text = str(value)
    if len(text) > limit:
        return repr(text[:limit]) + "..."
    return repr(text)
