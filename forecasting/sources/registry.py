"""The one registry of raw data sources: what each file under ``data/raw/`` is, where it comes
from upstream, its format, licence and credit, how its vintage is read from the file, and which
of the product's loaders read it (the series ``update-data`` compares across vintages).

The loaders (``files``, ``oews``, ``tables``, ``indeed``, ``wages``) take their file names from
here, ``update-data`` fetches by it, and the Data & methods page and ``data/SOURCES.md`` describe
the files by it (``provenance``), so a source is declared once. Nothing here imports a loader at
import time (``files`` imports this module).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from forecasting.sources.vintages import (
    Vintage,
    aijobs_vintage,
    daily_vintage,
    ep_vintage,
    fixed_vintage,
    monthly_vintage,
    oews_vintage,
)

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

# File names under data/raw/ (the loaders read these).
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

    ``series`` (run under ``files.raw_root(folder)``) returns the tidy ``series_id, ds, y`` frame
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


# --------------------------------------------------------------------------- series (loaders)
def _postings_series(*files: str) -> Callable[[], pd.DataFrame]:
    def build() -> pd.DataFrame:
        from forecasting.sources import indeed
        daily, cat = indeed.daily_series()
        monthly = indeed.monthly_means(daily)
        ids = set(cat.loc[cat["source_file"].isin(files), "series_id"])
        return monthly[monthly["series_id"].isin(ids)].reset_index(drop=True)
    return build


def _wage_series() -> pd.DataFrame:
    from forecasting.sources import wages
    w = wages.build_wage_growth()
    return pd.DataFrame({"series_id": w["country"], "ds": w["ds"], "y": w["yoy_pct"]})


def _year_ds(years: pd.Series) -> pd.Series:
    return pd.to_datetime(years.astype(int).astype(str) + "-05-01")


def _oews_series() -> pd.DataFrame:
    from forecasting.sources import oews
    oews.build_oews_panel()  # validated too: the headcount model is fitted on it
    n = oews.build_oews_national()
    n = n[~n["hybrid"]]
    return pd.DataFrame({"series_id": n["soc"], "ds": _year_ds(n["year"]), "y": n["tot_emp"]})


def _oews_sector_series() -> pd.DataFrame:
    from forecasting.sources import oews
    oews.build_oews_sector_panel()
    s = oews.build_oews_sector().groupby(["naics", "year"], as_index=False)["tot_emp"].sum()
    return pd.DataFrame({"series_id": "naics_" + s["naics"].astype(str), "ds": _year_ds(s["year"]),
                         "y": s["tot_emp"]})


def _ep_series() -> pd.DataFrame:
    from forecasting.sources import tables
    ep = tables.build_bls_ep()
    base = int(ep["base_year"].iloc[0])
    return pd.DataFrame({"series_id": ep["soc"], "ds": pd.Timestamp(f"{base}-05-01"),
                         "y": ep["emp_base"]})


def _aijobs_series() -> pd.DataFrame:
    from forecasting.sources import wages
    aj = wages.build_aijobs()
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


def registry_files(raw: Path) -> list[tuple[Source, RawFile]]:
    """Every registry file the product uses, present or fixed, in registry order."""
    return [(s, f) for s in SOURCES for f in s.current_files(raw)]


# --------------------------------------------------------------------------- vintage of a file
_VINTAGE_MEMO: dict[tuple[str, str], Vintage] = {}


def file_vintage(src: Source, path: Path, rel: str, sha: str | None = None) -> Vintage:
    """The vintage read from the file (memoised on its sha256 when given)."""
    if sha is None:
        return src.vintage(path, rel)
    key = (rel, sha)
    if key not in _VINTAGE_MEMO:
        _VINTAGE_MEMO[key] = src.vintage(path, rel)
    return _VINTAGE_MEMO[key]
