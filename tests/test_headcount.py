"""Headcount levels follow the catalog's rules (recomputed here straight from the raw files), the
role x industry table adds up, and the projection's intervals are ordered and calibrated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting import catalog, data, headcount
from forecasting.errors import UserInputError

RAW = Path(data.DATA_DIR) / "raw"
BANDS = ("lo_95", "lo_80", "mean", "hi_80", "hi_95")


@pytest.fixture(scope="session")
def levels() -> pd.DataFrame:
    return headcount.role_levels()


@pytest.fixture(scope="session")
def projection() -> pd.DataFrame:
    return headcount.baseline_projection(horizon_years=10)


@pytest.fixture(scope="session")
def raw_oews() -> dict[int, pd.Series]:
    """OEWS national tot_emp by SOC read directly from the xlsx (detailed rows)."""
    out = {}
    for year in (2021, 2022, 2023, 2024, 2025):
        d = pd.read_excel(RAW / f"bls_oews/national_M{year}_dl.xlsx", engine="calamine",
                          dtype={"OCC_CODE": str})
        d = d[d["O_GROUP"] == "detailed"]
        out[year] = d.set_index("OCC_CODE")["TOT_EMP"]
    return out


@pytest.fixture(scope="session")
def raw_us_jobs() -> pd.DataFrame:
    aj = pd.read_csv(RAW / "aijobs_salaries/salaries.csv")
    return aj[aj["company_location"] == "US"]


def _level(levels: pd.DataFrame, role: str, year: int) -> float:
    return float(levels[(levels["role"] == role) & (levels["year"] == year)]["headcount"].iloc[0])


def _n(us: pd.DataFrame, year: int, titles: tuple[str, ...]) -> int:
    return int(us[(us["work_year"] == year) & us["job_title"].isin(titles)].shape[0])


def test_levels_cover_2021_on_and_match_catalog(levels):
    assert sorted(levels["year"].unique()) == [2021, 2022, 2023, 2024, 2025]
    assert set(levels["role"]) == set(catalog.ROLE_IDS)
    for r in catalog.ROLES:
        rows = levels[levels["role"] == r.role_id]
        assert (rows["level_kind"] == r.level_kind).all() and (rows["base_soc"] == r.base_soc).all()
    assert (levels["headcount"] > 0).all()


def test_measured_and_proxy_levels_equal_oews(levels, raw_oews):
    assert _level(levels, "data_scientist", 2024) == 233_440
    for year, emp in raw_oews.items():
        assert _level(levels, "data_scientist", year) == emp["15-2051"]
        assert _level(levels, "bi_developer", year) == emp["15-1243"]


@pytest.mark.parametrize("year", [2021, 2024, 2025])
def test_derived_roles_recomputed_from_files(levels, raw_oews, raw_us_jobs, year):
    emp = raw_oews[year]
    # title ratios pooled over the work_years with >= 1,000 US ai-jobs records (2022-2025 here)
    per_year = raw_us_jobs["work_year"].value_counts()
    pooled_years = sorted(int(y) for y in per_year.index[per_year >= 1000])
    assert pooled_years == [2022, 2023, 2024, 2025]
    pool = raw_us_jobs[raw_us_jobs["work_year"].isin(pooled_years)]
    n = lambda titles: int(pool["job_title"].isin(titles).sum())  # noqa: E731
    mle = emp["15-2051"] * n(catalog.MLE_TITLES) / n(catalog.DS_TITLES)
    nlp = emp["15-1221"] * n(catalog.NLP_TITLES) / (n(catalog.NLP_TITLES) + n(catalog.ML_SCIENTIST_TITLES))
    assert _level(levels, "ml_engineer", year) == pytest.approx(mle, rel=1e-12)
    assert _level(levels, "software_engineer", year) == pytest.approx(emp["15-1252"] - mle, rel=1e-12)
    assert _level(levels, "nlp_scientist", year) == pytest.approx(nlp, rel=1e-12)
    assert _level(levels, "ml_scientist", year) == pytest.approx(emp["15-1221"] - nlp, rel=1e-12)
    # ML PM: 11-3021 x mean of the 12 monthly means Jun(year-1)..May(year) of the US AI share
    ai = pd.read_csv(RAW / "indeed_hiring_lab/AI_posting.csv", parse_dates=["date"])
    ai = ai[ai["jobcountry"] == "US"]
    monthly = ai.groupby(ai["date"].dt.to_period("M"))["AI_share_postings"].mean()
    window = monthly[pd.Period(f"{year - 1}-06", "M"):pd.Period(f"{year}-05", "M")]
    assert len(window) == 12
    assert _level(levels, "ml_product_manager", year) == pytest.approx(
        emp["11-3021"] * window.mean() / 100, rel=1e-12)


def test_roles_sum_to_catalog_total(levels, raw_oews):
    # total = 15-2051 + 15-1252 + 15-1221 + 15-1243 + ML PM (carve-outs never double count)
    for year, emp in raw_oews.items():
        total = levels.loc[levels["year"] == year, "headcount"].sum()
        expected = emp[["15-2051", "15-1252", "15-1221", "15-1243"]].sum() \
            + _level(levels, "ml_product_manager", year)
        assert total == pytest.approx(expected, rel=1e-12)


def test_automotive_share_from_ncses():
    auto = 4_494 * (0.6 + 1.6 + 3.0) / 100  # NCSES CET-33 row 3361-63
    manuf = 209_282 * (0.4 + 1.5 + 2.9) / 100  # row 31-33
    assert headcount.automotive_share_of_manufacturing() == pytest.approx(auto / manuf, rel=1e-12)


def test_industry_shares_use_natsector_mix():
    sh = headcount.industry_shares([2021, 2024, 2025])
    assert np.allclose(sh.groupby(["role", "year"])["share"].sum(), 1.0, rtol=0, atol=1e-12)
    ds24 = sh[(sh["role"] == "data_scientist") & (sh["year"] == 2024)].set_index("industry")["share"]
    sec = data.load_oews_sector()
    ds = sec[(sec["soc"] == "15-2051") & (sec["year"] == 2024)].set_index("naics")["tot_emp"].fillna(0)
    assert ds24["fintech"] == pytest.approx(41_020 / ds.sum(), rel=1e-12)
    a = headcount.automotive_share_of_manufacturing()
    assert ds24["automotive"] == pytest.approx(a * 9_240 / ds.sum(), rel=1e-12)
    assert ds24["manufacturing_other"] == pytest.approx((1 - a) * 9_240 / ds.sum(), rel=1e-12)
    # nearest natsector year for years outside 2022-2024; ml_engineer takes 15-1252's mix
    assert set(sh.loc[sh["year"] == 2021, "sector_year"]) == {2022}
    assert set(sh.loc[sh["year"] == 2025, "sector_year"]) == {2024}
    mle = sh[(sh["role"] == "ml_engineer") & (sh["year"] == 2024)]["share"].to_numpy()
    swe = sh[(sh["role"] == "software_engineer") & (sh["year"] == 2024)]["share"].to_numpy()
    assert np.array_equal(mle, swe)


def test_history_industries_sum_to_role(levels):
    hist = headcount.role_industry_history()
    sums = hist.groupby(["role", "year"])["headcount"].sum()
    lv = levels.set_index(["role", "year"])["headcount"]
    assert np.allclose(sums.loc[lv.index], lv, rtol=1e-9, atol=0)


def test_projection_adds_up_and_is_ordered(projection, levels):
    assert set(projection.columns) >= {"role", "industry", "year", *BANDS}
    assert sorted(projection["year"].unique()) == list(range(2025, 2036))
    roles = headcount.role_totals(projection)
    start = levels[levels["year"] == 2025].set_index("role")["headcount"]
    first = roles[roles["year"] == 2025].set_index("role")
    for band in BANDS:  # zero-width interval at the latest OEWS year
        assert np.allclose(first[band], start.loc[first.index], rtol=1e-9)
    # industries sum to the role exactly: each band equals the role-level band x share
    g = headcount.baseline_growth().set_index("role")["log_growth"]
    for _, r in roles.iterrows():
        expected = start[r["role"]] * np.exp(g[r["role"]] * (r["year"] - 2025))
        assert r["mean"] == pytest.approx(expected, rel=1e-9)
    total = headcount.grand_total(projection).set_index("year")
    assert np.allclose(total["mean"], roles.groupby("year")["mean"].sum(), rtol=1e-12)
    vals = projection[list(BANDS)].to_numpy()
    assert (np.diff(vals, axis=1) >= -1e-9).all()
    later = projection[projection["year"] > 2025]
    assert (later["hi_95"] > later["lo_95"]).all()


def test_projection_interval_widens_with_horizon(projection):
    ds = headcount.role_totals(projection).query("role == 'data_scientist'").set_index("year")
    width = np.log(ds["hi_95"] / ds["lo_95"])
    assert (np.diff(width.to_numpy()) > 0).all()


def test_automotive_override(projection):
    p = headcount.baseline_projection(horizon_years=2, automotive_share=0.5)
    ds = p[(p["role"] == "data_scientist") & (p["year"] == 2025)].set_index("industry")["mean"]
    assert ds["automotive"] == pytest.approx(ds["manufacturing_other"], rel=1e-12)
    base = projection[(projection["role"] == "data_scientist") & (projection["year"] == 2025)]
    assert p[(p["role"] == "data_scientist") & (p["year"] == 2025)]["mean"].sum() == \
        pytest.approx(base["mean"].sum(), rel=1e-12)
    with pytest.raises(UserInputError, match="automotive"):
        headcount.baseline_projection(automotive_share=1.5)
    with pytest.raises(UserInputError, match="horizon"):
        headcount.baseline_projection(horizon_years=0)


def test_growth_rule_is_half_two_year_log_growth(raw_oews):
    bg = headcount.baseline_growth().set_index("role")
    e = raw_oews
    g_ds = 0.5 * (np.log(e[2025]["15-2051"]) - np.log(e[2023]["15-2051"])) / 2
    assert bg.loc["data_scientist", "log_growth"] == pytest.approx(g_ds, rel=1e-12)
    assert bg.loc["data_scientist", "growth_pct_per_year"] == pytest.approx((np.exp(g_ds) - 1) * 100)
    assert "15-2051" in bg.loc["data_scientist", "rule"]


def test_interval_calibration_on_panel():
    cal = headcount.interval_calibration()
    assert cal.n_occupations == 829  # detailed SOCs present in every May 2021-2025 file
    for h in (1, 2):
        q = cal.quantiles[h]
        assert q[0] < q[1] < 0 < q[2] < q[3]
    assert cal.sigma[2] > cal.sigma[1] > 0 and cal.alpha >= 0
    # DESIGN.md 4b measured this rule's employment-weighted 1-year MAE at 0.0281
    assert cal.wmae[1] == pytest.approx(0.0281, abs=5e-4)
    assert cal.at(0) == (0.0, 0.0, 0.0, 0.0)
    assert cal.at(5)[3] > cal.at(2)[3]
