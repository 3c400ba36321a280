"""viz/backtest: the score table the Data & methods page shows, pinned on a small frame."""

from __future__ import annotations

import pandas as pd

from forecasting.viz import backtest


def test_score_table_labels_units_and_columns():
    bt = pd.DataFrame({"horizon": [2, 2], "method": ["eb_damped_t", "zero"],
                       "n_backtests": [3, 3], "mae": [0.1234, 0.2], "mae_weighted": [0.05, 0.0612],
                       "coverage_80": [0.8049, float("nan")], "coverage_95": [0.951, 0.5]})
    out = backtest.score_table(bt)
    assert list(out.columns) == ["Years ahead", "Method", "Backtests", "Mean abs. error (log points)",
                                 "Employment-weighted (log points)", "Inside 80% interval",
                                 "Inside 95% interval"]
    assert out["Method"].tolist() == ["Headcount model (damped panel trend)", "Zero growth (no change)"]
    assert out["Mean abs. error (log points)"].tolist() == [12.34, 20.0]
    assert out["Employment-weighted (log points)"].tolist() == [5.0, 6.12]
    assert out["Inside 80% interval"].tolist() == ["80%", "—"]
    assert out["Inside 95% interval"].tolist() == ["95%", "50%"]
    assert backtest.score_table(bt.assign(method="mystery"))["Method"].tolist() == ["mystery"] * 2
