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

from forecasting import catalog, reconcile
from forecasting import scenarios as sc
from forecasting.errors import UserInputError
from forecasting.scenarios import Assumptions


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
                rows.append(dict(role=r, industry=i, year=sc.LATEST_OEWS_YEAR + h, mean=m,
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
def test_wef_preset_gives_exactly_1_40x_for_ai_ml_total_after_5_years():
    a = sc.preset("wef2023")
    assert a.blend_weight == 1.0 and a.horizon_years == 5
    out = sc.apply_scenario(BASE, a)
    ai = catalog.AI_ML_SPECIALIST_ROLES
    ratio = total(out, ai, 2030) / total(out, ai, 2025)
    assert ratio == pytest.approx(1.40, rel=1e-12)
    assert sc.WEF_CAGR_PCT == pytest.approx(6.961, abs=1e-3)
    # non-specialist roles keep the model trend
    other = [r for r in catalog.ROLE_IDS if r not in ai]
    base = sc.apply_scenario(BASE, sc.preset("baseline"))
    assert total(out, other, 2030) == pytest.approx(total(base, other, 2030))


def test_per_year_and_total_forms_agree():
    total_form = Assumptions(growth_mode="total", horizon_years=7, blend_weight=0.6,
                             role_growth={"data_scientist": 50.0},
                             industry_growth={"fintech": 10.0})
    rate = ((1.5 ** (1 / 7)) - 1) * 100
    ind = ((1.1 ** (1 / 7)) - 1) * 100
    per_year = total_form.with_changes(growth_mode="per_year", role_growth={"data_scientist": rate},
                                       industry_growth={"fintech": ind})
    a, b = sc.apply_scenario(BASE, total_form), sc.apply_scenario(BASE, per_year)
    np.testing.assert_allclose(a["mean"], b["mean"], rtol=1e-12)


def test_blend_weight_interpolates_growth_rates():
    a = Assumptions(blend_weight=0.25, role_growth={"ml_engineer": 10.0})
    out = sc.apply_scenario(BASE, a)
    base = BASE[(BASE.role == "ml_engineer") & (BASE.industry == "fintech")].set_index("year")["mean"]
    cell = out[(out.role == "ml_engineer") & (out.industry == "fintech")].set_index("year")["mean"]
    model_g = base.loc[2026] / base.loc[2025] - 1
    assert cell.loc[2026] / cell.loc[2025] - 1 == pytest.approx(0.75 * model_g + 0.25 * 0.10)


def test_cap_never_exceeded_and_damps_growth():
    start = total(sc.apply_scenario(BASE, Assumptions()), ["data_scientist"], 2025)
    cap = start * 1.3
    a = Assumptions(horizon_years=10, blend_weight=1.0, role_growth={"data_scientist": 60.0},
                    role_cap={"data_scientist": cap}, shock_year=2027, shock_pct=150.0)
    out = sc.apply_scenario(BASE, a)
    ds = out[out.role == "data_scientist"].groupby("year")["mean"].sum()
    assert (ds <= cap * (1 + 1e-12)).all()
    assert ds.iloc[-1] == pytest.approx(cap)  # reaches, never passes
    # logistic: first step grows less than uncapped
    free = sc.apply_scenario(BASE, a.with_changes(role_cap=()))
    ds_free = free[free.role == "data_scientist"].groupby("year")["mean"].sum()
    assert ds.loc[2026] < ds_free.loc[2026]


def test_shock_is_applied_once():
    a = Assumptions(horizon_years=6)
    shocked = a.with_changes(shock_year=2028, shock_pct=20.0)
    x = sc.apply_scenario(BASE, a).set_index(["role", "industry", "year"])["mean"]
    y = sc.apply_scenario(BASE, shocked).set_index(["role", "industry", "year"])["mean"]
    ratio = (y / x).groupby(level="year").agg(["min", "max"])
    np.testing.assert_allclose(ratio.loc[[2025, 2026, 2027]].to_numpy(), 1.0)
    np.testing.assert_allclose(ratio.loc[[2028, 2029, 2030, 2031]].to_numpy(), 1.2)


def test_outputs_are_finite_nonnegative_and_ordered():
    wild = Assumptions(horizon_years=10, start_year=2027, blend_weight=0.7, growth_mode="per_year",
                       role_growth={r: -50.0 for r in catalog.ROLE_IDS[:3]},
                       industry_growth={"fintech": -20.0, "other": 20.0},
                       shock_year=2030, shock_pct=-50.0, automotive_share=0.9)
    for a in (wild, sc.preset("high"), sc.preset("low"), sc.preset("wef2023")):
        out = sc.apply_scenario(BASE, a)
        vals = out[["mean", "lo_80", "hi_80", "lo_95", "hi_95"]].to_numpy()
        assert np.isfinite(vals).all() and (vals >= 0).all()
        assert (out.lo_95 <= out.lo_80).all() and (out.lo_80 <= out["mean"]).all()
        assert (out["mean"] <= out.hi_80).all() and (out.hi_80 <= out.hi_95).all()
    # start 2027 + 10 years runs past the baseline's 2035: extended, not cut
    assert sc.apply_scenario(BASE, wild)["year"].max() == 2037


def test_intervals_keep_baseline_relative_widths():
    a = Assumptions(blend_weight=1.0, role_growth={"bi_developer": 5.0})
    out = sc.apply_scenario(BASE, a).merge(BASE, on=["role", "industry", "year"], suffixes=("", "_b"))
    np.testing.assert_allclose(out.hi_80 / out["mean"], out.hi_80_b / out.mean_b, rtol=1e-12)
    first = out[out.year == 2025]
    np.testing.assert_allclose(first.lo_95, first.hi_95)  # zero width at the last observed year


def test_high_low_presets_follow_baseline_80pct_bounds():
    for name, band in (("high", "hi_80"), ("low", "lo_80")):
        out = sc.apply_scenario(BASE, sc.preset(name).with_changes(horizon_years=10))
        merged = out.merge(BASE, on=["role", "industry", "year"], suffixes=("", "_b"))
        np.testing.assert_allclose(merged["mean"], merged[f"{band}_b"], rtol=1e-9)


def test_bls_preset_converts_10_year_change_to_annual_rate():
    a = sc.preset("bls2034", bls_ep=BLS)
    g = a.role_growth_map
    assert (1 + g["data_scientist"] / 100) ** 10 == pytest.approx(1.335)
    assert (1 + g["software_engineer"] / 100) ** 10 == pytest.approx(1.158)
    out = sc.apply_scenario(BASE, a)
    ds = out[out.role == "data_scientist"].groupby("year")["mean"].sum()
    assert ds.loc[2035] / ds.loc[2025] == pytest.approx(1.335)


def test_automotive_override_keeps_role_totals():
    a, b = Assumptions(), Assumptions(automotive_share=0.3)
    x, y = sc.apply_scenario(BASE, a), sc.apply_scenario(BASE, b)
    np.testing.assert_allclose(x.groupby(["role", "year"])["mean"].sum(),
                               y.groupby(["role", "year"])["mean"].sum(), rtol=1e-12)
    manuf = y[y.industry.isin(["automotive", "manufacturing_other"])].pivot_table(
        index=["role", "year"], columns="industry", values="mean")
    np.testing.assert_allclose(manuf["automotive"] / manuf.sum(axis=1), 0.3)


def test_coherent_after_overrides():
    a = Assumptions(blend_weight=0.5, role_growth={"ml_engineer": 20.0},
                    industry_growth={"healthtech": 5.0}, role_cap={"ml_engineer": 60000.0},
                    automotive_share=0.4, shock_year=2027, shock_pct=10.0)
    full = reconcile.with_totals(sc.apply_scenario(BASE, a))
    assert reconcile.coherence_errors(full) == []
    tampered = full.copy()
    tampered.loc[(tampered.role == "all") & (tampered.industry == "all"), "mean"] += 1.0
    assert reconcile.coherence_errors(tampered)


def test_engine_is_fast():
    prep = sc.prepare(BASE)
    a = sc.preset("wef2023")
    sc.apply_scenario(prep, a)
    t0 = time.perf_counter()
    for _ in range(20):
        sc.apply_scenario(BASE, a)
    assert (time.perf_counter() - t0) / 20 < 0.05  # a few ms typical; loose for shared CI


# ------------------------------------------------------------------ comparison
def test_comparison_table():
    table = sc.comparison_table(BASE, [sc.preset("baseline"), sc.preset("wef2023")])
    assert list(table.columns) == ["scenario", "role", "industry", "year_n", "jobs_year_n",
                                   "jobs_added", "cagr_pct", "gap_to_wef_jobs"]
    wef = table[(table.scenario == "WEF 2023 (assumption)") & (table.role == "ai_ml_specialists")]
    assert wef.cagr_pct.iloc[0] == pytest.approx(sc.WEF_CAGR_PCT)
    assert wef.gap_to_wef_jobs.iloc[0] == pytest.approx(1_000_000 - wef.jobs_added.iloc[0])
    assert table[table.role == "data_scientist"].gap_to_wef_jobs.isna().all()
    # the fast matrix totals equal the reference bottom-up sums of reconcile.with_totals
    a = sc.preset("wef2023")
    fast = sc.compare(BASE, [a]).drop(columns="scenario")
    ref = reconcile.with_totals(sc.apply_scenario(BASE, a)).drop(columns="scenario")
    key = ["role", "industry", "year"]
    fast, ref = (f.sort_values(key).reset_index(drop=True) for f in (fast, ref))
    pd.testing.assert_frame_equal(fast[key], ref[key], check_dtype=False)
    np.testing.assert_allclose(fast[["mean", "lo_80", "hi_95"]], ref[["mean", "lo_80", "hi_95"]],
                               rtol=1e-12)
    with pytest.raises(UserInputError, match="1 to 4"):
        sc.compare(BASE, [Assumptions()] * 5)


# ------------------------------------------------------------------ tornado / decomposition
def test_tornado_bars_equal_direct_reruns():
    a = Assumptions(blend_weight=0.5, role_growth={"data_scientist": 8.0},
                    role_cap={"data_scientist": 80000.0}, industry_growth={"fintech": 1.0})
    tor = sc.tornado(BASE, a, "data_scientist", "fintech", 2030)
    variants = {name: (lo, hi) for name, _, lo, hi in
                sc.tornado_variants(a, "data_scientist", "fintech")}
    assert set(tor.assumption) == set(variants) and len(tor) >= 4

    def direct(x):
        out = sc.apply_scenario(BASE, x)
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
    dec = sc.decomposition(BASE, a, role, industry)
    assert set(dec.component) == set(sc.DECOMPOSITION_COMPONENTS)
    out = reconcile.with_totals(sc.apply_scenario(BASE, a))
    path = out[(out.role == role) & (out.industry == industry)].set_index("year")["mean"]
    summed = dec.groupby("year")["value"].sum()
    np.testing.assert_allclose(summed.to_numpy(), (path - path.iloc[0]).to_numpy(), atol=1e-6)
    shock = dec[dec.component == "shock"].set_index("year")["value"]
    assert (shock.loc[:2027].abs() < 1e-9).all() and shock.loc[2028] > 0


# ------------------------------------------------------------------ serialisation & validation
finite = dict(allow_nan=False, allow_infinity=False)


@st.composite
def assumptions_strategy(draw):
    mode = draw(st.sampled_from(sc.GROWTH_MODES))
    start = draw(st.integers(*sc.START_YEAR_RANGE))
    horizon = draw(st.integers(*sc.HORIZON_RANGE))
    rg = draw(st.dictionaries(st.sampled_from(catalog.ROLE_IDS),
                              st.floats(*sc.ROLE_GROWTH_RANGE[mode], **finite)))
    ig = draw(st.dictionaries(st.sampled_from(catalog.INDUSTRY_IDS),
                              st.floats(*sc.INDUSTRY_GROWTH_RANGE[mode], **finite)))
    caps = draw(st.dictionaries(st.sampled_from(catalog.ROLE_IDS), st.floats(*sc.CAP_RANGE, **finite)))
    shock_year = draw(st.none() | st.integers(start + 1, start + horizon))
    name = draw(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn")),
                        max_size=sc.NAME_MAX_CHARS))
    return Assumptions(
        preset=draw(st.sampled_from(sc.PRESET_IDS + ("custom",))), name=name, start_year=start,
        horizon_years=horizon, growth_mode=mode, blend_weight=draw(st.floats(0, 1, **finite)),
        trend_band=draw(st.sampled_from(sc.TREND_BANDS)), role_growth=rg, industry_growth=ig,
        role_cap=caps, shock_year=shock_year, shock_pct=draw(st.floats(*sc.SHOCK_PCT_RANGE, **finite)),
        wage_growth_pct_per_year=draw(st.none() | st.floats(*sc.WAGE_RANGE, **finite)),
        automotive_share=draw(st.none() | st.floats(0, 1, **finite)))


@settings(max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "200")), deadline=None)
@given(assumptions_strategy())
def test_json_and_url_round_trip(a):
    assert Assumptions.from_json(a.to_json()) == a
    params = a.to_query_params()
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
    back, messages = Assumptions.from_query_params(params)
    assert messages == [] and back == a
    # st.query_params hands lists for repeated keys
    back2, _ = Assumptions.from_query_params({k: [v] for k, v in params.items()})
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
        sc.preset("x")


def test_tampered_link_falls_back_field_by_field():
    good = sc.preset("wef2023").with_changes(name="<script>alert(1)</script>")
    params = good.to_query_params()
    params.update({"h": "abc", "g.ds": "1e9", "g.zz": "3", "bogus": "1", "w": "nan"})
    back, messages = Assumptions.from_query_params(params)
    assert back.horizon_years == 5 and back.blend_weight == 0.0  # defaults
    assert "data_scientist" not in back.role_growth_map
    assert back.role_growth_map["ml_engineer"] == sc.WEF_CAGR_PCT  # good fields kept
    assert back.name == "<script>alert(1)</script>"  # plain text, escaped by the UI
    text = " | ".join(messages)
    for needle in ("horizon_years", "data_scientist", "'zz'", "'bogus'", "blend_weight"):
        assert needle in text
    partial, msgs = Assumptions.from_query_params({"sky": "2029", "h": "2"})
    assert partial.shock_year is None and "shock was dropped" in " ".join(msgs)
    newer, msgs = Assumptions.from_query_params({"v": "7", "h": "3"})
    assert newer.horizon_years == 3 and "newer" in msgs[0]


def test_json_is_plain_and_versioned():
    d = json.loads(sc.preset("wef2023").to_json())
    assert d["version"] == sc.SCHEMA_VERSION
    assert (1 + d["role_growth"]["data_scientist"] / 100) ** 5 == pytest.approx(1.40)


def test_mode_conversion_and_alignment_keep_the_scenario():
    a = Assumptions(horizon_years=6, blend_weight=0.5, role_growth={"data_scientist": 7.0},
                    industry_growth={"fintech": -2.0}, shock_year=2030, shock_pct=5.0)
    t = a.in_mode("total")
    assert t.growth_mode == "total" and t.in_mode("per_year").role_growth_map["data_scientist"] \
        == pytest.approx(7.0)
    np.testing.assert_allclose(sc.apply_scenario(BASE, a)["mean"], sc.apply_scenario(BASE, t)["mean"])
    short = a.aligned(2025, 3)
    assert short.horizon_years == 3 and short.shock_year is None
    assert a.aligned(2026, 8).shock_year == 2030
