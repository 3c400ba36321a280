"""viz/headcount: the chart's own (numpy) industry sum is the same rule as core/totals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.core import totals
from forecasting.viz import headcount


def test_industry_sum_matches_core_totals():
    rng = np.random.default_rng(0)
    rows = [{"role": r, "industry": i, "year": y, "mean": m, "lo_80": 0.8 * m, "hi_80": 1.2 * m,
             "lo_95": 0.7 * m, "hi_95": 1.3 * m}
            for r in ("ml_engineer", "data_scientist") for i in ("fintech", "other", "automotive")
            for y in (2026, 2025) for m in [float(rng.integers(100, 1000))]]
    cells = pd.DataFrame(rows)
    cols = list(totals.VALUE_COLUMNS)
    ours = headcount._aggregate_industries(cells, cols, None)
    ref = totals.with_totals(cells, ai_ml_group=False)
    ref = ref[(ref["industry"] == totals.ALL) & (ref["role"] != totals.ALL)].sort_values(["role", "year"])
    assert list(ours["role"]) == list(ref["role"]) and list(ours["year"]) == list(ref["year"])
    for c in cols:
        np.testing.assert_allclose(ours[c], ref[c].to_numpy())
    assert ours["mean"][0] == cells.query("role == 'data_scientist' and year == 2025")["mean"].sum()
