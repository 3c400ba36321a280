"""Coverage of the calibrated postings intervals on simulated series with known distributions.

Each case draws N seeded series of 48 + 12 months, forecasts 12 months from the first 48 with
``SeriesEngine.forecast`` (the calibrated path every page, command and backtest uses) and counts
how often the 12 held-out values fall inside the 80% and 95% bands. The bounds are set around
the coverage measured when the tests were written, and far enough from what the same case gives
when the "95%" band is really a 90% band (the ``c95 if 90%`` column, measured by forecasting
the 90% band): N is chosen so that the standard error of the coverage (per-series means) is at
most 1/4 of that gap. The draws are seeded, so the outcome is deterministic.

Measured (N series: c95 / c80 of these seeded draws; c95 if the band were 90%, from another
draw of the same size):
- random walk, naive (2000): 0.932 / 0.786; 0.872
- random walk, drift (1000): 0.930 / 0.781; 0.862
- AR(1) phi 0.8, naive (1000): 0.966 / 0.833; 0.910
- trend 0.5 + N(0, 1.5), drift (1000): 0.981 / 0.880; 0.945 (drift's sigma from differences
  of white noise is sqrt(2) too wide and grows with the horizon; the band stays too wide)
- seasonal (amplitude 8, noise 1.5, trend 0.5), snaive (1000): 0.974 / 0.812; 0.934
- random walk, ets (400): 0.916 / 0.758; 0.834
- AR(1), arima (150): 0.936 / 0.796; 0.869
Per horizon block (1-4, 5-8, 9-12 months) the rate is checked where the model's sigma has the
right shape over the horizon (random walks, seasonal naive).
Known shortfall (xfail below): ETS on the seasonal series covers 0.834 at 95%.
"""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.postings import engine
from tests.simulate import null_series, seasonal_series

N_TRAIN, H = 48, 12


def _coverage(kind: str, model: str, n_series: int, seed: int = 0) -> dict[int, np.ndarray]:
    """{level: (n_series, H) array of hits} for the 80 and 95% bands."""
    rng = np.random.default_rng([seed, n_series, len(kind), len(model)])
    hits = {80: np.zeros((n_series, H)), 95: np.zeros((n_series, H))}
    for i in range(n_series):
        if kind == "seasonal":
            y = seasonal_series(N_TRAIN + H, 8.0, 1.5, 0.5, rng)
        else:
            y = null_series(kind, N_TRAIN + H, rng)
        fc = engine.SeriesEngine(y[:N_TRAIN], 12, H).forecast(model, N_TRAIN, H)
        actual = y[N_TRAIN:]
        for lv, arr in hits.items():
            arr[i] = (actual >= fc[f"lo_{lv}"]) & (actual <= fc[f"hi_{lv}"])
    return hits


CASES = [  # kind, model, n_series, c95 bounds, c80 bounds, check every horizon block
    ("random_walk", "naive", 2000, (0.905, 0.955), (0.755, 0.815), True),
    ("random_walk", "drift", 1000, (0.895, 0.955), (0.745, 0.815), True),
    ("ar1", "naive", 1000, (0.935, 0.985), (0.80, 0.865), False),
    ("trend_noise", "drift", 1000, (0.96, 0.995), (0.85, 0.91), False),
    ("seasonal", "snaive", 1000, (0.95, 0.99), (0.78, 0.845), True),
]


@pytest.mark.parametrize("kind,model,n_series,b95,b80,by_block", CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_fast_models_cover(kind, model, n_series, b95, b80, by_block):
    hits = _coverage(kind, model, n_series)
    c95, c80 = hits[95].mean(), hits[80].mean()
    assert b95[0] <= c95 <= b95[1], c95
    assert b80[0] <= c80 <= b80[1], c80
    if by_block:  # every horizon block (1-4, 5-8, 9-12 months ahead), not only the pooled rate
        blocks = hits[95].reshape(n_series, 3, 4).mean(axis=(0, 2))
        assert (blocks >= b95[0] - 0.01).all() and (blocks <= b95[1] + 0.01).all(), blocks


@pytest.mark.slow
@pytest.mark.parametrize("kind,model,n_series,b95,b80", [
    ("random_walk", "ets", 400, (0.885, 0.945), (0.72, 0.80)),
    ("ar1", "arima", 150, (0.905, 0.97), (0.75, 0.84)),
], ids=["random_walk-ets", "ar1-arima"])
def test_statsmodels_models_cover(kind, model, n_series, b95, b80):
    hits = _coverage(kind, model, n_series)
    c95, c80 = hits[95].mean(), hits[80].mean()
    assert b95[0] <= c95 <= b95[1], c95
    assert b80[0] <= c80 <= b80[1], c80


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="known shortfall: on a seasonal series with a trend the "
                   "calibrated ETS 95% band covers ~0.83 (seasonal indices estimated from 3 "
                   "detrended years add error the model's sigma omits, and the inner calibration "
                   "origins, shorter than 3 seasons, are mostly fitted without seasonality)")
def test_seasonal_ets_covers_nominally():
    hits = _coverage("seasonal", "ets", 200)  # 0.834 when written
    assert hits[95].mean() >= 0.90, hits[95].mean()
