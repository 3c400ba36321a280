"""``python -m forecasting scenario``: show a preset or a saved assumptions file as JSON or as
the query string of a share link (the same one the Scenarios page builds)."""

from __future__ import annotations

import argparse
import sys
from urllib.parse import urlencode

from forecasting import scenarios
from forecasting.errors import UserInputError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "scenario", help="print a scenario's assumptions (JSON or share-link query string)",
        description="Print a preset (or validate an assumptions JSON file) as JSON, or as the "
                    "query string of a share link. Presets: "
                    + "; ".join(f"{k}: {v.title}" for k, v in scenarios.PRESETS.items()))
    src = p.add_mutually_exclusive_group()
    src.add_argument("--preset", default=None,
                     help=f"preset id: {', '.join(scenarios.PRESET_IDS)} (default: baseline)")
    src.add_argument("--json", dest="json_path", metavar="PATH",
                     help="validate and normalise an assumptions JSON file")
    p.add_argument("--print-json", action="store_true", help="print the assumptions as JSON (default)")
    p.add_argument("--print-query", action="store_true", help="print the share-link query string")
    p.add_argument("--describe", action="store_true", help="print the preset's source and meaning")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.json_path:
        from forecasting.commands.project import load_assumptions
        a = load_assumptions(args.json_path)
    else:
        name = args.preset or "baseline"
        if name not in scenarios.PRESETS:
            raise UserInputError(f"--preset {name!r} is not valid; valid presets: "
                                 f"{', '.join(scenarios.PRESET_IDS)}")
        a = scenarios.preset(name)
    if args.describe:
        info = scenarios.PRESETS.get(a.preset)
        if info is not None:
            sys.stdout.write(f"{info.title}{' [ASSUMPTION]' if info.is_assumption else ''}\n"
                             f"Source: {info.source}\n{info.description}\n")
    if args.print_query:
        sys.stdout.write(urlencode(a.to_query_params()) + "\n")
    if args.print_json or not (args.print_query or args.describe):
        sys.stdout.write(a.to_json() + "\n")
    return 0
