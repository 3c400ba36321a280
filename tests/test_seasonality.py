"""Seasonality detection on a seeded corner of bench/seasonality_grid.py's grid: patterns of
amplitude >= 2.7 noise sd over 48 months are found with or without a trend, non-seasonal series
(random walks, AR(1), trend + noise, smooth index-like series) are rarely flagged."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.postings import seasonality
from tests.simulate import NULL_KINDS, null_series, seasonal_series


@pytest.mark.parametrize("amplitude,noise_sd", [(4.5, 1.5), (8.0, 1.5), (8.0, 3.0)])
@pytest.mark.parametrize("trend", [0.0, 0.5, 2.0])
def test_seasonal_48_month_series_with_trend_are_found(amplitude, noise_sd, trend):
    rng = np.random.default_rng([48, int(amplitude * 10), int(noise_sd * 10), int(trend * 10)])
    found = [seasonality.seasonal_component(seasonal_series(48, amplitude, noise_sd, trend, rng), 12)
             is not None for _ in range(100)]
    assert np.mean(found) >= 0.98, np.mean(found)       # measured: 1.00 in every cell


@pytest.mark.parametrize("kind", NULL_KINDS)
@pytest.mark.parametrize("n", [48, 96])
def test_non_seasonal_series_are_rarely_flagged(kind, n):
    rng = np.random.default_rng([n, NULL_KINDS.index(kind)])
    flagged = [seasonality.seasonal_component(null_series(kind, n, rng), 12) is not None
               for _ in range(300)]
    assert np.mean(flagged) <= 0.06, np.mean(flagged)   # measured: 0-4% (bench grid)


def test_the_reported_series_is_found_for_every_seed_and_indices_match_the_pattern():
    """48 months, amplitude 8, noise sd 1.5, trend 0.5 a month: missed before the F test."""
    truth = 8 * np.sin(2 * np.pi * np.arange(12) / 12)
    for seed in range(30):
        y = seasonal_series(48, 8.0, 1.5, 0.5, np.random.default_rng(seed), phase=0.0)
        idx = seasonality.seasonal_component(y, 12)
        assert idx is not None, seed
        assert np.max(np.abs(idx - truth)) < 3.0, (seed, idx.round(2))


def test_f_test_p_value_by_hand():
    """Two positions, three values each: means 1 and 3, within SS 2 + 2 = 4 on 4 df, between SS
    3*(1-2)^2 + 3*(3-2)^2 = 6 on 1 df: F = 6 / (4/4) = 6, p = P(F(1, 4) > 6) = 0.0705."""
    r = np.array([0.0, 2.0, 1.0, 3.0, 2.0, 4.0])
    pos = np.array([0, 1, 0, 1, 0, 1])
    assert seasonality._seasonal_f_test(r, pos, 2) == pytest.approx(0.070484, abs=1e-6)
    assert seasonality._seasonal_f_test(r[:3], pos[:3], 2) is None       # position 1 has one value
    assert seasonality._seasonal_f_test(np.array([1.0, 2, 1, 2]), np.array([0, 1, 0, 1]), 2) == 0.0
    assert seasonality._seasonal_f_test(np.ones(4), np.array([0, 1, 0, 1]), 2) == 1.0
