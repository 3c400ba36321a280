"""Validation of user time-series files (series_id, ds, y), shared by the CLI and the upload page.

Everything a person can upload passes through :func:`read_series_csv`, so the rest of the
library can assume clean data: sorted, no duplicates, finite ``y``, one regular frequency per
series. Fixable quirks (encodings, separators, decimal commas, column aliases, time zones,
month-end dates, exact duplicates, trailing blanks) are repaired and listed in ``notes``;
anything that would need a guess is refused with one :class:`UserInputError` naming the
problem and the first offending line (1-based, header = line 1) and/or column.
Policies are documented in docs/RELIABILITY.md.
"""

from __future__ import annotations

import csv
import difflib
import io
import logging
import os
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.errors import UserInputError

__all__ = ["MIN_POINTS", "MAX_HORIZON", "MAX_ABS_Y", "DEFAULT_MAX_MB", "ValidatedSeries",
           "read_series_csv", "validate_horizon", "max_upload_bytes"]

log = logging.getLogger(__name__)

MIN_POINTS = 4            # fewer points cannot be backtested or fitted meaningfully
MAX_HORIZON = 120         # 10 years of monthly steps; longer is extrapolation theatre
MAX_ABS_Y = 1e12          # beyond this a value is almost surely a unit/parse mistake
DEFAULT_MAX_MB = 50.0
SINGLE_SERIES_ID = "series_1"
EXPECTED_HEADER = "series_id,ds,y"

# Accepted alternative column names (normalised: lower case, spaces/hyphens -> '_').
# Each use is reported in notes so nothing is renamed silently.
ALIASES: dict[str, tuple[str, ...]] = {
    "series_id": ("unique_id", "id", "series", "series_name", "item_id"),
    "ds": ("date", "timestamp", "time", "datetime", "period", "month", "week", "day", "year",
           "quarter"),
    "y": ("value", "values", "target", "count", "amount", "val"),
}
MISSING_TOKENS = frozenset({"", "na", "nan", "n/a", "#n/a", "null", "none"})
BINARY_MAGIC = {
    b"PK\x03\x04": "a ZIP/Excel (.xlsx) file",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) file",
    b"\x89PNG": "a PNG image",
    b"%PDF": "a PDF file",
    b"\x1f\x8b": "a gzip file",
    b"\xff\xd8\xff": "a JPEG image",
    b"PAR1": "a Parquet file",
}
# Whole-value date formats tried besides ISO 8601; a value read differently by two formats
# (03/04/2020) is ambiguous and refused rather than guessed.
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y",
                "%d-%m-%Y", "%m-%d-%Y", "%d/%m/%y", "%m/%d/%y", "%Y/%m", "%m/%Y", "%Y%m",
                "%b %Y", "%B %Y", "%b-%Y", "%b-%y", "%Y-%b", "%d %b %Y", "%d %B %Y",
                "%b %d, %Y", "%B %d, %Y", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M",
                "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d.%m.%Y %H:%M")
_QUARTER = re.compile(r"^(?:(\d{4})\s*[-/ ]?\s*[Qq]([1-4])|[Qq]([1-4])\s*[-/ ]?\s*(\d{4}))$")
_TZ_SUFFIX = re.compile(r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_DAY_NS = 86_400 * 10**9
_MIN_DATE = np.datetime64("1700-01-01")
_MAX_DATE = np.datetime64("2200-12-31")
_MONTH_ABBR = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DOW_ABBR = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_FREQ_WORDS = {"D": "daily", "B": "business-daily", "W": "weekly", "M": "monthly",
               "Q": "quarterly", "Y": "yearly"}


@dataclass(frozen=True, eq=False)
class ValidatedSeries:
    """A clean long frame plus what was done to get it and each series' frequency."""

    frame: pd.DataFrame                      # series_id:str, ds:datetime64[ns], y:float64
    notes: list[str] = field(default_factory=list)
    freq: dict[str, str] = field(default_factory=dict)   # pandas offset alias per series


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
    elif isinstance(h, (int, np.integer)):
        value = int(h)
    elif isinstance(h, (float, np.floating)) and float(h).is_integer():
        value = int(h)
    else:
        raise UserInputError(f"horizon must be a whole number of periods, got {_show(str(h))}")
    if value < 1:
        raise UserInputError(f"horizon must be at least 1 period, got {value}")
    if value > max_h:
        raise UserInputError(f"horizon {value} is too long: at most {max_h} periods")
    return value


def read_series_csv(source: str | os.PathLike | bytes, *,
                    max_bytes: int | None = None) -> ValidatedSeries:
    """Read and validate a user CSV (path or bytes) into a clean long frame.

    Raises UserInputError with one message naming the problem and where; never anything else
    (an unexpected failure is logged and reported as a generic, honest UserInputError).
    """
    limit = max_upload_bytes(max_bytes)
    try:
        data = _read_bytes(source, limit)
        return _validate(data)
    except UserInputError:
        raise
    except MemoryError:
        raise UserInputError("the file is too large to process in memory; "
                             "split it into smaller files") from None
    except Exception as exc:  # noqa: BLE001 - the boundary: never a traceback for users
        log.exception("unexpected error while validating a user CSV")
        raise UserInputError(
            f"could not read the file (unexpected {type(exc).__name__}); check that it is a CSV "
            f"with header {EXPECTED_HEADER}") from exc


# ----------------------------------------------------------------------------- bytes -> text
def _read_bytes(source: object, limit: int) -> bytes:
    limit_txt = f"{limit / 1024 / 1024:.4g} MB"
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > limit:
            raise UserInputError(f"file is too large: {len(data) / 1024 / 1024:.1f} MB, "
                                 f"the limit is {limit_txt}")
        return data
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            size = os.stat(path).st_size
            if os.path.isdir(path):
                raise UserInputError(f"{_show(path)} is a folder, not a CSV file")
            if size > limit:  # refuse before reading any of it
                raise UserInputError(f"file is too large: {size / 1024 / 1024:.1f} MB, "
                                     f"the limit is {limit_txt}")
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except FileNotFoundError:
            raise UserInputError(f"file not found: {_show(path)}") from None
        except UserInputError:
            raise
        except OSError as exc:
            raise UserInputError(f"cannot read {_show(path)}: {exc.strerror or exc}") from None
        if len(data) > limit:  # grew while reading, or a special file
            raise UserInputError(f"file is too large: over the limit of {limit_txt}")
        return data
    if hasattr(source, "read"):  # file-like (e.g. an upload widget's buffer)
        data = source.read(limit + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if len(data) > limit:
            raise UserInputError(f"file is too large: over the limit of {limit_txt}")
        return bytes(data)
    raise UserInputError(f"expected a file path or file contents, got {type(source).__name__}")


def _decode(data: bytes, notes: list[str]) -> str:
    head = data[:8192]
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            raise UserInputError(f"looks like a binary file ({what}), not a CSV; "
                                 f"if it is a spreadsheet, export it as CSV (UTF-8)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise UserInputError("the file starts like UTF-16 text but cannot be decoded; "
                                 "save it as CSV (UTF-8)") from None
        notes.append("file was UTF-16 encoded; decoded as UTF-16")
        return text
    if b"\x00" in head or b"\x00" in data:
        raise UserInputError("looks like a binary/Excel file (it contains NUL bytes), not a "
                             "CSV; export it as CSV (UTF-8)")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            text = data[3:].decode("utf-8")
            notes.append("file is UTF-8 with a byte-order mark (BOM); the BOM was removed")
            return text
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    # cp1252 reads every printable Latin-1 byte the same way and adds the Windows extras
    # (euro sign, curly quotes); the bytes it rejects would be control characters in Latin-1.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UserInputError(f"line {line}: the file is neither UTF-8 nor Windows-1252/Latin-1 "
                             f"text; save it as CSV (UTF-8)") from None
    bad = re.search(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise UserInputError(f"line {line}: the file is not UTF-8 text and contains control "
                             f"bytes; is it a CSV? Save it as CSV (UTF-8)")
    notes.append("file is not UTF-8; decoded as Windows-1252 (cp1252, which includes Latin-1)")
    return text


# ----------------------------------------------------------------------------- text -> rows
def _split(text: str, notes: list[str]) -> tuple[list[str], list[list[str]], list[int], int, str]:
    """Header cells, data rows and each row's 1-based starting line number."""
    lines = io.StringIO(text, newline="")
    first_line_no = 1
    sep = None
    # skip leading blank lines; honour Excel's "sep=;" hint line
    header_line = ""
    pos = 0
    for raw in lines:
        if raw.strip():
            header_line = raw
            break
        first_line_no += 1
        pos += len(raw)
    if not header_line.strip():
        raise UserInputError("the file is empty; expected a header line "
                             f"{EXPECTED_HEADER} and at least {MIN_POINTS} rows per series")
    hint = re.fullmatch(r"\s*\"?sep=(.)\"?\s*", header_line)
    if hint:
        sep = hint.group(1)
        pos += len(header_line)
        first_line_no += 1
        header_line = next(lines, "")
        notes.append(f"used the separator declared on line {first_line_no - 1} ({sep!r})")
    if sep is None:
        counts = {c: header_line.count(c) for c in (",", ";", "\t", "|")}
        sep = max(counts, key=lambda c: counts[c]) if max(counts.values()) > 0 else ","
        if sep != ",":
            name = {";": "semicolon", "\t": "tab", "|": "pipe"}[sep]
            notes.append(f"file is {name}-separated")
    body_text = text[pos:]
    reader = csv.reader(io.StringIO(body_text, newline=""), delimiter=sep, strict=False)
    header: list[str] | None = None
    rows: list[list[str]] = []
    line_nos: list[int] = []
    try:
        if '"' not in body_text:
            # no quoting: one physical line per record, so list() in C and count lines
            allrows = list(reader)
            if allrows:
                header, header_no = allrows[0], first_line_no
                keep = [k for k in range(1, len(allrows)) if "".join(allrows[k]).strip()]
                rows = [allrows[k] for k in keep]
                line_nos = [first_line_no + k for k in keep]
        else:
            prev = 0
            for row in reader:
                start = first_line_no + prev
                prev = reader.line_num
                if header is None:
                    header, header_no = row, start
                    continue
                if not "".join(row).strip():
                    continue
                rows.append(row)
                line_nos.append(start)
    except csv.Error as exc:
        raise UserInputError(f"line {first_line_no + reader.line_num - 1}: the file is not "
                             f"valid CSV ({exc})") from None
    if header is None:  # pragma: no cover - guarded by the blank check above
        raise UserInputError("the file is empty")
    return header, rows, line_nos, header_no, sep


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().strip('"').strip().lower())


def _map_columns(header: list[str], header_no: int, notes: list[str]) -> dict[str, int]:
    names = [_norm(h) for h in header]
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n and n in seen:
            raise UserInputError(f"line {header_no}: column {_show(header[i].strip())} appears "
                                 f"twice in the header (columns {seen[n] + 1} and {i + 1})")
        seen.setdefault(n, i)
    found: dict[str, int] = {}
    for canon, aliases in ALIASES.items():
        for cand in (canon, *aliases):
            idx = seen.get(cand)
            if idx is not None and idx not in found.values():
                found[canon] = idx
                if cand != canon:
                    notes.append(f"column {_show(header[idx].strip())} used as {canon!r}")
                break
    unused = [i for i in range(len(header)) if i not in found.values()]

    def suggest(canon: str) -> str:
        best, score = None, 0.0
        for i in unused:
            if not names[i]:
                continue
            for target in (canon, *ALIASES[canon]):
                r = difflib.SequenceMatcher(None, names[i], target).ratio()
                if r > score:
                    best, score = header[i].strip(), r
        return f" (did you mean {_show(best)}?)" if best is not None and score >= 0.6 else ""

    missing = [c for c in ("ds", "y") if c not in found]
    if missing:
        shown = ", ".join(_show(h.strip()) for h in header[:8]) + (", ..." if len(header) > 8 else "")
        if not found and header and _looks_like_data(header):
            raise UserInputError(f"line {header_no}: the first line does not name the columns "
                                 f"({shown}); expected a CSV with the header {EXPECTED_HEADER}")
        what = f"missing column {missing[0]!r}{suggest(missing[0])}"
        if len(missing) > 1:
            what += f" and column {missing[1]!r}{suggest(missing[1])}"
        raise UserInputError(f"line {header_no}: {what}; the header has {shown}; "
                             f"expected {EXPECTED_HEADER}")
    if "series_id" not in found:
        hint = suggest("series_id")
        if hint:
            raise UserInputError(f"line {header_no}: missing column 'series_id'{hint}; "
                                 f"expected {EXPECTED_HEADER}")
        notes.append(f"no series_id column: all rows are one series {SINGLE_SERIES_ID!r}")
    extra = [header[i].strip() or f"(unnamed column {i + 1})" for i in unused]
    if extra:
        shown = ", ".join(_show(e) for e in extra[:5]) + (" ..." if len(extra) > 5 else "")
        notes.append(f"ignored {len(extra)} extra column(s): {shown}")
    return found


def _looks_like_data(cells: list[str]) -> bool:
    return any(re.fullmatch(r"\s*[-+]?[\d.,/:\- ]+\s*", c) and re.search(r"\d", c) for c in cells)


# ----------------------------------------------------------------------------- validation
def _validate(data: bytes) -> ValidatedSeries:
    notes: list[str] = []
    if not data.strip():
        raise UserInputError(f"the file is empty; expected a header {EXPECTED_HEADER} and at "
                             f"least {MIN_POINTS} rows per series")
    text = _decode(data, notes)
    header, rows, line_nos, header_no, sep = _split(text, notes)
    cols = _map_columns(header, header_no, notes)
    if not rows:
        raise UserInputError(f"the file has a header (line {header_no}) but no data rows")
    ncol = len(header)
    need = max(cols.values()) + 1
    lens = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    for k in np.flatnonzero((lens > ncol) | (lens < need)):
        row, ln = rows[k], line_nos[k]
        if len(row) > ncol and any(c.strip() for c in row[ncol:]):
            raise UserInputError(f"line {ln}: {len(row)} fields but the header has {ncol}; "
                                 f"check the separator and quoting")
        if len(row) < need:
            missing = [c for c, i in cols.items() if i >= len(row)]
            raise UserInputError(f"line {ln}: no value for column {missing[0]!r} (only "
                                 f"{len(row)} of the header's {ncol} fields; check the "
                                 f"separator and quoting)")
    lines = np.asarray(line_nos, dtype=np.int64)

    if "series_id" in cols:
        i = cols["series_id"]
        sid = np.array([r[i].strip() for r in rows], dtype=object)
        empty = np.flatnonzero(sid == "")
        if empty.size:
            raise UserInputError(f"line {lines[empty[0]]}, column 'series_id': empty series id")
        too_long = np.flatnonzero(np.fromiter(map(len, sid), np.int64, len(sid)) > 200)
        if too_long.size:
            raise UserInputError(f"line {lines[too_long[0]]}, column 'series_id': id longer "
                                 f"than 200 characters ({_show(sid[too_long[0]])})")
    else:
        sid = np.full(len(rows), SINGLE_SERIES_ID, dtype=object)
    ds = _parse_dates([r[cols["ds"]].strip() for r in rows], lines, notes)
    y = _parse_numbers([r[cols["y"]].strip() for r in rows], lines, notes,
                       decimal_comma_ok=sep != ",")

    # sort on integer codes (hashing + lexsort) instead of strings: 10k series stay fast
    codes, _ = pd.factorize(sid, sort=True)
    order = np.lexsort((lines, ds.view(np.int64), codes))
    frame = pd.DataFrame({"series_id": sid[order], "ds": ds[order], "y": y[order],
                          "_line": lines[order], "_code": codes[order]})
    frame = _drop_duplicates(frame, notes)
    frame = _drop_trailing_missing(frame, notes)
    _check_values(frame, notes)
    _check_length(frame)
    frame, freq = _infer_freq(frame, notes)
    frame = frame[["series_id", "ds", "y"]].reset_index(drop=True)
    frame["series_id"] = frame["series_id"].astype("str")
    frame["ds"] = frame["ds"].astype("datetime64[ns]")
    frame["y"] = frame["y"].astype("float64")
    return ValidatedSeries(frame=frame, notes=notes, freq=freq)


def _parse_numbers(values: list[str], lines: np.ndarray, notes: list[str],
                   decimal_comma_ok: bool) -> np.ndarray:
    raw = np.array(values, dtype=object)
    num = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan)
    failed = np.flatnonzero(np.isnan(num))
    if failed.size == 0:
        return num
    fail_txt = [values[i] for i in failed]
    comma_number = re.compile(r"[+-]?\d+(\.\d{3})*,\d*|[+-]?,\d+")
    if not (decimal_comma_ok and any(comma_number.fullmatch(v) for v in fail_txt)):
        missing_f = np.fromiter((v.lower() in MISSING_TOKENS for v in fail_txt), bool, failed.size)
        if not missing_f.all():
            i = failed[np.flatnonzero(~missing_f)[0]]
            raise UserInputError(f"line {lines[i]}, column 'y': cannot read number "
                                 f"{_show(values[i])}")
        return num
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


def _parse_dates(values: list[str], lines: np.ndarray, notes: list[str]) -> np.ndarray:
    arr = np.array(values, dtype=object)
    empty = np.flatnonzero(arr == "")
    if empty.size:
        raise UserInputError(f"line {lines[empty[0]]}, column 'ds': empty date")
    inverse, uniq = pd.factorize(arr)          # hashing: fast, uniques in order of appearance
    uniq = np.asarray(uniq, dtype=object)
    _, first_row = np.unique(inverse, return_index=True)
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


# ----------------------------------------------------------------------------- frequency
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
        k = kind[gi]
        if k == "D":
            alias = "B" if is_b_series[gi] else "D"
        elif k == "W":
            alias = f"W-{_DOW_ABBR[dow[fi]]}"
        elif k == "M":
            alias = "MS"
        elif k == "Q":
            anchor = _MONTH_ABBR[(month[fi] - 1) % 3]
            alias = "QS" if anchor == "JAN" else f"QS-{anchor}"
        else:
            anchor = _MONTH_ABBR[month[fi] - 1]
            alias = "YS" if anchor == "JAN" else f"YS-{anchor}"
        freq_of[uniques[gi]] = alias
    move = monthly & (day != 1)
    if move.any():
        new = ds64.copy()
        new[move] = months[move].astype("datetime64[ns]")
        frame = frame.assign(ds=new)
        notes.append(f"monthly/quarterly/yearly dates not on the 1st (e.g. month ends) moved "
                     f"to the month start in {len(np.unique(codes[move]))} series")
    return frame, freq_of


def _spacing_message(frame: pd.DataFrame, i: int, kind: str, step_m: int, ok_day: bool,
                     first: bool) -> str:
    row = frame.iloc[i]
    sid, line, date = row["series_id"], int(row["_line"]), row["ds"]
    word = _FREQ_WORDS.get(kind, "regular")
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


def _show(value: object, limit: int = 40) -> str:
    """repr() of a user value, truncated, so messages stay one line and safe to print."""
    text = str(value)
    if len(text) > limit:
        return repr(text[:limit]) + "..."
    return repr(text)
