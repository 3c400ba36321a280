"""One regular frequency per series (D, B, W-xxx, MS, QS-xxx, YS-xxx), or a refusal naming the
gap or the irregular step. Aliases come from ``postings.frequency`` (``period_alias``)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from forecasting.core.errors import UserInputError
from forecasting.postings.frequency import FREQ_WORDS, period_alias
from forecasting.postings.inputs.rules import _show

_DAY_NS = 86_400 * 10**9
_FREQ_BATCH = 1 << 16     # rows of whole series per frequency check (see _infer_freq_batched)


def _infer_freq(frame: pd.DataFrame, notes: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """One regular frequency per series (D, B, W-xxx, MS, QS-xxx, YS-xxx), or refuse.

    Gaps are refused, not filled: filling would invent data the user never gave us.
    """
    ds64 = frame["ds"].to_numpy().astype("datetime64[ns]")
    ns = ds64.astype(np.int64)
    lines = frame["_line"].to_numpy()
    codes = frame["_code"].to_numpy()
    first = np.r_[True, codes[1:] != codes[:-1]]
    starts = np.flatnonzero(first)                 # rows are sorted: series are contiguous
    codes = np.cumsum(first) - 1                   # dense 0..n-1 after rows were dropped
    uniques = [str(u) for u in frame["series_id"].to_numpy()[starts]]
    sizes = np.diff(np.r_[starts, len(frame)])
    diff = np.r_[0, np.diff(ns)]
    # median step per series without groupby: sort steps within series (first row last)
    key = np.where(first, np.iinfo(np.int64).max, diff)
    srt = key[np.lexsort((key, codes))]
    n_steps = sizes - 1                            # >= MIN_POINTS - 1 >= 1
    med = (srt[starts + (n_steps - 1) // 2] / 2 + srt[starts + n_steps // 2] / 2) / _DAY_NS
    kind = np.full(len(uniques), "", dtype=object)
    kind[med == 1] = "D"
    kind[med == 7] = "W"
    kind[(med >= 28) & (med <= 31)] = "M"
    kind[(med >= 89) & (med <= 92)] = "Q"
    kind[(med >= 365) & (med <= 366)] = "Y"
    bad_kind = np.flatnonzero(kind == "")
    if bad_kind.size:
        first_line = np.minimum.reduceat(lines, starts)
        g = bad_kind[np.argmin(first_line[bad_kind])]
        step = med[g]
        step_txt = (f"{step:g} day(s)" if step >= 1 else f"{step * 24:g} hour(s)")
        raise UserInputError(
            f"line {first_line[g]}: series {_show(uniques[g])} is irregularly spaced (typical "
            f"step {step_txt}); supported: daily, weekly, monthly, quarterly, yearly dates")
    row_kind = kind[codes]
    months = ds64.astype("datetime64[M]")
    days = ds64.astype("datetime64[D]")
    mindex = months.astype(np.int64)               # months since 1970-01
    month = mindex % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    month_end = (days + np.timedelta64(1, "D")).astype("datetime64[M]") != months
    dow = (days.astype(np.int64) + 3) % 7          # 1970-01-01 was a Thursday; Monday = 0
    mdiff = np.r_[0, np.diff(mindex)]
    midnight = (ns % _DAY_NS) == 0
    prev_dow = np.r_[0, dow[:-1]]

    def per_series_all(mask: np.ndarray) -> np.ndarray:
        return np.logical_and.reduceat(mask, starts)

    step_m = np.select([row_kind == "M", row_kind == "Q", row_kind == "Y"], [1, 3, 12], 0)
    monthly = step_m > 0
    # monthly-like series: midnight dates on one consistent day of the month (or month ends)
    one_day = np.minimum.reduceat(day, starts) == np.maximum.reduceat(day, starts)
    consistent = (one_day | per_series_all(month_end)) & per_series_all(midnight)
    ok_day = consistent[codes]
    off_day = (day != day[starts][codes]) | ~midnight   # rows breaking the pattern
    row_ok = np.ones(len(frame), dtype=bool)
    row_ok &= ~(monthly & ~ok_day & off_day)
    row_ok &= ~(monthly & ~first & (mdiff != step_m))
    is_d = row_kind == "D"
    is_w = row_kind == "W"
    row_ok &= ~(is_w & ~first & (diff != 7 * _DAY_NS))
    d_ok = diff == _DAY_NS
    b_ok = ((diff == _DAY_NS) & (prev_dow <= 3)) | ((diff == 3 * _DAY_NS) & (prev_dow == 4))
    # daily series: either every step is one day (D) or the business-day rule holds (B)
    d_series = per_series_all(d_ok | first)
    b_series = per_series_all((b_ok | first) & (dow <= 4))
    is_b_series = (kind == "D") & ~d_series & b_series
    is_b = is_b_series[codes]
    row_ok &= ~(is_d & ~is_b & ~first & ~d_ok)
    if not row_ok.all():
        bad = np.flatnonzero(~row_ok)
        i = bad[np.argmin(lines[bad])]
        raise UserInputError(_spacing_message(frame, i, row_kind[i], step_m[i], ok_day[i],
                                              first[i]))
    # aliases, and month-like dates moved to the month start
    freq_of = {}
    for gi, fi in enumerate(starts):
        freq_of[uniques[gi]] = period_alias(kind[gi], int(month[fi]), int(dow[fi]),
                                            business=bool(is_b_series[gi]))
    move = monthly & (day != 1)
    if move.any():
        new = ds64.copy()
        new[move] = months[move].astype("datetime64[ns]")
        frame = frame.assign(ds=new)
        notes.append(_moved_note(len(np.unique(codes[move]))))
    return frame, freq_of


def _moved_note(n_series: int) -> str:
    return (f"monthly/quarterly/yearly dates not on the 1st (e.g. month ends) moved to the "
            f"month start in {n_series} series")


def _infer_freq_batched(frame: pd.DataFrame, notes: list[str]) -> tuple[pd.DataFrame,
                                                                         dict[str, str]]:
    """``_infer_freq`` over ``_FREQ_BATCH``-row batches of whole series: its arrays are ~4x the
    frame, at a million rows most of a parse's peak memory. Series are checked independently,
    so the batches give the same frequencies and dates; the note counts moved series over all
    batches. Any refusal re-runs the whole frame, so the message names the file's first problem
    exactly as before."""
    n = len(frame)
    if n <= _FREQ_BATCH:
        return _infer_freq(frame, notes)
    codes = frame["_code"].to_numpy()
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    cuts = np.unique(starts[np.minimum(np.searchsorted(starts, np.arange(_FREQ_BATCH, n,
                                                                         _FREQ_BATCH)),
                                       len(starts) - 1)])
    bounds = np.unique(np.r_[0, cuts, n])
    ds = frame["ds"].to_numpy()  # copied on the first move
    freq: dict[str, str] = {}
    moved = 0
    for a, b in itertools.pairwise(bounds):
        part = frame.iloc[a:b]
        try:
            out, part_freq = _infer_freq(part, [])
        except UserInputError:
            return _infer_freq(frame, notes)
        new = out["ds"].to_numpy()
        changed = new != ds[a:b]
        if changed.any():
            if not moved:
                ds = ds.copy()
            moved += len(np.unique(codes[a:b][changed]))
            ds[a:b] = new
        freq.update(part_freq)
    if moved:
        notes.append(_moved_note(moved))
    return (frame.assign(ds=ds) if moved else frame), freq


def _spacing_message(frame: pd.DataFrame, i: int, kind: str, step_m: int, ok_day: bool,
                     first: bool) -> str:
    row = frame.iloc[i]
    sid, line, date = row["series_id"], int(row["_line"]), row["ds"]
    word = FREQ_WORDS.get(kind, "regular")
    if kind in "MQY" and not ok_day:
        return (f"line {line}, column 'ds': series {_show(sid)} looks {word} but its dates are "
                f"not on one consistent day of the month ({date.date()}); use the first of "
                f"each period")
    prev = frame.iloc[i - 1]
    gap = date - prev["ds"]
    if kind in "MQY":
        months = (date.year - prev["ds"].year) * 12 + date.month - prev["ds"].month
        if months > step_m and months % step_m == 0:
            missing = (prev["ds"] + pd.DateOffset(months=step_m)).date()
            return (f"line {line}: series {_show(sid)} is {word} but has a gap: {missing} is "
                    f"missing between line {int(prev['_line'])} ({prev['ds'].date()}) and "
                    f"line {line} ({date.date()}); gaps are not filled, add the missing rows")
    else:
        step = pd.Timedelta(days=7 if kind == "W" else 1)
        if gap > step and gap % step == pd.Timedelta(0):
            missing = prev["ds"] + step
            return (f"line {line}: series {_show(sid)} is {word} but has a gap: "
                    f"{missing.date()} is missing between line {int(prev['_line'])} and line "
                    f"{line} ({date.date()}); gaps are not filled, add the missing rows")
    return (f"line {line}, column 'ds': series {_show(sid)} is irregularly spaced: "
            f"{date} follows {prev['ds']} (line {int(prev['_line'])}), which is not one "
            f"{word} step; supported: daily, weekly, monthly, quarterly, yearly")
