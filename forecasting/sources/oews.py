"""OEWS (BLS Occupational Employment and Wage Statistics) raw xlsx files -> tidy frames.

Why its own module: the national and by-sector workbooks of every May year share one reader
and one rule for special values: ``#`` (top-coded wage) and ``*``/``**`` (not available) become
NaN with a flag, never a number. Each frame is cached by the hash of its files (``files``).
"""

from __future__ import annotations

import pandas as pd

from forecasting.core import catalog
from forecasting.core.errors import DataFileError
from forecasting.sources import files

WAGE_COLS = ("a_mean", "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90")

_OEWS_COLS = ("OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "EMP_PRSE",
              "A_MEAN", "A_PCT10", "A_PCT25", "A_MEDIAN", "A_PCT75", "A_PCT90")


def _read_oews(rel: str) -> pd.DataFrame:
    df = files.read_xlsx(rel, sheet_name=0, dtype={"OCC_CODE": str})
    files.require(df, _OEWS_COLS, rel)
    return df


def _flagged(s: pd.Series, rel: str, col: str) -> tuple[pd.Series, pd.Series]:
    """OEWS cell -> (float or NaN, flag): '#' top-coded, '*'/'**' not available."""
    txt = s.astype("string").str.strip()
    flag = pd.Series("", index=s.index, dtype="string")
    flag[txt == "#"] = "#"
    flag[txt.isin(["*", "**"])] = "*"
    vals = s.where(flag == "")
    return files.numeric(vals, rel, col), flag.astype(str)


def _oews_frame(df: pd.DataFrame, year: int, rel: str, wages: bool) -> pd.DataFrame:
    out = pd.DataFrame({"year": year, "soc": df["OCC_CODE"].astype(str).str.strip(),
                        "soc_title": df["OCC_TITLE"].astype(str).str.strip()})
    out["tot_emp"], _ = _flagged(df["TOT_EMP"], rel, "TOT_EMP")
    out["emp_prse"], _ = _flagged(df["EMP_PRSE"], rel, "EMP_PRSE")
    if wages:
        for col in WAGE_COLS:
            out[col], out[f"{col}_flag"] = _flagged(df[col.upper()], rel, col.upper())
    files.non_negative(out, "tot_emp", rel)
    return out


def _years_or_error(years: tuple[int, ...], what: str) -> tuple[int, ...]:
    if not years:
        raise DataFileError(f"no {what} files in {files.raw_dir()} (see data/SOURCES.md)")
    return years


def build_oews_national() -> pd.DataFrame:
    frames = []
    for year in _years_or_error(files.oews_years(), "OEWS national"):
        rel = files.oews_national_file(year)
        raw = _read_oews(rel)
        # A code can appear as both 'broad' and 'detailed'; the detailed row is the occupation.
        raw = raw[raw["O_GROUP"].isin(["detailed", "total"])]
        socs = set(catalog.CATALOG_SOCS)
        if year == catalog.SOC_HYBRID_YEAR:
            socs |= set(catalog.SOC_2020_HYBRID.values())
        part = _oews_frame(raw[raw["OCC_CODE"].isin(socs)].reset_index(drop=True), year, rel, True)
        part["hybrid"] = ((year == catalog.SOC_HYBRID_YEAR)
                          & part["soc"].isin(list(catalog.SOC_2020_HYBRID.values())))
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
    rels = [files.oews_national_file(y) for y in files.oews_years()]
    return files.cached_load("oews_national", rels, build_oews_national).copy()


def build_oews_panel() -> pd.DataFrame:
    frames = []
    for year in _years_or_error(files.oews_years(), "OEWS national"):
        rel = files.oews_national_file(year)
        raw = _read_oews(rel)
        raw = raw[raw["O_GROUP"] == "detailed"].reset_index(drop=True)
        frames.append(_oews_frame(raw, year, rel, wages=False))
    return pd.concat(frames, ignore_index=True)


def load_oews_panel() -> pd.DataFrame:
    """Every detailed occupation, every year: the panel the headcount rule is validated on."""
    rels = [files.oews_national_file(y) for y in files.oews_years()]
    return files.cached_load("oews_panel", rels, build_oews_panel).copy()


def build_oews_history_panel() -> pd.DataFrame:
    frames = []
    for year in files.oews_history_years():
        rel = files.oews_history_file(year)
        # sheet 0 is the data sheet in all three (2019's workbook carries an extra "Sheet1"
        # added by the re-hosting repository: never read)
        raw = files.read_xlsx(rel, sheet_name=0, dtype=str)
        raw.columns = [str(c).strip().upper() for c in raw.columns]
        raw = raw.rename(columns={"OCC_GROUP": "O_GROUP"})  # 2017-2018 name of the group column
        files.require(raw, ("OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "EMP_PRSE"), rel)
        raw = raw[raw["O_GROUP"].astype(str).str.strip() == "detailed"].reset_index(drop=True)
        frames.append(_oews_frame(raw, year, rel, wages=False))
    return pd.concat(frames, ignore_index=True)


def load_oews_history_panel() -> pd.DataFrame:
    """Every detailed occupation of the May 2017-2019 national files (year, soc, soc_title,
    tot_emp, emp_prse): the older end of the long panel that backtests 3-7 years ahead."""
    rels = [files.oews_history_file(y) for y in files.oews_history_years()]
    return files.cached_load("oews_history_panel", rels, build_oews_history_panel).copy()


def build_oews_sector() -> pd.DataFrame:
    frames = []
    for year in _years_or_error(files.natsector_years(), "OEWS by-sector"):
        rel = files.oews_sector_file(year)
        raw = files.read_xlsx(rel, sheet_name=0, dtype={"OCC_CODE": str})
        files.require(raw, ("NAICS", "NAICS_TITLE", "OCC_CODE", "O_GROUP", "TOT_EMP"), rel)
        raw = raw[raw["OCC_CODE"].isin(catalog.CATALOG_SOCS)
                  & raw["O_GROUP"].isin(["detailed", "total"])].reset_index(drop=True)
        naics = files.numeric(raw["NAICS"], rel, "NAICS")
        bad = naics[(naics < 11) | (naics > 99) | (naics != naics.round())]
        if len(bad):
            raise DataFileError(f"{rel}: NAICS {bad.iloc[0]!r} is not a 2-digit sector code")
        tot, _ = _flagged(raw["TOT_EMP"], rel, "TOT_EMP")
        part = pd.DataFrame({"year": year, "soc": raw["OCC_CODE"].astype(str),
                             "naics": naics.astype(int),
                             "naics_title": raw["NAICS_TITLE"].astype(str), "tot_emp": tot})
        files.non_negative(part, "tot_emp", rel)
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def build_oews_sector_panel() -> pd.DataFrame:
    frames = []
    for year in _years_or_error(files.natsector_years(), "OEWS by-sector"):
        rel = files.oews_sector_file(year)
        raw = files.read_xlsx(rel, sheet_name=0, dtype={"OCC_CODE": str})
        files.require(raw, ("NAICS", "OCC_CODE", "O_GROUP", "TOT_EMP"), rel)
        raw = raw[raw["O_GROUP"] == "detailed"].reset_index(drop=True)
        tot, _ = _flagged(raw["TOT_EMP"], rel, "TOT_EMP")
        part = pd.DataFrame({"year": year, "soc": raw["OCC_CODE"].astype(str),
                             "naics": files.numeric(raw["NAICS"], rel, "NAICS").astype(int),
                             "tot_emp": tot})
        files.non_negative(part, "tot_emp", rel)
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def load_oews_sector_panel() -> pd.DataFrame:
    """Every detailed occupation x 2-digit sector, May 2022-2024 (``tot_emp`` NaN = suppressed):
    the panel the industry-share trend is fitted on."""
    rels = [files.oews_sector_file(y) for y in files.natsector_years()]
    return files.cached_load("oews_sector_panel", rels, build_oews_sector_panel).copy()


def load_oews_sector() -> pd.DataFrame:
    """Employment of catalog SOCs per 2-digit NAICS sector, May 2022-2024 (31 = 31-33)."""
    rels = [files.oews_sector_file(y) for y in files.natsector_years()]
    return files.cached_load("oews_sector", rels, build_oews_sector).copy()

