"""Shared look of every chart: palettes, labels, the layout dict (title, axes, legend, source
footer with the data's as-of date) and the year spans footers quote.

Figures set no template and no text colour, so Streamlit's light and dark themes both restyle
them; the export module applies a light template for files. Footer years are read from the data
(``year_span``), never written into the code, so a new OEWS vintage needs no edit here.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import plotly.graph_objects as go

from forecasting.core import catalog

#: Okabe-Ito colours for things that are neither roles nor industries (scenarios, components).
OKABE_ITO: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
                              "#56B4E9", "#F0E442", "#000000")
SCENARIO_COLOURS: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
COMPONENT_COLOURS: dict[str, str] = {
    "data trend": "#0072B2", "anchor": "#E69F00", "shock": "#D55E00", "cap": "#999999",
}
DEFAULT_FOOTER = ("Source: BLS OEWS (US employment); Indeed Hiring Lab (CC BY 4.0). "
                  "Rules and assumptions: see Data & methods.")
BAND_ALPHA = {80: 0.28, 95: 0.13}
MAX_SCENARIOS = 4
_FOOTER_WIDTH = 110  # characters per footer line (10 px font: ~600 px, a 1280 px page's chart)


# ---------------------------------------------------------------- shared styling helpers
def rgba(hex_colour: str, alpha: float) -> str:
    """Translucent version of a ``#rrggbb`` colour (bands read on light and dark backgrounds)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def series_colour(key: str, index: int = 0) -> str:
    """Role colour, else industry colour, else the Okabe-Ito palette by position."""
    if key in catalog.ROLE_COLOURS:
        return catalog.ROLE_COLOURS[key]
    if key in catalog.INDUSTRY_COLOURS:
        return catalog.INDUSTRY_COLOURS[key]
    return OKABE_ITO[index % len(OKABE_ITO)]


def role_label(role_id: str) -> str:
    """Human label for a role id (ids that are not roles pass through)."""
    try:
        return catalog.role(role_id).label
    except KeyError:
        return str(role_id)


def industry_label(industry_id: str) -> str:
    """Human label for an industry id (ids that are not industries pass through)."""
    try:
        return catalog.industry(industry_id).label
    except KeyError:
        return str(industry_id)


def _deep_merge(base: dict, extra: dict) -> dict:
    """``base`` updated with ``extra``, nested dicts merged (a layout built in one dict)."""
    out = dict(base)
    for k, v in extra.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def data_as_of_note() -> str:
    """'Data as of YYYY-MM-DD.' (the raw data's retrieval date, see provenance.data_as_of); empty when
    the raw files cannot be read."""
    from forecasting.sources import provenance
    as_of = provenance.data_as_of()
    return f"Data as of {as_of}." if as_of else ""


def layout_dict(*, title: str, x_title: str, y_title: str, footer: str | None, height: int = 480,
                legend: str = "top", footer_shift: int = 62, as_of: bool = True, **extra) -> dict:
    """The shared layout (title, axis titles, legend, source footer) as one plain dict.

    Factories build the whole figure from dicts in one ``go.Figure`` call: plotly's per-property
    validation of many ``update_*`` calls was most of a demand-page rerun. ``extra`` is merged
    in (nested dicts merged), e.g. ``yaxis={"tickformat": "~s"}``. ``as_of`` appends "Data as of
    <date>" to the footer (off for charts of a user's own series). The footer sits below the
    plot area, pinned in pixels (``footer_shift`` below the axis) so it never overlaps tick
    labels; the title is pinned to the top so a two-row legend fits and is wrapped so it is
    never clipped on a narrow (1280 px) screen.
    """
    note = data_as_of_note() if as_of else ""
    text = "<br>".join(textwrap.wrap(" ".join(x for x in (footer or DEFAULT_FOOTER, note) if x),
                                     _FOOTER_WIDTH))
    n_lines = text.count("<br>") + 1
    title_text, title_lines = wrap_title(title)
    legend_layout = (
        {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0.0}
        if legend == "top" else {"orientation": "v", "yanchor": "top", "y": 1.0, "x": 1.02})
    top = (105 if legend == "top" else 60) + 22 * (title_lines - 1)
    layout = {
        # From the figure's left edge, not the plot area's: long axis labels (tornado) pushed a
        # paper-anchored title off the right side.
        "title": {"text": title_text, "x": 0.0, "xanchor": "left", "xref": "container",
                  "y": 1.0, "yref": "container", "yanchor": "top", "pad": {"t": 14, "l": 12}},
        "xaxis": {"title": {"text": x_title}}, "yaxis": {"title": {"text": y_title}},
        "height": height + 22 * (title_lines - 1),
        "margin": {"l": 70, "r": 30, "t": top, "b": footer_shift + 33 + 14 * n_lines},
        "legend": legend_layout,
        "hoverlabel": {"namelength": -1},
        "annotations": [{"name": "footer", "text": text, "showarrow": False, "align": "left",
                         "xref": "paper", "yref": "paper", "x": 0.0, "y": 0.0, "xanchor": "left",
                         "yanchor": "top", "yshift": -footer_shift, "font": {"size": 10}}],
    }
    return _deep_merge(layout, extra)


#: Characters per title line: a 1280 px wide page gives a chart about 700 px (demand page,
#: two columns) and plotly's title font (17 px) fits ~70 characters there.
TITLE_WIDTH = 70


def wrap_title(title: str, width: int = TITLE_WIDTH) -> tuple[str, int]:
    """Title wrapped at ``width`` characters with <br> (plotly never wraps; long ones were cut).

    A title that already has <br> or <sup> markup is left alone. Returns (text, line count).
    """
    if "<br>" in title or "<sup>" in title or len(title) <= width:
        return title, title.count("<br>") + 1
    lines = textwrap.wrap(title, width)
    return "<br>".join(lines), len(lines)


def style_figure(fig: go.Figure, *, title: str, x_title: str, y_title: str,
                 footer: str | None, height: int = 480, legend: str = "top",
                 footer_shift: int = 62) -> go.Figure:
    """Title, axis titles, legend and the source footer on an existing figure (see layout_dict)."""
    lay = layout_dict(title=title, x_title=x_title, y_title=y_title, footer=footer, height=height,
                      legend=legend, footer_shift=footer_shift)
    annotations = lay.pop("annotations")
    fig.update_layout(lay)
    for ann in annotations:
        fig.add_annotation(ann)
    return fig



def footer_text(fig: go.Figure) -> str | None:
    """The footer annotation's text (None when a figure has none)."""
    for ann in fig.layout.annotations or ():
        if ann.name == "footer":
            return ann.text
    return None


def year_span(years: Iterable[int], short_end: bool = False) -> str:
    """The years a source covers as text: '2021–2025'; runs split at gaps ('2017–2019,
    2021–2025'); one year alone ('2024'); '' for none. ``short_end``: '2024–34'.

    Footers and captions quote the years of the data actually loaded through this, so they
    follow a new vintage without a code change."""
    ys = sorted({int(y) for y in years})
    runs: list[list[int]] = []
    for y in ys:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(str(r[0]) if len(r) == 1 else
                     f"{r[0]}–{r[-1] % 100:02d}" if short_end else f"{r[0]}–{r[-1]}" for r in runs)


def headcount_sources(years: Iterable[int]) -> str:
    """The headcount charts' source footer for the OEWS May ``years`` the projection rests on."""
    span = year_span(years)
    return (f"Source: U.S. BLS OEWS{' May ' + span if span else ''} (employment by SOC and "
            "sector); role levels via ai-jobs.net title ratios (CC0) and Indeed AI share "
            "(CC BY 4.0).")
