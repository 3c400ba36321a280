"""Fit once, serve many: forecasts and backtests of every monthly postings series, disk-cached.

The cache key is files.data_hash() + the model set + a hash of the modelling source
(every module of this package but batch.py and inputs/), so a change to data or code rebuilds and
nothing else does.
Cold builds use a 2-process pool (the machine has 2 cores); a warm load reads one pickle.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.core import cache
from forecasting.postings import backtest as bt_mod
from forecasting.postings.engine import SeriesEngine
from forecasting.postings.families import MODEL_NAMES
from forecasting.postings.frequency import future_dates, infer_freq, season_length_for

log = logging.getLogger(__name__)

DISPLAY_HORIZON = 60      # months shown on the dashboard (5 years)
BACKTEST_HORIZON = 12
BACKTEST_ORIGINS = 3
DEFAULT_MODELS = MODEL_NAMES
#: the modules whose source determines the numbers (hashed into the cache key)
MODEL_MODULES = ("base", "engine", "ensemble", "ets", "families", "frequency", "seasonality",
                 "simple", "statespace", "theta", "backtest", "pipeline")
CACHE_FORMAT = "1"
_BLAS_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class PostingsBaseline:
    """forecasts: series_id, ds, mean, lo_80, hi_80, lo_95, hi_95, model (requested name),
    model_used (what was actually fitted, incl. fallbacks); backtests: backtest.backtest schema;
    leaderboard: backtest.leaderboard; choice: series_id -> model picked by auto."""

    forecasts: pd.DataFrame
    backtests: pd.DataFrame
    leaderboard: pd.DataFrame
    choice: dict
    key: str
    build_seconds: float


def code_version() -> str:
    """Hash of the source that determines the numbers."""
    from forecasting.sources import files

    here = Path(__file__).parent
    return files.source_hash(*(here / f"{name}.py" for name in MODEL_MODULES), length=16)


def cache_key(models_set=DEFAULT_MODELS) -> str:
    from forecasting.sources import files

    raw = "|".join([CACHE_FORMAT, files.data_hash(), ",".join(models_set), code_version()])
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def cache_path(key: str) -> Path:
    from forecasting.sources import files

    return Path(files.CACHE_DIR) / f"postings_baseline_{key}.pkl"


def fit_series(sid: str, ds_last: pd.Timestamp, y: np.ndarray, alias: str,
               models_set=DEFAULT_MODELS) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Backtest and 60-month forecasts of one series, every model sharing one engine."""
    m = season_length_for(alias)
    eng = SeriesEngine(np.asarray(y, float), m, DISPLAY_HORIZON)
    bt = bt_mod.backtest_engine(eng, sid, BACKTEST_HORIZON, BACKTEST_ORIGINS, models_set)
    n = len(eng.y)
    chosen = eng.choose(n, DISPLAY_HORIZON) if "auto" in models_set else None
    dates = future_dates(ds_last, DISPLAY_HORIZON, alias)
    parts = []
    for name in models_set:
        fc = eng.forecast(name, n, DISPLAY_HORIZON)
        part = pd.DataFrame({"series_id": sid, "ds": dates})
        for k in ("mean", "lo_80", "hi_80", "lo_95", "hi_95"):
            part[k] = fc[k]
        part["model"] = name
        part["model_used"] = fc["model"]
        parts.append(part)
    return pd.concat(parts, ignore_index=True), bt, chosen


def _fit_item(item):
    return fit_series(*item)


@contextlib.contextmanager
def _children_skip_main():
    """Workers need nothing from ``__main__``; when it is a script (streamlit's launcher, an
    AppTest temp script), spawn-style children would re-execute it, so hide its path meanwhile."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or getattr(main, "__spec__", None) is not None or path is None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def build(df: pd.DataFrame, models_set=DEFAULT_MODELS,
          progress: Callable[[int, int, str], None] | None = None, workers: int = 2):
    """(forecasts, backtests, choice) for every series of a tidy monthly frame."""
    items = []
    for sid, g in df.sort_values(["series_id", "ds"]).groupby("series_id", sort=True):
        g = g.dropna(subset=["y"])
        if len(g) == 0:
            continue
        items.append((str(sid), g["ds"].max(), g["y"].to_numpy(float), infer_freq(g["ds"]),
                      tuple(models_set)))
    total = len(items)
    results = []
    if progress:
        progress(0, total, "fitting postings series")
    if workers > 1 and total > 1:
        # forkserver: safe from threaded parents (streamlit); one BLAS thread per worker, since
        # multi-threaded OpenBLAS slows the many tiny statsmodels optimiser steps (bench/accuracy.py)
        saved = {k: os.environ.get(k) for k in _BLAS_VARS}
        os.environ.update({k: "1" for k in _BLAS_VARS})
        try:
            ctx = multiprocessing.get_context("forkserver")
            with _children_skip_main(), ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
                for i, res in enumerate(ex.map(_fit_item, items, chunksize=1), 1):
                    results.append(res)
                    if progress:
                        progress(i, total, res[1]["series_id"].iat[0] if len(res[1]) else "")
        except BrokenProcessPool:
            # a worker died (killed, out of memory): finish the same work in this process
            log.warning("worker pool broke; fitting the remaining series in-process")
            for item in items[len(results):]:
                results.append(_fit_item(item))
                if progress:
                    progress(len(results), total, item[0])
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    else:
        for i, item in enumerate(items, 1):
            results.append(_fit_item(item))
            if progress:
                progress(i, total, item[0])
    forecasts = pd.concat([r[0] for r in results], ignore_index=True)
    backtests = pd.concat([r[1] for r in results], ignore_index=True)
    choice = {item[0]: r[2] for item, r in zip(items, results) if r[2] is not None}
    return forecasts, backtests, choice


def postings_baseline(progress: Callable[[int, int, str], None] | None = None,
                      models: tuple = DEFAULT_MODELS, workers: int = 2,
                      rebuild: bool = False) -> PostingsBaseline:
    """Forecasts + backtests of every monthly postings series: loaded from disk when the data,
    model set and code are unchanged, rebuilt (and saved atomically) otherwise."""
    from forecasting.sources import indeed

    key = cache_key(models)
    path = cache_path(key)
    if not rebuild:
        pb = cache.load(path, cache.read_pickle, lambda o: isinstance(o, PostingsBaseline) and o.key == key)
        if pb is not None:
            if progress:
                progress(1, 1, "loaded from cache")
            return pb
    t0 = time.perf_counter()
    df = indeed.load_postings_monthly()
    forecasts, backtests, choice = build(df, models, progress, workers)
    pb = PostingsBaseline(forecasts=forecasts, backtests=backtests,
                          leaderboard=bt_mod.leaderboard(backtests), choice=choice, key=key,
                          build_seconds=time.perf_counter() - t0)
    cache.store(path, pb, cache.write_pickle, "postings_baseline_*.pkl", strict=True)
    return pb
