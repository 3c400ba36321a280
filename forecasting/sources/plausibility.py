"""Is a new vintage plausible? Its series (built by the product's own loaders) are compared with
the current ones: none may disappear, lose more than half its periods, or jump by more than the
registry's limits; what it adds is described for the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from forecasting.sources import registry as sources
from forecasting.sources.fetch import UpdateRefused
from forecasting.sources.registry import Source


@dataclass
class SeriesChange:
    added: list[pd.Timestamp] = field(default_factory=list)
    removed: list[pd.Timestamp] = field(default_factory=list)
    new_series: list[str] = field(default_factory=list)


def _fmt_period(ts: pd.Timestamp, period: str) -> str:
    return f"{ts:%Y}" if period == "year" else f"{ts:%Y-%m}"


def compare_series(src: Source, old: pd.DataFrame, new: pd.DataFrame) -> SeriesChange:
    """Refuse an implausible new vintage; else what it adds. Rules (per series): it must still
    exist; it may not lose more than MAX_HISTORY_LOSS of its periods; its value at the last
    period both vintages have, and its first new value against the value before it, may not move
    by more than MAX_JUMP_FACTOR (ratio series) or MAX_JUMP_PP points (percent-growth series)."""
    old = old.dropna(subset=["y"])
    new = new.dropna(subset=["y"])
    og, ng = dict(tuple(old.groupby("series_id"))), dict(tuple(new.groupby("series_id")))

    def jump_problem(sid: str, a: float, b: float, where: str) -> str | None:
        if src.jump == "pp":
            if abs(b - a) > sources.MAX_JUMP_PP:
                return (f"series {sid} moves from {a:.4g} to {b:.4g} at {where} "
                        f"({b - a:+.1f} points, limit ±{sources.MAX_JUMP_PP:g})")
            return None
        if a > 0 and b > 0 and max(a / b, b / a) > sources.MAX_JUMP_FACTOR:
            return (f"series {sid} jumps from {a:.4g} to {b:.4g} at {where} "
                    f"(x{b / a:.2f}, limit x{sources.MAX_JUMP_FACTOR:g})")
        return None

    for sid, o in og.items():
        n = ng.get(sid)
        if n is None or n.empty:
            raise UpdateRefused(f"{src.name}: series {sid} is missing from the new vintage")
        if len(n) < (1 - sources.MAX_HISTORY_LOSS) * len(o):
            raise UpdateRefused(f"{src.name}: series {sid} would lose {len(o) - len(n)} of its "
                                f"{len(o)} periods (limit: half)")
        ov, nv = o.set_index("ds")["y"], n.set_index("ds")["y"].sort_index()
        common = ov.index.intersection(nv.index)
        if len(common):
            t = common.max()
            p = jump_problem(sid, float(ov[t]), float(nv[t]), _fmt_period(t, src.period))
            if p:
                raise UpdateRefused(f"{src.name}: {p} between the current and the new vintage")
            later = nv[nv.index > ov.index.max()]
            if len(later):
                before = nv[nv.index < later.index[0]]
                if len(before):
                    p = jump_problem(sid, float(before.iloc[-1]), float(later.iloc[0]),
                                     _fmt_period(later.index[0], src.period))
                    if p:
                        raise UpdateRefused(f"{src.name}: {p} (first new period)")
    old_ds, new_ds = set(old["ds"]), set(new["ds"])
    return SeriesChange(sorted(new_ds - old_ds), sorted(old_ds - new_ds),
                        sorted(set(ng) - set(og)))


def describe_change(src: Source, ch: SeriesChange | None) -> str:
    if ch is None:
        return "unchanged"
    unit = "month" if src.period == "month" else "year"
    parts = []
    if ch.added:
        rng = _fmt_period(ch.added[0], src.period)
        if len(ch.added) > 1:
            rng += f" – {_fmt_period(ch.added[-1], src.period)}"
        parts.append(f"+{len(ch.added)} {unit}{'s' if len(ch.added) > 1 else ''} ({rng})")
    if ch.removed:
        parts.append(f"-{len(ch.removed)} {unit}{'s' if len(ch.removed) > 1 else ''}")
    if ch.new_series:
        parts.append(f"{len(ch.new_series)} new series")
    return ", ".join(parts) or "revised values, no new periods"
