"""Bottom-up totals (the group-sum kernel) and the coherence check."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.core import catalog, totals
from tests.test_scenarios import BASE


def test_with_totals_sums_cells_and_bounds():
    full = totals.with_totals(BASE)
    assert totals.coherence_errors(full) == []
    tot = full[(full.role == "all") & (full.industry == "all")].set_index("year")
    np.testing.assert_allclose(tot["mean"], BASE.groupby("year")["mean"].sum())
    np.testing.assert_allclose(tot["hi_95"], BASE.groupby("year")["hi_95"].sum())
    ai = full[(full.role == "ai_ml_specialists") & (full.industry == "fintech")].set_index("year")
    cells = BASE[BASE.role.isin(catalog.AI_ML_SPECIALIST_ROLES) & (BASE.industry == "fintech")]
    np.testing.assert_allclose(ai["mean"], cells.groupby("year")["mean"].sum())
    # idempotent: totals are rebuilt from cells, not double counted
    again = totals.with_totals(full)
    assert len(again) == len(full)
    np.testing.assert_allclose(again["mean"].sum(), full["mean"].sum())


def test_coherence_errors_name_the_place():
    full = totals.with_totals(BASE)
    mask = (full.role == "data_scientist") & (full.industry == "all") & (full.year == 2027)
    full.loc[mask, "mean"] += 5.0
    errors = totals.coherence_errors(full)
    assert len(errors) == 1 and "data_scientist" in errors[0] and "2027" in errors[0]


def test_sum_by_groups_in_first_appearance_order_with_pandas_nan_rules():
    frame = pd.DataFrame({"role": ["b", "a", "b", "a", "c"], "year": [2026, 2026, 2026, 2027, 2026],
                          "mean": [1.0, 2.0, 4.0, np.nan, 8.0], "hi_95": [1.5, 2.5, 4.5, 16.0, np.nan]})
    got = totals.sum_by(frame, ["role", "year"], ["mean", "hi_95"])
    assert got["role"].tolist() == ["b", "a", "a", "c"] and got["year"].tolist() == [2026, 2026, 2027, 2026]
    np.testing.assert_array_equal(got["mean"], [5.0, 2.0, 0.0, 8.0])       # NaN counts as 0 ...
    np.testing.assert_array_equal(got["hi_95"], [6.0, 2.5, 16.0, 0.0])
    gaps = totals.sum_by(frame, ["role", "year"], ["mean"], skipna=False)   # ... or leaves a gap
    np.testing.assert_array_equal(gaps["mean"], [5.0, 2.0, np.nan, 8.0])
    whole = totals.sum_by(frame, [], ["mean"])
    np.testing.assert_array_equal(whole["mean"], [15.0])
    # first appearance of the combination, not sorted codes: (b, 2027) after (a, 2027)
    mixed = pd.DataFrame({"role": ["b", "a", "b"], "year": [2026, 2027, 2027], "mean": [1.0, 2.0, 4.0]})
    got = totals.sum_by(mixed, ["role", "year"], ["mean"])
    assert list(zip(got["role"], got["year"], got["mean"])) == [("b", 2026, 1.0), ("a", 2027, 2.0), ("b", 2027, 4.0)]


def test_with_totals_equals_pandas_groupby_on_the_baseline():
    from forecasting.headcount import projection as headcount

    cells = headcount.baseline_projection(10)
    out = totals.with_totals(cells).set_index(["role", "industry", "year"])
    cols = list(totals.VALUE_COLUMNS)
    by_role = cells.groupby(["role", "year"])[cols].sum()
    for (role, year), row in by_role.iterrows():
        np.testing.assert_allclose(out.loc[(role, "all", year), cols].to_numpy(float), row.to_numpy(), rtol=1e-12)
    overall = cells.groupby("year")[cols].sum()
    group = cells[cells["role"].isin(catalog.AI_ML_SPECIALIST_ROLES)].groupby(["industry", "year"])[cols].sum()
    for year, row in overall.iterrows():
        np.testing.assert_allclose(out.loc[("all", "all", year), cols].to_numpy(float), row.to_numpy(), rtol=1e-12)
    for (ind, year), row in group.iterrows():
        np.testing.assert_allclose(out.loc[(totals.AI_ML_GROUP, ind, year), cols].to_numpy(float), row.to_numpy(),
                                   rtol=1e-12)
    assert len(out) == len(cells) + len(by_role) + 2 * len(overall) + cells["industry"].nunique() * (
        len(overall)) * 2
    assert out.reset_index()["year"].dtype == cells["year"].dtype
