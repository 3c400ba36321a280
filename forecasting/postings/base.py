"""The model surface every family shares, and the raw forecast it hands the engine.

Each model class has ``alias``, ``min_length``, ``fit(y, season_length)``, ``raw(h)`` (mean and
its own h-step standard errors) and ``predict(h, levels)`` (uncalibrated normal intervals).
Subclasses implement ``_fit`` and ``_forecast`` on the seasonally adjusted series; the
calibrated intervals are the engine's (``engine.SeriesEngine``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from forecasting.postings.seasonality import seasonal_component

DEFAULT_LEVELS = (80, 95)


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

    def fit(self, y: np.ndarray, season_length: int = 1) -> Model:
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
        return intervals(r.mean, r.sigma, {lv: norm.ppf(0.5 + lv / 200) for lv in levels})

    def _fit(self, y: np.ndarray) -> None:
        raise NotImplementedError

    def _forecast(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError


def intervals(mean: np.ndarray, sigma: np.ndarray, mult: dict) -> dict:
    out = {"mean": mean}
    for lv in sorted(mult):
        half = np.maximum(sigma * mult[lv], 0.0)
        out[f"lo_{lv}"] = mean - half
        out[f"hi_{lv}"] = mean + half
    return out


def resid_sd(e: np.ndarray) -> float:
    e = e[np.isfinite(e)]
    return float(np.sqrt(np.mean(e ** 2))) if len(e) else 0.0
