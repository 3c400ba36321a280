"""Pay data -> tidy frames: the Indeed Wage Tracker (posted-wage growth, fractions -> percent)
and the ai-jobs.net salary records (self-reported, CC0).

Why together: both feed the salary bands and nothing else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.core.errors import DataFileError
from forecasting.sources import files, registry


def build_wage_growth() -> pd.DataFrame:
    rel = registry.WAGE_FILE
    raw = pd.read_csv(files.raw_path(rel))
    files.require(raw, ["jobcountry", "month", "n_obs", "posted_wage_growth_yoy",
                   "posted_wage_growth_yoy_3moavg"], rel)
    ds = pd.to_datetime(raw["month"], format="%b-%y", errors="coerce")
    if ds.isna().any():
        i = int(np.flatnonzero(ds.isna())[0])
        raise DataFileError(f"{rel}: row {i + 2}, column month: {raw['month'].iloc[i]!r} is not like 'Apr-19'")
    out = pd.DataFrame({
        "country": raw["jobcountry"].astype(str),
        "ds": ds.astype("datetime64[ns]"),
        # the file stores fractions (0.0202); the product speaks percent (2.02)
        "yoy_pct": files.numeric(raw["posted_wage_growth_yoy"], rel, "posted_wage_growth_yoy") * 100,
        "yoy_3mo_pct": files.numeric(raw["posted_wage_growth_yoy_3moavg"], rel,
                                "posted_wage_growth_yoy_3moavg") * 100,
        "n_obs": files.numeric(raw["n_obs"], rel, "n_obs"),
    })
    files.non_negative(out, "n_obs", rel)
    return out.sort_values(["country", "ds"]).reset_index(drop=True)


def load_wage_growth() -> pd.DataFrame:
    """Indeed Wage Tracker: posted-wage growth YoY in percent, by country and month."""
    return files.cached_load("wage_growth", [registry.WAGE_FILE], build_wage_growth).copy()


_AIJOBS_COLS = ("work_year", "experience_level", "employment_type", "job_title", "salary",
                "salary_currency", "salary_in_usd", "employee_residence", "remote_ratio",
                "company_location", "company_size")


def build_aijobs() -> pd.DataFrame:
    rel = registry.AIJOBS_FILE
    raw = pd.read_csv(files.raw_path(rel), dtype=str, keep_default_na=False)
    files.require(raw, _AIJOBS_COLS, rel)
    out = raw[list(_AIJOBS_COLS)].copy()
    for col in ("work_year", "salary", "salary_in_usd", "remote_ratio"):
        out[col] = files.numeric(out[col], rel, col).astype("int64")
    for col in ("salary", "salary_in_usd"):
        files.non_negative(out, col, rel)
    bad = out[(out["work_year"] < 2000) | (out["work_year"] > 2100)]
    if len(bad):
        raise DataFileError(f"{rel}: work_year {bad['work_year'].iloc[0]} out of range (row {bad.index[0] + 2})")
    return out


def load_aijobs_salaries() -> pd.DataFrame:
    """ai-jobs.net salary records (self-reported, CC0), typed."""
    return files.cached_load("aijobs_salaries", [registry.AIJOBS_FILE], build_aijobs).copy()

