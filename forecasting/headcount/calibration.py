"""What the backtests teach the headcount model: its damping phi and its long-horizon width.

Why by backtest: the likelihood only sees the fit window, where a constant trend always fits
best (its log-likelihood rises with phi up to 1), yet the OEWS panels show trends fading after
it (DESIGN.md 4b); and a calm fit window (2017-2019) says nothing of a 2020. So both are learnt
out of sample, from every origin and horizon the shipped data allow:

* the recent panel (829 occupations, May 2021 on): origins 2023 (1 and 2 years ahead), 2024;
* the long panel (656 linked occupations, May 2017-2019 + 2021 on, panel.py): origins
  2019 (2-6 years ahead, across the 2020 shock), 2021, 2022, 2023, 2024, each fitted on all
  linked years up to the origin.

**phi.** For each value of ``PHI_GRID`` every window is refitted (the loadings depend on phi)
and each (origin, horizon) pair scores ``(MAE / MAE_zero + weighted MAE / weighted MAE_zero)/2``
(MAE of the log change, plain and employment-weighted, relative to "no change"). Pairs are
averaged within each horizon and the horizons averaged with equal weight: the dashboard shows
1-10 years and one-year pairs are the most numerous, so pair-weighting would tune the 5-year
headline to one-year noise. phi minimises that loss (grid minimum refined by a parabola through
its neighbours). Its uncertainty is a bootstrap over occupations (one resample per panel, used
in all of its windows), whose draws the predictive intervals carry.

**Long-horizon width.** The first forecast year's shock has the fit's latest scale; later years
take the long-run scale of the whole long panel (``s_long``: root mean square of the per-year
shock scale May 2017-latest, the 2020 shock included) times ``width_factor``, the smallest
factor at which the 80% intervals cover 80% of occupations pooled over every backtest pair two
or more years ahead. Both numbers are in-sample for those pairs (the 95% coverage and the
1-year coverage are not fitted to).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.core import cache
from forecasting.headcount import model as hm
from forecasting.headcount import panel as hp
from forecasting.sources import files

PHI_GRID: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
BOOTSTRAP = 400
SEED = 20_251_202
#: Windows used to choose phi and the width need 2 growth intervals (tau vs shocks).
MIN_FIT_YEARS = 3
WIDTH_DRAWS = 5_000
#: Predictive draws per occupation in the reported backtests (the product's projection uses
#: headcount_model.DRAWS): 10,000 put the 2.5% quantile within ~0.3% of its limit.
BACKTEST_DRAWS = 10_000
WIDTH_RANGE = (1.0, 3.0)
#: Methods scored in every backtest pair (the model first).
MODEL_NAME = "eb_damped_t"
LINEAR_NAME = "linear_trend"
BASELINES = ("zero", "last", "mean3")
METHODS = (MODEL_NAME, LINEAR_NAME, *BASELINES)
BANDS = ("lo_95", "lo_80", "hi_80", "hi_95")


@dataclass(frozen=True)
class Case:
    """One fit window and the later years it is scored on."""

    panel: str                 # "recent" or "long"
    fit_years: tuple[int, ...]
    targets: tuple[int, ...]

    @property
    def origin(self) -> int:
        return self.fit_years[-1]


def cases(recent: hp.Panel, long: hp.Panel, min_fit_years: int = MIN_FIT_YEARS) -> list[Case]:
    """Every window starting at its panel's first year with at least ``min_fit_years`` years
    that has a later year to score."""
    out = []
    for name, panel in (("recent", recent), ("long", long)):
        years = panel.years
        for j in range(min_fit_years - 1, len(years) - 1):
            out.append(Case(name, tuple(years[:j + 1]), tuple(years[j + 1:])))
    return out


def refine_minimum(grid, loss) -> float:
    """Argmin of ``loss`` on ``grid``, refined by the vertex of the parabola through the minimum
    and its two neighbours (kept between them); an end point stays an end point."""
    grid = np.asarray(grid, float)
    loss = np.asarray(loss, float)
    k = int(np.argmin(loss))
    if k == 0 or k == len(grid) - 1:
        return float(grid[k])
    x, y = grid[k - 1:k + 2], loss[k - 1:k + 2]
    a, b, _ = np.polyfit(x, y, 2)
    if a <= 0:
        return float(grid[k])
    return float(np.clip(-b / (2 * a), x[0], x[2]))


def horizon_pooled_loss(pairs: list[dict], rows: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Relative loss per grid value: mean over horizons of the mean over that horizon's pairs.
    ``rows`` resamples occupations per panel (bootstrap)."""
    by_h: dict[int, list[np.ndarray]] = {}
    for p in pairs:
        r = slice(None) if rows is None else rows[p["panel"]]
        w, err, zero = p["w"][r], p["err"][r], p["zero"][r]
        rel = 0.5 * (err.mean(axis=0) / zero.mean()
                     + (err * w[:, None]).sum(axis=0) / (zero * w).sum())
        by_h.setdefault(p["horizon"], []).append(rel)
    return np.mean([np.mean(v, axis=0) for v in by_h.values()], axis=0)


def _panels() -> dict[str, hp.Panel]:
    return {"recent": hp.oews_panel(), "long": hp.long_panel()}


def _window_fit(panel: hp.Panel, case: Case, phi: float, groups: bool = True, start=None):
    win = panel.window(case.fit_years[0], case.origin)
    return hm.fit_growth(win.socs, win.years, win.emp, win.prse, phi=phi, groups=groups,
                         start=start)


def _phi_pairs(panels, grid, progress=None) -> tuple[list[dict], pd.DataFrame]:
    """Per (panel, origin, target): absolute errors of every occupation for each phi, and of
    zero; and the per-pair table."""
    pairs: dict[tuple, dict] = {}
    todo = cases(panels["recent"], panels["long"])
    for n, case in enumerate(todo):
        if progress is not None:
            progress(n, len(todo), f"damping: refitting May {case.fit_years[0]}-{case.origin} "
                                   f"({case.panel} panel) at {len(grid)} values of phi")
        panel = panels[case.panel]
        o = panel.years.index(case.origin)
        start = None
        for k, phi in enumerate(grid):
            fit = _window_fit(panel, case, phi, start=start)
            start = fit.params
            for t in case.targets:
                h = t - case.origin
                actual = panel.log_emp[:, panel.years.index(t)] - panel.log_emp[:, o]
                key = (case.panel, case.origin, t)
                if key not in pairs:
                    pairs[key] = {"panel": case.panel, "origin": case.origin, "target": t,
                                  "horizon": h, "w": panel.emp[:, o], "zero": np.abs(actual),
                                  "err": np.empty((len(actual), len(grid)))}
                pairs[key]["err"][:, k] = np.abs(actual - fit.g_mean * hm.damped_sum(h, phi))
    rows = []
    for p in pairs.values():
        z, zw = p["zero"].mean(), np.average(p["zero"], weights=p["w"])
        for k, phi in enumerate(grid):
            e = p["err"][:, k]
            mae, maew = e.mean(), np.average(e, weights=p["w"])
            rows.append({"panel": p["panel"], "origin": p["origin"], "target": p["target"],
                         "horizon": p["horizon"], "phi": phi, "mae": mae, "mae_weighted": maew,
                         "mae_zero": z, "mae_weighted_zero": zw,
                         "rel_loss": 0.5 * (mae / z + maew / zw)})
    return list(pairs.values()), pd.DataFrame(rows)


def _coverage80(fit, panel: hp.Panel, case: Case, phi_draws, long_run) -> list[tuple[int, float]]:
    """(horizon, share of occupations inside the 80% interval) per target of ``case``."""
    o = panel.years.index(case.origin)
    H = max(case.targets) - case.origin
    q = fit.log_change_quantiles(np.arange(len(panel.socs)), H, phi_draws, long_run,
                                 draws=WIDTH_DRAWS)
    out = []
    for t in case.targets:
        h = t - case.origin
        actual = panel.log_emp[:, panel.years.index(t)] - panel.log_emp[:, o]
        lo, hi = q[:, h - 1, 1], q[:, h - 1, 2]
        out.append((h, float(np.mean((actual >= lo) & (actual <= hi)))))
    return out


def long_run_shock_scale(fit: hm.GrowthFit) -> float:
    """Root mean square per-year shock scale over a fit's years (an L-year interval holds L
    years of shock variance)."""
    return float(np.sqrt(np.sum(fit.s0 ** 2) / (fit.years[-1] - fit.years[0])))


def width_factor(fits, panels, phi_draws, s_long: float, target: float = 0.80,
                 tol: float = 0.01) -> float:
    """Smallest factor on ``s_long`` (bisection within WIDTH_RANGE) at which the 80% coverage,
    pooled over every backtest pair 2+ years ahead (both panels), reaches ``target``."""
    def pooled(c: float) -> float:
        cov = []
        for case, fit in fits:
            cov += [v for h, v in _coverage80(fit, panels[case.panel], case, phi_draws,
                                              (c * s_long, 0.0)) if h >= 2]
        return float(np.mean(cov))

    lo, hi = WIDTH_RANGE
    if pooled(lo) >= target:
        return lo
    if pooled(hi) < target:
        return hi
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if pooled(mid) < target else (lo, mid)
    return round(hi, 3)


@dataclass(frozen=True)
class Calibration:
    """phi, its bootstrap draws, the long-run width, and the per-pair tables behind them."""

    grid: tuple[float, ...]
    phi_table: pd.DataFrame    # panel, origin, target, horizon, phi, mae, ..., rel_loss
    loss: np.ndarray           # horizon-pooled loss per grid value
    phi: float
    phi_draws: np.ndarray
    s_long: float
    width_factor: float

    def phi_interval(self, level: float = 0.80) -> tuple[float, float]:
        a = (1.0 - level) / 2.0
        lo, hi = np.quantile(self.phi_draws, [a, 1.0 - a])
        return float(lo), float(hi)

    @property
    def long_run(self) -> tuple[float, float]:
        """(shock scale per year after the first forecast year, panel-wide growth sd)."""
        return self.s_long * self.width_factor, 0.0

    @property
    def n_pairs(self) -> int:
        return int(self.phi_table[["panel", "origin", "target"]].drop_duplicates().shape[0])


def calibrate(panels: dict[str, hp.Panel] | None = None, grid=PHI_GRID,
              bootstrap: int = BOOTSTRAP, seed: int = SEED, progress=None) -> Calibration:
    """Choose phi and the long-horizon width on ``panels`` (see the module docstring).
    ``progress(done, total, label)`` is called as windows are refitted."""
    panels = _panels() if panels is None else panels
    grid = tuple(float(g) for g in grid)
    pairs, table = _phi_pairs(panels, grid, progress)
    loss = horizon_pooled_loss(pairs)
    phi = refine_minimum(grid, loss)
    rng = np.random.default_rng(seed)
    sizes = {k: len(p.socs) for k, p in panels.items()}
    draws = np.empty(bootstrap)
    for b in range(bootstrap):
        rows = {k: rng.integers(0, n, n) for k, n in sizes.items()}
        draws[b] = refine_minimum(grid, horizon_pooled_loss(pairs, rows))
    long = panels["long"]
    full = hm.fit_growth(long.socs, long.years, long.emp, long.prse, phi=phi)
    s_long = long_run_shock_scale(full)
    fits = [(c, _window_fit(panels[c.panel], c, phi)) for c in cases(panels["recent"], long)
            if max(c.targets) - c.origin >= 2]
    if progress is not None:
        progress(1, 1, "long-horizon width: calibrating on the backtests 2+ years ahead")
    factor = width_factor(fits, panels, draws, s_long)
    return Calibration(grid, table, loss, phi, draws, s_long, factor)


# --------------------------------------------------------------------------- backtest pairs
def backtest_cases(panels: dict[str, hp.Panel]) -> list[Case]:
    """Windows the backtest tables report: the recent panel where it has 3+ fit years, the
    long panel otherwise (down to one growth interval, May 2017-2018, for 7 years ahead)."""
    recent, long = panels["recent"], panels["long"]
    out = [c for c in cases(recent, long) if c.panel == "recent"]
    have = {(c.origin, t) for c in out for t in c.targets}
    for c in cases(recent, long, min_fit_years=2):
        if c.panel == "long":
            targets = tuple(t for t in c.targets if (c.origin, t) not in have)
            if targets:
                out.append(Case("long", c.fit_years, targets))
    return out


def _baseline_predictions(panel: hp.Panel, o: int, h: int) -> dict[str, np.ndarray]:
    """zero; last = last annual growth x h; mean3 = mean annual growth over the last 3 calendar
    years (from the latest panel year at or after origin - 3) x h. A step across a gap counts
    as its number of years."""
    years, le = panel.years, panel.log_emp
    yo = years[o]
    last = h * (le[:, o] - le[:, o - 1]) / (yo - years[o - 1])
    j = min(k for k, y in enumerate(years) if y >= yo - 3)
    j = min(j, o - 1)
    mean3 = h * (le[:, o] - le[:, j]) / (yo - years[j])
    return {"zero": np.zeros(len(le)), "last": last, "mean3": mean3}


def backtest_predictions(cal: Calibration, panels: dict[str, hp.Panel] | None = None,
                         draws: int = hm.DRAWS) -> pd.DataFrame:
    """Every reported pair: soc, method, panel, origin_year, holdout_year, horizon, origin_emp,
    actual, predicted, lo_95, lo_80, hi_80, hi_95 (log change; bands for the two models)."""
    panels = _panels() if panels is None else panels
    parts = []
    for case in backtest_cases(panels):
        panel = panels[case.panel]
        o = panel.years.index(case.origin)
        H = max(case.targets) - case.origin
        model = _window_fit(panel, case, cal.phi)
        linear = _window_fit(panel, case, 1.0, groups=False)
        idx = np.arange(len(panel.socs))
        q_model = model.log_change_quantiles(idx, H, cal.phi_draws, cal.long_run, draws=draws)
        q_linear = linear.log_change_quantiles(idx, H, None, None, draws=draws)
        for t in case.targets:
            h = t - case.origin
            actual = panel.log_emp[:, panel.years.index(t)] - panel.log_emp[:, o]
            preds = {MODEL_NAME: model.mean_log_change(idx, h),
                     LINEAR_NAME: linear.mean_log_change(idx, h),
                     **_baseline_predictions(panel, o, h)}
            for m in METHODS:
                part = pd.DataFrame({"soc": panel.socs, "method": m, "panel": case.panel,
                                     "origin_year": case.origin, "holdout_year": t, "horizon": h,
                                     "origin_emp": panel.emp[:, o], "actual": actual,
                                     "predicted": preds[m]})
                q = {MODEL_NAME: q_model, LINEAR_NAME: q_linear}.get(m)
                for j, col in enumerate(BANDS):
                    part[col] = q[:, h - 1, j] if q is not None else np.nan
                parts.append(part)
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- cache
def _code_hash() -> str:
    return files.source_hash(__file__, hm.__file__, hp.__file__)


def _cache_path(kind: str, key: str) -> Path:
    return Path(files.CACHE_DIR) / f"headcount_{kind}_{key[:16]}_{_code_hash()}"


_MEMO: dict[str, Calibration] = {}


def _calibration_cached(key: str, progress=None) -> Calibration:
    """Memoised in the process and on disk (keyed by the OEWS files and code): calibrating refits
    ~60 windows (about a minute); loading it takes milliseconds."""
    if key in _MEMO:
        return _MEMO[key]
    path = _cache_path("calibration", key).with_suffix(".pkl")
    cal = cache.cached_pickle(path, "headcount_calibration_*.pkl",
                              lambda: calibrate(progress=progress),
                              valid=lambda obj: isinstance(obj, Calibration))
    _MEMO.clear()
    _MEMO[key] = cal
    return cal


def clear_memo() -> None:
    """Forget the in-process calibration and backtests (the disk cache stays)."""
    _MEMO.clear()
    _predictions_cached.cache_clear()


def is_cached() -> bool:
    """True when the calibration and backtests of the current data are on disk or in memory
    (so reading them is quick)."""
    key = files.oews_hash()
    if key in _MEMO and _predictions_cached.cache_info().currsize:
        return True
    return (_cache_path("calibration", key).with_suffix(".pkl").exists()
            and _cache_path("backtest", key).with_suffix(".parquet").exists())


def calibration(progress=None) -> Calibration:
    """The calibration of the shipped panels (cached; ``progress`` reports a cold build)."""
    return _calibration_cached(files.oews_hash(), progress)


@lru_cache(maxsize=2)
def _predictions_cached(key: str) -> pd.DataFrame:
    path = _cache_path("backtest", key).with_suffix(".parquet")
    return cache.cached_frame(path, "headcount_backtest_*.parquet",
                             lambda: backtest_predictions(calibration(), draws=BACKTEST_DRAWS))


def all_backtest_predictions() -> pd.DataFrame:
    """:func:`backtest_predictions` of the shipped panels (cached on disk)."""
    return _predictions_cached(files.oews_hash()).copy()
