"""Scenario engine arithmetic, presets, (de)serialisation, validation, tornado, decomposition."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.core import catalog
from forecasting.core import totals as reconcile
from forecasting.core.errors import UserInputError
from forecasting.scenarios import analysis, engine, headlines, presets, urlcodec
from forecasting.scenarios.assumptions import (
    CAP_RANGE,
    GROWTH_MODES,
    HORIZON_RANGE,
    INDUSTRY_GROWTH_RANGE,
    NAME_MAX_CHARS,
    ROLE_GROWTH_RANGE,
    SCHEMA_VERSION,
    SHOCK_PCT_RANGE,
    START_YEAR_SPAN,
    TREND_BANDS,
    WAGE_RANGE,
    Assumptions,
    start_year_range,
)
from forecasting.sources.files import latest_oews_year

Y0 = latest_oews_year()  # the baseline's first year (May 2025 in the shipped data)


def synthetic_baseline(horizon: int = 10, seed: int = 0) -> pd.DataFrame:
    """A frame with baseline_projection's schema: log-normal intervals widening with sqrt(h)."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in catalog.ROLE_IDS:
        for i in catalog.INDUSTRY_IDS:
            level, g = rng.uniform(1000, 50000), rng.uniform(-0.02, 0.10)
            s = rng.uniform(0.03, 0.12)
            for h in range(horizon + 1):
                m = level * (1 + g) ** h
                z80, z95 = 1.2816 * s * np.sqrt(h), 1.96 * s * np.sqrt(h)
                rows.append(dict(role=r, industry=i, year=Y0 + h, mean=m,
                                 lo_80=m * np.exp(-z80), hi_80=m * np.exp(z80),
                                 lo_95=m * np.exp(-z95), hi_95=m * np.exp(z95)))
    return pd.DataFrame(rows)


BASE = synthetic_baseline()
BLS = pd.DataFrame({"soc": ["15-2051", "15-1252", "15-1221", "15-1243", "11-3021"],
                    "change_pct": [33.5, 15.8, 19.7, 8.7, 15.2]})


def total(frame: pd.DataFrame, roles=None, year=None) -> float:
    f = frame if roles is None else frame[frame["role"].isin(roles)]
    return float(f.loc[f["year"] == year, "mean"].sum())


# ------------------------------------------------------------------ growth arithmetic
def _role_path(frame: pd.DataFrame, role: str, col: str = "mean") -> pd.Series:
    return frame[frame.role == role].groupby("year")[col].sum()


def test_wef_scope_is_the_ai_ml_specialist_roles_not_data_scientists():
    assert catalog.AI_ML_SPECIALIST_ROLES == ("ml_engineer", "nlp_scientist", "ml_scientist")
    a = presets.preset("wef2023")
    assert set(a.role_growth_map) == set(catalog.AI_ML_SPECIALIST_ROLES)
    assert a.blend_weight == 1.0 and a.horizon_years == 5 and a.anchor_years == 5
    assert not a.extend_anchor


def test_wef_preset_gives_1_40x_then_the_baseline_growth():
    a = presets.preset("wef2023").aligned(Y0, 10)
    out = engine.apply_scenario(BASE, a)
    base = engine.apply_scenario(BASE, presets.preset("baseline").aligned(Y0, 10))
    mle = _role_path(out, "ml_engineer")
    assert mle.loc[Y0 + 5] / mle.loc[Y0] == pytest.approx(1.40, rel=1e-12)
    assert pytest.approx(6.961, abs=1e-3) == presets.WEF_CAGR_PCT
    ai = catalog.AI_ML_SPECIALIST_ROLES
    assert total(out, ai, Y0 + 5) / total(out, ai, Y0) == pytest.approx(1.40, rel=1e-12)
    # data scientists (and every other role outside WEF's scope) follow the baseline exactly
    for r in ("data_scientist", "software_engineer", "ml_product_manager", "bi_developer"):
        pd.testing.assert_series_equal(_role_path(out, r), _role_path(base, r), rtol=1e-12)
    # after WEF's 5 years, each cell grows at the baseline's own rate, not WEF's
    cells = out.set_index(["role", "industry", "year"])["mean"].unstack("year")
    bcells = BASE.set_index(["role", "industry", "year"])["mean"].unstack("year")
    for y in range(Y0 + 6, Y0 + 11):
        np.testing.assert_allclose(cells[y] / cells[y - 1], bcells[y] / bcells[y - 1], rtol=1e-12)
    assert not np.allclose((cells[Y0 + 6] / cells[Y0 + 5]).loc["ml_engineer"], 1 + presets.WEF_CAGR_PCT / 100)


def test_extend_anchor_lever_keeps_the_anchor_rate():
    a = presets.preset("wef2023").aligned(Y0, 10).with_changes(extend_anchor=True)
    mle = _role_path(engine.apply_scenario(BASE, a), "ml_engineer")
    assert mle.loc[Y0 + 10] / mle.loc[Y0] == pytest.approx(1.40 ** 2, rel=1e-12)
    assert mle.loc[Y0 + 7] / mle.loc[Y0 + 6] == pytest.approx(1 + presets.WEF_CAGR_PCT / 100, rel=1e-12)


def test_total_mode_spreads_an_anchor_over_its_own_years():
    """+40% "total" with a 5-year anchor inside a 10-year horizon is +40% over those 5 years."""
    a = Assumptions(growth_mode="total", horizon_years=10, anchor_years=5, blend_weight=1.0,
                    role_growth={"bi_developer": 40.0})
    bi = _role_path(engine.apply_scenario(BASE, a), "bi_developer")
    assert bi.loc[Y0 + 5] / bi.loc[Y0] == pytest.approx(1.40, rel=1e-12)
    per_year = a.in_mode("per_year")
    assert per_year.role_growth_map["bi_developer"] == pytest.approx(presets.WEF_CAGR_PCT)
    np.testing.assert_allclose(engine.apply_scenario(BASE, per_year)["mean"],
                               engine.apply_scenario(BASE, a)["mean"], rtol=1e-12)


def test_per_year_and_total_forms_agree():
    total_form = Assumptions(growth_mode="total", horizon_years=7, blend_weight=0.6,
                             role_growth={"data_scientist": 50.0},
                             industry_growth={"fintech": 10.0})
    rate = ((1.5 ** (1 / 7)) - 1) * 100
    ind = ((1.1 ** (1 / 7)) - 1) * 100
    per_year = total_form.with_changes(growth_mode="per_year", role_growth={"data_scientist": rate},
                                       industry_growth={"fintech": ind})
    a, b = engine.apply_scenario(BASE, total_form), engine.apply_scenario(BASE, per_year)
    np.testing.assert_allclose(a["mean"], b["mean"], rtol=1e-12)


def test_blend_weight_interpolates_growth_rates():
    a = Assumptions(blend_weight=0.25, role_growth={"ml_engineer": 10.0})
    out = engine.apply_scenario(BASE, a)
    base = BASE[(BASE.role == "ml_engineer") & (BASE.industry == "fintech")].set_index("year")["mean"]
    cell = out[(out.role == "ml_engineer") & (out.industry == "fintech")].set_index("year")["mean"]
    model_g = base.loc[2026] / base.loc[2025] - 1
    assert cell.loc[2026] / cell.loc[2025] - 1 == pytest.approx(0.75 * model_g + 0.25 * 0.10)


def test_cap_never_exceeded_and_damps_growth():
    start = total(engine.apply_scenario(BASE, Assumptions()), ["data_scientist"], 2025)
    cap = start * 1.3
    a = Assumptions(horizon_years=10, blend_weight=1.0, role_growth={"data_scientist": 60.0},
                    role_cap={"data_scientist": cap}, shock_year=2027, shock_pct=150.0)
    out = engine.apply_scenario(BASE, a)
    ds = out[out.role == "data_scientist"].groupby("year")["mean"].sum()
    assert (ds <= cap * (1 + 1e-12)).all()
    assert ds.iloc[-1] == pytest.approx(cap)  # reaches, never passes
    # logistic: first step grows less than uncapped
    free = engine.apply_scenario(BASE, a.with_changes(role_cap=()))
    ds_free = free[free.role == "data_scientist"].groupby("year")["mean"].sum()
    assert ds.loc[2026] < ds_free.loc[2026]


def test_shock_is_applied_once():
    a = Assumptions(horizon_years=6)
    shocked = a.with_changes(shock_year=2028, shock_pct=20.0)
    x = engine.apply_scenario(BASE, a).set_index(["role", "industry", "year"])["mean"]
    y = engine.apply_scenario(BASE, shocked).set_index(["role", "industry", "year"])["mean"]
    ratio = (y / x).groupby(level="year").agg(["min", "max"])
    np.testing.assert_allclose(ratio.loc[[2025, 2026, 2027]].to_numpy(), 1.0)
    np.testing.assert_allclose(ratio.loc[[2028, 2029, 2030, 2031]].to_numpy(), 1.2)


def test_outputs_are_finite_nonnegative_and_ordered():
    wild = Assumptions(horizon_years=10, start_year=2027, blend_weight=0.7, growth_mode="per_year",
                       role_growth={r: -50.0 for r in catalog.ROLE_IDS[:3]},
                       industry_growth={"fintech": -20.0, "other": 20.0},
                       shock_year=2030, shock_pct=-50.0, automotive_share=0.9)
    for a in (wild, presets.preset("high"), presets.preset("low"), presets.preset("wef2023")):
        out = engine.apply_scenario(BASE, a)
        vals = out[["mean", "lo_80", "hi_80", "lo_95", "hi_95"]].to_numpy()
        assert np.isfinite(vals).all() and (vals >= 0).all()
        assert (out.lo_95 <= out.lo_80).all() and (out.lo_80 <= out["mean"]).all()
        assert (out["mean"] <= out.hi_80).all() and (out.hi_80 <= out.hi_95).all()
    # start 2027 + 10 years runs past the baseline's 2035: extended, not cut
    assert engine.apply_scenario(BASE, wild)["year"].max() == Y0 + 12


def _growth_baseline(log_growth) -> pd.DataFrame:
    """One role x industry cell per entry of ``log_growth`` (a function of h), zero-width bands
    at the start and log-normal bands widening with sqrt(h)."""
    rows = []
    for k, (r, i) in enumerate([(r, i) for r in catalog.ROLE_IDS for i in catalog.INDUSTRY_IDS]):
        for h in range(11):
            m = 1000.0 * (k + 1) * np.exp(sum(log_growth(k, j) for j in range(1, h + 1)))
            z = 0.05 * np.sqrt(h)
            rows.append({"role": r, "industry": i, "year": Y0 + h, "mean": m,
                         "lo_80": m * np.exp(-z), "hi_80": m * np.exp(z),
                         "lo_95": m * np.exp(-1.5 * z), "hi_95": m * np.exp(1.5 * z)})
    return pd.DataFrame(rows)


def test_years_beyond_the_baseline_continue_its_growth():
    """Past the baseline's last year (start 2030 + 10 years = 5 years of extension): a constant
    trend continues at its rate from the first extension year on (not flat), a damped trend keeps
    damping at its own ratio, and bands keep widening."""
    steady = _growth_baseline(lambda k, j: 0.01 * (k % 5 - 1))
    damped = _growth_baseline(lambda k, j: 0.08 * 0.7 ** j)
    a = Assumptions(start_year=Y0 + 5, horizon_years=10)
    last = Y0 + 10
    for frame, expected in ((steady, lambda k, j: 0.01 * (k % 5 - 1)),
                            (damped, lambda k, j: 0.08 * 0.7 ** j)):
        out = engine.apply_scenario(frame, a)
        cells = out.set_index(["role", "industry", "year"])["mean"].unstack("year")
        assert list(cells.columns) == list(range(Y0 + 5, last + 6))
        k_of = {key: k for k, key in enumerate((r, i) for r in catalog.ROLE_IDS
                                               for i in catalog.INDUSTRY_IDS)}
        for y in range(last + 1, last + 6):
            want = [expected(k_of[key], y - Y0) for key in cells.index]
            np.testing.assert_allclose(np.log(cells[y] / cells[y - 1]).to_numpy(), want,
                                       rtol=1e-9, atol=1e-12)
    out = engine.apply_scenario(damped, a.with_changes(blend_weight=0.0))
    width = (out.hi_80 / out["mean"]).groupby(out.year).first()
    assert (np.diff(width.loc[last:].to_numpy()) > 0).all()


def test_intervals_are_model_uncertainty():
    """Unanchored cells keep the baseline's relative widths; a role anchored at blend weight 1 is
    a point path (interval columns equal the mean); a blend keeps (1 - w) of the model's
    log-width."""
    bands = ["lo_95", "lo_80", "hi_80", "hi_95"]
    a = Assumptions(blend_weight=1.0, role_growth={"bi_developer": 5.0})
    out = engine.apply_scenario(BASE, a).merge(BASE, on=["role", "industry", "year"], suffixes=("", "_b"))
    free = out[out.role != "bi_developer"]
    np.testing.assert_allclose(free.hi_80 / free["mean"], free.hi_80_b / free.mean_b, rtol=1e-12)
    np.testing.assert_allclose(free.lo_95 / free["mean"], free.lo_95_b / free.mean_b, rtol=1e-12)
    anchored = out[out.role == "bi_developer"]
    for b in bands:
        np.testing.assert_array_equal(anchored[b], anchored["mean"])
    first = out[out.year == Y0]
    np.testing.assert_allclose(first.lo_95, first.hi_95)  # zero width at the last observed year
    half = Assumptions(blend_weight=0.25, role_growth={"bi_developer": 5.0})
    out = engine.apply_scenario(BASE, half).merge(BASE, on=["role", "industry", "year"],
                                              suffixes=("", "_b"))
    bi = out[(out.role == "bi_developer") & (out.year > Y0)]
    np.testing.assert_allclose(np.log(bi.hi_95 / bi["mean"]),
                               0.75 * np.log(bi.hi_95_b / bi.mean_b), rtol=1e-10)


@pytest.mark.parametrize("name", ["wef2023", "bls2034"])
def test_anchored_presets_are_point_paths(name):
    a = presets.preset(name, bls_ep=BLS) if name == "bls2034" else presets.preset(name)
    out = engine.apply_scenario(BASE, a.aligned(Y0, 10))
    anchored = out[out.role.isin(list(a.role_growth_map))]
    assert len(anchored) > 0
    for b in ("lo_80", "hi_80", "lo_95", "hi_95"):
        np.testing.assert_array_equal(anchored[b], anchored["mean"])
    if name == "wef2023":  # roles outside WEF's scope keep the model's band
        ds = out[(out.role == "data_scientist") & (out.year == Y0 + 5)]
        assert (ds.hi_80 > ds["mean"] * 1.01).all()


def test_high_low_presets_are_lines_on_the_baseline_80pct_bounds():
    for name, band in (("high", "hi_80"), ("low", "lo_80")):
        out = engine.apply_scenario(BASE, presets.preset(name).with_changes(horizon_years=10))
        merged = out.merge(BASE, on=["role", "industry", "year"], suffixes=("", "_b"))
        np.testing.assert_allclose(merged["mean"], merged[f"{band}_b"], rtol=1e-9)
        for b in ("lo_80", "hi_80", "lo_95", "hi_95"):  # no band around a band
            np.testing.assert_array_equal(out[b], out["mean"])


def test_bls_preset_converts_10_year_change_to_annual_rate():
    a = presets.preset("bls2034", bls_ep=BLS)
    assert a.anchor_years == presets.BLS_EP_YEARS == 10
    g = a.role_growth_map
    assert (1 + g["data_scientist"] / 100) ** 10 == pytest.approx(1.335)
    assert (1 + g["software_engineer"] / 100) ** 10 == pytest.approx(1.158)
    out = engine.apply_scenario(BASE, a)
    ds = _role_path(out, "data_scientist")
    assert ds.loc[Y0 + 10] / ds.loc[Y0] == pytest.approx(1.335, rel=1e-12)
    # the same rule as WEF after the anchor's years: a shorter BLS period, then the baseline
    short = engine.apply_scenario(BASE, a.with_changes(anchor_years=4))
    ds4 = _role_path(short, "data_scientist")
    assert ds4.loc[Y0 + 4] / ds4.loc[Y0] == pytest.approx(1.335 ** 0.4, rel=1e-12)
    cells = short.set_index(["role", "industry", "year"])["mean"].unstack("year")
    bcells = BASE.set_index(["role", "industry", "year"])["mean"].unstack("year")
    for y in range(Y0 + 5, Y0 + 11):
        np.testing.assert_allclose(cells[y] / cells[y - 1], bcells[y] / bcells[y - 1], rtol=1e-12)


def test_automotive_override_keeps_role_totals():
    a, b = Assumptions(), Assumptions(automotive_share=0.3)
    x, y = engine.apply_scenario(BASE, a), engine.apply_scenario(BASE, b)
    np.testing.assert_allclose(x.groupby(["role", "year"])["mean"].sum(),
                               y.groupby(["role", "year"])["mean"].sum(), rtol=1e-12)
    manuf = y[y.industry.isin(["automotive", "manufacturing_other"])].pivot_table(
        index=["role", "year"], columns="industry", values="mean")
    np.testing.assert_allclose(manuf["automotive"] / manuf.sum(axis=1), 0.3)


def test_coherent_after_overrides():
    a = Assumptions(blend_weight=0.5, role_growth={"ml_engineer": 20.0},
                    industry_growth={"healthtech": 5.0}, role_cap={"ml_engineer": 60000.0},
                    automotive_share=0.4, shock_year=2027, shock_pct=10.0)
    full = reconcile.with_totals(engine.apply_scenario(BASE, a))
    assert reconcile.coherence_errors(full) == []
    tampered = full.copy()
    tampered.loc[(tampered.role == "all") & (tampered.industry == "all"), "mean"] += 1.0
    assert reconcile.coherence_errors(tampered)


def test_engine_is_fast():
    prep = engine.prepare(BASE)
    a = presets.preset("wef2023")
    engine.apply_scenario(prep, a)
    t0 = time.perf_counter()
    for _ in range(20):
        engine.apply_scenario(BASE, a)
    assert (time.perf_counter() - t0) / 20 < 0.05  # a few ms typical; loose for shared CI


# ------------------------------------------------------------------ comparison
BLS_CAGR = {r: 1.0 + k for k, r in enumerate(catalog.ROLE_IDS)}  # any numbers: checked verbatim


def test_comparison_table_compares_rates_with_rates():
    scen = [presets.preset("baseline").aligned(Y0, 10), presets.preset("wef2023").aligned(Y0, 10),
            presets.preset("bls2034", bls_ep=BLS)]
    table = analysis.comparison_table(BASE, scen, bls_cagr=BLS_CAGR)
    assert list(table.columns) == ["scenario", "role", "industry", "year_0", "year_n", "jobs_year_n",
                                   "jobs_added", "cagr_pct", "bls_cagr_pct", "growth_5y_pct",
                                   "wef_growth_5y_pct"]
    assert "gap_to_wef_jobs" not in table.columns  # never US jobs against WEF's global count
    t = table.set_index(["scenario", "role"])
    wef = t.loc[("WEF 2023 (assumption)", "ai_ml_specialists")]
    assert wef.growth_5y_pct == pytest.approx(40.0, rel=1e-10)
    assert wef.wef_growth_5y_pct == 40.0
    assert table[table.role != "ai_ml_specialists"].wef_growth_5y_pct.isna().all()
    base_grp = t.loc[("Statistical baseline", "ai_ml_specialists")]
    ai = catalog.AI_ML_SPECIALIST_ROLES
    want = (total(BASE, ai, Y0 + 5) / total(BASE, ai, Y0) - 1) * 100
    assert base_grp.growth_5y_pct == pytest.approx(want, rel=1e-12)
    for r in catalog.ROLE_IDS:  # BLS's CAGR beside every role row; the BLS preset matches it
        assert t.loc[("Statistical baseline", r)].bls_cagr_pct == BLS_CAGR[r]
        assert t.loc[("BLS 2024-34", r)].cagr_pct == pytest.approx(
            presets.bls_annual_growth_pct(BLS)[r], rel=1e-9)
    assert table[table.role.isin(["all", "ai_ml_specialists"])].bls_cagr_pct.isna().all()
    ds = t.loc[("Statistical baseline", "data_scientist")]
    path = _role_path(BASE, "data_scientist")
    assert ds.jobs_added == pytest.approx(path.loc[Y0 + 10] - path.loc[Y0])
    assert ds.cagr_pct == pytest.approx(((path.loc[Y0 + 10] / path.loc[Y0]) ** 0.1 - 1) * 100)
    short = analysis.comparison_table(BASE, [presets.preset("baseline").aligned(Y0, 3)], bls_cagr=BLS_CAGR)
    assert short.growth_5y_pct.isna().all()  # no 5-year figure from a 3-year horizon
    # compare = each scenario's cells with the bottom-up totals of core.totals, scenario by
    # scenario in the order given; the AI/ML group sums the roles it is given
    a, b = presets.preset("wef2023"), presets.preset("baseline").aligned(Y0, 5)
    long = analysis.compare(BASE, [a, b], group_roles=("ml_engineer",))
    assert long["scenario"].drop_duplicates().tolist() == [a.label, b.label]
    first = long[long["scenario"] == a.label].drop(columns="scenario").reset_index(drop=True)
    cells = engine.apply_scenario(BASE, a)
    ref = reconcile.with_totals(cells, ai_ml_roles=("ml_engineer",)).drop(columns="scenario")
    pd.testing.assert_frame_equal(first, ref)
    group = first[(first.role == "ai_ml_specialists") & (first.industry == "all")].set_index("year")
    mle = cells[cells.role == "ml_engineer"].groupby("year")["mean"].sum()
    np.testing.assert_allclose(group["mean"], mle, rtol=1e-12)
    with pytest.raises(UserInputError, match="1 to 4"):
        analysis.compare(BASE, [Assumptions()] * 5)


def test_headline_group_leaves_small_base_roles_out_unless_included():
    assert headlines.headline_group(False, small_base=("nlp_scientist",)) == ("ml_engineer", "ml_scientist")
    assert headlines.headline_group(True, small_base=("nlp_scientist",)) == catalog.AI_ML_SPECIALIST_ROLES
    assert headlines.headline_group(False) == ("ml_engineer", "ml_scientist")  # read from shipped data
    assert headlines.headline_roles(catalog.ROLE_IDS, False, ("nlp_scientist",)) == tuple(
        r for r in catalog.ROLE_IDS if r != "nlp_scientist")
    group = headlines.headline_group(False)
    assert headlines.group_label(group) == ("AI/ML specialists (ML engineer, ML scientist) excl. "
                                     "small-base NLP scientist")
    assert headlines.group_label() == "AI/ML specialists (ML engineer, NLP scientist, ML scientist)"
    long = analysis.compare(BASE, [Assumptions()], group)
    grp = long[(long.role == "ai_ml_specialists") & (long.industry == "all")].set_index("year")
    assert grp.loc[Y0 + 3, "mean"] == pytest.approx(total(BASE, group, Y0 + 3), rel=1e-12)
    dec = analysis.decomposition(BASE, Assumptions(), "ai_ml_specialists", "all", group)
    assert dec.groupby("year")["value"].sum().loc[Y0 + 5] == pytest.approx(
        total(BASE, group, Y0 + 5) - total(BASE, group, Y0), rel=1e-9)


def test_reference_band_is_the_baselines_interval():
    a = presets.preset("wef2023").with_changes(horizon_years=7, automotive_share=0.3)
    ref = analysis.reference_band(BASE, a, "data_scientist", "automotive")
    assert list(ref.year) == list(range(Y0, Y0 + 8))
    cell = engine.apply_scenario(BASE, Assumptions(horizon_years=7, automotive_share=0.3))
    cell = cell[(cell.role == "data_scientist") & (cell.industry == "automotive")]
    np.testing.assert_allclose(ref[["mean", "lo_80", "hi_80"]], cell[["mean", "lo_80", "hi_80"]],
                               rtol=1e-12)
    assert (ref.hi_80.iloc[1:] > ref["mean"].iloc[1:]).all()
    # an aggregate's band is compare's total row of the baseline (bounds summed, bottom-up)
    group = ("ml_engineer", "nlp_scientist")
    agg = analysis.reference_band(BASE, a, "ai_ml_specialists", "fintech", group)
    long = analysis.compare(BASE, [Assumptions(horizon_years=7, automotive_share=0.3)], group)
    row = long[(long.role == "ai_ml_specialists") & (long.industry == "fintech")]
    np.testing.assert_allclose(agg[["mean", "lo_80", "hi_95"]], row[["mean", "lo_80", "hi_95"]],
                               rtol=1e-12)


# ------------------------------------------------------------------ tornado / decomposition
def test_tornado_bars_equal_direct_reruns():
    a = Assumptions(blend_weight=0.5, role_growth={"data_scientist": 8.0},
                    role_cap={"data_scientist": 80000.0}, industry_growth={"fintech": 1.0})
    tor = analysis.tornado(BASE, a, "data_scientist", "fintech", 2030)
    variants = {name: (lo, hi) for name, _, lo, hi in
                analysis.tornado_variants(a, "data_scientist", "fintech")}
    assert set(tor.assumption) == set(variants) and len(tor) >= 4

    def direct(x):
        out = engine.apply_scenario(BASE, x)
        sel = out[(out.role == "data_scientist") & (out.industry == "fintech") & (out.year == 2030)]
        return float(sel["mean"].iloc[0])

    for row in tor.itertuples():
        lo, hi = variants[row.assumption]
        assert row.value_low == pytest.approx(direct(lo))
        assert row.value_high == pytest.approx(direct(hi))
        assert row.base_value == pytest.approx(direct(a))
        assert lo != a or hi != a
    swings = (tor.value_high - tor.value_low).abs().to_numpy()
    assert (np.diff(swings) <= 1e-9).all()


@pytest.mark.parametrize("role,industry", [("all", "all"), ("ai_ml_specialists", "all"),
                                           ("data_scientist", "fintech")])
def test_decomposition_sums_to_total_change(role, industry):
    a = Assumptions(horizon_years=8, blend_weight=0.8, role_growth={"data_scientist": 12.0},
                    industry_growth={"fintech": 2.0}, shock_year=2028, shock_pct=15.0,
                    role_cap={"data_scientist": 90000.0})
    dec = analysis.decomposition(BASE, a, role, industry)
    assert set(dec.component) == set(analysis.DECOMPOSITION_COMPONENTS)
    out = reconcile.with_totals(engine.apply_scenario(BASE, a))
    path = out[(out.role == role) & (out.industry == industry)].set_index("year")["mean"]
    summed = dec.groupby("year")["value"].sum()
    np.testing.assert_allclose(summed.to_numpy(), (path - path.iloc[0]).to_numpy(), atol=1e-6)
    shock = dec[dec.component == "shock"].set_index("year")["value"]
    assert (shock.loc[:2027].abs() < 1e-9).all() and shock.loc[2028] > 0


# ------------------------------------------------------------------ serialisation & validation
finite = dict(allow_nan=False, allow_infinity=False)


@st.composite
def assumptions_strategy(draw):
    mode = draw(st.sampled_from(GROWTH_MODES))
    start = draw(st.integers(*start_year_range()))
    horizon = draw(st.integers(*HORIZON_RANGE))
    rg = draw(st.dictionaries(st.sampled_from(catalog.ROLE_IDS),
                              st.floats(*ROLE_GROWTH_RANGE[mode], **finite)))
    ig = draw(st.dictionaries(st.sampled_from(catalog.INDUSTRY_IDS),
                              st.floats(*INDUSTRY_GROWTH_RANGE[mode], **finite)))
    caps = draw(st.dictionaries(st.sampled_from(catalog.ROLE_IDS), st.floats(*CAP_RANGE, **finite)))
    shock_year = draw(st.none() | st.integers(start + 1, start + horizon))
    name = draw(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn")),
                        max_size=NAME_MAX_CHARS))
    return Assumptions(
        preset=draw(st.sampled_from(presets.PRESET_IDS + ("custom",))), name=name, start_year=start,
        horizon_years=horizon, growth_mode=mode, blend_weight=draw(st.floats(0, 1, **finite)),
        trend_band=draw(st.sampled_from(TREND_BANDS)), role_growth=rg, industry_growth=ig,
        role_cap=caps, shock_year=shock_year, shock_pct=draw(st.floats(*SHOCK_PCT_RANGE, **finite)),
        wage_growth_pct_per_year=draw(st.none() | st.floats(*WAGE_RANGE, **finite)),
        automotive_share=draw(st.none() | st.floats(0, 1, **finite)),
        anchor_years=draw(st.none() | st.integers(*HORIZON_RANGE)),
        extend_anchor=draw(st.booleans()))


@settings(max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "200")), deadline=None)
@given(assumptions_strategy())
def test_json_and_url_round_trip(a):
    assert Assumptions.from_json(a.to_json()) == a
    params = urlcodec.encode(a)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
    back, messages = urlcodec.decode(params)
    assert messages == [] and back == a
    # st.query_params hands lists for repeated keys
    back2, _ = urlcodec.decode({k: [v] for k, v in params.items()})
    assert back2 == a


def test_validation_messages_are_specific():
    with pytest.raises(UserInputError, match="horizon_years: 11 is outside the allowed range 1 to 10"):
        Assumptions(horizon_years=11)
    with pytest.raises(UserInputError, match=r"unknown role 'quant'; valid roles: ml_engineer, "):
        Assumptions(role_growth={"quant": 5.0})
    with pytest.raises(UserInputError, match=r"unknown industry 'mining'; valid industries: fintech"):
        Assumptions(industry_growth={"mining": 1.0})
    with pytest.raises(UserInputError, match="blend_weight: expected a number, got 'high'"):
        Assumptions(blend_weight="high")
    with pytest.raises(UserInputError, match="start_year: expected a whole number"):
        Assumptions(start_year=True)
    with pytest.raises(UserInputError, match="shock_year: 2040 is outside the projection years"):
        Assumptions(shock_year=2040)
    with pytest.raises(UserInputError, match="unknown field"):
        Assumptions.from_dict({"horizon": 5})
    with pytest.raises(UserInputError, match="newer than this app"):
        Assumptions.from_dict({"version": 99})
    with pytest.raises(UserInputError, match="not valid JSON: line 1"):
        Assumptions.from_json("{bad")
    with pytest.raises(UserInputError, match="control characters"):
        Assumptions(name="a\x00b")
    with pytest.raises(UserInputError, match="unknown preset 'x'; valid presets: baseline"):
        presets.preset("x")


def test_tampered_link_falls_back_field_by_field():
    good = presets.preset("wef2023").with_changes(name="<script>alert(1)</script>")
    params = urlcodec.encode(good)
    params.update({"h": "abc", "g.ds": "1e9", "g.zz": "3", "bogus": "1", "w": "nan"})
    back, messages = urlcodec.decode(params)
    assert back.horizon_years == 5 and back.blend_weight == 0.0  # defaults
    assert "data_scientist" not in back.role_growth_map
    assert back.role_growth_map["ml_engineer"] == presets.WEF_CAGR_PCT  # good fields kept
    assert back.name == "<script>alert(1)</script>"  # plain text, escaped by the UI
    text = " | ".join(messages)
    for needle in ("horizon_years", "data_scientist", "'zz'", "'bogus'", "blend_weight"):
        assert needle in text
    partial, msgs = urlcodec.decode({"sky": "2029", "h": "2"})
    assert partial.shock_year is None and "shock was dropped" in " ".join(msgs)
    newer, msgs = urlcodec.decode({"v": "7", "h": "3"})
    assert newer.horizon_years == 3 and "newer" in msgs[0]


def test_json_is_plain_and_versioned():
    d = json.loads(presets.preset("wef2023").to_json())
    assert d["version"] == SCHEMA_VERSION == 2
    assert (1 + d["role_growth"]["ml_engineer"] / 100) ** 5 == pytest.approx(1.40)
    assert d["anchor_years"] == 5 and d["extend_anchor"] is False
    q = urlcodec.encode(presets.preset("wef2023").with_changes(extend_anchor=True))
    assert q["ay"] == "5" and q["xa"] == "1"


def test_version_1_documents_still_read_as_they_were_computed():
    """Version 1 had no anchor period: its anchors held over the whole horizon."""
    v1 = {"version": 1, "preset": "custom", "horizon_years": 8, "blend_weight": 1.0,
          "role_growth": {"data_scientist": 5.0}}
    a = Assumptions.from_dict(v1)
    assert a.anchor_years is None and a.extend_anchor is False and a.version == SCHEMA_VERSION
    ds = _role_path(engine.apply_scenario(BASE, a), "data_scientist")
    assert ds.loc[Y0 + 8] / ds.loc[Y0] == pytest.approx(1.05 ** 8, rel=1e-12)
    back, msgs = urlcodec.decode({"v": "1", "h": "8", "w": "1.0", "g.ds": "5.0",
                                                "p": "custom"})
    assert msgs == [] and back == a
    assert Assumptions.from_json(a.to_json()) == a
    with pytest.raises(UserInputError, match="extend_anchor: expected true or false"):
        Assumptions(extend_anchor="maybe")
    with pytest.raises(UserInputError, match="anchor_years: 11 is outside"):
        Assumptions(anchor_years=11)


def test_start_year_default_and_range_are_read_from_the_data():
    from forecasting.headcount import projection as headcount
    from forecasting.sources import oews
    latest = int(oews.load_oews_national()["year"].max())
    assert latest_oews_year() == latest == Assumptions().start_year
    assert start_year_range() == (latest, latest + START_YEAR_SPAN)
    assert int(headcount.baseline_projection(10)["year"].min()) == latest
    with pytest.raises(UserInputError, match=f"start_year: {latest - 1} is outside"):
        Assumptions(start_year=latest - 1)


def test_mode_conversion_and_alignment_keep_the_scenario():
    a = Assumptions(horizon_years=6, blend_weight=0.5, role_growth={"data_scientist": 7.0},
                    industry_growth={"fintech": -2.0}, shock_year=2030, shock_pct=5.0)
    t = a.in_mode("total")
    assert t.growth_mode == "total" and t.in_mode("per_year").role_growth_map["data_scientist"] \
        == pytest.approx(7.0)
    np.testing.assert_allclose(engine.apply_scenario(BASE, a)["mean"], engine.apply_scenario(BASE, t)["mean"])
    short = a.aligned(2025, 3)
    assert short.horizon_years == 3 and short.shock_year is None
    assert a.aligned(2026, 8).shock_year == 2030


def test_jobs_added_by_cell_is_end_minus_start_level():
    out = engine.apply_scenario(BASE, Assumptions(horizon_years=4, industry_growth={"fintech": 3.0}))
    added = engine.jobs_added_by_cell(out).set_index(["role", "industry"])
    assert len(added) == len(catalog.ROLE_IDS) * len(catalog.INDUSTRY_IDS)
    assert set(added.year_0) == {Y0} and set(added.year_n) == {Y0 + 4}
    cell = out[(out.role == "data_scientist") & (out.industry == "fintech")].set_index("year")["mean"]
    assert added.loc[("data_scientist", "fintech"), "jobs_added"] == pytest.approx(
        cell.loc[Y0 + 4] - cell.loc[Y0], rel=1e-12)
    assert added["jobs_added"].sum() == pytest.approx(
        total(out, year=Y0 + 4) - total(out, year=Y0), rel=1e-12)


# --------------------------------------------------------------------------- pinned by mutation runs
def test_compare_group_and_total_rows_are_sums_of_cells():
    base = synthetic_baseline(seed=42)  # a fresh frame: no memoised aggregation
    out = analysis.compare(base, [presets.preset("baseline"), presets.preset("baseline")])
    assert list(out["scenario"].unique()) == ["Statistical baseline", "Statistical baseline (2)"]
    one = out[out["scenario"] == "Statistical baseline"]
    cells = one[(one["role"].isin(catalog.ROLE_IDS)) & (one["industry"] != reconcile.ALL)]
    group = one[(one["role"] == reconcile.AI_ML_GROUP) & (one["industry"] == reconcile.ALL)].set_index("year")
    want = cells[cells["role"].isin(catalog.AI_ML_SPECIALIST_ROLES)].groupby("year")["mean"].sum()
    np.testing.assert_allclose(group["mean"], want.reindex(group.index), rtol=1e-12)
    total = one[(one["role"] == reconcile.ALL) & (one["industry"] == reconcile.ALL)].set_index("year")["mean"]
    np.testing.assert_allclose(total, cells.groupby("year")["mean"].sum().reindex(total.index))
    fin = one[(one["role"] == reconcile.AI_ML_GROUP) & (one["industry"] == "fintech")].set_index("year")
    want = cells[cells["role"].isin(catalog.AI_ML_SPECIALIST_ROLES)
                 & (cells["industry"] == "fintech")].groupby("year")["mean"].sum()
    np.testing.assert_allclose(fin["mean"], want.reindex(fin.index), rtol=1e-12)
    assert one["year"].dtype == np.int64 and engine.apply_scenario(base, presets.preset("baseline"))[
        "year"].dtype == np.int64


def test_bands_beyond_the_baseline_widen_as_sqrt_of_the_horizon():
    base = _growth_baseline(lambda k, j: 0.02)
    a = Assumptions(start_year=Y0 + 5, horizon_years=10)
    out = engine.apply_scenario(base, a).set_index(["role", "industry", "year"])
    cell = out.xs(("data_scientist", "fintech"), level=("role", "industry"))
    w10 = np.log(cell.loc[Y0 + 10, "hi_80"] / cell.loc[Y0 + 10, "mean"])   # 0.05 sqrt(10)
    for k in (1, 3, 5):
        w = np.log(cell.loc[Y0 + 10 + k, "hi_80"] / cell.loc[Y0 + 10 + k, "mean"])
        assert w == pytest.approx(w10 * np.sqrt((10 + k) / 10), rel=1e-9)
    # a cell with no people keeps a zero, not a NaN, band beyond the baseline
    zero = base.copy()
    pick = (zero["role"] == "bi_developer") & (zero["industry"] == "automotive")
    zero.loc[pick, ["mean", "lo_80", "hi_80", "lo_95", "hi_95"]] = 0.0
    z = engine.apply_scenario(zero, a)
    z = z[(z["role"] == "bi_developer") & (z["industry"] == "automotive")]
    assert np.isfinite(z[["mean", "lo_80", "hi_80", "lo_95", "hi_95"]].to_numpy()).all()
    assert (z[["mean", "lo_80", "hi_80", "lo_95", "hi_95"]].to_numpy() == 0).all()


def test_more_messages_name_their_field():
    with pytest.raises(UserInputError, match=r"unknown industry 'mining'; valid: all, fintech, healthtech, "):
        analysis._cell_mask(engine.prepare(synthetic_baseline()), reconcile.ALL, "mining")
    with pytest.raises(UserInputError, match="version: expected a whole number"):
        Assumptions.from_dict({"version": "two"})
    with pytest.raises(UserInputError, match=r"industry_growth \(per_year\)\[fintech\]: 25 is outside "
                                             r"the allowed range -20 to 20"):
        Assumptions(industry_growth={"fintech": 25.0})
    with pytest.raises(UserInputError, match="shock_pct: 300 is outside the allowed range -50 to 200"):
        Assumptions(shock_pct=300.0)
    early = synthetic_baseline()
    early["year"] += 3  # the baseline starts after the scenario's start year
    with pytest.raises(UserInputError, match=f"start_year {Y0} is before the baseline's first "
                                             f"year {Y0 + 3}"):
        engine.apply_scenario(early, Assumptions())


def test_bls_preset_reads_the_table_it_is_given():
    from forecasting.sources import tables
    ep = tables.load_bls_ep()
    assert presets.bls_annual_growth_pct() == presets.bls_annual_growth_pct(ep)
    doubled = ep.assign(change_pct=ep["change_pct"] * 2)
    got = presets.preset("bls2034", doubled).role_growth_map
    ds = catalog.role("data_scientist").ep_soc
    change = float(doubled.set_index("soc").loc[ds, "change_pct"])
    assert got["data_scientist"] == pytest.approx(((1 + change / 100) ** 0.1 - 1) * 100)


def test_comparison_table_wef_column_is_numeric_nan_off_the_group():
    base = synthetic_baseline()
    t = analysis.comparison_table(base, [presets.preset("baseline")])
    assert t["wef_growth_5y_pct"].dtype == float
    assert t.loc[t["role"] == reconcile.AI_ML_GROUP, "wef_growth_5y_pct"].tolist() == [40.0]
    assert t.loc[t["role"] != reconcile.AI_ML_GROUP, "wef_growth_5y_pct"].isna().all()


def test_tornado_variants_are_the_documented_steps():
    a = Assumptions(role_growth={"ml_engineer": 10.0, "data_scientist": 4.0}, blend_weight=0.5,
                    role_cap={"ml_engineer": 400_000.0})
    v = {name: (step, lo, hi) for name, step, lo, hi in analysis.tornado_variants(a, role="ml_engineer")}
    assert list(v) == ["Blend weight", "Role growth anchor", "Industry adjustment",
                       "Adoption shock", "Saturation cap"]
    step, lo, hi = v["Role growth anchor"]
    assert step == "±2 pp/yr"
    assert lo.role_growth_map == {"ml_engineer": 8.0, "data_scientist": 4.0}  # only the role asked
    assert hi.role_growth_map == {"ml_engineer": 12.0, "data_scientist": 4.0}
    step, lo, hi = v["Industry adjustment"]
    assert step == "±1 pp/yr" and set(lo.industry_growth_map) == set(catalog.INDUSTRY_IDS)
    assert set(lo.industry_growth_map.values()) == {-1.0} and set(hi.industry_growth_map.values()) == {1.0}
    step, lo, hi = v["Adoption shock"]
    assert step == f"±5 pp in {Y0 + 1}" and (lo.shock_pct, hi.shock_pct) == (-5.0, 5.0)
    assert v["Saturation cap"][1].role_cap_map == {"ml_engineer": 300_000.0}
    total = a.in_mode("total")
    v = {name: (step, lo, hi) for name, step, lo, hi in analysis.tornado_variants(total)}
    assert v["Role growth anchor"][0] == "±10 pp total"
    assert v["Role growth anchor"][1].role_growth_map["ml_engineer"] == pytest.approx(
        total.role_growth_map["ml_engineer"] - 10.0)
    assert v["Industry adjustment"][0] == "±5 pp total"
    v = {name: (step, lo, hi) for name, step, lo, hi in
         analysis.tornado_variants(Assumptions(automotive_share=0.2), industry="manufacturing_other")}
    step, lo, hi = v["Automotive share of manufacturing"]
    assert step == "±0.05" and (lo.automotive_share, hi.automotive_share) == pytest.approx((0.15, 0.25))
    assert "Automotive share of manufacturing" not in dict(
        (n, s) for n, s, *_ in analysis.tornado_variants(Assumptions(), industry="fintech"))


def test_bls_preset_period_is_the_shipped_projections_vintage():
    """The "BLS 2024-34" preset names a publication (like WEF's 2023-27), so its period is a
    constant; it must be the period of the Employment Projections file the preset reads."""
    from forecasting.sources import tables
    ep = tables.load_bls_ep()
    assert (int(ep["base_year"].iloc[0]), int(ep["target_year"].iloc[0])) == presets.BLS_EP_PERIOD
    assert presets.BLS_EP_PERIOD[1] - presets.BLS_EP_PERIOD[0] == presets.BLS_EP_YEARS
