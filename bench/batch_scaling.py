"""Batch scaling benchmark: ETS on >= 2,000 realistic monthly series with 1 and 2 Dask workers.

One command: ``.venv/bin/python bench/batch_scaling.py``. The series are resampled from the
shipped Indeed monthly series (seeded): a random shipped series, a random window of 36+ months,
a level factor, a gentle multiplicative trend and multiplicative noise, so their shapes are real
(the 2022 boom, the 2023 fall, seasonality) and no number is invented outright. Throughput is
timed from first task submitted to last result back, on warm workers (cluster start-up and the
one-off statsmodels import are reported apart). Also profiles where one series' time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

# Single-threaded BLAS, as Dask's nanny sets for its workers (distributed.nanny.pre-spawn-environ),
# so the in-process profile measures what a worker does.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.postings import batch
from forecasting.sources import indeed

MODEL = "ets"
HORIZON = 12
MIN_LEN = 36
TARGET_SPEEDUP = 1.6
TARGET_RATE = 100.0  # series/s on 2 workers


def synthetic_series(n_series: int, seed: int = 20261125) -> pd.DataFrame:
    """Resampled, perturbed copies of the shipped monthly series (see module docstring)."""
    rng = np.random.default_rng(seed)
    src = indeed.load_postings_monthly().sort_values(["series_id", "ds"])
    pool = [g for _, g in src.groupby("series_id") if len(g) >= MIN_LEN and (g["y"] > 0).all()]
    parts = []
    for i in range(n_series):
        g = pool[rng.integers(len(pool))]
        n = int(rng.integers(MIN_LEN, len(g) + 1))
        start = int(rng.integers(0, len(g) - n + 1))
        y = g["y"].to_numpy(float)[start:start + n]
        t = np.arange(n)
        level = np.exp(rng.normal(0, 0.5))
        trend = np.exp(rng.normal(0, 0.004) * t)           # about +-5% a year
        noise = np.exp(rng.normal(0, rng.uniform(0.01, 0.05), n))
        parts.append(pd.DataFrame({"series_id": f"syn{i:05d}", "ds": g["ds"].to_numpy()[start:start + n],
                                   "y": y * level * trend * noise}))
    return pd.concat(parts, ignore_index=True)


def _warm() -> bool:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # noqa: F401

    import forecasting.postings.frames  # noqa: F401 - pays the statsmodels import once per worker
    return True


def run(frame: pd.DataFrame, n_workers: int) -> dict:
    t0 = time.perf_counter()
    with batch.open_client(None, n_workers=n_workers) as client:
        client.wait_for_workers(n_workers)
        started = time.perf_counter() - t0
        client.run(_warm)
        warmed = time.perf_counter() - t0 - started
        cpu0 = client.run(time.process_time)
        res = batch.forecast_batch(frame, HORIZON, model=MODEL, client=client,
                                   progress=batch._stderr_progress)
        cpu1 = client.run(time.process_time)
    cpu = sum(cpu1[w] - cpu0[w] for w in cpu1)
    return {"workers": n_workers, "series": res.n_series, "chunks": res.n_chunks,
            "seconds": res.seconds, "rate": res.n_series / res.seconds,
            "startup_s": started, "warm_s": warmed, "forecasts": res.forecasts,
            # share of a full core each worker actually got: < 1 means the machine was busy
            "cpu_share": cpu / (res.seconds * n_workers), "cpu_ms_per_series": 1000 * cpu / res.n_series,
            "load": os.getloadavg()[0]}


def profile_one_series(frame: pd.DataFrame, n: int = 10) -> str:
    """Where one ETS series' time goes, in this process (single-threaded BLAS like the workers)."""
    from forecasting.postings.frames import forecast_frame

    ids = frame["series_id"].drop_duplicates().head(n)
    sub = frame[frame["series_id"].isin(ids)]
    forecast_frame(sub.head(40), HORIZON, model=MODEL)  # warm imports
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    forecast_frame(sub, HORIZON, model=MODEL)
    prof.disable()
    per = (time.perf_counter() - t0) / n
    st = pstats.Stats(prof)
    fits = sum(v[0] for k, v in st.stats.items() if k[2] == "fit" and k[0].endswith("ets.py"))
    lbfgs = sum(v[3] for k, v in st.stats.items() if "lbfgsb" in k[0] and k[2] == "_minimize_lbfgsb")
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(12)
    return (f"profile ({n} series, 1 process): {per * 1000:.0f} ms per series; "
            f"{fits / n:.1f} statsmodels ETSModel.fit calls per series, "
            f"{lbfgs / (per * n):.0%} of the time inside scipy L-BFGS-B\n"), buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-series", type=int, default=2000)
    ap.add_argument("--profile-only", action="store_true")
    args = ap.parse_args(argv)

    frame = synthetic_series(args.n_series)
    lens = frame.groupby("series_id").size()
    print(f"{args.n_series} synthetic monthly series from the shipped ones "
          f"(length {lens.min()}-{lens.max()}, median {int(lens.median())}), model {MODEL!r}, "
          f"horizon {HORIZON}")
    summary, detail = profile_one_series(frame)
    print(summary)
    if args.profile_only:
        print(detail)
        return 0
    runs = [run(frame, 1), run(frame, 2)]
    same = (np.allclose(runs[0]["forecasts"]["mean"], runs[1]["forecasts"]["mean"])
            and runs[0]["forecasts"]["model"].tolist() == runs[1]["forecasts"]["model"].tolist())
    print(f"\n{'workers':>7} {'series':>7} {'chunks':>6} {'seconds':>8} {'series/s':>9} "
          f"{'cluster start s':>15} {'warm-up s':>9} {'CPU ms/series':>13} {'core share/worker':>17} "
          f"{'load avg':>8}")
    for r in runs:
        print(f"{r['workers']:>7} {r['series']:>7} {r['chunks']:>6} {r['seconds']:>8.1f} "
              f"{r['rate']:>9.1f} {r['startup_s']:>15.1f} {r['warm_s']:>9.1f} "
              f"{r['cpu_ms_per_series']:>13.0f} {r['cpu_share']:>17.0%} {r['load']:>8.1f}")
    speedup = runs[1]["rate"] / runs[0]["rate"]
    print("\nTARGETS")
    print(f"  {'PASS' if speedup >= TARGET_SPEEDUP else 'FAIL'}  speed-up 1 -> 2 workers: "
          f"{speedup:.2f}x  (target >= {TARGET_SPEEDUP}x)")
    print(f"  {'PASS' if runs[1]['rate'] >= TARGET_RATE else 'FAIL'}  ETS throughput on 2 workers: "
          f"{runs[1]['rate']:.1f} series/s  (target >= {TARGET_RATE:.0f})")
    print(f"  {'PASS' if same else 'FAIL'}  1- and 2-worker results identical")
    print(f"  (on {os.cpu_count()} logical CPUs; a core share/worker well below 100% means other "
          f"processes took the CPU and the speed-up is a lower bound)")
    print(f"\n{detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
