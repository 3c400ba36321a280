"""backtest: hand-computed metrics, origins, leaderboard."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting import backtest as bt
from forecasting.errors import UserInputError


def _frame(sid, y, freq="MS"):
    return pd.DataFrame({"series_id": sid, "ds": pd.date_range("2020-01-01", periods=len(y),
                                                              freq=freq), "y": np.asarray(y, float)})


def test_naive_by_hand():
    # train 1,2,3,4 (shorter than 2 seasons -> lag-1 scale = 1); naive forecasts 4,4; actual 5,6
    out = bt.backtest(_frame("a", [1, 2, 3, 4, 5, 6]), 2, n_origins=1, models=["naive"])
    row = out.iloc[0]
    assert row["mase"] == pytest.approx(1.5)
    assert row["smape"] == pytest.approx((200 * 1 / 9 + 200 * 2 / 10) / 2)
    # sigma = rms of diffs = 1; 80%: 4 +- 1.2816*sqrt(h) holds 5, misses 6; 95% holds both
    assert row["coverage_80"] == pytest.approx(0.5)
    assert row["coverage_95"] == pytest.approx(1.0)


def test_metric_functions_by_hand():
    assert bt.smape([0, 0], [0, 0]) == 0.0
    assert bt.smape([1], [0]) == pytest.approx(200.0)
    train = np.r_[np.arange(12.0), np.arange(12.0) + 2]          # seasonal diffs all 2
    assert bt.mase([10.0], [13.0], train, 12) == pytest.approx(1.5)
    assert bt.mase([10.0], [13.0], np.arange(5.0), 12) == pytest.approx(3.0)  # lag-1 scale 1


def test_origins_end_at_series_end():
    assert bt.origins(30, 12, 3) == [10, 14, 18]   # step 4; last origin 18 + 12 = 30
    assert bt.origins(10, 2, 2) == [7, 8]
    assert bt.origins(5, 4, 3) == []               # too short: no origin


def test_backtest_columns_rows_and_leaderboard():
    rng = np.random.default_rng(0)
    df = pd.concat([_frame("a", 50 + np.cumsum(rng.normal(0.3, 1, 40))),
                    _frame("b", 20 + np.cumsum(rng.normal(-0.1, 1, 36)))])
    out = bt.backtest(df, 6, n_origins=2, models=["naive", "drift", "snaive"])
    assert list(out.columns) == bt.BT_COLUMNS
    assert len(out) == 6
    assert out[["coverage_80", "coverage_95"]].stack().between(0, 1).all()
    assert (out["coverage_95"] >= out["coverage_80"]).all()
    lb = bt.leaderboard(out)
    assert list(lb.columns) == ["model", "mase", "smape", "coverage_80", "coverage_95", "n_series"]
    assert set(lb["model"]) == {"naive", "drift", "snaive"}
    assert (lb["n_series"] == 2).all()
    assert lb["mase"].is_monotonic_increasing
    naive_mean = out.loc[out["model"] == "naive", "mase"].mean()
    assert lb.set_index("model").loc["naive", "mase"] == pytest.approx(naive_mean)


def test_bad_arguments():
    df = _frame("a", range(20))
    with pytest.raises(UserInputError, match="horizon"):
        bt.backtest(df, 0)
    with pytest.raises(UserInputError, match="unknown model"):
        bt.backtest(df, 3, models=["nope"])
