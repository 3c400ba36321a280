"""How each raw file's vintage is read from the file itself (last day, month, May year, EP base
year, latest work_year), so ``update-data`` can refuse an older file and the Data & methods page
can say what the data cover. Nothing here knows which source uses which reader (``registry``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from forecasting.core.errors import DataFileError


@dataclass(frozen=True)
class Vintage:
    """``key`` sorts within one file ('2026-06-30', '2026-04', '2025'); ``label`` is for people."""

    key: str
    label: str



def _vintage_error(rel: str, what: str) -> DataFileError:
    return DataFileError(f"{rel}: cannot read the vintage ({what})")


def _last_date(path: Path, rel: str, column: str, fmt: str) -> pd.Timestamp:
    """The latest date in ``column`` of a CSV, parsed with ``fmt``; a clear error otherwise."""
    try:
        dates = pd.to_datetime(pd.read_csv(path, usecols=[column])[column], format=fmt)
    except (ValueError, KeyError, OSError, pd.errors.ParserError) as exc:
        raise _vintage_error(rel, f"column {column}: {exc}") from None
    if dates.empty:
        raise _vintage_error(rel, "no rows")
    return dates.max()


def daily_vintage(path: Path, rel: str) -> Vintage:
    """Last day in the ``date`` column (YYYY-MM-DD)."""
    last = _last_date(path, rel, "date", "%Y-%m-%d").strftime("%Y-%m-%d")
    return Vintage(last, f"daily to {last}")


def monthly_vintage(path: Path, rel: str) -> Vintage:
    """Last month in the ``month`` column ('Apr-26')."""
    last = _last_date(path, rel, "month", "%b-%y").strftime("%Y-%m")
    return Vintage(last, f"monthly to {last}")


def oews_vintage(path: Path, rel: str) -> Vintage:
    """The May reference year: from the file name, checked against the data sheet's name when
    that names a year (a 2024 file saved as national_M2025 is refused)."""
    m = re.search(r"_M(\d{4})_", PurePosixPath(rel).name)
    if not m:
        raise _vintage_error(rel, "no year in the file name")
    year = m.group(1)
    from forecasting.sources.files import xlsx_engine
    try:
        sheets = pd.ExcelFile(path, engine=xlsx_engine()).sheet_names
    except Exception as exc:  # any reader error means "not a readable xlsx"
        raise _vintage_error(rel, f"not a readable xlsx: {type(exc).__name__}") from None
    inner = re.search(r"_M(\d{4})_", sheets[0] if sheets else "")
    if inner and inner.group(1) != year:
        raise _vintage_error(rel, f"the file is named May {year} but its sheet "
                                  f"{sheets[0]!r} is May {inner.group(1)}")
    return Vintage(year, f"May {year}")


def ep_vintage(path: Path, rel: str) -> Vintage:
    """Base year of the projections, from Table 1.2's header ('2024 National Employment
    Matrix code' -> 2024-34)."""
    from forecasting.sources.files import xlsx_engine
    try:
        head = pd.read_excel(path, sheet_name="Table 1.2", header=None, nrows=12,
                             engine=xlsx_engine())
    except Exception as exc:
        raise _vintage_error(rel, f"sheet 'Table 1.2': {type(exc).__name__}") from None
    for cell in head.to_numpy().ravel():
        m = re.fullmatch(r"\s*(\d{4}) National Employment Matrix code\s*", str(cell))
        if m:
            y = int(m.group(1))
            return Vintage(str(y), f"{y}–{(y + 10) % 100:02d} projections")
    raise _vintage_error(rel, "no 'YYYY National Employment Matrix code' header in Table 1.2")


def aijobs_vintage(path: Path, rel: str) -> Vintage:
    """Latest ``work_year`` and the record count."""
    try:
        years = pd.to_numeric(pd.read_csv(path, usecols=["work_year"])["work_year"])
    except (ValueError, KeyError, OSError, pd.errors.ParserError) as exc:
        raise _vintage_error(rel, f"column work_year: {exc}") from None
    if years.empty:
        raise _vintage_error(rel, "no rows")
    last = int(years.max())
    return Vintage(str(last), f"work_year to {last} ({len(years):,} records)")


def fixed_vintage(key: str, label: str) -> Callable[[Path, str], Vintage]:
    """A static file's vintage, as documented upstream (the file itself carries no date)."""
    return lambda path, rel: Vintage(key, label)
