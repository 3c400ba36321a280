"""headcount_model: damping arithmetic on hand-made numbers, the shrinkage formula, the
likelihood's gradient, parameter recovery on a simulated panel, and the predictive intervals
(widen with h, carry phi's uncertainty, cover on data simulated from the model)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.special import logsumexp

from forecasting.headcount import model as hm

NORMAL_NU = 40.0  # log(nu - 2) = 40: Student-t shocks are Normal for every practical purpose


def _theta(mu, tau, s0, kappa, log_nu_m2=NORMAL_NU, a=()):
    return np.r_[mu, np.log(tau), np.log(s0), np.log(kappa), log_nu_m2, a]


# --------------------------------------------------------------------------- damping arithmetic
def test_damped_sum_by_hand():
    assert hm.damped_sum(1, 0.5) == pytest.approx(0.5)
    assert hm.damped_sum(3, 0.5) == pytest.approx(0.5 + 0.25 + 0.125)
    assert hm.damped_sum(4, 0.8) == pytest.approx(0.8 + 0.64 + 0.512 + 0.4096)
    assert hm.damped_sum(7, 1.0) == pytest.approx(7.0)          # no damping: a straight line
    assert hm.damped_sum(0, 0.7) == pytest.approx(0.0)
    # the limit: a damped trend adds at most phi / (1 - phi) years of growth
    assert hm.damped_sum(200, 0.6) == pytest.approx(0.6 / 0.4)


def test_loadings_span_gaps_and_decay_backwards():
    lam = hm.loadings([2017, 2018, 2019, 2021, 2022], 0.5)
    # last year 2022: intervals end 2018 (0.5^4), 2019 (0.5^3), 2020+2021 (0.5^2 + 0.5), 2022 (1)
    np.testing.assert_allclose(lam, [0.0625, 0.125, 0.75, 1.0])
    np.testing.assert_allclose(hm.loadings([2021, 2022, 2023], 1.0), [1.0, 1.0])
    np.testing.assert_allclose(hm.loadings([2019, 2021, 2022], 1.0), [2.0, 1.0])


def test_innovation_factor_by_hand():
    # h = 2: the first future innovation enters both years (1 + phi), the second one year (1)
    np.testing.assert_allclose(hm.innovation_var_factor(2, [0.5, 1.0]), [1.5 ** 2 + 1, 2 ** 2 + 1])
    np.testing.assert_allclose(hm.innovation_var_factor(1, 0.3), [1.0])
    np.testing.assert_allclose(hm.innovation_var_factor(3, 0.0), [3.0])


# --------------------------------------------------------------------------- shrinkage arithmetic
def test_posterior_growth_equals_normal_normal_formula_with_loadings():
    """With Normal shocks the posterior mean is the precision-weighted textbook formula, each
    year's growth loading lam[t] on the persistent growth."""
    D = np.array([[0.10, 0.08, 0.12],     # a steady grower, precise estimates
                  [0.10, 0.08, 0.12],     # the same growths, but a noisy (high PRSE) estimate
                  [-0.02, 0.01, 0.00]])
    V = np.array([[1e-5] * 3, [0.02] * 3, [1e-4] * 3])
    lam = hm.loadings([2022, 2023, 2024, 2025], 0.7)
    mu, tau, s0, kappa = np.array([0.01, 0.0, -0.01]), 0.03, np.array([0.02, 0.02, 0.02]), 1.5
    m, sd = hm.posterior_growth(D, V, lam, _theta(mu, tau, s0, kappa))
    var = s0 ** 2 + kappa * V
    prec = 1 / tau ** 2 + (lam ** 2 / var).sum(axis=1)
    expected = (lam * (D - mu) / var).sum(axis=1) / prec
    np.testing.assert_allclose(m, expected, atol=2e-5)
    np.testing.assert_allclose(sd, np.sqrt(1 / prec), rtol=2e-3)
    assert 0 < m[1] < m[0]  # more sampling noise: pulled harder toward the group (0 here)


def test_group_effect_is_the_centre_occupations_are_shrunk_to():
    D = np.array([[0.05, 0.05, 0.05], [0.05, 0.05, 0.05]])
    V = np.full((2, 3), 0.02)  # very noisy: the posterior sits near the group's growth
    lam = np.ones(3)
    th = _theta(np.zeros(3), 0.01, np.full(3, 0.02), 1.0, a=[0.04, -0.02])
    m, _ = hm.posterior_growth(D, V, lam, th, grp=np.array([0, 1]))
    assert m[0] == pytest.approx(0.04, abs=0.005) and m[1] == pytest.approx(-0.02, abs=0.01)


def test_student_t_shocks_discount_one_outlier_year():
    D = np.array([[0.40, 0.02, 0.03]])  # one rebound year, then ordinary growth
    V = np.full((1, 3), 1e-4)
    lam = np.ones(3)
    args = (np.zeros(3), 0.03, np.full(3, 0.03), 1.0)
    m_normal, _ = hm.posterior_growth(D, V, lam, _theta(*args))
    m_t, _ = hm.posterior_growth(D, V, lam, _theta(*args, log_nu_m2=np.log(1.0)))  # nu = 3
    assert 0 < m_t[0] < 0.5 * m_normal[0]


def test_score_is_the_gradient_of_the_likelihood():
    rng = np.random.default_rng(1)
    D = rng.normal(0.01, 0.05, size=(40, 3))
    V = rng.uniform(1e-4, 5e-3, size=(40, 3))
    lam = hm.loadings([2019, 2021, 2022, 2023], 0.8)
    grp = rng.integers(0, 3, 40)
    th = _theta(np.array([0.02, 0.01, 0.0]), 0.03, np.array([0.03, 0.025, 0.02]), 1.3,
                np.log(2.0), a=[0.01, -0.02, 0.005])

    def ll(t):
        return logsumexp(hm.node_loglik(D, V, lam, t, grp)[0], axis=1).sum()

    num = approx_fprime(th, ll, 1e-7)
    ana = hm.score_obs(D, V, lam, th, grp).sum(axis=0)
    np.testing.assert_allclose(ana, num, rtol=1e-3, atol=1e-3)


# --------------------------------------------------------------------------- simulation
def _simulate(n=1500, years=(2021, 2022, 2023, 2024, 2025), tau=0.03, kappa=1.5, nu=4.0, seed=7):
    rng = np.random.default_rng(seed)
    T = len(years) - 1
    s0 = np.linspace(0.035, 0.02, T)
    mu = np.linspace(0.03, 0.0, T)
    prse = rng.uniform(0.005, 0.06, size=(n, len(years)))
    V = prse[:, 1:] ** 2 + prse[:, :-1] ** 2
    g = rng.normal(0, tau, n)
    d = mu + g[:, None] + np.sqrt(s0 ** 2 + kappa * V) * rng.standard_t(nu, size=(n, T))
    emp = np.exp(np.log(10_000) + np.c_[np.zeros(n), np.cumsum(d, axis=1)])
    socs = tuple(f"{10 + i % 5}-{i:04d}" for i in range(n))  # five major groups
    return socs, years, emp, prse, dict(tau=tau, kappa=kappa, nu=nu, s0=s0, mu=mu, g=g, d=d)


def test_fit_recovers_simulated_parameters():
    """Simulate a panel from the (undamped) model; maximum likelihood gets the parameters back."""
    socs, years, emp, prse, truth = _simulate()
    fit = hm.fit_growth(socs, years, emp, prse, phi=1.0, groups=False)
    assert fit.converged
    np.testing.assert_allclose(list(fit.year_effects.values()), truth["mu"], atol=0.006)
    assert fit.tau == pytest.approx(truth["tau"], rel=0.25)
    assert fit.kappa == pytest.approx(truth["kappa"], rel=0.35)
    assert fit.nu == pytest.approx(truth["nu"], rel=0.4)
    raw = (truth["d"] - truth["mu"]).mean(axis=1)
    assert np.mean((fit.g_mean - truth["g"]) ** 2) < 0.7 * np.mean((raw - truth["g"]) ** 2)
    # group effects of a panel without any are small, and the fit with them barely differs
    with_groups = hm.fit_growth(socs, years, emp, prse, phi=1.0, groups=True)
    assert max(abs(v) for v in with_groups.group_effects.values()) < 0.006
    assert np.corrcoef(with_groups.g_mean, fit.g_mean)[0, 1] > 0.98


def test_single_growth_interval_is_fitted_without_transitory_shocks():
    socs, years, emp, prse, _ = _simulate(n=400, years=(2017, 2018))
    fit = hm.fit_growth(socs, years, emp, prse, phi=0.8)
    assert fit.converged and fit.s0[0] == pytest.approx(hm.SINGLE_INTERVAL_S0)
    with pytest.raises(hm.ModelInputError):
        hm.fit_growth(socs, (2017,), emp[:, :1], prse[:, :1])


@pytest.fixture(scope="module")
def small_fit():
    socs, years, emp, prse, _ = _simulate(n=300)
    return hm.fit_growth(socs, years, emp, prse, phi=0.8)


def test_point_forecast_is_the_damped_trend(small_fit):
    f = small_fit
    np.testing.assert_allclose(f.mean_log_change([0, 1], 3), f.g_mean[:2] * (0.8 + 0.64 + 0.512))


def test_intervals_widen_with_horizon_and_carry_phi_uncertainty(small_fit):
    f = small_fit
    idx = np.arange(20)
    fixed = f.log_change_quantiles(idx, 8, None, (0.04, 0.0), draws=8000)
    spread = f.log_change_quantiles(idx, 8, [0.6, 0.8, 1.0], (0.04, 0.0), draws=8000)
    width = fixed[:, :, 3] - fixed[:, :, 0]
    assert (np.diff(width, axis=1) > 0).all()                        # wider every year
    assert (fixed[:, :, 0] < fixed[:, :, 1]).all() and (fixed[:, :, 2] < fixed[:, :, 3]).all()
    # phi's uncertainty widens the 95% band at long horizons (growers and decliners alike)
    w_spread = spread[:, :, 3] - spread[:, :, 0]
    assert np.mean(w_spread[:, -1] / width[:, -1]) > 1.02
    # the long-run scale only acts after the first year
    first = f.log_change_quantiles(idx, 2, None, (0.2, 0.0), draws=8000)
    base = f.log_change_quantiles(idx, 2, None, (0.0001, 0.0), draws=8000)
    np.testing.assert_allclose(first[:, 0], base[:, 0], atol=1e-12)
    assert (first[:, 1, 3] - first[:, 1, 0] > base[:, 1, 3] - base[:, 1, 0]).all()


def test_predictive_draws_are_seeded_and_shared_across_occupations(small_fit):
    a = small_fit.log_change_draws([0, 1], 3, [0.7, 0.9], (0.04, 0.01), draws=500)
    b = small_fit.log_change_draws([0, 1], 3, [0.7, 0.9], (0.04, 0.01), draws=500)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (2, 500, 3)
    # one economy: the common shocks make two occupations' draws move together
    assert np.corrcoef(a[0, :, 2], a[1, :, 2])[0, 1] > 0.3


def test_intervals_cover_on_a_panel_simulated_from_the_model():
    """Simulate the model's own story: persistent growth g ~ N(0, tau^2) that loaded the past
    years by phi^(T - y) and decays forward as a stationary AR(1) (innovations tau^2 (1 - phi^2)),
    t shocks, PRSE-scaled sampling noise. Fitted with the true phi, the 80% and 95% intervals of
    the 3-year-ahead change cover about 80% and 95%: a 90% band posing as 95% (~90%) fails."""
    rng = np.random.default_rng(11)
    n, phi, tau, s0, kappa, nu, h = 4000, 0.8, 0.03, 0.02, 1.0, 5.0, 3
    years = (2021, 2022, 2023, 2024, 2025)
    lam = hm.loadings(years, phi)
    g = rng.normal(0, tau, n)
    prse = rng.uniform(0.005, 0.04, size=(n, len(years)))
    V = prse[:, 1:] ** 2 + prse[:, :-1] ** 2
    d = 0.01 + lam * g[:, None] + np.sqrt(s0 ** 2 + kappa * V) * rng.standard_t(nu, size=V.shape)
    emp = np.exp(np.log(5000) + np.c_[np.zeros(n), np.cumsum(d, axis=1)])
    x, future = g.copy(), np.zeros(n)
    for _ in range(h):
        x = phi * x + rng.normal(0, tau * np.sqrt(1 - phi ** 2), n)
        future += x + s0 * rng.standard_t(nu, n)
    future += np.sqrt(kappa * 2 * prse[:, -1] ** 2) * rng.standard_t(nu, n)
    socs = tuple(f"{10 + i % 4}-{i:04d}" for i in range(n))
    f = hm.fit_growth(socs, years, emp, prse, phi=phi)
    q = f.log_change_quantiles(np.arange(n), h, None, (s0, 0.0), draws=6000)[:, h - 1]
    c80 = np.mean((future >= q[:, 1]) & (future <= q[:, 2]))
    c95 = np.mean((future >= q[:, 0]) & (future <= q[:, 3]))
    assert 0.77 <= c80 <= 0.83, c80
    assert 0.935 <= c95 <= 0.965, c95


# --------------------------------------------------------------------------- objective, errors, se
def test_penalised_objective_is_minus_loglik_plus_the_group_prior_and_its_gradient():
    rng = np.random.default_rng(5)
    D = rng.normal(0.01, 0.05, size=(30, 3))
    V = rng.uniform(1e-4, 5e-3, size=(30, 3))
    lam = hm.loadings([2021, 2022, 2023, 2024], 0.8)
    grp = rng.integers(0, 2, 30)
    a = np.array([0.03, -0.02])
    th = _theta(np.array([0.02, 0.01, 0.0]), 0.03, np.array([0.03, 0.025, 0.02]), 1.3,
                np.log(2.0), a=a)
    f, g = hm.penalised_objective(D, V, lam, th, grp)
    ll = hm.loglike_obs(D, V, lam, th, grp).sum()
    assert f == pytest.approx(-ll + np.sum(a ** 2) / (2 * hm.A_PRIOR_SD ** 2), rel=1e-12)
    num = approx_fprime(th, lambda t: hm.penalised_objective(D, V, lam, t, grp)[0], 1e-7)
    np.testing.assert_allclose(g, num, rtol=1e-3, atol=1e-3)
    ll2, sc = hm.loglike_and_score(D, V, lam, th, grp)
    assert ll2 == pytest.approx(ll, rel=1e-12)
    np.testing.assert_allclose(sc, hm.score_obs(D, V, lam, th, grp).sum(axis=0), rtol=1e-12)


def test_default_fit_has_group_effects_and_named_parameters():
    socs, years, emp, prse, _ = _simulate(n=200)
    fit = hm.fit_growth(socs, years, emp, prse, phi=0.9, with_se=True)
    codes = sorted({s[:2] for s in socs})
    assert fit.groups == tuple(codes) and len(fit.group_effects) == 5
    assert fit.names == tuple([f"mu_{y}" for y in years[1:]] + ["log_tau"]
                              + [f"log_s0_{y}" for y in years[1:]]
                              + ["log_kappa", "log_nu_minus_2"] + [f"a_{c}" for c in codes])
    # standard errors: the square roots of the inverse Hessian's diagonal of the objective
    T = len(years) - 1
    D, V = np.diff(np.log(emp), axis=1), prse[:, 1:] ** 2 + prse[:, :-1] ** 2
    lam = hm.loadings(years, 0.9)
    H = np.array([approx_fprime(fit.params, lambda t, j=j: hm.penalised_objective(
        D, V, lam, t, fit.grp)[1][j], 1e-6) for j in range(len(fit.params))])
    se = np.sqrt(np.diag(np.linalg.inv(0.5 * (H + H.T))))
    np.testing.assert_allclose(fit.bse, se, rtol=0.02)
    assert np.isnan(hm.fit_growth(socs, years, emp, prse, phi=0.9).bse).all()  # not asked for
    assert fit.index_of([socs[3], socs[0]]).tolist() == [3, 0]
    with pytest.raises(KeyError, match="99-9999"):
        fit.index_of(["99-9999"])
    assert T == 4


def test_bad_arrays_are_refused_with_a_message():
    socs, years, emp, prse, _ = _simulate(n=50)
    with pytest.raises(hm.ModelInputError, match=r"n x \(>= 2 years\) employment and PRSE arrays"):
        hm.fit_growth(socs, years, emp[:, :3], prse)


def test_fit_reaches_the_optimum_an_unscaled_search_finds():
    """The optimiser works in scaled units: the solution must still be the penalised maximum
    (zero gradient; the same objective as a plain, unscaled L-BFGS run from the solution)."""
    from scipy.optimize import minimize
    socs, years, emp, prse, _ = _simulate(n=300, seed=3)
    fit = hm.fit_growth(socs, years, emp, prse, phi=0.8)
    D, V = np.diff(np.log(emp), axis=1), prse[:, 1:] ** 2 + prse[:, :-1] ** 2
    lam = hm.loadings(years, 0.8)
    f, g = hm.penalised_objective(D, V, lam, fit.params, fit.grp)
    assert isinstance(fit.loglike, float) and fit.loglike == pytest.approx(-f, rel=1e-12)
    T, G = len(years) - 1, len(fit.groups)
    scale = np.r_[np.full(T, hm.GROWTH_PARAM_SCALE), np.ones(T + 3), np.full(G, hm.GROWTH_PARAM_SCALE)]
    assert np.max(np.abs(g * scale)) < 0.03  # in the optimiser's units (0.1 per growth point)
    polish = minimize(lambda t: hm.penalised_objective(D, V, lam, t, fit.grp), fit.params,
                      jac=True, method="L-BFGS-B")
    assert polish.fun == pytest.approx(f, abs=1e-3)
    with pytest.raises(hm.ModelInputError) as err:
        hm.fit_growth(socs, years, emp[:, :1], prse[:, :1])
    assert str(err.value) == "the growth model needs n x (>= 2 years) employment and PRSE arrays"
