"""Where the raw files are and what they hash to: data/raw (or a staged copy), the May years
present, the sha256 keys every disk cache is named by, and the checks each loader shares.

Why a cache: the OEWS xlsx files take ~15 s to parse with openpyxl; the parsed frames take
milliseconds to read back. The cache key is the sha256 of the loader's raw files plus
``PARSER_VERSION``, so editing a raw file or the parser invalidates it, never a stale read.
Rule kept by every loader: never invent a number (a cell that is not a number is an error, or
NaN with a flag where the source says why).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd

from forecasting.core import cache
from forecasting.core.errors import DataFileError
from forecasting.sources import registry

_REPO = Path(__file__).resolve().parents[2]
DATA_DIR: Path = Path(os.environ.get("MLTALENT_DATA_DIR", _REPO / "data"))
CACHE_DIR: Path = Path(os.environ.get("MLTALENT_CACHE_DIR", DATA_DIR / "processed"))

#: Bump when a parser changes what it returns, so old parquet files are not reused.
PARSER_VERSION = "1"


# --------------------------------------------------------------------------- folders
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


# --------------------------------------------------------------------------- years present
_bls_oews = registry.BY_NAME["bls_oews"].yearly
_bls_oews_sector = registry.BY_NAME["bls_oews_sector"].yearly
_bls_oews_history = registry.BY_NAME["bls_oews_history"].yearly


def oews_years() -> tuple[int, ...]:
    """May years of the national OEWS files present (a new year's file needs no code change)."""
    return _bls_oews.years(raw_dir())


def natsector_years() -> tuple[int, ...]:
    """May years of the OEWS by-sector files present."""
    return _bls_oews_sector.years(raw_dir())


def oews_history_years() -> tuple[int, ...]:
    """May years of the older national OEWS files present (long-horizon backtests only)."""
    return _bls_oews_history.years(raw_dir())


def latest_oews_year() -> int:
    """The latest May year of the national OEWS files present: the base year of every
    projection and the "latest" in the text shown to users."""
    years = oews_years()
    if not years:
        raise DataFileError(f"no OEWS national files in {raw_dir()} (see data/SOURCES.md)")
    return years[-1]


def oews_national_file(year: int) -> str:
    return _bls_oews.file(year).rel


def oews_history_file(year: int) -> str:
    return _bls_oews_history.file(year).rel


def oews_sector_file(year: int) -> str:
    return _bls_oews_sector.file(year).rel


def raw_files() -> tuple[str, ...]:
    """Every raw file a loader reads (relative to ``raw_dir()``); ``data_hash`` covers all of
    them, in this order."""
    return (*(oews_national_file(y) for y in oews_years()),
            *(oews_sector_file(y) for y in natsector_years()),
            *(oews_history_file(y) for y in oews_history_years()),
            registry.EP_FILE, registry.NCSES_FILE, registry.AI_FILE, registry.GENAI_FILE,
            registry.AGG_FILE, registry.SECTOR_FILE, registry.WAGE_FILE, registry.AIJOBS_FILE)


# --------------------------------------------------------------------------- hashes
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


def files_hash(rels: Iterable[str]) -> str:
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
    return files_hash(raw_files())


def oews_hash() -> str:
    """sha256 over the national OEWS files (recent and history): the headcount model's fits,
    damping and backtests depend on these alone, so a postings or salary update keeps them."""
    return files_hash((*(oews_national_file(y) for y in oews_years()),
                       *(oews_history_file(y) for y in oews_history_years())))


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


# --------------------------------------------------------------------------- the loaders' shared steps
def cached_load(name: str, rels: Iterable[str], build: Callable[[], pd.DataFrame],
                version: int = 1) -> pd.DataFrame:
    """``build()`` of the raw files ``rels``, kept as ``CACHE_DIR/<name>-<hash>.parquet``.
    Bump ``version`` when one loader's columns change (``PARSER_VERSION`` would rebuild all)."""
    tag = "" if version == 1 else f"v{version}-"
    target = Path(CACHE_DIR) / f"{name}-{tag}{files_hash(tuple(rels))[:20]}.parquet"
    return cache.cached_frame(target, f"{name}-*.parquet", lambda: normalise(build()))


def raw_path(rel: str) -> Path:
    p = raw_dir() / rel
    if not p.is_file():
        raise DataFileError(f"raw data file missing: {p} (see data/SOURCES.md)")
    return p


def xlsx_engine() -> str:
    """calamine (Rust) parses these files ~10x faster than openpyxl; openpyxl is the fallback."""
    try:
        import python_calamine  # noqa: F401
        return "calamine"
    except ImportError:
        return "openpyxl"


def read_xlsx(rel: str, **kw) -> pd.DataFrame:
    try:
        return pd.read_excel(raw_path(rel), engine=xlsx_engine(), **kw)
    except DataFileError:
        raise
    except (ValueError, KeyError, OSError) as exc:
        raise DataFileError(f"{rel}: cannot read as xlsx ({exc})") from exc


def normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Give a fresh build the dtypes a parquet round trip gives, so cold == warm exactly."""
    for col in df.columns:
        if df[col].dtype == object and df[col].map(lambda v: isinstance(v, str)).all():
            df[col] = df[col].astype("str")
    return df.reset_index(drop=True)


def require(df: pd.DataFrame, cols: Iterable[str], rel: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataFileError(f"{rel}: missing column(s) {', '.join(missing)}; "
                            f"found {', '.join(map(str, df.columns[:20]))}")


def numeric(s: pd.Series, rel: str, col: str) -> pd.Series:
    out = pd.to_numeric(s, errors="coerce")
    bad = s[out.isna() & s.notna()]
    if len(bad):
        raise DataFileError(f"{rel}: column {col} has non-numeric value {bad.iloc[0]!r} "
                            f"(row {bad.index[0] + 2})")
    return out.astype(float)


def non_negative(df: pd.DataFrame, col: str, rel: str) -> None:
    neg = df[df[col] < 0]
    if len(neg):
        raise DataFileError(f"{rel}: negative {col} {neg[col].iloc[0]} (row {neg.index[0]})")

