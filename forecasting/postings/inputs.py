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

import codecs
import csv
import difflib
import itertools
import logging
import operator
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from forecasting.core.errors import UserInputError

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
#: Bytes decoded and CSV records tokenized at a time: the file's text and its rows are never
#: all in memory at once (see _Columns).
_BYTE_CHUNK = 1 << 20
_ROW_CHUNK = 1 << 13
_FREQ_BATCH = 1 << 16     # rows of whole series per frequency check (see _infer_freq_batched)
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
        return _validate(_read_bytes(source, limit))
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
class _Bytes:
    """A file's bytes, handed out ``_BYTE_CHUNK`` at a time as often as needed (the checks,
    then the parse): an upload already in memory, or a file on disk read afresh each time so
    that its 50 MB are never all in memory at once."""

    def __init__(self, data: bytes | None = None, path: str | None = None, size: int = 0,
                 limit: int = 0):
        self._data, self._path, self._limit = data, path, limit
        self.size = len(data) if data is not None else size

    def chunks(self, offset: int = 0) -> Iterator[bytes]:
        if self._data is not None:
            for start in range(offset, len(self._data), _BYTE_CHUNK):
                yield self._data[start:start + _BYTE_CHUNK]
            return
        try:
            with open(self._path, "rb") as fh:
                fh.seek(offset)
                read = offset
                while block := fh.read(_BYTE_CHUNK):
                    read += len(block)
                    if read > self._limit:  # grew since it was measured
                        raise UserInputError(f"file is too large: over the limit of "
                                             f"{self._limit / 1024 / 1024:.4g} MB")
                    yield block
        except OSError as exc:
            raise UserInputError(f"cannot read {_show(self._path)}: "
                                 f"{exc.strerror or exc}") from None

    def head(self, n: int) -> bytes:
        out = b""
        for chunk in self.chunks():
            out += chunk
            if len(out) >= n:
                break
        return out[:n]

    def whole(self) -> bytes:
        return self._data if self._data is not None else b"".join(self.chunks())

    def line_breaks(self) -> int:
        """At least the number of line breaks (\r, \n or \r\n), so records <= this + 1."""
        return sum(_line_breaks(c) for c in self.chunks())

    def contains(self, needle: bytes) -> bool:
        return any(needle in c for c in self.chunks())  # needles here are one byte long

    def count_newlines(self, end: int) -> int:
        """Line feeds before byte ``end``."""
        n = 0
        for start, c in zip(range(0, end, _BYTE_CHUNK), self.chunks()):
            n += c.count(b"\n", 0, end - start)
        return n


def _line_breaks(text: str | bytes) -> int:
    """Line breaks in ``text`` (a \r\n cut between two chunks counts twice: an upper bound)."""
    cr, lf = ("\r", "\n") if isinstance(text, str) else (b"\r", b"\n")
    return text.count(cr) + text.count(lf) - text.count(cr + lf)


def _read_bytes(source: object, limit: int) -> _Bytes:
    limit_txt = f"{limit / 1024 / 1024:.4g} MB"
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > limit:
            raise UserInputError(f"file is too large: {len(data) / 1024 / 1024:.1f} MB, "
                                 f"the limit is {limit_txt}")
        return _Bytes(data)
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            size = os.stat(path).st_size
            if os.path.isdir(path):
                raise UserInputError(f"{_show(path)} is a folder, not a CSV file")
            if size > limit:  # refuse before reading any of it
                raise UserInputError(f"file is too large: {size / 1024 / 1024:.1f} MB, "
                                     f"the limit is {limit_txt}")
            with open(path, "rb") as fh:  # readable? (the content is read in chunks later)
                fh.read(1)
        except FileNotFoundError:
            raise UserInputError(f"file not found: {_show(path)}") from None
        except UserInputError:
            raise
        except OSError as exc:
            raise UserInputError(f"cannot read {_show(path)}: {exc.strerror or exc}") from None
        return _Bytes(path=path, size=size, limit=limit)
    if hasattr(source, "read"):  # file-like (e.g. an upload widget's buffer)
        data = source.read(limit + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if len(data) > limit:
            raise UserInputError(f"file is too large: over the limit of {limit_txt}")
        return _Bytes(bytes(data))
    raise UserInputError(f"expected a file path or file contents, got {type(source).__name__}")


def _decode(data: _Bytes, notes: list[str]) -> tuple[str, int, str | None]:
    """Check the bytes and pick their text encoding: (codec, offset of the text, text).

    ``text`` is the decoded file only for UTF-16 (rare, decoded whole); otherwise None and the
    caller decodes from ``offset`` chunk by chunk (``_text_chunks``), so a 50 MB file never
    exists as one 50 MB string. Every check scans the whole file, as the one-shot decode did,
    so the refusals and notes are the same."""
    head = data.head(8)
    for magic, what in BINARY_MAGIC.items():
        if head.startswith(magic):
            raise UserInputError(f"looks like a binary file ({what}), not a CSV; "
                                 f"if it is a spreadsheet, export it as CSV (UTF-8)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.whole().decode("utf-16")
        except UnicodeDecodeError:
            raise UserInputError("the file starts like UTF-16 text but cannot be decoded; "
                                 "save it as CSV (UTF-8)") from None
        notes.append("file was UTF-16 encoded; decoded as UTF-16")
        return "utf-16", 0, text
    if data.contains(b"\x00"):
        raise UserInputError("looks like a binary/Excel file (it contains NUL bytes), not a "
                             "CSV; export it as CSV (UTF-8)")
    if head.startswith(b"\xef\xbb\xbf"):
        if _decodes(data, 3, "utf-8"):
            notes.append("file is UTF-8 with a byte-order mark (BOM); the BOM was removed")
            return "utf-8", 3, None
    elif _decodes(data, 0, "utf-8"):
        return "utf-8", 0, None
    # cp1252 reads every printable Latin-1 byte the same way and adds the Windows extras
    # (euro sign, curly quotes); the bytes it rejects would be control characters in Latin-1.
    # One byte per character, so text offsets are byte offsets.
    for start, chunk in zip(itertools.count(0, _BYTE_CHUNK), data.chunks()):
        try:
            str(chunk, "cp1252")
        except UnicodeDecodeError as exc:
            line = data.count_newlines(start + exc.start) + 1
            raise UserInputError(f"line {line}: the file is neither UTF-8 nor Windows-1252/"
                                 f"Latin-1 text; save it as CSV (UTF-8)") from None
    for start, chunk in zip(itertools.count(0, _BYTE_CHUNK), data.chunks()):  # then controls
        bad = _CONTROL.search(str(chunk, "cp1252"))
        if bad:
            line = data.count_newlines(start + bad.start()) + 1
            raise UserInputError(f"line {line}: the file is not UTF-8 text and contains control "
                                 f"bytes; is it a CSV? Save it as CSV (UTF-8)")
    notes.append("file is not UTF-8; decoded as Windows-1252 (cp1252, which includes Latin-1)")
    return "cp1252", 0, None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _decodes(data: _Bytes, offset: int, codec: str) -> bool:
    """True when the bytes from ``offset`` are valid ``codec`` text (checked in chunks, the
    text discarded)."""
    try:
        for _ in _text_chunks(data, offset, codec):
            pass
    except UnicodeDecodeError:
        return False
    return True


def _text_chunks(data: _Bytes, offset: int, codec: str) -> Iterator[str]:
    """The bytes from ``offset`` decoded a chunk at a time (a character split across two
    chunks is completed by the incremental decoder)."""
    decoder = codecs.getincrementaldecoder(codec)()
    for chunk in data.chunks(offset):
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
#: Line breaks of str.splitlines that io.StringIO(newline="") does not split at.
_OTHER_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _split_lines(text: str) -> list[str]:
    """``text`` cut into lines with their endings, at \n, \r and \r\n only (as
    ``io.StringIO(text, newline="")`` reads them); the last may have no ending."""
    if not any(c in text for c in _OTHER_BREAKS):
        return text.splitlines(keepends=True)  # same cuts, in C
    return _LINE.findall(text)


def _lines(chunks: Iterable[str]) -> Iterator[str]:
    """Physical lines with their endings (``_split_lines``) from text arriving in chunks."""
    return itertools.chain.from_iterable(_line_lists(chunks))


def _line_lists(chunks: Iterable[str]) -> Iterator[list[str]]:
    carry = ""
    for chunk in chunks:
        buf = carry + chunk if carry else chunk
        lines = _split_lines(buf)
        # an unfinished last line, or one ending in \r whose \n may start the next chunk
        carry = lines.pop() if lines and not lines[-1].endswith("\n") else ""
        yield lines
    if carry:
        yield _split_lines(carry)


# ----------------------------------------------------------------------------- text -> columns
@dataclass
class _Parsed:
    """What the tokenizer read: the header, its line, the separator and the three columns."""

    header: list[str]
    header_no: int
    sep: str
    cols: dict[str, int]
    columns: _Columns


class _Columns:
    """The series_id, ds and y columns of the data rows, kept compact while the file streams
    through: ids and dates as codes into their distinct values (with the first row of each),
    y parsed to float per chunk (the text kept only where parsing failed, or for every row when
    decimal commas are possible), the 1-based line of each row. Row-list memory was ~20x the
    file; this is a few bytes a row plus the distinct values."""

    def __init__(self, cols: dict[str, int], ncol: int, keep_y_text: bool, size: int,
                 capacity: int):
        self.cols, self.ncol, self.need = cols, ncol, max(cols.values()) + 1
        # codes and line numbers are below the file's size in bytes
        self.idx = np.int32 if size < 2**31 else np.int64
        # filled in place (``capacity`` >= records): no per-chunk arrays to join, or to
        # fragment the heap, and a few bytes a row
        self.sid: dict[str, int] = {} if "series_id" in cols else {SINGLE_SERIES_ID: 0}
        self.sid_first: list[int] = [] if "series_id" in cols else [0]
        self.ds: dict[str, int] = {}
        self.ds_first: list[int] = []
        self._sid_codes = np.zeros(capacity, dtype=self.idx)
        self._ds_codes = np.empty(capacity, dtype=self.idx)
        self._y = np.empty(capacity, dtype=np.float64)
        self._lines = np.empty(capacity, dtype=self.idx)
        self.y_fail_rows: list[int] = []
        self.y_fail_text: list[str] = []
        self.y_text: list[str] | None = [] if keep_y_text else None
        self.n = 0
        self.error: UserInputError | None = None  # the first row with the wrong field count

    def add(self, rows: list[list[str]], line_nos: np.ndarray) -> None:
        if self.error is not None or not rows:
            return  # refused already: the rest is only tokenized (a CSV error still wins)
        ncol, need, cols = self.ncol, self.need, self.cols
        lens = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        for k in np.flatnonzero((lens > ncol) | (lens < need)):
            row, ln = rows[k], line_nos[k]
            if len(row) > ncol and any(c.strip() for c in row[ncol:]):
                self.error = UserInputError(f"line {ln}: {len(row)} fields but the header has "
                                            f"{ncol}; check the separator and quoting")
                return
            if len(row) < need:
                missing = [c for c, i in cols.items() if i >= len(row)]
                self.error = UserInputError(
                    f"line {ln}: no value for column {missing[0]!r} (only {len(row)} of the "
                    f"header's {ncol} fields; check the separator and quoting)")
                return
        n = len(rows)
        at = slice(self.n, self.n + n)
        if "series_id" in cols:  # else every code stays 0
            self._sid_codes[at] = self._codes(rows, cols["series_id"], self.sid, self.sid_first)
        self._ds_codes[at] = self._codes(rows, cols["ds"], self.ds, self.ds_first)
        values = list(map(str.strip, map(operator.itemgetter(cols["y"]), rows)))
        num = pd.to_numeric(pd.Series(np.array(values, dtype=object), dtype=object),
                            errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        failed = np.flatnonzero(np.isnan(num))
        self.y_fail_rows.extend((failed + self.n).tolist())
        self.y_fail_text.extend(values[k] for k in failed)
        if self.y_text is not None:
            self.y_text.extend(values)
        self._y[at] = num
        self._lines[at] = line_nos
        self.n += n

    def _codes(self, rows: list[list[str]], col: int, index: dict[str, int],
               first: list[int]) -> np.ndarray:
        """Codes of column ``col``'s stripped values in ``index`` (new values get the next
        codes, in order of appearance), and the row where each new value first appears
        appended to ``first``. Hashing runs on the raw cells in C; only the distinct cells of
        the chunk are stripped and looked up in Python."""
        raw_codes, raw_uniq = pd.factorize(np.array(list(map(operator.itemgetter(col), rows)),
                                                    dtype=object))
        before = len(index)
        to_code = np.fromiter((index.setdefault(u.strip(), len(index)) for u in raw_uniq),
                              dtype=self.idx, count=len(raw_uniq))
        if len(index) > before:
            _, first_at = np.unique(raw_codes, return_index=True)  # raw codes 0.. by appearance
            seen: set[int] = set()
            for j in np.flatnonzero(to_code >= before):  # the earliest raw spelling of each
                if to_code[j] not in seen:
                    seen.add(to_code[j])
                    first.append(int(first_at[j]) + self.n)
        return to_code[raw_codes]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(series code, date code, y, line) of every data row, in file order."""
        n = self.n
        return self._sid_codes[:n], self._ds_codes[:n], self._y[:n], self._lines[:n]


def _tokenize(data: _Bytes, notes: list[str]) -> _Parsed:
    """Decode, find the header and the separator, and read every record into ``_Columns``,
    ``_ROW_CHUNK`` records at a time. Refusals come in the order of the one-pass reader this
    replaces: encoding, empty file, CSV syntax anywhere in the file, header, no rows, field
    counts (then the caller checks ids, dates and numbers)."""
    codec, offset, text = _decode(data, notes)
    chunks = iter([text]) if text is not None else _text_chunks(data, offset, codec)
    has_quote = ('"' in text) if text is not None else data.contains(b'"')
    capacity = (_line_breaks(text) if text is not None else data.line_breaks()) + 1
    lines = _lines(chunks)
    first_line_no = 1
    sep = None
    # skip leading blank lines; honour Excel's "sep=;" hint line
    header_line = ""
    for raw in lines:
        if raw.strip():
            header_line = raw
            break
        first_line_no += 1
    if not header_line.strip():
        raise UserInputError("the file is empty; expected a header line "
                             f"{EXPECTED_HEADER} and at least {MIN_POINTS} rows per series")
    hint = re.fullmatch(r"\s*\"?sep=(.)\"?\s*", header_line)
    if hint:
        sep = hint.group(1)
        first_line_no += 1
        header_line = next(lines, "")
        notes.append(f"used the separator declared on line {first_line_no - 1} ({sep!r})")
    if sep is None:
        counts = {c: header_line.count(c) for c in (",", ";", "\t", "|")}
        sep = max(counts, key=lambda c: counts[c]) if max(counts.values()) > 0 else ","
        if sep != ",":
            name = {";": "semicolon", "\t": "tab", "|": "pipe"}[sep]
            notes.append(f"file is {name}-separated")
    body = itertools.chain([header_line] if header_line else [], lines)
    reader = csv.reader(body, delimiter=sep, strict=False)
    state: dict = {"header": None}

    def start(header: list[str], header_no: int) -> None:
        state.update(header=header, header_no=header_no)
        try:
            cols = _map_columns(header, header_no, notes)
        except UserInputError as exc:  # raised once the whole file is tokenized
            state["error"] = exc
            return
        state["cols"] = cols
        state["columns"] = _Columns(cols, len(header), keep_y_text=sep != ",",
                                    size=data.size, capacity=capacity)

    def add(rows: list[list[str]], line_nos: np.ndarray) -> None:
        if "columns" in state:
            state["columns"].add(rows, line_nos)

    try:
        if not has_quote:
            # no quoting: one physical line per record, so read chunks in C and count lines
            read = 0  # records read so far, header included
            while chunk := list(itertools.islice(reader, _ROW_CHUNK)):
                if state["header"] is None:
                    start(chunk[0], first_line_no)
                    chunk = chunk[1:]
                    read = 1
                line_nos = np.arange(first_line_no + read, first_line_no + read + len(chunk))
                read += len(chunk)
                blank = np.fromiter(map(operator.not_, map(str.strip, map("".join, chunk))),
                                    dtype=bool, count=len(chunk))
                if blank.any():
                    keep = np.flatnonzero(~blank)
                    chunk, line_nos = [chunk[k] for k in keep], line_nos[keep]
                add(chunk, line_nos)
        else:
            prev = 0
            rows: list[list[str]] = []
            line_nos: list[int] = []
            for row in reader:
                begin = first_line_no + prev
                prev = reader.line_num
                if state["header"] is None:
                    start(row, begin)
                    continue
                if not "".join(row).strip():
                    continue
                rows.append(row)
                line_nos.append(begin)
                if len(rows) >= _ROW_CHUNK:
                    add(rows, np.asarray(line_nos, dtype=np.int64))
                    rows, line_nos = [], []
            add(rows, np.asarray(line_nos, dtype=np.int64))
    except csv.Error as exc:
        raise UserInputError(f"line {first_line_no + reader.line_num - 1}: the file is not "
                             f"valid CSV ({exc})") from None
    if state["header"] is None:  # pragma: no cover - guarded by the blank check above
        raise UserInputError("the file is empty")
    if "error" in state:
        raise state["error"]
    return _Parsed(state["header"], state["header_no"], sep, state["cols"], state["columns"])


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
def _validate(data: _Bytes) -> ValidatedSeries:
    notes: list[str] = []
    if not any(re.search(rb"\S", c) for c in data.chunks()):  # not data.strip(): a copy
        raise UserInputError(f"the file is empty; expected a header {EXPECTED_HEADER} and at "
                             f"least {MIN_POINTS} rows per series")
    parsed = _tokenize(data, notes)
    del data  # the caller passed its only reference: 50 MB less from here on
    columns = parsed.columns
    if columns.n == 0 and columns.error is None:
        raise UserInputError(f"the file has a header (line {parsed.header_no}) but no data rows")
    if columns.error is not None:
        raise columns.error
    sid_codes, ds_codes, y, lines = columns.arrays()
    sid_uniq = np.array(list(columns.sid), dtype=object)
    sid_first = np.asarray(columns.sid_first, dtype=np.int64)
    if "series_id" in parsed.cols:
        if "" in columns.sid:
            raise UserInputError(f"line {lines[sid_first[columns.sid['']]]}, column "
                                 f"'series_id': empty series id")
        too_long = np.flatnonzero(np.fromiter(map(len, sid_uniq), np.int64, len(sid_uniq)) > 200)
        if too_long.size:
            k = too_long[np.argmin(sid_first[too_long])]
            raise UserInputError(f"line {lines[sid_first[k]]}, column 'series_id': id longer "
                                 f"than 200 characters ({_show(sid_uniq[k])})")
    ds = _parse_dates(columns.ds, ds_codes, np.asarray(columns.ds_first, dtype=np.int64), lines,
                      notes)
    y = _parse_numbers(y, columns, lines, notes, decimal_comma_ok=parsed.sep != ",")

    del ds_codes, parsed, columns
    # sort on integer codes (hashing + lexsort) instead of strings: 10k series stay fast
    rank, _ = pd.factorize(sid_uniq, sort=True)    # the distinct ids' sorted order
    codes = rank[sid_codes]
    order = np.lexsort((lines, ds.view(np.int64), codes))
    # one column at a time, each freed once sorted; ids as a categorical while checking (a code
    # a row, not a string a row); one dtype per column, so pandas copies none into a block
    columns = {"series_id": pd.Categorical.from_codes(sid_codes[order], pd.Index(sid_uniq))}
    del sid_codes
    columns["ds"] = ds[order]
    del ds
    columns["y"] = y[order]
    del y
    columns["_line"] = lines[order]  # int32 (int64 for a file over 2 GB): not the _code dtype
    del lines
    columns["_code"] = codes[order]
    del codes, order
    frame = pd.DataFrame(columns, copy=False)
    del columns
    frame = _drop_duplicates(frame, notes)
    frame = _drop_trailing_missing(frame, notes)
    _check_values(frame, notes)
    _check_length(frame)
    frame, freq = _infer_freq_batched(frame, notes)
    ids = frame["series_id"].array
    frame = pd.DataFrame({  # ids back to strings by one Arrow take over the distinct ones
        "series_id": pd.array(pa.array(ids.categories.to_numpy(object), pa.large_string())
                              .take(pa.array(ids.codes)), dtype="str"),
        "ds": frame["ds"].to_numpy().astype("datetime64[ns]", copy=False),
        "y": frame["y"].to_numpy().astype("float64", copy=False)}, copy=False)
    return ValidatedSeries(frame=frame, notes=notes, freq=freq)


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
