"""Headcount growth model: noise-aware, panel-shrunk occupation growth, and the role projection.

Why this model (DESIGN.md 4b): OEWS gives five comparable May estimates per occupation
(2021-2025). One-year OEWS growth is mostly noise (a pooled AR(1) slope of 0.07), so a trend
taken at face value forecasts worse than no growth, while shrinking everything to zero misses
real growers (data scientists). So each occupation's persistent growth is estimated jointly
with the whole panel of ~830 detailed occupations, in a hierarchical model:

    d[i,t] = mu[t] + g[i] + e[i,t]                      annual log growth of occupation i
    g[i]   ~ Normal(0, tau^2)                           persistent own growth, shrunk to 0
    e[i,t] ~ s[i,t] x Student-t(nu)                     transitory shocks + sampling noise
    s[i,t]^2 = s0[t]^2 + kappa x (prse[i,t]^2 + prse[i,t-1]^2)

``mu[t]`` is the panel-wide growth of year t; ``prse`` is OEWS's relative standard error of
the employment estimate (EMP_PRSE / 100), so a noisy estimate is shrunk harder. The Student-t
shocks keep one odd year (2022's post-COVID rebound) from dominating. Parameters are fitted by
maximum likelihood with statsmodels (``GenericLikelihoodModel``), integrating ``g[i]`` out by
Gauss-Hermite quadrature; each occupation's growth is then its posterior mean.

Forecast of the log change over h years: ``h x g[i]`` (the panel-wide ``mu`` is not projected:
it fell every year, +3.4% to +0.3%, and a one-year-ahead test prefers 0 over the last value).
Intervals come from the model's predictive distribution (posterior of ``g[i]`` plus h future
t-shocks at the latest year's scale), so they widen with the horizon; they are checked against
what happened in the panel backtest (headcount_backtest.py), never fitted to it.

Role x industry: each role's level (role_levels.py) grows with its base occupation; its
industry mix (industry_mix.py) follows that module's fitted share trend.
"""

from __future__ import annotations

import pickle
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting import catalog, data, industry_mix
from forecasting.atomic import write_bytes_atomic
from forecasting import role_levels as rl

MODEL_NAME = "eb_trend_t"
MODEL_LABEL = "panel-shrunk trend (hierarchical, Student-t shocks, PRSE-weighted)"
FIRST_YEAR = rl.FIRST_YEAR
GH_NODES = 40
#: Monte Carlo draws for the predictive quantiles (seeded: the same data give the same bands).
DRAWS = 20_000
SEED = 20_250_501
PROBS = (0.025, 0.10, 0.90, 0.975)  # lo_95, lo_80, hi_80, hi_95
_GH_X, _GH_W = np.polynomial.hermite.hermgauss(GH_NODES)
_GH_LOGW = np.log(_GH_W / np.sqrt(np.pi))


# --------------------------------------------------------------------------- panel
@dataclass(frozen=True)
class Panel:
    """Detailed occupations with a positive estimate and a PRSE in every year of ``years``
    (PRSE 0 is valid: the Postal Service occupations are a full count)."""

    socs: tuple[str, ...]
    years: tuple[int, ...]
    emp: np.ndarray   # n x len(years), people
    prse: np.ndarray  # n x len(years), fraction (EMP_PRSE / 100)

    @property
    def log_emp(self) -> np.ndarray:
        return np.log(self.emp)

    @property
    def growth(self) -> np.ndarray:
        """n x (len(years) - 1) annual log growth."""
        return np.diff(self.log_emp, axis=1)

    @property
    def growth_noise(self) -> np.ndarray:
        """Sampling variance proxy of each annual log growth: prse[t]^2 + prse[t-1]^2."""
        return self.prse[:, 1:] ** 2 + self.prse[:, :-1] ** 2


@lru_cache(maxsize=4)
def _panel_wide(key: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    p = data.load_oews_panel()
    p = p[p["year"] >= FIRST_YEAR]
    emp = p.pivot_table(index="soc", columns="year", values="tot_emp", aggfunc="first")
    prse = p.pivot_table(index="soc", columns="year", values="emp_prse", aggfunc="first")
    titles = p.drop_duplicates(["soc", "year"]).pivot(index="soc", columns="year", values="soc_title")
    return emp, prse, titles


def panel_years() -> list[int]:
    """The OEWS years the panel holds from FIRST_YEAR on."""
    return [int(y) for y in _panel_wide(data.data_hash())[0].columns]


def soc_titles(year: int) -> pd.Series:
    """soc -> its title in the OEWS file of ``year``."""
    return _panel_wide(data.data_hash())[2][int(year)].dropna()


def oews_panel(first_year: int = FIRST_YEAR, last_year: int | None = None) -> Panel:
    """The OEWS national panel for ``first_year..last_year`` (default: latest year)."""
    emp, prse, _ = _panel_wide(data.data_hash())
    have = [int(y) for y in emp.columns]
    last_year = max(have) if last_year is None else int(last_year)
    years = list(range(int(first_year), last_year + 1))
    if first_year < FIRST_YEAR or any(y not in have for y in years) or len(years) < 3:
        raise data.UserInputError(
            f"the OEWS panel needs at least 3 years within {FIRST_YEAR}-{max(have)}, got "
            f"{first_year}-{last_year}")
    e, s = emp[years], prse[years]
    ok = e.notna().all(axis=1) & (e > 0).all(axis=1) & s.notna().all(axis=1) & (s >= 0).all(axis=1)
    e, s = e[ok], s[ok]
    return Panel(tuple(e.index), tuple(years), e.to_numpy(float), s.to_numpy(float) / 100.0)


# --------------------------------------------------------------------------- likelihood
def _t_logpdf(r: np.ndarray, scale: np.ndarray, nu: float) -> np.ndarray:
    from scipy.special import gammaln  # lazy: only fitting needs scipy (~0.12 s import)

    c = gammaln((nu + 1) / 2) - gammaln(nu / 2) - 0.5 * np.log(nu * np.pi)
    return c - np.log(scale) - (nu + 1) / 2 * np.log1p((r / scale) ** 2 / nu)


def param_names(years: tuple[int, ...]) -> list[str]:
    """Parameter names of a panel over ``years`` (one mu and one s0 per growth year)."""
    ys = [str(y) for y in years[1:]]
    return ([f"mu_{y}" for y in ys] + ["log_tau"] + [f"log_s0_{y}" for y in ys]
            + ["log_kappa", "log_nu_minus_2"])


def _unpack(th: np.ndarray, T: int) -> tuple[np.ndarray, float, np.ndarray, float, float]:
    th = np.asarray(th, float)
    return (th[:T], float(np.exp(th[T])), np.exp(th[T + 1:2 * T + 1]), float(np.exp(th[2 * T + 1])),
            2.0 + float(np.exp(th[2 * T + 2])))


def node_loglik(D: np.ndarray, V: np.ndarray, th: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log p(d_i | g = node_k) + log quadrature weight, n x K; and the K nodes of g."""
    T = D.shape[1]
    mu, tau, s0, kap, nu = _unpack(th, T)
    S = np.sqrt(s0 ** 2 + kap * V)
    G = np.sqrt(2.0) * tau * _GH_X
    R = (D - mu)[:, :, None] - G
    ll = _t_logpdf(R, S[:, :, None], nu).sum(axis=1) + _GH_LOGW
    return ll, G


def _node_weights(ll: np.ndarray) -> np.ndarray:
    """Posterior weight of each quadrature node per occupation (rows sum to 1)."""
    from scipy.special import logsumexp

    return np.exp(ll - logsumexp(ll, axis=1, keepdims=True))


def posterior_growth(D: np.ndarray, V: np.ndarray, th: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and sd of each occupation's persistent growth g[i] (quadrature)."""
    ll, G = node_loglik(D, V, th)
    w = _node_weights(ll)
    m = w @ G
    return m, np.sqrt(np.maximum(w @ G ** 2 - m ** 2, 0.0))


def _score_obs(D: np.ndarray, V: np.ndarray, th: np.ndarray) -> np.ndarray:
    """Analytic gradient of each occupation's marginal log-likelihood (n x k)."""
    from scipy.special import digamma

    T = D.shape[1]
    mu, tau, s0, kap, nu = _unpack(th, T)
    ll, G = node_loglik(D, V, th)
    w = _node_weights(ll)[:, None, :]                                   # n x 1 x K
    S = np.sqrt(s0 ** 2 + kap * V)[:, :, None]
    z = ((D - mu)[:, :, None] - G) / S
    dr = (nu + 1) * z / (S * (nu + z ** 2))            # d ll / d mean-shift, per t, k
    ds = (-1.0 + (nu + 1) * z ** 2 / (nu + z ** 2)) / S  # d ll / d S
    dnu = (0.5 * digamma((nu + 1) / 2) - 0.5 * digamma(nu / 2) - 0.5 / nu
           - 0.5 * np.log1p(z ** 2 / nu) + (nu + 1) * z ** 2 / (2 * nu * (nu + z ** 2)))
    S2 = S[:, :, 0]
    g_mu = (w * dr).sum(axis=2)                                         # n x T
    g_tau = (w * dr * G).sum(axis=(1, 2))[:, None]                      # d/dlog tau
    ws = (w * ds).sum(axis=2)                                           # n x T: d/dS
    g_s0 = ws * (s0 ** 2) / S2                                          # d/dlog s0[t]
    g_kap = (ws * kap * V / (2 * S2)).sum(axis=1)[:, None]
    g_nu = ((w * dnu).sum(axis=(1, 2)) * (nu - 2.0))[:, None]
    return np.hstack([g_mu, g_tau, g_s0, g_kap, g_nu])


def _growth_model_class():
    from statsmodels.base.model import GenericLikelihoodModel

    class GrowthPanelModel(GenericLikelihoodModel):
        """Marginal likelihood of the hierarchical growth model; one observation = one occupation."""

        def __init__(self, D: np.ndarray, V: np.ndarray, names: list[str]):
            self.D, self.V = np.asarray(D, float), np.asarray(V, float)
            k = len(names)
            super().__init__(endog=self.D[:, 0], exog=np.zeros((len(self.D), k)))
            self.data.xnames = list(names)
            self.exog_names[:] = list(names)
            self.k_extra = 0
            self.df_model = k
            self.k_constant = 0
            self.df_resid = len(self.D) - k

        def loglikeobs(self, params):
            from scipy.special import logsumexp

            return logsumexp(node_loglik(self.D, self.V, params)[0], axis=1)

        def loglike(self, params):
            return float(self.loglikeobs(params).sum())

        def score_obs(self, params):
            return _score_obs(self.D, self.V, params)

        def score(self, params):
            return _score_obs(self.D, self.V, params).sum(axis=0)

    return GrowthPanelModel


# --------------------------------------------------------------------------- fit
@dataclass(frozen=True)
class GrowthFit:
    """A fitted growth model: parameters, and each occupation's posterior growth."""

    panel: Panel
    params: pd.Series
    bse: pd.Series
    loglike: float
    converged: bool
    g_mean: np.ndarray
    g_sd: np.ndarray

    @property
    def years(self) -> tuple[int, int]:
        return self.panel.years[0], self.panel.years[-1]

    def _t(self) -> int:
        return len(self.panel.years) - 1

    @property
    def tau(self) -> float:
        return _unpack(self.params.to_numpy(), self._t())[1]

    @property
    def s0(self) -> np.ndarray:
        return _unpack(self.params.to_numpy(), self._t())[2]

    @property
    def kappa(self) -> float:
        return _unpack(self.params.to_numpy(), self._t())[3]

    @property
    def nu(self) -> float:
        return _unpack(self.params.to_numpy(), self._t())[4]

    @property
    def year_effects(self) -> pd.Series:
        return pd.Series(self.params.to_numpy()[:self._t()], index=list(self.panel.years[1:]),
                         name="mu")

    def index_of(self, socs) -> np.ndarray:
        pos = {s: i for i, s in enumerate(self.panel.socs)}
        missing = [s for s in socs if s not in pos]
        if missing:
            raise data.UserInputError(f"occupation(s) not in the OEWS panel "
                                      f"{self.years[0]}-{self.years[1]}: {', '.join(missing)}")
        return np.array([pos[s] for s in socs], int)

    def future_scale(self, idx: np.ndarray) -> np.ndarray:
        """Scale of one future year's shock: latest year's s0 and the latest PRSE."""
        p = self.panel.prse[idx, -1]
        return np.sqrt(self.s0[-1] ** 2 + self.kappa * 2.0 * p ** 2)

    def log_change_quantiles(self, idx: np.ndarray, horizon: int, probs=PROBS,
                             draws: int = DRAWS, seed: int = SEED) -> np.ndarray:
        """Predictive quantiles of log(emp[T+h] / emp[T]) for h = 1..horizon: len(idx) x H x P.

        Monte Carlo from the fitted model: g ~ Normal(posterior mean, posterior sd), plus the sum
        of h Student-t shocks at the latest scale. Seeded, so the same data give the same bands.
        """
        rng = np.random.default_rng(seed)
        out = np.empty((len(idx), horizon, len(probs)))
        hs = np.arange(1, horizon + 1)
        z = rng.standard_normal(draws)
        shocks = np.cumsum(rng.standard_t(self.nu, size=(draws, horizon)), axis=1)  # draws x H
        for j, i in enumerate(idx):
            sims = (self.g_mean[i] + self.g_sd[i] * z)[:, None] * hs + shocks * self.future_scale(
                np.array([i]))[0]
            out[j] = np.quantile(sims, probs, axis=0).T
        return out


def fit_growth(panel: Panel) -> GrowthFit:
    """Maximum-likelihood fit (statsmodels, L-BFGS with the analytic score)."""
    D, V = panel.growth, panel.growth_noise
    T = D.shape[1]
    if T < 2:
        raise data.UserInputError("the growth model needs at least 2 annual growths (3 years)")
    names = param_names(panel.years)
    model = _growth_model_class()(D, V, names)
    sd = float(np.std(D))
    start = np.r_[np.median(D, axis=0), np.log(0.3 * sd), np.full(T, np.log(0.5 * sd)), 0.0,
                  np.log(3.0)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(start_params=start, method="lbfgs", maxiter=1000, disp=0)
        bse = np.asarray(res.bse, float)
    params = pd.Series(np.asarray(res.params, float), index=names)
    m, s = posterior_growth(D, V, params.to_numpy())
    return GrowthFit(panel, params, pd.Series(bse, index=names), float(res.llf),
                     bool(res.mle_retvals.get("converged", False)), m, s)


def _code_hash() -> str:
    return data.source_hash(__file__)


@lru_cache(maxsize=8)
def _growth_fit_cached(key: str, first_year: int, last_year: int) -> GrowthFit:
    """Memoised in the process and on disk (keyed by data and this module's code): a fit takes
    a few seconds, a load a few milliseconds."""
    path = Path(data.CACHE_DIR) / f"headcount_fit_{key[:16]}_{_code_hash()}_{first_year}_{last_year}.pkl"
    if path.exists():
        try:
            with open(path, "rb") as fh:
                fit = pickle.load(fh)
            if isinstance(fit, GrowthFit) and fit.panel.years == tuple(range(first_year, last_year + 1)):
                return fit
        except Exception:  # noqa: BLE001 - a damaged cache file is refitted, never trusted
            pass
    fit = fit_growth(oews_panel(first_year, last_year))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"headcount_fit_*_{first_year}_{last_year}.pkl"):
            old.unlink(missing_ok=True)
        write_bytes_atomic(path, pickle.dumps(fit, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:  # a read-only cache folder only costs the refit next time
        pass
    return fit


def growth_fit(last_year: int | None = None, first_year: int = FIRST_YEAR) -> GrowthFit:
    """The model fitted on OEWS ``first_year..last_year`` (default: all years), memoised."""
    if last_year is None:
        last_year = int(rl.soc_employment().index.max())
    return _growth_fit_cached(data.data_hash(), int(first_year), int(last_year))


def warm_cache(rebuild: bool = False) -> list[GrowthFit]:
    """Fit (or load) every fit the product shows: the latest window for the projection and the
    windows ending 1 and 2 years earlier for the panel backtest. ``rebuild`` drops cached fits."""
    if rebuild:
        _growth_fit_cached.cache_clear()
        for old in Path(data.CACHE_DIR).glob("headcount_fit_*.pkl"):
            old.unlink(missing_ok=True)
    last = int(rl.soc_employment().index.max())
    fits = [growth_fit(last_year=y) for y in (last, last - 1, last - 2) if y - FIRST_YEAR >= 2]
    rl.role_levels()  # its disk cache too: the dashboard's first page reads it
    if rebuild:
        _projection_cached.cache_clear()
        for old in Path(data.CACHE_DIR).glob("headcount_projection_*.parquet"):
            old.unlink(missing_ok=True)
    baseline_projection(10)  # and the projection every page starts from
    return fits


# --------------------------------------------------------------------------- roles
def baseline_growth() -> pd.DataFrame:
    """role, growth_pct_per_year, log_growth, sd_log_growth, rule, growth_soc (+ raw trend).

    ``log_growth`` is the posterior mean of the base occupation's persistent growth.
    """
    fit = growth_fit()
    a, b = fit.years
    rows = []
    for r in catalog.ROLES:
        soc = rl.LEVEL_SOC[r.role_id]
        i = fit.index_of([soc])[0]
        raw = float(np.mean(fit.panel.growth[i]))
        g = float(fit.g_mean[i])
        rows.append({"role": r.role_id, "growth_pct_per_year": (np.exp(g) - 1.0) * 100.0,
                     "log_growth": g, "sd_log_growth": float(fit.g_sd[i]),
                     "raw_mean_log_growth": raw,
                     "rule": (f"OEWS {soc} growth, {MODEL_LABEL}, fitted on {len(fit.panel.socs)} "
                              f"occupations May {a}-{b} (raw mean {raw:+.3f}/yr, shrunk to "
                              f"{g:+.3f}/yr)"),
                     "growth_soc": soc})
    return pd.DataFrame(rows)


def _check_horizon(horizon_years) -> int:
    if isinstance(horizon_years, bool) or not isinstance(horizon_years, (int, np.integer)) \
            or not 1 <= horizon_years <= 30:
        raise data.UserInputError(f"horizon_years must be an integer from 1 to 30, got {horizon_years!r}")
    return int(horizon_years)


def role_projection(horizon_years: int = 10) -> pd.DataFrame:
    """role, year, mean, lo_80, hi_80, lo_95, hi_95 from the latest OEWS year (role level).

    mean = level x exp(h g) (the median path); bounds = level x exp(predictive quantile).
    """
    horizon_years = _check_horizon(horizon_years)
    lv = rl.role_levels()
    last = int(lv["year"].max())
    start = lv[lv["year"] == last].set_index("role")["headcount"]
    fit = growth_fit()
    socs = sorted(set(rl.LEVEL_SOC.values()))
    idx = fit.index_of(socs)
    q = dict(zip(socs, fit.log_change_quantiles(idx, horizon_years)))
    g = dict(zip(socs, fit.g_mean[idx]))
    rows = []
    for role_id in catalog.ROLE_IDS:
        soc = rl.LEVEL_SOC[role_id]
        lvl = float(start[role_id])
        rows.append({"role": role_id, "year": last, "mean": lvl, "lo_95": lvl, "lo_80": lvl,
                     "hi_80": lvl, "hi_95": lvl})
        for h in range(1, horizon_years + 1):
            qq = q[soc][h - 1]
            rows.append({"role": role_id, "year": last + h, "mean": lvl * np.exp(g[soc] * h),
                         "lo_95": lvl * np.exp(min(qq[0], g[soc] * h)),
                         "lo_80": lvl * np.exp(min(qq[1], g[soc] * h)),
                         "hi_80": lvl * np.exp(max(qq[2], g[soc] * h)),
                         "hi_95": lvl * np.exp(max(qq[3], g[soc] * h))})
    return pd.DataFrame(rows)


def baseline_projection(horizon_years: int = 10,
                        automotive_share: float | None = None) -> pd.DataFrame:
    """role, industry, year, mean, lo_80, hi_80, lo_95, hi_95 from the latest OEWS year.

    Role paths from :func:`role_projection`; each year's industry shares from
    industry_mix.industry_shares. Mean and bounds use the same share, so industries sum
    exactly to the role. With the default automotive share the result is also kept on disk
    (keyed by data and code), so a fresh server's first page reads it instead of rebuilding it.
    """
    if automotive_share is None:
        return _projection_cached(data.data_hash(), _check_horizon(horizon_years)).copy()
    return _build_projection(horizon_years, automotive_share)


def _build_projection(horizon_years: int, automotive_share: float | None) -> pd.DataFrame:
    roles = role_projection(horizon_years)
    shares = industry_mix.industry_shares(sorted(roles["year"].unique().tolist()), automotive_share)
    out = roles.merge(shares[["role", "industry", "year", "share"]], on=["role", "year"],
                      validate="1:m")
    for col in ("mean", "lo_80", "hi_80", "lo_95", "hi_95"):
        out[col] = out[col] * out["share"]
    return out[["role", "industry", "year", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]]


def _projection_code_hash() -> str:
    """Every module the projection's numbers come from (the fit's own code is in this file)."""
    return data.source_hash(__file__, industry_mix.__file__, rl.__file__, catalog.__file__,
                            data.__file__)


def _projection_path(key: str, horizon_years: int) -> Path:
    return (Path(data.CACHE_DIR)
            / f"headcount_projection_{key[:16]}_{_projection_code_hash()}_{horizon_years}.parquet")


@lru_cache(maxsize=4)
def _projection_cached(key: str, horizon_years: int) -> pd.DataFrame:
    """Memoised in the process and on disk: building it (shares, share trend, predictive
    quantiles) took ~0.35 s of a fresh server's first page; reading it takes ~10 ms."""
    return data.cached_frame(_projection_path(key, horizon_years),
                             f"headcount_projection_*_{horizon_years}.parquet",
                             lambda: _build_projection(horizon_years, None))


_VALUE_COLS = ("mean", "lo_80", "hi_80", "lo_95", "hi_95")


def growth_rates(frame: pd.DataFrame, by: tuple[str, ...] = ("role",), years: int = 5,
                 start_year: int | None = None) -> pd.DataFrame:
    """Compound growth, % per year, from ``start_year`` (default: the first year) to
    ``start_year + years`` (capped at the last year), per group of ``by`` (other keys summed).

    Columns: ``*by, growth_pct_per_year`` (from ``mean``) and one per band present (``lo_80`` ..
    ``hi_95``: end-year bound over start-year mean). The start year's bounds equal its mean.
    """
    by = list(by)
    cols = [c for c in _VALUE_COLS if c in frame.columns]
    yr = frame["year"].to_numpy()
    y0 = int(yr.min()) if start_year is None else int(start_year)
    years = min(int(years), int(yr.max()) - y0)
    if years < 1:
        raise data.UserInputError(f"growth needs at least one year after {y0}")
    # plain numpy + dicts: on these few hundred rows pandas' arrow-string groupby/set_index cost
    # ~8 ms, which the Demand page paid on every slider move
    keep = (yr == y0) | (yr == y0 + years)
    vals = np.column_stack([frame[c].to_numpy(float) for c in cols])[keep]
    ends = yr[keep] == y0 + years
    keys = list(zip(*(frame[c].to_numpy(object)[keep] for c in by)))
    start: dict = {}
    end: dict = {}
    for k, is_end, v in zip(keys, ends, vals):
        acc = end if is_end else start
        acc[k] = acc[k] + v if k in acc else v.copy()
    order = sorted(end)
    first = np.array([start.get(k, np.full(len(cols), np.nan))[0] for k in order], float)
    last = np.array([end[k] for k in order], float).reshape(len(order), len(cols))
    out = {c: [k[i] for k in order] for i, c in enumerate(by)}
    with np.errstate(divide="ignore", invalid="ignore"):
        for j, col in enumerate(cols):
            ratio = np.clip(last[:, j] / first, 0.0, None)
            out["growth_pct_per_year" if col == "mean" else col] = (ratio ** (1.0 / years) - 1.0) * 100.0
    return pd.DataFrame(out)


def role_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum a role x industry frame over industries (role level), every numeric column."""
    return frame.drop(columns="industry").groupby(["role", "year"], as_index=False).sum()


def grand_total(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum over roles and industries per year. Summing bounds treats role errors as perfectly
    correlated (one shared OEWS/economy shock): conservative, never narrower than the truth
    under positive correlation."""
    return frame.drop(columns=["role", "industry"]).groupby("year", as_index=False).sum()
