"""Role x industry headcount: OEWS history by the catalog's level rules, and a baseline projection.

Why this shape: OEWS gives five comparable annual points per occupation (May 2021-2025), far too
few to fit a time-series model. So the baseline is one simple rule validated across the whole
OEWS panel (DESIGN.md 4b): grow the latest level by half the mean annual log growth of the last
two years, and take the interval from that same rule's employment-weighted errors on the panel.

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

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from forecasting import catalog, data

FIRST_YEAR = 2021  # May 2020 used hybrid SOC codes: a break, excluded from the history
MIN_AIJOBS_US_RECORDS = 1000
#: DESIGN.md 4b: shrink the 2-year mean log growth by half (best employment-weighted rule).
SHRINK = 0.5
TREND_YEARS = 2
#: The SOC whose employment the level is proportional to (growth follows it). Equal to
#: ``Role.base_soc`` except ml_engineer, whose level is 15-2051 x a ratio but whose industry
#: mix is 15-1252's.
LEVEL_SOC: dict[str, str] = {
    "ml_engineer": "15-2051", "data_scientist": "15-2051", "nlp_scientist": "15-1221",
    "bi_developer": "15-1243", "software_engineer": "15-1252", "ml_scientist": "15-1221",
    "ml_product_manager": "11-3021",
}
GROWTH_RULE = (f"{SHRINK:g} x mean annual log growth of OEWS {{soc}} employment over the last "
               f"{TREND_YEARS} years (May {{a}}-{{b}})")


# --------------------------------------------------------------------------- inputs
@lru_cache(maxsize=4)
def _soc_emp_cached(key: str) -> pd.DataFrame:
    n = data.load_oews_national()
    n = n[~n["hybrid"] & (n["year"] >= FIRST_YEAR)]
    return n.pivot(index="year", columns="soc", values="tot_emp")


def soc_employment() -> pd.DataFrame:
    """year x soc table of OEWS national employment (2021 on, no hybrids)."""
    return _soc_emp_cached(data.data_hash()).copy()


@lru_cache(maxsize=4)
def _title_counts_cached(key: str) -> pd.DataFrame:
    aj = data.load_aijobs_salaries()
    us = aj[aj["company_location"] == "US"]
    groups = {"n_mle": catalog.MLE_TITLES, "n_ds": catalog.DS_TITLES,
              "n_nlp": catalog.NLP_TITLES, "n_mls": catalog.ML_SCIENTIST_TITLES}
    out = pd.DataFrame({"n_us": us.groupby("work_year").size()})
    for col, titles in groups.items():
        out[col] = us[us["job_title"].isin(titles)].groupby("work_year").size()
    return out.fillna(0).astype(int).rename_axis("work_year")


def aijobs_title_counts() -> pd.DataFrame:
    """US ai-jobs.net record counts per work_year: all, ML-engineer, DS, NLP, ML-scientist titles."""
    return _title_counts_cached(data.data_hash()).copy()


def aijobs_pooled_counts(counts: pd.DataFrame | None = None) -> pd.Series:
    """Title counts summed over every work_year with >= MIN_AIJOBS_US_RECORDS US records."""
    counts = aijobs_title_counts() if counts is None else counts
    ok = counts[counts["n_us"] >= MIN_AIJOBS_US_RECORDS]
    if ok.empty:
        raise ValueError("no ai-jobs.net work_year has enough US records")
    pooled = ok.sum()
    pooled["first_year"], pooled["last_year"] = int(ok.index.min()), int(ok.index.max())
    return pooled


def ai_share_may_year(year: int, monthly: pd.DataFrame | None = None) -> tuple[float, str]:
    """Indeed US AI share (fraction) for an OEWS year: mean of the 12 monthly values ending May.

    Before the series has 12 months to May of ``year``, the first 12 available months are used.
    """
    m = data.load_postings_monthly() if monthly is None else monthly
    s = m[m["series_id"] == "us_ai_share"].set_index("ds")["y"].sort_index()
    end = pd.Timestamp(year=year, month=5, day=1)
    window = s[(s.index > end - pd.DateOffset(months=12)) & (s.index <= end)]
    basis = f"Jun {year - 1}-May {year}"
    if len(window) < 12:
        window = s.iloc[:12]
        basis = f"first 12 months available ({window.index[0]:%b %Y}-{window.index[-1]:%b %Y})"
    return float(window.mean()) / 100.0, basis


# --------------------------------------------------------------------------- levels
@lru_cache(maxsize=4)
def _role_levels_cached(key: str) -> pd.DataFrame:
    emp = soc_employment()
    counts = aijobs_title_counts()
    monthly = data.load_postings_monthly()
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
    return _role_levels_cached(data.data_hash()).copy()


# --------------------------------------------------------------------------- industries
def automotive_share_of_manufacturing() -> float:
    """Share of NAICS 31-33 that is automotive (3361-63), by AI-using companies (NCSES CET-33).

    companies using AI = companies x (a lot + somewhat + a little) / 100.
    """
    nc = data.load_ncses_ai_use()

    def using(code: str) -> float:
        row = nc[nc["naics_code"] == code]
        if len(row) != 1:
            raise data.DataFileError(f"{data.NCSES_FILE}: expected one row with naics {code!r}")
        r = row.iloc[0]
        return float(r["companies"] * (r["a_lot"] + r["somewhat"] + r["a_little"]) / 100.0)

    return using("3361–63") / using("31–33")


def _check_auto(share: float | None) -> float:
    if share is None:
        return automotive_share_of_manufacturing()
    if not (0.0 <= float(share) <= 1.0) or not np.isfinite(share):
        raise data.UserInputError(f"automotive share of manufacturing must be in [0, 1], got {share!r}")
    return float(share)


def _sector_mix(sector: pd.DataFrame, soc: str, year: int, auto: float) -> dict[str, float]:
    """Industry shares of one SOC in one natsector year; suppressed sectors ('**') count as 0."""
    s = sector[(sector["soc"] == soc) & (sector["year"] == year)].set_index("naics")["tot_emp"]
    s = s.fillna(0.0)
    total = float(s.sum())
    if total <= 0:
        raise ValueError(f"no natsector employment for {soc} in {year}")
    get = lambda n: float(s.get(n, 0.0)) / total  # noqa: E731
    mix = {"fintech": get(52), "healthtech": get(62), "automotive": auto * get(31),
           "manufacturing_other": (1.0 - auto) * get(31), "information": get(51),
           "professional_services": get(54)}
    mix["other"] = float(s[~s.index.isin(list(catalog.EXPLICIT_NAICS))].sum()) / total
    return mix


def industry_shares(years: list[int] | None = None,
                    automotive_share: float | None = None) -> pd.DataFrame:
    """role, industry, year, share: each role takes its base SOC's natsector mix for that year
    (2022-2024); other years take the nearest natsector year. Shares sum to 1 per role/year."""
    auto = _check_auto(automotive_share)
    sector = data.load_oews_sector()
    have = sorted(int(y) for y in sector["year"].unique())
    if years is None:
        years = sorted(role_levels()["year"].unique().tolist())
    rows = []
    for r in catalog.ROLES:
        for y in years:
            sy = min(have, key=lambda h: (abs(h - int(y)), -h))
            for ind, sh in _sector_mix(sector, r.base_soc, sy, auto).items():
                rows.append({"role": r.role_id, "industry": ind, "year": int(y), "share": sh,
                             "sector_year": sy})
    return pd.DataFrame(rows)


def role_industry_history(automotive_share: float | None = None) -> pd.DataFrame:
    """role, industry, year, headcount = role level x industry share (sums to the role)."""
    lv = role_levels()
    sh = industry_shares(sorted(lv["year"].unique().tolist()), automotive_share)
    out = sh.merge(lv[["role", "year", "headcount"]], on=["role", "year"], validate="m:1")
    out["headcount"] = out["headcount"] * out["share"]
    return out[["role", "industry", "year", "headcount"]]


# --------------------------------------------------------------------------- growth and intervals
def shrunk_growth(emp_start: np.ndarray | float, emp_end: np.ndarray | float,
                  years: int = TREND_YEARS) -> np.ndarray | float:
    """The baseline rule: SHRINK x mean annual log growth between two OEWS years."""
    return SHRINK * (np.log(emp_end) - np.log(emp_start)) / years


def _wquantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """Weighted empirical quantile (mid-point cumulative weights, linear interpolation)."""
    order = np.argsort(x)
    x, w = x[order], w[order]
    cw = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cw, x))


@dataclass(frozen=True)
class IntervalCalibration:
    """Employment-weighted quantiles of the rule's log errors on the OEWS panel."""

    n_occupations: int
    #: h -> (q2.5, q10, q90, q97.5) of log(actual / predicted)
    quantiles: dict[int, tuple[float, float, float, float]]
    #: h -> (q97.5 - q2.5) / (2 x 1.96): a normal-equivalent sigma of the log error
    sigma: dict[int, float]
    #: sigma_h = sigma_2 x (h/2)**alpha beyond h = 2, alpha = log2(sigma_2 / sigma_1), >= 0
    alpha: float
    #: h -> employment-weighted mean absolute log error
    wmae: dict[int, float]

    def at(self, h: int) -> tuple[float, float, float, float]:
        """Quantile terms for horizon h (0 -> zero width); lower terms <= 0 <= upper terms."""
        if h <= 0:
            return (0.0, 0.0, 0.0, 0.0)
        if h in self.quantiles:
            q = self.quantiles[h]
        else:
            scale = (h / 2.0) ** self.alpha
            q = tuple(v * scale for v in self.quantiles[2])
        return (min(q[0], q[1], 0.0), min(q[1], 0.0), max(q[2], 0.0), max(q[3], q[2], 0.0))


@lru_cache(maxsize=4)
def _calibration_cached(key: str) -> IntervalCalibration:
    p = data.load_oews_panel()
    wide = p.pivot_table(index="soc", columns="year", values="tot_emp", aggfunc="first")
    years = list(range(2021, 2026))
    wide = wide[years].dropna()
    wide = wide[(wide > 0).all(axis=1)]
    e = {y: wide[y].to_numpy(float) for y in years}
    setups = {1: (2024, 2022), 2: (2023, 2021)}  # h -> (origin, trend start); target May 2025
    quant, sigma, wmae = {}, {}, {}
    for h, (origin, start) in setups.items():
        g = shrunk_growth(e[start], e[origin], origin - start)
        err = np.log(e[2025]) - (np.log(e[origin]) + h * g)
        w = e[origin]
        qs = tuple(_wquantile(err, w, q) for q in (0.025, 0.10, 0.90, 0.975))
        quant[h] = qs
        sigma[h] = (qs[3] - qs[0]) / (2 * 1.959964)
        wmae[h] = float(np.sum(w * np.abs(err)) / w.sum())
    alpha = max(0.0, float(np.log(sigma[2] / sigma[1]) / np.log(2.0)))
    return IntervalCalibration(len(wide), quant, sigma, alpha, wmae)


def interval_calibration() -> IntervalCalibration:
    """Calibrate the baseline's intervals on every detailed occupation present May 2021-2025."""
    return _calibration_cached(data.data_hash())


def baseline_growth() -> pd.DataFrame:
    """role, growth_pct_per_year, sigma_log_per_year, rule (+ growth_soc, log_growth)."""
    emp = soc_employment()
    b = int(emp.index.max())
    a = b - TREND_YEARS
    cal = interval_calibration()
    rows = []
    for r in catalog.ROLES:
        soc = LEVEL_SOC[r.role_id]
        g = float(shrunk_growth(emp.loc[a, soc], emp.loc[b, soc]))
        rows.append({"role": r.role_id, "growth_pct_per_year": (np.exp(g) - 1.0) * 100.0,
                     "sigma_log_per_year": cal.sigma[1],
                     "rule": GROWTH_RULE.format(soc=soc, a=a, b=b),
                     "growth_soc": soc, "log_growth": g})
    return pd.DataFrame(rows)


def baseline_projection(horizon_years: int = 10,
                        automotive_share: float | None = None) -> pd.DataFrame:
    """role, industry, year, mean, lo_80, hi_80, lo_95, hi_95 from the latest OEWS year.

    mean = level x exp(g h); bounds = mean x exp(calibrated quantile of the h-year log error).
    Industries use the same share for mean and bounds, so they sum exactly to the role.
    """
    if not isinstance(horizon_years, (int, np.integer)) or not 1 <= horizon_years <= 30:
        raise data.UserInputError(f"horizon_years must be an integer from 1 to 30, got {horizon_years!r}")
    lv = role_levels()
    last = int(lv["year"].max())
    start = lv[lv["year"] == last].set_index("role")["headcount"]
    growth = baseline_growth().set_index("role")["log_growth"]
    cal = interval_calibration()
    shares = industry_shares([last], automotive_share)
    rows = []
    for h in range(horizon_years + 1):
        q = cal.at(h)
        for role_id in catalog.ROLE_IDS:
            mean = float(start[role_id] * np.exp(growth[role_id] * h))
            rows.append({"role": role_id, "year": last + h, "mean": mean,
                         "lo_95": mean * np.exp(q[0]), "lo_80": mean * np.exp(q[1]),
                         "hi_80": mean * np.exp(q[2]), "hi_95": mean * np.exp(q[3])})
    roles = pd.DataFrame(rows)
    out = roles.merge(shares[["role", "industry", "share"]], on="role", validate="m:m")
    for col in ("mean", "lo_80", "hi_80", "lo_95", "hi_95"):
        out[col] = out[col] * out["share"]
    return out[["role", "industry", "year", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]]


def role_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum a role x industry frame over industries (role level), every numeric column."""
    return frame.drop(columns="industry").groupby(["role", "year"], as_index=False).sum()


def grand_total(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum over roles and industries per year. Summing bounds treats role errors as perfectly
    correlated (one shared OEWS/economy shock): conservative, never narrower than the truth
    under positive correlation."""
    return frame.drop(columns=["role", "industry"]).groupby("year", as_index=False).sum()
