"""Panel backtests of the headcount model against the obvious alternatives, 1-7 years ahead.

Why: with a handful of OEWS years a model can look clever and still forecast worse than "no
change". So the shipped model (model.py, damping and width from
calibration.py) is fitted on the years up to an origin only and asked for a later
year's employment of every occupation, beside ``linear_trend`` (the first-round straight-line
model: phi = 1, no group effects), ``zero`` growth, ``last`` (repeat the last annual growth)
and ``mean3`` (mean annual growth of the last three years). The recent panel (829
occupations, May 2021 on) serves origins with three fit years (1-2 years ahead); the long
panel (656 linked occupations, May 2017 on, panel.py) the rest (3-7 years ahead).
Scores: MAE of the log change (plain and weighted by the origin year's employment) and the share
of occupations inside the 80% and 95% intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.core import catalog, errors
from forecasting.headcount import calibration as hcal
from forecasting.headcount import panel as hp
from forecasting.headcount import role_levels as rl
from forecasting.sources import files

MODEL_NAME = hcal.MODEL_NAME
METHODS = hcal.METHODS
BASELINES = hcal.BASELINES
COLUMNS = ["method", "n_occupations", "mae", "mae_weighted", "coverage_80", "coverage_95"]
CALIBRATION_COLUMNS = ["decile", "n", "mean_predicted", "mean_actual", "coverage_80",
                       "coverage_95"]
#: "Within" for a validated horizon: pooled coverage this close to nominal (points).
COVERAGE_TOLERANCE = 0.05


def setups() -> pd.DataFrame:
    """panel, origin_year, holdout_year, horizon of every backtest the data allow."""
    p = hcal.all_backtest_predictions()
    cols = ["panel", "origin_year", "holdout_year", "horizon"]
    return p[cols].drop_duplicates().sort_values(["horizon", "holdout_year"], ignore_index=True)


def check_setup(holdout_year, horizon) -> tuple[int, int]:
    """Validate (holdout_year, horizon) against the backtests the data allow."""
    for name, v in (("holdout year", holdout_year), ("horizon", horizon)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise errors.UserInputError(f"{name} must be an integer, got {v!r}")
    s = setups()
    top = int(s["horizon"].max())
    if not 1 <= horizon <= top:
        raise errors.UserInputError(f"horizon must be from 1 to {top} years, got {horizon}")
    ok = s[s["horizon"] == horizon]
    if not ((ok["holdout_year"] == holdout_year).any()):
        years = ", ".join(str(y) for y in sorted(ok["holdout_year"]))
        origin = holdout_year - horizon
        why = (f"May {origin} is not a year of the OEWS panels (May {origin} is left out: hybrid "
               "codes)" if origin == catalog.SOC_HYBRID_YEAR
               else f"the model needs May {origin} and at least one earlier year in a panel")
        raise errors.UserInputError(
            f"no {horizon}-year backtest predicts May {holdout_year}: {why}; holdout years with "
            f"a {horizon}-year backtest: {years}")
    return int(holdout_year), int(horizon)


def highlighted_socs() -> set[str]:
    """The occupations the product's roles are built on."""
    return set(rl.LEVEL_SOC.values()) | {r.base_soc for r in catalog.ROLES}


def predictions(holdout_year: int | None = None, horizon: int = 1) -> pd.DataFrame:
    """One row per occupation and method for one backtest: soc, soc_title, method, panel,
    origin_year, holdout_year, horizon, origin_emp, actual, predicted, lo_95, lo_80, hi_80,
    hi_95 (log change origin -> holdout; bands for the model and linear_trend), in_catalog.
    Default holdout: the latest year."""
    if holdout_year is None:
        holdout_year = files.latest_oews_year()
    holdout_year, horizon = check_setup(holdout_year, horizon)
    p = hcal.all_backtest_predictions()
    p = p[(p["holdout_year"] == holdout_year) & (p["horizon"] == horizon)].reset_index(drop=True)
    titles = hp.soc_titles(files.latest_oews_year())
    p.insert(1, "soc_title", titles.reindex(p["soc"]).to_numpy())
    p["in_catalog"] = p["soc"].isin(highlighted_socs())
    return p


def _score_method(p: pd.DataFrame, m: str) -> dict:
    err = (p["actual"] - p["predicted"]).abs()
    w = p["origin_emp"]
    row = {"method": m, "n_occupations": len(p), "mae": float(err.mean()),
           "mae_weighted": float((err * w).sum() / w.sum()),
           "coverage_80": np.nan, "coverage_95": np.nan}
    bands = p[["lo_95", "lo_80", "hi_80", "hi_95"]].notna()
    if bands.any(axis=None) and not bands.all(axis=None):
        raise ValueError(f"method {m}: prediction intervals missing for some occupations")
    if bands.all(axis=None):
        row["coverage_80"] = float(p["actual"].between(p["lo_80"], p["hi_80"]).mean())
        row["coverage_95"] = float(p["actual"].between(p["lo_95"], p["hi_95"]).mean())
    return row


def score(pred: pd.DataFrame) -> pd.DataFrame:
    """The backtest table (``COLUMNS``) from :func:`predictions` output."""
    rows = [_score_method(pred[pred["method"] == m], m) for m in METHODS]
    return pd.DataFrame(rows, columns=COLUMNS)


def backtest(holdout_year: int | None = None, horizon: int = 1) -> pd.DataFrame:
    """method, n_occupations, mae, mae_weighted, coverage_80, coverage_95 (one row per method)."""
    return score(predictions(holdout_year, horizon))


def weighted_slope(pred: pd.DataFrame, method: str = MODEL_NAME) -> float:
    """Employment-weighted least-squares slope of actual on predicted log change (1 = the
    predictions' spread is right; below 1 they are too spread out)."""
    p = pred[pred["method"] == method]
    x, y, w = (p[c].to_numpy(float) for c in ("predicted", "actual", "origin_emp"))
    xm, ym = np.average(x, weights=w), np.average(y, weights=w)
    return float(np.sum(w * (x - xm) * (y - ym)) / np.sum(w * (x - xm) ** 2))


def calibration_table(pred: pd.DataFrame, method: str = MODEL_NAME) -> pd.DataFrame:
    """Per tenth of predicted growth (1 = lowest): n, mean predicted and actual log change, and
    the share inside the 80% and 95% intervals."""
    p = pred[pred["method"] == method].sort_values("predicted", kind="mergesort")
    decile = np.arange(len(p)) * 10 // len(p) + 1
    inside80 = p["actual"].between(p["lo_80"], p["hi_80"]).to_numpy()
    inside95 = p["actual"].between(p["lo_95"], p["hi_95"]).to_numpy()
    frame = pd.DataFrame({"decile": decile, "predicted": p["predicted"].to_numpy(),
                          "actual": p["actual"].to_numpy(), "in80": inside80, "in95": inside95})
    out = frame.groupby("decile").agg(n=("predicted", "size"), mean_predicted=("predicted", "mean"),
                                      mean_actual=("actual", "mean"), coverage_80=("in80", "mean"),
                                      coverage_95=("in95", "mean")).reset_index()
    return out[CALIBRATION_COLUMNS]


def horizon_summary() -> pd.DataFrame:
    """Per horizon and method, pooled over every backtest pair at that horizon: n_backtests,
    mae, mae_weighted (means over pairs), coverage_80, coverage_95 (means over pairs)."""
    p = hcal.all_backtest_predictions()
    rows = []
    for (h, m), g in p.groupby(["horizon", "method"], sort=True):
        per_pair = [_score_method(part, m) for _, part in
                    g.groupby(["panel", "origin_year", "holdout_year"])]
        t = pd.DataFrame(per_pair)
        rows.append({"horizon": int(h), "method": m, "n_backtests": len(t),
                     "mae": t["mae"].mean(), "mae_weighted": t["mae_weighted"].mean(),
                     "coverage_80": t["coverage_80"].mean(), "coverage_95": t["coverage_95"].mean()})
    return pd.DataFrame(rows)


def validated_horizon(summary: pd.DataFrame | None = None) -> int:
    """The longest horizon at which the model, pooled over its backtests, beats zero growth on
    both MAEs and its 80% and 95% coverage are within COVERAGE_TOLERANCE of nominal (0 if none).
    Charts shade the years beyond it."""
    s = horizon_summary() if summary is None else summary
    best = 0
    for h, g in s.groupby("horizon"):
        g = g.set_index("method")
        m, z = g.loc[MODEL_NAME], g.loc["zero"]
        ok = (m["mae"] < z["mae"] and m["mae_weighted"] < z["mae_weighted"]
              and abs(m["coverage_80"] - 0.80) <= COVERAGE_TOLERANCE
              and abs(m["coverage_95"] - 0.95) <= COVERAGE_TOLERANCE)
        if ok:
            best = max(best, int(h))
    return best


def verdict_vs_zero(table: pd.DataFrame, what: str) -> str:
    """One sentence: did the model beat zero growth on the two error measures of ``table``
    (a :func:`score` result)?"""
    t = table.set_index("method")
    m, z = t.loc[MODEL_NAME], t.loc["zero"]
    wins = {c: m[c] < z[c] for c in ("mae", "mae_weighted")}
    verdict = ("beat zero growth on both error measures" if all(wins.values()) else
               "did not beat zero growth on either error measure" if not any(wins.values()) else
               "beat zero growth on the employment-weighted error only" if wins["mae_weighted"]
               else "beat zero growth on the plain error only")
    return (f"**{what}:** the model {verdict} (mean absolute error {100 * m['mae']:.2f} vs "
            f"{100 * z['mae']:.2f} log points; employment-weighted {100 * m['mae_weighted']:.2f} "
            f"vs {100 * z['mae_weighted']:.2f}).")


def default_setup(setups: pd.DataFrame):
    """The backtest shown first: one year ahead to the latest May (the index label of that row
    of a ``setups`` frame)."""
    return setups[setups["horizon"] == 1]["holdout_year"].idxmax()
