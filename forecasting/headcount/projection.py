"""The headcount baseline: occupations projected by the damped panel model, roles carved from them.

Why this order (DESIGN.md 4b): the OEWS panel validates growth per *occupation* (SOC), not per
role, so each occupation the roles rest on is projected first (model.py: a damped,
panel-shrunk trend with its damping and long-horizon width learnt from backtests,
calibration.py). A role is then a share of one occupation's projection:

* data scientist = 15-2051, BI developer = 15-1243 (proxy), all of the occupation;
* ML engineer = a share of 15-1252 (its May-latest level, 15-2051 x the ML-engineer/DS title
  ratio, over 15-1252), software engineer = the rest of 15-1252;
* NLP scientist = a share of 15-1221 (NLP titles among research titles), ML scientist = the rest;
* ML product manager = 11-3021 x the Indeed US AI share of the latest May year.

Shares are held constant at the latest year: ai-jobs.net title ratios swing across years
without a trend (ML-engineer/DS 0.27, 0.62, 0.60, 0.30 in 2022-25), so no trended share has a
backtest to stand on. Their between-year spread is the share's uncertainty: a carved role's band
carries it (also in the latest year), and the complement absorbs the other side, so the roles of
one occupation add up to its projection in every year and in every draw. Roles that share an
occupation share its growth rate; the ``growth_source`` column says so.

Industries: each role's mix across sectors follows industry_mix.industry_shares.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.core import cache, catalog, errors
from forecasting.headcount import calibration as hcal
from forecasting.headcount import industry_mix
from forecasting.headcount import model as hm
from forecasting.headcount import panel as hp
from forecasting.headcount import role_levels as rl
from forecasting.sources import files, indeed, oews, tables, wages

MODEL_NAME = hcal.MODEL_NAME
MODEL_LABEL = ("panel-shrunk damped trend (hierarchical, SOC major-group effects, Student-t "
               "shocks, PRSE-weighted)")
FIRST_YEAR = rl.FIRST_YEAR
SMALL_BASE_FLAG = "small base"
VALUE_COLS = ("mean", "lo_80", "hi_80", "lo_95", "hi_95")
_Q = {"lo_95": 0.025, "lo_80": 0.10, "hi_80": 0.90, "hi_95": 0.975}
MAX_HORIZON = 30


def _check_horizon(horizon_years) -> int:
    if isinstance(horizon_years, bool) or not isinstance(horizon_years, (int, np.integer)) \
            or not 1 <= horizon_years <= MAX_HORIZON:
        raise errors.UserInputError(
            f"horizon_years must be an integer from 1 to {MAX_HORIZON}, got {horizon_years!r}")
    return int(horizon_years)


# --------------------------------------------------------------------------- the fit
def _code_hash() -> str:
    return files.source_hash(__file__, hm.__file__, hp.__file__, hcal.__file__)


@lru_cache(maxsize=8)
def _growth_fit_cached(key: str, first_year: int, last_year: int) -> hm.GrowthFit:
    """Memoised in the process and on disk (keyed by data and code)."""
    path = (Path(files.CACHE_DIR)
            / f"headcount_fit_{key[:16]}_{_code_hash()}_{first_year}_{last_year}.pkl")
    years = tuple(range(first_year, last_year + 1))

    def build() -> hm.GrowthFit:
        panel = hp.oews_panel(first_year, last_year)
        return hm.fit_growth(panel.socs, panel.years, panel.emp, panel.prse,
                             phi=hcal.calibration().phi, with_se=True)

    return cache.cached_pickle(
        path, f"headcount_fit_*_{first_year}_{last_year}.pkl", build,
        valid=lambda fit: isinstance(fit, hm.GrowthFit) and fit.years == years)


def growth_fit(last_year: int | None = None, first_year: int = FIRST_YEAR) -> hm.GrowthFit:
    """The model fitted on the recent panel ``first_year..last_year`` (default: latest year)
    with the calibrated damping; memoised."""
    last_year = files.latest_oews_year() if last_year is None else int(last_year)
    return _growth_fit_cached(files.oews_hash(), int(first_year), last_year)


def warm_cache(rebuild: bool = False, progress=None) -> list[hm.GrowthFit]:
    """Build (or load) everything the pages read: the calibration, every backtest, the latest
    fit, the role levels and the default projection. ``rebuild`` drops the cached files;
    ``progress(done, total, label)`` reports a cold calibration."""
    if rebuild:
        hcal.clear_memo()
        for fn in (_growth_fit_cached, _projection_cached):
            fn.cache_clear()
        for pattern in ("headcount_fit_*.pkl", "headcount_projection_*.parquet",
                        "headcount_calibration_*.pkl", "headcount_backtest_*.parquet"):
            for old in Path(files.CACHE_DIR).glob(pattern):
                old.unlink(missing_ok=True)
    hcal.calibration(progress)
    if progress is not None and not hcal.is_cached():
        progress(0, 1, "backtests 1-7 years ahead: predictive intervals of every occupation")
    hcal.all_backtest_predictions()
    fits = [growth_fit()]
    rl.role_levels()
    baseline_projection(10)
    return fits


# --------------------------------------------------------------------------- occupations
def _soc_paths(socs: list[str], horizon_years: int) -> tuple[dict, dict, int]:
    """soc -> (latest level, mean path h=1..H), soc -> level draws (draws x H), latest year."""
    fit = growth_fit()
    cal = hcal.calibration()
    idx = fit.index_of(socs)
    panel = hp.oews_panel()
    levels = panel.emp[[panel.socs.index(s) for s in socs], -1]
    draws = fit.log_change_draws(idx, horizon_years, cal.phi_draws, cal.long_run)
    hs = np.arange(1, horizon_years + 1)
    means = {s: (float(lv), lv * np.exp(fit.mean_log_change([i], hs)))
             for s, lv, i in zip(socs, levels, idx)}
    level_draws = {s: lv * np.exp(draws[j]) for j, (s, lv) in enumerate(zip(socs, levels))}
    return means, level_draws, fit.origin


def _rows(key: dict, year0: int, level0, mean_path, draws0, draws) -> list[dict]:
    """Rows for year0..year0+H: mean, and bounds from draws (year0: ``draws0`` or the level);
    bounds never exclude the mean (the median path)."""
    out = []
    for h in range(len(mean_path) + 1):
        m = float(level0 if h == 0 else mean_path[h - 1])
        d = draws0 if h == 0 else draws[:, h - 1]
        row = {**key, "year": year0 + h, "mean": m}
        for col, p in _Q.items():
            v = m if d is None else float(np.quantile(d, p))
            row[col] = min(v, m) if col.startswith("lo") else max(v, m)
        out.append(row)
    return out


def occupation_projection(horizon_years: int = 10) -> pd.DataFrame:
    """soc, soc_title, year, mean, lo_80, hi_80, lo_95, hi_95 for every occupation a role rests
    on, from the latest OEWS year (mean = the median path of the damped trend)."""
    horizon_years = _check_horizon(horizon_years)
    socs = sorted({r.base_soc for r in catalog.ROLES})
    means, draws, year0 = _soc_paths(socs, horizon_years)
    titles = hp.soc_titles(year0)
    rows = []
    for s in socs:
        lv, path = means[s]
        rows += _rows({"soc": s, "soc_title": titles.get(s, "")}, year0, lv, path, None, draws[s])
    return pd.DataFrame(rows)[["soc", "soc_title", "year", *VALUE_COLS]]


# --------------------------------------------------------------------------- roles
def role_shares() -> pd.DataFrame:
    """role, growth_soc, share (of the occupation's latest level), share_log_sd, basis: how
    each role is carved from the occupation whose projection it follows."""
    lv = rl.role_levels()
    last = int(lv["year"].max())
    cur = lv[lv["year"] == last].set_index("role")
    emp = rl.soc_employment().loc[last]
    sd = rl.carve_share_log_sd()
    rows = []
    for r in catalog.ROLES:
        share = float(cur.loc[r.role_id, "headcount"] / emp[r.base_soc])
        rows.append({"role": r.role_id, "growth_soc": r.base_soc, "share": share,
                     "share_log_sd": sd.get(r.role_id, 0.0),
                     "basis": f"{share:.4f} of {r.base_soc} in May {last} ({cur.loc[r.role_id, 'basis']})"})
    return pd.DataFrame(rows)


def growth_sources() -> pd.DataFrame:
    """role, growth_source: which occupation's projection a role follows, naming the roles that
    share it (their growth rates are equal by construction)."""
    sh = role_shares()
    titles = hp.soc_titles(files.latest_oews_year())
    out = []
    for r, soc in zip(sh["role"], sh["growth_soc"]):
        others = [o for o, s in zip(sh["role"], sh["growth_soc"]) if s == soc and o != r]
        text = f"{soc} {titles.get(soc, '')}".strip()
        if others:
            text += f" (shared with {', '.join(others)})"
        out.append({"role": r, "growth_source": text})
    return pd.DataFrame(out)


def role_paths(horizon_years: int = 10) -> tuple[dict, int]:
    """role -> (latest level, mean path h=1..H, level draws at the latest year or None,
    draws x H level draws), and the latest year.

    Each role is its share of its occupation's projection; a carved role's share varies with its
    title-ratio uncertainty (median-preserving log-normal, independent of the occupation's
    path) and its complement takes the rest, so the roles of an occupation sum to it exactly,
    in the mean and in every draw.
    """
    horizon_years = _check_horizon(horizon_years)
    sh = role_shares().set_index("role")
    socs = sorted(set(sh["growth_soc"]))
    means, draws, year0 = _soc_paths(socs, horizon_years)
    rng = np.random.default_rng(hm.SEED + 1)
    n_draws = next(iter(draws.values())).shape[0]
    carved = {role: np.clip(row["share"] * np.exp(row["share_log_sd"] * rng.standard_normal(n_draws)),
                            0.0, 1.0)
              for role, row in sh.iterrows() if row["share_log_sd"] > 0}
    out = {}
    for r in catalog.ROLE_IDS:
        soc = sh.loc[r, "growth_soc"]
        lv, path = means[soc]
        partners = [o for o in carved if o != r and sh.loc[o, "growth_soc"] == soc]
        share = float(sh.loc[r, "share"])
        if r in carved:
            s_d = carved[r]
        elif partners:  # the complement of its occupation's carve-outs
            s_d = 1.0 - sum(carved[o] for o in partners)
            share = 1.0 - sum(float(sh.loc[o, "share"]) for o in partners)
        else:
            s_d = None
        if s_d is None:
            out[r] = (share * lv, share * path, None, share * draws[soc])
        else:
            out[r] = (share * lv, share * path, s_d * lv, s_d[:, None] * draws[soc])
    return out, year0


def role_projection(horizon_years: int = 10) -> pd.DataFrame:
    """role, year, mean, lo_80, hi_80, lo_95, hi_95, growth_source, flag from the latest year
    (:func:`role_paths`; mean = the median path, bounds = quantiles of the draws)."""
    paths, year0 = role_paths(horizon_years)
    rows = []
    for r, (lv, path, d0, d) in paths.items():
        rows += _rows({"role": r}, year0, lv, path, d0, d)
    out = pd.DataFrame(rows)
    out["growth_source"] = out["role"].map(growth_sources().set_index("role")["growth_source"])
    out["flag"] = np.where(out["role"].isin(set(rl.small_base_roles())), SMALL_BASE_FLAG, "")
    return out[["role", "year", *VALUE_COLS, "growth_source", "flag"]]


def baseline_growth(years: int = 5) -> pd.DataFrame:
    """role, growth_pct_per_year (compound, over the first ``years`` of the median path: the
    slider default), log_growth (persistent growth at the origin), sd_log_growth, rule,
    growth_soc."""
    fit = growth_fit()
    cal = hcal.calibration()
    a, b = fit.years[0], fit.years[-1]
    sh = role_shares().set_index("role")
    rows = []
    for r in catalog.ROLES:
        soc = sh.loc[r.role_id, "growth_soc"]
        i = fit.index_of([soc])[0]
        g = float(fit.g_mean[i])
        change = float(fit.mean_log_change([i], years)[0])
        rows.append({"role": r.role_id, "growth_pct_per_year": (np.exp(change / years) - 1) * 100,
                     "log_growth": g, "sd_log_growth": float(fit.g_sd[i]),
                     "rule": (f"OEWS {soc} growth, {MODEL_LABEL}, fitted on {len(fit.socs)} "
                              f"occupations May {a}-{b}: {g:+.3f}/yr at May {b}, fading by "
                              f"phi = {cal.phi:.2f} a year ({years}-year average "
                              f"{change / years:+.3f}/yr)"),
                     "growth_soc": soc})
    return pd.DataFrame(rows)


def bls_role_paths() -> pd.DataFrame:
    """role, year, bls_mean: each role's May level of the EP base year grown at its BLS
    Employment Projections rate (the role's ``ep_soc``) to the EP target year: the "BLS
    projection" reference line."""
    ep = tables.load_bls_ep()
    base_year = int(ep["base_year"].iloc[0])
    years = int(ep["target_year"].iloc[0]) - base_year
    ep = ep.set_index("soc")
    lv = rl.role_levels().set_index(["role", "year"])["headcount"]
    rows = []
    for r in catalog.ROLES:
        if (r.role_id, base_year) not in lv.index or r.ep_soc not in ep.index:
            continue
        rate = (1 + float(ep.loc[r.ep_soc, "change_pct"]) / 100) ** (1 / years)
        base = float(lv.loc[(r.role_id, base_year)])
        rows += [{"role": r.role_id, "year": base_year + k, "bls_mean": base * rate ** k}
                 for k in range(years + 1)]
    return pd.DataFrame(rows, columns=["role", "year", "bls_mean"])


# --------------------------------------------------------------------------- role x industry
def baseline_projection(horizon_years: int = 10,
                        automotive_share: float | None = None) -> pd.DataFrame:
    """role, industry, year, mean, lo_80, hi_80, lo_95, hi_95 from the latest OEWS year.

    Role paths from :func:`role_projection`; each year's industry shares from
    industry_mix.industry_shares. Mean and bounds use the same share, so industries sum
    exactly to the role. With the default automotive share the result is also kept on disk
    (keyed by data and code), so a fresh server's first page reads it instead of rebuilding it.
    """
    if automotive_share is None:
        return _projection_cached(files.data_hash(), _check_horizon(horizon_years)).copy()
    return _build_projection(horizon_years, automotive_share)


def _build_projection(horizon_years: int, automotive_share: float | None) -> pd.DataFrame:
    roles = role_projection(horizon_years)
    shares = industry_mix.industry_shares(sorted(roles["year"].unique().tolist()), automotive_share)
    out = roles.merge(shares[["role", "industry", "year", "share"]], on=["role", "year"],
                      validate="1:m")
    for col in VALUE_COLS:
        out[col] = out[col] * out["share"]
    return out[["role", "industry", "year", *VALUE_COLS]]


def _projection_code_hash() -> str:
    """Every module the projection's numbers come from."""
    return files.source_hash(__file__, hm.__file__, hp.__file__, hcal.__file__,
                             industry_mix.__file__, rl.__file__, catalog.__file__,
                             *(m.__file__ for m in (files, oews, tables, indeed, wages)))


def _projection_path(key: str, horizon_years: int) -> Path:
    return (Path(files.CACHE_DIR)
            / f"headcount_projection_{key[:16]}_{_projection_code_hash()}_{horizon_years}.parquet")


@lru_cache(maxsize=4)
def _projection_cached(key: str, horizon_years: int) -> pd.DataFrame:
    """Memoised in the process and on disk: building it takes ~0.5 s of a fresh server's first
    page; reading it takes ~10 ms."""
    return cache.cached_frame(_projection_path(key, horizon_years),
                             f"headcount_projection_*_{horizon_years}.parquet",
                             lambda: _build_projection(horizon_years, None))


def growth_rates(frame: pd.DataFrame, by: tuple[str, ...] = ("role",), years: int = 5,
                 start_year: int | None = None) -> pd.DataFrame:
    """Compound growth, % per year, from ``start_year`` (default: the first year) to
    ``start_year + years`` (capped at the last year), per group of ``by`` (other keys summed).

    Columns: ``*by, growth_pct_per_year`` (from ``mean``) and one per band present (``lo_80`` ..
    ``hi_95``: end-year bound over start-year mean).
    """
    by = list(by)
    cols = [c for c in VALUE_COLS if c in frame.columns]
    yr = frame["year"].to_numpy()
    y0 = int(yr.min()) if start_year is None else int(start_year)
    years = min(int(years), int(yr.max()) - y0)
    if years < 1:
        raise errors.UserInputError(f"growth needs at least one year after {y0}")
    # plain numpy + dicts: on these few hundred rows pandas' arrow-string groupby/set_index cost
    # ~8 ms, which the Demand page paid on every slider move
    keep = (yr == y0) | (yr == y0 + years)
    vals = np.column_stack([frame[c].to_numpy(float) for c in cols])[keep]
    ends = yr[keep] == y0 + years
    keys = list(zip(*(frame[c].to_numpy(object)[keep] for c in by)))
    start: dict = {}
    end: dict = {}
    for k, is_end, v in zip(keys, ends, vals):
        acc = end if is_end else start
        acc[k] = acc[k] + v if k in acc else v.copy()
    order = sorted(end)
    first = np.array([start.get(k, np.full(len(cols), np.nan))[0] for k in order], float)
    last = np.array([end[k] for k in order], float).reshape(len(order), len(cols))
    out = {c: [k[i] for k in order] for i, c in enumerate(by)}
    with np.errstate(divide="ignore", invalid="ignore"):
        for j, col in enumerate(cols):
            ratio = np.clip(last[:, j] / first, 0.0, None)
            out["growth_pct_per_year" if col == "mean" else col] = (ratio ** (1.0 / years) - 1.0) * 100.0
    return pd.DataFrame(out)
