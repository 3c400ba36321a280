"""``python -m forecasting scenario``: show a preset or a saved assumptions file as JSON or as
the query string of a share link (the same one the Scenarios page builds), or compare up to four
scenarios in the Scenarios page's table (rates against WEF's and BLS's, US jobs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlencode

from forecasting.core import totals
from forecasting.core.errors import UserInputError
from forecasting.scenarios import analysis, headlines, presets, urlcodec
from forecasting.scenarios.assumptions import HORIZON_RANGE, baseline_horizon


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "scenario", help="print a scenario's assumptions (JSON or share-link query string)",
        description="Print a preset (or validate an assumptions JSON file) as JSON, or as the "
                    "query string of a share link. Presets: "
                    + "; ".join(f"{k}: {v.title}" for k, v in presets.PRESETS.items()))
    src = p.add_mutually_exclusive_group()
    src.add_argument("--preset", default=None,
                     help=f"preset id: {', '.join(presets.PRESET_IDS)} (default: baseline)")
    src.add_argument("--json", dest="json_path", metavar="PATH",
                     help="validate and normalise an assumptions JSON file")
    p.add_argument("--print-json", action="store_true", help="print the assumptions as JSON (default)")
    p.add_argument("--print-query", action="store_true", help="print the share-link query string")
    p.add_argument("--describe", action="store_true", help="print the preset's source and meaning")
    p.add_argument("--compare", nargs="+", metavar="SCENARIO",
                   help="print the comparison table of 1-4 presets or assumptions .json files "
                        "(the Scenarios page's table): US jobs, CAGR beside BLS 2024-34's CAGR per "
                        "role, 5-year growth of the AI/ML specialist group beside WEF's +40%%")
    p.add_argument("--horizon", type=int, default=None,
                   help="--compare: years ahead for every scenario, 1-10 (default: the first's)")
    p.add_argument("--include-small-base", action="store_true",
                   help="--compare: count small-base roles (NLP scientist) in the AI/ML group")
    p.add_argument("--output", "-o", default=None, help="--compare: write the table as CSV here")
    p.set_defaults(func=run)


def compare(args: argparse.Namespace) -> int:
    from forecasting.cli.project import load_assumptions
    from forecasting.core.atomic import check_target, write_csv_atomic
    from forecasting.headcount import projection as headcount

    if not 1 <= len(args.compare) <= 4:
        raise UserInputError(f"--compare takes 1 to 4 scenarios, got {len(args.compare)}")
    many = [load_assumptions(spec) for spec in args.compare]
    horizon = many[0].horizon_years if args.horizon is None else args.horizon
    lo, hi = HORIZON_RANGE
    if not lo <= horizon <= hi:
        raise UserInputError(f"--horizon {horizon} is outside {lo}-{hi} years")
    many = [a.aligned(many[0].start_year, horizon) for a in many]
    if args.output:
        check_target(args.output, "--output")
    base = headcount.baseline_projection(max(baseline_horizon(a) for a in many))
    group = headlines.headline_group(args.include_small_base)
    table = analysis.comparison_table(base, many, group)
    if args.output:
        write_csv_atomic(table, Path(args.output))
        return 0
    shown = table.replace({"role": {totals.AI_ML_GROUP: "ai_ml_specialists*"}})
    sys.stdout.write(shown.to_string(index=False, float_format=lambda v: f"{v:,.2f}") + "\n")
    sys.stdout.write(f"* {headlines.group_label(group)}. US jobs; WEF's +"
                     f"{presets.WEF_GROWTH_TOTAL_PCT:g}% ({presets.WEF_PERIOD[0]}-"
                     f"{presets.WEF_PERIOD[1]}) is a global rate, compared as a rate only.\n")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.compare:
        return compare(args)
    if args.json_path:
        from forecasting.cli.project import load_assumptions
        a = load_assumptions(args.json_path)
    else:
        name = args.preset or "baseline"
        if name not in presets.PRESETS:
            raise UserInputError(f"--preset {name!r} is not valid; valid presets: "
                                 f"{', '.join(presets.PRESET_IDS)}")
        a = presets.preset(name)
    if args.describe:
        info = presets.PRESETS.get(a.preset)
        if info is not None:
            sys.stdout.write(f"{info.title}{' [ASSUMPTION]' if info.is_assumption else ''}\n"
                             f"Source: {info.source}\n{info.description}\n")
    if args.print_query:
        sys.stdout.write(urlencode(urlcodec.encode(a)) + "\n")
    if args.print_json or not (args.print_query or args.describe):
        sys.stdout.write(a.to_json() + "\n")
    return 0
