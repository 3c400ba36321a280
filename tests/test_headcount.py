"""The headcount growth model: shrinkage arithmetic on hand-made panels, the likelihood's
gradient, parameter recovery on a simulated panel, and the role x industry projection built on
it (adds up, intervals ordered and widening with the horizon)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime
from scipy.special import logsumexp

from forecasting import catalog, data, headcount, industry_mix, role_levels
from forecasting.errors import UserInputError

BANDS = ("lo_95", "lo_80", "mean", "hi_80", "hi_95")
NORMAL_NU = 40.0  # log(nu - 2) = 40: Student-t shocks are Normal for every practical purpose


def _theta(mu, tau, s0, kappa, log_nu_m2=NORMAL_NU):
    return np.r_[mu, np.log(tau), np.log(s0), np.log(kappa), log_nu_m2]


@pytest.fixture(scope="module")
def projection() -> pd.DataFrame:
    return headcount.baseline_projection(horizon_years=10)


# --------------------------------------------------------------------------- shrinkage arithmetic
def test_posterior_growth_equals_normal_normal_formula():
    """With Normal shocks the posterior mean is the precision-weighted textbook formula."""
    D = np.array([[0.10, 0.08, 0.12],     # a steady grower, precise estimates
                  [0.10, 0.08, 0.12],     # the same growths, but a noisy (high PRSE) estimate
                  [-0.02, 0.01, 0.00]])
    V = np.array([[1e-5] * 3, [0.02] * 3, [1e-4] * 3])
    mu, tau, s0, kappa = np.array([0.01, 0.0, -0.01]), 0.03, np.array([0.02, 0.02, 0.02]), 1.5
    m, sd = headcount.posterior_growth(D, V, _theta(mu, tau, s0, kappa))
    var = s0 ** 2 + kappa * V                       # per-year variance of d
    prec = 1 / tau ** 2 + (1 / var).sum(axis=1)
    expected = ((D - mu) / var).sum(axis=1) / prec
    assert np.allclose(m, expected, atol=2e-5)
    assert np.allclose(sd, np.sqrt(1 / prec), rtol=2e-3)
    # the same growth observed with more sampling noise is pulled harder toward the panel (0)
    assert 0 < m[1] < m[0]
    raw = (D - mu).mean(axis=1)
    assert m[0] < raw[0]


def test_student_t_shocks_discount_one_outlier_year():
    D = np.array([[0.40, 0.02, 0.03]])  # one rebound year, then ordinary growth
    V = np.full((1, 3), 1e-4)
    args = (np.zeros(3), 0.03, np.full(3, 0.03), 1.0)
    m_normal, _ = headcount.posterior_growth(D, V, _theta(*args))
    m_t, _ = headcount.posterior_growth(D, V, _theta(*args, log_nu_m2=np.log(1.0)))  # nu = 3
    assert 0 < m_t[0] < 0.5 * m_normal[0]


def test_score_is_the_gradient_of_the_likelihood():
    rng = np.random.default_rng(1)
    D = rng.normal(0.01, 0.05, size=(40, 3))
    V = rng.uniform(1e-4, 5e-3, size=(40, 3))
    th = _theta(np.array([0.02, 0.01, 0.0]), 0.03, np.array([0.03, 0.025, 0.02]), 1.3, np.log(2.0))

    def ll(t):
        return logsumexp(headcount.node_loglik(D, V, t)[0], axis=1).sum()

    num = approx_fprime(th, ll, 1e-7)
    ana = headcount._score_obs(D, V, th).sum(axis=0)
    assert np.allclose(ana, num, rtol=1e-3, atol=1e-3)


def test_fit_recovers_simulated_parameters():
    """Simulate a panel from the model itself; maximum likelihood gets the parameters back."""
    rng = np.random.default_rng(7)
    n, years = 1500, (2021, 2022, 2023, 2024, 2025)
    tau, kappa, nu = 0.03, 1.5, 4.0
    s0 = np.array([0.035, 0.03, 0.025, 0.02])
    mu = np.array([0.03, 0.02, 0.01, 0.0])
    prse = rng.uniform(0.005, 0.06, size=(n, len(years)))
    V = prse[:, 1:] ** 2 + prse[:, :-1] ** 2
    g = rng.normal(0, tau, n)
    d = mu + g[:, None] + np.sqrt(s0 ** 2 + kappa * V) * rng.standard_t(nu, size=(n, 4))
    log_emp = np.log(10_000) + np.c_[np.zeros(n), np.cumsum(d, axis=1)]
    panel = headcount.Panel(tuple(f"S{i}" for i in range(n)), years, np.exp(log_emp), prse)
    fit = headcount.fit_growth(panel)
    assert fit.converged
    assert np.allclose(fit.year_effects.to_numpy(), mu, atol=0.006)
    assert fit.tau == pytest.approx(tau, rel=0.25)
    assert fit.kappa == pytest.approx(kappa, rel=0.35)
    assert fit.nu == pytest.approx(nu, rel=0.4)
    # shrunk estimates beat the raw mean growth at recovering each occupation's true g
    raw = (d - fit.year_effects.to_numpy()).mean(axis=1)
    assert np.mean((fit.g_mean - g) ** 2) < 0.7 * np.mean((raw - g) ** 2)


# --------------------------------------------------------------------------- panel and fit
def test_panel_holds_every_occupation_present_each_year():
    p = headcount.oews_panel(2021, 2025)
    assert len(p.socs) == 829 and p.years == (2021, 2022, 2023, 2024, 2025)
    assert (p.emp > 0).all() and (p.prse >= 0).all()
    assert "43-5052" in p.socs  # Postal Service mail carriers: PRSE 0 (a full count) is kept
    assert p.growth.shape == (829, 4) and p.growth_noise.shape == (829, 4)
    with pytest.raises(UserInputError, match="at least 3 years"):
        headcount.oews_panel(2024, 2025)
    with pytest.raises(UserInputError, match="at least 3 years"):
        headcount.oews_panel(2020, 2025)


def test_shipped_fit_is_converged_and_shrinks_noisy_trends():
    fit = headcount.growth_fit()
    assert fit.converged and fit.years == (2021, 2025)
    assert (fit.bse > 0).all()
    assert 0.005 < fit.tau < 0.1 and 2 < fit.nu < 30 and fit.kappa > 0
    # shrinkage: posterior growths spread far less than the raw mean deviations from the year
    # effects (not each one: t-shocks may discount an outlier year that pulled the raw mean)
    dev = (fit.panel.growth - fit.year_effects.to_numpy()).mean(axis=1)
    assert np.std(fit.g_mean) < 0.6 * np.std(dev)
    assert np.median(np.abs(fit.g_mean)) < np.median(np.abs(dev))
    # the noisiest fifth of occupations (by mean PRSE) is shrunk harder than the most precise fifth
    prse = fit.panel.prse.mean(axis=1)
    ratio = np.abs(fit.g_mean) / np.maximum(np.abs(dev), 1e-6)
    lo, hi = np.quantile(prse, [0.2, 0.8])
    assert np.median(ratio[prse >= hi]) < np.median(ratio[prse <= lo])
    i = fit.index_of(["15-2051"])[0]
    assert 0.03 < fit.g_mean[i] < dev[i]  # data scientists: a real grower, shrunk but not to 0
    with pytest.raises(UserInputError, match="not in the OEWS panel"):
        fit.index_of(["99-9999"])


def test_growth_fit_is_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path)
    headcount._growth_fit_cached.cache_clear()
    try:
        first = headcount.growth_fit(last_year=2024)
        files = list(tmp_path.glob("headcount_fit_*_2021_2024.pkl"))
        assert len(files) == 1
        headcount._growth_fit_cached.cache_clear()
        again = headcount.growth_fit(last_year=2024)  # loaded, not refitted
        assert np.array_equal(again.g_mean, first.g_mean)
        files[0].write_bytes(b"not a pickle")  # a damaged cache is refitted, never trusted
        headcount._growth_fit_cached.cache_clear()
        refit = headcount.growth_fit(last_year=2024)
        assert np.allclose(refit.g_mean, first.g_mean)
        assert isinstance(pickle.loads(files[0].read_bytes()), headcount.GrowthFit)
    finally:
        headcount._growth_fit_cached.cache_clear()


def test_baseline_projection_is_cached_on_disk_and_equals_a_fresh_build(tmp_path, monkeypatch):
    monkeypatch.setattr(headcount, "_projection_path",
                        lambda key, h: tmp_path / f"headcount_projection_{key[:8]}_{h}.parquet")
    headcount._projection_cached.cache_clear()
    try:
        fresh = headcount._build_projection(7, None)
        first = headcount.baseline_projection(7)
        files = list(tmp_path.glob("headcount_projection_*_7.parquet"))
        assert len(files) == 1
        pd.testing.assert_frame_equal(first, fresh)
        headcount._projection_cached.cache_clear()
        loaded = headcount.baseline_projection(7)  # read back from the file
        pd.testing.assert_frame_equal(loaded, fresh)
        loaded.loc[0, "mean"] = -1.0  # callers get a copy: the memo stays intact
        assert headcount.baseline_projection(7).loc[0, "mean"] == fresh.loc[0, "mean"]
        files[0].write_bytes(b"not parquet")  # a damaged cache is rebuilt, never trusted
        headcount._projection_cached.cache_clear()
        pd.testing.assert_frame_equal(headcount.baseline_projection(7), fresh)
        pd.testing.assert_frame_equal(pd.read_parquet(files[0]), fresh)
        # a non-default automotive share is computed, not served from the cache
        other = headcount.baseline_projection(7, automotive_share=0.10)
        assert not np.allclose(other["mean"], fresh["mean"])
    finally:
        headcount._projection_cached.cache_clear()


@pytest.mark.parametrize("module", ["headcount", "industry_mix", "role_levels", "catalog", "data"])
def test_projection_cache_key_changes_with_every_module_the_numbers_come_from(module, tmp_path,
                                                                              monkeypatch):
    import importlib
    mod = importlib.import_module(f"forecasting.{module}")
    before = headcount._projection_code_hash()
    edited = tmp_path / f"{module}.py"
    edited.write_bytes(Path(mod.__file__).read_bytes() + b"\n# edited\n")
    monkeypatch.setattr(mod, "__file__", str(edited))
    assert headcount._projection_code_hash() != before


def test_predictive_quantiles_are_ordered_and_widen_with_horizon():
    fit = headcount.growth_fit()
    idx = fit.index_of(["15-2051", "15-1252", "43-5052"])
    q = fit.log_change_quantiles(idx, 10)
    assert q.shape == (3, 10, 4)
    assert (np.diff(q, axis=2) > 0).all()
    width80 = q[:, :, 2] - q[:, :, 1]
    width95 = q[:, :, 3] - q[:, :, 0]
    assert (np.diff(width80, axis=1) > 0).all() and (np.diff(width95, axis=1) > 0).all()
    assert (width95 > width80).all()
    # the median of the predictive distribution is close to h x posterior mean growth
    med = fit.log_change_quantiles(idx, 3, probs=(0.5,))[:, :, 0]
    assert np.allclose(med, fit.g_mean[idx, None] * np.arange(1, 4), atol=0.01)
    # seeded: the same data give the same bands
    assert np.array_equal(q, fit.log_change_quantiles(idx, 10))


# --------------------------------------------------------------------------- roles
def test_baseline_growth_is_the_posterior_growth_of_each_base_occupation():
    bg = headcount.baseline_growth().set_index("role")
    fit = headcount.growth_fit()
    for r in catalog.ROLES:
        soc = role_levels.LEVEL_SOC[r.role_id]
        g = fit.g_mean[fit.index_of([soc])[0]]
        assert bg.loc[r.role_id, "log_growth"] == pytest.approx(g, rel=1e-12)
        assert bg.loc[r.role_id, "growth_pct_per_year"] == pytest.approx((np.exp(g) - 1) * 100)
        assert soc in bg.loc[r.role_id, "rule"]
    assert (bg["sd_log_growth"] > 0).all()


def test_projection_adds_up_and_is_ordered(projection):
    levels = role_levels.role_levels()
    # the documented order (docs/ARCHITECTURE.md); was made vacuous by an `or set(...)`
    assert list(projection.columns) == ["role", "industry", "year", "mean", "lo_80", "hi_80",
                                        "lo_95", "hi_95"]
    assert sorted(projection["year"].unique()) == list(range(2025, 2036))
    roles = headcount.role_totals(projection)
    start = levels[levels["year"] == 2025].set_index("role")["headcount"]
    first = roles[roles["year"] == 2025].set_index("role")
    for band in BANDS:  # zero-width interval at the latest OEWS year
        assert np.allclose(first[band], start.loc[first.index], rtol=1e-9)
    g = headcount.baseline_growth().set_index("role")["log_growth"]
    for _, r in roles.iterrows():
        expected = start[r["role"]] * np.exp(g[r["role"]] * (r["year"] - 2025))
        assert r["mean"] == pytest.approx(expected, rel=1e-9)
    # industries: each band is the role band x that year's (trend-projected) share
    sh = industry_mix.industry_shares(list(range(2025, 2036))).set_index(["role", "industry", "year"])
    p = projection.set_index(["role", "industry", "year"])
    rt = roles.set_index(["role", "year"])
    for band in BANDS:
        expected = rt[band].reindex(p.index.droplevel("industry")).to_numpy() * sh["share"].reindex(p.index).to_numpy()
        assert np.allclose(p[band].to_numpy(), expected, rtol=1e-9)
    total = headcount.grand_total(projection).set_index("year")
    assert np.allclose(total["mean"], roles.groupby("year")["mean"].sum(), rtol=1e-12)
    vals = projection[list(BANDS)].to_numpy()
    assert (np.diff(vals, axis=1) >= -1e-9).all()
    later = projection[projection["year"] > 2025]
    assert (later["hi_95"] > later["lo_95"]).all()


def test_projection_interval_widens_with_horizon(projection):
    for role in catalog.ROLE_IDS:
        r = headcount.role_totals(projection).query("role == @role").set_index("year")
        assert (np.diff(np.log(r["hi_95"] / r["lo_95"]).to_numpy()) > 0).all()
        assert (np.diff(np.log(r["hi_80"] / r["lo_80"]).to_numpy()) > 0).all()


def test_automotive_override_and_bad_horizon(projection):
    p = headcount.baseline_projection(horizon_years=2, automotive_share=0.5)
    ds = p[(p["role"] == "data_scientist") & (p["year"] == 2025)].set_index("industry")["mean"]
    assert ds["automotive"] == pytest.approx(ds["manufacturing_other"], rel=1e-9)
    base = projection[(projection["role"] == "data_scientist") & (projection["year"] == 2025)]
    assert p[(p["role"] == "data_scientist") & (p["year"] == 2025)]["mean"].sum() == \
        pytest.approx(base["mean"].sum(), rel=1e-12)
    with pytest.raises(UserInputError, match="automotive"):
        headcount.baseline_projection(automotive_share=1.5)
    for bad in (0, 31, 2.5, True, "5"):
        with pytest.raises(UserInputError, match="horizon"):
            headcount.baseline_projection(horizon_years=bad)


def test_growth_rates_equal_a_direct_pandas_computation(projection):
    for by in (("role",), ("role", "industry"), ("industry",)):
        got = headcount.growth_rates(projection, by, years=5).set_index(list(by))
        sums = projection.groupby([*by, "year"])[list(BANDS)].sum()
        start = sums.xs(2025, level="year")["mean"]
        end = sums.xs(2030, level="year")
        assert len(got) == len(end)
        for band in BANDS:
            col = "growth_pct_per_year" if band == "mean" else band
            expected = ((end[band] / start) ** (1 / 5) - 1) * 100
            assert np.allclose(got[col], expected.reindex(got.index), rtol=1e-10)
    # capped at the last year; a start year with nothing after it is refused
    assert headcount.growth_rates(projection, years=50)["growth_pct_per_year"].notna().all()
    with pytest.raises(UserInputError, match="at least one year"):
        headcount.growth_rates(projection, start_year=2035)
