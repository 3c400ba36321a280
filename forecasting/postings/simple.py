"""Benchmark models with closed-form fits: naive, seasonal naive, drift."""

from __future__ import annotations

import numpy as np

from forecasting.postings.base import Model, resid_sd


class Naive(Model):
    alias = "naive"
    min_length = 1

    def _fit(self, y):
        self.last = y[-1]
        self.s = resid_sd(np.diff(y)) if len(y) > 1 else 0.0

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
        self.s = resid_sd(y[m:] - y[:-m]) if len(y) > m else 0.0

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
        self.s = resid_sd(np.diff(y) - self.b) if len(y) > 2 else 0.0

    def _forecast(self, h):
        hs = np.arange(1, h + 1)
        return self.last + self.b * hs, self.s * np.sqrt(hs * (1 + hs / max(self.T - 1, 1)))
