"""``python -m forecasting fit``: build (or load) the cached postings forecasts and backtests."""

from __future__ import annotations

import argparse
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "fit", help="fit every monthly postings series once (cached on disk) and print the leaderboard",
        description="Builds the postings baseline (forecasts 60 months ahead, backtests with "
                    "horizon 12 and 3 origins) or loads it from the cache when data and code are "
                    "unchanged; then calibrates (or loads) the headcount model: its damping and "
                    "long-horizon width from backtests over every OEWS origin (a few minutes once "
                    "per data version), the backtests 1-7 years ahead, the latest fit and the "
                    "default projection. Prints "
                    "the time taken and the backtest leaderboard.")
    p.add_argument("--quiet", action="store_true", help="print only the timing lines")
    p.add_argument("--rebuild", action="store_true", help="ignore the cache and refit")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from forecasting.workflows import warm

    def progress(done: int, total: int, label: str) -> None:
        if not args.quiet:
            sys.stderr.write(f"\r[{done}/{total}] {label[:60]:<60}")
            if done == total:
                sys.stderr.write("\n")

    def hc_progress(done: int, total: int, label: str) -> None:
        sys.stderr.write(f"headcount model [{done}/{total}] {label}\n")

    w = warm.warm_all(progress, hc_progress, rebuild=args.rebuild)
    pb, cal = w.postings, w.calibration
    n = pb.forecasts["series_id"].nunique()
    print(f"postings baseline: {n} series, {len(pb.forecasts)} forecast rows, {w.postings_seconds:.2f} s "
          f"(cache key {pb.key})")
    if not args.quiet:
        print(pb.leaderboard.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    lo, hi = cal.phi_interval(0.80)
    print(f"headcount model: damping phi {cal.phi:.3f} (80% interval {lo:.2f}-{hi:.2f}) from "
          f"{cal.n_pairs} backtests, long-run shock scale {cal.s_long:.4f}/yr x "
          f"{cal.width_factor:.2f}; fitted on May {w.fits[0].years[0]}-{w.fits[0].years[-1]}, "
          f"{w.headcount_seconds:.2f} s")
    return 0
