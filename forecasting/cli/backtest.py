"""``python -m forecasting backtest``: rolling-origin accuracy and interval coverage per series."""

from __future__ import annotations

import argparse
import sys

from forecasting.cli.common import add_series_io, read_series_input


def register(subparsers) -> None:
    from forecasting.postings.families import MODEL_NAMES

    p = subparsers.add_parser(
        "backtest", help="rolling-origin backtest: MASE, sMAPE, 80/95%% coverage per series and model",
        description="Backtest every model on every series of a CSV (series_id, ds, y). The last "
                    "origin ends at the series end. Output: series_id, model, mase, smape, "
                    "coverage_80, coverage_95.")
    add_series_io(p, "steps ahead per origin")
    p.add_argument("--origins", type=int, default=3, help="number of rolling origins (default 3)")
    p.add_argument("--model", nargs="+", default=None, choices=MODEL_NAMES,
                   help="models to evaluate (default: all)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from forecasting.core.atomic import write_csv_atomic
    from forecasting.postings.backtest import backtest, leaderboard

    h, vs = read_series_input(args)
    bt = backtest(vs.frame, h, n_origins=args.origins, models=args.model, freq=vs.freq)
    write_csv_atomic(bt, args.output)
    sys.stderr.write(leaderboard(bt).to_string(index=False, float_format=lambda v: f"{v:.3f}") + "\n")
    return 0
