"""The one door for user series: ``read_series_csv`` runs every step and never lets anything
but a ``UserInputError`` out."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from forecasting.core.errors import UserInputError
from forecasting.postings.inputs.columns import _tokenize
from forecasting.postings.inputs.rules import EXPECTED_HEADER, MIN_POINTS, _show, max_upload_bytes
from forecasting.postings.inputs.spacing import _infer_freq_batched
from forecasting.postings.inputs.text import _Bytes, _read_bytes
from forecasting.postings.inputs.values import (
    _check_length,
    _check_values,
    _drop_duplicates,
    _drop_trailing_missing,
    _parse_dates,
    _parse_numbers,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class ValidatedSeries:
    """A clean long frame plus what was done to get it and each series' frequency."""

    frame: pd.DataFrame                      # series_id:str, ds:datetime64[ns], y:float64
    notes: list[str] = field(default_factory=list)
    freq: dict[str, str] = field(default_factory=dict)   # pandas offset alias per series


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
    except Exception as exc:  # the boundary: never a traceback for users
        log.exception("unexpected error while validating a user CSV")
        raise UserInputError(
            f"could not read the file (unexpected {type(exc).__name__}); check that it is a CSV "
            f"with header {EXPECTED_HEADER}") from exc


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
