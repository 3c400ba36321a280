"""Panel backtest of the headcount growth model against the obvious alternatives.

Why: with five OEWS years a model can look clever and still forecast worse than "no change".
So the shipped model (headcount.py) is fitted on the years before a holdout year only and asked
for the holdout year's employment of every detailed occupation present in all years, next to
three baselines: zero growth, repeat last year's growth, and the mean growth of the last three
years (fewer when the fit window holds fewer). Scores are the mean absolute error of the log
change (plain, and weighted by the origin year's employment) and the share of occupations
whose actual value fell inside the model's 80% and 95% intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting import catalog, data, headcount
from forecasting import role_levels as rl

BASELINES = ("zero", "last", "mean3")
METHODS = (headcount.MODEL_NAME, *BASELINES)
COLUMNS = ["method", "n_occupations", "mae", "mae_weighted", "coverage_80", "coverage_95"]
MAX_HORIZON = 2


def check_setup(holdout_year, horizon) -> tuple[int, int]:
    """Validate (holdout_year, horizon): the fit window FIRST_YEAR..holdout-horizon needs 3 years."""
    for name, v in (("holdout year", holdout_year), ("horizon", horizon)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise data.UserInputError(f"{name} must be an integer, got {v!r}")
    if not 1 <= horizon <= MAX_HORIZON:
        raise data.UserInputError(f"horizon must be 1 or {MAX_HORIZON} years, got {horizon}")
    years = headcount.panel_years()
    first_ok = headcount.FIRST_YEAR + 2 + horizon
    if not first_ok <= holdout_year <= years[-1]:
        allowed = (f"be {first_ok}" if first_ok == years[-1]
                   else f"be from {first_ok} to {years[-1]}")
        raise data.UserInputError(
            f"holdout year must {allowed} for a {horizon}-year horizon (the model is fitted on "
            f"May {headcount.FIRST_YEAR} to the holdout year minus the horizon, at least 3 "
            f"years), got {holdout_year}")
    return int(holdout_year), int(horizon)


def highlighted_socs() -> set[str]:
    """The occupations the product's roles are built on."""
    return set(rl.LEVEL_SOC.values()) | {r.base_soc for r in catalog.ROLES}


def predictions(holdout_year: int = 2025, horizon: int = 1) -> pd.DataFrame:
    """One row per occupation and method: soc, soc_title, method, origin_emp, actual, predicted,
    lo_95, lo_80, hi_80, hi_95 (log change origin -> holdout; bands only for the model), in_catalog."""
    holdout_year, horizon = check_setup(holdout_year, horizon)
    origin = holdout_year - horizon
    fit = headcount.growth_fit(last_year=origin)
    test = headcount.oews_panel(headcount.FIRST_YEAR, holdout_year)
    socs = [s for s in test.socs if s in set(fit.panel.socs)]
    pos = {s: i for i, s in enumerate(test.socs)}
    rows = np.array([pos[s] for s in socs], int)
    le = test.log_emp[rows]
    o = test.years.index(origin)
    actual = le[:, -1] - le[:, o]
    k = min(3, o)
    preds = {"zero": np.zeros(len(socs)),
             "last": horizon * (le[:, o] - le[:, o - 1]),
             "mean3": horizon * (le[:, o] - le[:, o - k]) / k}
    idx = fit.index_of(socs)
    preds[headcount.MODEL_NAME] = horizon * fit.g_mean[idx]
    q = fit.log_change_quantiles(idx, horizon)[:, horizon - 1, :]
    titles = headcount.soc_titles(holdout_year)
    hi = highlighted_socs()
    parts = []
    for m in METHODS:
        part = pd.DataFrame({"soc": socs, "soc_title": titles.reindex(socs).to_numpy(), "method": m,
                             "origin_year": origin, "holdout_year": holdout_year,
                             "origin_emp": test.emp[rows, o], "actual": actual,
                             "predicted": preds[m]})
        for j, col in enumerate(("lo_95", "lo_80", "hi_80", "hi_95")):
            part[col] = q[:, j] if m == headcount.MODEL_NAME else np.nan
        part["in_catalog"] = part["soc"].isin(hi)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def score(pred: pd.DataFrame) -> pd.DataFrame:
    """The backtest table (``COLUMNS``) from :func:`predictions` output."""
    rows = []
    for m in METHODS:
        p = pred[pred["method"] == m]
        err = (p["actual"] - p["predicted"]).abs()
        w = p["origin_emp"]
        row = {"method": m, "n_occupations": int(len(p)), "mae": float(err.mean()),
               "mae_weighted": float((err * w).sum() / w.sum()),
               "coverage_80": np.nan, "coverage_95": np.nan}
        bands = p[["lo_95", "lo_80", "hi_80", "hi_95"]].notna()
        if bands.any(axis=None) and not bands.all(axis=None):
            raise ValueError(f"method {m}: prediction intervals missing for some occupations")
        if bands.all(axis=None):
            row["coverage_80"] = float(p["actual"].between(p["lo_80"], p["hi_80"]).mean())
            row["coverage_95"] = float(p["actual"].between(p["lo_95"], p["hi_95"]).mean())
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def backtest(holdout_year: int = 2025, horizon: int = 1) -> pd.DataFrame:
    """method, n_occupations, mae, mae_weighted, coverage_80, coverage_95 (one row per method)."""
    return score(predictions(holdout_year, horizon))
