"""Numerical sanity of every projected number over the whole allowed assumption space.

For any valid Assumptions, including the extreme corners (max growth + max horizon + shock + cap,
min growth, blend 0/1, a start year whose horizon runs past the baseline), the scenario engine's
outputs (apply_scenario, compare, comparison_table, tornado, decomposition) and the salary
projection must be finite, headcount never negative, and intervals nested:
lo_95 <= lo_80 <= mean <= hi_80 <= hi_95. CSV exports of those frames must be finite too.

Case counts: min(HYPOTHESIS_CASES or 1000 on CI / 200 locally, 100), because each
case runs the engine ~15 times; the corner grid below is exhaustive on top of that.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasting.core import catalog, totals
from forecasting.salaries import bands as salaries
from forecasting.salaries import projection as salary_projection
from forecasting.scenarios import analysis, engine, presets
from forecasting.scenarios.assumptions import (
    CAP_RANGE,
    GROWTH_MODES,
    HORIZON_RANGE,
    INDUSTRY_GROWTH_RANGE,
    ROLE_GROWTH_RANGE,
    SHOCK_PCT_RANGE,
    TREND_BANDS,
    WAGE_RANGE,
    Assumptions,
    start_year_range,
)
from forecasting.viz import export

CASES = int(os.environ.get("HYPOTHESIS_CASES", "1000" if os.environ.get("CI") == "true" else "200"))
NUM = settings(max_examples=min(CASES, 80), deadline=None, derandomize=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
BANDS = ["lo_95", "lo_80", "mean", "hi_80", "hi_95"]
ROLES, INDS = list(catalog.ROLE_IDS), list(catalog.INDUSTRY_IDS)


@functools.lru_cache(maxsize=1)
def _prepared() -> engine.PreparedBaseline:
    from forecasting.headcount import projection as headcount

    base = headcount.baseline_projection(horizon_years=10)
    assert base[BANDS].notna().all().all()
    return engine.prepare(base)


@pytest.fixture(scope="module")
def prep():
    return _prepared()


@functools.lru_cache(maxsize=1)
def _salary_base() -> pd.DataFrame:
    return salaries.bands(salaries.load_records(), n_boot=200)


def _finite(frame: pd.DataFrame, cols) -> None:
    vals = frame[list(cols)].to_numpy(dtype=float)
    assert np.isfinite(vals).all(), frame[~np.isfinite(vals).all(axis=1)].head()


def _nested(frame: pd.DataFrame) -> None:
    _finite(frame, BANDS)
    v = frame[BANDS].to_numpy(dtype=float)
    tol = 1e-9 * np.maximum(np.abs(v).max(axis=1), 1.0)
    assert (v[:, 0] >= 0).all(), "negative headcount"
    for k in range(4):
        bad = v[:, k] > v[:, k + 1] + tol
        assert not bad.any(), (BANDS[k], BANDS[k + 1], frame[bad].head())


def _csv_finite(frame: pd.DataFrame) -> None:
    """The exported CSV parses back with every numeric column finite (the NaN we allow is a
    comparison column on rows it does not apply to, exported as an empty cell)."""
    back = pd.read_csv(io.StringIO(export.csv_safe(frame)))
    assert len(back) == len(frame)
    for col in frame.select_dtypes("number").columns:
        vals = back[col].to_numpy(dtype=float)
        applies = _COMPARISON_ROWS.get(col)
        if applies is not None:
            vals = vals[applies(frame).to_numpy()]
        assert np.isfinite(vals).all(), col


#: Comparison-table columns that are NaN by design outside these rows.
_COMPARISON_ROWS = {
    "wef_growth_5y_pct": lambda f: f["role"] == totals.AI_ML_GROUP,
    "bls_cagr_pct": lambda f: f["role"].isin(ROLES),
    "growth_5y_pct": lambda f: f["year_n"] - f["year_0"] >= presets.WEF_YEARS,
}


@st.composite
def extreme_assumptions(draw) -> Assumptions:
    """Valid Assumptions, biased towards range ends (hypothesis also shrinks to them)."""
    mode = draw(st.sampled_from(GROWTH_MODES))

    def num(lo, hi):
        ends = [lo, hi] + ([0.0] if lo <= 0 <= hi else [])
        return draw(st.sampled_from(ends) | st.floats(lo, hi, allow_nan=False))

    start = draw(st.integers(*start_year_range()))
    horizon = draw(st.sampled_from([1, 10]) | st.integers(*HORIZON_RANGE))
    roles = draw(st.lists(st.sampled_from(ROLES), unique=True, max_size=7))
    inds = draw(st.lists(st.sampled_from(INDS), unique=True, max_size=7))
    caps = draw(st.lists(st.sampled_from(ROLES), unique=True, max_size=3))
    return Assumptions(
        preset=draw(st.sampled_from(presets.PRESET_IDS)), start_year=start, horizon_years=horizon,
        growth_mode=mode, blend_weight=num(0.0, 1.0), trend_band=draw(st.sampled_from(TREND_BANDS)),
        role_growth={r: num(*ROLE_GROWTH_RANGE[mode]) for r in roles},
        industry_growth={i: num(*INDUSTRY_GROWTH_RANGE[mode]) for i in inds},
        role_cap={r: num(*CAP_RANGE) for r in caps},
        shock_year=draw(st.none() | st.integers(start + 1, start + horizon)),
        shock_pct=num(*SHOCK_PCT_RANGE),
        automotive_share=draw(st.none() | st.sampled_from([0.0, 1.0]) | st.floats(0, 1)),
        anchor_years=draw(st.none() | st.integers(*HORIZON_RANGE)),
        extend_anchor=draw(st.booleans()))


def _check_engine(prep, a: Assumptions, view_role: str, view_ind: str) -> None:
    out = engine.apply_scenario(prep, a)
    _nested(out)
    assert sorted(out["year"].unique()) == list(range(a.start_year, a.end_year + 1))
    caps = a.role_cap_map
    if caps:
        # the start year is data; from the first projected year on, the cap holds
        tot = out[out["year"] > a.start_year].groupby(["role", "year"])["mean"].sum()
        for r, cap in caps.items():
            assert (tot.loc[r] <= cap * (1 + 1e-9)).all(), f"{r} exceeds its cap"
    _csv_finite(out)
    tor = analysis.tornado(prep, a, view_role, view_ind)
    _finite(tor, ["value_low", "value_high", "base_value"])
    assert (tor[["value_low", "value_high", "base_value"]] >= 0).all().all()
    _csv_finite(tor)
    dec = analysis.decomposition(prep, a, view_role, view_ind)
    _finite(dec, ["value"])
    total = dec.groupby("year")["value"].sum()
    level = out if view_role == totals.ALL else out[out["role"] == view_role] \
        if view_role in ROLES else out[out["role"].isin(catalog.AI_ML_SPECIALIST_ROLES)]
    if view_ind != totals.ALL:
        level = level[level["industry"] == view_ind]
    by_year = level.groupby("year")["mean"].sum()
    np.testing.assert_allclose(total.to_numpy(), (by_year - by_year.iloc[0]).to_numpy(),
                               rtol=1e-9, atol=1e-6 * max(1.0, by_year.abs().max()))
    _csv_finite(dec)


@NUM
@given(extreme_assumptions(), st.sampled_from([totals.ALL, totals.AI_ML_GROUP, *ROLES]),
       st.sampled_from([totals.ALL, *INDS]))
def test_engine_outputs_finite_nonnegative_nested(a, view_role, view_ind):
    _check_engine(_prepared(), a, view_role, view_ind)


CORNERS = list(itertools.product(
    GROWTH_MODES, ["max", "min"], [10], [False, True], [False, True], [0.0, 1.0]))


@pytest.mark.parametrize("mode,growth,horizon,shock,cap,blend", CORNERS)
def test_corner_combinations(prep, mode, growth, horizon, shock, cap, blend):
    """Every corner: growth at max/min for every role and industry, horizon 10 from the last
    start year (runs 5 years past the baseline), shock at its extreme, caps at their minimum.
    (Zero growth and horizon 1 are ends the hypothesis strategy samples on purpose.)"""
    pick = {"max": 1, "min": 0, "zero": None}[growth]
    rg = {r: ROLE_GROWTH_RANGE[mode][pick] if pick is not None else 0.0 for r in ROLES}
    ig = {i: INDUSTRY_GROWTH_RANGE[mode][pick] if pick is not None else 0.0 for i in INDS}
    start = start_year_range()[1]
    a = Assumptions(start_year=start, horizon_years=horizon, growth_mode=mode, blend_weight=blend,
                    role_growth=rg, industry_growth=ig,
                    shock_year=start + horizon if shock else None,
                    shock_pct=SHOCK_PCT_RANGE[1 if growth == "max" else 0] if shock else 0.0,
                    role_cap={r: CAP_RANGE[0] for r in ROLES[:2]} if cap else {})
    views = [(totals.ALL, totals.ALL), (totals.AI_ML_GROUP, "automotive"), ("nlp_scientist", "fintech")]
    _check_engine(prep, a, *views[CORNERS.index((mode, growth, horizon, shock, cap, blend)) % 3])


@settings(NUM, max_examples=min(CASES, 25))  # compare + table cost ~0.3 s per case
@given(st.lists(extreme_assumptions(), min_size=1, max_size=4))
def test_comparison_and_table_finite(many):
    prep = _prepared()
    long = analysis.compare(prep, many)
    _nested(long)
    table = analysis.comparison_table(prep, many)
    _finite(table, ["year_n", "jobs_year_n", "jobs_added", "cagr_pct"])
    assert (table["jobs_year_n"] >= 0).all()
    for col, applies in _COMPARISON_ROWS.items():  # NaN exactly where a comparison does not apply
        rows = applies(table).to_numpy()
        assert np.isfinite(table[col][rows]).all() and table[col][~rows].isna().all(), col
    _csv_finite(long)
    _csv_finite(table)


def test_shipped_presets_numerics(prep):
    for p in presets.PRESET_IDS:
        for start in start_year_range():
            a = presets.preset(p).with_changes(start_year=start, horizon_years=10)
            _check_engine(prep, a, totals.AI_ML_GROUP, totals.ALL)


@settings(NUM, max_examples=min(CASES, 60))
@given(st.floats(*WAGE_RANGE) | st.sampled_from(list(WAGE_RANGE)),
       st.floats(0, 30) | st.just(0.0), st.integers(1, 10))
def test_salary_projection_finite_and_ordered(growth, sigma, horizon):
    salary_base = _salary_base()
    proj = salary_projection.project_bands(salary_base, 2025, salary_projection.WageGrowth(growth, sigma), horizon)
    shown = proj[proj["flag"] != "suppressed"]  # suppressed roles carry NaN by design (n < 5)
    assert len(shown) > 0 and proj.loc[proj["flag"] == "suppressed", "p50"].isna().all()
    cols = [f"p{p}" for p in salaries.PERCENTILES]
    _finite(shown, cols + ["p50_lo", "p50_hi"])
    v = shown[cols].to_numpy()
    assert (v > 0).all() and (np.diff(v, axis=1) >= -1e-6 * v[:, 1:]).all()
    assert (shown["p50_lo"] <= shown["p50"] * (1 + 1e-12)).all()
    assert (shown["p50_hi"] >= shown["p50"] * (1 - 1e-12)).all()
    back = pd.read_csv(io.StringIO(export.csv_safe(shown)))
    assert np.isfinite(back[cols + ["p50_lo", "p50_hi"]].to_numpy(dtype=float)).all()
    assert math.isfinite(float(back["growth_pct"].iloc[0]))
