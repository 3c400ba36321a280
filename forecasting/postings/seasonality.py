"""Seasonality, handled once outside the models: is there a seasonal pattern, and which.

Every model fits a fast non-seasonal specification on the series minus ``seasonal_component``
and adds the pattern back (see ``base.Model``), so this test decides seasonality for all of them.
"""

from __future__ import annotations

import math

import numpy as np

# seasonality F test level: on simulated random walks, AR(1) and trend+noise series of 36-96
# months 0-3.5% are (falsely) found seasonal at this level, the smooth residuals inflating the
# nominal 0.1%; patterns of amplitude >= 3 noise sd are found in every 48-month series
# (bench/seasonality_grid.py)
SEASONAL_ALPHA = 0.001


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
