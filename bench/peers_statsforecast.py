"""Peer forecasts with statsforecast, run INSIDE bench/.venv-peers (never the project venv).

Why a separate venv: statsforecast needs pandas < 3, the project pins pandas 3. This script
only forecasts; scoring happens back in the project venv with the same metric code as ours.

Usage: python peers_statsforecast.py TRAIN.parquet OUT.parquet --horizon 12 --season-length 12
TRAIN has columns ``unique_id, ds, y`` (one unique_id per series x origin training window).
OUT has ``unique_id, ds, model, mean, lo_80, hi_80, lo_95, hi_95, seconds``.
"""

from __future__ import annotations

import argparse
import sys
import time

import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoARIMA, AutoETS, Naive


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("out")
    ap.add_argument("--horizon", type=int, default=12)
    ap.add_argument("--season-length", type=int, default=12)
    ap.add_argument("--n-jobs", type=int, default=1)
    args = ap.parse_args(argv)

    train = pd.read_parquet(args.train)
    train["ds"] = pd.to_datetime(train["ds"])
    rows = []
    for alias, model in (("AutoETS", AutoETS(season_length=args.season_length)),
                         ("AutoARIMA", AutoARIMA(season_length=args.season_length))):
        t0 = time.perf_counter()
        # Naive fallback only if the peer model raises on a window; counted as the peer's result.
        sf = StatsForecast(models=[model], freq="MS", n_jobs=args.n_jobs, fallback_model=Naive())
        fc = sf.forecast(df=train, h=args.horizon, level=[80, 95])
        seconds = time.perf_counter() - t0
        fc = fc.reset_index() if "unique_id" not in fc.columns else fc
        rows.append(pd.DataFrame({
            "unique_id": fc["unique_id"].astype(str), "ds": fc["ds"], "model": alias,
            "mean": fc[alias], "lo_80": fc[f"{alias}-lo-80"], "hi_80": fc[f"{alias}-hi-80"],
            "lo_95": fc[f"{alias}-lo-95"], "hi_95": fc[f"{alias}-hi-95"], "seconds": seconds,
        }))
        print(f"peer {alias}: {train['unique_id'].nunique()} windows in {seconds:.1f} s",
              file=sys.stderr)
    pd.concat(rows, ignore_index=True).to_parquet(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
