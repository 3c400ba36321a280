"""Page furniture shared by every page: app navigation, credits and source footers, number formats.

Number formatting lives here (not in forecasting/) because it is about how a figure reads on
screen; exported files keep the raw numbers.
"""

from __future__ import annotations

import math

import streamlit as st
from plotly.basedatatypes import BaseFigure

from forecasting.core import catalog
from forecasting.scenarios import presets
from forecasting.viz import style
from ui import data

CREDITS: tuple[str, ...] = (
    "Indeed Hiring Lab (CC BY 4.0)",
    "U.S. Bureau of Labor Statistics (OEWS, Employment Projections)",
    "ai-jobs.net salaries (CC0 1.0)",
    "NSF NCSES / Census ABS",
)


def use_app_navigation() -> None:
    """Tell Streamlit this app navigates with ``st.navigation`` (its "v2" pages).

    Streamlit treats an app that has a pages/ folder as a v1 multipage app until st.navigation
    runs once in the process, so a first visit straight to /demand would run that page without
    the shell on every later rerun too. dashboard.py and every page call this first thing (a
    page runs first on such a visit). It sets a private Streamlit class attribute; if that API
    moved, the v1 fallback is acceptable, so nothing is raised.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
        PagesManager.uses_pages_directory = False
    except (ImportError, AttributeError):  # pragma: no cover - private API moved
        pass


def baseline_footer() -> str:
    """Headcount charts' footer: the OEWS years behind the baseline, then what projected it."""
    return data.headcount_sources() + " Projection: statistical baseline."


def headcount_caption(roles, preset_id: str) -> str:
    """The Demand page's headcount chart caption: how to read it, each shown role's growth
    source (and a small-base warning), and the preset's own caveat when it is an assumption.
    One string, shown as one element (every element costs each lever move)."""
    bls = style.year_span(data.bls_role_paths()["year"], short_end=True)
    lines = [("Solid: OEWS history (May of each year). Dashed: projection; shaded: model "
              f"uncertainty (80% and 95% intervals). Dotted: BLS {bls} projection (all "
              "industries). Grey background: years beyond the backtested horizon. A role "
              "anchored to an outside figure or to your growth at blend weight 1, and the "
              "High/Low presets, are point paths.")]
    notes = data.role_growth_notes()
    for r in roles:  # roles carved from one occupation share its growth; small bases are fragile
        text = f"**{catalog.role(r).label}** grows with {notes[r]}."
        if r in data.small_base_roles():
            text += " Small base: its share rests on few ai-jobs.net records (band is wide)."
        lines.append(text)
    if (info := presets.PRESETS.get(preset_id)) is not None and info.is_assumption:
        lines.append(info.description)  # e.g. WEF: its period, its scope, a global count
    return "\n\n".join(lines)


def scenario_footer() -> str:
    """Headcount charts' footer for a scenario (the baseline re-grown by the user's assumptions)."""
    return data.headcount_sources() + " Projection: baseline re-grown by your assumptions."


def footer() -> None:
    """Data credits, required by the CC BY licence of the Indeed data and shown on every page."""
    st.divider()
    st.caption("Data: " + " · ".join(CREDITS) + ". Forecasts are model output, not official "
               "statistics; see *Data & methods* for every rule and assumption.")


def fmt_count(x: float | None, signed: bool = False) -> str:
    """People or jobs, rounded to whole numbers with thousands separators."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:+,.0f}" if signed else f"{x:,.0f}"


def fmt_compact(x: float | None, signed: bool = False) -> str:
    """Large counts for KPI cards: 1.2M, 34.5k."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    sign = ("+" if x >= 0 else "-") if signed else ("-" if x < 0 else "")
    a = abs(x)
    if a >= 1e6:
        return f"{sign}{a / 1e6:.2f}M"
    if a >= 1e4:
        return f"{sign}{a / 1e3:.0f}k"
    if a >= 1e3:
        return f"{sign}{a / 1e3:.1f}k"
    return f"{sign}{a:.0f}"


def fmt_pct(x: float | None, signed: bool = True, digits: int = 1) -> str:
    """A percentage given in percent units (12.3 -> '+12.3%')."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:+.{digits}f}%" if signed else f"{x:.{digits}f}%"


def fmt_usd(x: float | None) -> str:
    """Annual dollars, rounded to the dollar."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"${x:,.0f}"


class _FigureSpec(BaseFigure):
    """A figure as ``st.plotly_chart`` reads it (``to_dict()``), without plotly's deep copy and
    base64 pass over every array: ~5 ms a chart, the largest share of a chart's rerun cost. It
    hands over the figure's own data and layout, which Streamlit only serialises to JSON (the
    same JSON values: arrays as lists instead of typed arrays)."""

    def __init__(self, fig: BaseFigure):  # no BaseFigure.__init__: nothing to validate or copy
        self._spec = {"data": fig._data, "layout": fig._layout}

    def to_dict(self) -> dict:
        return self._spec


def plotly_chart(fig: BaseFigure, key: str) -> None:
    """``st.plotly_chart(fig, width="stretch", key=key)``, cheaper (``_FigureSpec``)."""
    st.plotly_chart(_FigureSpec(fig), width="stretch", key=key)

