"""Loaders return the numbers that are in the raw files (checked against values read by hand from
the files), flag rather than invent, and cache by content hash."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.core import catalog
from forecasting.core.errors import UserInputError
from forecasting.sources import files, indeed, provenance, tables, wages
from forecasting.sources import oews as oews_data

RAW = Path(files.DATA_DIR) / "raw"


@pytest.fixture(scope="session")
def oews() -> pd.DataFrame:
    return oews_data.load_oews_national()


@pytest.fixture(scope="session")
def postings() -> pd.DataFrame:
    return indeed.load_postings_monthly()


def _emp(df: pd.DataFrame, year: int, soc: str, col: str = "tot_emp") -> float:
    row = df[(df["year"] == year) & (df["soc"] == soc)]
    assert len(row) == 1, (year, soc, len(row))
    return float(row[col].iloc[0])


# --------------------------------------------------------------------------- OEWS
def test_oews_known_values(oews):
    assert _emp(oews, 2024, "15-2051") == 233_440
    assert _emp(oews, 2024, "15-2051", "a_median") == 112_590
    assert _emp(oews, 2025, "15-2051") == 262_440
    assert _emp(oews, 2025, "15-2051", "a_median") == 120_230
    assert _emp(oews, 2021, "15-2051") == 105_980
    assert _emp(oews, 2020, "15-1221") == 30_220
    assert _emp(oews, 2025, "15-1221") == 37_200
    assert _emp(oews, 2020, "11-3021") == 457_290
    assert _emp(oews, 2025, "11-3021") == 670_570
    assert _emp(oews, 2021, "15-1252") == 1_364_180
    assert _emp(oews, 2025, "15-1252") == 1_687_890


def test_oews_2020_hybrids_kept_and_marked(oews):
    row = oews[(oews["year"] == 2020) & (oews["soc"] == "15-2098")].iloc[0]
    assert row["tot_emp"] == 59_680 and bool(row["hybrid"]) is True
    assert bool(oews[(oews["year"] == 2020) & (oews["soc"] == "15-1256")]["hybrid"].iloc[0])
    assert not oews.loc[oews["year"] > 2020, "hybrid"].any()
    # 2020 has no 15-2051 / 15-1252 rows: never back-filled
    assert oews[(oews["year"] == 2020) & oews["soc"].isin(["15-2051", "15-1252"])].empty


def test_oews_covers_every_catalog_soc_every_year(oews):
    for year in files.oews_years():
        have = set(oews.loc[oews["year"] == year, "soc"])
        # May 2020 has hybrids instead of 15-2051/15-1252, and 15-1245 (not loaded) for 15-1243
        gone = {"15-2051", "15-1252", "15-1243"} if year == 2020 else set()
        expected = set(catalog.CATALOG_SOCS) - gone
        assert expected <= have, (year, expected - have)
    assert (oews["tot_emp"].dropna() >= 0).all()


def test_top_coded_wage_stays_nan_with_flag(oews):
    # May 2020 11-3021 P90 is '#' in the file (>= the BLS cap): read the raw cell to be sure.
    raw = pd.read_excel(RAW / "bls_oews/national_M2020_dl.xlsx", engine="calamine",
                        dtype={"OCC_CODE": str})
    cell = raw.loc[(raw["OCC_CODE"] == "11-3021") & (raw["O_GROUP"] == "detailed"), "A_PCT90"].iloc[0]
    assert str(cell).strip() == "#"
    row = oews[(oews["year"] == 2020) & (oews["soc"] == "11-3021")].iloc[0]
    assert np.isnan(row["a_pct90"]) and row["a_pct90_flag"] == "#"
    assert row["a_median_flag"] == "" and row["a_median"] == 151_150
    # flags are only ever '', '#' or '*', and a flagged value is always NaN
    for col in oews_data.WAGE_COLS:
        assert set(oews[f"{col}_flag"]) <= {"", "#", "*"}
        assert oews.loc[oews[f"{col}_flag"] != "", col].isna().all()


def test_oews_panel_is_all_detailed_occupations():
    panel = oews_data.load_oews_panel()
    counts = panel.groupby("year").size()
    assert counts[2024] == 831 and counts[2025] == 830
    assert _emp(panel, 2024, "15-2051") == 233_440
    assert not panel.duplicated(["year", "soc"]).any()


def test_natsector_data_scientists_2024():
    sec = oews_data.load_oews_sector()
    ds = sec[(sec["year"] == 2024) & (sec["soc"] == "15-2051")].set_index("naics")["tot_emp"]
    assert ds[54] == 69_410 and ds[52] == 41_020 and ds[51] == 26_840
    assert ds[55] == 26_100 and ds[62] == 13_070 and ds[31] == 9_240
    assert sec["naics"].between(11, 99).all()
    assert sorted(sec["year"].unique()) == [2022, 2023, 2024]


# --------------------------------------------------------------------------- EP, NCSES, ai-jobs
def test_bls_ep_persons_and_percent():
    ep = tables.load_bls_ep().set_index("soc")
    assert ep.loc["15-2051", "change_pct"] == 33.5
    assert ep.loc["15-1252", "change_pct"] == 15.8
    assert ep.loc["00-0000", "change_pct"] == 3.1
    assert ep.loc["15-2051", "emp_base"] == 245_900  # 245.9 thousand in the file
    assert ep.loc["15-2051", "emp_target"] == 328_300
    assert ep.loc["15-2051", "median_wage"] == 112_590
    assert (ep["base_year"] == 2024).all() and (ep["target_year"] == 2034).all()


def test_ncses_all_industries_and_flags():
    nc = tables.load_ncses_ai_use()
    allrow = nc[nc["industry"] == "All industries"].iloc[0]
    assert (allrow["a_lot"], allrow["somewhat"], allrow["a_little"], allrow["not_at_all"]) == \
        (0.5, 1.6, 2.7, 95.2)
    assert allrow["companies"] == 4_874_928 and allrow["flag"] == ""
    auto = nc[nc["naics_code"] == "3361–63"].iloc[0]
    assert (auto["a_lot"], auto["somewhat"], auto["a_little"]) == (0.6, 1.6, 3.0)
    assert "r" in auto["flag"].split(",")  # revised values keep their flag


def test_aijobs_records_per_year():
    aj = wages.load_aijobs_salaries()
    per_year = aj.groupby("work_year").size().to_dict()
    assert per_year == {2020: 75, 2021: 218, 2022: 1660, 2023: 8522, 2024: 62229, 2025: 1597}
    assert aj["salary_in_usd"].dtype == np.int64


# --------------------------------------------------------------------------- Indeed
def test_monthly_resampling_equals_direct_mean(postings):
    raw = pd.read_csv(RAW / "indeed_hiring_lab/AI_posting.csv")
    may = raw[(raw["jobcountry"] == "US") & raw["date"].str.startswith("2024-05")]
    expected = may["AI_share_postings"].mean()
    got = postings[(postings["series_id"] == "us_ai_share")
                   & (postings["ds"] == pd.Timestamp("2024-05-01"))]["y"]
    assert len(may) == 31 and got.iloc[0] == pytest.approx(expected, rel=1e-12)


def test_partial_last_month_dropped(postings):
    # aggregate file ends 2026-08-14: 14 daily rows in Aug 2026 < 20 -> no Aug 2026 value
    total = postings[postings["series_id"] == "us_postings_total"]
    assert total["ds"].max() == pd.Timestamp("2026-07-01")
    # sector file ends 2024-09-27: 27 rows, kept
    sw = postings[postings["series_id"] == "us_sector_software_development"]
    assert sw["ds"].max() == pd.Timestamp("2024-09-01")
    assert (postings["ds"].dt.day == 1).all()


def test_series_ids_and_catalog(postings):
    cat = indeed.postings_catalog()
    ids = set(postings["series_id"])
    assert set(cat["series_id"]) == ids
    for cc in ("au", "ca", "de", "fr", "gb", "ie", "it", "nl", "us"):
        assert f"{cc}_ai_share" in ids and f"{cc}_genai_share" in ids
    for sid in ("us_postings_total", "us_postings_new", "us_sector_mathematics",
                "us_sector_information_design_documentation",
                "us_sector_scientific_research_development", "us_sector_software_development"):
        assert sid in ids
    for r in catalog.ROLES:
        assert r.demand_signal in ids, r.role_id
    assert set(cat["unit"]) == {"% of postings", "index, 1 Feb 2020 = 100"}
    assert (cat["credit"] == "Indeed Hiring Lab (CC BY 4.0)").all()
    assert indeed.sector_slug("Information Design & Documentation") == "information_design_documentation"


def test_wage_growth_percent():
    w = wages.load_wage_growth()
    first = w[(w["country"] == "CA") & (w["ds"] == pd.Timestamp("2019-01-01"))].iloc[0]
    assert first["yoy_pct"] == pytest.approx(2.0211619)
    assert first["n_obs"] == 33208


# --------------------------------------------------------------------------- provenance, cache, errors
def test_sources_table_matches_upstream_notes():
    st = provenance.sources_table()
    notes = (Path(files.DATA_DIR) / "RAW_SOURCES_UPSTREAM.md").read_text()
    listed = dict(re.findall(r"^([0-9a-f]{64})  (\S+)$", notes, flags=re.M))
    listed = {v: k for k, v in listed.items()}
    assert len(st) == len(files.raw_files())
    for _, row in st.iterrows():
        assert listed[row["file"]] == row["sha256"], row["file"]
        commit_date = re.search(r"\((\d{4}-\d{2}-\d{2})\)", row["origin"]).group(1)
        assert commit_date in notes
        assert row["retrieved"] == f"{commit_date} (shipped copy)"
    assert set(st["licence"]) == {"CC BY 4.0", "CC0 1.0", "Public domain (U.S. federal statistics)"}
    # vintages are read from the files themselves
    vint = st.set_index("file")["vintage"]
    assert vint["indeed_hiring_lab/AI_posting.csv"] == "daily to 2026-06-30"
    assert vint["indeed_hiring_lab/US/aggregate_job_postings_US.csv"] == "daily to 2026-08-14"
    assert vint["indeed_wage_tracker/posted-wage-growth-by-country.csv"] == "monthly to 2026-04"
    assert vint["bls_oews/national_M2025_dl.xlsx"] == "May 2025"
    assert vint["bls_oews/natsector_M2024_dl.xlsx"] == "May 2024"
    assert vint["bls_ep/occupation.xlsx"] == "2024–34 projections"
    assert vint["aijobs_salaries/salaries.csv"] == "work_year to 2025 (74,301 records)"


def test_data_hash_stable():
    h = files.data_hash()
    assert re.fullmatch(r"[0-9a-f]{64}", h) and files.data_hash() == h


def test_cache_hit_does_not_reread_xlsx(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "CACHE_DIR", tmp_path)
    first = tables.load_bls_ep()
    assert list(tmp_path.glob("bls_ep-*.parquet"))

    def boom(*a, **k):
        raise AssertionError("read_excel called on a cache hit")

    monkeypatch.setattr(pd, "read_excel", boom)
    second = tables.load_bls_ep()
    pd.testing.assert_frame_equal(first, second)
    # a fresh build and its parquet read-back are identical, dtypes included
    cold = tables.load_ncses_ai_use()
    pd.testing.assert_frame_equal(cold, tables.load_ncses_ai_use())


def test_malformed_file_names_file_and_column(tmp_path, monkeypatch):
    src = RAW / "indeed_wage_tracker/posted-wage-growth-by-country.csv"
    dst = tmp_path / "raw/indeed_wage_tracker"
    dst.mkdir(parents=True)
    df = pd.read_csv(src).rename(columns={"posted_wage_growth_yoy": "yoy"})
    df.to_csv(dst / src.name, index=False)
    monkeypatch.setattr(files, "DATA_DIR", tmp_path)
    monkeypatch.setattr(files, "CACHE_DIR", tmp_path / "processed")
    with pytest.raises(UserInputError, match=r"posted-wage-growth-by-country\.csv.*posted_wage_growth_yoy"):
        wages.load_wage_growth()
    # a non-numeric value is reported with its row and column
    df = pd.read_csv(src, dtype=str)
    df.loc[3, "n_obs"] = "lots"
    df.to_csv(dst / src.name, index=False)
    with pytest.raises(UserInputError, match=r"n_obs.*'lots'.*row 5"):
        wages.load_wage_growth()
    shutil.rmtree(tmp_path / "raw")
    with pytest.raises(UserInputError, match="missing"):
        wages.load_wage_growth()
