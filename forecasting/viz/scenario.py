"""Scenario charts (Scenarios and Demand pages): scenarios compared against the baseline's
band, the sensitivity tornado and the decomposition of a projected change by component."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from forecasting.core.errors import UserInputError
from forecasting.viz.style import COMPONENT_COLOURS, MAX_SCENARIOS, OKABE_ITO, SCENARIO_COLOURS, layout_dict
from forecasting.viz.traces import make_figure, require_columns, trace, vline

REFERENCE_NAME = "Statistical baseline: 80% interval (model uncertainty)"


def scenario_comparison(frame: pd.DataFrame, *, footer: str | None = None,
                        title: str = "Scenarios compared", y_title: str = "Employment (people)",
                        unit: str = "people", reference: pd.DataFrame | None = None) -> go.Figure:
    """Up to four scenarios as lines. Bands mean model uncertainty, so the only band drawn is
    the statistical baseline's 80% interval (``reference``: year, lo_80, hi_80), for reference;
    anchored scenarios are point paths and High/Low are themselves the band's edges."""
    require_columns(frame, ["scenario", "year", "mean", "lo_80", "hi_80"], "scenario_comparison")
    names = list(dict.fromkeys(frame["scenario"].astype(str)))
    if len(names) > MAX_SCENARIOS:
        raise UserInputError(f"scenario_comparison: {len(names)} scenarios given, at most "
                             f"{MAX_SCENARIOS} can be compared ({', '.join(names)})")
    traces: list[dict] = []
    if reference is not None and len(reference):
        require_columns(reference, ["year", "lo_80", "hi_80"], "scenario_comparison reference")
        ref = reference.sort_values("year")
        x = ref["year"].to_numpy(int)
        traces += [
            trace("scatter", x=x, y=ref["lo_80"], mode="lines", line={"width": 0}, hoverinfo="skip",
                showlegend=False, legendgroup="reference", meta={"data": False},
                name=f"{REFERENCE_NAME} lower"),
            trace("scatter", x=x, y=ref["hi_80"], mode="lines", line={"width": 0}, hoverinfo="skip",
                legendgroup="reference", meta={"data": False}, fill="tonexty",
                fillcolor="rgba(128,128,128,0.22)", name=REFERENCE_NAME),
        ]
    dashes = ("solid", "dash", "dot", "dashdot")  # second cue besides colour
    scen = frame["scenario"].astype(str).to_numpy(object)
    for i, name in enumerate(names):
        d = frame[scen == name].sort_values("year")
        traces.append(trace(
            "scatter", x=d["year"].to_numpy(int), y=d["mean"], mode="lines+markers", name=name,
            legendgroup=name, line={"color": SCENARIO_COLOURS[i], "width": 2.5, "dash": dashes[i]},
            customdata=d[["lo_80", "hi_80"]].to_numpy(float),
            meta={"fields": {"series": name}, "columns": ["lo_80", "hi_80"]},
            hovertemplate=(f"<b>{name}</b><br>%{{x}}: %{{y:,.0f}} {unit}<br>own 80% band: "
                           f"%{{customdata[0]:,.0f}}–%{{customdata[1]:,.0f}} {unit}"
                           "<extra></extra>")))
    return make_figure(traces, layout_dict(
        title=title, x_title="Year", y_title=y_title, footer=footer,
        yaxis={"tickformat": "~s"}, xaxis={"tickformat": "d", "dtick": 1}))


def tornado(frame: pd.DataFrame, *, footer: str | None = None,
            title: str = "Which assumption moves the result most",
            x_title: str = "Employment in the final year (people)", unit: str = "people") -> go.Figure:
    """Sensitivity: bars from the base value to the low and high outcomes, largest swing on top."""
    require_columns(frame, ["assumption", "step_label", "value_low", "value_high", "base_value"], "tornado")
    df = frame.assign(_swing=(frame["value_high"] - frame["value_low"]).abs())
    df = df.sort_values("_swing", ascending=False).reset_index(drop=True)
    labels = df["assumption"].astype(str).tolist()
    base = df["base_value"].to_numpy(float)
    traces = []
    for side, colour, nice in (("value_low", "#D55E00", "Low"), ("value_high", "#0072B2", "High")):
        v = df[side].to_numpy(float)
        traces.append(trace(
            "bar", y=labels, x=v - base, base=base.tolist(), orientation="h",
            name=f"{nice} setting", marker={"color": colour},
            customdata=np.column_stack([v, base, df["step_label"].astype(str).to_numpy(object)]),
            meta={"fields": {"series": f"{nice} setting"},
                  "columns": ["value", "base_value", "step_label"]},
            hovertemplate=(f"<b>%{{y}}</b> ({nice.lower()}: %{{customdata[2]}})<br>"
                           f"Result: %{{customdata[0]:,.0f}} {unit}<br>"
                           f"Base: %{{customdata[1]:,.0f}} {unit}<extra></extra>")))
    shapes = ([vline(float(base[0]), {"width": 1, "dash": "dot", "color": "rgba(128,128,128,0.9)"})]
              if len(df) else [])
    return make_figure(traces, layout_dict(
        title=title, x_title=x_title, y_title="Assumption", footer=footer,
        height=max(360, 140 + 40 * len(df)), barmode="overlay",
        yaxis={"autorange": "reversed", "automargin": True}, xaxis={"tickformat": "~s"},
        shapes=shapes))


def decomposition(frame: pd.DataFrame, *, footer: str | None = None,
                  title: str = "What drives the projected change",
                  y_title: str = "Change in employment (people)", unit: str = "people") -> go.Figure:
    """Contribution of data trend, anchor, shock and cap per year, stacked, with their total."""
    require_columns(frame, ["year", "component", "value"], "decomposition")
    present = set(frame["component"].astype(str))
    comps = [c for c in COMPONENT_COLOURS if c in present]
    comps += sorted(present - set(comps))
    traces = []
    comp_col = frame["component"].astype(str).to_numpy(object)
    for i, comp in enumerate(comps):
        d = frame[comp_col == comp].sort_values("year")
        traces.append(trace(
            "bar", x=d["year"].to_numpy(int), y=d["value"], name=comp,
            marker={"color": COMPONENT_COLOURS.get(comp, OKABE_ITO[i % len(OKABE_ITO)])},
            meta={"fields": {"series": comp}},
            hovertemplate=f"<b>{comp}</b><br>%{{x}}: %{{y:+,.0f}} {unit}<extra></extra>"))
    total = frame.groupby("year", as_index=False)["value"].sum().sort_values("year")
    traces.append(trace(
        "scatter", x=total["year"].to_numpy(int), y=total["value"], name="Total",
        mode="lines+markers",
        line={"color": "rgba(128,128,128,1)", "width": 2}, marker={"symbol": "diamond", "size": 8},
        meta={"fields": {"series": "Total"}},
        hovertemplate=f"<b>Total</b><br>%{{x}}: %{{y:+,.0f}} {unit}<extra></extra>"))
    return make_figure(traces, layout_dict(
        title=title, x_title="Year", y_title=y_title, footer=footer, barmode="relative",
        yaxis={"tickformat": "~s"}, xaxis={"tickformat": "d", "dtick": 1}))
