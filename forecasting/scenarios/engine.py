"""The engine: a scenario's Assumptions applied to the cached headcount baseline.

Why this shape: fitting is slow and assumptions change on every slider move, so the engine never
refits. It takes the headcount baseline (``role, industry, year, mean, lo_80, hi_80, lo_95, hi_95``)
once, turns it into arrays, and re-grows the levels with the user's growth rates in plain numpy.
Every number here is either read from data (baseline, BLS EP) or is a labelled assumption
(WEF 2023 as quoted in the seed article).

Growth arithmetic, per role x industry cell and year t after the start year::

    g = (1 - w) * model_trend + w * anchor[role] + industry_adjustment[industry]   (rates per year)
    level[t] = level[t-1] * (1 + g * saturation) * (1 + shock if t == shock_year)  then capped

An anchor holds for ``anchor_years`` from the start year (WEF: 5, BLS: 10; None = the whole
horizon); after that the role follows the baseline's own growth again, unless ``extend_anchor``
keeps the anchor's rate. ``saturation`` is the logistic factor ``1 - role_total/cap`` (only when a
cap is set, only damping growth, and the role total is clipped to the cap).

Bands mean model uncertainty. A cell that follows the model keeps the baseline's relative band
widths; a role anchored with blend weight w keeps the model band scaled by (1 - w) in log terms,
so an anchored path (w = 1: WEF, BLS, user-set growth) is a point path, its interval columns equal
to its mean. High and Low, which ARE the baseline's 80% bounds, are point paths too.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.core.errors import UserInputError
from forecasting.scenarios.assumptions import Assumptions, per_year_rate

_BANDS = ("lo_95", "lo_80", "mean", "hi_80", "hi_95")


@dataclass(frozen=True)
class PreparedBaseline:
    """The baseline as arrays [cell, year]; build once per baseline, reuse for every slider move."""

    roles: np.ndarray  # role id per cell
    industries: np.ndarray
    years: np.ndarray
    bands: dict[str, np.ndarray] = field(repr=False)

    @property
    def first_year(self) -> int:
        return int(self.years[0])


_PREPARED: dict[int, tuple[weakref.ref, PreparedBaseline]] = {}


def prepare(baseline: pd.DataFrame | PreparedBaseline) -> PreparedBaseline:
    """Arrays of a baseline frame, memoised per frame object (frames are treated as immutable)."""
    if isinstance(baseline, PreparedBaseline):
        return baseline
    hit = _PREPARED.get(id(baseline))
    if hit is not None and hit[0]() is baseline:
        return hit[1]
    prepared = _prepare(baseline)
    if len(_PREPARED) > 8:
        _PREPARED.clear()
    _PREPARED[id(baseline)] = (weakref.ref(baseline), prepared)
    return prepared


def _prepare(baseline: pd.DataFrame) -> PreparedBaseline:
    need = ["role", "industry", "year", *_BANDS]
    missing = [c for c in need if c not in baseline.columns]
    if missing:
        raise UserInputError(f"baseline frame lacks column(s) {', '.join(missing)}")
    df = baseline[need].sort_values(["role", "industry", "year"])
    years = np.sort(df["year"].unique()).astype(int)
    cells = df[["role", "industry"]].drop_duplicates()
    if len(df) != len(cells) * len(years):
        raise UserInputError("baseline frame must have every role x industry cell for every year")
    shape = (len(cells), len(years))
    bands = {}
    for b in _BANDS:
        arr = df[b].to_numpy(dtype=float).reshape(shape)
        bands[b] = np.nan_to_num(np.clip(arr, 0, None), nan=0.0, posinf=0.0)
    return PreparedBaseline(cells["role"].to_numpy(), cells["industry"].to_numpy(), years, bands)


def _extend(prep: PreparedBaseline, end_year: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Years up to ``end_year``. Beyond the baseline's last year each cell's log growth continues
    from its last year's value, decaying at the ratio of its last two years' growth (clipped to
    0..1): a constant trend stays constant, a damped trend keeps damping at its own rate. Band
    log-widths grow with sqrt(h), as a random walk's would."""
    years = prep.years
    if end_year <= years[-1]:
        keep = years <= end_year
        return years[keep], {b: a[:, keep] for b, a in prep.bands.items()}
    extra = np.arange(years[-1] + 1, end_year + 1)
    mean = prep.bands["mean"]
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(mean)
        d_last = logs[:, -1] - logs[:, -2] if len(years) > 1 else np.zeros(len(mean))
        d_prev = logs[:, -2] - logs[:, -3] if len(years) > 2 else d_last
        decay = np.where(np.abs(d_prev) > 1e-12, np.clip(d_last / d_prev, 0.0, 1.0), 1.0)
    d_last = np.nan_to_num(d_last, nan=0.0, posinf=0.0, neginf=0.0)
    decay = np.nan_to_num(decay, nan=1.0)
    k = np.arange(1, len(extra) + 1)
    cum = np.cumsum(d_last[:, None] * decay[:, None] ** k, axis=1)  # log change from last year
    new_mean = mean[:, -1:] * np.exp(cum)
    h_last = max(len(years) - 1, 1)
    scale = np.sqrt((h_last + k) / h_last)
    out = {"mean": np.hstack([mean, new_mean])}
    with np.errstate(divide="ignore", invalid="ignore"):
        for b in ("lo_95", "lo_80", "hi_80", "hi_95"):
            ratio = np.nan_to_num(prep.bands[b][:, -1] / mean[:, -1], nan=1.0, posinf=1.0)
            logw = np.log(np.clip(ratio, 1e-6, None))[:, None] * scale
            out[b] = np.hstack([prep.bands[b], new_mean * np.exp(logw)])
    return np.concatenate([years, extra]), out


def _automotive_split(prep_ind: np.ndarray, roles: np.ndarray, arrays: dict[str, np.ndarray],
                      share: float) -> dict[str, np.ndarray]:
    """Re-split manufacturing between automotive and the rest; role totals do not change."""
    out = {b: a.copy() for b, a in arrays.items()}
    for r in np.unique(roles):
        auto = np.flatnonzero((roles == r) & (prep_ind == "automotive"))
        rest = np.flatnonzero((roles == r) & (prep_ind == "manufacturing_other"))
        if len(auto) != 1 or len(rest) != 1:
            continue
        for b, a in out.items():
            manuf = arrays[b][auto[0]] + arrays[b][rest[0]]
            a[auto[0]] = share * manuf
            a[rest[0]] = (1 - share) * manuf
    return out


def project(prep: PreparedBaseline, a: Assumptions) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Core arithmetic; returns (years start..end, band arrays [cell, year]), cells in ``prep``'s
    order."""
    if a.start_year < prep.first_year:
        raise UserInputError(f"start_year {a.start_year} is before the baseline's first year "
                             f"{prep.first_year}")
    years, arr = _extend(prep, a.end_year)
    if a.automotive_share is not None:
        arr = _automotive_split(prep.industries, prep.roles, arr, a.automotive_share)
    i0 = int(np.searchsorted(years, a.start_year))
    n_cells, n_steps = len(prep.roles), a.horizon_years
    trend = arr[a.trend_band]
    with np.errstate(divide="ignore", invalid="ignore"):
        model_g = trend[:, i0 + 1:i0 + 1 + n_steps] / trend[:, i0:i0 + n_steps] - 1
        rel = {b: arr[b][:, i0:i0 + 1 + n_steps] / arr["mean"][:, i0:i0 + 1 + n_steps]
               for b in ("lo_95", "lo_80", "hi_80", "hi_95")}
    model_g = np.nan_to_num(model_g, nan=0.0, posinf=0.0, neginf=0.0)
    w = a.blend_weight
    growth_map = a.role_growth_map
    anchor = np.array([per_year_rate(growth_map[r], a.growth_mode, a.anchor_window)
                       if r in growth_map else np.nan for r in prep.roles])
    has_anchor = ~np.isnan(anchor)
    # the anchor holds in its own years; afterwards the role follows the model again
    in_window = (np.arange(1, n_steps + 1) <= a.anchored_years())[None, :]
    g = np.where(has_anchor[:, None] & in_window,
                 (1 - w) * model_g + w * np.nan_to_num(anchor)[:, None], model_g)
    ind_map = a.industry_growth_map
    g = g + np.array([per_year_rate(ind_map.get(i, 0.0), a.growth_mode, a.horizon_years)
                      for i in prep.industries])[:, None]
    g = np.maximum(g, -0.95)

    caps = a.role_cap_map
    role_idx = {r: np.flatnonzero(prep.roles == r) for r in caps}
    level = np.empty((n_cells, n_steps + 1))
    level[:, 0] = arr["mean"][:, i0]
    shock_col = None if a.shock_year is None else a.shock_year - a.start_year
    for t in range(1, n_steps + 1):
        step_g = g[:, t - 1]
        if caps:
            step_g = step_g.copy()
            for r, idx in role_idx.items():
                sat = max(0.0, 1.0 - level[idx, t - 1].sum() / caps[r])
                step_g[idx] = np.where(step_g[idx] > 0, step_g[idx] * sat, step_g[idx])
        level[:, t] = level[:, t - 1] * (1 + step_g)
        if shock_col == t:
            level[:, t] *= 1 + a.shock_pct / 100
        for r, idx in role_idx.items():
            total = level[idx, t].sum()
            if total > caps[r]:
                level[idx, t] *= caps[r] / total
    # Bands are model uncertainty: the model's share of a cell's growth keeps that share of the
    # baseline's relative band (log scale); anchored at weight 1 and High/Low: a point path.
    band_weight = np.where(has_anchor, 1.0 - w, 1.0) if a.trend_band == "mean" \
        else np.zeros(n_cells)
    out = {"mean": level}
    for b, ratio in rel.items():
        ratio = np.nan_to_num(ratio, nan=1.0, posinf=1.0, neginf=1.0)
        ratio = np.clip(ratio, 0, 1) if b.startswith("lo") else np.maximum(ratio, 1)
        out[b] = level * ratio ** band_weight[:, None]
    out["lo_95"] = np.minimum(out["lo_95"], out["lo_80"])
    out["hi_95"] = np.maximum(out["hi_95"], out["hi_80"])
    return years[i0:i0 + 1 + n_steps], out


def apply_scenario(baseline: pd.DataFrame | PreparedBaseline, assumptions: Assumptions
                   ) -> pd.DataFrame:
    """Baseline + assumptions -> ``role, industry, year, mean, lo_80, hi_80, lo_95, hi_95, scenario``.

    One row per role x industry cell and year from ``start_year`` to ``start_year + horizon``
    (cells only; ``core.totals.with_totals`` adds the role and grand totals).
    """
    prep = prepare(baseline)
    years, out = project(prep, assumptions)
    n_cells, n_years = out["mean"].shape
    frame = pd.DataFrame({
        "role": np.repeat(prep.roles, n_years),
        "industry": np.repeat(prep.industries, n_years),
        "year": np.tile(years.astype(int), n_cells),
        **{b: out[b].ravel() for b in ("mean", "lo_80", "hi_80", "lo_95", "hi_95")},
    })
    frame["scenario"] = assumptions.label
    return frame


def jobs_added_by_cell(projection: pd.DataFrame) -> pd.DataFrame:
    """``role, industry, year_0, year_n, jobs_added``: each cell's level in its last year minus
    its first (people), from an ``apply_scenario`` frame."""
    # plain numpy + dicts: the Demand page calls this on every slider move (pivot_table: ~5 ms)
    yr = projection["year"].to_numpy()
    first, last = int(yr.min()), int(yr.max())
    keys = zip(projection["role"].to_numpy(object), projection["industry"].to_numpy(object))
    start: dict = {}
    end: dict = {}
    for key, y, v in zip(keys, yr, projection["mean"].to_numpy(float)):
        if y in (first, last):
            acc = start if y == first else end
            acc[key] = acc.get(key, 0.0) + v
    cells = [k for k in end if k in start]
    return pd.DataFrame({"role": [k[0] for k in cells], "industry": [k[1] for k in cells],
                         "year_0": first, "year_n": last,
                         "jobs_added": [end[k] - start[k] for k in cells]})
