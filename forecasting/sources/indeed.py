"""Indeed Hiring Lab postings files (daily) -> monthly series, plus the catalog describing them.

Why monthly: the models forecast months. A month with fewer than ``MIN_DAYS_PER_MONTH`` daily rows
(the partial month at the end of a file) is dropped rather than shown as a biased mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from forecasting.core.errors import DataFileError
from forecasting.sources import files, registry

#: A month with fewer daily rows than this is a partial month (end of file) and is dropped.
MIN_DAYS_PER_MONTH = 20

def sector_slug(name: str) -> str:
    """'Information Design & Documentation' -> 'information_design_documentation'."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", name.lower())).strip("_")


def _read_daily(rel: str, value_col: str, extra: Iterable[str] = ()) -> pd.DataFrame:
    df = pd.read_csv(files.raw_path(rel))
    files.require(df, ["date", "jobcountry", value_col, *extra], rel)
    ds = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
    if ds.isna().any():
        i = int(np.flatnonzero(ds.isna())[0])
        raise DataFileError(f"{rel}: row {i + 2}, column date: {df['date'].iloc[i]!r} is not YYYY-MM-DD")
    df["date"] = ds
    df[value_col] = files.numeric(df[value_col], rel, value_col)
    return df


def daily_series() -> tuple[pd.DataFrame, pd.DataFrame]:
    """All daily rows as (series_id, date, y) plus the catalog rows describing each series."""
    parts, meta = [], []
    for rel, col, kind, what in (
            (registry.AI_FILE, "AI_share_postings", "ai_share", "AI"),
            (registry.GENAI_FILE, "GenAI_share_postings", "genai_share", "GenAI")):
        df = _read_daily(rel, col)
        for cc, g in df.groupby("jobcountry", sort=True):
            sid = f"{str(cc).lower()}_{kind}"
            parts.append(pd.DataFrame({"series_id": sid, "date": g["date"], "y": g[col]}))
            meta.append((sid, f"{cc}: {what} share of job postings", str(cc), "% of postings", rel))
    agg = _read_daily(registry.AGG_FILE, "indeed_job_postings_index_SA", ["variable"])
    for var, sid, label in (("total postings", "us_postings_total", "US: all job postings (SA index)"),
                            ("new postings", "us_postings_new", "US: new job postings (SA index)")):
        g = agg[(agg["variable"] == var) & (agg["jobcountry"] == "US")]
        if g.empty:
            raise DataFileError(f"{registry.AGG_FILE}: no rows with variable == {var!r}")
        parts.append(pd.DataFrame({"series_id": sid, "date": g["date"],
                                   "y": g["indeed_job_postings_index_SA"]}))
        meta.append((sid, label, "US", "index, 1 Feb 2020 = 100", registry.AGG_FILE))
    sec = _read_daily(registry.SECTOR_FILE, "indeed_job_postings_index",
                      ["display_name", "variable"])
    sec = sec[sec["variable"] == "total postings"]
    for name, g in sec.groupby("display_name", sort=True):
        sid = f"us_sector_{sector_slug(str(name))}"
        parts.append(pd.DataFrame({"series_id": sid, "date": g["date"],
                                   "y": g["indeed_job_postings_index"]}))
        meta.append((sid, f"US postings: {name} (SA index)", "US", "index, 1 Feb 2020 = 100",
                     registry.SECTOR_FILE))
    daily = pd.concat(parts, ignore_index=True)
    dup = daily.duplicated(["series_id", "date"])
    if dup.any():
        r = daily[dup].iloc[0]
        raise DataFileError(f"duplicate daily row for series {r['series_id']} on {r['date']:%Y-%m-%d}")
    cat = pd.DataFrame(meta, columns=["series_id", "label", "country", "unit", "source_file"])
    cat["credit"] = registry.INDEED_CREDIT
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


_POSTING_FILES = (registry.AI_FILE, registry.GENAI_FILE, registry.AGG_FILE,
                  registry.SECTOR_FILE)


def load_postings_monthly() -> pd.DataFrame:
    """Monthly means of every Indeed daily series (``series_id, ds, y``)."""
    return files.cached_load("postings_monthly", _POSTING_FILES,
                             lambda: monthly_means(daily_series()[0])).copy()


def postings_catalog() -> pd.DataFrame:
    """One row per monthly series: label, country, unit, source file and the credit line."""
    return files.cached_load("postings_catalog", _POSTING_FILES, lambda: daily_series()[1]).copy()


