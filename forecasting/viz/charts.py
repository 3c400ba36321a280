"""Plotly figure factories: tidy frames in, ``go.Figure`` out.

Every factory gives a title, axis titles with units, hover text with units, a source footer
(an annotation named ``footer``) and the catalog's colour-blind-safe colours. Figures set no
template and no text colour, so Streamlit's light and dark themes both restyle them; the export
module applies a light template for files.

The plotted numbers live on each figure's *data traces*: x, y (z for heatmaps) and, in
``customdata`` with column names in ``meta["columns"]``, the interval bounds the bands and
whiskers are drawn from. Decoration traces (bands, whiskers) carry ``meta={"data": False}``.
``figure_data`` reads exactly that back, so a chart's CSV matches the chart by construction.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import textwrap
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale

from forecasting.core import catalog
from forecasting.core.errors import UserInputError

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
    """'Data as of YYYY-MM-DD.' (the raw data's retrieval date, see data.data_as_of); empty when
    the raw files cannot be read."""
    from forecasting.sources import loaders as data
    as_of = data.data_as_of()
    return f"Data as of {as_of}." if as_of else ""


def layout_dict(*, title: str, x_title: str, y_title: str, footer: str | None, height: int = 480,
                legend: str = "top", footer_shift: int = 62, as_of: bool = True, **extra) -> dict:
    """The shared layout (title, axis titles, legend, source footer) as one plain dict.

    Factories build the whole figure from dicts in one ``go.Figure`` call: plotly's per-property
    validation of many ``update_*`` calls was most of a demand-page rerun. ``extra`` is merged
    in (nested dicts merged), e.g. ``yaxis={"tickformat": "~s"}``. ``as_of`` appends "Data as of
    <date>" to the footer (off for charts of a user's own series). The footer sits below the plot area, pinned in pixels (``footer_shift`` below the axis) so
    it never overlaps tick labels; the title is pinned to the top so a two-row legend fits and
    is wrapped so it is never clipped on a narrow (1280 px) screen.
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


#: Validate every property of the figures built from dicts. Off in the app (validation was most
#: of the rerun time); tests/test_charts.py turns it on so a misspelt property still fails there.
VALIDATE = False


def _arr(v):
    """pandas -> numpy before plotly sees it (plotly coerces Series slowly, via narwhals).

    Dates stay pandas objects; ``_figure`` then validates so plotly converts them as before.
    """
    if isinstance(v, (pd.Series, pd.Index)):
        if pd.api.types.is_datetime64_any_dtype(v.dtype):
            return v
        if pd.api.types.is_numeric_dtype(v.dtype) and not pd.api.types.is_bool_dtype(v.dtype):
            return v.to_numpy()
        return v.to_numpy(dtype=object)
    return v


def _tr(kind: str, **props) -> dict:
    """A trace as a plain dict (arrays as numpy)."""
    out = {"type": kind}
    for k, v in props.items():
        if isinstance(v, dict) and k in ("error_x", "error_y", "marker"):
            v = {kk: _arr(vv) for kk, vv in v.items()}
        out[k] = _arr(v)
    return out


class DeferredFigure:
    """A figure's traces and layout as the plain dicts a factory built, made into a
    ``go.Figure`` only when ``figure()`` is first called. Building the figure object (trace
    objects, a deep copy of every array) was ~40% of drawing a chart; a page that only shows
    it, as JSON, never needs the object (the dashboard builds it when a download is clicked).
    ``_data`` and ``_layout`` mirror ``go.Figure``'s, for the JSON."""

    def __init__(self, traces: list[dict], layout: dict):
        self._data, self._fig, self._built_from = traces, None, layout
        # as a go.Figure holds it: with plotly's default template, which Streamlit's chart
        # theme rewrites (without it the chart would be styled differently)
        self._layout = layout if "template" in layout else {**layout,
                                                            "template": _default_template()}

    def figure(self) -> go.Figure:
        if self._fig is None:
            self._fig = _build_figure(self._data, self._built_from)
        return self._fig


def _default_template() -> dict:
    """The default template as go.Figure stores it in its layout (cached per template name)."""
    import plotly.io as pio
    name = pio.templates.default
    if name not in _TEMPLATES:
        _TEMPLATES[name] = go.Figure()._layout.get("template", {})
    return _TEMPLATES[name]


_TEMPLATES: dict[object, dict] = {}


_DEFER: contextvars.ContextVar[bool] = contextvars.ContextVar("defer_figures", default=False)


@contextlib.contextmanager
def deferred_figures() -> Iterator[None]:
    """Inside: factories return ``DeferredFigure`` instead of ``go.Figure`` (a thread's own
    setting, so other sessions' and threads' charts are unaffected)."""
    token = _DEFER.set(True)
    try:
        yield
    finally:
        _DEFER.reset(token)


def _figure(traces: list[dict], layout: dict) -> go.Figure:
    """One ``go.Figure`` from dicts (a ``DeferredFigure`` inside ``deferred_figures()``)."""
    if _DEFER.get() and not any(isinstance(v, (pd.Series, pd.Index)) for t in traces
                                for v in t.values()):
        return DeferredFigure(traces, layout)  # type: ignore[return-value]
    return _build_figure(traces, layout)


def _build_figure(traces: list[dict], layout: dict) -> go.Figure:
    """Validated only in tests or when pandas dates are present."""
    validate = VALIDATE or any(isinstance(v, (pd.Series, pd.Index)) for t in traces
                               for v in t.values())
    return go.Figure(data=traces, layout=layout, _validate=validate)


def _vline(x: float, line: dict) -> dict:
    """What ``fig.add_vline`` adds, as a layout shape (x in data units, full plot height)."""
    return {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
            "line": line}


def footer_text(fig: go.Figure) -> str | None:
    """The footer annotation's text (None when a figure has none)."""
    for ann in fig.layout.annotations or ():
        if ann.name == "footer":
            return ann.text
    return None


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UserInputError(f"{what}: missing column(s) {', '.join(missing)}; "
                             f"got {', '.join(map(str, frame.columns))}")


def _band_traces(x, lo, hi, colour: str, level: int, group: str, name: str) -> list[dict]:
    """Lower edge + upper edge filled to it; decoration only (numbers live on the mean trace)."""
    common = {"x": x, "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip",
              "legendgroup": group, "showlegend": False, "meta": {"data": False}}
    return [
        _tr("scatter", y=lo, name=f"{name} {level}% lower", **common),
        _tr("scatter", y=hi, name=f"{name} {level}% interval", fill="tonexty",
            fillcolor=rgba(colour, BAND_ALPHA[level]), **common),
    ]


def _interval_hover(fmt: str, unit: str) -> str:
    u = f" {unit}" if unit else ""
    return (f"<br>80%: %{{customdata[0]:{fmt}}}–%{{customdata[1]:{fmt}}}{u}"
            f"<br>95%: %{{customdata[2]:{fmt}}}–%{{customdata[3]:{fmt}}}{u}")


_BAND_COLS = ["lo_80", "hi_80", "lo_95", "hi_95"]


def _add_series(traces: list[dict], *, name: str, colour: str, hist_x, hist_y,
                fc, fc_x, x_hover: str, y_fmt: str, unit: str) -> None:
    """History solid, forecast dashed with 95% and 80% bands (shared by the two line charts).

    ``fc``: a frame, or a mapping of ``mean`` and the band columns to arrays, or None."""
    u = f" {unit}" if unit else ""
    hist_x, hist_y, fc_x = _arr(hist_x), _arr(hist_y), _arr(fc_x)
    has_fc = fc is not None and fc_x is not None and len(fc_x) > 0
    has_hist = hist_x is not None and len(hist_x) > 0
    if has_fc:
        fc = {c: np.asarray(fc[c], dtype=float) for c in ("mean", *_BAND_COLS)}
        traces += _band_traces(fc_x, fc["lo_95"], fc["hi_95"], colour, 95, name, name)
        traces += _band_traces(fc_x, fc["lo_80"], fc["hi_80"], colour, 80, name, name)
    if has_hist:
        traces.append(_tr(
            "scatter", x=hist_x, y=hist_y, name=name,
            mode="lines+markers" if len(hist_x) < 15 else "lines",
            line={"color": colour, "width": 2.5}, legendgroup=name,
            meta={"fields": {"series": name, "kind": "history"}},
            hovertemplate=f"<b>{name}</b> (actual)<br>{x_hover}: %{{y:{y_fmt}}}{u}<extra></extra>",
        ))
    if has_fc and has_hist:
        # Dashed bridge from the last actual to the first forecast point (decoration only).
        hx, fx = hist_x[-1] if not isinstance(hist_x, pd.Series) else hist_x.iloc[-1], \
            fc_x[0] if not isinstance(fc_x, pd.Series) else fc_x.iloc[0]
        hy = hist_y[-1] if not isinstance(hist_y, pd.Series) else hist_y.iloc[-1]
        if hx != fx:
            traces.append(_tr(
                "scatter", x=[hx, fx], y=[hy, fc["mean"][0]], mode="lines",
                line={"color": colour, "width": 2.5, "dash": "dash"}, hoverinfo="skip",
                showlegend=False, legendgroup=name, name=f"{name} bridge", meta={"data": False}))
    if has_fc:
        traces.append(_tr(
            "scatter", x=fc_x, y=fc["mean"], name=f"{name} (forecast)", mode="lines",
            line={"color": colour, "width": 2.5, "dash": "dash"}, legendgroup=name,
            showlegend=not has_hist,
            customdata=np.column_stack([fc[c] for c in _BAND_COLS]),
            meta={"fields": {"series": name, "kind": "forecast"}, "columns": _BAND_COLS},
            hovertemplate=(f"<b>{name}</b> (forecast)<br>{x_hover}: %{{y:{y_fmt}}}{u}"
                           + _interval_hover(y_fmt, unit) + "<extra></extra>"),
        ))


# ---------------------------------------------------------------- factories
def forecast_chart(history: pd.DataFrame, forecast: pd.DataFrame, title: str, y_title: str,
                   footer: str | None = None, *, unit: str = "", y_format: str = ",.1f",
                   labels: dict[str, str] | None = None, data_as_of: bool = True) -> go.Figure:
    """Monthly (or any-frequency) series: history solid, forecast dashed, 80%/95% bands.

    history: series_id, ds, y. forecast: series_id, ds, mean, lo_80, hi_80, lo_95, hi_95.
    ``unit`` is appended to hover values (e.g. "index points", "% of postings"); ``labels`` maps
    series_id to legend names (default: role label for role ids, else the id).
    ``data_as_of=False`` for a user's own series (the shipped data's date does not apply).
    """
    _require(history, ["series_id", "ds", "y"], "forecast_chart history")
    _require(forecast, ["series_id", "ds", "mean", *_BAND_COLS], "forecast_chart forecast")
    traces: list[dict] = []
    h_ids, f_ids = history["series_id"].astype(str), forecast["series_id"].astype(str)
    ids = list(dict.fromkeys([*h_ids.unique(), *f_ids.unique()]))
    for i, sid in enumerate(ids):
        h = history[(h_ids == sid).to_numpy()].sort_values("ds")
        f = forecast[(f_ids == sid).to_numpy()].sort_values("ds")
        name = (labels or {}).get(sid) or (role_label(sid) if sid in catalog.ROLE_COLOURS else sid)
        _add_series(traces, name=name, colour=series_colour(sid, i), hist_x=h["ds"], hist_y=h["y"],
                    fc=f, fc_x=f["ds"], x_hover="%{x|%b %Y}", y_fmt=y_format, unit=unit)
    return _figure(traces, layout_dict(
        title=title, x_title="Month", y_title=y_title, footer=footer, as_of=data_as_of,
        yaxis={"tickformat": "~s"}, hovermode="x unified" if len(ids) == 1 else "closest"))


def _aggregate_industries(frame: pd.DataFrame, value_cols: Sequence[str],
                          industry: str | None) -> dict[str, np.ndarray]:
    """Pick one industry, or sum industries to the role, as arrays sorted by role then year.

    Summing interval bounds across industries is exact when industries share the role's growth
    path (comonotonic), which is how the baseline projection splits a role; otherwise it is a
    conservative (wide) interval. Numpy, not pandas: at a few hundred rows pandas' per-call cost
    (arrow-string groupby ~5 ms, each boolean filter ~0.3 ms) was most of the headcount chart,
    which every Demand-page rerun redraws.
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
    r_codes, r_uni = pd.factorize(roles, sort=True)
    y_codes, y_uni = pd.factorize(years, sort=True)
    keys, inv = np.unique(r_codes * len(y_uni) + y_codes, return_inverse=True)
    out = {"role": np.asarray(r_uni, object)[keys // len(y_uni)],
           "year": np.asarray(y_uni)[keys % len(y_uni)]}
    for c, v in values.items():
        out[c] = np.bincount(inv, weights=v, minlength=len(keys))
    return out


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
    _require(history, ["role", "industry", "year", "headcount"], "headcount_chart history")
    _require(projection, ["role", "industry", "year", "mean", *_BAND_COLS], "headcount_chart projection")
    roles = list(roles)
    if industry not in (None, "all", "total") and industry not in catalog.INDUSTRY_IDS:
        raise UserInputError(f"unknown industry {industry!r}; valid: {', '.join(catalog.INDUSTRY_IDS)}")
    hist = _aggregate_industries(history, ["headcount"], industry)
    proj = _aggregate_industries(projection, ["mean", *_BAND_COLS], industry)
    traces: list[dict] = []
    for i, rid in enumerate(roles):
        h, p = hist["role"] == rid, proj["role"] == rid  # already sorted by year
        _add_series(traces, name=role_label(rid), colour=series_colour(rid, i),
                    hist_x=hist["year"][h].astype(int), hist_y=hist["headcount"][h], fc=
                    {c: proj[c][p] for c in ("mean", *_BAND_COLS)}, fc_x=proj["year"][p].astype(int),
                    x_hover="%{x}", y_fmt=",.0f", unit="people")
    if bls is not None and industry in (None, "all", "total"):
        _require(bls, ["role", "year", "bls_mean"], "headcount_chart bls")
        for i, rid in enumerate(roles):
            b = bls[bls["role"] == rid].sort_values("year")
            if b.empty:
                continue
            name = f"{role_label(rid)}: {BLS_LINE_NAME}"
            traces.append(_tr(
                "scatter", x=b["year"].astype(int).to_numpy(), y=b["bls_mean"].to_numpy(float),
                mode="lines", name=name, legendgroup=role_label(rid),
                line={"color": series_colour(rid, i), "width": 1.8, "dash": "dot"},
                meta={"fields": {"series": name, "kind": "bls_projection"}},
                hovertemplate=(f"<b>{name}</b><br>%{{x}}: %{{y:,.0f}} people (BLS 2024-34 rate "
                               "from the May 2024 level)<extra></extra>")))
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
    return _figure(traces, lay)


def growth_ranking(frame: pd.DataFrame, *, footer: str | None = None,
                   title: str = "Projected employment growth by role") -> go.Figure:
    """Roles ranked by growth (% per year): dot at the central value, 80% thick / 95% thin whiskers."""
    _require(frame, ["role", "growth_pct_per_year", *_BAND_COLS], "growth_ranking")
    df = frame.sort_values("growth_pct_per_year").reset_index(drop=True)  # largest ends on top
    labels = [role_label(r) for r in df["role"]]
    colours = [series_colour(r, i) for i, r in enumerate(df["role"])]
    g = df["growth_pct_per_year"].to_numpy(float)
    b = {c: df[c].to_numpy(float) for c in _BAND_COLS}
    traces = [
        _tr("scatter",  # 95% whiskers: decoration
            x=g, y=labels, mode="markers", marker={"opacity": 0}, hoverinfo="skip",
            showlegend=False, name="95% interval", meta={"data": False},
            error_x={"type": "data", "array": b["hi_95"] - g, "arrayminus": g - b["lo_95"],
                     "thickness": 1.2, "width": 0, "color": "#999999"}),
        _tr("scatter",  # 80% whiskers: decoration
            x=g, y=labels, mode="markers", marker={"opacity": 0}, hoverinfo="skip",
            showlegend=False, name="80% interval", meta={"data": False},
            error_x={"type": "data", "array": b["hi_80"] - g, "arrayminus": g - b["lo_80"],
                     "thickness": 5, "width": 0, "color": "#999999"}),
        _tr("scatter",
            x=g, y=labels, mode="markers", name="Growth, % per year",
            marker={"size": 13, "color": colours,
                    "line": {"width": 1, "color": "rgba(128,128,128,0.8)"}},
            customdata=df[_BAND_COLS].to_numpy(float), showlegend=False,
            meta={"fields": {}, "columns": _BAND_COLS},
            hovertemplate=("<b>%{y}</b><br>Growth: %{x:.1f}% per year"
                           + _interval_hover(".1f", "% per year").replace("% per year", "%") +
                           "<extra></extra>")),
    ]
    return _figure(traces, layout_dict(
        title=title, x_title="Growth (% per year)", y_title="Role", footer=footer,
        height=max(360, 70 + 45 * len(df)), xaxis={"ticksuffix": "%", "zeroline": False},
        shapes=[_vline(0, {"width": 1, "dash": "dot", "color": "rgba(128,128,128,0.8)"})]))


def industry_stack(frame: pd.DataFrame, role: str, *, footer: str | None = None,
                   title: str | None = None, projection_start: int | None = None) -> go.Figure:
    """One role's employment stacked across industries (the stack sums to the role).

    ``projection_start`` (a year) draws a dotted line where history ends and projection begins.
    """
    value = "mean" if "mean" in frame.columns else "headcount"
    _require(frame, ["role", "industry", "year", value], "industry_stack")
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
        traces.append(_tr(
            "scatter", x=years[mask], y=values[mask], name=name, mode="lines", stackgroup="one",
            line={"width": 0.8, "color": series_colour(ind, i)},
            fillcolor=rgba(series_colour(ind, i), 0.75),
            meta={"fields": {"series": name}},
            hovertemplate=f"<b>{name}</b><br>%{{x}}: %{{y:,.0f}} people<extra></extra>"))
    extra: dict = {}
    if projection_start is not None:
        line = {"width": 1.5, "dash": "dot", "color": "rgba(128,128,128,0.9)"}
        extra["shapes"] = [_vline(projection_start, line)]
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
    return _figure(traces, lay)


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
    _require(history, ["role", "industry", "year", "headcount"], "industry_history history")
    _require(projection, ["role", "industry", "year", "mean"], "industry_history projection")
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
            traces.append(_tr(
                "scatter", x=hx, y=hy, name=name, mode="lines+markers", legendgroup=name,
                line={"color": colour, "width": 2.5}, meta={"fields": {"series": name,
                                                                        "kind": "history"}},
                hovertemplate=(f"<b>{name}</b> (OEWS by sector)<br>%{{x}}: %{{y:,.0f}} people"
                               f"<br>{label}<extra></extra>")))
        if len(px):
            if len(hx) and hx[-1] < px[0]:  # dotted bridge: the unmeasured years in between
                traces.append(_tr(
                    "scatter", x=[hx[-1], px[0]], y=[hy[-1], py[0]], mode="lines",
                    line={"color": colour, "width": 1.5, "dash": "dot"}, hoverinfo="skip",
                    showlegend=False, legendgroup=name, name=f"{name} bridge",
                    meta={"data": False}))
            traces.append(_tr(
                "scatter", x=px, y=py, name=f"{name} (projection)", mode="lines",
                legendgroup=name, showlegend=not len(hx),
                line={"color": colour, "width": 2, "dash": "dash"},
                meta={"fields": {"series": name, "kind": "projection"}},
                hovertemplate=f"<b>{name}</b> (projection)<br>%{{x}}: %{{y:,.0f}} people<extra></extra>"))
    title = title or f"{role_label(role)}: US employment by industry"
    if note:
        title = f"{wrap_title(title)[0]}<br><sup>{'<br>'.join(textwrap.wrap(note, 105))}</sup>"
    return _figure(traces, layout_dict(
        title=title, x_title="Year (May)", y_title="Employment (people, log scale)", footer=footer,
        height=560, yaxis={"type": "log", "tickformat": "~s"},
        xaxis={"tickformat": "d", "dtick": 1}))


def jobs_added_heatmap(frame: pd.DataFrame, *, footer: str | None = None,
                       title: str = "Jobs added by role and industry") -> go.Figure:
    """Role x industry jobs added (people), diverging around zero, the number in each cell:
    levels differ across industries even where growth rates do not."""
    _require(frame, ["role", "industry", "jobs_added"], "jobs_added_heatmap")
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
    traces = [_tr(
        "heatmap", z=z, x=["<br>".join(textwrap.wrap(industry_label(i), 16)) for i in inds],
        y=[role_label(r) for r in roles], colorscale=_PUOR, zmid=0, zmin=-lim, zmax=lim,
        name="Jobs added (people)", text=text, texttemplate="%{text}", meta={"fields": {}},
        colorbar={"title": {"text": "people"}, "tickformat": "~s"},
        hovertemplate="<b>%{y}</b> in %{x}<br>Jobs added: %{z:+,.0f} people<extra></extra>")]
    return _figure(traces, layout_dict(
        title=title, x_title="Industry", y_title="Role", footer=footer,
        height=max(420, 190 + 45 * len(roles)), footer_shift=95,
        yaxis={"autorange": "reversed"}, xaxis={"tickangle": 0, "side": "bottom"}))


REFERENCE_NAME = "Statistical baseline: 80% interval (model uncertainty)"


def scenario_comparison(frame: pd.DataFrame, *, footer: str | None = None,
                        title: str = "Scenarios compared", y_title: str = "Employment (people)",
                        unit: str = "people", reference: pd.DataFrame | None = None) -> go.Figure:
    """Up to four scenarios as lines. Bands mean model uncertainty, so the only band drawn is
    the statistical baseline's 80% interval (``reference``: year, lo_80, hi_80), for reference;
    anchored scenarios are point paths and High/Low are themselves the band's edges."""
    _require(frame, ["scenario", "year", "mean", "lo_80", "hi_80"], "scenario_comparison")
    names = list(dict.fromkeys(frame["scenario"].astype(str)))
    if len(names) > MAX_SCENARIOS:
        raise UserInputError(f"scenario_comparison: {len(names)} scenarios given, at most "
                             f"{MAX_SCENARIOS} can be compared ({', '.join(names)})")
    traces: list[dict] = []
    if reference is not None and len(reference):
        _require(reference, ["year", "lo_80", "hi_80"], "scenario_comparison reference")
        ref = reference.sort_values("year")
        x = ref["year"].to_numpy(int)
        traces += [
            _tr("scatter", x=x, y=ref["lo_80"], mode="lines", line={"width": 0}, hoverinfo="skip",
                showlegend=False, legendgroup="reference", meta={"data": False},
                name=f"{REFERENCE_NAME} lower"),
            _tr("scatter", x=x, y=ref["hi_80"], mode="lines", line={"width": 0}, hoverinfo="skip",
                legendgroup="reference", meta={"data": False}, fill="tonexty",
                fillcolor="rgba(128,128,128,0.22)", name=REFERENCE_NAME),
        ]
    dashes = ("solid", "dash", "dot", "dashdot")  # second cue besides colour
    scen = frame["scenario"].astype(str).to_numpy(object)
    for i, name in enumerate(names):
        d = frame[scen == name].sort_values("year")
        traces.append(_tr(
            "scatter", x=d["year"].to_numpy(int), y=d["mean"], mode="lines+markers", name=name,
            legendgroup=name, line={"color": SCENARIO_COLOURS[i], "width": 2.5, "dash": dashes[i]},
            customdata=d[["lo_80", "hi_80"]].to_numpy(float),
            meta={"fields": {"series": name}, "columns": ["lo_80", "hi_80"]},
            hovertemplate=(f"<b>{name}</b><br>%{{x}}: %{{y:,.0f}} {unit}<br>own 80% band: "
                           f"%{{customdata[0]:,.0f}}–%{{customdata[1]:,.0f}} {unit}"
                           "<extra></extra>")))
    return _figure(traces, layout_dict(
        title=title, x_title="Year", y_title=y_title, footer=footer,
        yaxis={"tickformat": "~s"}, xaxis={"tickformat": "d", "dtick": 1}))


def tornado(frame: pd.DataFrame, *, footer: str | None = None,
            title: str = "Which assumption moves the result most",
            x_title: str = "Employment in the final year (people)", unit: str = "people") -> go.Figure:
    """Sensitivity: bars from the base value to the low and high outcomes, largest swing on top."""
    _require(frame, ["assumption", "step_label", "value_low", "value_high", "base_value"], "tornado")
    df = frame.assign(_swing=(frame["value_high"] - frame["value_low"]).abs())
    df = df.sort_values("_swing", ascending=False).reset_index(drop=True)
    labels = df["assumption"].astype(str).tolist()
    base = df["base_value"].to_numpy(float)
    traces = []
    for side, colour, nice in (("value_low", "#D55E00", "Low"), ("value_high", "#0072B2", "High")):
        v = df[side].to_numpy(float)
        traces.append(_tr(
            "bar", y=labels, x=v - base, base=base.tolist(), orientation="h",
            name=f"{nice} setting", marker={"color": colour},
            customdata=np.column_stack([v, base, df["step_label"].astype(str).to_numpy(object)]),
            meta={"fields": {"series": f"{nice} setting"},
                  "columns": ["value", "base_value", "step_label"]},
            hovertemplate=(f"<b>%{{y}}</b> ({nice.lower()}: %{{customdata[2]}})<br>"
                           f"Result: %{{customdata[0]:,.0f}} {unit}<br>"
                           f"Base: %{{customdata[1]:,.0f}} {unit}<extra></extra>")))
    shapes = ([_vline(float(base[0]), {"width": 1, "dash": "dot", "color": "rgba(128,128,128,0.9)"})]
              if len(df) else [])
    return _figure(traces, layout_dict(
        title=title, x_title=x_title, y_title="Assumption", footer=footer,
        height=max(360, 140 + 40 * len(df)), barmode="overlay",
        yaxis={"autorange": "reversed", "automargin": True}, xaxis={"tickformat": "~s"},
        shapes=shapes))


def decomposition(frame: pd.DataFrame, *, footer: str | None = None,
                  title: str = "What drives the projected change",
                  y_title: str = "Change in employment (people)", unit: str = "people") -> go.Figure:
    """Contribution of data trend, anchor, shock and cap per year, stacked, with their total."""
    _require(frame, ["year", "component", "value"], "decomposition")
    present = set(frame["component"].astype(str))
    comps = [c for c in COMPONENT_COLOURS if c in present]
    comps += sorted(present - set(comps))
    traces = []
    comp_col = frame["component"].astype(str).to_numpy(object)
    for i, comp in enumerate(comps):
        d = frame[comp_col == comp].sort_values("year")
        traces.append(_tr(
            "bar", x=d["year"].to_numpy(int), y=d["value"], name=comp,
            marker={"color": COMPONENT_COLOURS.get(comp, OKABE_ITO[i % len(OKABE_ITO)])},
            meta={"fields": {"series": comp}},
            hovertemplate=f"<b>{comp}</b><br>%{{x}}: %{{y:+,.0f}} {unit}<extra></extra>"))
    total = frame.groupby("year", as_index=False)["value"].sum().sort_values("year")
    traces.append(_tr(
        "scatter", x=total["year"].to_numpy(int), y=total["value"], name="Total",
        mode="lines+markers",
        line={"color": "rgba(128,128,128,1)", "width": 2}, marker={"symbol": "diamond", "size": 8},
        meta={"fields": {"series": "Total"}},
        hovertemplate=f"<b>Total</b><br>%{{x}}: %{{y:+,.0f}} {unit}<extra></extra>"))
    return _figure(traces, layout_dict(
        title=title, x_title="Year", y_title=y_title, footer=footer, barmode="relative",
        yaxis={"tickformat": "~s"}, xaxis={"tickformat": "d", "dtick": 1}))


# ---------------------------------------------------------------- plotted data back out
def _values(v) -> np.ndarray | None:
    """Trace array as numpy, decoding plotly 7 typed arrays ({"dtype", "bdata"[, "shape"]})."""
    if v is None:
        return None
    if isinstance(v, dict) and "bdata" in v:
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        shape = v.get("shape")
        if shape:
            dims = [int(s) for s in str(shape).split(",")] if isinstance(shape, str) else list(shape)
            arr = arr.reshape(dims)
        return arr
    if isinstance(v, (list, tuple)) and v and isinstance(v[0], dict) and "bdata" in v[0]:
        return np.stack([_values(r) for r in v])
    return np.asarray(v, dtype=object) if not isinstance(v, np.ndarray) else v


def _meta(trace) -> dict:
    m = trace.meta
    return m if isinstance(m, dict) else {}


def figure_data(fig: go.Figure) -> pd.DataFrame:
    """Exactly the plotted data, long form: trace, [series, kind,] x, y[, z][, interval columns].

    Data traces only (decoration traces repeat numbers already in the interval columns).
    """
    frames: list[pd.DataFrame] = []
    for trace in fig.data:
        meta = _meta(trace)
        if meta.get("data") is False:
            continue
        x, y = _values(trace.x), _values(trace.y)
        if getattr(trace, "z", None) is not None:
            z = np.asarray(_values(trace.z), dtype=float)
            xs = x if x is not None else np.arange(z.shape[1])
            ys = y if y is not None else np.arange(z.shape[0])
            gx, gy = np.meshgrid(np.asarray(xs, dtype=object), np.asarray(ys, dtype=object))
            part = pd.DataFrame({"x": gx.ravel(), "y": gy.ravel(), "z": z.ravel()})
        else:
            n = len(x) if x is not None else len(y)
            part = pd.DataFrame({"x": list(x) if x is not None else list(range(n)),
                                 "y": list(y) if y is not None else [np.nan] * n})
            cd = _values(trace.customdata)
            cols = meta.get("columns") or []
            if cd is not None and cols:
                cd = np.asarray(cd, dtype=object).reshape(n, -1)
                for j, col in enumerate(cols):
                    part[col] = _maybe_numeric(pd.Series(cd[:, j]))
        fields = dict(meta.get("fields") or {})
        for k, v in reversed(list(fields.items())):
            part.insert(0, k, v)
        part.insert(0, "trace", trace.name)
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=["trace", "x", "y"])
    out = pd.concat(frames, ignore_index=True)
    for col in ("x", "y"):
        out[col] = _maybe_numeric(out[col])
    return out


def _maybe_numeric(s: pd.Series) -> pd.Series:
    """Numbers as floats/ints when every value is numeric; anything else (labels, dates) as is."""
    if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
        return s  # already numeric, datetime or bool
    try:
        return pd.to_numeric(s)
    except (ValueError, TypeError):
        return s


# ================================================================ salary_* (salaries page)
# Appended by the salary-bands work (issue #6); only ``salary_*`` names and ``_salary_*``
# helpers live here. Data traces carry the plotted numbers (medians on x/y; the other
# percentiles, n and the median interval in ``customdata`` named by ``meta["columns"]``); bars
# and whiskers are decoration (``meta={"data": False}``), so ``figure_data`` returns exactly the
# plotted data. "small n" cells are drawn grey with their n; "suppressed" cells are listed in
# the footer, not drawn. Top-coded BLS percentiles ('#') are never plotted as numbers.
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
    _require(bands, ["role", "n", *_SALARY_PCOLS, "p50_lo", "p50_hi", "flag"], "salary_bands_chart")
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

    aijobs: bands frame (US records). oews: salaries.oews_reference rows. Top-coded ('#')
    percentiles are never plotted as numbers: the bar stops at the last real percentile and
    the point is labelled "P90 ≥ BLS cap".
    """
    _require(aijobs, ["role", "n", *_SALARY_PCOLS, "flag"], "salary_bls_comparison_chart")
    _require(oews, ["role", "year", "soc", *_SALARY_PCOLS, "p90_flag", "p75_flag"],
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
            hybrid = " (2020 hybrid, not comparable)" if bool(b.get("hybrid", False)) else ""
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


def salary_projection_chart(projected: pd.DataFrame, roles: list[str] | tuple[str, ...], *,
                            footer: str | None = None, title: str | None = None) -> go.Figure:
    """Projected bands by year: P25-P75 shaded, median line with its widening 95% interval."""
    _require(projected, ["role", "year", "h", *_SALARY_PCOLS, "p50_lo", "p50_hi", "flag", "growth_pct"],
             "salary_projection_chart")
    fig = go.Figure()
    for role_id in roles:
        d = projected[(projected["role"] == role_id)].sort_values("year")
        if d.empty or (d["flag"] == "suppressed").all():
            continue
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


# ================================================================ headcount backtest (Data & methods)
# Predicted vs actual growth of every detailed occupation in the panel backtest
# (forecasting/headcount/backtest.py). Data traces: the other occupations and, highlighted and
# labelled, the occupations the product's roles are built on (``in_catalog``), with SOC code,
# title and employment in ``customdata``; the catalog trace also carries the 80% interval it
# draws. The y = x line and the interval whiskers are decoration (``meta={"data": False}``).
HEADCOUNT_BACKTEST_COLOUR = "#D55E00"  # Okabe-Ito vermilion: the highlighted occupations
HEADCOUNT_BACKTEST_OTHER = "#888888"
HEADCOUNT_BACKTEST_TRACES = ("Other occupations", "Occupations behind our roles")
HEADCOUNT_BACKTEST_METHOD_LABELS = {"zero": "Zero growth", "last": "Last year's growth",
                                    "mean3": "Mean growth of recent years",
                                    "linear_trend": "Straight-line trend (first-round model)"}
#: Share of points the initial view must hold (the rest are extreme changes; zoom out shows them).
HEADCOUNT_BACKTEST_VIEW_QUANTILES = (0.01, 0.99)
_HB_COLS = ["soc", "soc_title", "origin_emp", "actual_emp"]
_HB_BAND_COLS = ["lo_80", "hi_80"]


def _pct_growth(log_change) -> np.ndarray:
    """A log change as % growth: (exp(x) - 1) x 100."""
    return np.expm1(np.asarray(log_change, float)) * 100.0


def _label_annotations(x: np.ndarray, y: np.ndarray, text, *, x_range, y_range,
                       plot_height: float, colour: str) -> list[dict]:
    """Labels with short leader lines, on separate rows so no two labels overlap.

    A label sits right of its point, or left of it in the right third of the plot; going down
    from the highest point, each label keeps at least 17 px below the previous one (pixel
    positions from the plot height and the y range).
    """
    right_third = x_range[0] + 2.0 * (x_range[1] - x_range[0]) / 3.0
    px = plot_height / ((y_range[1] - y_range[0]) or 1.0)
    out: list[dict] = [{}] * len(y)
    last = np.inf
    for i in np.argsort(-np.asarray(y, float), kind="stable"):
        py = (y[i] - y_range[0]) * px  # pixels from the bottom of the plot
        ly = min(py, last - 17.0)
        last = ly
        left = bool(x[i] > right_third)
        out[i] = {"x": float(x[i]), "y": float(y[i]), "xref": "x", "yref": "y",
                  "text": str(text[i]), "name": "label", "showarrow": True, "arrowhead": 0,
                  "arrowwidth": 1, "arrowcolor": colour, "standoff": 5,
                  "ax": -24 if left else 24, "ay": float(py - ly),
                  "xanchor": "right" if left else "left", "yanchor": "middle",
                  "font": {"size": 11, "color": colour}}
    return out


def headcount_calibration_chart(table: pd.DataFrame, *, footer: str | None = None,
                                title: str = "Calibration: actual vs predicted growth by tenth of "
                                             "predicted growth") -> go.Figure:
    """Mean actual vs mean predicted growth (%) per tenth of predicted growth, with the y = x line;
    each point's hover and label give the share inside the 80% interval.

    table: ``headcount_backtest.calibration_table`` output (log changes)."""
    _require(table, ["decile", "n", "mean_predicted", "mean_actual", "coverage_80",
                     "coverage_95"], "headcount_calibration_chart")
    x, y = _pct_growth(table["mean_predicted"]), _pct_growth(table["mean_actual"])
    lo, hi = float(min(x.min(), y.min(), 0.0)), float(max(x.max(), y.max(), 0.0))
    pad = 0.08 * (hi - lo or 1.0)
    cols = ["decile", "n", "coverage_80", "coverage_95"]
    traces = [
        _tr("scatter", x=[lo - pad, hi + pad], y=[lo - pad, hi + pad], mode="lines",
            name="Perfect calibration (y = x)", hoverinfo="skip", meta={"data": False},
            line={"color": "rgba(128,128,128,0.9)", "width": 1.2, "dash": "dash"}),
        _tr("scatter", x=x, y=y, mode="markers+text", name="Tenth of predicted growth",
            text=[f"{100 * c:.0f}%" for c in table["coverage_80"]], textposition="top center",
            marker={"size": 11, "color": HEADCOUNT_BACKTEST_COLOUR},
            customdata=table[cols].to_numpy(float), meta={"columns": cols, "fields": {}},
            hovertemplate=("Tenth %{customdata[0]:.0f} (%{customdata[1]:.0f} occupations)<br>"
                           "Mean predicted: %{x:+.1f}%<br>Mean actual: %{y:+.1f}%<br>"
                           "Inside 80% interval: %{customdata[2]:.0%} · 95%: %{customdata[3]:.0%}"
                           "<extra></extra>")),
    ]
    return _figure(traces, layout_dict(
        title=title, x_title="Mean predicted growth (%)", y_title="Mean actual growth (%)",
        footer=footer or "Labels: share of occupations inside the 80% interval. Source: BLS OEWS.",
        xaxis={"ticksuffix": "%", "zeroline": True}, yaxis={"ticksuffix": "%", "zeroline": True}))


def backtest_horizon_chart(summary: pd.DataFrame, *, footer: str | None = None,
                           title: str = "Headcount backtests: error by horizon") -> go.Figure:
    """Mean absolute error of the log change against the horizon, one line per method.

    summary: ``headcount_backtest.horizon_summary`` output (horizon, method, mae, ...)."""
    _require(summary, ["horizon", "method", "n_backtests", "mae", "mae_weighted"],
             "backtest_horizon_chart")
    from forecasting.headcount import backtest as hb  # lazy: charts stays light to import
    traces = []
    for i, m in enumerate(hb.METHODS):
        d = summary[summary["method"] == m].sort_values("horizon")
        if d.empty:
            continue
        name = HEADCOUNT_BACKTEST_METHOD_LABELS.get(m, "Headcount model")
        traces.append(_tr(
            "scatter", x=d["horizon"].astype(int).to_numpy(), y=100 * d["mae"].to_numpy(float),
            mode="lines+markers", name=name,
            line={"width": 3 if m == hb.MODEL_NAME else 1.6, "color": series_colour(m, i),
                  "dash": "solid" if m == hb.MODEL_NAME else "dash"},
            customdata=np.column_stack([d["n_backtests"].to_numpy(float),
                                        100 * d["mae_weighted"].to_numpy(float)]),
            meta={"fields": {"method": m}, "columns": ["n_backtests", "mae_weighted_log_points"]},
            hovertemplate=(f"<b>{name}</b><br>%{{x}} years ahead: %{{y:.1f}} log points "
                           "(weighted %{customdata[1]:.1f}; %{customdata[0]:.0f} backtests)"
                           "<extra></extra>")))
    return _figure(traces, layout_dict(
        title=title, x_title="Years ahead", y_title="Mean absolute error (log points, 1 ≈ 1%)",
        footer=footer or "Source: BLS OEWS May 2017-2019 and 2021 on; mean over every backtest "
                         "at each horizon.", xaxis={"dtick": 1}, yaxis={"rangemode": "tozero"}))


def headcount_backtest_chart(pred: pd.DataFrame, *, method: str | None = None,
                             footer: str | None = None, title: str | None = None) -> go.Figure:
    """Predicted vs actual employment growth (%) per occupation, one backtest method.

    pred: ``headcount_backtest.predictions`` output (log changes). ``method`` defaults to
    ``headcount.MODEL_NAME``. Occupations behind the product's roles (``in_catalog``) are
    highlighted, labelled with their SOC title and drawn with the 80% interval (model only).
    The initial view holds the central 98% of points and every highlighted one; the footer
    says how many lie outside it (plotly's autoscale shows them; the CSV has every point).
    """
    _require(pred, ["soc", "soc_title", "method", "origin_year", "holdout_year", "origin_emp",
                    "actual", "predicted", *_HB_BAND_COLS, "in_catalog"],
             "headcount_backtest_chart")
    if method is None:
        from forecasting.headcount import projection as headcount  # lazy: charts stays light to import
        method = headcount.MODEL_NAME
        label = "Headcount model"
    else:
        label = HEADCOUNT_BACKTEST_METHOD_LABELS.get(method, "Headcount model")
    df = pred[pred["method"].astype(str).to_numpy(object) == method]
    if df.empty:
        raise UserInputError(f"headcount_backtest_chart: no rows for method {method!r}; methods "
                             f"in frame: {', '.join(sorted(map(str, pred['method'].unique())))}")
    years = df[["origin_year", "holdout_year"]].drop_duplicates()
    if len(years) != 1:
        raise UserInputError("headcount_backtest_chart: the frame mixes several origin/holdout "
                             "years; pass one predictions() result")
    origin, holdout = (int(v) for v in years.iloc[0])
    x, y = _pct_growth(df["predicted"]), _pct_growth(df["actual"])
    emp0 = df["origin_emp"].to_numpy(float)
    emp1 = emp0 * np.exp(df["actual"].to_numpy(float))
    cat = df["in_catalog"].to_numpy(bool)
    lo, hi = _pct_growth(df["lo_80"]), _pct_growth(df["hi_80"])
    has_band = bool(np.isfinite(lo[cat]).all() and np.isfinite(hi[cat]).all()) and cat.any()
    soc = df["soc"].astype(str).to_numpy(object)
    names = df["soc_title"].astype(str).to_numpy(object)
    fields = {"method": method, "origin_year": origin, "holdout_year": holdout}
    hover = ("<b>%{customdata[1]}</b> (SOC %{customdata[0]})<br>Predicted: %{x:+.1f}%<br>"
             "Actual: %{y:+.1f}%<br>Employment: %{customdata[2]:,.0f} (May " + str(origin)
             + ") → %{customdata[3]:,.0f} (May " + str(holdout) + ")")

    # Initial view per axis: central quantiles plus every highlighted point and interval (the
    # predictions spread far less than the outcomes, so the axes get their own ranges).
    q = HEADCOUNT_BACKTEST_VIEW_QUANTILES

    def view(v: np.ndarray, extra: list) -> tuple[float, float]:
        keep = [*np.quantile(v, q), 0.0, *extra]
        a, b = float(np.min(keep)), float(np.max(keep))
        pad = 0.06 * (b - a or 1.0)
        return a - pad, b + pad

    x0, x1 = view(x, list(x[cat]))
    y0, y1 = view(y, [*y[cat], *(lo[cat] if has_band else []), *(hi[cat] if has_band else [])])
    outside = int((~((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))).sum())
    d0, d1 = max(x0, y0), min(x1, y1)

    grey = HEADCOUNT_BACKTEST_OTHER
    traces: list[dict] = [
        _tr("scatter", x=[d0, d1], y=[d0, d1], mode="lines", name="Perfect forecast (y = x)",
            line={"color": "rgba(128,128,128,0.9)", "width": 1.2, "dash": "dash"},
            hoverinfo="skip", meta={"data": False}),
        _tr("scatter", x=x[~cat], y=y[~cat], mode="markers", name=HEADCOUNT_BACKTEST_TRACES[0],
            marker={"size": 6, "color": rgba(grey, 0.45), "line": {"width": 0}},
            customdata=np.column_stack([soc[~cat], names[~cat], emp0[~cat], emp1[~cat]]),
            meta={"fields": fields, "columns": _HB_COLS},
            hovertemplate=hover + "<extra></extra>"),
    ]
    if has_band:
        traces.append(_tr(  # whiskers from lo_80 up to hi_80 at the predicted value: decoration
            "scatter", x=x[cat], y=lo[cat], mode="markers", marker={"opacity": 0},
            name="80% interval", hoverinfo="skip", showlegend=False, meta={"data": False},
            error_y={"type": "data", "symmetric": False, "array": hi[cat] - lo[cat],
                     "arrayminus": np.zeros(int(cat.sum())), "thickness": 1.5, "width": 5,
                     "color": rgba(HEADCOUNT_BACKTEST_COLOUR, 0.7)}))
    if cat.any():
        cols = _HB_COLS + (_HB_BAND_COLS if has_band else [])
        cd = [soc[cat], names[cat], emp0[cat], emp1[cat]] + ([lo[cat], hi[cat]] if has_band else [])
        band_hover = ("<br>80% interval: %{customdata[4]:+.1f}% to %{customdata[5]:+.1f}%"
                      if has_band else "")
        traces.append(_tr(
            "scatter", x=x[cat], y=y[cat], mode="markers", name=HEADCOUNT_BACKTEST_TRACES[1],
            marker={"size": 11, "color": HEADCOUNT_BACKTEST_COLOUR,
                    "line": {"width": 1, "color": "white"}},
            customdata=np.column_stack(cd), meta={"fields": fields, "columns": cols},
            hovertemplate=hover + band_hover + "<extra></extra>"))
    n = len(df)
    note = (f" {outside} occupation{'s' if outside != 1 else ''} with more extreme changes lie outside "
            "this view (autoscale shows them)." if outside else "")
    default_footer = (f"Source: U.S. BLS OEWS, {n} detailed occupations estimated in every year. "
                      f"Fitted on data up to May {origin} only; growth = exp(log change) − 1."
                      + (" Bars: the model's 80% interval for the actual change." if has_band
                         else "") + note)
    axis = {"ticksuffix": "%", "zeroline": True}
    lay = layout_dict(
        title=title or f"{label}: predicted vs actual growth, May {origin} → May {holdout}",
        x_title=f"Predicted growth, May {origin} → May {holdout} (%)",
        y_title="Actual growth (%)", footer=footer if footer is not None else default_footer,
        height=600, xaxis=dict(axis, range=[x0, x1]), yaxis=dict(axis, range=[y0, y1]),
        hovermode="closest")
    plot_height = lay["height"] - lay["margin"]["t"] - lay["margin"]["b"]
    lay["annotations"] = lay["annotations"] + _label_annotations(
        x[cat], y[cat], names[cat], x_range=(x0, x1), y_range=(y0, y1), plot_height=plot_height,
        colour=HEADCOUNT_BACKTEST_COLOUR)
    return _figure(traces, lay)
