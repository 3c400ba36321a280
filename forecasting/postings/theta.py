"""The Theta method: simple exponential smoothing plus half the OLS trend."""

from __future__ import annotations

import numpy as np

from forecasting.postings.base import Model


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
