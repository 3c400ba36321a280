"""Role headcount levels per OEWS year, by the catalog's level rules (measured, proxy, carve-out).

Why a module of its own: the levels are data plumbing (which OEWS code, which ai-jobs.net title
ratio, which Indeed share), separate from the growth model that projects them (projection.py).


Level rules (kept equal to ``catalog.Role.level_rule``):
* data_scientist = OEWS 15-2051; bi_developer = 15-1243 (proxy).
* ml_engineer = 15-2051 x (#MLE_TITLES / #DS_TITLES) among US ai-jobs.net records, pooled;
  software_engineer = 15-1252 minus that ml_engineer level (BLS codes most ML engineers there).
* nlp_scientist = 15-1221 x #NLP_TITLES / (#NLP_TITLES + #ML_SCIENTIST_TITLES) (US, pooled);
  ml_scientist = 15-1221 minus the NLP carve-out.
* ml_product_manager = 11-3021 x Indeed US AI share of postings (%/100), mean of the 12 months
  ending in May (OEWS's reference month).
* Title ratios are pooled over every ai-jobs work_year with at least ``MIN_AIJOBS_US_RECORDS``
  US records (2022-2025 in the shipped file) and held constant across years: year-by-year ratios
  swing with the site's sample (ML-engineer/DS 0.27, 0.62, 0.60, 0.30 for 2022-25), which would
  show sampling noise as hiring swings.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.core import cache, catalog
from forecasting.sources import files, indeed, oews, wages

FIRST_YEAR = catalog.SOC_HYBRID_YEAR + 1  # the hybrid-code year is a break, left out of the history
MIN_AIJOBS_US_RECORDS = 1000
#: A carve-out whose share rests on fewer title records than this is flagged "small base" and
#: kept out of headline rankings and group totals unless the user includes it.
SMALL_BASE_MIN_RECORDS = 100
#: The SOC whose employment the level is proportional to (growth follows it). Equal to
#: ``Role.base_soc`` except ml_engineer, whose level is 15-2051 x a ratio but whose industry
#: mix is 15-1252's.
LEVEL_SOC: dict[str, str] = {
    "ml_engineer": "15-2051", "data_scientist": "15-2051", "nlp_scientist": "15-1221",
    "bi_developer": "15-1243", "software_engineer": "15-1252", "ml_scientist": "15-1221",
    "ml_product_manager": "11-3021",
}


# --------------------------------------------------------------------------- inputs
@lru_cache(maxsize=4)
def _soc_emp_cached(key: str) -> pd.DataFrame:
    n = oews.load_oews_national()
    n = n[~n["hybrid"] & (n["year"] >= FIRST_YEAR)]
    return n.pivot(index="year", columns="soc", values="tot_emp")


def soc_employment() -> pd.DataFrame:
    """year x soc table of OEWS national employment (2021 on, no hybrids)."""
    return _soc_emp_cached(files.data_hash()).copy()


@lru_cache(maxsize=4)
def _title_counts_cached(key: str) -> pd.DataFrame:
    aj = wages.load_aijobs_salaries()
    us = aj[aj["company_location"] == "US"]
    groups = {"n_mle": catalog.MLE_TITLES, "n_ds": catalog.DS_TITLES,
              "n_nlp": catalog.NLP_TITLES, "n_mls": catalog.ML_SCIENTIST_TITLES}
    out = pd.DataFrame({"n_us": us.groupby("work_year").size()})
    for col, titles in groups.items():
        out[col] = us[us["job_title"].isin(titles)].groupby("work_year").size()
    return out.fillna(0).astype(int).rename_axis("work_year")


def aijobs_title_counts() -> pd.DataFrame:
    """US ai-jobs.net record counts per work_year: all, ML-engineer, DS, NLP, ML-scientist titles."""
    return _title_counts_cached(files.data_hash()).copy()


def aijobs_pooled_counts(counts: pd.DataFrame | None = None) -> pd.Series:
    """Title counts summed over every work_year with >= MIN_AIJOBS_US_RECORDS US records."""
    counts = aijobs_title_counts() if counts is None else counts
    ok = counts[counts["n_us"] >= MIN_AIJOBS_US_RECORDS]
    if ok.empty:
        raise ValueError("no ai-jobs.net work_year has enough US records")
    pooled = ok.sum()
    pooled["first_year"], pooled["last_year"] = int(ok.index.min()), int(ok.index.max())
    return pooled


def carve_out_records(counts: pd.DataFrame | None = None) -> dict[str, int]:
    """Role -> number of pooled US ai-jobs.net title records its carve-out share rests on
    (only the roles whose share is a title count: ML engineer, NLP scientist)."""
    c = aijobs_pooled_counts(counts)
    return {"ml_engineer": int(c["n_mle"]), "nlp_scientist": int(c["n_nlp"])}


def carve_share_log_sd(counts: pd.DataFrame | None = None) -> dict[str, float]:
    """Role -> between-year standard deviation of the log title ratio behind its carve-out
    share (work years with >= MIN_AIJOBS_US_RECORDS US records and both counts > 0). The pooled
    ratio is held constant, but the years disagree (ML-engineer/DS 0.27-0.62): this spread is
    the share's uncertainty, carried into the carved role's band."""
    counts = aijobs_title_counts() if counts is None else counts
    ok = counts[counts["n_us"] >= MIN_AIJOBS_US_RECORDS]
    ratios = {"ml_engineer": (ok["n_mle"], ok["n_ds"]),
              "nlp_scientist": (ok["n_nlp"], ok["n_nlp"] + ok["n_mls"])}
    out = {}
    for role, (num, den) in ratios.items():
        keep = (num > 0) & (den > 0)
        logs = np.log(num[keep] / den[keep])
        if len(logs) < 2:
            raise ValueError(f"fewer than 2 ai-jobs.net work years carry the {role} title ratio")
        out[role] = float(np.std(logs, ddof=1))
    return out


def small_base_roles(counts: pd.DataFrame | None = None) -> tuple[str, ...]:
    """Roles whose level rests on fewer than SMALL_BASE_MIN_RECORDS title records, in catalog
    order (read from the data: NLP scientist's 57 records in the shipped file)."""
    n = carve_out_records(counts)
    return tuple(r for r in catalog.ROLE_IDS if n.get(r, SMALL_BASE_MIN_RECORDS) < SMALL_BASE_MIN_RECORDS)


def ai_share_may_year(year: int, monthly: pd.DataFrame | None = None) -> tuple[float, str]:
    """Indeed US AI share (fraction) for an OEWS year: mean of the 12 monthly values ending May.

    Before the series has 12 months to May of ``year``, the first 12 available months are used.
    """
    m = indeed.load_postings_monthly() if monthly is None else monthly
    s = m[m["series_id"] == "us_ai_share"].set_index("ds")["y"].sort_index()
    end = pd.Timestamp(year=year, month=5, day=1)
    window = s[(s.index > end - pd.DateOffset(months=12)) & (s.index <= end)]
    basis = f"Jun {year - 1}-May {year}"
    if len(window) < 12:
        window = s.iloc[:12]
        basis = f"first 12 months available ({window.index[0]:%b %Y}-{window.index[-1]:%b %Y})"
    return float(window.mean()) / 100.0, basis


# --------------------------------------------------------------------------- levels
def _code_hash() -> str:
    return files.source_hash(__file__, catalog.__file__)  # catalog: the title lists and level rules


@lru_cache(maxsize=4)
def _role_levels_cached(key: str) -> pd.DataFrame:
    """Memoised in the process and on disk (keyed by data and code): building reads the 74k-row
    ai-jobs.net table and the postings series (~0.25 s of the dashboard's first chart)."""
    path = Path(files.CACHE_DIR) / f"role_levels_{key[:16]}_{_code_hash()}.parquet"
    return cache.cached_frame(path, "role_levels_*.parquet", _build_role_levels)


def _build_role_levels() -> pd.DataFrame:
    emp = soc_employment()
    counts = aijobs_title_counts()
    monthly = indeed.load_postings_monthly()
    rows = []
    kinds = {r.role_id: r for r in catalog.ROLES}

    def add(role_id: str, year: int, headcount: float, share: float, basis: str) -> None:
        r = kinds[role_id]
        rows.append({"role": role_id, "year": int(year), "headcount": float(headcount),
                     "level_kind": r.level_kind, "base_soc": r.base_soc,
                     "share": float(share), "level_soc": LEVEL_SOC[role_id], "basis": basis})

    c = aijobs_pooled_counts(counts)
    src = (f"ai-jobs.net US work_years {int(c['first_year'])}-{int(c['last_year'])} pooled "
           f"(n={int(c['n_us'])})")
    for year in emp.index:
        e = emp.loc[year]
        mle_ratio = c["n_mle"] / c["n_ds"]
        nlp_share = c["n_nlp"] / (c["n_nlp"] + c["n_mls"])
        mle = e["15-2051"] * mle_ratio
        nlp = e["15-1221"] * nlp_share
        ai, ai_basis = ai_share_may_year(int(year), monthly)
        add("data_scientist", year, e["15-2051"], 1.0, "OEWS 15-2051")
        add("ml_engineer", year, mle, mle_ratio,
            f"15-2051 x MLE/DS titles {int(c['n_mle'])}/{int(c['n_ds'])}, {src}")
        add("software_engineer", year, e["15-1252"] - mle, 1.0 - mle / e["15-1252"],
            "OEWS 15-1252 minus ml_engineer")
        add("nlp_scientist", year, nlp, nlp_share,
            f"15-1221 x NLP/(NLP+MLS) titles {int(c['n_nlp'])}/{int(c['n_nlp'] + c['n_mls'])}, {src}")
        add("ml_scientist", year, e["15-1221"] - nlp, 1.0 - nlp_share,
            "OEWS 15-1221 minus nlp_scientist")
        add("bi_developer", year, e["15-1243"], 1.0, "OEWS 15-1243 (proxy)")
        add("ml_product_manager", year, e["11-3021"] * ai, ai,
            f"11-3021 x Indeed US AI share, {ai_basis}")
    out = pd.DataFrame(rows)
    if (out["headcount"] < 0).any():
        raise ValueError("a carve-out exceeds its base occupation: check the ai-jobs title lists")
    order = {r: i for i, r in enumerate(catalog.ROLE_IDS)}
    return out.sort_values(["year", "role"], key=lambda s: s.map(order) if s.name == "role" else s,
                           ignore_index=True)


def role_levels() -> pd.DataFrame:
    """role, year, headcount, level_kind, base_soc, share (+ level_soc, basis); 2021..latest.

    ``share`` multiplies the OEWS employment of ``level_soc`` to give ``headcount``.
    """
    return _role_levels_cached(files.data_hash()).copy()
