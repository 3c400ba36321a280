"""Accuracy benchmark: our models vs statsforecast peers on every shipped monthly series.

One command: ``.venv/bin/python bench/accuracy.py``. Rolling origin, horizon 12 months, 3 origins
on every series of ``forecasting.sources.indeed.load_postings_monthly()``, origins from
``forecasting.postings.backtest.origins``. Our models forecast each training window through the
code ``forecast_frame`` and ``backtest`` use (``SeriesEngine.forecast``, which sees only y[:L]);
the peers (statsforecast AutoETS and AutoARIMA, season 12) forecast exactly the same windows in a
separate venv (bench/.venv-peers, created here on first run, because statsforecast needs
pandas < 3). One scoring function scores both (``forecasting.postings.backtest.mase``/``smape``),
so the comparison is like for like. Prints the table with targets and PASS/FAIL and writes it to
bench/results/accuracy.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

# One BLAS thread per process: multi-threaded OpenBLAS makes each tiny L-BFGS step in the
# statsmodels fits ~3x slower here (measured), and we parallelise over series instead.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.postings import backtest as bt
from forecasting.postings.engine import SeriesEngine
from forecasting.postings.families import MODEL_NAMES
from forecasting.postings.frequency import infer_freq, season_length_for
from forecasting.sources import indeed

HORIZON = 12
N_ORIGINS = 3
SEASON = 12
PEER_VENV = ROOT / "bench" / ".venv-peers"
PEER_SCRIPT = ROOT / "bench" / "peers_statsforecast.py"
RESULTS = ROOT / "bench" / "results" / "accuracy.md"
#: Verified to install together on Python 3.11 here (statsforecast 2.x needs no numba).
PEER_REQUIREMENTS = ("statsforecast==2.1.1", "pandas==2.3.3", "numpy==2.4.6", "pyarrow==26.0.1",
                     "scipy==1.17.1", "statsmodels==0.15.0", "coreforecast==0.0.20",
                     "utilsforecast==0.2.17")
PEERS = ("AutoETS", "AutoARIMA")
SEP = "@@"  # unique_id = series_id + SEP + origin index

# Targets (labelled assumptions of the issue, not measurements).
PEER_MARGIN = 0.05         # auto's mean MASE at least 5% below the best peer
SNAIVE_MARGIN = 0.20       # "beats seasonal naive by far": at least 20% below snaive's MASE
COV95 = (0.90, 0.98)
COV80 = (0.75, 0.88)


# ------------------------------------------------------------------ windows
def make_windows(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test) long frames keyed by unique_id = series_id@@L, with L from backtest.origins."""
    train, test = [], []
    for sid, g in df.sort_values(["series_id", "ds"]).groupby("series_id", sort=True):
        g = g.dropna(subset=["y"]).reset_index(drop=True)
        for L in bt.origins(len(g), HORIZON, N_ORIGINS):
            uid = f"{sid}{SEP}{L}"
            train.append(g.iloc[:L].assign(unique_id=uid))
            test.append(g.iloc[L:L + HORIZON].assign(unique_id=uid))
    return pd.concat(train, ignore_index=True), pd.concat(test, ignore_index=True)


# ------------------------------------------------------------------ forecasts
def _series_forecasts(args) -> tuple[list[pd.DataFrame], dict]:
    """All our models at every origin of one series, sharing one SeriesEngine (as backtest does:
    fits are memoised, and engine.forecast(model, L, h) only sees y[:L])."""
    sid, ds, y, models = args
    eng = SeriesEngine(np.asarray(y, float), season_length_for(infer_freq(pd.Series(ds))), HORIZON)
    out, seconds = [], {}
    for m in models:
        t0 = time.perf_counter()
        for L in bt.origins(len(y), HORIZON, N_ORIGINS):
            fc = eng.forecast(m, L, HORIZON, (80, 95))
            out.append(pd.DataFrame({"unique_id": f"{sid}{SEP}{L}", "ds": ds[L:L + HORIZON],
                                     "model": m, "used": fc["model"], "mean": fc["mean"],
                                     **{k: fc[k] for k in ("lo_80", "hi_80", "lo_95", "hi_95")}}))
        seconds[m] = time.perf_counter() - t0
    return out, seconds


def our_forecasts(df: pd.DataFrame, models: tuple[str, ...], workers: int) -> tuple[pd.DataFrame, dict]:
    jobs = [(sid, g["ds"].to_numpy(), g["y"].to_numpy(float), models)
            for sid, g in df.sort_values(["series_id", "ds"]).dropna(subset=["y"])
            .groupby("series_id", sort=True)]
    parts, seconds = [], dict.fromkeys(models, 0.0)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for i, (out, sec) in enumerate(pool.map(_series_forecasts, jobs), 1):
            parts += out
            for m, v in sec.items():
                seconds[m] += v
            print(f"\r  ours: {i}/{len(jobs)} series", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return pd.concat(parts, ignore_index=True), seconds


def ensure_peer_venv() -> Path:
    """Create bench/.venv-peers with the pinned statsforecast stack (once)."""
    py = PEER_VENV / "bin" / "python"
    stamp = PEER_VENV / ".requirements"
    wanted = "\n".join(PEER_REQUIREMENTS)
    if py.exists() and stamp.exists() and stamp.read_text() == wanted:
        return py
    print(f"creating {PEER_VENV} (statsforecast for peer benchmarks; ~1 min once)", file=sys.stderr)
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--clear", str(PEER_VENV)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    *PEER_REQUIREMENTS], check=True, stdout=subprocess.DEVNULL)
    stamp.write_text(wanted)
    return py


def start_peers(train: pd.DataFrame, tmp: Path) -> tuple[subprocess.Popen | None, Path]:
    """Start the peer run in the background (it overlaps our fits); cached by input hash."""
    py = ensure_peer_venv()
    src = tmp / "train.parquet"
    train[["unique_id", "ds", "y"]].to_parquet(src, index=False)
    key = hashlib.sha256(src.read_bytes() + PEER_SCRIPT.read_bytes()
                         + "\n".join(PEER_REQUIREMENTS).encode()).hexdigest()[:16]
    cached = PEER_VENV / "cache" / f"peers-{key}.parquet"
    if cached.exists():
        print(f"  peers: cached {cached.relative_to(ROOT)}", file=sys.stderr)
        return None, cached
    cached.parent.mkdir(exist_ok=True)
    lock = cached.with_suffix(".running")
    if lock.exists() and time.time() - lock.stat().st_mtime < 3600:
        print(f"  peers: another run is computing {cached.name}; will wait for it", file=sys.stderr)
        return None, cached
    lock.write_text(str(os.getpid()))
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    # the shell removes the lock when the peer script ends, whatever its outcome
    proc = subprocess.Popen(["sh", "-c", '"$0" "$@"; rc=$?; rm -f "' + str(lock) + '"; exit $rc',
                             str(py), str(PEER_SCRIPT), str(src), str(cached), "--horizon",
                             str(HORIZON), "--season-length", str(SEASON)], env=env)
    return proc, cached


def finish_peers(proc: subprocess.Popen | None, path: Path) -> tuple[pd.DataFrame, dict]:
    if proc is not None and proc.wait() != 0:
        path.unlink(missing_ok=True)
        raise RuntimeError(f"peer script failed with exit status {proc.returncode}")
    lock = path.with_suffix(".running")
    while proc is None and not path.exists() and lock.exists():
        time.sleep(5)  # another bench run is computing the same peer forecasts
    if not path.exists():
        raise RuntimeError(f"peer forecasts {path} missing (the other run failed?)")
    fc = pd.read_parquet(path)
    fc["ds"] = pd.to_datetime(fc["ds"]).astype("datetime64[ns]")
    seconds = fc.groupby("model")["seconds"].first().to_dict()
    return fc.drop(columns="seconds").assign(used=fc["model"]), seconds


# ------------------------------------------------------------------ scoring
def coverage(actual: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Share of actuals inside [lo, hi]: the formula forecasting.postings.backtest uses."""
    return float(np.mean((actual >= lo) & (actual <= hi)))


def score(fc: pd.DataFrame, train: pd.DataFrame, test: pd.DataFrame) -> pd.DataFrame:
    """One row per (series_id, origin, model), scored by forecasting.postings.backtest's mase/smape."""
    trains = {u: g["y"].to_numpy(float) for u, g in train.groupby("unique_id", sort=False)}
    tests = {u: g.set_index("ds")["y"] for u, g in test.groupby("unique_id", sort=False)}
    rows = []
    for (uid, model), g in fc.groupby(["unique_id", "model"], sort=False):
        truth = tests[uid]
        g = g.set_index("ds").reindex(truth.index)
        if g["mean"].isna().any():
            raise RuntimeError(f"{model} forecast for {uid} misses test dates")
        sid, origin = uid.split(SEP)
        y, mean = truth.to_numpy(float), g["mean"].to_numpy(float)
        rows.append({"series_id": sid, "origin": int(origin), "model": model,
                     "used": str(g["used"].iloc[0]),
                     "mase": bt.mase(y, mean, trains[uid], SEASON), "smape": bt.smape(y, mean),
                     "coverage_80": coverage(y, g["lo_80"].to_numpy(), g["hi_80"].to_numpy()),
                     "coverage_95": coverage(y, g["lo_95"].to_numpy(), g["hi_95"].to_numpy())})
    return pd.DataFrame(rows)


def series_group(sid: str) -> str:
    if sid.endswith("_genai_share"):
        return "genai share (10 countries)"
    if sid.endswith("_ai_share"):
        return "AI share (10 countries)"
    if sid.startswith("us_sector_"):
        return "US sector indices"
    return "US aggregate postings"


# ------------------------------------------------------------------ report
def summarise(scores: pd.DataFrame) -> pd.DataFrame:
    per_series = scores.groupby(["model", "series_id"])[["mase", "smape", "coverage_80",
                                                         "coverage_95"]].mean()
    table = per_series.groupby("model").mean()
    table["n_series"] = per_series.groupby("model").size()
    order = [m for m in (*MODEL_NAMES, *PEERS) if m in table.index]
    return table.loc[order]


def targets(table: pd.DataFrame) -> list[tuple[str, str, str, bool]]:
    auto = table.loc["auto"]
    peers = table.loc[[p for p in PEERS if p in table.index], "mase"]
    best_peer = peers.idxmin()
    rows = []
    gain = 1 - auto["mase"] / peers.min()
    rows.append((f"auto MASE vs best peer ({best_peer} {peers.min():.3f})",
                 f"{auto['mase']:.3f} ({gain:+.1%} better)", f">= {PEER_MARGIN:.0%} better",
                 gain >= PEER_MARGIN))
    sn = table.loc["snaive", "mase"]
    gain_sn = 1 - auto["mase"] / sn
    rows.append((f"auto MASE vs seasonal naive ({sn:.3f})", f"{auto['mase']:.3f} ({gain_sn:+.1%} better)",
                 f">= {SNAIVE_MARGIN:.0%} better", gain_sn >= SNAIVE_MARGIN))
    rows.append(("auto 95% interval coverage", f"{auto['coverage_95']:.1%}",
                 f"[{COV95[0]:.0%}, {COV95[1]:.0%}]", COV95[0] <= auto["coverage_95"] <= COV95[1]))
    rows.append(("auto 80% interval coverage", f"{auto['coverage_80']:.1%}",
                 f"[{COV80[0]:.0%}, {COV80[1]:.0%}]", COV80[0] <= auto["coverage_80"] <= COV80[1]))
    return rows


def render_markdown(table, tgt, groups, n_series, n_windows, seconds, chosen) -> str:
    lines = [f"Rolling-origin backtest: {n_series} shipped monthly series, {n_windows} training "
             f"windows ({N_ORIGINS} origins each, horizon {HORIZON} months). MASE scaled by the "
             f"in-sample seasonal-naive (lag {SEASON}) error; means over series of the mean over "
             f"origins. Peers: statsforecast AutoETS / AutoARIMA (season_length={SEASON}) on the "
             f"same windows, scored by the same code. Reproduce: `.venv/bin/python bench/accuracy.py` "
             f"(fit s: seconds summed over series on a shared 2-core machine; `auto` runs first and pays "
             f"for the fits the other models then reuse, memoised per series as in backtest).", "",
             "| model | mean MASE | mean sMAPE % | coverage 80% | coverage 95% | series | fit s |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for m, r in table.iterrows():
        name = f"statsforecast {m}" if m in PEERS else m
        lines.append(f"| {name} | {r['mase']:.3f} | {r['smape']:.2f} | {r['coverage_80']:.1%} | "
                     f"{r['coverage_95']:.1%} | {int(r['n_series'])} | {seconds.get(m, float('nan')):.1f} |")
    lines += ["", "| target | measured | target | result |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {'PASS' if ok else 'FAIL'} |" for a, b, c, ok in tgt]
    lines += ["", "Mean MASE by series group:", "",
              "| group | " + " | ".join(groups.columns) + " |",
              "|---|" + "---:|" * len(groups.columns)]
    for g, r in groups.iterrows():
        lines.append(f"| {g} | " + " | ".join(f"{v:.3f}" for v in r) + " |")
    if chosen:
        lines += ["", "Models `auto` picked (windows): " +
                  ", ".join(f"{k} {v}" for k, v in chosen.items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(MODEL_NAMES),
                    help="comma-separated subset of our models (default: all)")
    ap.add_argument("--workers", type=int, default=2, help="processes for our models (default 2)")
    ap.add_argument("--no-peers", action="store_true", help="skip the statsforecast peers")
    ap.add_argument("--no-write", action="store_true", help="do not write bench/results/accuracy.md")
    args = ap.parse_args(argv)
    models = tuple(m for m in args.models.split(",") if m)

    t_start = time.perf_counter()
    df = indeed.load_postings_monthly()
    train, test = make_windows(df)
    n_series, n_windows = df["series_id"].nunique(), train["unique_id"].nunique()
    print(f"{n_series} series, {n_windows} windows, horizon {HORIZON}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        proc, peer_path = (None, None) if args.no_peers else start_peers(train, Path(tmp))
        ours, seconds = our_forecasts(df, models, args.workers)
        frames = [ours]
        if peer_path is not None:
            peers, peer_seconds = finish_peers(proc, peer_path)
            seconds.update(peer_seconds)
            frames.append(peers)
    scores = score(pd.concat(frames, ignore_index=True), train, test)
    table = summarise(scores)
    groups = (scores.assign(group=scores["series_id"].map(series_group))
              .groupby(["group", "model"])["mase"].mean().unstack("model")[table.index])
    chosen = (scores[scores["model"] == "auto"]["used"].value_counts().to_dict()
              if "auto" in models else {})

    pd.set_option("display.width", 200)
    print(f"\nAccuracy: {n_series} series x {N_ORIGINS} origins, horizon {HORIZON} "
          f"(means over series)\n")
    print(table.assign(seconds=pd.Series(seconds)).to_string(float_format=lambda v: f"{v:.3f}"))
    print("\nmean MASE by series group\n" + groups.to_string(float_format=lambda v: f"{v:.3f}"))
    if chosen:
        print("\nauto picked: " + ", ".join(f"{k} {v}" for k, v in chosen.items()))
    tgt = targets(table) if {"auto", "snaive"} <= set(table.index) and not args.no_peers else []
    if tgt:
        print("\nTARGETS")
        for a, b, c, ok in tgt:
            print(f"  {'PASS' if ok else 'FAIL'}  {a}: {b}  (target {c})")
    worst = (scores[scores["model"] == "auto"].groupby("series_id")[["mase", "coverage_95"]].mean()
             .sort_values("mase", ascending=False).head(8)) if "auto" in models else None
    if worst is not None:
        print("\nauto: worst series by MASE\n" + worst.to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"\ntotal {time.perf_counter() - t_start:.0f} s")
    if tgt and not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(render_markdown(table, tgt, groups, n_series, n_windows, seconds, chosen))
        print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
