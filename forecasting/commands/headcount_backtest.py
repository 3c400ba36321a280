"""``python -m forecasting headcount-backtest``: the headcount model against zero / last / mean3
growth on every detailed OEWS occupation (same numbers as the Data & methods page).

The model is refitted on the years before the holdout only (disk-cached after the first run).
"""

from __future__ import annotations

import argparse
import sys
import time

from forecasting.errors import UserInputError

NAME = "headcount-backtest"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        NAME, help="panel backtest of the headcount growth model vs zero/last/mean3 growth, to CSV",
        description="Fit the headcount growth model on May 2021 to the holdout year minus the "
                    "horizon, predict the log change in employment of every detailed OEWS "
                    "occupation to the holdout year, and score it next to three baselines (zero "
                    "growth, last year's growth, mean growth of the last three years). Writes "
                    "method, n_occupations, mae, mae_weighted, coverage_80, coverage_95 (log "
                    "changes; coverage only for the model). Valid: --horizon 1 with "
                    "--holdout-year 2024 or 2025; --horizon 2 with --holdout-year 2025.")
    p.add_argument("--holdout-year", dest="holdout_year", type=int, default=2025,
                   help="May OEWS year to predict (default 2025)")
    p.add_argument("--horizon", type=int, default=1, help="years ahead, 1 or 2 (default 1)")
    p.add_argument("--output", "-o", required=True, help="CSV file to write (the score table)")
    p.add_argument("--predictions", default=None,
                   help="also write one row per occupation and method to this CSV")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from forecasting import headcount, headcount_backtest
    from forecasting.atomic import check_target, write_csv_atomic

    out = check_target(args.output, "--output")
    pred_out = None
    if args.predictions is not None:
        pred_out = check_target(args.predictions, "--predictions")
        if pred_out.resolve() == out.resolve():
            raise UserInputError("--predictions and --output name the same file")
    holdout, horizon = headcount_backtest.check_setup(args.holdout_year, args.horizon)
    origin = holdout - horizon
    sys.stderr.write(f"fitting the headcount model on May {headcount.FIRST_YEAR}-{origin} and "
                     f"scoring {len(headcount_backtest.METHODS)} methods on May {holdout} "
                     "(a few seconds on a cold cache)...\n")
    t0 = time.perf_counter()
    pred = headcount_backtest.predictions(holdout, horizon)
    table = headcount_backtest.score(pred)[headcount_backtest.COLUMNS]
    dt = time.perf_counter() - t0
    if pred_out is not None:
        write_csv_atomic(pred, pred_out)
    write_csv_atomic(table, out)
    n = int(table["n_occupations"].iloc[0])
    print(f"headcount backtest: May {origin} -> May {holdout} ({horizon}-year horizon), "
          f"{n} occupations, model fitted on May {headcount.FIRST_YEAR}-{origin}, {dt:.2f} s")
    print("errors are mean absolute log changes (0.05 = about 5%); coverage = share of actual "
          "changes inside the model's interval")
    print(table.to_string(index=False, na_rep="-", float_format=lambda v: f"{v:.4f}"))
    return 0
