"""Salary charts (Salary bands page): bands by role, ai-jobs.net next to BLS OEWS, projected bands.

Data traces carry the plotted numbers (medians on x/y; the other percentiles, n and the median
interval in ``customdata`` named by ``meta["columns"]``); bars and whiskers are decoration
(``meta={"data": False}``), so ``figure_data`` returns exactly the plotted data. "small n" cells
are drawn grey with their n; "suppressed" cells are listed in the footer, not drawn. Top-coded
BLS percentiles ('#') are never plotted as numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from forecasting.core import catalog
from forecasting.viz.style import rgba, style_figure
from forecasting.viz.traces import require_columns

SALARY_OTHER_COLOUR = "#BBBBBB"
SALARY_SMALL_N_COLOUR = "#A0A0A0"
SALARY_FOOTER = ("Source: ai-jobs.net salaries (CC0 1.0), self-reported and self-selected. "
                 "Grey: n < 30.")
SALARY_OEWS_FOOTER = ("Sources: ai-jobs.net (CC0 1.0, self-reported); U.S. BLS OEWS. "
                      "'≥ BLS cap': top-coded by BLS.")
SALARY_PROJECTION_FOOTER = ("Sources: ai-jobs.net (CC0 1.0); Indeed Wage Tracker (CC BY 4.0). "
                            "Percentiles x (1+g)^h; bars: median 95% interval.")
_SALARY_PCOLS = ["p10", "p25", "p50", "p75", "p90"]
_SALARY_CD_COLS = ["n", "p10", "p25", "p75", "p90", "p50_lo", "p50_hi"]


def _salary_label(role_id: str) -> str:
    try:
        return catalog.role(role_id).label
    except KeyError:
        return "Other titles" if role_id == "other" else str(role_id)


def _salary_colour(role_id: str, flag: str = "") -> str:
    if flag:
        return SALARY_SMALL_N_COLOUR
    return catalog.ROLE_COLOURS.get(role_id, SALARY_OTHER_COLOUR)


def _salary_range_bars(fig: go.Figure, y, lo, hi, colours, width: float, alpha: float, name: str) -> None:
    """Horizontal bar from lo to hi (decoration; numbers live on the median trace)."""
    fig.add_trace(go.Bar(
        y=y, x=np.asarray(hi, float) - np.asarray(lo, float), base=lo, orientation="h",
        width=width, marker={"color": [rgba(c, alpha) for c in colours], "line": {"width": 0}},
        name=name, hoverinfo="skip", showlegend=False, meta={"data": False}))


def salary_bands_chart(bands: pd.DataFrame, *, title: str = "Salary bands by role",
                       subtitle: str = "", footer: str | None = None) -> go.Figure:
    """Per role: P10-P90 thin bar, P25-P75 thick bar, median dot; small n grey with its n.

    bands: role, n, p10, p25, p50, p75, p90, p50_lo, p50_hi, flag (forecasting.salaries.bands.bands).
    """
    require_columns(bands, ["role", "n", *_SALARY_PCOLS, "p50_lo", "p50_hi", "flag"], "salary_bands_chart")
    shown = bands[bands["flag"] != "suppressed"].iloc[::-1]  # first role on top
    hidden = bands[bands["flag"] == "suppressed"]
    labels = [_salary_label(r) + (f" (n={n})" if f else "") for r, n, f in
              zip(shown["role"], shown["n"], shown["flag"])]
    colours = [_salary_colour(r, f) for r, f in zip(shown["role"], shown["flag"])]
    fig = go.Figure()
    _salary_range_bars(fig, labels, shown["p10"], shown["p90"], colours, 0.22, 0.55, "P10–P90")
    _salary_range_bars(fig, labels, shown["p25"], shown["p75"], colours, 0.6, 0.85, "P25–P75")
    fig.add_trace(go.Scatter(
        x=shown["p50"], y=labels, mode="markers", name="Median",
        marker={"size": 12, "color": "white", "symbol": "line-ns",
                "line": {"width": 3, "color": "black"}},
        error_x={"type": "data", "array": shown["p50_hi"] - shown["p50"],
                 "arrayminus": shown["p50"] - shown["p50_lo"], "thickness": 1.5, "width": 6,
                 "color": "black"},
        customdata=shown[_SALARY_CD_COLS].to_numpy(float), showlegend=False,
        meta={"fields": {"series": "ai-jobs.net"}, "columns": _SALARY_CD_COLS},
        hovertemplate=("<b>%{y}</b><br>median $%{x:,.0f} (95% CI $%{customdata[5]:,.0f}–"
                       "$%{customdata[6]:,.0f})<br>P10 $%{customdata[1]:,.0f} · P25 "
                       "$%{customdata[2]:,.0f} · P75 $%{customdata[3]:,.0f} · P90 "
                       "$%{customdata[4]:,.0f}<br>n = %{customdata[0]:,.0f}<extra></extra>")))
    note = ""
    if len(hidden):
        note = "Suppressed (n < 5): " + ", ".join(
            f"{_salary_label(r)} (n={n})" for r, n in zip(hidden["role"], hidden["n"]))
    full_title = title + (f"<br><sup>{subtitle}</sup>" if subtitle else "")
    style_figure(fig, title=full_title, x_title="Annual salary (USD)", y_title="Role",
                 footer=" ".join(x for x in (footer or SALARY_FOOTER, note) if x),
                 height=max(360, 110 + 48 * len(shown)))
    fig.update_xaxes(tickprefix="$", tickformat="~s")
    fig.update_layout(barmode="overlay", margin={"t": 90 if subtitle else 70})
    return fig


def salary_bls_comparison_chart(aijobs: pd.DataFrame, oews: pd.DataFrame, *, year: int,
                                footer: str | None = None) -> go.Figure:
    """US: ai-jobs.net band next to the BLS OEWS band of the role's SOC proxy, same year.

    aijobs: bands frame (US records). oews: salaries.oews_percentiles.oews_reference rows. Top-coded ('#')
    percentiles are never plotted as numbers: the bar stops at the last real percentile and
    the point is labelled "P90 ≥ BLS cap".
    """
    require_columns(aijobs, ["role", "n", *_SALARY_PCOLS, "flag"], "salary_bls_comparison_chart")
    require_columns(oews, ["role", "year", "soc", *_SALARY_PCOLS, "p90_flag", "p75_flag"],
             "salary_bls_comparison_chart")
    o = oews[oews["year"] == year].set_index("role")
    fig = go.Figure()
    rows = []
    for role_id in [r for r in catalog.ROLE_IDS if r in set(aijobs["role"])]:
        a = aijobs[aijobs["role"] == role_id].iloc[0]
        label = _salary_label(role_id)
        if a["flag"] != "suppressed":
            rows.append({"source": "ai-jobs.net", "y": f"{label} · ai-jobs (n={int(a['n'])})",
                         "role": role_id, **{c: a[c] for c in _SALARY_PCOLS}, "capped": ""})
        if role_id in o.index:
            b = o.loc[role_id]
            capped = ", ".join(f"P{p} ≥ BLS cap" for p in (10, 25, 50, 75, 90)
                               if b.get(f"p{p}_flag", "") == "#")
            hybrid = f" ({year} hybrid, not comparable)" if bool(b.get("hybrid", False)) else ""
            rows.append({"source": "BLS OEWS", "y": f"{label} · BLS {b['soc']}{hybrid}",
                         "role": role_id, **{c: b[c] for c in _SALARY_PCOLS}, "capped": capped})
    df = pd.DataFrame(rows).iloc[::-1]
    for source, alpha, symbol in (("ai-jobs.net", 0.85, "line-ns"), ("BLS OEWS", 0.35, "diamond")):
        d = df[df["source"] == source]
        if d.empty:
            continue
        colours = [_salary_colour(r) for r in d["role"]]
        hi90 = d["p90"].fillna(d["p75"]).fillna(d["p50"])
        hi75 = d["p75"].fillna(d["p50"])
        _salary_range_bars(fig, d["y"], d["p10"], hi90, colours, 0.22, alpha * 0.6, f"{source} P10–P90")
        _salary_range_bars(fig, d["y"], d["p25"], hi75, colours, 0.6, alpha, f"{source} P25–P75")
        cd = d[["p10", "p25", "p75", "p90"]].to_numpy(float)
        fig.add_trace(go.Scatter(
            x=d["p50"], y=d["y"], mode="markers+text", name=f"{source} median",
            text=d["capped"], textposition="middle right", textfont={"size": 10},
            marker={"size": 11, "symbol": symbol, "color": "black" if source != "BLS OEWS"
                    else "white", "line": {"width": 2, "color": "black"}},
            customdata=cd, meta={"fields": {"series": source}, "columns": ["p10", "p25", "p75",
                                                                             "p90"]},
            hovertemplate=("<b>%{y}</b><br>median $%{x:,.0f}<br>P10 $%{customdata[0]:,.0f} · "
                           "P25 $%{customdata[1]:,.0f} · P75 $%{customdata[2]:,.0f} · "
                           "P90 $%{customdata[3]:,.0f} %{text}<extra></extra>")))
    style_figure(fig, title=f"US salaries {year}: ai-jobs.net vs BLS OEWS (SOC proxy)",
                 x_title="Annual salary (USD)", y_title="Role · source",
                 footer=footer or SALARY_OEWS_FOOTER, height=max(420, 110 + 34 * len(df)))
    fig.update_xaxes(tickprefix="$", tickformat="~s")
    fig.update_layout(barmode="overlay", showlegend=False)
    fig.update_yaxes(categoryorder="array", categoryarray=list(df["y"]) if len(df) else [])
    return fig


def projected_roles(projected: pd.DataFrame, roles: Sequence[str]) -> list[str]:
    """The ``roles`` the projection chart draws: those with a row not suppressed (n >= 5);
    empty when the filters leave no role enough records to project."""
    flag = projected.groupby("role")["flag"].agg(lambda f: bool((f != "suppressed").any()))
    return [r for r in roles if bool(flag.get(r, False))]


def salary_projection_chart(projected: pd.DataFrame, roles: list[str] | tuple[str, ...], *,
                            footer: str | None = None, title: str | None = None) -> go.Figure:
    """Projected bands by year: P25-P75 shaded, median line with its widening 95% interval."""
    require_columns(projected, ["role", "year", "h", *_SALARY_PCOLS, "p50_lo", "p50_hi", "flag", "growth_pct"],
             "salary_projection_chart")
    fig = go.Figure()
    for role_id in projected_roles(projected, roles):
        d = projected[(projected["role"] == role_id)].sort_values("year")
        colour = _salary_colour(role_id)
        name = _salary_label(role_id) + (f" (n={int(d['n'].iloc[0])}, small n)"
                                  if (d["flag"] == "small n").any() else "")
        common = {"x": d["year"], "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip",
                  "legendgroup": role_id, "showlegend": False, "meta": {"data": False}}
        dotted = dict(common, line={"width": 1, "dash": "dot", "color": colour})
        fig.add_trace(go.Scatter(y=d["p10"], name=f"{name} P10", **dotted))
        fig.add_trace(go.Scatter(y=d["p90"], name=f"{name} P90", **dotted))
        fig.add_trace(go.Scatter(y=d["p25"], name=f"{name} P25", **common))
        fig.add_trace(go.Scatter(y=d["p75"], name=f"{name} P25–P75", fill="tonexty",
                                 fillcolor=rgba(colour, 0.18), **common))
        cd_cols = ["h", "p10", "p25", "p75", "p90", "p50_lo", "p50_hi"]
        fig.add_trace(go.Scatter(
            x=d["year"], y=d["p50"], name=name, mode="lines+markers", legendgroup=role_id,
            line={"color": colour, "width": 2.5, "dash": "solid"},
            error_y={"type": "data", "array": d["p50_hi"] - d["p50"],
                     "arrayminus": d["p50"] - d["p50_lo"], "color": colour, "thickness": 1.5},
            customdata=d[cd_cols].to_numpy(float),
            meta={"fields": {"series": role_id}, "columns": cd_cols},
            hovertemplate=(f"<b>{name}</b> %{{x}}<br>median $%{{y:,.0f}} (95% "
                           "$%{customdata[5]:,.0f}–$%{customdata[6]:,.0f})<br>P10 "
                           "$%{customdata[1]:,.0f} · P25 $%{customdata[2]:,.0f} · P75 "
                           "$%{customdata[3]:,.0f} · P90 $%{customdata[4]:,.0f}<extra></extra>")))
    g = float(projected["growth_pct"].iloc[0]) if len(projected) else float("nan")
    style_figure(fig, title=title or f"Projected salary bands at {g:.1f}% wage growth a year",
                 x_title="Year", y_title="Annual salary (USD)",
                 footer=footer or SALARY_PROJECTION_FOOTER)
    fig.update_yaxes(tickprefix="$", tickformat="~s")
    fig.update_xaxes(tickformat="d", dtick=1)
    return fig
