"""Monthly (any-frequency) series chart: history solid, forecast dashed with 80%/95% bands
(the postings forecasts and a user's own uploaded series)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from forecasting.core import catalog
from forecasting.viz.style import layout_dict, role_label, series_colour
from forecasting.viz.traces import BAND_COLS, add_series, make_figure, require_columns


def forecast_chart(history: pd.DataFrame, forecast: pd.DataFrame, title: str, y_title: str,
                   footer: str | None = None, *, unit: str = "", y_format: str = ",.1f",
                   labels: dict[str, str] | None = None, data_as_of: bool = True) -> go.Figure:
    """Monthly (or any-frequency) series: history solid, forecast dashed, 80%/95% bands.

    history: series_id, ds, y. forecast: series_id, ds, mean, lo_80, hi_80, lo_95, hi_95.
    ``unit`` is appended to hover values (e.g. "index points", "% of postings"); ``labels`` maps
    series_id to legend names (default: role label for role ids, else the id).
    ``data_as_of=False`` for a user's own series (the shipped data's date does not apply).
    """
    require_columns(history, ["series_id", "ds", "y"], "forecast_chart history")
    require_columns(forecast, ["series_id", "ds", "mean", *BAND_COLS], "forecast_chart forecast")
    traces: list[dict] = []
    h_ids, f_ids = history["series_id"].astype(str), forecast["series_id"].astype(str)
    ids = list(dict.fromkeys([*h_ids.unique(), *f_ids.unique()]))
    for i, sid in enumerate(ids):
        h = history[(h_ids == sid).to_numpy()].sort_values("ds")
        f = forecast[(f_ids == sid).to_numpy()].sort_values("ds")
        name = (labels or {}).get(sid) or (role_label(sid) if sid in catalog.ROLE_COLOURS else sid)
        add_series(traces, name=name, colour=series_colour(sid, i), hist_x=h["ds"], hist_y=h["y"],
                    fc=f, fc_x=f["ds"], x_hover="%{x|%b %Y}", y_fmt=y_format, unit=unit)
    return make_figure(traces, layout_dict(
        title=title, x_title="Month", y_title=y_title, footer=footer, as_of=data_as_of,
        yaxis={"tickformat": "~s"}, hovermode="x unified" if len(ids) == 1 else "closest"))
