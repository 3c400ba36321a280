"""backtest: hand-computed metrics, origins, leaderboard."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.core.errors import UserInputError
from forecasting.postings import backtest as bt


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


# ------------------------------------------------------------------ edges (mutation survivors)
def test_origins_keep_a_training_window_of_exactly_min_train():
    assert bt.origins(5, 2, 1) == [3]                # L = MIN_TRAIN = 3 is allowed
    assert bt.origins(4, 2, 1) == []


def test_smape_below_one_and_mase_degenerate_scales():
    # |a| + |f| < 1: the denominator is used as it is (no floor at 1)
    assert bt.smape([0.2], [0.3]) == pytest.approx(200 * 0.1 / 0.5)
    assert np.isnan(bt.mase([1.0], [2.0], np.array([5.0]), 12))      # no in-sample scale
    flat = np.full(6, 4.0)                                            # scale 0
    assert bt.mase([4.0, 4.0], [4.0, 4.0], flat, 1) == 0.0
    assert bt.mase([4.0, 5.0], [4.0, 4.0], flat, 1) == float("inf")


def test_flat_series_counts_a_value_on_a_zero_width_band_as_covered():
    """A constant history gives a zero-width band at the last value; an actual equal to it is
    inside (bounds are inclusive), and MASE is 0 with a zero scale and a perfect forecast."""
    row = bt.backtest(_frame("c", [5.0] * 12), 3, n_origins=2, models=["naive"]).iloc[0]
    assert row["coverage_80"] == 1.0 and row["coverage_95"] == 1.0
    assert row["mase"] == 0.0 and row["smape"] == 0.0


def test_too_short_series_gives_nan_scores_and_default_origins_are_three():
    out = bt.backtest(_frame("s", [1.0, 2.0, 3.0, 4.0]), 3, models=["naive"])
    assert out[["mase", "smape", "coverage_80", "coverage_95"]].isna().all(axis=None)
    rng = np.random.default_rng(3)
    df = _frame("a", 50 + np.cumsum(rng.normal(0, 1, 40)))
    default = bt.backtest(df, 6, models=["naive", "drift"])
    pd.testing.assert_frame_equal(default, bt.backtest(df, 6, n_origins=3, models=["naive", "drift"]))
    assert not default.equals(bt.backtest(df, 6, n_origins=4, models=["naive", "drift"]))


def test_result_index_extra_columns_and_empty_input():
    rng = np.random.default_rng(4)
    df = pd.concat([_frame("a", 50 + np.cumsum(rng.normal(0, 1, 30))),
                    _frame("b", 20 + np.cumsum(rng.normal(0, 1, 30)))])
    out = bt.backtest(df, 4, n_origins=2, models=["naive"])
    assert list(out.index) == [0, 1] and list(out["series_id"]) == ["a", "b"]
    # a NaN in another column does not drop the row (only a missing y does)
    noted = bt.backtest(df.assign(note=np.nan), 4, n_origins=2, models=["naive"])
    pd.testing.assert_frame_equal(noted, out)
    empty = bt.backtest(df.iloc[:0], 4, models=["naive"])
    assert list(empty.columns) == bt.BT_COLUMNS and len(empty) == 0


def test_freq_override_sets_the_season_length():
    """Daily dates read as weekly: the seasonal naive then repeats 52 steps back, not 7."""
    y = np.r_[np.arange(60.0) % 7 * 3, np.arange(60.0) % 5][:110]
    df = _frame("a", y, freq="D")
    weekly = bt.backtest(df, 5, n_origins=1, models=["snaive"], freq={"a": "W-SUN"}).iloc[0]
    daily = bt.backtest(df, 5, n_origins=1, models=["snaive"]).iloc[0]
    L = 105
    expect = np.mean(np.abs(y[L:] - y[L - 52:L - 47])) / np.mean(np.abs(y[52:L] - y[:L - 52]))
    assert weekly["mase"] == pytest.approx(expect) and weekly["mase"] != daily["mase"]


def test_bad_argument_messages():
    df = _frame("a", range(20))
    with pytest.raises(UserInputError, match="n_origins must be at least 1, got 0"):
        bt.backtest(df, 3, n_origins=0)
    with pytest.raises(UserInputError, match=r"unknown model 'nope'; choose one of auto, "
                                             r"ensemble, ets"):  # families.check_model
        bt.backtest(df, 3, models=["naive", "nope"])


def test_leaderboard_skips_infinite_scores_and_counts_finite_series():
    rows = pd.DataFrame({
        "series_id": ["a", "b", "a", "b"], "model": ["m1", "m1", "m2", "m2"],
        "mase": [1.0, np.inf, np.nan, np.nan], "smape": [10.0, 30.0, np.nan, np.nan],
        "coverage_80": [np.nan, 0.5, np.nan, np.nan], "coverage_95": [1.0, 1.0, np.nan, np.nan]})
    lb = bt.leaderboard(rows).set_index("model")
    assert lb.loc["m1", "mase"] == 1.0                      # the inf is left out, not averaged
    assert lb.loc["m1", "n_series"] == 1                    # a NaN coverage does not drop "a"
    assert lb.loc["m2", "n_series"] == 0 and lb["n_series"].dtype.kind == "i"
    assert list(lb.index) == ["m1", "m2"]
