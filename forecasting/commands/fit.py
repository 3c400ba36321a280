"""``python -m forecasting fit``: build (or load) the cached postings forecasts and backtests."""

from __future__ import annotations

import argparse
import sys
import time


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "fit", help="fit every monthly postings series once (cached on disk) and print the leaderboard",
        description="Builds the postings baseline (forecasts 60 months ahead, backtests with "
                    "horizon 12 and 3 origins) or loads it from the cache when data and code are "
                    "unchanged; then fits (or loads) the headcount growth model the same way. Prints "
                    "the time taken and the backtest leaderboard.")
    p.add_argument("--quiet", action="store_true", help="print only the timing lines")
    p.add_argument("--rebuild", action="store_true", help="ignore the cache and refit")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from forecasting import pipeline

    def progress(done: int, total: int, label: str) -> None:
        if not args.quiet:
            sys.stderr.write(f"\r[{done}/{total}] {label[:60]:<60}")
            if done == total:
                sys.stderr.write("\n")

    t0 = time.perf_counter()
    pb = pipeline.postings_baseline(progress=progress, rebuild=args.rebuild)
    dt = time.perf_counter() - t0
    n = pb.forecasts["series_id"].nunique()
    print(f"postings baseline: {n} series, {len(pb.forecasts)} forecast rows, {dt:.2f} s "
          f"(cache key {pb.key})")
    if not args.quiet:
        print(pb.leaderboard.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    from forecasting import headcount

    t0 = time.perf_counter()
    fits = headcount.warm_cache(rebuild=args.rebuild)
    print(f"headcount growth model: {len(fits)} fits (May {fits[0].years[0]}-"
          f"{'/'.join(str(f.years[1]) for f in fits)}), {time.perf_counter() - t0:.2f} s")
    return 0
