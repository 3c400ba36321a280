"""Text -> columns: the header, the separator, column aliases, and the three columns kept
compact (codes into distinct values) while the records stream through the CSV tokenizer."""

from __future__ import annotations

import csv
import difflib
import itertools
import operator
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.core.errors import UserInputError
from forecasting.postings.inputs.rules import EXPECTED_HEADER, MIN_POINTS, SINGLE_SERIES_ID, _show
from forecasting.postings.inputs.text import _Bytes, _decode, _line_breaks, _lines, _text_chunks

# Accepted alternative column names (normalised: lower case, spaces/hyphens -> '_').
# Each use is reported in notes so nothing is renamed silently.
ALIASES: dict[str, tuple[str, ...]] = {
    "series_id": ("unique_id", "id", "series", "series_name", "item_id"),
    "ds": ("date", "timestamp", "time", "datetime", "period", "month", "week", "day", "year",
           "quarter"),
    "y": ("value", "values", "target", "count", "amount", "val"),
}
#: Bytes decoded and CSV records tokenized at a time: the file's text and its rows are never
#: all in memory at once (see _Columns).
_ROW_CHUNK = 1 << 13


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
