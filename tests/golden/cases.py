"""The golden cases: fixed seeded synthetic series and shipped postings series, and the one
function that computes what tests/golden/postings_models.json pins for them.

Shared by tests/test_golden_models.py (compares) and tests/golden/regenerate.py (writes), so
both run exactly the same computation through the public entry points users reach
(``frames.forecast_frame`` and ``backtest.backtest``, frequency inferred from the dates).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from forecasting.postings import backtest as bt
from forecasting.postings import families, frames
from tests.simulate import null_series, seasonal_series

GOLDEN_FILE = "postings_models.json"
HORIZON = 12
BT_HORIZON = 6
BT_ORIGINS = 2
#: relative tolerance of pinned numbers; the statsmodels fits are deterministic here, so any
#: larger change is a change of the numbers users see and needs a reviewed regeneration
RTOL = 1e-5
SHIPPED = ("us_sector_retail", "fr_ai_share", "us_postings_total")


def synthetic_frame() -> pd.DataFrame:
    """Seeded series: the reported 48-month seasonal series with a trend, a random walk, a
    longer seasonal series without trend and a quarterly seasonal one."""
    parts = []

    def add(sid, y, start, freq):
        parts.append(pd.DataFrame({"series_id": sid, "ds": pd.date_range(start, periods=len(y),
                                                                         freq=freq), "y": y}))

    add("syn_seasonal_trend_48", seasonal_series(48, 8.0, 1.5, 0.5, np.random.default_rng(16),
                                                 phase=0.0), "2018-01-01", "MS")
    add("syn_random_walk_40", null_series("random_walk", 40, np.random.default_rng(17)),
        "2019-01-01", "MS")
    add("syn_seasonal_72", seasonal_series(72, 5.0, 2.0, 0.0, np.random.default_rng(18),
                                           phase=1.0), "2017-01-01", "MS")
    add("syn_quarterly_28", seasonal_series(28, 6.0, 1.0, 1.0, np.random.default_rng(19),
                                            phase=0.5, m=4), "2015-01-01", "QS")
    return pd.concat(parts, ignore_index=True)


def shipped_frame() -> pd.DataFrame:
    from forecasting.sources import indeed

    df = indeed.load_postings_monthly()
    return df[df["series_id"].isin(SHIPPED)][["series_id", "ds", "y"]].reset_index(drop=True)


def input_hash(g: pd.DataFrame) -> str:
    """Hash of one series' dates and values: a golden mismatch with a changed hash means the
    input (shipped data) changed, not the model."""
    payload = (g["ds"].dt.strftime("%Y-%m-%d").str.cat(sep=",") + "|"
               + ",".join(repr(float(v)) for v in g["y"]))
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def compute(frame: pd.DataFrame) -> dict:
    """{series_id: {"input": hash, "forecast": {model: {...}}, "backtest": {model: {...}}}}."""
    frame = frame.sort_values(["series_id", "ds"]).reset_index(drop=True)
    out: dict = {}
    for sid, g in frame.groupby("series_id", sort=True):
        out[sid] = {"input": input_hash(g), "n": len(g), "forecast": {}, "backtest": {}}
    for name in families.MODEL_NAMES:
        fc = frames.forecast_frame(frame, HORIZON, model=name)
        for sid, g in fc.groupby("series_id", sort=True):
            out[sid]["forecast"][name] = {
                "label": str(g["model"].iat[0]),
                "mean": g["mean"].round(10).tolist(),
                "width_80": (g["hi_80"] - g["lo_80"]).round(10).tolist(),
                "width_95": (g["hi_95"] - g["lo_95"]).round(10).tolist(),
            }
    res = bt.backtest(frame, BT_HORIZON, n_origins=BT_ORIGINS, models=families.MODEL_NAMES)
    for r in res.itertuples(index=False):
        out[r.series_id]["backtest"][r.model] = {
            k: round(float(getattr(r, k)), 10)
            for k in ("mase", "smape", "coverage_80", "coverage_95")}
    return out


def compute_all() -> dict:
    return {"synthetic": compute(synthetic_frame()), "shipped": compute(shipped_frame())}
