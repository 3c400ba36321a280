"""Salary bands: percentiles against direct pandas on the shipped file, title mapping coverage,
small-n rules, OEWS flags, projection arithmetic, CLI golden run and bad filters."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.cli.main import main
from forecasting.core import catalog
from forecasting.core.errors import UserInputError
from forecasting.salaries import bands as salaries
from forecasting.salaries import oews_percentiles as salary_oews
from forecasting.salaries import projection as salary_projection
from forecasting.viz import figure_data, style
from forecasting.viz import salary as salary_charts

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return salaries.load_records()


@pytest.fixture(scope="module")
def raw_csv() -> pd.DataFrame:
    """The shipped CSV read directly, independent of the loaders under test."""
    return pd.read_csv(RAW / "aijobs_salaries" / "salaries.csv")


# ------------------------------------------------------------------ title mapping
def test_every_frequent_title_is_mapped_or_documented(raw_csv):
    counts = raw_csv["job_title"].value_counts()
    frequent = counts[counts >= salaries.MAPPING_MIN_RECORDS].index
    undocumented = [t for t in frequent
                    if t not in salaries.TITLE_TO_ROLE and t not in salaries.OTHER_TITLE_REASONS]
    assert undocumented == []
    assert all(reason.strip() for reason in salaries.OTHER_TITLE_REASONS.values())
    # the documented "other" list names real titles and none of them is also a role title
    assert set(salaries.OTHER_TITLE_REASONS) <= set(raw_csv["job_title"])
    assert not set(salaries.OTHER_TITLE_REASONS) & set(salaries.TITLE_TO_ROLE)


def test_catalog_title_tuples_are_disjoint_and_known_titles_map(raw_csv):
    seen: dict[str, str] = {}
    for r in catalog.ROLES:
        for t in r.aijobs_titles:
            assert t not in seen, f"{t!r} in both {seen.get(t)} and {r.role_id}"
            seen[t] = r.role_id
    assert salaries.TITLE_TO_ROLE["Data Scientist"] == "data_scientist"
    assert salaries.TITLE_TO_ROLE["Machine Learning Engineer"] == "ml_engineer"
    assert salaries.TITLE_TO_ROLE["Research Scientist"] == "ml_scientist"
    assert salaries.TITLE_TO_ROLE["NLP Engineer"] == "nlp_scientist"
    assert salaries.TITLE_TO_ROLE["BI Developer"] == "bi_developer"
    assert salaries.TITLE_TO_ROLE["AI Product Manager"] == "ml_product_manager"
    assert "Product Manager" not in salaries.TITLE_TO_ROLE  # generic: documented as other


def test_unmapped_titles_are_kept_as_other(records, raw_csv):
    assert len(records) == len(raw_csv)  # nothing dropped
    assert set(records["role"]) == set(salaries.ROLE_ORDER)
    other = records[records["role"] == salaries.OTHER]
    assert (other["job_title"] == "Data Engineer").sum() == (raw_csv["job_title"] == "Data Engineer").sum()
    summary = salaries.title_mapping_summary(records)
    assert summary["n"].sum() == len(raw_csv)
    assert (summary.loc[summary["role"] == salaries.OTHER, "reason"] != "").all()


# ------------------------------------------------------------------ percentiles
CELLS = [
    dict(work_year=2024, experience_level="SE", company_location="US"),
    dict(work_year=2023, experience_level=None, company_location=None),
    dict(work_year=2024, experience_level="EN", company_location="GB"),
    dict(work_year=2024, experience_level="MI", company_location="US", company_size="L"),
]


@pytest.mark.parametrize("cell", CELLS)
def test_percentiles_equal_direct_pandas(records, raw_csv, cell):
    flt = salaries.BandFilter(**cell)
    got = salaries.bands(records, flt, n_boot=200).set_index("role")
    sub = raw_csv[raw_csv["employment_type"] == "FT"]
    for col, value in cell.items():
        if value is not None:
            sub = sub[sub[col] == value]
    checked = 0
    for role in catalog.ROLES:
        x = sub.loc[sub["job_title"].isin(role.aijobs_titles), "salary_in_usd"]
        assert got.loc[role.role_id, "n"] == len(x)
        if len(x) >= salaries.SUPPRESS_N:
            q = x.quantile([0.1, 0.25, 0.5, 0.75, 0.9]).to_numpy()
            np.testing.assert_allclose(got.loc[role.role_id, ["p10", "p25", "p50", "p75", "p90"]]
                                       .to_numpy(float), q, rtol=0, atol=1e-6)
            lo, hi = got.loc[role.role_id, ["p50_lo", "p50_hi"]]
            assert lo <= q[2] <= hi
            checked += 1
    assert checked >= 2


def test_us_senior_2024_known_cell(records):
    b = salaries.bands(records, salaries.BandFilter(2024, "SE", "US")).set_index("role")
    assert b.loc["data_scientist", "n"] == 4995
    assert b.loc["data_scientist", "p50"] == 165000.0
    assert b.loc["nlp_scientist", "flag"] == "small n"


# ------------------------------------------------------------------ small n, bootstrap
def _synthetic(ns: dict[str, int]) -> pd.DataFrame:
    rows = []
    for role, n in ns.items():
        for i in range(n):
            rows.append({"work_year": 2024, "experience_level": "SE", "employment_type": "FT",
                         "company_location": "US", "employee_residence": "US",
                         "company_size": "M", "remote_ratio": 0, "role": role,
                         "salary_in_usd": 100_000 + 1_000 * i})
    return pd.DataFrame(rows)


def test_small_n_flag_and_suppression():
    df = _synthetic({"ml_engineer": 4, "data_scientist": 5, "nlp_scientist": 29,
                     "bi_developer": 30})
    b = salaries.bands(df, salaries.BandFilter(), n_boot=200).set_index("role")
    assert b.loc["ml_engineer", "flag"] == "suppressed"
    assert b.loc["ml_engineer", ["p10", "p50", "p90", "p50_lo", "p50_hi"]].isna().all()
    assert b.loc["data_scientist", "flag"] == "small n"
    assert b.loc["data_scientist", "p50"] == 102_000
    assert b.loc["nlp_scientist", "flag"] == "small n"
    assert b.loc["bi_developer", "flag"] == ""
    assert b.loc["software_engineer", "n"] == 0
    assert b.loc["software_engineer", "flag"] == "suppressed"
    fig = salary_charts.salary_bands_chart(b.reset_index())
    data = figure_data.figure_data(fig)
    assert len(data) == 3  # suppressed roles are not drawn
    assert "Suppressed (n < 5)" in style.footer_text(fig)
    assert any("(n=5)" in str(y) for y in data["y"])


def test_bootstrap_is_seeded_and_matches_naive_resampling():
    rng = np.random.default_rng(1)
    for n in (7, 40, 501):  # odd and even sizes
        x = np.round(rng.lognormal(11.8, 0.4, n), -2)
        a = salaries.bootstrap_median_ci(x, n_boot=4000, seed=3, key="k")
        assert a == salaries.bootstrap_median_ci(x, n_boot=4000, seed=3, key="k")
        naive = salaries.bootstrap_median_ci_naive(x, n_boot=4000, seed=5)
        spread = np.percentile(x, 75) - np.percentile(x, 25)
        assert abs(a[0] - naive[0]) < 0.15 * spread and abs(a[1] - naive[1]) < 0.15 * spread
        assert a[0] <= np.median(x) <= a[1]


def test_median_interval_is_the_exact_95_percent_bootstrap_interval():
    """For distinct values x_(1) < ... < x_(n), n odd, the median of a resample is <= x_(j)
    exactly when at least (n+1)/2 of the n draws are <= x_(j): P = P(Binom(n, j/n) >= (n+1)/2).
    The 2.5% and 97.5% points of that exact distribution (scipy's binomial, not the Beta
    shortcut the code uses) must match the band's p50_lo/p50_hi within 1.5 order statistics;
    a 90% interval is 4-5 order statistics narrower on each side here."""
    from scipy.stats import binom

    n = 1001
    band = salaries.bands(_synthetic({"data_scientist": n}), salaries.BandFilter(),
                          roles=("data_scientist",)).iloc[0]
    j = np.arange(1, n + 1)
    cdf = binom.sf((n + 1) // 2 - 1, n, j / n)
    x = 100_000 + 1_000 * (j - 1)                     # _synthetic's salaries, sorted
    lo, hi = x[np.argmax(cdf >= 0.025)], x[np.argmax(cdf >= 0.975)]
    assert (lo, hi) == (569_000, 631_000)              # order statistics 470 and 532
    assert abs(band["p50_lo"] - lo) <= 1_500 and abs(band["p50_hi"] - hi) <= 1_500, band


def test_cell_interval_does_not_depend_on_other_cells(records):
    flt = salaries.BandFilter(2024, "SE", "US")
    full = salaries.bands(records, flt).set_index("role")
    one = salaries.bands(records, flt, roles=("ml_scientist",)).set_index("role")
    assert full.loc["ml_scientist"].equals(one.loc["ml_scientist"])


def test_bad_filters_raise_with_valid_values(records):
    with pytest.raises(UserInputError, match="valid values: EN, MI, SE, EX"):
        salaries.BandFilter(experience_level="XX").validate(records)
    with pytest.raises(UserInputError, match="2020, 2021, 2022, 2023, 2024, 2025"):
        salaries.BandFilter(work_year=1999).validate(records)


# ------------------------------------------------------------------ OEWS
def test_oews_reference_flags_and_hybrids():
    ref = salary_oews.oews_reference(salary_oews.load_oews()).set_index(["role", "year"])
    ds25 = ref.loc[("data_scientist", 2025)]
    assert ds25["soc"] == "15-2051" and ds25["p50"] == 120230.0 and not ds25["hybrid"]
    ds20 = ref.loc[("data_scientist", 2020)]
    assert ds20["soc"] == "15-2098" and ds20["hybrid"]
    pm24 = ref.loc[("ml_product_manager", 2024)]  # 11-3021 P90 is top-coded in May 2024
    assert pm24["p90_flag"] == "#" and math.isnan(pm24["p90"])
    assert pm24["p90_label"] == salary_oews.BLS_CAP_LABEL
    assert pm24["p50_label"].startswith("$")


def test_oews_star_and_hash_are_never_numbers():
    oews = pd.DataFrame([{"year": 2024, "soc": "15-2051", "soc_title": "Data Scientists",
                          "hybrid": False, "tot_emp": 1.0,
                          "a_pct10": 50_000.0, "a_pct25": np.nan, "a_median": 90_000.0,
                          "a_pct75": 150_000.0, "a_pct90": np.nan,
                          "a_pct10_flag": "", "a_pct25_flag": "*", "a_median_flag": "",
                          "a_pct75_flag": "", "a_pct90_flag": "#"}])
    ref = salary_oews.oews_reference(oews, years=(2024,))
    row = ref.iloc[0]
    assert (row["p25_label"], row["p90_label"]) == ("n.a.", salary_oews.BLS_CAP_LABEL)
    band = pd.DataFrame([{"role": "data_scientist", "n": 100, "p10": 1e5, "p25": 1.2e5,
                          "p50": 1.5e5, "p75": 2e5, "p90": 2.5e5, "p50_lo": 1.4e5,
                          "p50_hi": 1.6e5, "flag": ""}])
    fig = salary_charts.salary_bls_comparison_chart(band, ref, year=2024)
    bls = figure_data.figure_data(fig)
    bls = bls[bls["series"] == "BLS OEWS"].iloc[0]
    assert math.isnan(bls["p90"]) and math.isnan(bls["p25"])
    texts = next(t.text for t in fig.data if t.name == "BLS OEWS median")
    assert "P90 ≥ BLS cap" in texts[0]


# ------------------------------------------------------------------ projection
def test_projection_arithmetic():
    base = pd.DataFrame([{"role": "ml_engineer", "n": 100, "p10": 100.0, "p25": 120.0,
                          "p50": 150.0, "p75": 180.0, "p90": 200.0, "p50_lo": 140.0,
                          "p50_hi": 160.0, "flag": ""}])
    wage = salary_projection.WageGrowth(growth_pct=3.0, sigma_pct=2.0)
    p = salary_projection.project_bands(base, base_year=2024, wage=wage, horizon=3).set_index("h")
    assert list(p.index) == [0, 1, 2, 3] and list(p["year"]) == [2024, 2025, 2026, 2027]
    assert p.loc[0, "p50"] == 150.0 and p.loc[0, "p50_lo"] == 140.0
    assert p.loc[2, "p10"] == pytest.approx(100 * 1.03 ** 2)
    assert p.loc[3, "p90"] == pytest.approx(200 * 1.03 ** 3)
    z = 1.959963984540054
    assert p.loc[2, "p50_lo"] == pytest.approx(140 * 1.03 ** 2 * math.exp(-z * 0.02 * math.sqrt(2)))
    assert p.loc[2, "p50_hi"] == pytest.approx(160 * 1.03 ** 2 * math.exp(z * 0.02 * math.sqrt(2)))
    rel = (p["p50_hi"] - p["p50_lo"]) / p["p50"]
    assert rel.is_monotonic_increasing and rel.iloc[-1] > rel.iloc[0]
    with pytest.raises(UserInputError):
        salary_projection.project_bands(base, 2024, wage, horizon=11)


def test_default_wage_growth_is_latest_indeed_us(tmp_path):
    raw = pd.read_csv(RAW / "indeed_wage_tracker" / "posted-wage-growth-by-country.csv")
    us = raw[raw["jobcountry"] == "US"].dropna(subset=["posted_wage_growth_yoy"])
    w = salary_projection.default_wage_growth(salary_projection.load_wage_series("US"))
    assert w.growth_pct == pytest.approx(round(us["posted_wage_growth_yoy"].iloc[-1] * 100, 2))
    assert w.sigma_pct == pytest.approx(round(us["posted_wage_growth_yoy"].std() * 100, 2))
    assert w.as_of == "2026-04"


# ------------------------------------------------------------------ CLI
def test_cli_golden_run(tmp_path, raw_csv):
    out = tmp_path / "bands.csv"
    rc = main(["salaries", "--year", "2024", "--experience", "SE", "--location", "US",
               "--output", str(out)])
    assert rc == 0
    got = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(got.columns) == list(salaries.BAND_COLUMNS)
    assert list(got["role"]) == list(salaries.ROLE_ORDER)
    sub = raw_csv[(raw_csv["work_year"] == 2024) & (raw_csv["experience_level"] == "SE")
                  & (raw_csv["company_location"] == "US") & (raw_csv["employment_type"] == "FT")]
    x = sub.loc[sub["job_title"].isin(catalog.MLE_TITLES), "salary_in_usd"]
    row = got.set_index("role").loc["ml_engineer"]
    assert row["n"] == len(x)
    assert row["p50"] == pytest.approx(x.median()) and row["p90"] == pytest.approx(x.quantile(0.9))
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write leaves no temp file
    one = tmp_path / "one.csv"
    assert main(["salaries", "--role", "ml_engineer", "--year", "2024", "--experience", "SE",
                 "--location", "US", "--output", str(one)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(one).set_index("role").drop(columns="flag"),
                                  got.set_index("role").loc[["ml_engineer"]].drop(columns="flag"))


@pytest.mark.parametrize("argv, listed", [
    (["--experience", "XX"], "EN, MI, SE, EX"),
    (["--company-size", "XL"], "S, M, L"),
    (["--location", "ZZ"], "US"),
    (["--year", "1999"], "2024"),
    (["--role", "wizard"], "ml_engineer"),
])
def test_cli_bad_filters_exit_2(tmp_path, capsys, argv, listed):
    out = tmp_path / "x.csv"
    assert main(["salaries", *argv, "--output", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "valid values" in err and listed in err
    assert not out.exists()


# ------------------------------------------------------------------ edges (mutation survivors)
def test_title_mapping_is_built_from_the_catalog_and_refuses_a_title_in_two_roles(monkeypatch):
    from types import SimpleNamespace

    assert salaries._title_to_role() == salaries.TITLE_TO_ROLE
    roles = [SimpleNamespace(role_id="a", aijobs_titles=("X", "Y")),
             SimpleNamespace(role_id="b", aijobs_titles=("Y",))]
    monkeypatch.setattr(catalog, "ROLES", roles)
    with pytest.raises(ValueError, match="catalog maps title 'Y' to both a and b"):
        salaries._title_to_role()
    roles[1] = SimpleNamespace(role_id="a", aijobs_titles=("Y",))   # same role twice is fine
    assert salaries._title_to_role() == {"X": "a", "Y": "a"}


def test_title_mapping_summary_rows():
    mapped = next(iter(salaries.TITLE_TO_ROLE))
    reviewed = next(iter(salaries.OTHER_TITLE_REASONS))
    df = pd.DataFrame({"job_title": [mapped] * 3 + [reviewed] * 2 + ["Chief Vibes Officer"]})
    s = salaries.title_mapping_summary(df).set_index("job_title")
    assert list(s.columns) == ["role", "n", "reason"]
    assert s.loc[mapped].tolist() == [salaries.TITLE_TO_ROLE[mapped], 3, "catalog title"]
    assert s.loc[reviewed].tolist() == [salaries.OTHER, 2, salaries.OTHER_TITLE_REASONS[reviewed]]
    assert s.loc["Chief Vibes Officer"].tolist() == [
        salaries.OTHER, 1, f"fewer than {salaries.MAPPING_MIN_RECORDS} records, not reviewed"]


def test_filter_validation_uses_fixed_code_lists_and_the_users_flag_names():
    df = _synthetic({"data_scientist": 6})                     # only FT, remote 0, size M
    salaries.BandFilter(employment_type="PT").validate(df)     # a valid code, absent here
    salaries.BandFilter(remote_ratio=100, company_size="S").validate(df)
    with pytest.raises(UserInputError, match="^--experience 'XX' is not valid; valid values: "
                                             "EN, MI, SE, EX$"):
        salaries.BandFilter(experience_level="XX").validate(df, {"experience_level": "--experience"})
    with pytest.raises(UserInputError, match="^company_location 'ZZ' is not valid; valid values: US$"):
        salaries.BandFilter(company_location="ZZ").validate(df)
    assert salaries.BandFilter().label() == "work_year=2024, employment_type=FT"
    assert salaries.BandFilter(work_year=None, employment_type=None).label() == "all records"


def test_bootstrap_edge_sizes_and_default_key():
    assert all(np.isnan(v) for v in salaries.bootstrap_median_ci(np.array([])))
    assert salaries.bootstrap_median_ci(np.array([7.0])) == (7.0, 7.0)
    x = np.arange(11.0)
    assert salaries.bootstrap_median_ci(x, seed=3) == salaries.bootstrap_median_ci(x, seed=3, key="")


@pytest.mark.parametrize("n", [6, 7])
def test_bootstrap_quantiles_match_the_exact_resampling_distribution(n):
    """All n^n equally likely resamples enumerated: their medians are the exact bootstrap
    distribution. Its quantiles at 2.5/97.5, 10/90 and 25/75% must match the fast method's
    (200,000 draws) within a quarter of the smallest gap between possible medians; changing a
    Beta parameter or an index cap of the fast method moves some of them by a whole gap."""
    import itertools

    x = np.array([0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0])[:n]   # every pair mean distinct
    idx = np.array(list(itertools.product(range(n), repeat=n)))
    meds = np.median(x[idx], axis=1)
    support, counts = np.unique(meds, return_counts=True)
    cdf = np.cumsum(counts) / len(meds)
    gap = np.min(np.diff(support))
    checked = 0
    for level in (0.95, 0.9, 0.8, 0.6, 0.5, 0.3):
        a = (1 - level) / 2
        for q, got in zip((a, 1 - a), salaries.bootstrap_median_ci(x, n_boot=200_000, seed=1,
                                                                   level=level)):
            if np.min(np.abs(cdf - q)) < 0.01:   # q at a jump of the CDF: either side is right
                continue
            exact = support[np.searchsorted(cdf, q)]
            assert abs(got - exact) <= gap / 4, (level, q, got, exact)
            checked += 1
    assert checked >= 6


def test_oews_reference_columns_and_a_pinned_cell():
    ref = salary_oews.oews_reference(salary_oews.load_oews())
    assert list(ref.columns) == (["role", "year", "soc", "soc_title", "hybrid", "tot_emp"]
                                 + [f"p{p}{k}" for p in salaries.PERCENTILES
                                    for k in ("", "_flag", "_label")])
    row = ref.set_index(["role", "year"]).loc[("data_scientist", 2024)]
    assert row["soc"] == "15-2051" and row["tot_emp"] > 150_000 and not row["hybrid"]


def test_default_wage_growth_rounds_to_two_decimals_and_projection_edges():
    series = pd.DataFrame({"ds": pd.to_datetime(["2025-03-01", "2025-04-01"]),
                           "yoy_pct": [2.0, 2.3456]})
    w = salary_projection.default_wage_growth(series)
    assert (w.growth_pct, w.sigma_pct, w.as_of) == (2.35, 0.24, "2025-04")
    base = pd.DataFrame({"role": ["other", "ml_engineer"], "n": [40, 40],
                         **{f"p{p}": [100.0 + p, 200.0 + p] for p in salaries.PERCENTILES},
                         "p50_lo": [140.0, 240.0], "p50_hi": [160.0, 260.0], "flag": ["", ""]})
    p = salary_projection.project_bands(base, 2024, salary_projection.WageGrowth(3.0, 2.0), horizon=2)
    assert list(p["role"]) == ["ml_engineer"] * 3 + ["other"] * 3     # ROLE_ORDER, not a-z
    assert list(p["h"]) == [0, 1, 2] * 2 and list(p.index) == list(range(6))
    assert (p["growth_pct"] == 3.0).all() and (p["sigma_pct"] == 2.0).all()
    with pytest.raises(UserInputError, match="must be above -100%"):
        salary_projection.project_bands(base, 2024, salary_projection.WageGrowth(-100.0, 2.0), horizon=2)
    with pytest.raises(UserInputError, match="must be above -100%"):
        salary_projection.project_bands(base, 2024, salary_projection.WageGrowth(-150.0, 2.0), horizon=2)


def test_labels_bands_defaults_and_wage_series_shape():
    assert salary_oews._label(5.0, "*") == "n.a." and salary_oews._label(math.nan, "") == "n.a."
    assert salary_oews._label(123456.4, "") == "$123,456" and salary_oews._label(9.0, "#") == "≥ BLS cap"
    df = _synthetic({"data_scientist": 40})
    default = salaries.bands(df, salaries.BandFilter(), roles=("data_scientist",))
    pd.testing.assert_frame_equal(default, salaries.bands(df, salaries.BandFilter(), n_boot=2000,
                                                          seed=0, roles=("data_scientist",)))
    other = salaries.bands(df, salaries.BandFilter(), n_boot=500, roles=("data_scientist",))
    assert (other["p50_lo"].iat[0], other["p50_hi"].iat[0]) != (default["p50_lo"].iat[0],
                                                                default["p50_hi"].iat[0])
    w = salary_projection.load_wage_series()
    assert list(w.columns) == ["ds", "yoy_pct"] and w.equals(salary_projection.load_wage_series("US"))


def test_projection_allows_ten_years_and_keeps_its_column_order():
    base = pd.DataFrame({"role": ["ml_engineer"], "n": [40],
                         **{f"p{p}": [100.0 + p] for p in salaries.PERCENTILES},
                         "p50_lo": [140.0], "p50_hi": [160.0], "flag": [""]})
    p = salary_projection.project_bands(base, 2024, salary_projection.WageGrowth(3.0, 2.0), horizon=10)
    assert list(p["year"]) == list(range(2024, 2035))
    assert list(p.columns[:3]) == ["role", "year", "h"]
    with pytest.raises(UserInputError, match=r"^horizon=0 must be between 1 and 10 years$"):
        salary_projection.project_bands(base, 2024, salary_projection.WageGrowth(3.0, 2.0), horizon=0)


def test_naive_reference_bootstrap_matches_the_exact_distribution():
    import itertools

    x = np.array([0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0])
    meds = np.median(x[np.array(list(itertools.product(range(7), repeat=7)))], axis=1)
    support, counts = np.unique(meds, return_counts=True)
    cdf = np.cumsum(counts) / len(meds)
    checked = 0
    for level in (0.95, 0.8, 0.5):
        a = (1 - level) / 2
        got = salaries.bootstrap_median_ci_naive(x, n_boot=50_000, seed=2, level=level)
        assert got == salaries.bootstrap_median_ci_naive(x, n_boot=50_000, seed=2, level=level)
        for q, v in zip((a, 1 - a), got):
            if np.min(np.abs(cdf - q)) < 0.01:
                continue
            assert v == support[np.searchsorted(cdf, q)], (level, q, v)
            checked += 1
    assert checked >= 4


def test_default_work_year_is_the_one_with_the_most_records(records):
    assert salaries.default_work_year(records) == 2024  # 62,229 records; 2025 is still filling
    tie = pd.DataFrame({"work_year": [2023, 2023, 2024, 2024, 2025]})
    assert salaries.default_work_year(tie) == 2024
    with pytest.raises(UserInputError, match="no ai-jobs.net records"):
        salaries.default_work_year(tie.iloc[:0])
