"""State-space families: ARIMA(p,1,0) and the unobserved-components local linear trend."""

from __future__ import annotations

import warnings

import numpy as np

from forecasting.postings.base import Model


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
                except Exception:
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
