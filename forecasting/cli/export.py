"""``python -m forecasting export``: one chart as PNG/SVG/PDF/HTML/CSV, without a browser UI.

Same factories and numbers as the dashboard: the headcount baseline (or a scenario applied to
it, as in ``project``) and the cached postings forecasts.
"""

from __future__ import annotations

import argparse

import pandas as pd
import plotly.graph_objects as go

from forecasting.core import catalog
from forecasting.core.atomic import check_target
from forecasting.core.errors import UserInputError
from forecasting.viz import export, timeseries
from forecasting.viz import headcount as headcount_charts

CHARTS: dict[str, str] = {
    "headcount": "role employment history + projection with 80/95% intervals (--role, --industry)",
    "postings": "a role's monthly demand-signal postings series + forecast (--role)",
    "ranking": "roles ranked by projected growth, % per year, with intervals",
    "industry-stack": "one role's employment stacked by industry, history + projection (--role)",
    "industry-history": "one role's employment by industry, OEWS by-sector years + projection "
                        "(--role)",
    "jobs-added": "role x industry jobs added over the horizon, people",
}
BANDS = ["mean", "lo_80", "hi_80", "lo_95", "hi_95"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export", help="write one chart as png, svg, pdf, html or csv",
        description="Write one dashboard chart to a file. Charts: "
                    + "; ".join(f"{k}: {v}" for k, v in CHARTS.items()))
    p.add_argument("--chart", required=True, help=f"one of: {', '.join(CHARTS)}")
    p.add_argument("--role", help=f"role id ({', '.join(catalog.ROLE_IDS)}); headcount: default "
                                  "all roles; postings and industry-stack: required")
    p.add_argument("--industry", help=f"industry id for headcount ({', '.join(catalog.INDUSTRY_IDS)}); "
                                      "default: all industries summed")
    p.add_argument("--format", required=True, help=f"one of: {', '.join(export.FORMATS)}")
    p.add_argument("--output", "-o", required=True, help="file to write (written atomically)")
    p.add_argument("--scenario", default=None,
                   help="headcount charts: a preset or assumptions .json (as in `project`); "
                        "default: the statistical baseline")
    p.add_argument("--model", default="auto",
                   help="postings: model whose forecast to draw (default auto = the model that "
                        "won this series' backtest)")
    p.add_argument("--horizon", type=int, default=5,
                   help="years ahead for headcount charts and growth rates, 1-10 (default 5)")
    p.add_argument("--width", type=int, default=export.DEFAULT_WIDTH, help="image width, px")
    p.add_argument("--height", type=int, default=None, help="image height, px (default: chart's)")
    p.add_argument("--scale", type=float, default=export.DEFAULT_SCALE, help="image pixel scale")
    p.add_argument("--cdn", action="store_true",
                   help="html: load plotly.js from the CDN instead of embedding it (smaller file)")
    p.set_defaults(func=run)


# ---------------------------------------------------------------- argument checks
def _check_role(role: str | None, chart: str, required: bool) -> str | None:
    if role is None:
        if required:
            raise UserInputError(f"--chart {chart} needs --role; valid roles: "
                                 f"{', '.join(catalog.ROLE_IDS)}")
        return None
    if role not in catalog.ROLE_IDS:
        raise UserInputError(f"unknown --role {role!r}; valid roles: {', '.join(catalog.ROLE_IDS)}")
    return role


def _check_args(args: argparse.Namespace) -> tuple[str, str]:
    chart = args.chart.strip().lower()
    if chart not in CHARTS:
        raise UserInputError(f"unknown --chart {args.chart!r}; valid charts: {', '.join(CHARTS)}")
    fmt = args.format.strip().lower().lstrip(".")
    if fmt not in export.FORMATS:
        raise UserInputError(f"unknown --format {args.format!r}; valid formats: "
                             f"{', '.join(export.FORMATS)}")
    if args.industry is not None and args.industry not in catalog.INDUSTRY_IDS:
        raise UserInputError(f"unknown --industry {args.industry!r}; valid industries: "
                             f"{', '.join(catalog.INDUSTRY_IDS)}")
    if args.industry is not None and chart != "headcount":
        raise UserInputError(f"--industry applies to --chart headcount only, not {chart}")
    if not 1 <= args.horizon <= 10:
        raise UserInputError(f"--horizon {args.horizon} is outside 1-10 years")
    if args.width <= 0 or (args.height is not None and args.height <= 0) or args.scale <= 0:
        raise UserInputError("--width, --height and --scale must be positive")
    check_target(args.output, "--output")
    return chart, fmt


# ---------------------------------------------------------------- data for each chart
def _projection(args: argparse.Namespace) -> tuple[pd.DataFrame, str]:
    """role x industry projection (baseline or scenario) and a footer naming its method."""
    from forecasting.headcount import projection as headcount
    if args.scenario is None:
        proj = headcount.baseline_projection(horizon_years=args.horizon)
        how = ("Projection: statistical baseline (OEWS trend shrunk by a hierarchical model of "
               "all ~830 occupations; 80/95% predictive intervals, panel-backtested).")
    else:
        from forecasting.cli.project import load_assumptions
        from forecasting.scenarios import engine
        from forecasting.scenarios.assumptions import baseline_horizon
        a = load_assumptions(args.scenario)
        a = a.aligned(a.start_year, args.horizon)
        base = headcount.baseline_projection(
            horizon_years=baseline_horizon(a))
        proj = engine.apply_scenario(base, a)
        how = f"Projection: scenario '{a.label}' applied to the statistical baseline."
    return proj[["role", "industry", "year", *BANDS]], how


def _history_footer(history: pd.DataFrame) -> str:
    return (f"Source: BLS OEWS national and by-sector employment, May {int(history['year'].min())}–"
            f"{int(history['year'].max())}; role rules in the catalog (measured/proxy/derived).")


def build_figure(chart: str, args: argparse.Namespace) -> go.Figure:
    """The figure for one chart name (arguments already checked)."""
    if chart == "postings":
        return _postings_figure(_check_role(args.role, chart, True), args.model)
    from forecasting.headcount import industry_mix
    from forecasting.headcount import projection as headcount
    history = industry_mix.role_industry_history()
    proj, how = _projection(args)
    footer = f"{_history_footer(history)} {how}"
    y0 = int(proj["year"].min())
    if chart == "headcount":
        role = _check_role(args.role, chart, False)
        roles = [role] if role else list(catalog.ROLE_IDS)
        from forecasting.headcount import backtest as headcount_backtest
        from forecasting.sources import files
        until = files.latest_oews_year() + headcount_backtest.validated_horizon()
        return headcount_charts.headcount_chart(history, proj, roles, args.industry, footer=footer,
                                      bls=headcount.bls_role_paths(), backtested_until=until)
    if chart == "industry-history":
        role = _check_role(args.role, chart, True)
        measured = industry_mix.role_industry_history(measured_only=True)
        return headcount_charts.industry_history(
            measured, proj, role, footer=footer,
            note=industry_mix.share_trend_summary(industry_mix.share_trend()),
            title=f"{catalog.role(role).label}: US employment by industry, measured and projected")
    if chart == "industry-stack":
        role = _check_role(args.role, chart, True)
        cells = pd.concat([history[history["year"] < y0].rename(columns={"headcount": "mean"}),
                           proj[["role", "industry", "year", "mean"]]], ignore_index=True)
        return headcount_charts.industry_stack(
            cells, role, footer=footer, projection_start=y0,
            title=f"{catalog.role(role).label}: US employment by industry, history and projection")
    _check_role(args.role, chart, False)
    span = f"{y0}–{min(y0 + args.horizon, int(proj['year'].max()))}"
    if chart == "ranking":
        frame = headcount.growth_rates(proj, ("role",), args.horizon)
        if args.role:
            frame = frame[frame["role"] == args.role]
        return headcount_charts.growth_ranking(frame, footer=footer,
                                     title=f"Projected US employment growth by role, {span}")
    from forecasting.scenarios import engine
    frame = engine.jobs_added_by_cell(proj[proj["year"] <= y0 + args.horizon])  # jobs-added
    if args.role:
        frame = frame[frame["role"] == args.role]
    return headcount_charts.jobs_added_heatmap(frame, footer=footer,
                                     title=f"US jobs added by role and industry, {span}")


def _postings_figure(role: str, model: str = "auto") -> go.Figure:
    from forecasting.postings import pipeline
    from forecasting.sources import indeed
    sid = catalog.role(role).demand_signal
    history = indeed.load_postings_monthly()
    history = history[history["series_id"] == sid]
    base = pipeline.postings_baseline()
    fc = base.forecasts[base.forecasts["series_id"] == sid]
    if history.empty or fc.empty:
        raise UserInputError(f"no postings series {sid!r} (demand signal of {role}) in the data")
    available = sorted(map(str, fc["model"].unique())) if "model" in fc.columns else []
    chosen = _chosen_model(base, sid, fc) if model == "auto" else model
    if available:
        if chosen not in available:
            raise UserInputError(f"no forecast by model {chosen!r} for {sid}; available: "
                                 f"auto, {', '.join(available)}")
        fc = fc[fc["model"] == chosen]
    info = indeed.postings_catalog().set_index("series_id").loc[sid]
    return timeseries.forecast_chart(
        history, fc, f"{info['label']}: monthly postings and '{chosen}' forecast",
        f"Postings ({info['unit']})", unit=str(info["unit"]), labels={sid: str(info["label"])},
        footer=(f"Source: {info['credit']}. Demand signal for {catalog.role(role).label}: postings, "
                f"NOT headcount. Forecast: '{chosen}' model, 80%/95% intervals."))


def _chosen_model(base, sid: str, fc: pd.DataFrame) -> str:
    """The model the pipeline picked for this series (its ``choice``), else 'auto'."""
    choice = getattr(base, "choice", None)
    if isinstance(choice, dict) and sid in choice:
        return str(choice[sid])
    if isinstance(choice, pd.DataFrame) and {"series_id", "model"} <= set(choice.columns):
        hit = choice.loc[choice["series_id"] == sid, "model"]
        if len(hit):
            return str(hit.iloc[0])
    if isinstance(choice, pd.Series) and sid in choice.index:
        return str(choice[sid])
    if "model" in fc.columns and fc["model"].nunique() == 1:
        return str(fc["model"].iloc[0])
    return "auto"


def run(args: argparse.Namespace) -> int:
    chart, fmt = _check_args(args)
    fig = build_figure(chart, args)
    blob = export.to_bytes(fig, fmt, width=args.width, height=args.height, scale=args.scale,
                           include_plotlyjs="cdn" if args.cdn else True)
    path = export.write_atomic(args.output, blob)
    print(f"wrote {path} ({len(blob):,} bytes, {chart}, {fmt})")
    return 0
