"""The plotted data back out of a figure (the chart's CSV): data traces only, long form, with
the interval columns each trace names in ``meta["columns"]`` (see ``forecasting.viz.traces``)."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import plotly.graph_objects as go


def trace_values(v) -> np.ndarray | None:
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
        return np.stack([trace_values(r) for r in v])
    return np.asarray(v, dtype=object) if not isinstance(v, np.ndarray) else v


def trace_meta(trace) -> dict:
    m = trace.meta
    return m if isinstance(m, dict) else {}


def figure_data(fig: go.Figure) -> pd.DataFrame:
    """Exactly the plotted data, long form: trace, [series, kind,] x, y[, z][, interval columns].

    Data traces only (decoration traces repeat numbers already in the interval columns).
    """
    frames: list[pd.DataFrame] = []
    for trace in fig.data:
        meta = trace_meta(trace)
        if meta.get("data") is False:
            continue
        x, y = trace_values(trace.x), trace_values(trace.y)
        if getattr(trace, "z", None) is not None:
            z = np.asarray(trace_values(trace.z), dtype=float)
            xs = x if x is not None else np.arange(z.shape[1])
            ys = y if y is not None else np.arange(z.shape[0])
            gx, gy = np.meshgrid(np.asarray(xs, dtype=object), np.asarray(ys, dtype=object))
            part = pd.DataFrame({"x": gx.ravel(), "y": gy.ravel(), "z": z.ravel()})
        else:
            n = len(x) if x is not None else len(y)
            part = pd.DataFrame({"x": list(x) if x is not None else list(range(n)),
                                 "y": list(y) if y is not None else [np.nan] * n})
            cd = trace_values(trace.customdata)
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
