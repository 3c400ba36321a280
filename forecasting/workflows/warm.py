"""Warm every cache the pages read: the postings baseline (forecasts + backtests of every monthly
series) and the headcount model (calibration, backtests, latest fit, default projection).

One implementation for ``python -m forecasting fit``, ``make run`` and ``update-data``'s refit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Warmed:
    postings: Any            # postings.pipeline.PostingsBaseline
    postings_seconds: float
    fits: list                # headcount.model.GrowthFit, one per origin
    calibration: Any          # headcount.calibration.Calibration
    headcount_seconds: float


def warm_all(postings_progress: Progress | None = None, headcount_progress: Progress | None = None,
             rebuild: bool = False) -> Warmed:
    """Build (or load) both caches; progress callbacks get ``(done, total, label)``."""
    from forecasting.headcount import calibration as hcal
    from forecasting.headcount import projection as headcount
    from forecasting.postings import pipeline

    t0 = time.perf_counter()
    pb = pipeline.postings_baseline(progress=postings_progress, rebuild=rebuild)
    t1 = time.perf_counter()
    fits = headcount.warm_cache(rebuild=rebuild, progress=headcount_progress)
    cal = hcal.calibration()
    return Warmed(pb, t1 - t0, fits, cal, time.perf_counter() - t1)
