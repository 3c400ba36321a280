"""Seeded simulated series with known structure, shared by the calibration and seasonality
tests and by bench/seasonality_grid.py (one generator per kind, so both measure the same thing).

Nothing here is data: every series is drawn from a stated model with a fixed seed.
"""

from __future__ import annotations

import numpy as np

NULL_KINDS = ("random_walk", "random_walk_drift", "ar1", "trend_noise", "smooth_index")


def null_series(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """A non-seasonal series of ``n`` points of one of NULL_KINDS (level around 100)."""
    t = np.arange(n)
    e = rng.normal(0.0, 1.0, n)
    if kind == "random_walk":
        return 100 + np.cumsum(e)
    if kind == "random_walk_drift":
        return 100 + np.cumsum(0.5 + e)
    if kind == "ar1":
        return 100 + ar1(e, 0.8)
    if kind == "trend_noise":
        return 100 + 0.5 * t + 1.5 * e
    if kind == "smooth_index":  # integrated AR(1) steps: smooth like the postings indices
        return 100 + np.cumsum(ar1(e, 0.7))
    raise ValueError(kind)


def ar1(e: np.ndarray, phi: float) -> np.ndarray:
    """x_t = phi x_{t-1} + e_t, started at x_0 = e_0."""
    x = np.empty(len(e))
    x[0] = e[0]
    for i in range(1, len(e)):
        x[i] = phi * x[i - 1] + e[i]
    return x


def seasonal_series(n: int, amplitude: float, noise_sd: float, trend: float,
                    rng: np.random.Generator, phase: float | None = None, m: int = 12) -> np.ndarray:
    """100 + trend * t + amplitude * sin(2 pi t / m + phase) + N(0, noise_sd) noise; a random
    phase unless given."""
    t = np.arange(n)
    ph = rng.uniform(0, 2 * np.pi) if phase is None else phase
    return 100 + trend * t + amplitude * np.sin(2 * np.pi * t / m + ph) + rng.normal(0, noise_sd, n)
