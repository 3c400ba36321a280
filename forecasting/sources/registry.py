"""The one registry of raw data sources: what each file under ``data/raw/`` is, where it comes
from upstream, its format, licence and credit, how its vintage is read from the file, and which
of the product's loaders read it (the series ``update-data`` compares across vintages).

``forecasting.sources.loaders`` takes its file names from here, ``update-data`` fetches by it, and the
Data & methods page and ``data/SOURCES.md`` describe the files by it, so a source is declared
once. Nothing here imports ``forecasting.sources.loaders`` at import time (data imports this module).

Provenance of a file, in order of trust: an entry in ``data/raw/manifest.json`` whose sha256
matches the file (written by ``update-data``: URL, retrieval time, vintage); else the shipped
copy, when the sha256 is the one listed in ``data/RAW_SOURCES_UPSTREAM.md``; else "changed
outside update-data".
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

INDEED_CREDIT = "Indeed Hiring Lab (CC BY 4.0)"
BLS_PD = "Public domain (U.S. federal statistics)"
OEWS_CREDIT = "U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics"
MANIFEST = "manifest.json"
#: A series whose latest value moves by more than this factor between two vintages (or whose
#: first new period is this far from the one before) is refused as implausible.
MAX_JUMP_FACTOR = 2.0
#: The same for series that are growth rates in percent (can cross zero): percentage points.
MAX_JUMP_PP = 5.0
#: A series may not lose more than this share of its periods in a new vintage.
MAX_HISTORY_LOSS = 0.5

# File names under data/raw/ (forecasting.sources.loaders reads these).
AI_FILE = "indeed_hiring_lab/AI_posting.csv"
GENAI_FILE = "indeed_hiring_lab/GenAI_posting.csv"
AGG_FILE = "indeed_hiring_lab/US/aggregate_job_postings_US.csv"
SECTOR_FILE = "indeed_hiring_lab/US/job_postings_by_sector_US.csv"
WAGE_FILE = "indeed_wage_tracker/posted-wage-growth-by-country.csv"
AIJOBS_FILE = "aijobs_salaries/salaries.csv"
EP_FILE = "bls_ep/occupation.xlsx"
NCSES_FILE = "ncses_abs/11545/data.csv"
OEWS_NATIONAL = "bls_oews/national_M{year}_dl.xlsx"
OEWS_SECTOR = "bls_oews/natsector_M{year}_dl.xlsx"
OEWS_HISTORY = "bls_oews_history/national_M{year}_dl.xlsx"

_GH_RAW = "https://raw.githubusercontent.com"
_BLS_OEWS = "https://www.bls.gov/oes/special-requests"


@dataclass(frozen=True)
class RawFile:
    """One file: where it lives under data/raw and where to fetch it. ``member`` is the file's
    name inside a zip archive at ``url`` (BLS publishes OEWS as zips); empty when ``url`` is the
    file itself. ``required=False``: a file that may not be published yet (next OEWS year)."""

    rel: str
    url: str
    member: str = ""
    required: bool = True

    @property
    def name(self) -> str:
        return PurePosixPath(self.rel).name


@dataclass(frozen=True)
class Vintage:
    """``key`` sorts within one file ('2026-06-30', '2026-04', '2025'); ``label`` is for people."""

    key: str
    label: str


_YEARS_MEMO: dict[tuple, tuple[int, ...]] = {}


@dataclass(frozen=True)
class Yearly:
    """One file per year (OEWS): years are discovered from the files present, so a new year's
    file is picked up without a code change. ``rel``/``url``/``member`` take ``{year}``, ``{yy}``."""

    rel: str
    url: str
    member: str

    def _regex(self) -> re.Pattern:
        return re.compile(re.escape(PurePosixPath(self.rel).name).replace(r"\{year\}", r"(\d{4})"))

    def years(self, raw: Path) -> tuple[int, ...]:
        folder = raw / PurePosixPath(self.rel).parent
        try:  # memoised on the folder's inode and mtime: any file added, removed or renamed in
            st = folder.stat()  # it (or a swapped-in folder) changes them. The listing cost
        except OSError:  # ~0.1 ms a call, and the dashboard's data-hash check runs every rerun
            return ()
        key = (str(folder), st.st_ino, st.st_mtime_ns, self.rel)
        if key not in _YEARS_MEMO:
            rx = self._regex()
            try:
                names = [p.name for p in folder.iterdir() if p.is_file()]
            except OSError:
                return ()
            if len(_YEARS_MEMO) > 256:
                _YEARS_MEMO.clear()
            _YEARS_MEMO[key] = tuple(sorted(int(m.group(1)) for n in names
                                            if (m := rx.fullmatch(n))))
        return _YEARS_MEMO[key]

    def file(self, year: int, required: bool = True) -> RawFile:
        fmt = {"year": year, "yy": f"{year % 100:02d}"}
        return RawFile(self.rel.format(**fmt), self.url.format(**fmt), self.member.format(**fmt),
                       required)


@dataclass(frozen=True)
class Source:
    """A source: one or more files read by the same loaders, with one licence and credit.

    ``series`` (run under ``data.raw_root(folder)``) returns the tidy ``series_id, ds, y`` frame
    the product reads from these files, built by the product's own loaders: ``update-data``
    validates a new vintage by running it and compares its series with the current ones.
    ``jump`` says how a series may move between vintages ("ratio": by MAX_JUMP_FACTOR; "pp": by
    MAX_JUMP_PP percentage points). ``static``: never fetched (no usable upstream; see note).
    """

    name: str
    title: str
    fmt: str
    schema: tuple[str, ...]
    period: str                      # unit of the series' ds: "month" or "year"
    licence: str
    credit: str
    shipped: str                     # where the shipped copy came from: repo@commit (date)
    vintage: Callable[[Path, str], Vintage]
    files: tuple[RawFile, ...] = ()
    yearly: Yearly | None = None
    series: Callable[[], pd.DataFrame] | None = None
    jump: str = "ratio"
    static: bool = False
    note: str = ""

    def current_files(self, raw: Path) -> tuple[RawFile, ...]:
        """The files of this source the product uses now (yearly: the years present)."""
        if self.yearly is not None:
            return tuple(self.yearly.file(y) for y in self.yearly.years(raw))
        return self.files

    def fetch_plan(self, raw: Path) -> tuple[RawFile, ...]:
        """What an update downloads: every file; for yearly sources the newest year present
        (a re-release) and the next two (optional: not published yet is not an error)."""
        if self.static:
            return ()
        if self.yearly is None:
            return self.files
        years = self.yearly.years(raw)
        if not years:
            return ()
        last = years[-1]
        return (self.yearly.file(last), self.yearly.file(last + 1, required=False),
                self.yearly.file(last + 2, required=False))


# --------------------------------------------------------------------------- vintage readers
def _vintage_error(rel: str, what: str):
    from forecasting.sources.loaders import DataFileError
    return DataFileError(f"{rel}: cannot read the vintage ({what})")


def daily_vintage(path: Path, rel: str) -> Vintage:
    """Last day in the ``date`` column (YYYY-MM-DD)."""
    try:
        dates = pd.to_datetime(pd.read_csv(path, usecols=["date"])["date"], format="%Y-%m-%d")
    except (ValueError, KeyError, OSError, pd.errors.ParserError) as exc:
        raise _vintage_error(rel, f"column date: {exc}") from None
    if dates.empty:
        raise _vintage_error(rel, "no rows")
    last = dates.max().strftime("%Y-%m-%d")
    return Vintage(last, f"daily to {last}")


def monthly_vintage(path: Path, rel: str) -> Vintage:
    """Last month in the ``month`` column ('Apr-26')."""
    try:
        months = pd.to_datetime(pd.read_csv(path, usecols=["month"])["month"], format="%b-%y")
    except (ValueError, KeyError, OSError, pd.errors.ParserError) as exc:
        raise _vintage_error(rel, f"column month: {exc}") from None
    if months.empty:
        raise _vintage_error(rel, "no rows")
    last = months.max().strftime("%Y-%m")
    return Vintage(last, f"monthly to {last}")


def oews_vintage(path: Path, rel: str) -> Vintage:
    """The May reference year: from the file name, checked against the data sheet's name when
    that names a year (a 2024 file saved as national_M2025 is refused)."""
    m = re.search(r"_M(\d{4})_", PurePosixPath(rel).name)
    if not m:
        raise _vintage_error(rel, "no year in the file name")
    year = m.group(1)
    from forecasting.sources.loaders import _xlsx_engine
    try:
        sheets = pd.ExcelFile(path, engine=_xlsx_engine()).sheet_names
    except Exception as exc:  # noqa: BLE001 - any reader error means "not a readable xlsx"
        raise _vintage_error(rel, f"not a readable xlsx: {type(exc).__name__}") from None
    inner = re.search(r"_M(\d{4})_", sheets[0] if sheets else "")
    if inner and inner.group(1) != year:
        raise _vintage_error(rel, f"the file is named May {year} but its sheet "
                                  f"{sheets[0]!r} is May {inner.group(1)}")
    return Vintage(year, f"May {year}")


def ep_vintage(path: Path, rel: str) -> Vintage:
    """Base year of the projections, from Table 1.2's header ('2024 National Employment
    Matrix code' -> 2024-34)."""
    from forecasting.sources.loaders import _xlsx_engine
    try:
        head = pd.read_excel(path, sheet_name="Table 1.2", header=None, nrows=12,
                             engine=_xlsx_engine())
    except Exception as exc:  # noqa: BLE001
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


# --------------------------------------------------------------------------- series (loaders)
def _postings_series(*files: str) -> Callable[[], pd.DataFrame]:
    def build() -> pd.DataFrame:
        from forecasting.sources import loaders as data
        daily, cat = data._daily_series()
        monthly = data.monthly_means(daily)
        ids = set(cat.loc[cat["source_file"].isin(files), "series_id"])
        return monthly[monthly["series_id"].isin(ids)].reset_index(drop=True)
    return build


def _wage_series() -> pd.DataFrame:
    from forecasting.sources import loaders as data
    w = data._build_wage_growth()
    return pd.DataFrame({"series_id": w["country"], "ds": w["ds"], "y": w["yoy_pct"]})


def _year_ds(years: pd.Series) -> pd.Series:
    return pd.to_datetime(years.astype(int).astype(str) + "-05-01")


def _oews_series() -> pd.DataFrame:
    from forecasting.sources import loaders as data
    data._build_oews_panel()  # validated too: the headcount model is fitted on it
    n = data._build_oews_national()
    n = n[~n["hybrid"]]
    return pd.DataFrame({"series_id": n["soc"], "ds": _year_ds(n["year"]), "y": n["tot_emp"]})


def _oews_sector_series() -> pd.DataFrame:
    from forecasting.sources import loaders as data
    data._build_oews_sector_panel()
    s = data._build_oews_sector().groupby(["naics", "year"], as_index=False)["tot_emp"].sum()
    return pd.DataFrame({"series_id": "naics_" + s["naics"].astype(str), "ds": _year_ds(s["year"]),
                         "y": s["tot_emp"]})


def _ep_series() -> pd.DataFrame:
    from forecasting.sources import loaders as data
    ep = data._build_bls_ep()
    base = int(ep_vintage(data._path(EP_FILE), EP_FILE).key)
    return pd.DataFrame({"series_id": ep["soc"], "ds": pd.Timestamp(f"{base}-05-01"),
                         "y": ep["emp_2024"]})


def _aijobs_series() -> pd.DataFrame:
    from forecasting.sources import loaders as data
    aj = data._build_aijobs()
    med = aj.groupby("work_year", as_index=False)["salary_in_usd"].median()
    return pd.DataFrame({"series_id": "median_salary_in_usd", "ds": _year_ds(med["work_year"]),
                         "y": med["salary_in_usd"].astype(float)})


# --------------------------------------------------------------------------- the registry
_DAILY = ("date", "jobcountry")
SOURCES: tuple[Source, ...] = (
    Source("bls_oews", "BLS OEWS national", "xlsx",
           ("OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "EMP_PRSE", "A_MEAN", "A_PCT10",
            "A_PCT25", "A_MEDIAN", "A_PCT75", "A_PCT90"), "year", BLS_PD, OEWS_CREDIT,
           "tobyam-netizen/employment-group-1-project@4ec6f03a (2026-08-03)", oews_vintage,
           yearly=Yearly(OEWS_NATIONAL, _BLS_OEWS + "/oesm{yy}nat.zip", "national_M{year}_dl.xlsx"),
           series=_oews_series,
           note="BLS publishes each May's file the following spring, as a zip archive."),
    Source("bls_oews_sector", "BLS OEWS by NAICS sector", "xlsx",
           ("NAICS", "NAICS_TITLE", "OCC_CODE", "O_GROUP", "TOT_EMP"), "year", BLS_PD, OEWS_CREDIT,
           "kristinabuzzell/581capstone@1f3814ca (2025-05-12)", oews_vintage,
           yearly=Yearly(OEWS_SECTOR, _BLS_OEWS + "/oesm{yy}in4.zip", "natsector_M{year}_dl.xlsx"),
           series=_oews_sector_series,
           note="Inside BLS's industry archive (oesm<yy>in4.zip)."),
    Source("bls_ep", "BLS Employment Projections", "xlsx",
           (("Table 1.2: <base> National Employment Matrix title/code, Employment <base>/<base+10>, "
             "Employment change percent"),), "year", BLS_PD,
           "U.S. Bureau of Labor Statistics, Employment Projections program",
           "lkomenski/career-viability-dashboard@215cb3d5 (2026-06-28)", ep_vintage,
           files=(RawFile(EP_FILE, "https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx"),),
           series=_ep_series,
           note="Published each September. The loader reads the 2024-34 layout; a new base year "
                "changes the headers and is refused until the loader is updated."),
    Source("ncses_abs", "NCSES Annual Business Survey (CET-33)", "csv",
           ("table_id", "industry_full_path", "industry_hierarchy_depth", "field_naics_code",
            "field_companies_number_", "field_a_lot", "field_somewhat", "field_a_little",
            "field_not_at_all"), "year", BLS_PD,
           "NSF NCSES and U.S. Census Bureau, Annual Business Survey",
           "bq-org/ncses_stats_explorer_placeholder@1f879ab6 (2025-03-27)",
           fixed_vintage("2021", "2022 ABS, data year 2021"),
           files=(RawFile(NCSES_FILE, _GH_RAW + "/bq-org/ncses_stats_explorer_placeholder/"
                          "1f879ab65ed260668840db406611ddc10e8455bc/output/tables/11545/data.csv"),),
           static=True, note="A one-off survey table (data year 2021); no newer release."),
    Source("indeed_ai", "Indeed AI tracker", "csv", (*_DAILY, "AI_share_postings"), "month",
           "CC BY 4.0", INDEED_CREDIT, "hiring-lab/ai-tracker@41392c3f (2026-07-21)", daily_vintage,
           files=(RawFile(AI_FILE, _GH_RAW + "/hiring-lab/ai-tracker/main/AI_posting.csv"),),
           series=_postings_series(AI_FILE), note="Updated daily upstream."),
    Source("indeed_genai", "Indeed GenAI tracker", "csv", (*_DAILY, "GenAI_share_postings"),
           "month", "CC BY 4.0", INDEED_CREDIT, "hiring-lab/ai-tracker@073a8dbb (2025-07-07)",
           daily_vintage,
           files=(RawFile(GENAI_FILE, _GH_RAW + "/hiring-lab/ai-tracker/"
                          "073a8dbb030bdad2ea1271afc451502f697dadaa/GenAI_posting.csv"),),
           series=_postings_series(GENAI_FILE), static=True,
           note="Upstream deleted this file on 2025-08-15; the last published copy is shipped."),
    Source("indeed_postings", "Indeed job postings index (US)", "csv",
           (*_DAILY, "indeed_job_postings_index_SA", "variable"), "month", "CC BY 4.0",
           INDEED_CREDIT, "hiring-lab/job_postings_tracker@8049a926 (2026-08-19)", daily_vintage,
           files=(RawFile(AGG_FILE, _GH_RAW + "/hiring-lab/job_postings_tracker/master/US/"
                          "aggregate_job_postings_US.csv"),),
           series=_postings_series(AGG_FILE), note="Updated daily upstream."),
    Source("indeed_sectors", "Indeed postings by sector (US)", "csv",
           (*_DAILY, "indeed_job_postings_index", "variable", "display_name"), "month",
           "CC BY 4.0", INDEED_CREDIT, "hiring-lab/job_postings_tracker@6594f59a (2024-10-03)",
           daily_vintage,
           files=(RawFile(SECTOR_FILE, _GH_RAW + "/hiring-lab/job_postings_tracker/"
                          "6594f59ac3ccca4fd767bd151e65e609189c0fae/US/job_postings_by_sector_US.csv"),),
           series=_postings_series(SECTOR_FILE), static=True,
           note="Upstream renamed the sectors and revised the seasonal adjustment in Nov 2024; "
                "the roles' demand signals use the old sector names, so the last old-method "
                "file is kept."),
    Source("indeed_wages", "Indeed Wage Tracker", "csv",
           ("jobcountry", "month", "n_obs", "posted_wage_growth_yoy",
            "posted_wage_growth_yoy_3moavg"), "month", "CC BY 4.0", INDEED_CREDIT,
           "hiring-lab/indeed-wage-tracker@ef36856b (2026-05-26)", monthly_vintage,
           files=(RawFile(WAGE_FILE, _GH_RAW + "/hiring-lab/indeed-wage-tracker/main/"
                          "posted-wage-growth-by-country.csv"),),
           series=_wage_series, jump="pp", note="Updated monthly upstream."),
    Source("aijobs_salaries", "ai-jobs.net salaries", "csv",
           ("work_year", "experience_level", "employment_type", "job_title", "salary",
            "salary_currency", "salary_in_usd", "employee_residence", "remote_ratio",
            "company_location", "company_size"), "year", "CC0 1.0", "ai-jobs.net (CC0)",
           "foorilla/ai-jobs-net-salaries@9c225876 (2025-01-19)", aijobs_vintage,
           files=(RawFile(AIJOBS_FILE, _GH_RAW + "/foorilla/ai-jobs-net-salaries/main/salaries.csv"),),
           series=_aijobs_series, note="Self-reported salaries, updated weekly upstream."),
    Source("bls_oews_history", "BLS OEWS national (history)", "xlsx", ("OCC_CODE", "TOT_EMP"),
           "year", BLS_PD, OEWS_CREDIT,
           "nweakly/MSDS_class_projects_R@05d2a1c1 (2017), katzyuval/Future-Workforce@df1e8a56 "
           "(2018), pmusau17/CarMax@828ca5f1 (2020-12-13)", oews_vintage,
           yearly=Yearly(OEWS_HISTORY, _BLS_OEWS + "/oesm{yy}nat.zip", "national_M{year}_dl.xlsx"),
           static=True, note="May 2017-2019 (SOC 2010 and hybrid codes): long-horizon backtests "
                              "of the headcount model only; never revised."),
)
BY_NAME: dict[str, Source] = {s.name: s for s in SOURCES}


def source(name: str) -> Source:
    """The registry entry ``name`` (clear error naming the valid ones)."""
    from forecasting.core.errors import UserInputError
    if name not in BY_NAME:
        raise UserInputError(f"unknown source {name!r}; sources: {', '.join(BY_NAME)}")
    return BY_NAME[name]


def source_of(rel: str, raw: Path) -> Source | None:
    """The source a file under data/raw belongs to (None: not a registry file)."""
    for s in SOURCES:
        if any(f.rel == rel for f in s.current_files(raw)):
            return s
        if s.yearly is not None and s.yearly._regex().fullmatch(PurePosixPath(rel).name) \
                and PurePosixPath(rel).parent == PurePosixPath(s.yearly.rel).parent:
            return s
    return None


def registry_files(raw: Path) -> list[tuple[Source, RawFile]]:
    """Every registry file the product uses, present or fixed, in registry order."""
    return [(s, f) for s in SOURCES for f in s.current_files(raw)]


# --------------------------------------------------------------------------- provenance
_VINTAGE_MEMO: dict[tuple[str, str], Vintage] = {}


def file_vintage(src: Source, path: Path, rel: str, sha: str | None = None) -> Vintage:
    """The vintage read from the file (memoised on its sha256 when given)."""
    if sha is None:
        return src.vintage(path, rel)
    key = (rel, sha)
    if key not in _VINTAGE_MEMO:
        _VINTAGE_MEMO[key] = src.vintage(path, rel)
    return _VINTAGE_MEMO[key]


def read_manifest(raw: Path) -> dict:
    """``{"updated": ..., "files": {rel: {source, url, retrieved, sha256, vintage, bytes}}}``;
    an unreadable or missing manifest is an empty one (provenance falls back, never guessed)."""
    try:
        man = json.loads((raw / MANIFEST).read_text(encoding="utf-8"))
        if isinstance(man, dict) and isinstance(man.get("files"), dict):
            return man
    except (OSError, ValueError):
        pass
    return {"files": {}}


def shipped_sums(data_dir: Path) -> dict[str, str]:
    """rel -> sha256 of the shipped copies, as listed in data/RAW_SOURCES_UPSTREAM.md."""
    try:
        text = (data_dir / "RAW_SOURCES_UPSTREAM.md").read_text(encoding="utf-8")
    except OSError:
        return {}
    return {rel: sha for sha, rel in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, flags=re.MULTILINE)}


@dataclass(frozen=True)
class Provenance:
    origin: str       # URL it was fetched from, or repo@commit of the shipped copy
    retrieved: str    # ISO time (UTC) of the download, or the shipped copy's commit date
    how: str          # "update-data", "shipped" or "changed outside update-data"

    @property
    def date(self) -> str | None:
        m = re.match(r"\d{4}-\d{2}-\d{2}", self.retrieved)
        return m.group(0) if m else None


def provenance(src: Source, rel: str, sha: str, manifest: dict, shipped: dict[str, str]) -> Provenance:
    entry = manifest.get("files", {}).get(rel)
    if isinstance(entry, dict) and entry.get("sha256") == sha:
        return Provenance(str(entry.get("url", "")), str(entry.get("retrieved", "")), "update-data")
    if shipped.get(rel) == sha:
        m = re.search(r"\((\d{4}-\d{2}-\d{2})\)", src.shipped)
        return Provenance(src.shipped, m.group(1) if m else "", "shipped")
    return Provenance("", "", "changed outside update-data")


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- data/SOURCES.md
BLOCK_BEGIN = "<!-- update-data:begin (generated by `python -m forecasting update-data`; do not edit) -->"
BLOCK_END = "<!-- update-data:end -->"


def render_block(rows: list[dict]) -> str:
    """The generated table of data/SOURCES.md from ``current_rows`` (one row per file)."""
    lines = [BLOCK_BEGIN, "",
             "| source | file (under `data/raw/`) | vintage | retrieved (UTC) | from | sha256 |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['source']} | `{r['file']}` | {r['vintage']} | {r['retrieved']} | "
                     f"{r['origin']} | `{r['sha256']}` |")
    return "\n".join([*lines, "", BLOCK_END])


def replace_block(text: str, block: str) -> str:
    """``text`` with its generated block replaced (appended when it has none)."""
    i, j = text.find(BLOCK_BEGIN), text.find(BLOCK_END)
    if i >= 0 and j > i:
        return text[:i] + block + text[j + len(BLOCK_END):]
    return text.rstrip("\n") + "\n\n## Current vintages\n\n" + block + "\n"


def block_rows(text: str) -> list[list[str]]:
    """The cells of the generated table in ``text`` (for checks)."""
    i, j = text.find(BLOCK_BEGIN), text.find(BLOCK_END)
    if i < 0 or j < i:
        return []
    body = [ln for ln in text[i:j].splitlines() if ln.startswith("| ") and not ln.startswith("| source")]
    return [[c.strip().strip("`") for c in ln.strip("|").split(" | ")] for ln in body]
