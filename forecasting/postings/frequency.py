"""Frequency of a date column: its pandas offset alias, its season length, the dates that follow.

The one place that names frequencies. ``infer_freq`` reads the alias of dates that are already
clean (the shipped series, or a frame ``inputs`` validated); ``inputs.spacing`` refuses
irregular user dates and builds its aliases with ``period_alias`` from the same vocabulary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MONTH_ABBR = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DOW_ABBR = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
#: regular spacings by the first letter of their alias, as a sentence names them
FREQ_WORDS = {"D": "daily", "B": "business-daily", "W": "weekly", "M": "monthly",
              "Q": "quarterly", "Y": "yearly"}


def period_alias(kind: str, month: int, dow: int, business: bool = False) -> str:
    """Alias of a regular series of ``kind`` (D, W, M, Q or Y) dated at period starts, whose
    first date falls in ``month`` (1-12) on weekday ``dow`` (Monday 0): D or B (``business``),
    W-<weekday>, MS, QS[-<first month>], YS[-<month>]."""
    if kind == "D":
        return "B" if business else "D"
    if kind == "W":
        return f"W-{DOW_ABBR[dow]}"
    if kind == "M":
        return "MS"
    if kind == "Q":
        anchor = MONTH_ABBR[(month - 1) % 3]
        return "QS" if anchor == "JAN" else f"QS-{anchor}"
    anchor = MONTH_ABBR[month - 1]
    return "YS" if anchor == "JAN" else f"YS-{anchor}"


def season_length_for(alias: str) -> int:
    """Season length for a pandas offset alias (monthly 12, quarterly 4, weekly 52, daily 7)."""
    a = str(alias)
    base = a.split("-")[0].upper()
    if base in ("MS", "ME", "M", "BMS", "BME", "SMS"):
        return 12
    if base.startswith("Q") or base in ("BQS", "BQE"):
        return 4
    if base.startswith("W"):
        return 52
    if base in ("D",):
        return 7
    if base in ("B",):
        return 5
    if base.startswith("Y") or base.startswith("A") or base in ("BYS", "BYE"):
        return 1
    if base in ("H",):
        return 24
    return 1


def infer_freq(ds: pd.Series | pd.DatetimeIndex) -> str:
    """Offset alias of a date column; falls back to the median spacing when pandas cannot tell."""
    idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(ds)).sort_values().unique())
    if len(idx) >= 3:
        f = pd.infer_freq(idx)
        if f:
            return f
    if len(idx) < 2:
        return "MS" if len(idx) == 0 or idx[0].day == 1 else "D"
    days = float(np.median(np.diff(idx.values).astype("timedelta64[D]").astype(float)))
    if 27 <= days <= 32:
        return "MS" if all(d.day == 1 for d in idx) else "ME"
    if 85 <= days <= 95:
        return "QS" if all(d.day == 1 for d in idx) else "QE"
    if 360 <= days <= 370:
        return "YS" if all(d.day == 1 and d.month == 1 for d in idx) else "YE"
    if 6 <= days <= 8:
        return f"W-{DOW_ABBR[idx[-1].dayofweek]}"
    if days <= 1:
        return "D"
    return f"{max(round(days), 1)}D"


def future_dates(last: pd.Timestamp, horizon: int, alias: str) -> pd.DatetimeIndex:
    """The ``horizon`` dates that follow ``last`` at frequency ``alias``."""
    return pd.date_range(pd.Timestamp(last), periods=horizon + 1, freq=alias)[1:]
