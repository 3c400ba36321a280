"""Download buttons for charts and the report bundle.

Files are built lazily: ``st.download_button`` gets a callable, which Streamlit runs only when
the user clicks (on its own thread), so rendering a page never pays for PNGs nobody asked for.
``on_click="ignore"`` keeps a download from rerunning the app.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from forecasting.viz import export

LABELS: dict[str, str] = {"png": "PNG", "svg": "SVG", "pdf": "PDF", "html": "HTML", "csv": "CSV"}
HELP: dict[str, str] = {
    "png": "Image for slides (1200x700 px at 2x, white background)",
    "svg": "Vector image (scales without blur)",
    "pdf": "Vector PDF for reports",
    "html": "Interactive chart, opens in any browser (plotly.js included, works offline)",
    "csv": "Exactly the numbers plotted (trace, x, y, interval bounds)",
}


def as_figure(fig) -> go.Figure:
    """The ``go.Figure`` to export: ``fig`` itself, the one of a ``charts.DeferredFigure``
    (built on first use), or, for a zero-argument callable, of what it returns when the
    button is clicked (a chart redrawn since the button was drawn)."""
    from forecasting.viz.traces import DeferredFigure
    if callable(fig) and not isinstance(fig, go.Figure):
        fig = fig()
    return fig.figure() if isinstance(fig, DeferredFigure) else fig


def _builder(fig: go.Figure, fmt: str) -> Callable[[], bytes]:
    # No defensive go.Figure(fig) copy: it costs ~0.1 s per button per rerun, and pages build
    # a fresh figure on every run anyway.
    return lambda: export.to_bytes(as_figure(fig), fmt)


#: Seconds to wait before warming the image server, so launching Chromium does not compete with
#: the first page render for the CPU (2 shared cores).
WARM_UP_DELAY_S = 8.0


@st.cache_resource(show_spinner=False)
def start_export_warm_up(delay_s: float = WARM_UP_DELAY_S) -> threading.Thread:
    """Once per server process: start the image server in a background thread after a delay,
    so the first PNG download is ~0.5 s instead of 3-9 s, without blocking the first render."""
    def run() -> None:
        time.sleep(delay_s)
        export.warm_up(background=False)

    t = threading.Thread(target=run, daemon=True, name="image-export-warm-up-delayed")
    t.start()
    return t


def chart_downloads(fig: go.Figure, name: str, key: str, label: str | None = None) -> None:
    """A compact row of PNG / SVG / PDF / HTML / CSV buttons under a chart (``label`` first,
    for a row away from its chart). ``fig`` may be a callable: see ``as_figure``."""
    stem = export.safe_filename(name)
    ok, reason = export.image_export_available()
    row = st.container(horizontal=True, gap="small", key=f"{key}__downloads",
                       vertical_alignment="center")
    with row:
        if label:
            st.caption(label)
        for fmt in export.FORMATS:
            unavailable = fmt in export.IMAGE_FORMATS and not ok
            st.download_button(
                LABELS[fmt], data=_builder(fig, fmt), file_name=f"{stem}.{fmt}",
                mime=export.MIME[fmt], key=f"{key}__dl_{fmt}", on_click="ignore",
                icon=":material/download:" if fmt == "png" else None, type="tertiary",
                disabled=unavailable, help=reason if unavailable else HELP[fmt],
            )


def _assumptions_dict(assumptions) -> dict:
    if assumptions is None:
        return {}
    if hasattr(assumptions, "to_dict"):
        return assumptions.to_dict()
    return dict(assumptions)


def _sources() -> pd.DataFrame | None:
    try:
        from forecasting.sources import provenance
        return provenance.sources_table()
    except Exception:
        return None


def report_download(figures: Mapping[str, go.Figure], tables: Mapping[str, pd.DataFrame],
                    assumptions, key: str, name: str = "ml_talent_report") -> None:
    """One "Download report (ZIP)" button: every chart of the view, CSVs, assumptions, sources.

    Read when clicked: a page whose sections rerun on their own (st.fragment) passes the
    mappings those sections keep up to date, and ``assumptions`` as a callable, so the bundle
    holds what is on screen, not what was there when this button was drawn."""
    ok, reason = export.image_export_available()

    def build() -> bytes:
        params = _assumptions_dict(assumptions() if callable(assumptions) else assumptions)
        figs = {name: as_figure(fig) for name, fig in dict(figures).items()}
        return export.report_zip(figs, dict(tables), params, _sources())

    st.download_button(
        "Download report (ZIP)", data=build, file_name=f"{export.safe_filename(name)}.zip",
        mime=export.MIME["zip"], key=f"{key}__report", on_click="ignore",
        icon=":material/folder_zip:",
        help=("Charts as PNG, SVG, PDF and HTML, the plotted data as CSV, tables, "
              "assumptions.json, SOURCES.csv and a README"
              + ("" if ok else f". {reason} The bundle will hold HTML and CSV only.")),
    )
