"""Industry mix: natsector shares recomputed by hand, the fitted share trend against a direct
pandas/numpy least-squares fit, and shares that always sum to 1."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.core.errors import UserInputError
from forecasting.headcount import industry_mix, role_levels
from forecasting.sources import files, oews


def test_automotive_share_from_ncses():
    auto = 4_494 * (0.6 + 1.6 + 3.0) / 100  # NCSES CET-33 row 3361-63
    manuf = 209_282 * (0.4 + 1.5 + 2.9) / 100  # row 31-33
    assert industry_mix.automotive_share_of_manufacturing() == pytest.approx(auto / manuf, rel=1e-12)


def test_industry_shares_use_natsector_mix():
    sh = industry_mix.industry_shares([2021, 2024, 2025, 2030])
    assert np.allclose(sh.groupby(["role", "year"])["share"].sum(), 1.0, rtol=0, atol=1e-12)
    assert (sh["share"] >= 0).all()
    ds24 = sh[(sh["role"] == "data_scientist") & (sh["year"] == 2024)].set_index("industry")["share"]
    sec = oews.load_oews_sector()
    ds = sec[(sec["soc"] == "15-2051") & (sec["year"] == 2024)].set_index("naics")["tot_emp"].fillna(0)
    assert ds24["fintech"] == pytest.approx(41_020 / ds.sum(), rel=1e-12)
    a = industry_mix.automotive_share_of_manufacturing()
    assert ds24["automotive"] == pytest.approx(a * 9_240 / ds.sum(), rel=1e-12)
    assert ds24["manufacturing_other"] == pytest.approx((1 - a) * 9_240 / ds.sum(), rel=1e-12)
    # before the natsector years: the first year's mix; after: the last mix + share trend
    assert set(sh.loc[sh["year"] == 2021, "sector_year"]) == {2022}
    assert set(sh.loc[sh["year"] == 2025, "sector_year"]) == {2024}
    assert sh.loc[sh["year"] == 2025, "basis"].str.contains("share trend").all()
    mle = sh[(sh["role"] == "ml_engineer") & (sh["year"] == 2024)]["share"].to_numpy()
    swe = sh[(sh["role"] == "software_engineer") & (sh["year"] == 2024)]["share"].to_numpy()
    assert np.array_equal(mle, swe)


def test_projected_shares_follow_the_damped_trend():
    """share(2024+h) = renormalised max(0, s24 + c(h) (s24 - s23)), c(h) = k + ... + k^h."""
    sh = industry_mix.industry_shares([2023, 2024, 2025, 2027])
    k = industry_mix.share_trend().k
    ds = sh[sh["role"] == "data_scientist"].pivot(index="industry", columns="year", values="share")
    for h in (1, 3):
        c = sum(k ** j for j in range(1, h + 1))
        raw = np.maximum(ds[2024] + c * (ds[2024] - ds[2023]), 0)
        assert np.allclose(ds[2024 + h], raw / raw.sum(), rtol=0, atol=1e-12)
    assert industry_mix.share_trend().factor(0) == 0.0


def test_share_trend_equals_direct_weighted_least_squares():
    p = oews.load_oews_sector_panel()
    w = p.pivot_table(index=["soc", "naics"], columns="year", values="tot_emp",
                      aggfunc="sum").fillna(0.0)
    tot = w.groupby(level="soc").transform("sum")
    keep = (tot > 0).all(axis=1)
    s = (w / tot)[keep]
    d1 = (s[2023] - s[2022]).to_numpy()
    d2 = (s[2024] - s[2023]).to_numpy()
    wt = tot[keep][2023].to_numpy()
    k = np.sum(wt * d1 * d2) / np.sum(wt * d1 * d1)  # WLS through the origin
    fit = industry_mix.share_trend()
    assert fit.k == pytest.approx(k, rel=1e-9)
    assert fit.n_cells == len(d1) and fit.years == (2022, 2023, 2024)
    assert 0 < fit.se < abs(fit.k)  # share changes reverse slightly, and that is significant
    assert "k = " in fit.rule


def test_share_trend_is_bounded_and_needs_three_years():
    # a hand-made panel where every change repeats exactly: k = 1, clipped to MAX_PERSISTENCE
    rows = []
    for soc, a in (("A", 0.1), ("B", 0.3)):
        for i, year in enumerate((2022, 2023, 2024)):
            share = a + 0.05 * i
            rows += [{"year": year, "soc": soc, "naics": 52, "tot_emp": 1000 * share},
                     {"year": year, "soc": soc, "naics": 62, "tot_emp": 1000 * (1 - share)}]
    fit = industry_mix.fit_share_trend(pd.DataFrame(rows))
    assert fit.k == industry_mix.MAX_PERSISTENCE
    two = pd.DataFrame(rows).query("year < 2024")
    with pytest.raises(UserInputError, match="3 natsector years"):
        industry_mix.fit_share_trend(two)


def test_history_industries_sum_to_role():
    hist = industry_mix.role_industry_history()
    lv = role_levels.role_levels().set_index(["role", "year"])["headcount"]
    sums = hist.groupby(["role", "year"])["headcount"].sum()
    assert np.allclose(sums.loc[lv.index], lv, rtol=1e-9, atol=0)


def test_bad_automotive_share():
    with pytest.raises(UserInputError, match="automotive"):
        industry_mix.industry_shares([2024], automotive_share=-0.1)


def test_share_trend_standard_error_equals_statsmodels_wls():
    from statsmodels.regression.linear_model import WLS

    rng = np.random.default_rng(3)
    rows = []
    for i in range(60):
        base = rng.dirichlet(np.ones(4))
        for _t, year in enumerate((2022, 2023, 2024)):
            s = np.abs(base + rng.normal(0, 0.02, 4))
            emp = 1000 * (1 + i) * s / s.sum()
            rows += [{"year": year, "soc": f"S{i}", "naics": n, "tot_emp": e}
                     for n, e in zip((51, 52, 54, 62), emp)]
    panel = pd.DataFrame(rows)
    fit = industry_mix.fit_share_trend(panel)
    w = panel.pivot_table(index=["soc", "naics"], columns="year", values="tot_emp")
    sh = w / w.groupby(level="soc").transform("sum")
    tot = w.groupby(level="soc").transform("sum")
    res = WLS((sh[2024] - sh[2023]).to_numpy(), (sh[2023] - sh[2022]).to_numpy(),
              weights=tot[2023].to_numpy()).fit()
    assert fit.k == pytest.approx(res.params[0], rel=1e-9)
    assert fit.se == pytest.approx(res.bse[0], rel=1e-9)


def test_share_trend_label_is_worded_from_k_and_its_se():
    st = industry_mix.ShareTrend
    small = industry_mix.share_trend_summary(st(-0.05, 0.006, 9193, 828, (2022, 2023, 2024)))
    assert small.startswith("Projected mix held near the 2024 mix: share trend k = -0.050, se 0.006, "
                            "8.3 se below zero but small; in the long run 5% of the 2023→2024 "
                            "share change is reversed")
    noise = industry_mix.share_trend_summary(st(0.01, 0.02, 10, 5, (2022, 2023, 2024)))
    assert "held near the 2024 mix" in noise and "k = +0.010, se 0.020, not distinguishable from zero" \
        in noise and "1% of the 2023→2024 share change is carried forward" in noise
    strong = industry_mix.share_trend_summary(st(0.5, 0.1, 10, 5, (2021, 2022, 2023)))
    assert strong.startswith("Projected mix moving on with the 2022→2023 change: share trend "
                             "k = +0.500, se 0.100, 5.0 se above zero;")
    assert "100% of the 2022→2023 share change is carried forward" in strong
    shipped = industry_mix.share_trend()  # the shipped fit: the label quotes its own numbers
    assert f"k = {shipped.k:+.3f}, se {shipped.se:.3f}" in industry_mix.share_trend_summary(shipped)


def test_measured_history_is_the_natsector_years_and_sums_to_the_role():
    every = industry_mix.role_industry_history()
    measured = industry_mix.role_industry_history(measured_only=True)
    assert sorted(measured["year"].unique()) == list(files.natsector_years()) == [2022, 2023, 2024]
    key = ["role", "industry", "year"]
    pd.testing.assert_frame_equal(
        measured.set_index(key).sort_index(),
        every[every["year"].isin([2022, 2023, 2024])].set_index(key).sort_index())
    lv = role_levels.role_levels().set_index(["role", "year"])["headcount"]
    tot = measured.groupby(["role", "year"])["headcount"].sum()
    np.testing.assert_allclose(tot.to_numpy(), lv.loc[tot.index].to_numpy(), rtol=1e-12)


def test_automotive_share_is_labelled_as_an_assumption_with_its_basis():
    share = industry_mix.automotive_share_of_manufacturing()
    text = industry_mix.automotive_assumption()
    assert text.startswith(f"ASSUMPTION: automotive = {share:.2%} of each role's manufacturing")
    assert "share of firms using AI, not of employment" in text and "CET-33" in text
    mine = industry_mix.automotive_assumption(0.1)
    assert "10.00%" in mine and "(your override)" in mine and f"{share:.2%} of AI-using" in mine
