"""Role levels follow the catalog's rules, recomputed here straight from the raw files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from forecasting.core import catalog
from forecasting.headcount import role_levels
from forecasting.sources import files

RAW = Path(files.DATA_DIR) / "raw"


@pytest.fixture(scope="session")
def levels() -> pd.DataFrame:
    return role_levels.role_levels()


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
    n = lambda titles: int(pool["job_title"].isin(titles).sum())
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


def test_role_levels_are_cached_on_disk(tmp_path, monkeypatch, levels):
    monkeypatch.setattr(files, "CACHE_DIR", tmp_path)
    role_levels._role_levels_cached.cache_clear()
    try:
        built = role_levels.role_levels()
        written = list(tmp_path.glob("role_levels_*.parquet"))
        assert len(written) == 1
        pd.testing.assert_frame_equal(built, levels)
        role_levels._role_levels_cached.cache_clear()
        pd.testing.assert_frame_equal(role_levels.role_levels(), levels)  # read back from disk
        written[0].write_bytes(b"damaged")  # rebuilt, never trusted
        role_levels._role_levels_cached.cache_clear()
        pd.testing.assert_frame_equal(role_levels.role_levels(), levels)
    finally:
        role_levels._role_levels_cached.cache_clear()


def test_small_base_roles_read_from_title_counts():
    counts = role_levels.aijobs_title_counts()
    assert role_levels.carve_out_records(counts) == {"ml_engineer": 6275, "nlp_scientist": 57}
    assert role_levels.small_base_roles(counts) == ("nlp_scientist",)
    more = counts.copy()
    more["n_nlp"] = more["n_nlp"] * 2  # 114 records: no longer a small base
    assert role_levels.small_base_roles(more) == ()
