"""The values of the columns: dates in any unambiguous format, numbers (decimal commas too),
duplicate rows, missing values, implausible values and too-short series."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from forecasting.core.errors import UserInputError
from forecasting.postings.inputs.columns import _Columns
from forecasting.postings.inputs.rules import MAX_ABS_Y, MIN_POINTS, _show

MISSING_TOKENS = frozenset({"", "na", "nan", "n/a", "#n/a", "null", "none"})
# Whole-value date formats tried besides ISO 8601; a value read differently by two formats
# (03/04/2020) is ambiguous and refused rather than guessed.
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y",
                "%d-%m-%Y", "%m-%d-%Y", "%d/%m/%y", "%m/%d/%y", "%Y/%m", "%m/%Y", "%Y%m",
                "%b %Y", "%B %Y", "%b-%Y", "%b-%y", "%Y-%b", "%d %b %Y", "%d %B %Y",
                "%b %d, %Y", "%B %d, %Y", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M",
                "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d.%m.%Y %H:%M")
_QUARTER = re.compile(r"^(?:(\d{4})\s*[-/ ]?\s*[Qq]([1-4])|[Qq]([1-4])\s*[-/ ]?\s*(\d{4}))$")
_TZ_SUFFIX = re.compile(r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_MIN_DATE = np.datetime64("1700-01-01")
_MAX_DATE = np.datetime64("2200-12-31")


def _parse_numbers(num: np.ndarray, columns: _Columns, lines: np.ndarray, notes: list[str],
                   decimal_comma_ok: bool) -> np.ndarray:
    """``num``: y as read per chunk (NaN where the text was no number); ``columns`` holds the
    text of those rows (and of every row when ``decimal_comma_ok``)."""
    failed = np.asarray(columns.y_fail_rows, dtype=np.int64)
    if failed.size == 0:
        return num
    fail_txt = columns.y_fail_text
    comma_number = re.compile(r"[+-]?\d+(\.\d{3})*,\d*|[+-]?,\d+")
    if not (decimal_comma_ok and any(comma_number.fullmatch(v) for v in fail_txt)):
        missing_f = np.fromiter((v.lower() in MISSING_TOKENS for v in fail_txt), bool, failed.size)
        if not missing_f.all():
            j = np.flatnonzero(~missing_f)[0]
            raise UserInputError(f"line {lines[failed[j]]}, column 'y': cannot read number "
                                 f"{_show(fail_txt[j])}")
        return num
    values = columns.y_text
    assert values is not None  # kept for every row of a non-comma file
    # Decimal commas ("1,5"): possible only when ',' is not the separator, i.e. here.
    missing = np.fromiter((v.lower() in MISSING_TOKENS for v in values), bool, len(values))
    fixed: list[str | None] = []
    for v in values:
        if "," in v and "." in v:  # 1.234,5: '.' groups thousands
            v = (v.replace(".", "").replace(",", ".")
                 if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+,\d*", v) else None)
        elif "," in v:
            v = v.replace(",", ".") if v.count(",") == 1 else None
        elif re.fullmatch(r"[+-]?[1-9]\d{0,2}(\.\d{3})+", v):
            # next to "1,5", "1.234.567" groups thousands but "1.234" could be 1234 or 1.234:
            # refuse that one rather than guess ("0.5" or "12345.6" are unambiguous)
            v = v.replace(".", "") if v.count(".") > 1 else None
        fixed.append(v)
    bad = [i for i, v in enumerate(fixed) if v is None and not missing[i]]
    if bad:
        i = bad[0]
        raise UserInputError(f"line {lines[i]}, column 'y': cannot read number "
                             f"{_show(values[i])} in a file with decimal commas (write "
                             f"1234,5 - no thousands separators, no decimal points)")
    text = np.array([v if v is not None else "" for v in fixed], dtype=object)
    notes.append("decimal commas read as decimal points (e.g. '1,5' -> 1.5)")
    num = pd.to_numeric(pd.Series(text, dtype=object).where(~missing, None),
                        errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = np.flatnonzero(np.isnan(num) & ~missing)
    if bad.size:
        i = bad[0]
        raise UserInputError(f"line {lines[i]}, column 'y': cannot read number {_show(values[i])}")
    return num


def _parse_dates(index: dict[str, int], inverse: np.ndarray, first_row: np.ndarray,
                 lines: np.ndarray, notes: list[str]) -> np.ndarray:
    """Dates of every row from the distinct date texts (``index``: text -> code, in order of
    appearance; ``inverse``: each row's code; ``first_row``: each code's first row)."""
    if "" in index:
        raise UserInputError(f"line {lines[first_row[index['']]]}, column 'ds': empty date")
    uniq = np.array(list(index), dtype=object)
    names, results = [], []
    iso = pd.to_datetime(pd.Index(uniq, dtype=object), format="ISO8601", errors="coerce",
                         utc=True).tz_convert(None).as_unit("us")
    names.append("ISO 8601")
    results.append(iso.asi8.copy())
    # only formats whose punctuation occurs in some value can match: skip the rest (speed)
    shapes = {frozenset(re.sub(r"[A-Za-z0-9]", "", u)) for u in uniq}
    for fmt in DATE_FORMATS:
        if frozenset(re.sub(r"%.|[A-Za-z0-9]", "", fmt)) not in shapes:
            continue
        r = pd.to_datetime(pd.Index(uniq, dtype=object), format=fmt, errors="coerce").as_unit("us")
        names.append(fmt)
        results.append(r.asi8.copy())
    quarter = np.full(len(uniq), np.iinfo(np.int64).min, dtype=np.int64)
    for k, u in enumerate(uniq):
        m = _QUARTER.match(u)
        if m:
            year = int(m.group(1) or m.group(4))
            q = int(m.group(2) or m.group(3))
            quarter[k] = pd.Timestamp(year=year, month=3 * q - 2, day=1).as_unit("us")._value
    names.append("quarter (2020Q1)")
    results.append(quarter)
    mat = np.vstack(results)                       # formats x unique values
    nat = np.iinfo(np.int64).min
    ok = mat != nat
    full = np.flatnonzero(ok.all(axis=1))
    if full.size:
        ref = mat[full[0]]
        differ = [(f, np.flatnonzero(mat[f] != ref)) for f in full[1:]]
        differ = [(f, d) for f, d in differ if d.size]
        if not differ:
            chosen = ref
        else:
            f, d = differ[0]
            k = d[np.argmin(first_row[d])]
            raise UserInputError(
                f"line {lines[first_row[k]]}, column 'ds': ambiguous date {_show(uniq[k])} "
                f"(could be {_fmt_us(ref[k])} or {_fmt_us(mat[f][k])}); use YYYY-MM-DD dates")
    else:
        none = np.flatnonzero(~ok.any(axis=0))
        if none.size:
            k = none[np.argmin(first_row[none])]
            raise UserInputError(f"line {lines[first_row[k]]}, column 'ds': cannot read date "
                                 f"{_show(uniq[k])}; use YYYY-MM-DD")
        chosen = np.empty(len(uniq), dtype=np.int64)
        amb = []
        for k in range(len(uniq)):
            vals = np.unique(mat[ok[:, k], k])
            if vals.size > 1:
                amb.append(k)
            chosen[k] = vals[0]
        if amb:
            k = min(amb, key=lambda j: first_row[j])
            vals = np.unique(mat[ok[:, k], k])
            raise UserInputError(
                f"line {lines[first_row[k]]}, column 'ds': ambiguous date {_show(uniq[k])} "
                f"(could be {_fmt_us(vals[0])} or {_fmt_us(vals[1])}) in a file mixing date "
                f"formats; use YYYY-MM-DD dates")
        used = {names[f] for f in range(len(names)) for k in range(len(uniq))
                if ok[f, k] and not ok[:f, k].any()}
        notes.append(f"dates are in {len(used)} different formats; each was read on its own "
                     f"(unambiguous values only)")
    tz = [u for u in uniq if _TZ_SUFFIX.search(u)]
    if tz:
        notes.append(f"time-zone dates (e.g. {_show(tz[0])}) converted to UTC and the time "
                     f"zone dropped")
    out_of_range = np.flatnonzero((chosen < _MIN_DATE.astype("datetime64[us]").astype(np.int64))
                                  | (chosen > _MAX_DATE.astype("datetime64[us]").astype(np.int64)))
    if out_of_range.size:
        k = out_of_range[np.argmin(first_row[out_of_range])]
        hint = (" (an Excel date number? format the column as dates before exporting)"
                if uniq[k].isdigit() else "")
        raise UserInputError(f"line {lines[first_row[k]]}, column 'ds': date {_show(uniq[k])} "
                             f"is outside 1700-2200{hint}")
    return chosen[inverse].astype("datetime64[us]").astype("datetime64[ns]")


def _fmt_us(v: np.int64) -> str:
    return str(pd.Timestamp(int(v), unit="us").date())


def _drop_duplicates(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    c, d, yv = (frame[k].to_numpy() for k in ("_code", "ds", "y"))
    dup = np.r_[False, (c[1:] == c[:-1]) & (d[1:] == d[:-1])]   # frame is sorted
    if not dup.any():
        return frame
    same = np.r_[False, (yv[1:] == yv[:-1]) | (np.isnan(yv[1:]) & np.isnan(yv[:-1]))]
    conflict = dup & ~same
    if conflict.any():
        idx = np.flatnonzero(conflict)
        i = idx[np.argmin(frame["_line"].to_numpy()[idx])]
        row = frame.iloc[i]
        first_line = int(frame["_line"].to_numpy()[(c == c[i]) & (d == d[i])].min())
        raise UserInputError(
            f"line {int(row['_line'])}: duplicate date {row['ds'].date()} for series "
            f"{_show(row['series_id'])} (also on line {first_line}) with a different value"
            + ("; if the file holds several series, add a series_id column"
               if any("no series_id column" in n for n in notes) else ""))
    n = int(dup.sum())
    first = int(frame["_line"].to_numpy()[dup].min())
    notes.append(f"dropped {n} exact duplicate row(s) (same series_id, ds and y; first on line "
                 f"{first})")
    return frame[~dup].reset_index(drop=True)


def _drop_trailing_missing(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    miss = frame["y"].isna().to_numpy()
    if not miss.any():
        return frame
    # a row is "trailing" if no observed value follows it in its series
    observed_after = (~frame["y"].isna())[::-1].groupby(frame["_code"][::-1]).cummax()[::-1]
    trailing = miss & ~observed_after.to_numpy()
    empty = pd.Series(miss).groupby(frame["_code"].to_numpy()).transform("all").to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[np.argmin(frame["_line"].to_numpy()[empty])])
        raise UserInputError(f"line {int(frame['_line'].iloc[i])}, column 'y': series "
                             f"{_show(frame['series_id'].iloc[i])} has no values at all")
    inner = miss & ~trailing
    if inner.any():
        idx = np.flatnonzero(inner)
        i = idx[np.argmin(frame["_line"].to_numpy()[idx])]
        row = frame.iloc[i]
        raise UserInputError(
            f"line {int(row['_line'])}, column 'y': missing value for series "
            f"{_show(row['series_id'])} on {row['ds'].date()}; fill it or remove the row "
            f"(only missing values at the end of a series are dropped)")
    notes.append(f"dropped {int(trailing.sum())} row(s) with a missing y at the end of a series "
                 f"(first on line {int(frame['_line'].to_numpy()[trailing].min())})")
    return frame[~trailing].reset_index(drop=True)


def _check_values(frame: pd.DataFrame, notes: list[str]) -> None:
    y = frame["y"].to_numpy()
    lines = frame["_line"].to_numpy()

    def first(mask: np.ndarray) -> int:
        return int(np.flatnonzero(mask)[np.argmin(lines[mask])])

    inf = np.isinf(y)
    if inf.any():
        i = first(inf)
        raise UserInputError(f"line {lines[i]}, column 'y': infinite value ({y[i]})")
    huge = np.abs(y) > MAX_ABS_Y
    if huge.any():
        i = first(huge)
        raise UserInputError(f"line {lines[i]}, column 'y': value {y[i]:.6g} is implausibly "
                             f"large (limit {MAX_ABS_Y:.0e}); check the units")
    neg = y < 0
    if neg.any():
        i = first(neg)
        notes.append(f"{int(neg.sum())} negative value(s) kept (first on line {lines[i]}); "
                     f"fine for changes or net flows, suspicious for counts")


def _check_length(frame: pd.DataFrame) -> None:
    sizes = frame.groupby("_code", sort=False).size()
    short = sizes[sizes < MIN_POINTS]
    if len(short):
        first_lines = frame.groupby("_code", sort=False)["_line"].min()[short.index]
        code = first_lines.idxmin()
        n = int(short[code])
        sid = frame["series_id"].to_numpy()[np.argmax(frame["_code"].to_numpy() == code)]
        first_lines = first_lines.rename({code: sid})
        raise UserInputError(
            f"line {int(first_lines[sid])}: series {_show(sid)} is too short: {n} point"
            f"{'s' if n != 1 else ''}, need at least {MIN_POINTS}"
            + (f" ({len(short)} series are too short)" if len(short) > 1 else ""))
