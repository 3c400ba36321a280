"""Bottom-up totals, top-down scaling and the coherence check."""

from __future__ import annotations

import numpy as np

from forecasting.core import catalog

from forecasting.core import totals as reconcile
from tests.test_scenarios import BASE


def test_with_totals_sums_cells_and_bounds():
    full = reconcile.with_totals(BASE)
    assert reconcile.coherence_errors(full) == []
    tot = full[(full.role == "all") & (full.industry == "all")].set_index("year")
    np.testing.assert_allclose(tot["mean"], BASE.groupby("year")["mean"].sum())
    np.testing.assert_allclose(tot["hi_95"], BASE.groupby("year")["hi_95"].sum())
    ai = full[(full.role == "ai_ml_specialists") & (full.industry == "fintech")].set_index("year")
    cells = BASE[BASE.role.isin(catalog.AI_ML_SPECIALIST_ROLES) & (BASE.industry == "fintech")]
    np.testing.assert_allclose(ai["mean"], cells.groupby("year")["mean"].sum())
    # idempotent: totals are rebuilt from cells, not double counted
    again = reconcile.with_totals(full)
    assert len(again) == len(full)
    np.testing.assert_allclose(again["mean"].sum(), full["mean"].sum())


def test_scale_to_totals_hits_targets_and_keeps_shares():
    targets = BASE.groupby(["role", "year"], as_index=False)["mean"].sum()
    targets["mean"] *= 1.1
    scaled = reconcile.scale_to_totals(BASE, targets)
    got = scaled.groupby(["role", "year"])["mean"].sum().to_numpy()
    np.testing.assert_allclose(got, targets.set_index(["role", "year"])["mean"].to_numpy())
    np.testing.assert_allclose(scaled["lo_80"] / scaled["mean"], BASE["lo_80"] / BASE["mean"])
    assert reconcile.coherence_errors(reconcile.with_totals(scaled)) == []


def test_coherence_errors_name_the_place():
    full = reconcile.with_totals(BASE)
    mask = (full.role == "data_scientist") & (full.industry == "all") & (full.year == 2027)
    full.loc[mask, "mean"] += 5.0
    errors = reconcile.coherence_errors(full)
    assert len(errors) == 1 and "data_scientist" in errors[0] and "2027" in errors[0]
