"""Headcount charts (Overview and Demand pages): employment by role over time with its
projection bands, the growth ranking, industry stacks and histories, and the jobs-added heatmap."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale

from forecasting.core import catalog, totals
from forecasting.core.errors import UserInputError
from forecasting.viz.style import industry_label, layout_dict, rgba, role_label, series_colour, wrap_title, year_span
from forecasting.viz.traces import BAND_COLS, add_series, interval_hover, make_figure, require_columns, trace, vline


def _aggregate_industries(frame: pd.DataFrame, value_cols: Sequence[str],
                          industry: str | None) -> dict[str, np.ndarray]:
    """Pick one industry, or sum industries to the role, as arrays sorted by role then year.

    Summing interval bounds across industries is exact when industries share the role's growth
    path (comonotonic), which is how the baseline projection splits a role; otherwise it is a
    conservative (wide) interval. The sum is ``core.totals.sum_by``, the kernel behind
    ``with_totals`` too; a missing value leaves a gap rather than a partial sum.
    """
    roles = frame["role"].to_numpy(object)
    years = frame["year"].to_numpy(np.int64)
    values = {c: frame[c].to_numpy(float) for c in value_cols}
    inds = frame["industry"].to_numpy(object) if "industry" in frame.columns else None
    if industry not in (None, "all", "total"):
        keep = inds == industry
    elif inds is not None and np.isin(inds, ["all", "total"]).any():
        keep = np.isin(inds, ["all", "total"])
    else:
        keep = None
    if keep is not None:
        order = np.lexsort((years[keep], roles[keep].astype(str)))
        return {"role": roles[keep][order], "year": years[keep][order],
                **{c: v[keep][order] for c, v in values.items()}}
    out = totals.sum_by({"role": roles, "year": years, **values}, ["role", "year"], list(values),
                        skipna=False)
    order = np.lexsort((out["year"], out["role"].astype(str)))
    return {c: v[order] for c, v in out.items()}


BEYOND_BACKTEST_LABEL = "beyond the backtested horizon"
BLS_LINE_NAME = "BLS projection"


def headcount_chart(history: pd.DataFrame, projection: pd.DataFrame, roles: Sequence[str],
                    industry: str | None = None, *, footer: str | None = None,
                    title: str | None = None, bls: pd.DataFrame | None = None,
                    backtested_until: int | None = None) -> go.Figure:
    """Yearly headcount by role: OEWS history solid, projection dashed with 80%/95% bands.

    history: role, industry, year, headcount. projection: role, industry, year, mean, lo_80..hi_95.
    ``industry=None`` sums industries to the role. ``bls`` (role, year, bls_mean) adds each
    role's BLS Employment Projections path, dotted (all industries only: BLS projects
    occupations, not sectors). Years after ``backtested_until`` are shaded and labelled
    "beyond the backtested horizon".
    """
    require_columns(history, ["role", "industry", "year", "headcount"], "headcount_chart history")
    require_columns(projection, ["role", "industry", "year", "mean", *BAND_COLS], "headcount_chart projection")
    roles = list(roles)
    if industry not in (None, "all", "total") and industry not in catalog.INDUSTRY_IDS:
        raise UserInputError(f"unknown industry {industry!r}; valid: {', '.join(catalog.INDUSTRY_IDS)}")
    hist = _aggregate_industries(history, ["headcount"], industry)
    proj = _aggregate_industries(projection, ["mean", *BAND_COLS], industry)
    traces: list[dict] = []
    for i, rid in enumerate(roles):
        h, p = hist["role"] == rid, proj["role"] == rid  # already sorted by year
        add_series(traces, name=role_label(rid), colour=series_colour(rid, i),
                    hist_x=hist["year"][h].astype(int), hist_y=hist["headcount"][h], fc=
                    {c: proj[c][p] for c in ("mean", *BAND_COLS)}, fc_x=proj["year"][p].astype(int),
                    x_hover="%{x}", y_fmt=",.0f", unit="people")
    if bls is not None and industry in (None, "all", "total"):
        require_columns(bls, ["role", "year", "bls_mean"], "headcount_chart bls")
        for i, rid in enumerate(roles):
            b = bls[bls["role"] == rid].sort_values("year")
            if b.empty:
                continue
            name = f"{role_label(rid)}: {BLS_LINE_NAME}"
            y0, span = int(b["year"].iloc[0]), year_span(b["year"], short_end=True)
            traces.append(trace(
                "scatter", x=b["year"].astype(int).to_numpy(), y=b["bls_mean"].to_numpy(float),
                mode="lines", name=name, legendgroup=role_label(rid),
                line={"color": series_colour(rid, i), "width": 1.8, "dash": "dot"},
                meta={"fields": {"series": name, "kind": "bls_projection"}},
                hovertemplate=(f"<b>{name}</b><br>%{{x}}: %{{y:,.0f}} people (BLS {span} rate "
                               f"from the May {y0} level)<extra></extra>")))
    shapes, annotations = [], []
    end = int(proj["year"].max()) if len(proj) else None
    if backtested_until is not None and end is not None and end > backtested_until:
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": backtested_until,
                       "x1": end + 0.5, "y0": 0, "y1": 1, "fillcolor": "rgba(128,128,128,0.12)",
                       "line": {"width": 0}, "layer": "below"})
        annotations.append({"xref": "x", "yref": "paper", "x": backtested_until, "y": 1.0,
                            "xanchor": "left", "yanchor": "bottom", "showarrow": False,
                            "text": BEYOND_BACKTEST_LABEL, "font": {"size": 11, "color": "#666"}})
    where = "all industries" if industry in (None, "all", "total") else industry_label(industry)
    lay = layout_dict(
        title=title or f"US employment by role, {where}: history and projection",
        x_title="Year (May)", y_title="Employment (people)", footer=footer,
        yaxis={"tickformat": "~s", "rangemode": "tozero"}, xaxis={"tickformat": "d", "dtick": 1})
    if shapes:
        lay["shapes"] = list(lay.get("shapes", [])) + shapes
        lay["annotations"] = list(lay.get("annotations", [])) + annotations
    return make_figure(traces, lay)


def growth_ranking(frame: pd.DataFrame, *, footer: str | None = None,
                   title: str = "Projected employment growth by role") -> go.Figure:
    """Roles ranked by growth (% per year): dot at the central value, 80% thick / 95% thin whiskers."""
    require_columns(frame, ["role", "growth_pct_per_year", *BAND_COLS], "growth_ranking")
    df = frame.sort_values("growth_pct_per_year").reset_index(drop=True)  # largest ends on top
    labels = [role_label(r) for r in df["role"]]
    colours = [series_colour(r, i) for i, r in enumerate(df["role"])]
    g = df["growth_pct_per_year"].to_numpy(float)
    b = {c: df[c].to_numpy(float) for c in BAND_COLS}
    traces = [
        trace("scatter",  # 95% whiskers: decoration
            x=g, y=labels, mode="markers", marker={"opacity": 0}, hoverinfo="skip",
            showlegend=False, name="95% interval", meta={"data": False},
            error_x={"type": "data", "array": b["hi_95"] - g, "arrayminus": g - b["lo_95"],
                     "thickness": 1.2, "width": 0, "color": "#999999"}),
        trace("scatter",  # 80% whiskers: decoration
            x=g, y=labels, mode="markers", marker={"opacity": 0}, hoverinfo="skip",
            showlegend=False, name="80% interval", meta={"data": False},
            error_x={"type": "data", "array": b["hi_80"] - g, "arrayminus": g - b["lo_80"],
                     "thickness": 5, "width": 0, "color": "#999999"}),
        trace("scatter",
            x=g, y=labels, mode="markers", name="Growth, % per year",
            marker={"size": 13, "color": colours,
                    "line": {"width": 1, "color": "rgba(128,128,128,0.8)"}},
            customdata=df[BAND_COLS].to_numpy(float), showlegend=False,
            meta={"fields": {}, "columns": BAND_COLS},
            hovertemplate=("<b>%{y}</b><br>Growth: %{x:.1f}% per year"
                           + interval_hover(".1f", "% per year").replace("% per year", "%") +
                           "<extra></extra>")),
    ]
    return make_figure(traces, layout_dict(
        title=title, x_title="Growth (% per year)", y_title="Role", footer=footer,
        height=max(360, 70 + 45 * len(df)), xaxis={"ticksuffix": "%", "zeroline": False},
        shapes=[vline(0, {"width": 1, "dash": "dot", "color": "rgba(128,128,128,0.8)"})]))


def industry_stack(frame: pd.DataFrame, role: str, *, footer: str | None = None,
                   title: str | None = None, projection_start: int | None = None) -> go.Figure:
    """One role's employment stacked across industries (the stack sums to the role).

    ``projection_start`` (a year) draws a dotted line where history ends and projection begins.
    """
    value = "mean" if "mean" in frame.columns else "headcount"
    require_columns(frame, ["role", "industry", "year", value], "industry_stack")
    df = frame[frame["role"] == role]
    if df.empty:
        raise UserInputError(f"industry_stack: no rows for role {role!r}; roles in frame: "
                             f"{', '.join(sorted(map(str, frame['role'].unique())))}")
    df = df.sort_values(["industry", "year"], kind="stable")
    inds = df["industry"].to_numpy(object)
    present = set(pd.unique(inds))
    order = [i for i in catalog.INDUSTRY_IDS if i in present]
    order += sorted(present - set(order))
    years, values = df["year"].to_numpy(int), df[value].to_numpy(float)
    traces = []
    for i, ind in enumerate(order):
        mask = inds == ind
        name = industry_label(ind)
        traces.append(trace(
            "scatter", x=years[mask], y=values[mask], name=name, mode="lines", stackgroup="one",
            line={"width": 0.8, "color": series_colour(ind, i)},
            fillcolor=rgba(series_colour(ind, i), 0.75),
            meta={"fields": {"series": name}},
            hovertemplate=f"<b>{name}</b><br>%{{x}}: %{{y:,.0f}} people<extra></extra>"))
    extra: dict = {}
    if projection_start is not None:
        line = {"width": 1.5, "dash": "dot", "color": "rgba(128,128,128,0.9)"}
        extra["shapes"] = [vline(projection_start, line)]
        extra["annotations"] = [{"text": "projection →", "x": projection_start, "xref": "x",
                                 "y": 1, "yref": "y domain", "xanchor": "left", "yanchor": "top",
                                 "showarrow": False}]
    lay = layout_dict(
        title=title or f"{role_label(role)}: US employment by industry",
        x_title="Year (May)", y_title="Employment (people)", footer=footer, legend="right",
        legend_traceorder="reversed",  # legend reads top-down like the stack
        yaxis={"tickformat": "~s"}, xaxis={"tickformat": "d", "dtick": 1},
        hovermode="x unified", **({"shapes": extra["shapes"]} if "shapes" in extra else {}))
    lay["annotations"] = lay["annotations"] + extra.get("annotations", [])
    return make_figure(traces, lay)


_PUOR = get_colorscale("PuOr")  # plotly.js has no "PuOr"; validation used to expand the name


def _ordered(present: Iterable[str], catalog_order: Sequence[str]) -> list[str]:
    present = set(present)
    return [x for x in catalog_order if x in present] + sorted(present - set(catalog_order))


def _role_rows(frame: pd.DataFrame, role: str, value: str) -> tuple[np.ndarray, ...]:
    """(industry, year, value) arrays of one role's rows."""
    keep = frame["role"].to_numpy(object) == role
    return (frame["industry"].to_numpy(object)[keep], frame["year"].to_numpy(int)[keep],
            frame[value].to_numpy(float)[keep])


def _by_year(years: np.ndarray, values: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, ...]:
    order = np.argsort(years[mask], kind="stable")
    return years[mask][order], values[mask][order]


def industry_history(history: pd.DataFrame, projection: pd.DataFrame, role: str, *,
                     footer: str | None = None, title: str | None = None,
                     note: str | None = None) -> go.Figure:
    """One role's employment by industry: the measured years solid (OEWS by sector), the
    projection dashed, on a log axis so equal slopes mean equal growth rates.

    history: role, industry, year, headcount (measured-mix years). projection: role, industry,
    year, mean. ``note`` (e.g. the share-trend label) is written under the title.
    """
    require_columns(history, ["role", "industry", "year", "headcount"], "industry_history history")
    require_columns(projection, ["role", "industry", "year", "mean"], "industry_history projection")
    # numpy, not pandas filters: a boolean filter on an Arrow-string column cost ~1 ms, and this
    # chart made 16 a Demand-page rerun (every growth lever redraws it)
    h_ind, h_year, h_val = _role_rows(history, role, "headcount")
    p_ind, p_year, p_val = _role_rows(projection, role, "mean")
    if not len(h_ind) and not len(p_ind):
        raise UserInputError(f"industry_history: no rows for role {role!r}")
    traces: list[dict] = []
    for i, ind in enumerate(_ordered(pd.unique(np.concatenate([h_ind, p_ind])),
                                     catalog.INDUSTRY_IDS)):
        name, colour = industry_label(ind), series_colour(ind, i)
        hx, hy = _by_year(h_year, h_val, h_ind == ind)
        px, py = _by_year(p_year, p_val, p_ind == ind)
        growth = ((hy[-1] / hy[0]) ** (1 / (hx[-1] - hx[0])) - 1) * 100 \
            if len(hx) > 1 and hy[0] > 0 else np.nan
        label = f"{hx[0]}–{hx[-1] % 100:02d}: {growth:+.1f}%/yr" if np.isfinite(growth) else ""
        if len(hx):
            traces.append(trace(
                "scatter", x=hx, y=hy, name=name, mode="lines+markers", legendgroup=name,
                line={"color": colour, "width": 2.5}, meta={"fields": {"series": name,
                                                                        "kind": "history"}},
                hovertemplate=(f"<b>{name}</b> (OEWS by sector)<br>%{{x}}: %{{y:,.0f}} people"
                               f"<br>{label}<extra></extra>")))
        if len(px):
            if len(hx) and hx[-1] < px[0]:  # dotted bridge: the unmeasured years in between
                traces.append(trace(
                    "scatter", x=[hx[-1], px[0]], y=[hy[-1], py[0]], mode="lines",
                    line={"color": colour, "width": 1.5, "dash": "dot"}, hoverinfo="skip",
                    showlegend=False, legendgroup=name, name=f"{name} bridge",
                    meta={"data": False}))
            traces.append(trace(
                "scatter", x=px, y=py, name=f"{name} (projection)", mode="lines",
                legendgroup=name, showlegend=not len(hx),
                line={"color": colour, "width": 2, "dash": "dash"},
                meta={"fields": {"series": name, "kind": "projection"}},
                hovertemplate=f"<b>{name}</b> (projection)<br>%{{x}}: %{{y:,.0f}} people<extra></extra>"))
    title = title or f"{role_label(role)}: US employment by industry"
    if note:
        title = f"{wrap_title(title)[0]}<br><sup>{'<br>'.join(textwrap.wrap(note, 105))}</sup>"
    return make_figure(traces, layout_dict(
        title=title, x_title="Year (May)", y_title="Employment (people, log scale)", footer=footer,
        height=560, yaxis={"type": "log", "tickformat": "~s"},
        xaxis={"tickformat": "d", "dtick": 1}))


def jobs_added_heatmap(frame: pd.DataFrame, *, footer: str | None = None,
                       title: str = "Jobs added by role and industry") -> go.Figure:
    """Role x industry jobs added (people), diverging around zero, the number in each cell:
    levels differ across industries even where growth rates do not."""
    require_columns(frame, ["role", "industry", "jobs_added"], "jobs_added_heatmap")
    r_col, i_col = frame["role"].to_numpy(object), frame["industry"].to_numpy(object)
    roles = _ordered(pd.unique(r_col), catalog.ROLE_IDS)
    inds = _ordered(pd.unique(i_col), catalog.INDUSTRY_IDS)
    z = np.full((len(roles), len(inds)), np.nan)
    r_pos, i_pos = {r: k for k, r in enumerate(roles)}, {i: k for k, i in enumerate(inds)}
    for r, i, v in zip(r_col, i_col, frame["jobs_added"].to_numpy(float)):
        z[r_pos[r], i_pos[i]] = v
    text = np.vectorize(lambda v: "" if not np.isfinite(v) else
                        f"{v:+,.0f}" if abs(v) < 1e4 else f"{v / 1e3:+,.1f}k")(z)
    lim = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
    traces = [trace(
        "heatmap", z=z, x=["<br>".join(textwrap.wrap(industry_label(i), 16)) for i in inds],
        y=[role_label(r) for r in roles], colorscale=_PUOR, zmid=0, zmin=-lim, zmax=lim,
        name="Jobs added (people)", text=text, texttemplate="%{text}", meta={"fields": {}},
        colorbar={"title": {"text": "people"}, "tickformat": "~s"},
        hovertemplate="<b>%{y}</b> in %{x}<br>Jobs added: %{z:+,.0f} people<extra></extra>")]
    return make_figure(traces, layout_dict(
        title=title, x_title="Industry", y_title="Role", footer=footer,
        height=max(420, 190 + 45 * len(roles)), footer_shift=95,
        yaxis={"autorange": "reversed"}, xaxis={"tickangle": 0, "side": "bottom"}))
