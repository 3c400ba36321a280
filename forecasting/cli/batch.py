"""``python -m forecasting batch``: forecast many series in parallel on a Dask cluster."""

from __future__ import annotations

import argparse
import sys

from forecasting.cli.common import horizon_help


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "batch", help="forecast every series of a CSV (or a folder of CSVs) in parallel with Dask",
        description="Forecast every series in parallel with dask.distributed. Without --scheduler a "
                    "LocalCluster of --workers processes runs here; with --scheduler the same code "
                    "runs on that cluster (workers must be able to import this package).")
    p.add_argument("--input", required=True,
                   help="CSV with columns series_id, ds, y, or a directory: every *.csv in it")
    p.add_argument("--horizon", required=True, type=int,
                   help=horizon_help("steps ahead to forecast"))
    p.add_argument("--output", required=True, help="parquet file to write (atomically)")
    p.add_argument("--scheduler", default=None,
                   help="address of a running Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--workers", type=int, default=2,
                   help="worker processes of the local cluster (ignored with --scheduler)")
    p.add_argument("--model", default="auto", help="model name (default: auto)")
    p.add_argument("--chunk-size", type=int, default=None,
                   help="series per task (default: about 8 tasks per worker, at most 100)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from forecasting.core.errors import UserInputError
    from forecasting.postings.batch import run_batch

    if args.chunk_size is not None and args.chunk_size < 1:
        raise UserInputError(f"--chunk-size must be >= 1, got {args.chunk_size}")
    result = run_batch(args.input, args.horizon, args.output, model=args.model,
                       scheduler=args.scheduler, n_workers=args.workers,
                       chunk_size=args.chunk_size)
    rate = result.n_series / result.seconds if result.seconds > 0 else float("inf")
    sys.stderr.write(f"wrote {args.output}: {len(result.forecasts)} rows, {result.n_series} series "
                     f"in {result.seconds:.1f} s ({rate:.0f} series/s, {result.n_workers} workers)\n")
    return 0
