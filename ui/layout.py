"""Page furniture shared by every page: credits footer, "coming soon" guard, number formats.

Number formatting lives here (not in forecasting/) because it is about how a figure reads on
screen; exported files keep the raw numbers.
"""

from __future__ import annotations

import importlib
import math
from types import ModuleType

import streamlit as st
from plotly.basedatatypes import BaseFigure
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

try:  # see below
    from streamlit.runtime.pages_manager import PagesManager
    # Streamlit treats an app that has a pages/ folder as a v1 multipage app until st.navigation
    # runs once in the process, so a first visit straight to /demand would run that page without
    # the shell on every later rerun too. Every page imports this module, so say "v2" here.
    PagesManager.uses_pages_directory = False
except (ImportError, AttributeError):  # pragma: no cover - private API moved; v1 fallback is ok
    pass

CREDITS: tuple[str, ...] = (
    "Indeed Hiring Lab (CC BY 4.0)",
    "U.S. Bureau of Labor Statistics (OEWS, Employment Projections)",
    "ai-jobs.net salaries (CC0 1.0)",
    "NSF NCSES / Census ABS",
)

#: Chart footers naming where headcount numbers really come from (forecasting.headcount.projection rules).
HEADCOUNT_SOURCES = ("Source: U.S. BLS OEWS May 2021–2025 (employment by SOC and sector); role "
                     "levels via ai-jobs.net title ratios (CC0) and Indeed AI share (CC BY 4.0).")
BASELINE_FOOTER = HEADCOUNT_SOURCES + " Projection: statistical baseline."
SCENARIO_FOOTER = HEADCOUNT_SOURCES + " Projection: baseline re-grown by your assumptions."


class ComingSoon(StopException):
    """Raised after telling the user a part is not built yet; dashboard.py ends the page there
    (and still draws the footer). A StopException, so a page run on its own ends quietly too."""


def require(*module_names: str) -> list[ModuleType]:
    """Import the modules a page section needs; if one is not built yet, say so kindly and end
    the page at this point.

    Only a missing module is treated as "coming soon": any other error inside a module is a bug
    and must surface, not be hidden behind a friendly message.
    """
    modules = []
    for name in module_names:
        try:
            modules.append(importlib.import_module(name))
        except ImportError as exc:
            st.info(f"This part of the dashboard is coming soon: `{name}` is still being built "
                    f"({exc.__class__.__name__}: {exc}).", icon=":material/construction:")
            raise ComingSoon(name) from exc
    return modules


def available(*module_names: str) -> bool:
    """True when every module imports; else shows the same "coming soon" note and returns False,
    so a page can skip one section and go on with the rest."""
    try:
        require(*module_names)
    except ComingSoon:
        return False
    return True


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


def _downloads() -> ModuleType | None:
    try:
        return importlib.import_module("ui.downloads")
    except ImportError:
        return None


def chart_downloads(fig, name: str, key: str, label: str | None = None) -> None:
    """Download buttons under a chart (ui.downloads), or a note while that module is built."""
    mod = _downloads()
    if mod is None:
        st.caption("Chart downloads are coming soon.")
    else:
        mod.chart_downloads(fig, name, key=key, label=label)


def report_download(figures, tables, assumptions, key: str) -> None:
    """The page's report bundle (ZIP) button, or a note while ui.downloads is built."""
    mod = _downloads()
    if mod is None:
        st.caption("The report bundle download is coming soon.")
    else:
        mod.report_download(figures, tables, assumptions, key=key)
