"""Headcount backtest charts and score tables (Data & methods page): calibration by tenth of
predicted growth, error by horizon per method, predicted vs actual growth per occupation."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from forecasting.core.errors import UserInputError
from forecasting.viz.style import layout_dict, rgba, series_colour, year_span
from forecasting.viz.traces import make_figure, require_columns, trace

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
#: Method names in the score tables (a longer form of the legend labels above).
SCORE_TABLE_METHOD_LABELS = {"eb_damped_t": "Headcount model (damped panel trend)",
                             "linear_trend": "Straight-line trend (first-round model)",
                             "zero": "Zero growth (no change)",
                             "last": "Repeat last year's growth",
                             "mean3": "Mean growth of recent years (≤ 3)"}
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
    require_columns(table, ["decile", "n", "mean_predicted", "mean_actual", "coverage_80",
                     "coverage_95"], "headcount_calibration_chart")
    x, y = _pct_growth(table["mean_predicted"]), _pct_growth(table["mean_actual"])
    lo, hi = float(min(x.min(), y.min(), 0.0)), float(max(x.max(), y.max(), 0.0))
    pad = 0.08 * (hi - lo or 1.0)
    cols = ["decile", "n", "coverage_80", "coverage_95"]
    traces = [
        trace("scatter", x=[lo - pad, hi + pad], y=[lo - pad, hi + pad], mode="lines",
            name="Perfect calibration (y = x)", hoverinfo="skip", meta={"data": False},
            line={"color": "rgba(128,128,128,0.9)", "width": 1.2, "dash": "dash"}),
        trace("scatter", x=x, y=y, mode="markers+text", name="Tenth of predicted growth",
            text=[f"{100 * c:.0f}%" for c in table["coverage_80"]], textposition="top center",
            marker={"size": 11, "color": HEADCOUNT_BACKTEST_COLOUR},
            customdata=table[cols].to_numpy(float), meta={"columns": cols, "fields": {}},
            hovertemplate=("Tenth %{customdata[0]:.0f} (%{customdata[1]:.0f} occupations)<br>"
                           "Mean predicted: %{x:+.1f}%<br>Mean actual: %{y:+.1f}%<br>"
                           "Inside 80% interval: %{customdata[2]:.0%} · 95%: %{customdata[3]:.0%}"
                           "<extra></extra>")),
    ]
    return make_figure(traces, layout_dict(
        title=title, x_title="Mean predicted growth (%)", y_title="Mean actual growth (%)",
        footer=footer or "Labels: share of occupations inside the 80% interval. Source: BLS OEWS.",
        xaxis={"ticksuffix": "%", "zeroline": True}, yaxis={"ticksuffix": "%", "zeroline": True}))


def backtest_horizon_chart(summary: pd.DataFrame, *, footer: str | None = None,
                           title: str = "Headcount backtests: error by horizon",
                           years: Iterable[int] = ()) -> go.Figure:
    """Mean absolute error of the log change against the horizon, one line per method.

    summary: ``headcount_backtest.horizon_summary`` output (horizon, method, mae, ...).
    ``years``: the OEWS May years the backtests use (origins and holdouts), for the footer."""
    require_columns(summary, ["horizon", "method", "n_backtests", "mae", "mae_weighted"],
             "backtest_horizon_chart")
    from forecasting.headcount import backtest as hb  # lazy: charts stays light to import
    traces = []
    for i, m in enumerate(hb.METHODS):
        d = summary[summary["method"] == m].sort_values("horizon")
        if d.empty:
            continue
        name = HEADCOUNT_BACKTEST_METHOD_LABELS.get(m, "Headcount model")
        traces.append(trace(
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
    return make_figure(traces, layout_dict(
        title=title, x_title="Years ahead", y_title="Mean absolute error (log points, 1 ≈ 1%)",
        footer=footer or (f"Source: BLS OEWS{' May ' + span if (span := year_span(years)) else ''}; "
                          "mean over every backtest at each horizon."),
        xaxis={"dtick": 1}, yaxis={"rangemode": "tozero"}))


def headcount_backtest_chart(pred: pd.DataFrame, *, method: str | None = None,
                             footer: str | None = None, title: str | None = None) -> go.Figure:
    """Predicted vs actual employment growth (%) per occupation, one backtest method.

    pred: ``headcount_backtest.predictions`` output (log changes). ``method`` defaults to
    ``headcount.MODEL_NAME``. Occupations behind the product's roles (``in_catalog``) are
    highlighted, labelled with their SOC title and drawn with the 80% interval (model only).
    The initial view holds the central 98% of points and every highlighted one; the footer
    says how many lie outside it (plotly's autoscale shows them; the CSV has every point).
    """
    require_columns(pred, ["soc", "soc_title", "method", "origin_year", "holdout_year", "origin_emp",
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
        trace("scatter", x=[d0, d1], y=[d0, d1], mode="lines", name="Perfect forecast (y = x)",
            line={"color": "rgba(128,128,128,0.9)", "width": 1.2, "dash": "dash"},
            hoverinfo="skip", meta={"data": False}),
        trace("scatter", x=x[~cat], y=y[~cat], mode="markers", name=HEADCOUNT_BACKTEST_TRACES[0],
            marker={"size": 6, "color": rgba(grey, 0.45), "line": {"width": 0}},
            customdata=np.column_stack([soc[~cat], names[~cat], emp0[~cat], emp1[~cat]]),
            meta={"fields": fields, "columns": _HB_COLS},
            hovertemplate=hover + "<extra></extra>"),
    ]
    if has_band:
        traces.append(trace(  # whiskers from lo_80 up to hi_80 at the predicted value: decoration
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
        traces.append(trace(
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
    return make_figure(traces, lay)


def score_table(bt: pd.DataFrame) -> pd.DataFrame:
    """A backtest score table (``headcount_backtest.score`` or ``horizon_summary`` output) for
    reading: method names, errors in log points, coverage in %."""
    def pct(v: float) -> str:
        return "—" if pd.isna(v) else f"{100 * v:.0f}%"
    out = pd.DataFrame({"Method": bt["method"].map(SCORE_TABLE_METHOD_LABELS).fillna(bt["method"])})
    for col, name in (("horizon", "Years ahead"), ("n_backtests", "Backtests"),
                      ("n_occupations", "Occupations")):
        if col in bt:
            out.insert(0 if col == "horizon" else len(out.columns), name, bt[col].to_numpy())
    out["Mean abs. error (log points)"] = (100 * bt["mae"]).round(2).to_numpy()
    out["Employment-weighted (log points)"] = (100 * bt["mae_weighted"]).round(2).to_numpy()
    out["Inside 80% interval"] = bt["coverage_80"].map(pct).to_numpy()
    out["Inside 95% interval"] = bt["coverage_95"].map(pct).to_numpy()
    return out
