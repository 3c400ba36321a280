"""Forecasting models: one small fit/predict surface over statsmodels, plus auto and ensemble.

Each model class has ``alias``, ``min_length``, ``gives_intervals``, ``fit(y, season_length)``
and ``predict(h, levels) -> {"mean", "lo_80", "hi_80", ...}``. Seasonality is handled once,
outside the models (classical additive decomposition when the detrended series has
significantly different season-position means, see ``seasonal_component``), so every model
fits fast non-seasonal statsmodels specifications on the adjusted series and the seasonal
pattern is added back.

Why calibration: model intervals on smooth index series are too narrow (model error is not
the only error). ``SeriesEngine`` rescales each model's own standard errors by a conformal
quantile of *normalised* backtest errors |y - mean| / sigma, measured on rolling origins that lie
entirely inside the training window (so the backtest of a calibrated model stays honest).
Normalising by the model's sigma lets a calibration measured at horizon 12 extend to 60.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

from forecasting.core.errors import UserInputError

MODEL_NAMES = ("auto", "ensemble", "ets", "theta", "arima", "uc", "naive", "snaive", "drift")
ENSEMBLE_MEMBERS = ("ets", "arima", "uc")
AUTO_MARGIN = 0.35  # another model must beat the ensemble by 35% in the inner backtest
AUTO_CANDIDATES = ("ensemble", "ets", "theta", "arima", "drift", "naive", "snaive")
DEFAULT_LEVELS = (80, 95)
CALIBRATION_ORIGINS = 3  # inner rolling origins used for the conformal calibration
MAX_CAL_HORIZON = 12
ETS_HINT_MAXITER = 1000  # a refit started from a longer fit's params converges in a few steps
# L-BFGS-B stops when the relative change of statsmodels' objective (-loglik / nobs) falls below
# ETS_FACTR * 2.2e-16 = 7e-5, i.e. 0.005-0.03 log-likelihood units on a 48-month series: far
# below any AICc difference that matters; 25% fewer likelihood evaluations than factr=1e9
ETS_FACTR = 3e11
# seasonality F test level: on simulated random walks, AR(1) and trend+noise series of 36-96
# months 0-3.5% are (falsely) found seasonal at this level, the smooth residuals inflating the
# nominal 0.1%; patterns of amplitude >= 3 noise sd are found in every 48-month series
# (bench/seasonality_grid.py)
SEASONAL_ALPHA = 0.001

_FREQ_SEASON = (("MS", 12), ("ME", 12), ("QS", 4), ("QE", 4), ("W", 52), ("D", 7), ("YS", 1),
                ("YE", 1), ("h", 24), ("B", 5))


# --------------------------------------------------------------------------- frequency
def season_length_for(alias: str) -> int:
    """Season length for a pandas offset alias (monthly 12, quarterly 4, weekly 52, daily 7)."""
    a = str(alias)
    base = a.split("-")[0].upper()
    if base in ("MS", "ME", "M", "BMS", "BME", "SMS"):
        return 12
    if base.startswith("Q") or base in ("BQS", "BQE"):
        return 4
    if base.startswith("W"):
        return 52
    if base in ("D",):
        return 7
    if base in ("B",):
        return 5
    if base.startswith("Y") or base.startswith("A") or base in ("BYS", "BYE"):
        return 1
    if base in ("H",):
        return 24
    return 1


def infer_freq(ds: pd.Series | pd.DatetimeIndex) -> str:
    """Offset alias of a date column; falls back to the median spacing when pandas cannot tell."""
    idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(ds)).sort_values().unique())
    if len(idx) >= 3:
        f = pd.infer_freq(idx)
        if f:
            return f
    if len(idx) < 2:
        return "MS" if len(idx) == 0 or idx[0].day == 1 else "D"
    days = float(np.median(np.diff(idx.values).astype("timedelta64[D]").astype(float)))
    if 27 <= days <= 32:
        return "MS" if all(d.day == 1 for d in idx) else "ME"
    if 85 <= days <= 95:
        return "QS" if all(d.day == 1 for d in idx) else "QE"
    if 360 <= days <= 370:
        return "YS" if all(d.day == 1 and d.month == 1 for d in idx) else "YE"
    if 6 <= days <= 8:
        return f"W-{idx[-1].day_name()[:3].upper()}"
    if days <= 1:
        return "D"
    return f"{max(int(round(days)), 1)}D"


def future_dates(last: pd.Timestamp, horizon: int, alias: str) -> pd.DatetimeIndex:
    """The ``horizon`` dates that follow ``last`` at frequency ``alias``."""
    return pd.date_range(pd.Timestamp(last), periods=horizon + 1, freq=alias)[1:]


# --------------------------------------------------------------------------- seasonality
def _seasonal_acf_test(x: np.ndarray, m: int) -> bool:
    """Lag-m autocorrelation beyond 1.645 standard errors (the M4 Theta benchmark's test)."""
    n = len(x)
    if n <= m or np.ptp(x) == 0:
        return False
    x = x - x.mean()
    denom = float(np.dot(x, x))
    acf = np.array([np.dot(x[: n - k], x[k:]) / denom for k in range(1, m + 1)])
    limit = 1.645 * math.sqrt((1 + 2 * np.sum(acf[: m - 1] ** 2)) / n)
    return bool(acf[m - 1] > limit)


def _seasonal_f_test(r: np.ndarray, pos: np.ndarray, m: int) -> float | None:
    """p-value of a one-way ANOVA F test of the detrended values ``r`` grouped by season
    position ``pos``; None when a position has fewer than two values (no within variance).

    Values a whole season apart are nearly independent even when the detrended series is
    smooth (random walks, index series), which keeps the test's size close to nominal there."""
    from scipy.stats import f as f_dist

    counts = np.bincount(pos, minlength=m)
    if counts.min() < 2:
        return None
    means = np.bincount(pos, weights=r, minlength=m) / counts
    ssb = float(np.sum(counts * (means - r.mean()) ** 2))
    ssw = float(np.sum((r - means[pos]) ** 2))
    df_w = len(r) - m
    if ssw <= 0:
        return 0.0 if ssb > 0 else 1.0
    return float(f_dist.sf((ssb / (m - 1)) / (ssw / df_w), m - 1, df_w))


def seasonal_component(y: np.ndarray, m: int) -> np.ndarray | None:
    """Additive seasonal indices (length m, aligned so index i applies to y[i::m]) or None.

    The series minus its centred moving average is tested for a seasonal pattern by an F test
    of its season-position means (p < SEASONAL_ALPHA; needs 3 full seasons). The classical M4
    lag-m autocorrelation test missed clear patterns here: on the raw series a trend inflates
    every autocorrelation and widens the limit, and on 3-4 detrended seasons its Bartlett limit
    grows with the seasonality itself (a 48-month series with amplitude 8, noise sd 1.5 and
    trend 0.5 a month was never found). With only 2-3 seasons the F test has no within-position
    spread to compare with, so the M4 test (raw or detrended) decides there.
    """
    n = len(y)
    if m <= 1 or n < 2 * m or np.ptp(y) == 0:
        return None
    # centred moving average (2 x m for even m)
    if m % 2 == 0:
        w = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        w = np.ones(m) / m
    trend = np.convolve(y, w, mode="valid")
    off = (len(w) - 1) // 2
    detr = np.full(n, np.nan)
    detr[off: off + len(trend)] = y[off: off + len(trend)] - trend
    inner = detr[off: off + len(trend)]
    p = _seasonal_f_test(inner, (off + np.arange(len(inner))) % m, m)
    if p is None:
        seasonal = _seasonal_acf_test(y, m) or _seasonal_acf_test(inner, m)
    else:
        seasonal = p < SEASONAL_ALPHA
    if not seasonal:
        return None
    idx = np.array([np.nanmean(detr[i::m]) for i in range(m)])
    if not np.all(np.isfinite(idx)):
        return None
    return idx - idx.mean()


# --------------------------------------------------------------------------- base classes
@dataclass
class RawForecast:
    """Point forecast and the model's own h-step standard errors (before calibration)."""

    mean: np.ndarray
    sigma: np.ndarray
    label: str


class Model:
    """Common surface. Subclasses implement ``_fit`` and ``_forecast`` on the adjusted series."""

    alias = "model"
    min_length = 1
    gives_intervals = True
    seasonal_inside = False  # True when the model handles seasonality itself (snaive)

    def __init__(self) -> None:
        self.used = self.alias

    def fit(self, y: np.ndarray, season_length: int = 1) -> "Model":
        y = np.asarray(y, dtype=float)
        self.n = len(y)
        self.m = int(season_length)
        self.seas = None if self.seasonal_inside else seasonal_component(y, self.m)
        adj = y if self.seas is None else y - self.seas[np.arange(len(y)) % self.m]
        self._fit(adj)
        return self

    def _seasonal_future(self, h: int) -> np.ndarray:
        if self.seas is None:
            return np.zeros(h)
        return self.seas[(self.n + np.arange(h)) % self.m]

    def raw(self, h: int) -> RawForecast:
        mean, sigma = self._forecast(h)
        mean = np.asarray(mean, float) + self._seasonal_future(h)
        sigma = np.asarray(sigma, float)
        return RawForecast(mean, sigma, self.used)

    def predict(self, h: int, levels=DEFAULT_LEVELS) -> dict:
        """Mean and the model's own (uncalibrated) normal intervals."""
        r = self.raw(h)
        return _intervals(r.mean, r.sigma, {lv: norm.ppf(0.5 + lv / 200) for lv in levels})

    def _fit(self, y: np.ndarray) -> None:
        raise NotImplementedError

    def _forecast(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError


def _intervals(mean: np.ndarray, sigma: np.ndarray, mult: dict) -> dict:
    out = {"mean": mean}
    for lv in sorted(mult):
        half = np.maximum(sigma * mult[lv], 0.0)
        out[f"lo_{lv}"] = mean - half
        out[f"hi_{lv}"] = mean + half
    return out


def _resid_sd(e: np.ndarray) -> float:
    e = e[np.isfinite(e)]
    return float(np.sqrt(np.mean(e ** 2))) if len(e) else 0.0


class Naive(Model):
    alias = "naive"
    min_length = 1

    def _fit(self, y):
        self.last = y[-1]
        self.s = _resid_sd(np.diff(y)) if len(y) > 1 else 0.0

    def _forecast(self, h):
        hs = np.arange(1, h + 1)
        return np.full(h, self.last), self.s * np.sqrt(hs)


class SeasonalNaive(Model):
    alias = "snaive"
    min_length = 1
    seasonal_inside = True

    def _fit(self, y):
        m = self.m if len(y) >= self.m > 1 else 1
        self.k = m
        self.tail = y[-m:]
        self.s = _resid_sd(y[m:] - y[:-m]) if len(y) > m else 0.0

    def _forecast(self, h):
        hs = np.arange(h)
        mean = self.tail[hs % self.k]
        return mean, self.s * np.sqrt(hs // self.k + 1)


class Drift(Model):
    alias = "drift"
    min_length = 2

    def _fit(self, y):
        self.T = len(y)
        self.last = y[-1]
        self.b = (y[-1] - y[0]) / (len(y) - 1)
        self.s = _resid_sd(np.diff(y) - self.b) if len(y) > 2 else 0.0

    def _forecast(self, h):
        hs = np.arange(1, h + 1)
        return self.last + self.b * hs, self.s * np.sqrt(hs * (1 + hs / max(self.T - 1, 1)))


def _spec_name(spec: dict) -> str:
    """ETS trend code of an ETSModel spec: N, A or Ad."""
    return "N" if not spec.get("trend") else ("Ad" if spec.get("damped_trend") else "A")


class ETS(Model):
    """statsmodels ETSModel, additive error; trend none/additive/damped chosen by AICc."""

    alias = "ets"
    min_length = 8

    def __init__(self, hint: tuple | None = None, refit: bool = True) -> None:
        super().__init__()
        # (spec, params, initialization) of a fit on another prefix of the same series: at
        # inner calibration origins we refit only that spec, started from those parameters
        # (refit=True), or only run the smoother with them (refit=False: the caller makes sure
        # they were learned from data before this series' end)
        self.hint_in = hint
        self.refit = refit
        self.hint = None

    @staticmethod
    def _fit_spec(y: np.ndarray, spec: dict, init: str, start=None,
                  maxiter: int = 1000) -> tuple[float, np.ndarray, np.ndarray, float]:
        """(aicc, params, final state, mse) of one ETSModel specification.

        ``fit(return_params=True)`` plus a raw ``smooth``: the ETSResults object (complex-step
        Hessian for standard errors we never use, pandas wrapping) and ``forecast`` were ~40%
        of an ETS series' CPU time; AICc, mse and the final state are all we need from a fit."""
        from statsmodels.tools.eval_measures import aicc
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        mod = ETSModel(y, error="add", initialization_method=init, **spec)
        params = np.asarray(mod.fit(start_params=start, maxiter=maxiter, disp=False,
                                    return_params=True, pgtol=1e-4, factr=ETS_FACTR), float)
        state, mse = ETS._filter(mod, y, params)
        llf = float(mod.loglike(params))
        # statsmodels' ETSResults.aicc: df_model = free parameters + the concentrated scale
        crit = float(aicc(llf, len(y), len(params) + 1))
        return crit, params, state, mse

    @staticmethod
    def _filter(mod, y: np.ndarray, params: np.ndarray) -> tuple[np.ndarray, float]:
        """(final state, in-sample mse) of an ETSModel run with fixed ``params`` (raw smoother)."""
        yhat, states = mod.smooth(params, return_raw=True)
        return np.asarray(states, float)[-1], float(np.mean((y - yhat) ** 2))

    def _fit(self, y):
        if self.hint_in is not None:
            spec, params, init = self.hint_in
            if self.refit:
                _, self.params, self.state, self.sigma2 = self._fit_spec(
                    y, spec, init, start=params, maxiter=ETS_HINT_MAXITER)
            else:
                from statsmodels.tsa.exponential_smoothing.ets import ETSModel

                self.params = np.asarray(params, float)
                mod = ETSModel(y, error="add", initialization_method=init, **spec)
                self.state, self.sigma2 = self._filter(mod, y, self.params)
            self.hint = (spec, self.params.copy(), init)
            self._finish(spec)
            return
        specs = [dict(trend=None), dict(trend="add", damped_trend=True)]
        if len(y) >= 12:
            specs.append(dict(trend="add"))
        best, fitted = None, {}
        for spec in specs:
            r = None
            # heuristic initial states: 5x faster than estimating them, same AICc ranking here
            for init in ("heuristic", "estimated"):
                try:
                    start = self._start(spec, fitted) if init == "heuristic" else None
                    r = self._fit_spec(y, spec, init, start=start)
                    break
                except Exception:  # noqa: BLE001 - a failed spec is just skipped
                    r = None
            if r is None:
                continue
            if init == "heuristic":
                fitted[_spec_name(spec)] = r[1]
            if np.isfinite(r[0]) and (best is None or r[0] < best[0]):
                best = (*r, spec, init)
        if best is None:
            raise RuntimeError("no ETS specification could be fitted")
        _, self.params, self.state, self.sigma2, spec, init = best
        self._finish(spec)
        self.hint = (spec, self.params.copy(), init)

    @staticmethod
    def _start(spec: dict, fitted: dict) -> np.ndarray | None:
        """L-BFGS start for a trend spec from the simpler spec fitted before it: damped from the
        no-trend fit's alpha (beta 0.1 alpha, phi 0.9 mid-range), additive from the damped fit's
        (alpha, beta). statsmodels' fixed default (0.1, 0.01, 0.98) is far from the optimum of
        most series here (alpha 0.5-1). Measured at factr 1e9: 106 instead of 144 likelihood
        evaluations a series, and fewer fits stuck in a worse local optimum (shipped series ETS
        MASE 1.099 -> 1.073, unseen series unchanged)."""
        name = _spec_name(spec)
        if name == "Ad" and "N" in fitted:
            a = float(fitted["N"][0])
            return np.array([a, 0.1 * a, 0.9])
        if name == "A" and "Ad" in fitted:
            return np.asarray(fitted["Ad"][:2], float)
        return None

    def _finish(self, spec: dict) -> None:
        # params are (smoothing_level[, smoothing_trend][, damping_trend]) for the
        # heuristic initialization, followed by the initial states when estimated
        self.alpha = float(self.params[0])
        self.beta = float(self.params[1]) if spec.get("trend") else 0.0
        self.phi = float(self.params[2]) if spec.get("damped_trend") else 1.0
        self.used = f"ets(A,{_spec_name(spec)},N)"

    def _forecast(self, h):
        # point forecast from the final (level, trend) state: l + (phi + ... + phi^j) b, the
        # formula of ETSResults.forecast for additive error and trend
        level = self.state[0]
        trend = self.state[1] if len(self.state) > 1 else 0.0
        hs = np.arange(1, h + 1)
        steps = np.cumsum(self.phi ** hs) if self.phi < 1 else hs.astype(float)
        mean = level + trend * steps
        j = np.arange(1, h)
        if self.phi < 1:
            damp = self.phi * (1 - self.phi ** j) / (1 - self.phi)
        else:
            damp = j.astype(float)
        c = self.alpha + self.beta * damp
        var = self.sigma2 * np.r_[1.0, 1.0 + np.cumsum(c ** 2)]
        return mean, np.sqrt(var)


class Theta(Model):
    """Theta method (Assimakopoulos & Nikolopoulos): SES plus half the OLS trend.

    Same formulas as statsmodels ``ThetaModel(use_mle=False)`` with theta=2, but the SES
    smoothing weight is fitted here with a bounded scalar search: statsmodels' Holt-Winters fit
    (and its extra SARIMAX fit for sigma2) made Theta the slowest member of the ensemble.
    """

    alias = "theta"
    min_length = 6

    @staticmethod
    def _ses(y: np.ndarray, alpha: float) -> tuple[float, np.ndarray]:
        level, errs = y[0], np.empty(len(y) - 1)
        for t in range(1, len(y)):
            errs[t - 1] = y[t] - level
            level = alpha * y[t] + (1 - alpha) * level
        return level, errs

    def _fit(self, y):
        from scipy.optimize import minimize_scalar

        t = np.arange(len(y), dtype=float)
        self.b0 = float(np.polyfit(t, y, 1)[0])
        res = minimize_scalar(lambda a: float(np.sum(self._ses(y, a)[1] ** 2)),
                              bounds=(1e-4, 0.9999), method="bounded",
                              options={"xatol": 1e-4})
        self.alpha = float(res.x)
        self.level, _ = self._ses(y, self.alpha)
        _, errs = self._ses(y, self.alpha)
        self.sigma2 = float(np.mean((errs - self.b0 / 2) ** 2))
        self.nobs = len(y)

    def _forecast(self, h):
        a = self.alpha
        steps = np.arange(h, dtype=float) + 1 / a - (1 - a) ** self.nobs / a
        mean = self.level + 0.5 * self.b0 * steps
        var = self.sigma2 * (1 + np.arange(h) * (1 + (a - 1) ** 2))
        return mean, np.sqrt(var)


class ARIMA(Model):
    """ARIMA(p,1,0) with drift (p in 0..2) or (1,1,0) without, chosen by AICc (Burg: fast, stable)."""

    alias = "arima"
    min_length = 8

    def _fit(self, y):
        from statsmodels.tsa.arima.model import ARIMA as _ARIMA

        best = None
        orders = [(p, "t") for p in range(0, min(2, (len(y) - 4) // 4) + 1)] + [(1, "n")]
        for p, trend in orders:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        r = _ARIMA(y, order=(p, 1, 0), trend=trend).fit(method="burg",
                                                                        cov_type="none")
                except Exception:  # noqa: BLE001
                    continue
                if np.isfinite(r.aicc) and (best is None or r.aicc < best[0]):
                    best = (r.aicc, r, p, trend)
        if best is None:
            raise RuntimeError("no ARIMA order could be fitted")
        _, self.res, p, trend = best
        self.used = f"arima({p},1,0){'+drift' if trend == 't' else ''}"

    def _forecast(self, h):
        return _statespace_forecast(self.res, h)


def _statespace_forecast(res, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error of a fitted statsmodels state-space result (ARIMA, UC)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = res.get_forecast(h)
    return np.asarray(f.predicted_mean, float), np.asarray(f.se_mean, float)


class UC(Model):
    """UnobservedComponents local linear trend."""

    alias = "uc"
    min_length = 10

    def _fit(self, y):
        from statsmodels.tsa.statespace.structural import UnobservedComponents

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.res = UnobservedComponents(y, level="local linear trend").fit(
                disp=False, cov_type="none")

    def _forecast(self, h):
        return _statespace_forecast(self.res, h)


class Ensemble(Model):
    """Mean of ETS, ARIMA and UC point forecasts; sigma the mean of the members' sigmas.

    Measured on the shipped monthly postings (h=12, 3 origins): mean of ETS/ARIMA/UC had MASE
    1.069 vs 1.200 for the median of ETS/Theta/ARIMA (Theta's global OLS trend hurts here)."""

    alias = "ensemble"
    min_length = 8

    def _fit(self, y):
        self.members = []
        for cls in (ETS, ARIMA, UC):
            try:
                self.members.append(cls().fit(y, 1))
            except Exception:  # noqa: BLE001
                continue
        if not self.members:
            raise RuntimeError("no ensemble member could be fitted")
        self.used = "ensemble(" + "+".join(mm.alias for mm in self.members) + ")"

    def _forecast(self, h):
        raws = [mm.raw(h) for mm in self.members]
        return (np.mean([r.mean for r in raws], axis=0),
                np.mean([r.sigma for r in raws], axis=0))


MODELS: dict[str, type[Model]] = {c.alias: c for c in (ETS, Theta, ARIMA, UC, Naive,
                                                          SeasonalNaive, Drift, Ensemble)}


# --------------------------------------------------------------------------- engine
def _fit_with_fallback(name: str, y: np.ndarray, m: int, hint: tuple | None = None,
                       refit: bool = True) -> Model:
    """Fit ``name``; on a too-short, flat or failing series fall back to drift, then naive.
    ``hint`` (ETS only) re-uses another fit's specification and parameters: re-estimated from
    there (``refit``) or only re-filtered."""
    y = np.asarray(y, float)
    reason = None
    if len(y) < MODELS[name].min_length:
        reason = "series too short"
    elif np.ptp(y) == 0:
        reason = "constant series"
    if reason is None:
        try:
            mod = (ETS(hint, refit) if hint is not None else MODELS[name]()).fit(y, m)
            r = mod.raw(1)
            if np.all(np.isfinite(r.mean)) and np.all(np.isfinite(r.sigma)):
                return mod
            reason = "non-finite fit"
        except Exception:  # noqa: BLE001 - any statsmodels failure means: use a simpler model
            reason = "fit failed"
    for fb in ("drift", "naive"):
        if fb == name or len(y) < MODELS[fb].min_length or (fb == "drift" and reason == "constant series"):
            continue
        mod = MODELS[fb]().fit(y, m)
        mod.used = f"{name}->{fb} ({reason})"
        return mod
    mod = Naive().fit(y, m)
    if name != "naive":
        mod.used = f"{name}->naive ({reason})"
    return mod


def mase_scale(y: np.ndarray, m: int) -> float:
    """In-sample MAE of seasonal naive (lag-1 naive when shorter than 2 seasons)."""
    y = np.asarray(y, float)
    lag = m if (m > 1 and len(y) >= 2 * m) else 1
    if len(y) <= lag:
        return float("nan")
    return float(np.mean(np.abs(y[lag:] - y[:-lag])))


@dataclass
class SeriesEngine:
    """Fits per (model, training length), memoised, so backtest, calibration, auto selection
    and the final forecast of one series share every fit."""

    y: np.ndarray
    season_length: int
    max_h: int
    cal_origins: int = CALIBRATION_ORIGINS
    _memo: dict = field(default_factory=dict)

    _ets_hints: dict = field(default_factory=dict)
    _ets_cal: dict = field(default_factory=dict)

    def __post_init__(self):
        self.y = np.asarray(self.y, float)

    def raw(self, model: str, L: int, parent: int | None = None,
            ref: int | None = None) -> RawForecast:
        """Fit on ``y[:L]``. ``parent`` (> L) marks an inner calibration origin of the forecast
        from ``parent`` points and ``ref`` (<= L, default L) the oldest of those origins. ETS
        there keeps the parent's trend spec, re-estimates its parameters once on ``y[:ref]``
        (started from the parent's) and only re-filters ``y[:L]`` with them: learned before
        every inner origin, so the calibration (and a backtest from ``parent``) stays honest,
        for one L-BFGS fit per parent instead of one per origin. Keyed apart for that."""
        uses_parent = model in ("ets", "ensemble") and parent is not None and parent != L
        ref = L if ref is None or not uses_parent else ref
        if ref > L:
            raise ValueError("ref must not exceed L: parameters would be learned after L")
        if uses_parent and self._ets_cal_hint(parent, ref) is None:
            uses_parent = False
        key = (model, L, parent, ref) if uses_parent else (model, L)
        if key in self._memo:
            return self._memo[key]
        yy = self.y[:L]
        par = (parent, ref) if uses_parent else (None, None)
        if model == "ensemble" and L >= Ensemble.min_length and np.ptp(yy) > 0:
            # compose from the memoised members instead of refitting them
            rs = [self.raw(mm, L, *par) for mm in ENSEMBLE_MEMBERS]
            ok = [r for r in rs if "->" not in r.label] or rs
            self._memo[key] = RawForecast(np.mean([r.mean for r in ok], axis=0),
                                          np.mean([r.sigma for r in ok], axis=0),
                                          "ensemble(" + "+".join(r.label for r in ok) + ")")
        else:
            hint = self._ets_cal_hint(*par) if (model == "ets" and uses_parent) else None
            mod = _fit_with_fallback(model, yy, self.season_length, hint, refit=False)
            if model == "ets" and hint is None:
                self._ets_hints[L] = getattr(mod, "hint", None)
            self._memo[key] = self._raw_of(mod)
        return self._memo[key]

    def _raw_of(self, mod: Model) -> RawForecast:
        r = mod.raw(self.max_h)
        return RawForecast(r.mean, np.maximum(r.sigma, 0.0), mod.used)

    def _ets_hint(self, L: int) -> tuple | None:
        if L not in self._ets_hints:
            self.raw("ets", L)
        return self._ets_hints.get(L)

    def _ets_cal_hint(self, parent: int, ref: int) -> tuple | None:
        """ETS (spec, params, init) for the inner origins of ``parent``: the parent's spec
        refitted on ``y[:ref]`` from the parent's parameters (None if either fit failed)."""
        if (parent, ref) not in self._ets_cal:
            hint, phint = None, self._ets_hint(parent)
            if phint is not None:
                mod = _fit_with_fallback("ets", self.y[:ref], self.season_length, phint)
                hint = getattr(mod, "hint", None) if isinstance(mod, ETS) else None
                if hint is not None:  # the refit is also the forecast from ref itself
                    self._memo[("ets", ref, parent, ref)] = self._raw_of(mod)
            self._ets_cal[(parent, ref)] = hint
        return self._ets_cal[(parent, ref)]

    def inner_origins(self, L: int, h_cal: int) -> list[int]:
        step = max(1, h_cal // 3)
        out = [L - h_cal - step * i for i in range(self.cal_origins)]
        return [o for o in out if o >= 8]

    def cal_horizon(self, L: int, h: int) -> int:
        return max(1, min(h, MAX_CAL_HORIZON, L // 4))

    def scores(self, model: str, L: int, h_cal: int) -> np.ndarray:
        out = []
        origins = self.inner_origins(L, h_cal)
        for o in origins:
            r = self.raw(model, o, L, min(origins))
            e = np.abs(self.y[o: o + h_cal] - r.mean[:h_cal])
            s = r.sigma[:h_cal]
            ok = s > 0
            out.append(np.where(ok, e / np.where(ok, s, 1), np.where(e > 0, np.inf, 0.0)))
        return np.concatenate(out) if out else np.array([])

    def inner_mase(self, model: str, L: int, h_cal: int) -> float:
        scale = mase_scale(self.y[:L], self.season_length)
        vals = []
        origins = self.inner_origins(L, h_cal)
        for o in origins:
            r = self.raw(model, o, L, min(origins))
            vals.append(np.mean(np.abs(self.y[o: o + h_cal] - r.mean[:h_cal])))
        if not vals or not np.isfinite(scale) or scale <= 0:
            return float("nan")
        return float(np.mean(vals) / scale)

    def choose(self, L: int, h: int) -> str:
        """Auto: the ensemble, unless a candidate beats its inner-backtest MASE by AUTO_MARGIN.

        Picking the plain minimum over 3 inner origins chased noise (MASE 1.08 vs 1.07 for the
        ensemble alone on the shipped series); a margin keeps only clear wins."""
        h_cal = self.cal_horizon(L, h)
        ens = self.inner_mase("ensemble", L, h_cal)
        best, best_v = "ensemble", (ens if np.isfinite(ens) else float("inf"))
        for c in AUTO_CANDIDATES:
            if c == "ensemble":
                continue
            v = self.inner_mase(c, L, h_cal)
            if np.isfinite(v) and v < best_v and (not np.isfinite(ens) or v < ens * (1 - AUTO_MARGIN)):
                best, best_v = c, v
        return best

    def forecast(self, model: str, L: int, h: int, levels=DEFAULT_LEVELS) -> dict:
        """Calibrated forecast from the first L points: mean, lo_<lv>, hi_<lv>, model label.

        When ``y[:L]`` has no negative value (shares, indices, counts) every band is clipped at 0:
        a negative share is impossible, and clipping keeps lo_95 <= lo_80 <= mean <= hi_80 <= hi_95."""
        out = self._forecast(model, L, h, levels)
        hist = self.y[:L]
        if len(hist) and np.all(hist[np.isfinite(hist)] >= 0):
            for k, v in out.items():
                if k != "model":
                    out[k] = np.maximum(v, 0.0)
        return out

    def _forecast(self, model: str, L: int, h: int, levels=DEFAULT_LEVELS) -> dict:
        if model not in MODEL_NAMES:
            raise UserInputError(f"unknown model {model!r}; choose one of {', '.join(MODEL_NAMES)}")
        if h > self.max_h:
            raise ValueError("horizon beyond engine max_h")
        prefix = ""
        name = model
        if model == "auto":
            name = self.choose(L, h)
            prefix = "auto:"
        r = self.raw(name, L)
        h_cal = self.cal_horizon(L, h)
        sc = self.scores(name, L, h_cal)
        mult = {}
        for lv in levels:
            z = float(norm.ppf(0.5 + lv / 200))
            if len(sc) >= 5:
                q = min(1.0, lv / 100 * (1 + 1 / len(sc)))
                emp = float(np.quantile(sc, q, method="higher"))
                # shrink toward the model's own z when evidence is thin (few inner origins)
                w = len(sc) / (len(sc) + h_cal)
                mult[lv] = w * emp + (1 - w) * max(z, emp) if np.isfinite(emp) else z * 3
            else:
                mult[lv] = z
        mean = r.mean[:h].copy()
        sigma = r.sigma[:h].copy()
        if not np.all(np.isfinite(mean)):
            mean = np.full(h, self.y[L - 1])
        sigma = np.where(np.isfinite(sigma), sigma, 0.0)
        out = _intervals(mean, sigma, _monotone(mult))
        if model == "auto" and name != "ensemble":
            # a model picked for a small inner error has optimistic calibration (selection
            # bias): keep its mean but never a band narrower than the ensemble's
            ens = self._forecast("ensemble", L, h, levels)
            for lv in levels:
                half = np.maximum(out[f"hi_{lv}"] - mean, ens[f"hi_{lv}"] - ens["mean"])
                lo_half = np.maximum(mean - out[f"lo_{lv}"], ens["mean"] - ens[f"lo_{lv}"])
                out[f"hi_{lv}"], out[f"lo_{lv}"] = mean + half, mean - lo_half
        out["model"] = prefix + r.label
        return out


def _monotone(mult: dict) -> dict:
    """Wider intervals for higher levels, whatever the empirical quantiles did."""
    out, prev = {}, 0.0
    for lv in sorted(mult):
        prev = max(prev, float(mult[lv]) if np.isfinite(mult[lv]) else prev)
        out[lv] = prev
    return out


# --------------------------------------------------------------------------- frames
def _check_levels(levels) -> tuple[int, ...]:
    lv = tuple(int(v) for v in levels)
    if not lv or any(v <= 0 or v >= 100 for v in lv):
        raise UserInputError(f"interval levels must be between 1 and 99, got {list(levels)}")
    return tuple(sorted(set(lv)))


def check_horizon(horizon) -> int:
    try:
        h = int(horizon)
    except (TypeError, ValueError):
        raise UserInputError(f"horizon must be a whole number, got {horizon!r}") from None
    if h != horizon or h < 1 or h > 120:
        raise UserInputError(f"horizon must be between 1 and 120 periods, got {horizon!r}")
    return h


def forecast_series(y: np.ndarray, horizon: int, model: str = "auto", season_length: int = 12,
                    levels=DEFAULT_LEVELS, engine: SeriesEngine | None = None) -> dict:
    """Forecast one series (numpy) with calibrated intervals; see ``SeriesEngine.forecast``."""
    eng = engine or SeriesEngine(np.asarray(y, float), season_length, horizon)
    return eng.forecast(model, len(eng.y), horizon, levels)


def forecast_frame(df: pd.DataFrame, horizon: int, model: str = "auto", levels=DEFAULT_LEVELS,
                   freq: dict | None = None) -> pd.DataFrame:
    """Forecasts for every series in a tidy ``series_id, ds, y`` frame: exactly ``horizon`` rows
    per series, dates continuing each series' own frequency (``freq`` overrides inference)."""
    h = check_horizon(horizon)
    levels = _check_levels(levels)
    if model not in MODEL_NAMES:
        raise UserInputError(f"unknown model {model!r}; choose one of {', '.join(MODEL_NAMES)}")
    cols = ["series_id", "ds", "mean"] + [f"{s}_{lv}" for lv in levels for s in ("lo", "hi")] + ["model"]
    # one frame built at the end from arrays: per-series DataFrame assembly cost ~5 ms a series,
    # a noticeable share of a batch ETS fit
    acc: dict[str, list] = {c: [] for c in cols}
    d = df.dropna(subset=["y"]).sort_values(["series_id", "ds"])
    for sid, g in d.groupby("series_id", sort=True):
        ds = g["ds"]
        alias = (freq or {}).get(sid) or infer_freq(ds)
        m = season_length_for(alias)
        fc = forecast_series(g["y"].to_numpy(float), h, model, m, levels)
        acc["series_id"].append(np.full(h, str(sid), dtype=object))
        acc["ds"].append(future_dates(ds.iloc[-1], h, alias).to_numpy())
        acc["model"].append(np.full(h, fc["model"], dtype=object))
        for c in cols[2:-1]:
            acc[c].append(np.asarray(fc[c], float))
    if not acc["mean"]:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("series_id", "model") else float)
                             for c in cols})
    out = pd.DataFrame({c: np.concatenate(v) for c, v in acc.items()})
    out["series_id"] = out["series_id"].astype(str)
    return out
