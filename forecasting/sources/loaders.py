"""Shipped raw files -> validated tidy frames, cached as parquet keyed by the raw files' hash.

Why a cache: the OEWS xlsx files take ~15 s to parse with openpyxl; the parsed frames take
milliseconds to read back. The cache key is the sha256 of the loader's raw files plus
``PARSER_VERSION``, so editing a raw file or the parser invalidates it, never a stale read.

Rules kept here (and tested): never invent a number. OEWS special values become NaN with a
flag (``#`` top-coded wage, ``*`` for ``*``/``**`` not available); NCSES ``[value, flag]`` cells
keep their flag; BLS EP thousands become persons; Indeed daily series become monthly means and
a month with fewer than ``MIN_DAYS_PER_MONTH`` daily rows (the partial month at the end of a
file) is dropped rather than shown as a biased mean.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import hashlib
import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from forecasting.core import catalog

from forecasting.sources import registry as sources
from forecasting.core.errors import UserInputError

_REPO = Path(__file__).resolve().parents[2]
DATA_DIR: Path = Path(os.environ.get("MLTALENT_DATA_DIR", _REPO / "data"))
CACHE_DIR: Path = Path(os.environ.get("MLTALENT_CACHE_DIR", DATA_DIR / "processed"))

#: Bump when a parser changes what it returns, so old parquet files are not reused.
PARSER_VERSION = "1"
#: A month with fewer daily rows than this is a partial month (end of file) and is dropped.
MIN_DAYS_PER_MONTH = 20
INDEED_CREDIT = sources.INDEED_CREDIT
WAGE_COLS = ("a_mean", "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90")


class DataFileError(UserInputError):
    """A shipped or user-supplied raw file does not have the shape its loader expects."""


# --------------------------------------------------------------------------- files and hashes
#: Set by ``raw_root``: the loaders read this folder instead of data/raw (update-data validates
#: a staged vintage with them). A context variable, so other threads keep reading data/raw.
_RAW_OVERRIDE: contextvars.ContextVar[Path | None] = contextvars.ContextVar("raw_override",
                                                                           default=None)


def raw_dir() -> Path:
    """The raw-data folder the loaders read: data/raw, or the folder of an active ``raw_root``.
    A missing data/raw left by an interrupted two-step swap is restored first."""
    override = _RAW_OVERRIDE.get()
    if override is not None:
        return override
    raw = Path(DATA_DIR) / "raw"
    if not raw.is_dir():
        from forecasting.sources import rawswap
        rawswap.restore_if_interrupted(Path(DATA_DIR))
    return raw


@contextlib.contextmanager
def raw_root(folder: str | os.PathLike, cache_dir: str | os.PathLike | None = None) -> Iterator[Path]:
    """Run the loaders (and whatever reads through them) on ``folder`` instead of data/raw,
    optionally with the disk caches in ``cache_dir`` so nothing under data/ is written.
    The normal path is untouched: outside the block, results are exactly as before."""
    global CACHE_DIR
    token = _RAW_OVERRIDE.set(Path(folder))
    old_cache = CACHE_DIR
    if cache_dir is not None:
        CACHE_DIR = Path(cache_dir)
    try:
        yield Path(folder)
    finally:
        _RAW_OVERRIDE.reset(token)
        CACHE_DIR = old_cache


_bls_oews = sources.BY_NAME["bls_oews"].yearly
_bls_oews_sector = sources.BY_NAME["bls_oews_sector"].yearly


def oews_years() -> tuple[int, ...]:
    """May years of the national OEWS files present (a new year's file needs no code change)."""
    return _bls_oews.years(raw_dir())


def natsector_years() -> tuple[int, ...]:
    """May years of the OEWS by-sector files present."""
    return _bls_oews_sector.years(raw_dir())


def _oews_national(year: int) -> str:
    return _bls_oews.file(year).rel


_bls_oews_history = sources.BY_NAME["bls_oews_history"].yearly


def oews_history_years() -> tuple[int, ...]:
    """May years of the older national OEWS files present (long-horizon backtests only)."""
    return _bls_oews_history.years(raw_dir())


def _oews_history(year: int) -> str:
    return _bls_oews_history.file(year).rel


def _oews_sector(year: int) -> str:
    return _bls_oews_sector.file(year).rel


AI_FILE = sources.AI_FILE
GENAI_FILE = sources.GENAI_FILE
AGG_FILE = sources.AGG_FILE
SECTOR_FILE = sources.SECTOR_FILE
WAGE_FILE = sources.WAGE_FILE
AIJOBS_FILE = sources.AIJOBS_FILE
EP_FILE = sources.EP_FILE
NCSES_FILE = sources.NCSES_FILE


def raw_files() -> tuple[str, ...]:
    """Every raw file a loader reads (relative to ``raw_dir()``); ``data_hash`` covers all of
    them, in this order."""
    return (*(_oews_national(y) for y in oews_years()),
            *(_oews_sector(y) for y in natsector_years()),
            *(_oews_history(y) for y in oews_history_years()),
            EP_FILE, NCSES_FILE, AI_FILE, GENAI_FILE, AGG_FILE, SECTOR_FILE, WAGE_FILE, AIJOBS_FILE)


def __getattr__(name: str):
    """``OEWS_YEARS``, ``NATSECTOR_YEARS`` and ``RAW_FILES`` are read from the files present at
    each access (they were constants before the years were discovered)."""
    live = {"OEWS_YEARS": oews_years, "NATSECTOR_YEARS": natsector_years, "RAW_FILES": raw_files}
    if name in live:
        return live[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_HASH_MEMO: dict[tuple[str, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """sha256 of one file, memoised on (path, size, mtime) so repeated calls are free."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _HASH_MEMO:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        _HASH_MEMO[key] = h.hexdigest()
    return _HASH_MEMO[key]


def _path(rel: str) -> Path:
    p = raw_dir() / rel
    if not p.is_file():
        raise DataFileError(f"raw data file missing: {p} (see data/SOURCES.md)")
    return p


def _files_hash(rels: Iterable[str]) -> str:
    h = hashlib.sha256(PARSER_VERSION.encode())
    raw = raw_dir()  # once, and one stat a file (the dashboard checks the hash every rerun)
    for rel in rels:
        p = raw / rel
        try:
            digest = file_sha256(p)
        except OSError:
            raise DataFileError(f"raw data file missing: {p} (see data/SOURCES.md)") from None
        h.update(rel.encode())
        h.update(digest.encode())
    return h.hexdigest()


def data_hash() -> str:
    """sha256 over every raw file the loaders use (the fit caches of other modules key on it)."""
    return _files_hash(raw_files())


def oews_hash() -> str:
    """sha256 over the national OEWS files (recent and history): the headcount model's fits,
    damping and backtests depend on these alone, so a postings or salary update keeps them."""
    return _files_hash((*(_oews_national(y) for y in oews_years()),
                        *(_oews_history(y) for y in oews_history_years())))


def forget_hashes() -> None:
    """Drop memoised file hashes (after update-data swapped data/raw in this process)."""
    _HASH_MEMO.clear()


def source_hash(*files: str | os.PathLike, length: int = 12) -> str:
    """Hex digest over source files' bytes, in order: disk caches key on it, so they are rebuilt
    when the code that makes their numbers changes."""
    h = hashlib.sha256()
    for f in files:
        h.update(Path(f).read_bytes())
    return h.hexdigest()[:length]


def cached_frame(path: Path, stale_glob: str, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """A derived frame kept on disk: read ``path``, or build it, delete the files matching
    ``stale_glob`` beside it (older keys) and write it atomically. A damaged file is rebuilt,
    never trusted; a read-only folder only costs the rebuild next time."""
    from forecasting.core.atomic import write_via_temp
    if path.is_file():
        try:
            return pd.read_parquet(path)
        except Exception:  # noqa: BLE001 - damaged: rebuilt below
            pass
    out = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(stale_glob):
            old.unlink(missing_ok=True)
        write_via_temp(path, lambda tmp: out.to_parquet(tmp, index=False))
    except OSError:
        pass
    return out


def _cached(name: str, rels: Iterable[str], build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """Return ``build()``, read from / written to ``CACHE_DIR/<name>-<hash>.parquet``."""
    rels = tuple(rels)
    key = _files_hash(rels)[:20]
    target = Path(CACHE_DIR) / f"{name}-{key}.parquet"
    if target.is_file():
        try:
            return pd.read_parquet(target)
        except Exception:  # a corrupt cache file is rebuilt, never trusted
            target.unlink(missing_ok=True)
    df = _normalise(build())
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        df.to_parquet(tmp, index=False)
        os.replace(tmp, target)  # atomic: a concurrent reader never sees half a file
        for old in target.parent.glob(f"{name}-*.parquet"):
            if old != target:
                old.unlink(missing_ok=True)
    except OSError as exc:  # read-only data dir: still work, just slower
        warnings.warn(f"could not write cache {target}: {exc}", stacklevel=2)
    return df


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Give a fresh build the dtypes a parquet round trip gives, so cold == warm exactly."""
    for col in df.columns:
        if df[col].dtype == object and df[col].map(lambda v: isinstance(v, str)).all():
            df[col] = df[col].astype("str")
    return df.reset_index(drop=True)


def _require(df: pd.DataFrame, cols: Iterable[str], rel: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataFileError(f"{rel}: missing column(s) {', '.join(missing)}; "
                            f"found {', '.join(map(str, df.columns[:20]))}")


def _numeric(s: pd.Series, rel: str, col: str) -> pd.Series:
    out = pd.to_numeric(s, errors="coerce")
    bad = s[out.isna() & s.notna()]
    if len(bad):
        raise DataFileError(f"{rel}: column {col} has non-numeric value {bad.iloc[0]!r} "
                            f"(row {bad.index[0] + 2})")
    return out.astype(float)


def _non_negative(df: pd.DataFrame, col: str, rel: str) -> None:
    neg = df[df[col] < 0]
    if len(neg):
        raise DataFileError(f"{rel}: negative {col} {neg[col].iloc[0]} (row {neg.index[0]})")


# --------------------------------------------------------------------------- OEWS
_OEWS_COLS = ("OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "EMP_PRSE",
              "A_MEAN", "A_PCT10", "A_PCT25", "A_MEDIAN", "A_PCT75", "A_PCT90")


def _xlsx_engine() -> str:
    """calamine (Rust) parses these files ~10x faster than openpyxl; openpyxl is the fallback."""
    try:
        import python_calamine  # noqa: F401
        return "calamine"
    except ImportError:
        return "openpyxl"


def _read_xlsx(rel: str, **kw) -> pd.DataFrame:
    try:
        return pd.read_excel(_path(rel), engine=_xlsx_engine(), **kw)
    except DataFileError:
        raise
    except (ValueError, KeyError, OSError) as exc:
        raise DataFileError(f"{rel}: cannot read as xlsx ({exc})") from exc


def _read_oews(rel: str) -> pd.DataFrame:
    df = _read_xlsx(rel, sheet_name=0, dtype={"OCC_CODE": str})
    _require(df, _OEWS_COLS, rel)
    return df


def _flagged(s: pd.Series, rel: str, col: str) -> tuple[pd.Series, pd.Series]:
    """OEWS cell -> (float or NaN, flag): '#' top-coded, '*'/'**' not available."""
    txt = s.astype("string").str.strip()
    flag = pd.Series("", index=s.index, dtype="string")
    flag[txt == "#"] = "#"
    flag[txt.isin(["*", "**"])] = "*"
    vals = s.where(flag == "")
    return _numeric(vals, rel, col), flag.astype(str)


def _oews_frame(df: pd.DataFrame, year: int, rel: str, wages: bool) -> pd.DataFrame:
    out = pd.DataFrame({"year": year, "soc": df["OCC_CODE"].astype(str).str.strip(),
                        "soc_title": df["OCC_TITLE"].astype(str).str.strip()})
    out["tot_emp"], _ = _flagged(df["TOT_EMP"], rel, "TOT_EMP")
    out["emp_prse"], _ = _flagged(df["EMP_PRSE"], rel, "EMP_PRSE")
    if wages:
        for col in WAGE_COLS:
            out[col], out[f"{col}_flag"] = _flagged(df[col.upper()], rel, col.upper())
    _non_negative(out, "tot_emp", rel)
    return out


def _years_or_error(years: tuple[int, ...], what: str) -> tuple[int, ...]:
    if not years:
        raise DataFileError(f"no {what} files in {raw_dir()} (see data/SOURCES.md)")
    return years


def _build_oews_national() -> pd.DataFrame:
    frames = []
    for year in _years_or_error(oews_years(), "OEWS national"):
        rel = _oews_national(year)
        raw = _read_oews(rel)
        # A code can appear as both 'broad' and 'detailed'; the detailed row is the occupation.
        raw = raw[raw["O_GROUP"].isin(["detailed", "total"])]
        socs = set(catalog.CATALOG_SOCS)
        if year == 2020:
            socs |= set(catalog.SOC_2020_HYBRID.values())
        part = _oews_frame(raw[raw["OCC_CODE"].isin(socs)].reset_index(drop=True), year, rel, True)
        part["hybrid"] = (year == 2020) & part["soc"].isin(list(catalog.SOC_2020_HYBRID.values()))
        part["source_file"] = rel
        if part["soc"].duplicated().any():
            raise DataFileError(f"{rel}: duplicate OCC_CODE rows for {part['soc'][part['soc'].duplicated()].tolist()}")
        frames.append(part)
    df = pd.concat(frames, ignore_index=True)
    cols = ["year", "soc", "soc_title", "hybrid", "tot_emp", "emp_prse", *WAGE_COLS,
            *(f"{c}_flag" for c in WAGE_COLS), "source_file"]
    return df[cols]


def load_oews_national() -> pd.DataFrame:
    """OEWS national, every May file present (2020-2025 shipped), for every catalog SOC
    (+ 2020 hybrids, ``hybrid=True``)."""
    rels = [_oews_national(y) for y in oews_years()]
    return _cached("oews_national", rels, _build_oews_national).copy()


def _build_oews_panel() -> pd.DataFrame:
    frames = []
    for year in _years_or_error(oews_years(), "OEWS national"):
        rel = _oews_national(year)
        raw = _read_oews(rel)
        raw = raw[raw["O_GROUP"] == "detailed"].reset_index(drop=True)
        frames.append(_oews_frame(raw, year, rel, wages=False))
    return pd.concat(frames, ignore_index=True)


def load_oews_panel() -> pd.DataFrame:
    """Every detailed occupation, every year: the panel the headcount rule is validated on."""
    rels = [_oews_national(y) for y in oews_years()]
    return _cached("oews_panel", rels, _build_oews_panel).copy()


def _build_oews_history_panel() -> pd.DataFrame:
    frames = []
    for year in oews_history_years():
        rel = _oews_history(year)
        # sheet 0 is the data sheet in all three (2019's workbook carries an extra "Sheet1"
        # added by the re-hosting repository: never read)
        raw = _read_xlsx(rel, sheet_name=0, dtype=str)
        raw.columns = [str(c).strip().upper() for c in raw.columns]
        raw = raw.rename(columns={"OCC_GROUP": "O_GROUP"})  # 2017-2018 name of the group column
        _require(raw, ("OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "EMP_PRSE"), rel)
        raw = raw[raw["O_GROUP"].astype(str).str.strip() == "detailed"].reset_index(drop=True)
        frames.append(_oews_frame(raw, year, rel, wages=False))
    return pd.concat(frames, ignore_index=True)


def load_oews_history_panel() -> pd.DataFrame:
    """Every detailed occupation of the May 2017-2019 national files (year, soc, soc_title,
    tot_emp, emp_prse): the older end of the long panel that backtests 3-7 years ahead."""
    rels = [_oews_history(y) for y in oews_history_years()]
    return _cached("oews_history_panel", rels, _build_oews_history_panel).copy()


def _build_oews_sector() -> pd.DataFrame:
    frames = []
    for year in _years_or_error(natsector_years(), "OEWS by-sector"):
        rel = _oews_sector(year)
        raw = _read_xlsx(rel, sheet_name=0, dtype={"OCC_CODE": str})
        _require(raw, ("NAICS", "NAICS_TITLE", "OCC_CODE", "O_GROUP", "TOT_EMP"), rel)
        raw = raw[raw["OCC_CODE"].isin(catalog.CATALOG_SOCS)
                  & raw["O_GROUP"].isin(["detailed", "total"])].reset_index(drop=True)
        naics = _numeric(raw["NAICS"], rel, "NAICS")
        bad = naics[(naics < 11) | (naics > 99) | (naics != naics.round())]
        if len(bad):
            raise DataFileError(f"{rel}: NAICS {bad.iloc[0]!r} is not a 2-digit sector code")
        tot, _ = _flagged(raw["TOT_EMP"], rel, "TOT_EMP")
        part = pd.DataFrame({"year": year, "soc": raw["OCC_CODE"].astype(str),
                             "naics": naics.astype(int),
                             "naics_title": raw["NAICS_TITLE"].astype(str), "tot_emp": tot})
        _non_negative(part, "tot_emp", rel)
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def _build_oews_sector_panel() -> pd.DataFrame:
    frames = []
    for year in _years_or_error(natsector_years(), "OEWS by-sector"):
        rel = _oews_sector(year)
        raw = _read_xlsx(rel, sheet_name=0, dtype={"OCC_CODE": str})
        _require(raw, ("NAICS", "OCC_CODE", "O_GROUP", "TOT_EMP"), rel)
        raw = raw[raw["O_GROUP"] == "detailed"].reset_index(drop=True)
        tot, _ = _flagged(raw["TOT_EMP"], rel, "TOT_EMP")
        part = pd.DataFrame({"year": year, "soc": raw["OCC_CODE"].astype(str),
                             "naics": _numeric(raw["NAICS"], rel, "NAICS").astype(int),
                             "tot_emp": tot})
        _non_negative(part, "tot_emp", rel)
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def load_oews_sector_panel() -> pd.DataFrame:
    """Every detailed occupation x 2-digit sector, May 2022-2024 (``tot_emp`` NaN = suppressed):
    the panel the industry-share trend is fitted on."""
    rels = [_oews_sector(y) for y in natsector_years()]
    return _cached("oews_sector_panel", rels, _build_oews_sector_panel).copy()


def load_oews_sector() -> pd.DataFrame:
    """Employment of catalog SOCs per 2-digit NAICS sector, May 2022-2024 (31 = 31-33)."""
    rels = [_oews_sector(y) for y in natsector_years()]
    return _cached("oews_sector", rels, _build_oews_sector).copy()


# --------------------------------------------------------------------------- BLS EP
_EP_HEADERS = {
    "title": "2024 National Employment Matrix title",
    "soc": "2024 National Employment Matrix code",
    "occupation_type": "Occupation type",
    "emp_2024": "Employment, 2024",
    "emp_2034": "Employment, 2034",
    "change_num": "Employment change, numeric, 2024–34",
    "change_pct": "Employment change, percent, 2024–34",
    "openings_annual": "Occupational openings, 2024–34 annual average",
    "median_wage_2024": "Median annual wage, dollars, 2024[1]",
}


def _build_bls_ep() -> pd.DataFrame:
    rel = EP_FILE
    raw = _read_xlsx(rel, sheet_name="Table 1.2", header=None)
    hdr_rows = raw.index[raw.astype(str).apply(
        lambda r: r.str.strip().eq(_EP_HEADERS["soc"]).any(), axis=1)]
    if not len(hdr_rows):
        raise DataFileError(f"{rel}: sheet 'Table 1.2' has no header '{_EP_HEADERS['soc']}'")
    h = hdr_rows[0]
    raw.columns = [str(c).strip() for c in raw.iloc[h]]
    body = raw.iloc[h + 1:].reset_index(drop=True)
    _require(body, _EP_HEADERS.values(), rel + " (Table 1.2)")
    body = body[body[_EP_HEADERS["soc"]].astype(str).str.fullmatch(r"\d\d-\d{4}")]
    out = pd.DataFrame({k: body[v].values for k, v in _EP_HEADERS.items()})
    out["soc"] = out["soc"].astype(str)
    out["title"] = out["title"].astype(str).str.strip()
    out["occupation_type"] = out["occupation_type"].astype(str)
    for col in ("emp_2024", "emp_2034", "change_num", "openings_annual"):
        # Table 1.2 is in thousands of jobs; persons = thousands x 1000 (rounded off float noise).
        out[col] = (_numeric(out[col], rel, _EP_HEADERS[col]) * 1000).round()
    out["change_pct"] = _numeric(out["change_pct"], rel, _EP_HEADERS["change_pct"])
    wage = out["median_wage_2024"].astype(str).str.replace(r"[,$]", "", regex=True)
    out["median_wage_2024"] = pd.to_numeric(wage, errors="coerce")  # '—' / '>=...' -> NaN
    _non_negative(out, "emp_2024", rel)
    _non_negative(out, "emp_2034", rel)
    return out.reset_index(drop=True)


def load_bls_ep() -> pd.DataFrame:
    """BLS Employment Projections 2024-34, Table 1.2, employment in persons."""
    return _cached("bls_ep", [EP_FILE], _build_bls_ep).copy()


# --------------------------------------------------------------------------- NCSES
def _ncses_cell(cell: object, rel: str, col: str, row: int) -> tuple[float, str]:
    """"['1,234', 'r']" -> (1234.0, 'r'); '&nbsp;' means no flag; 'D' etc. -> NaN."""
    try:
        parts = ast.literal_eval(str(cell))
        value, flag = str(parts[0]).strip(), str(parts[1]).strip()
    except (ValueError, SyntaxError, IndexError, TypeError):
        raise DataFileError(f"{rel}: row {row}, column {col}: cannot parse {cell!r} "
                            "as ['value', 'flag']") from None
    flag = "" if flag in ("&nbsp;", "") else flag
    num = pd.to_numeric(value.replace(",", ""), errors="coerce")
    if pd.isna(num) and not flag:
        flag = value  # e.g. 'D' suppressed, 'X' not applicable: keep the marker, no number
    return float(num), flag


def _build_ncses() -> pd.DataFrame:
    rel = NCSES_FILE
    raw = pd.read_csv(_path(rel), dtype=str)
    fields = {"companies": "field_companies_number_", "a_lot": "field_a_lot",
              "somewhat": "field_somewhat", "a_little": "field_a_little",
              "not_at_all": "field_not_at_all"}
    _require(raw, ["table_id", "industry_full_path", "industry_hierarchy_depth",
                   "field_naics_code", *fields.values()], rel)
    out = pd.DataFrame({
        "table_id": raw["table_id"].astype(str),
        "naics_code": raw["field_naics_code"].astype(str).str.strip(),
        "industry": raw["industry_full_path"].astype(str).str.split("->").str[-1].str.strip(),
        "depth": _numeric(raw["industry_hierarchy_depth"], rel, "industry_hierarchy_depth").astype(int),
    })
    flags = [[] for _ in range(len(raw))]
    for name, col in fields.items():
        vals = []
        for i, cell in enumerate(raw[col]):
            v, f = _ncses_cell(cell, rel, col, i + 2)
            vals.append(v)
            if f and f not in flags[i]:
                flags[i].append(f)
        out[name] = vals
    out["flag"] = [",".join(f) for f in flags]
    for col in fields:
        _non_negative(out, col, rel)
    pct = out[["a_lot", "somewhat", "a_little", "not_at_all"]]
    if (pct > 100).any().any():
        raise DataFileError(f"{rel}: a percentage above 100")
    return out


def load_ncses_ai_use() -> pd.DataFrame:
    """NCSES ABS table CET-33 (11545): % of companies using AI, by industry, data year 2021."""
    return _cached("ncses_ai_use", [NCSES_FILE], _build_ncses).copy()


# --------------------------------------------------------------------------- Indeed postings
def sector_slug(name: str) -> str:
    """'Information Design & Documentation' -> 'information_design_documentation'."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", name.lower())).strip("_")


def _read_daily(rel: str, value_col: str, extra: Iterable[str] = ()) -> pd.DataFrame:
    df = pd.read_csv(_path(rel))
    _require(df, ["date", "jobcountry", value_col, *extra], rel)
    ds = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
    if ds.isna().any():
        i = int(np.flatnonzero(ds.isna())[0])
        raise DataFileError(f"{rel}: row {i + 2}, column date: {df['date'].iloc[i]!r} is not YYYY-MM-DD")
    df["date"] = ds
    df[value_col] = _numeric(df[value_col], rel, value_col)
    return df


def _daily_series() -> tuple[pd.DataFrame, pd.DataFrame]:
    """All daily rows as (series_id, date, y) plus the catalog rows describing each series."""
    parts, meta = [], []
    for rel, col, kind, what in ((AI_FILE, "AI_share_postings", "ai_share", "AI"),
                                 (GENAI_FILE, "GenAI_share_postings", "genai_share", "GenAI")):
        df = _read_daily(rel, col)
        for cc, g in df.groupby("jobcountry", sort=True):
            sid = f"{str(cc).lower()}_{kind}"
            parts.append(pd.DataFrame({"series_id": sid, "date": g["date"], "y": g[col]}))
            meta.append((sid, f"{cc}: {what} share of job postings", str(cc), "% of postings", rel))
    agg = _read_daily(AGG_FILE, "indeed_job_postings_index_SA", ["variable"])
    for var, sid, label in (("total postings", "us_postings_total", "US: all job postings (SA index)"),
                            ("new postings", "us_postings_new", "US: new job postings (SA index)")):
        g = agg[(agg["variable"] == var) & (agg["jobcountry"] == "US")]
        if g.empty:
            raise DataFileError(f"{AGG_FILE}: no rows with variable == {var!r}")
        parts.append(pd.DataFrame({"series_id": sid, "date": g["date"],
                                   "y": g["indeed_job_postings_index_SA"]}))
        meta.append((sid, label, "US", "index, 1 Feb 2020 = 100", AGG_FILE))
    sec = _read_daily(SECTOR_FILE, "indeed_job_postings_index", ["display_name", "variable"])
    sec = sec[sec["variable"] == "total postings"]
    for name, g in sec.groupby("display_name", sort=True):
        sid = f"us_sector_{sector_slug(str(name))}"
        parts.append(pd.DataFrame({"series_id": sid, "date": g["date"],
                                   "y": g["indeed_job_postings_index"]}))
        meta.append((sid, f"US postings: {name} (SA index)", "US", "index, 1 Feb 2020 = 100",
                     SECTOR_FILE))
    daily = pd.concat(parts, ignore_index=True)
    dup = daily.duplicated(["series_id", "date"])
    if dup.any():
        r = daily[dup].iloc[0]
        raise DataFileError(f"duplicate daily row for series {r['series_id']} on {r['date']:%Y-%m-%d}")
    cat = pd.DataFrame(meta, columns=["series_id", "label", "country", "unit", "source_file"])
    cat["credit"] = INDEED_CREDIT
    return daily, cat


def monthly_means(daily: pd.DataFrame, min_days: int = MIN_DAYS_PER_MONTH) -> pd.DataFrame:
    """Daily (series_id, date, y) -> monthly mean (series_id, ds = month start, y).

    Months with fewer than ``min_days`` daily rows are dropped: in these files that is only
    the partial last month, whose mean would cover a few days of a seasonal series.
    """
    d = daily.assign(ds=daily["date"].dt.to_period("M").dt.to_timestamp())
    g = d.groupby(["series_id", "ds"], sort=True)["y"].agg(["mean", "count"]).reset_index()
    g = g[g["count"] >= min_days]
    out = g.rename(columns={"mean": "y"})[["series_id", "ds", "y"]].reset_index(drop=True)
    out["ds"] = out["ds"].astype("datetime64[ns]")
    return out


_POSTING_FILES = (AI_FILE, GENAI_FILE, AGG_FILE, SECTOR_FILE)


def load_postings_monthly() -> pd.DataFrame:
    """Monthly means of every Indeed daily series (``series_id, ds, y``)."""
    return _cached("postings_monthly", _POSTING_FILES,
                   lambda: monthly_means(_daily_series()[0])).copy()


def load_postings_daily() -> pd.DataFrame:
    """The daily rows behind ``load_postings_monthly`` (``series_id, date, y``); not cached."""
    return _daily_series()[0]


def postings_catalog() -> pd.DataFrame:
    """One row per monthly series: label, country, unit, source file and the credit line."""
    return _cached("postings_catalog", _POSTING_FILES, lambda: _daily_series()[1]).copy()


# --------------------------------------------------------------------------- wages, salaries
def _build_wage_growth() -> pd.DataFrame:
    rel = WAGE_FILE
    raw = pd.read_csv(_path(rel))
    _require(raw, ["jobcountry", "month", "n_obs", "posted_wage_growth_yoy",
                   "posted_wage_growth_yoy_3moavg"], rel)
    ds = pd.to_datetime(raw["month"], format="%b-%y", errors="coerce")
    if ds.isna().any():
        i = int(np.flatnonzero(ds.isna())[0])
        raise DataFileError(f"{rel}: row {i + 2}, column month: {raw['month'].iloc[i]!r} is not like 'Apr-19'")
    out = pd.DataFrame({
        "country": raw["jobcountry"].astype(str),
        "ds": ds.astype("datetime64[ns]"),
        # the file stores fractions (0.0202); the product speaks percent (2.02)
        "yoy_pct": _numeric(raw["posted_wage_growth_yoy"], rel, "posted_wage_growth_yoy") * 100,
        "yoy_3mo_pct": _numeric(raw["posted_wage_growth_yoy_3moavg"], rel,
                                "posted_wage_growth_yoy_3moavg") * 100,
        "n_obs": _numeric(raw["n_obs"], rel, "n_obs"),
    })
    _non_negative(out, "n_obs", rel)
    return out.sort_values(["country", "ds"]).reset_index(drop=True)


def load_wage_growth() -> pd.DataFrame:
    """Indeed Wage Tracker: posted-wage growth YoY in percent, by country and month."""
    return _cached("wage_growth", [WAGE_FILE], _build_wage_growth).copy()


_AIJOBS_COLS = ("work_year", "experience_level", "employment_type", "job_title", "salary",
                "salary_currency", "salary_in_usd", "employee_residence", "remote_ratio",
                "company_location", "company_size")


def _build_aijobs() -> pd.DataFrame:
    rel = AIJOBS_FILE
    raw = pd.read_csv(_path(rel), dtype=str, keep_default_na=False)
    _require(raw, _AIJOBS_COLS, rel)
    out = raw[list(_AIJOBS_COLS)].copy()
    for col in ("work_year", "salary", "salary_in_usd", "remote_ratio"):
        out[col] = _numeric(out[col], rel, col).astype("int64")
    for col in ("salary", "salary_in_usd"):
        _non_negative(out, col, rel)
    bad = out[(out["work_year"] < 2000) | (out["work_year"] > 2100)]
    if len(bad):
        raise DataFileError(f"{rel}: work_year {bad['work_year'].iloc[0]} out of range (row {bad.index[0] + 2})")
    return out


def load_aijobs_salaries() -> pd.DataFrame:
    """ai-jobs.net salary records (self-reported, CC0), typed."""
    return _cached("aijobs_salaries", [AIJOBS_FILE], _build_aijobs).copy()


# --------------------------------------------------------------------------- provenance
def _registry_files(raw: Path) -> Iterator[tuple]:
    """(source, file, path, sha256, provenance) of each registry file present, in order."""
    manifest = sources.read_manifest(raw)
    shipped = sources.shipped_sums(Path(DATA_DIR))
    for src, f in sources.registry_files(raw):
        path = raw / f.rel
        if not path.is_file():
            raise DataFileError(f"raw data file missing: {path} (see data/SOURCES.md)")
        sha = file_sha256(path)
        yield src, f, path, sha, sources.provenance(src, f.rel, sha, manifest, shipped)


def source_rows(raw: Path | None = None) -> list[dict]:
    """One row per registry file present (sources.SOURCES order): source, file, vintage read
    from the file, retrieved, origin, licence, credit, sha256 (see ``sources.provenance``)."""
    raw = raw_dir() if raw is None else Path(raw)
    rows = []
    for src, f, path, sha, prov in _registry_files(raw):
        retrieved = {"update-data": prov.retrieved.replace("T", " ").replace("Z", ""),
                     "shipped": f"{prov.retrieved} (shipped copy)"}.get(prov.how, prov.how)
        rows.append({"source": src.title, "file": f.rel,
                     "vintage": sources.file_vintage(src, path, f.rel, sha).label,
                     "retrieved": retrieved, "origin": prov.origin or "unknown",
                     "licence": src.licence, "credit": src.credit, "sha256": sha,
                     "as_of": prov.date})
    return rows


def sources_table() -> pd.DataFrame:
    """One row per raw file the product uses: source, file, vintage (read from the file),
    retrieved (date of the download, or of the shipped copy's upstream commit), origin (URL or
    repo@commit), licence, credit, sha256."""
    rows = source_rows()
    return pd.DataFrame(rows).drop(columns="as_of")


_AS_OF_MEMO: dict[tuple, str | None] = {}


def data_as_of() -> str | None:
    """The date the raw data are current to: the latest retrieval date over the files the
    product uses (YYYY-MM-DD); None when the raw files cannot be read. Chart footers show it."""
    try:
        raw = raw_dir()
        try:
            st = (raw / sources.MANIFEST).stat()
            man_key: tuple = (st.st_mtime_ns, st.st_size)
        except OSError:
            man_key = ()
        key = (str(raw), man_key, data_hash())
        if key not in _AS_OF_MEMO:
            # the provenance dates only: every file's vintage (source_rows) took ~0.1 s, and
            # the first chart of a fresh server waited for it in its footer
            dates = [prov.date for *_, prov in _registry_files(raw) if prov.date]
            _AS_OF_MEMO.clear()
            _AS_OF_MEMO[key] = max(dates) if dates else None
        return _AS_OF_MEMO[key]
    except (UserInputError, OSError):
        return None
