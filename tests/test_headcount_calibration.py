"""headcount_calibration: the arithmetic of the phi choice, phi recovered on simulated panels
whose persistent growth decays at a known rate, and the shipped calibration pinned (golden)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.headcount import calibration as hcal
from forecasting.headcount import panel as hp
from tests.golden import tolerance as tol

GOLDEN = json.loads((Path(__file__).parent / "golden" / "headcount.json").read_text())


def test_refine_minimum_is_the_parabola_vertex_between_neighbours():
    grid = [0.2, 0.4, 0.6, 0.8, 1.0]
    loss = [(g - 0.55) ** 2 + 1 for g in grid]
    assert hcal.refine_minimum(grid, loss) == pytest.approx(0.55)
    assert hcal.refine_minimum(grid, [5, 4, 3, 2, 1]) == 1.0          # an end stays an end
    assert hcal.refine_minimum(grid, [1, 2, 3, 4, 5]) == 0.2
    # a vertex outside the neighbours is clipped to them
    assert 0.4 <= hcal.refine_minimum(grid, [3, 1.0, 1.01, 3, 4]) <= 0.6


def test_pooled_loss_weights_each_horizon_equally():
    w = np.ones(2)

    def pair(h, err, panel="recent"):  # two occupations, errors per grid value (2 values)
        return {"panel": panel, "horizon": h, "w": w, "zero": np.array([1.0, 1.0]),
                "err": np.array(err, float)}
    pairs = [pair(1, [[1, 2], [1, 2]]), pair(1, [[3, 2], [3, 2]]), pair(5, [[0.5, 0.1], [0.5, 0.1]])]
    # horizon 1: mean of (1, 2) and (3, 2) -> (2, 2); horizon 5: (0.5, 0.1); mean -> (1.25, 1.05)
    np.testing.assert_allclose(hcal.horizon_pooled_loss(pairs), [1.25, 1.05])
    rows = {"recent": np.array([1, 1])}  # a bootstrap resample that repeats occupation 1
    np.testing.assert_allclose(hcal.horizon_pooled_loss(pairs, rows), [1.25, 1.05])


def _simulated_panels(phi, seed, n=300):
    """A recent (2021-25) and a long (2017-19, 2021-25) panel whose persistent growth is a
    stationary AR(1) with decay ``phi``, plus t shocks and PRSE-scaled sampling noise."""
    rng = np.random.default_rng(seed)
    years = np.arange(2017, 2026)
    tau, s0, nu = 0.04, 0.015, 5.0
    x = np.empty((n, len(years) - 1))
    x[:, 0] = rng.normal(0, tau, n)
    for t in range(1, x.shape[1]):
        x[:, t] = phi * x[:, t - 1] + rng.normal(0, tau * np.sqrt(1 - phi ** 2), n)
    prse = rng.uniform(0.005, 0.03, size=(n, len(years)))
    log_emp = (np.log(20_000) + np.c_[np.zeros(n), np.cumsum(x + s0 * rng.standard_t(nu, x.shape),
                                                             axis=1)]
               + prse * rng.standard_t(nu, size=prse.shape))
    socs = tuple(f"{10 + i % 5}-{i:04d}" for i in range(n))
    full = hp.Panel(socs, tuple(int(y) for y in years), np.exp(log_emp), prse)
    keep_long = [j for j, y in enumerate(years) if y != 2020]
    long = hp.Panel(socs, tuple(int(years[j]) for j in keep_long), full.emp[:, keep_long],
                    full.prse[:, keep_long])
    return {"recent": full.window(2021, 2025), "long": long}


@pytest.mark.parametrize("phi, lo, hi", [(0.5, 0.3, 0.75), (0.95, 0.8, 1.0)])
def test_phi_is_recovered_on_simulated_panels(phi, lo, hi):
    cal = hcal.calibrate(_simulated_panels(phi, seed=3), grid=(0.3, 0.6, 0.9, 1.0),
                         bootstrap=20)
    assert lo <= cal.phi <= hi, cal.phi
    a, b = cal.phi_interval(0.95)
    assert a <= cal.phi <= b
    # the width was calibrated: pooled 80% coverage 2+ years ahead reached 80% (or the factor
    # stayed at 1 because it already had)
    assert hcal.WIDTH_RANGE[0] <= cal.width_factor < hcal.WIDTH_RANGE[1]


def test_shipped_calibration_is_pinned():
    """Golden numbers (tests/golden/headcount.json; regenerate deliberately with
    `python tests/golden/regenerate_headcount.py` and review the diff)."""
    cal = hcal.calibration()
    g = GOLDEN["calibration"]
    assert cal.phi == pytest.approx(g["phi"], abs=tol.PHI_ABS)
    np.testing.assert_allclose(cal.phi_interval(0.80), g["phi_80"], atol=tol.PHI_ABS)
    assert cal.s_long == pytest.approx(g["s_long"], rel=tol.MEAN_REL)
    assert cal.width_factor == pytest.approx(g["width_factor"], rel=tol.MEAN_REL)
    assert cal.n_pairs == g["n_pairs"] == 18
    np.testing.assert_allclose(cal.loss, g["loss"], rtol=tol.MEAN_REL)


@pytest.fixture(scope="module")
def small_calibration():
    """calibrate() end to end on small simulated panels (fast): pinned below."""
    panels = _simulated_panels(0.7, seed=8, n=120)
    return panels, hcal.calibrate(panels, grid=(0.5, 0.8, 1.0), bootstrap=12)


def test_calibrate_end_to_end_on_small_panels_is_pinned(small_calibration):
    panels, cal = small_calibration
    g = GOLDEN["small_calibration"]
    assert cal.phi == pytest.approx(g["phi"], abs=tol.PHI_ABS)
    np.testing.assert_allclose(cal.phi_draws, g["phi_draws"], atol=tol.PHI_ABS)
    assert cal.s_long == pytest.approx(g["s_long"], rel=tol.MEAN_REL)
    assert cal.width_factor == pytest.approx(g["width_factor"], rel=tol.MEAN_REL)
    np.testing.assert_allclose(cal.loss, g["loss"], rtol=tol.MEAN_REL)
    t = cal.phi_table
    assert len(t) == 3 * cal.n_pairs and cal.n_pairs == 18
    np.testing.assert_allclose(t["rel_loss"], 0.5 * (t["mae"] / t["mae_zero"]
                                                     + t["mae_weighted"] / t["mae_weighted_zero"]))
    np.testing.assert_allclose(t["mae"].to_numpy(), g["table_mae"], rtol=tol.MEAN_REL)
    # the long-run scale is the root mean square shock of a fit on the whole long panel
    long = panels["long"]
    full = hcal.hm.fit_growth(long.socs, long.years, long.emp, long.prse, phi=cal.phi)
    assert cal.s_long == pytest.approx(hcal.long_run_shock_scale(full), rel=1e-9)
    assert hcal.long_run_shock_scale(full) == pytest.approx(
        np.sqrt(np.sum(full.s0 ** 2) / (long.years[-1] - long.years[0])))


def test_backtest_predictions_on_small_panels_are_pinned(small_calibration):
    panels, cal = small_calibration
    pred = hcal.backtest_predictions(cal, panels, draws=2000)
    g = GOLDEN["small_backtests"]
    assert list(pred.columns) == ["soc", "method", "panel", "origin_year", "holdout_year",
                                  "horizon", "origin_emp", "actual", "predicted", "lo_95",
                                  "lo_80", "hi_80", "hi_95"]
    assert len(pred) == g["rows"]
    key = pred.groupby(["panel", "origin_year", "holdout_year", "method"])
    got = key["predicted"].mean().round(12)
    want = pd.Series(g["mean_predicted"]).rename(lambda k: tuple(
        int(v) if v.isdigit() else v for v in k.split("|")))
    np.testing.assert_allclose(got.reindex(want.index).to_numpy(), want.to_numpy(), **tol.SMALL_PANEL)
    cov = pred.dropna(subset=["lo_80"]).assign(
        inside=lambda d: (d["actual"] >= d["lo_80"]) & (d["actual"] <= d["hi_80"]))
    assert cov["inside"].mean() == pytest.approx(g["coverage_80"], abs=tol.COVERAGE_ABS)
    assert set(pred.loc[pred["lo_80"].notna(), "method"]) == {hcal.MODEL_NAME, hcal.LINEAR_NAME}
    # reported pairs: the recent panel where it has 3 fit years, the long panel for the rest
    pairs = pred[["panel", "origin_year", "holdout_year"]].drop_duplicates()
    assert {tuple(r) for r in pairs[pairs["panel"] == "recent"].to_numpy()} == {
        ("recent", 2023, 2024), ("recent", 2023, 2025), ("recent", 2024, 2025)}
    assert ("long", 2018, 2025) in {tuple(r) for r in pairs.to_numpy()}


def test_cases_cover_every_window_with_a_later_year():
    panels = _simulated_panels(0.7, seed=8, n=10)
    got = [(c.panel, c.fit_years[0], c.origin, c.targets) for c in
           hcal.cases(panels["recent"], panels["long"])]
    assert got[:2] == [("recent", 2021, 2023, (2024, 2025)), ("recent", 2021, 2024, (2025,))]
    assert got[2:] == [("long", 2017, o, tuple(y for y in (2021, 2022, 2023, 2024, 2025) if y > o))
                       for o in (2019, 2021, 2022, 2023, 2024)]
    assert len(hcal.cases(panels["recent"], panels["long"], min_fit_years=2)) == 9  # + 2021-22, 2017-18
