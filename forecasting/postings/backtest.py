"""Rolling-origin backtest: MASE, sMAPE and interval coverage per series and model.

Origins: the last one ends at the series end; earlier ones step back by ``max(1, h // n_origins)``
periods (overlapping windows keep enough training data on short series). Each origin's forecast
uses only data before it, including the conformal calibration inside ``SeriesEngine``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.core.errors import UserInputError
from forecasting.postings.engine import SeriesEngine, mase_scale
from forecasting.postings.families import MODEL_NAMES, check_model
from forecasting.postings.frequency import infer_freq, season_length_for
from forecasting.postings.inputs.rules import validate_horizon

BT_COLUMNS = ["series_id", "model", "mase", "smape", "coverage_80", "coverage_95"]
MIN_TRAIN = 3


def origins(n: int, horizon: int, n_origins: int) -> list[int]:
    """Training lengths of the rolling origins, oldest first (only those with >= MIN_TRAIN points)."""
    step = max(1, horizon // max(n_origins, 1))
    out = [n - horizon - step * j for j in range(n_origins)]
    return sorted(L for L in out if L >= MIN_TRAIN)


def smape(actual: np.ndarray, fc: np.ndarray) -> float:
    """Symmetric MAPE in percent (0..200); a point where both are zero counts as 0."""
    a, f = np.asarray(actual, float), np.asarray(fc, float)
    den = np.abs(a) + np.abs(f)
    terms = np.where(den > 0, 200 * np.abs(a - f) / np.where(den > 0, den, 1), 0.0)
    return float(np.mean(terms))


def mase(actual: np.ndarray, fc: np.ndarray, train: np.ndarray, season_length: int) -> float:
    """MAE over the in-sample seasonal-naive MAE (lag-1 when shorter than 2 seasons)."""
    scale = mase_scale(train, season_length)
    mae = float(np.mean(np.abs(np.asarray(actual, float) - np.asarray(fc, float))))
    if not np.isfinite(scale):
        return float("nan")
    if scale == 0:
        return 0.0 if mae == 0 else float("inf")
    return mae / scale


def backtest_engine(engine: SeriesEngine, series_id: str, horizon: int, n_origins: int,
                    models) -> pd.DataFrame:
    """Backtest rows for one series; reuses the engine's memoised fits."""
    y, m = engine.y, engine.season_length
    Ls = origins(len(y), horizon, n_origins)
    rows = []
    for name in models:
        mases, smapes, c80, c95 = [], [], [], []
        for L in Ls:
            fc = engine.forecast(name, L, horizon, (80, 95))
            actual = y[L: L + horizon]
            mases.append(mase(actual, fc["mean"], y[:L], m))
            smapes.append(smape(actual, fc["mean"]))
            c80.append(np.mean((actual >= fc["lo_80"]) & (actual <= fc["hi_80"])))
            c95.append(np.mean((actual >= fc["lo_95"]) & (actual <= fc["hi_95"])))
        agg = (lambda v: float(np.mean(v)) if v else float("nan"))
        rows.append({"series_id": series_id, "model": name, "mase": agg(mases),
                     "smape": agg(smapes), "coverage_80": agg(c80), "coverage_95": agg(c95)})
    return pd.DataFrame(rows, columns=BT_COLUMNS)


def backtest(df: pd.DataFrame, horizon: int, n_origins: int = 3, models=None,
             freq: dict | None = None) -> pd.DataFrame:
    """``series_id, model, mase, smape, coverage_80, coverage_95`` (means over origins)."""
    h = validate_horizon(horizon)
    if int(n_origins) < 1:
        raise UserInputError(f"n_origins must be at least 1, got {n_origins}")
    models = tuple(check_model(mm) for mm in (models or MODEL_NAMES))
    parts = []
    for sid, g in df.sort_values(["series_id", "ds"]).groupby("series_id", sort=True):
        g = g.dropna(subset=["y"])
        alias = (freq or {}).get(sid) or infer_freq(g["ds"])
        eng = SeriesEngine(g["y"].to_numpy(float), season_length_for(alias), h)
        parts.append(backtest_engine(eng, str(sid), h, int(n_origins), models))
    if not parts:
        return pd.DataFrame(columns=BT_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def leaderboard(bt: pd.DataFrame) -> pd.DataFrame:
    """Mean metrics per model over series with finite scores, best MASE first."""
    cols = ["mase", "smape", "coverage_80", "coverage_95"]
    d = bt.replace([np.inf, -np.inf], np.nan)
    out = d.groupby("model")[cols].mean()
    out["n_series"] = d.dropna(subset=["mase"]).groupby("model")["series_id"].nunique()
    out["n_series"] = out["n_series"].fillna(0).astype(int)
    return out.reset_index().sort_values(["mase", "model"]).reset_index(drop=True)
