"""``python -m forecasting project``: the headcount projection under a scenario, as CSV.

Same engine and numbers as the Scenarios page: the cached statistical baseline with the
scenario's assumptions applied (no refit).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from forecasting.core.atomic import write_csv_atomic
from forecasting.core.errors import UserInputError
from forecasting.scenarios import engine, presets
from forecasting.scenarios.assumptions import HORIZON_RANGE, Assumptions, baseline_horizon

COLUMNS = ["role", "industry", "year", "mean", "lo_80", "hi_80", "lo_95", "hi_95", "scenario",
           "growth_source", "flag"]
OCCUPATION_COLUMNS = ["soc", "soc_title", "year", "mean", "lo_80", "hi_80", "lo_95", "hi_95",
                      "roles"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "project", help="role x industry headcount projection under a scenario, to CSV",
        description="Apply a scenario (a preset or an assumptions JSON file) to the statistical "
                    "headcount baseline and write role, industry, year, mean, lo_80, hi_80, "
                    "lo_95, hi_95, scenario. The interval columns are MODEL uncertainty: the "
                    "baseline's 80% and 95% predictive intervals. A point path has none, so its "
                    "interval columns equal mean: an anchored role (WEF, BLS, or your own role "
                    "growth at blend weight 1) and the High/Low presets (which are the baseline's "
                    "80% bounds). A blend with weight w keeps (1 - w) of the model's band (log "
                    "scale); roles without an anchor keep the whole band. growth_source names the "
                    "occupation whose projection a role follows (roles carved from one "
                    "occupation share its growth); flag is 'small base' for a role resting on "
                    "few records (NLP scientist). --by occupation writes the baseline projection "
                    "of each occupation the roles rest on: soc, soc_title, year, mean, lo_80, "
                    "hi_80, lo_95, hi_95, roles (the roles carved from it sum to its row).")
    p.add_argument("--scenario", default="baseline",
                   help=f"preset ({', '.join(presets.PRESET_IDS)}) or PATH.json of saved "
                        "assumptions (default: baseline)")
    p.add_argument("--horizon", type=int, default=None,
                   help="years ahead, 1-10 (default: the scenario's own horizon)")
    p.add_argument("--with-totals", action="store_true",
                   help="also write role totals (industry 'all'), the AI/ML-specialist group and "
                        "the grand total (role 'all')")
    p.add_argument("--by", choices=("cell", "occupation"), default="cell",
                   help="cell: one row per role x industry x year (default); occupation: the "
                        "baseline per BLS occupation (only with --scenario baseline)")
    p.add_argument("--output", "-o", required=True, help="CSV file to write")
    p.set_defaults(func=run)


def load_assumptions(spec: str) -> Assumptions:
    """A preset id, or a JSON file written by ``scenario --print-json`` / the app."""
    if spec in presets.PRESETS:
        return presets.preset(spec)
    path = Path(spec)
    if path.suffix.lower() != ".json":
        raise UserInputError(f"--scenario {spec!r} is neither a preset "
                             f"({', '.join(presets.PRESET_IDS)}) nor a .json file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserInputError(f"--scenario file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserInputError(f"--scenario file {path} cannot be read: {exc}") from None
    try:
        return Assumptions.from_json(text)
    except UserInputError as exc:
        raise UserInputError(f"--scenario file {path}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    a = load_assumptions(args.scenario)
    if args.horizon is not None:
        lo, hi = HORIZON_RANGE
        if not lo <= args.horizon <= hi:
            raise UserInputError(f"--horizon {args.horizon} is outside {lo}-{hi} years")
        a = a.aligned(a.start_year, args.horizon)
    from forecasting.core import totals as reconcile
    from forecasting.headcount import projection as headcount

    if args.by == "occupation":
        if args.scenario != "baseline":
            raise UserInputError("--by occupation projects the statistical baseline only; use "
                                 "--scenario baseline (scenarios act on roles: use --by cell)")
        occ = headcount.occupation_projection(a.horizon_years)
        sh = headcount.role_shares()
        carved = sh.groupby("growth_soc")["role"].agg(lambda r: ", ".join(r))
        occ["roles"] = occ["soc"].map(carved).fillna("")
        write_csv_atomic(occ[OCCUPATION_COLUMNS], Path(args.output))
        return 0
    baseline = headcount.baseline_projection(
        horizon_years=baseline_horizon(a), automotive_share=None)
    out = engine.apply_scenario(baseline, a)
    if args.with_totals:
        out = reconcile.with_totals(out)
    roles = headcount.growth_sources().set_index("role")["growth_source"]
    out["growth_source"] = out["role"].map(roles).fillna("")
    from forecasting.headcount import role_levels

    small = set(role_levels.small_base_roles())
    out["flag"] = out["role"].map(lambda r: headcount.SMALL_BASE_FLAG if r in small else "")
    write_csv_atomic(out[COLUMNS], Path(args.output))
    return 0
