"""``python -m forecasting predict``: forecast every series of a CSV with intervals."""

from __future__ import annotations

import argparse
import sys

from forecasting.atomic import write_csv_atomic
from forecasting.commands import add_series_io, read_series_input


def register(subparsers) -> None:
    from forecasting.models import MODEL_NAMES

    p = subparsers.add_parser(
        "predict", help="forecast every series of a CSV (series_id, ds, y) with intervals",
        description="Forecast each series H steps ahead. Output columns: series_id, ds, mean, "
                    "lo_<L>, hi_<L> per level, model (the model actually used, incl. fallbacks). "
                    "Intervals are calibrated on rolling-origin backtests of the series itself.")
    add_series_io(p, "steps ahead (1..120)")
    p.add_argument("--level", type=int, nargs="+", default=[80, 95],
                   help="interval levels in percent (default: 80 95)")
    p.add_argument("--model", default="auto", choices=MODEL_NAMES,
                   help="model (default: auto = best by backtest per series)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from forecasting.models import forecast_frame

    h, vs = read_series_input(args)
    out = forecast_frame(vs.frame, h, model=args.model, levels=tuple(args.level), freq=vs.freq)
    write_csv_atomic(out, args.output, date_format="%Y-%m-%d")
    sys.stderr.write(f"wrote {args.output}: {len(out)} rows, {out['series_id'].nunique()} series\n")
    return 0
