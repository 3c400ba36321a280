"""Batch forecasting of many series in parallel with dask.distributed.

Why a separate module: the fitting code (``forecasting.postings.frames.forecast_frame``) knows nothing
about clusters; this module only partitions a long ``series_id, ds, y`` frame into chunks of
whole series, ships each chunk to a worker, and stitches the forecasts back together. Each
series is fitted independently, so the numbers equal ``forecast_frame`` on the same series.

The default is a ``LocalCluster`` of worker *processes* (statsmodels holds the GIL, so threads
would not scale); pass a scheduler address to run the very same code on a real cluster.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.core.atomic import write_via_temp
from forecasting.core.errors import UserInputError
from forecasting.core.threads import single_threaded_blas

#: Chunks per worker: enough for load balancing, few enough that task overhead stays small.
CHUNKS_PER_WORKER = 8
MAX_CHUNK_SERIES = 100
FORECAST_COLUMNS = ("series_id", "ds", "mean", "lo_80", "hi_80", "lo_95", "hi_95", "model")

Progress = Callable[[int, int, int, int], None]  # (chunks_done, chunks_total, series_done, series_total)


@dataclass(frozen=True)
class BatchResult:
    """What a batch run produced, for the CLI summary and benchmarks."""

    forecasts: pd.DataFrame
    n_series: int
    n_chunks: int
    n_workers: int
    seconds: float  # wall time of the forecasting step (cluster start-up excluded)


def chunk_series_ids(series_ids: Sequence[str], chunk_size: int) -> list[list[str]]:
    """Split series ids (in order) into consecutive chunks of at most ``chunk_size``."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    ids = list(series_ids)
    return [ids[i:i + chunk_size] for i in range(0, len(ids), chunk_size)]


def series_slices(frame: pd.DataFrame, max_series: int) -> list[pd.DataFrame]:
    """Row slices of ``frame`` (sorted by series_id, as ``read_series_csv`` returns it) holding
    at most ``max_series`` whole series each, in order; views, not copies."""
    if max_series < 1:
        raise ValueError("max_series must be >= 1")
    sid = frame["series_id"]
    starts = np.flatnonzero((sid != sid.shift()).to_numpy(dtype=bool, na_value=True))
    cuts = [*starts[::max_series].tolist(), len(frame)] if len(frame) else [0]
    return [frame.iloc[a:b] for a, b in itertools.pairwise(cuts)]


def default_chunk_size(n_series: int, n_workers: int) -> int:
    return max(1, min(MAX_CHUNK_SERIES, math.ceil(n_series / max(1, n_workers * CHUNKS_PER_WORKER))))


def _forecast_chunk(chunk: pd.DataFrame, horizon: int, model: str, levels: tuple[int, ...],
                    freq: dict | None) -> pd.DataFrame:
    """Runs on a worker: the same call a single-machine forecast makes."""
    from forecasting.postings.frames import forecast_frame

    single_threaded_blas()
    return forecast_frame(chunk, horizon, model=model, levels=levels, freq=freq)


def _stderr_progress(chunks_done: int, chunks_total: int, series_done: int, series_total: int) -> None:
    end = "\n" if chunks_done == chunks_total else ""
    sys.stderr.write(f"\rbatch: {series_done}/{series_total} series "
                     f"({chunks_done}/{chunks_total} chunks){end}")
    sys.stderr.flush()


def _check_args(horizon: int, model: str, n_workers: int | None) -> int:
    """The horizon as an int; the horizon and model checks are those of every entry point."""
    from forecasting.postings.families import check_model
    from forecasting.postings.inputs.rules import validate_horizon

    h = validate_horizon(horizon)
    check_model(model)
    if n_workers is not None and n_workers < 1:
        raise UserInputError(f"--workers must be >= 1, got {n_workers}")
    return h


def forecast_batch(frame: pd.DataFrame, horizon: int, *, model: str = "auto",
                   levels: tuple[int, ...] = (80, 95), client=None, chunk_size: int | None = None,
                   freq: dict | None = None, progress: Progress | None = None) -> BatchResult:
    """Forecast every series of ``frame`` on ``client`` (a ``distributed.Client``).

    Rows come back ordered like ``forecast_frame`` (series_id, then ds); ``freq`` maps series_id
    to a pandas alias as ``read_series_csv`` infers it. A failure in any chunk raises: no
    partial result.
    """
    from distributed import as_completed

    horizon = _check_args(horizon, model, None)
    if client is None:
        raise ValueError("forecast_batch needs a distributed.Client; see open_client()")
    series_ids = sorted(pd.unique(frame["series_id"]))
    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    size = chunk_size or default_chunk_size(len(series_ids), n_workers)
    groups = {sid: g for sid, g in frame.groupby("series_id", sort=False)}
    chunks = chunk_series_ids(series_ids, size)
    t0 = time.perf_counter()
    futures = []
    for ids in chunks:
        part = pd.concat([groups[s] for s in ids], ignore_index=True)
        sub_freq = {s: freq[s] for s in ids if s in freq} if freq else None
        futures.append(client.submit(_forecast_chunk, part, horizon, model, tuple(levels),
                                     sub_freq, pure=False))
    sizes = {f.key: len(ids) for f, ids in zip(futures, chunks)}
    results: dict[str, pd.DataFrame] = {}
    series_done = 0
    try:
        for fut in as_completed(futures):
            results[fut.key] = fut.result()  # re-raises a worker's exception here
            series_done += sizes[fut.key]
            if progress is not None:
                progress(len(results), len(chunks), series_done, len(series_ids))
    finally:
        for fut in futures:
            fut.cancel()
    seconds = time.perf_counter() - t0
    parts = [results[f.key] for f in futures]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FORECAST_COLUMNS)
    return BatchResult(out, len(series_ids), len(chunks), n_workers, seconds)


class open_client:
    """Context manager: ``Client(scheduler)`` for a real cluster, else a process LocalCluster."""

    def __init__(self, scheduler: str | None = None, n_workers: int = 2, timeout: float = 30):
        self.scheduler, self.n_workers, self.timeout = scheduler, n_workers, timeout
        self.cluster = self.client = None

    def __enter__(self):
        from distributed import Client, LocalCluster

        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout=self.timeout)
            except (OSError, TimeoutError) as exc:
                raise UserInputError(f"--scheduler: cannot connect to Dask scheduler at "
                                     f"{self.scheduler!r} ({exc})") from None
        else:
            import dask

            # processes: statsmodels fits hold the GIL; one thread each avoids oversubscription.
            # No dashboard here, so the worker's statistical profiler (a stack sample every
            # 10 ms) only costs CPU: it is switched off (the Nanny hands this config to workers).
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                self.cluster = LocalCluster(n_workers=self.n_workers, threads_per_worker=1,
                                            processes=True, dashboard_address=None,
                                            silence_logs=40)  # logging.ERROR
            self.client = Client(self.cluster)
        return self.client

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        return False


def read_inputs(source: str | os.PathLike) -> tuple[pd.DataFrame, dict[str, str]]:
    """A CSV file, or a directory meaning every ``*.csv`` in it: one validated frame + freq."""
    from forecasting.postings.inputs.read import read_series_csv

    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.csv") if p.is_file())
        if not files:
            raise UserInputError(f"--input: directory {str(path)!r} contains no *.csv files")
    elif path.is_file():
        files = [path]
    else:
        raise UserInputError(f"--input: {str(path)!r} does not exist")
    frames, seen, freq = [], {}, {}
    for f in files:
        validated = read_series_csv(f)
        frame = validated.frame
        freq.update(validated.freq)
        for sid in pd.unique(frame["series_id"]):
            if sid in seen:
                raise UserInputError(f"--input: series_id {sid!r} appears in both "
                                     f"{seen[sid].name!r} and {f.name!r}")
            seen[sid] = f
        frames.append(frame)
    return pd.concat(frames, ignore_index=True), freq


def write_parquet_atomic(frame: pd.DataFrame, output: str | os.PathLike) -> Path:
    """Parquet written via a temp file and ``os.replace``: readers never see half a file."""
    return write_via_temp(output, lambda tmp: frame.to_parquet(tmp, index=False))


def run_batch(input_path: str | os.PathLike, horizon: int, output: str | os.PathLike, *,
              model: str = "auto", scheduler: str | None = None, n_workers: int = 2,
              levels: tuple[int, ...] = (80, 95), progress: Progress | None = _stderr_progress,
              chunk_size: int | None = None) -> BatchResult:
    """Read -> forecast on a cluster -> write atomically. Nothing is written if any step fails."""
    horizon = _check_args(horizon, model, n_workers)
    out = Path(output)
    if not out.parent.exists():
        raise UserInputError(f"--output: directory {str(out.parent)!r} does not exist")
    frame, freq = read_inputs(input_path)
    with open_client(scheduler, n_workers) as client:
        result = forecast_batch(frame, horizon, model=model, levels=levels, client=client,
                                chunk_size=chunk_size, freq=freq, progress=progress)
    write_parquet_atomic(result.forecasts, out)
    return result
