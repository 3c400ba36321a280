"""Figures built from plain dicts: traces as dicts of numpy arrays, one ``go.Figure`` call per
chart (or a ``DeferredFigure`` that builds it only when asked), plus the trace helpers the chart
families share (interval bands, history + forecast series, column checks).

The plotted numbers live on each figure's *data traces*: x, y (z for heatmaps) and, in
``customdata`` with column names in ``meta["columns"]``, the interval bounds the bands and
whiskers are drawn from. Decoration traces (bands, whiskers) carry ``meta={"data": False}``;
``figure_data`` reads exactly that back, so a chart's CSV matches the chart by construction.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from forecasting.core.errors import UserInputError
from forecasting.viz.style import BAND_ALPHA, rgba

#: Validate every property of the figures built from dicts. Off in the app (validation was most
#: of the rerun time); tests/test_charts.py turns it on so a misspelt property still fails there.
VALIDATE = False


def to_array(v):
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


def trace(kind: str, **props) -> dict:
    """A trace as a plain dict (arrays as numpy)."""
    out = {"type": kind}
    for k, v in props.items():
        if isinstance(v, dict) and k in ("error_x", "error_y", "marker"):
            v = {kk: to_array(vv) for kk, vv in v.items()}
        out[k] = to_array(v)
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


def make_figure(traces: list[dict], layout: dict) -> go.Figure:
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


def vline(x: float, line: dict) -> dict:
    """What ``fig.add_vline`` adds, as a layout shape (x in data units, full plot height)."""
    return {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
            "line": line}

def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UserInputError(f"{what}: missing column(s) {', '.join(missing)}; "
                             f"got {', '.join(map(str, frame.columns))}")


def band_traces(x, lo, hi, colour: str, level: int, group: str, name: str) -> list[dict]:
    """Lower edge + upper edge filled to it; decoration only (numbers live on the mean trace)."""
    common = {"x": x, "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip",
              "legendgroup": group, "showlegend": False, "meta": {"data": False}}
    return [
        trace("scatter", y=lo, name=f"{name} {level}% lower", **common),
        trace("scatter", y=hi, name=f"{name} {level}% interval", fill="tonexty",
            fillcolor=rgba(colour, BAND_ALPHA[level]), **common),
    ]


def interval_hover(fmt: str, unit: str) -> str:
    u = f" {unit}" if unit else ""
    return (f"<br>80%: %{{customdata[0]:{fmt}}}–%{{customdata[1]:{fmt}}}{u}"
            f"<br>95%: %{{customdata[2]:{fmt}}}–%{{customdata[3]:{fmt}}}{u}")


BAND_COLS = ["lo_80", "hi_80", "lo_95", "hi_95"]


def add_series(traces: list[dict], *, name: str, colour: str, hist_x, hist_y,
                fc, fc_x, x_hover: str, y_fmt: str, unit: str) -> None:
    """History solid, forecast dashed with 95% and 80% bands (shared by the two line charts).

    ``fc``: a frame, or a mapping of ``mean`` and the band columns to arrays, or None."""
    u = f" {unit}" if unit else ""
    hist_x, hist_y, fc_x = to_array(hist_x), to_array(hist_y), to_array(fc_x)
    has_fc = fc is not None and fc_x is not None and len(fc_x) > 0
    has_hist = hist_x is not None and len(hist_x) > 0
    if has_fc:
        fc = {c: np.asarray(fc[c], dtype=float) for c in ("mean", *BAND_COLS)}
        traces += band_traces(fc_x, fc["lo_95"], fc["hi_95"], colour, 95, name, name)
        traces += band_traces(fc_x, fc["lo_80"], fc["hi_80"], colour, 80, name, name)
    if has_hist:
        traces.append(trace(
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
            traces.append(trace(
                "scatter", x=[hx, fx], y=[hy, fc["mean"][0]], mode="lines",
                line={"color": colour, "width": 2.5, "dash": "dash"}, hoverinfo="skip",
                showlegend=False, legendgroup=name, name=f"{name} bridge", meta={"data": False}))
    if has_fc:
        traces.append(trace(
            "scatter", x=fc_x, y=fc["mean"], name=f"{name} (forecast)", mode="lines",
            line={"color": colour, "width": 2.5, "dash": "dash"}, legendgroup=name,
            showlegend=not has_hist,
            customdata=np.column_stack([fc[c] for c in BAND_COLS]),
            meta={"fields": {"series": name, "kind": "forecast"}, "columns": BAND_COLS},
            hovertemplate=(f"<b>{name}</b> (forecast)<br>{x_hover}: %{{y:{y_fmt}}}{u}"
                           + interval_hover(y_fmt, unit) + "<extra></extra>"),
        ))
