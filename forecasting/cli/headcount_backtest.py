"""``python -m forecasting headcount-backtest``: the headcount model against linear_trend / zero
/ last / mean3 on every OEWS occupation of a panel (same numbers as the Data & methods page).

Backtests are computed once per data version by ``python -m forecasting fit`` (a few minutes
cold) and read from the cache afterwards.
"""

from __future__ import annotations

import argparse
import sys
import time

from forecasting.core.errors import UserInputError

NAME = "headcount-backtest"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        NAME, help="panel backtest of the headcount model vs linear_trend/zero/last/mean3, to CSV",
        description="Fit the headcount model on the OEWS years up to the holdout year minus the "
                    "horizon, predict the log change in employment of every occupation of the "
                    "panel to the holdout year, and score it beside linear_trend (the first-"
                    "round straight-line model), zero growth, last year's growth and the mean "
                    "growth of the last three years. Writes method, n_occupations, mae, "
                    "mae_weighted, coverage_80, coverage_95 (log changes; coverage for the two "
                    "models). 1-2 years ahead use the recent panel (May 2021 on, 829 "
                    "occupations); 3-7 years the linked long panel (May 2017-2019 + 2021 on, "
                    "656 occupations; May 2020 is not in it). Examples: --holdout-year 2025 "
                    "--horizon 2; --holdout-year 2022 --horizon 3; --holdout-year 2024 "
                    "--horizon 5; --holdout-year 2025 --horizon 7.")
    p.add_argument("--holdout-year", dest="holdout_year", type=int, default=None,
                   help="May OEWS year to predict (default: the latest year)")
    p.add_argument("--horizon", type=int, default=1, help="years ahead, 1-7 (default 1)")
    p.add_argument("--output", "-o", required=True, help="CSV file to write (the score table)")
    p.add_argument("--predictions", default=None,
                   help="also write one row per occupation and method to this CSV")
    p.add_argument("--calibration", default=None,
                   help="also write the model's calibration by tenth of predicted growth: "
                        "decile, n, mean_predicted, mean_actual, coverage_80, coverage_95")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from forecasting.core.atomic import check_target, write_csv_atomic
    from forecasting.headcount import backtest as hb
    from forecasting.headcount import calibration as hcal
    from forecasting.headcount import panel as hp
    from forecasting.sources import files

    out = check_target(args.output, "--output")
    extra = {}
    for flag, value in (("--predictions", args.predictions), ("--calibration", args.calibration)):
        if value is not None:
            extra[flag] = check_target(value, flag)
    paths = [out.resolve(), *(p.resolve() for p in extra.values())]
    if len(set(paths)) != len(paths):
        raise UserInputError("--output, --predictions and --calibration must name different files")
    if not hcal.is_cached():
        sys.stderr.write("computing the headcount backtests (once per data version; a few "
                         "minutes)...\n")
    t0 = time.perf_counter()
    holdout = files.latest_oews_year() if args.holdout_year is None else args.holdout_year
    holdout, horizon = hb.check_setup(holdout, args.horizon)
    pred = hb.predictions(holdout, horizon)
    table = hb.score(pred)[hb.COLUMNS]
    dt = time.perf_counter() - t0
    if "--predictions" in extra:
        write_csv_atomic(pred, extra["--predictions"])
    if "--calibration" in extra:
        write_csv_atomic(hb.calibration_table(pred), extra["--calibration"])
    write_csv_atomic(table, out)
    origin, panel = int(pred["origin_year"].iloc[0]), str(pred["panel"].iloc[0])
    first = min(y for y in hp.long_panel().years) if panel == "long" else min(hp.panel_years())
    n = int(table["n_occupations"].iloc[0])
    print(f"headcount backtest: May {origin} -> May {holdout} ({horizon}-year horizon), {n} "
          f"occupations of the {panel} panel, model fitted on May {first}-{origin}, {dt:.2f} s")
    print("errors are mean absolute log changes (0.05 = about 5%); coverage = share of actual "
          "changes inside the interval")
    print(table.to_string(index=False, na_rep="-", float_format=lambda v: f"{v:.4f}"))
    print(f"employment-weighted slope of actual on predicted ({hb.MODEL_NAME}): "
          f"{hb.weighted_slope(pred):.3f} (1 = well spread; below 1 = too spread out)")
    return 0
