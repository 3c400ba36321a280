"""headcount: the production fit, the occupation and role projections built on it (roles are
shares of their occupation's projection, so they add up in every year and every draw), the BLS
reference path, disk caches, and golden numbers of the 2025 -> 2030 -> 2035 role projection."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.core import catalog
from forecasting.core.errors import UserInputError
from forecasting.headcount import calibration as hcal
from forecasting.headcount import industry_mix, role_levels
from forecasting.headcount import model as hm
from forecasting.headcount import panel as headcount_panel
from forecasting.headcount import projection as headcount
from forecasting.sources import files
from tests.golden import tolerance as tol

BANDS = ("lo_95", "lo_80", "mean", "hi_80", "hi_95")
GOLDEN = json.loads((Path(__file__).parent / "golden" / "headcount.json").read_text())


@pytest.fixture(scope="module")
def projection() -> pd.DataFrame:
    return headcount.baseline_projection(horizon_years=10)


# --------------------------------------------------------------------------- the fit
def test_shipped_fit_uses_the_calibrated_damping_and_shrinks():
    fit = headcount.growth_fit()
    cal = hcal.calibration()
    assert fit.converged and fit.years == (2021, 2022, 2023, 2024, 2025)
    assert fit.phi == cal.phi and len(fit.socs) == 829
    assert (fit.bse[np.isfinite(fit.bse)] > 0).all() and np.isfinite(fit.bse).mean() > 0.9
    assert 0.005 < fit.tau < 0.1 and 2 < fit.nu < 30 and fit.kappa > 0
    i = fit.index_of(["15-2051"])[0]
    raw = np.mean(np.diff(np.log([105980, 159630, 192710, 233440, 262440])))
    assert 0.03 < fit.g_mean[i] < raw  # data scientists: a real grower, shrunk but not to 0
    with pytest.raises(KeyError):
        fit.index_of(["99-9999"])


def test_growth_fit_is_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "CACHE_DIR", tmp_path)
    headcount._growth_fit_cached.cache_clear()
    try:
        first = headcount.growth_fit(last_year=2024)
        written = list(tmp_path.glob("headcount_fit_*_2021_2024.pkl"))
        assert len(written) == 1
        headcount._growth_fit_cached.cache_clear()
        again = headcount.growth_fit(last_year=2024)  # loaded, not refitted
        assert np.array_equal(again.g_mean, first.g_mean)
        written[0].write_bytes(b"not a pickle")  # a damaged cache is refitted, never trusted
        headcount._growth_fit_cached.cache_clear()
        refit = headcount.growth_fit(last_year=2024)
        assert np.allclose(refit.g_mean, first.g_mean)
        assert isinstance(pickle.loads(written[0].read_bytes()), hm.GrowthFit)
    finally:
        headcount._growth_fit_cached.cache_clear()


def test_baseline_projection_is_cached_on_disk_and_equals_a_fresh_build(tmp_path, monkeypatch):
    monkeypatch.setattr(headcount, "_projection_path",
                        lambda key, h: tmp_path / f"headcount_projection_{key[:8]}_{h}.parquet")
    headcount._projection_cached.cache_clear()
    try:
        fresh = headcount._build_projection(7, None)
        first = headcount.baseline_projection(7)
        written = list(tmp_path.glob("headcount_projection_*_7.parquet"))
        assert len(written) == 1
        pd.testing.assert_frame_equal(first, fresh)
        headcount._projection_cached.cache_clear()
        loaded = headcount.baseline_projection(7)  # read back from the file
        pd.testing.assert_frame_equal(loaded, fresh)
        loaded.loc[0, "mean"] = -1.0  # callers get a copy: the memo stays intact
        assert headcount.baseline_projection(7).loc[0, "mean"] == fresh.loc[0, "mean"]
        written[0].write_bytes(b"not parquet")  # a damaged cache is rebuilt, never trusted
        headcount._projection_cached.cache_clear()
        pd.testing.assert_frame_equal(headcount.baseline_projection(7), fresh)
        pd.testing.assert_frame_equal(pd.read_parquet(written[0]), fresh)
        # a non-default automotive share is computed, not served from the cache
        other = headcount.baseline_projection(7, automotive_share=0.10)
        assert not np.allclose(other["mean"], fresh["mean"])
    finally:
        headcount._projection_cached.cache_clear()


MODULES = {"headcount": "forecasting.headcount.projection", "headcount_model": "forecasting.headcount.model",
           "headcount_panel": "forecasting.headcount.panel",
           "headcount_calibration": "forecasting.headcount.calibration",
           "industry_mix": "forecasting.headcount.industry_mix",
           "role_levels": "forecasting.headcount.role_levels", "catalog": "forecasting.core.catalog",
           "files": "forecasting.sources.files", "oews": "forecasting.sources.oews",
           "tables": "forecasting.sources.tables", "indeed": "forecasting.sources.indeed",
           "wages": "forecasting.sources.wages"}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_projection_cache_key_changes_with_every_module_the_numbers_come_from(module, tmp_path,
                                                                              monkeypatch):
    import importlib
    mod = importlib.import_module(MODULES[module])
    before = headcount._projection_code_hash()
    edited = tmp_path / f"{module}.py"
    edited.write_bytes(Path(mod.__file__).read_bytes() + b"\n# edited\n")
    monkeypatch.setattr(mod, "__file__", str(edited))
    assert headcount._projection_code_hash() != before


# --------------------------------------------------------------------------- occupations, roles
def test_occupation_projection_is_the_damped_median_path():
    occ = headcount.occupation_projection(10)
    fit = headcount.growth_fit()
    for soc in sorted({r.base_soc for r in catalog.ROLES}):
        o = occ[occ["soc"] == soc].set_index("year")
        i = fit.index_of([soc])[0]
        lv = o.loc[2025, "mean"]
        assert lv == pytest.approx(float(headcount_panel.oews_panel().emp[
            headcount_panel.oews_panel().socs.index(soc), -1]))
        for h in (1, 5, 10):
            expected = lv * np.exp(fit.g_mean[i] * hm.damped_sum(h, fit.phi))
            assert o.loc[2025 + h, "mean"] == pytest.approx(expected, rel=1e-12)
        later = o.loc[2026:]
        assert (later["lo_95"] < later["lo_80"]).all() and (later["hi_80"] < later["hi_95"]).all()
        assert (np.diff(np.log(later["hi_95"] / later["lo_95"]).to_numpy()) > 0).all()
    assert set(occ["soc_title"]) >= {"Data Scientists", "Software Developers"}


def test_roles_are_shares_of_their_occupation_and_add_up_in_every_draw():
    paths, year0 = headcount.role_paths(10)
    sh = headcount.role_shares().set_index("role")
    socs = sorted(set(sh["growth_soc"]))
    means, draws, _ = headcount._soc_paths(socs, 10)
    assert year0 == 2025
    for soc in socs:
        members = [r for r in catalog.ROLE_IDS if sh.loc[r, "growth_soc"] == soc]
        level = sum(paths[r][0] for r in members)
        mean = sum(paths[r][1] for r in members)
        d = sum(paths[r][3] for r in members)
        fully_carved = sh.loc[members, "share"].sum() == pytest.approx(1.0)
        if fully_carved:  # 15-2051, 15-1252, 15-1221, 15-1243: the roles are the occupation
            assert level == pytest.approx(means[soc][0], rel=1e-12)
            np.testing.assert_allclose(mean, means[soc][1], rtol=1e-12)
            np.testing.assert_allclose(d, draws[soc], rtol=1e-12)   # in every single draw
        else:  # 11-3021: ML product managers are its AI share, a constant fraction
            share = float(sh.loc[members[0], "share"])
            np.testing.assert_allclose(d, share * draws[soc], rtol=1e-12)
    # carved roles carry the title-ratio spread: a band already in the latest year
    sd = role_levels.carve_share_log_sd()
    assert set(sd) == {"ml_engineer", "nlp_scientist"}
    for role in sd:
        _lv, _, d0, _ = paths[role]
        spread = np.log(np.quantile(d0, 0.9) / np.quantile(d0, 0.1))
        assert spread == pytest.approx(2 * 1.2816 * sd[role], rel=0.05)
    # ML engineers now grow with 15-1252, like software engineers (and say so)
    src = headcount.growth_sources().set_index("role")["growth_source"]
    assert src["ml_engineer"].startswith("15-1252") and "software_engineer" in src["ml_engineer"]
    assert src["nlp_scientist"].startswith("15-1221") and "ml_scientist" in src["nlp_scientist"]
    assert src["data_scientist"] == "15-2051 Data Scientists"


def test_role_projection_columns_flags_and_golden_numbers():
    rp = headcount.role_projection(10)
    assert list(rp.columns) == ["role", "year", "mean", "lo_80", "hi_80", "lo_95", "hi_95",
                                "growth_source", "flag"]
    assert set(rp.loc[rp["flag"] != "", "role"]) == {"nlp_scientist"}
    assert set(rp["flag"]) == {"", headcount.SMALL_BASE_FLAG}
    got = rp[rp["year"].isin([2025, 2030, 2035])].set_index(["role", "year"])
    for key, want in GOLDEN["projection"].items():
        role, year = key.rsplit("_", 1)
        row = got.loc[(role, int(year)), ["mean", "lo_80", "hi_80", "lo_95", "hi_95"]]
        row, want = row.to_numpy(float), np.asarray(want)
        np.testing.assert_allclose(row[0], want[0], rtol=tol.MEAN_REL, err_msg=key)
        np.testing.assert_allclose(row[1:], want[1:], rtol=tol.BAND_REL, err_msg=key)
    vals = rp[["lo_95", "lo_80", "mean", "hi_80", "hi_95"]].to_numpy()
    assert (np.diff(vals, axis=1) >= -1e-9).all()


def test_baseline_growth_is_the_five_year_average_of_the_median_path():
    bg = headcount.baseline_growth().set_index("role")
    rp = headcount.role_projection(5).set_index(["role", "year"])["mean"]
    for r in catalog.ROLE_IDS:
        cagr = (rp[(r, 2030)] / rp[(r, 2025)]) ** 0.2 - 1
        assert bg.loc[r, "growth_pct_per_year"] == pytest.approx(100 * cagr, rel=1e-9)
        assert bg.loc[r, "growth_soc"] in bg.loc[r, "rule"]


def test_bls_paths_grow_the_2024_level_at_the_bls_rate():
    bls = headcount.bls_role_paths().set_index(["role", "year"])["bls_mean"]
    lv = role_levels.role_levels().set_index(["role", "year"])["headcount"]
    ds = bls[("data_scientist", 2034)] / lv[("data_scientist", 2024)]
    assert ds == pytest.approx(1.335, abs=5e-4)  # BLS EP: data scientists +33.5% in 2024-34
    assert bls[("software_engineer", 2024)] == pytest.approx(lv[("software_engineer", 2024)])
    assert sorted({y for _, y in bls.index}) == list(range(2024, 2035))


def test_projection_adds_up_and_is_ordered(projection):
    # the documented order (docs/ARCHITECTURE.md)
    assert list(projection.columns) == ["role", "industry", "year", "mean", "lo_80", "hi_80",
                                        "lo_95", "hi_95"]
    assert sorted(projection["year"].unique()) == list(range(2025, 2036))
    roles = _role_totals(projection).set_index(["role", "year"])
    rp = headcount.role_projection(10).set_index(["role", "year"])
    for band in BANDS:  # industries sum to the role exactly
        np.testing.assert_allclose(roles[band], rp[band].reindex(roles.index), rtol=1e-9)
    sh = industry_mix.industry_shares(list(range(2025, 2036))).set_index(["role", "industry", "year"])
    p = projection.set_index(["role", "industry", "year"])
    for band in BANDS:
        expected = rp[band].reindex(p.index.droplevel("industry")).to_numpy() * \
            sh["share"].reindex(p.index).to_numpy()
        np.testing.assert_allclose(p[band].to_numpy(), expected, rtol=1e-9)
    vals = projection[list(BANDS)].to_numpy()
    assert (np.diff(vals, axis=1) >= -1e-9).all()


def test_projection_interval_widens_with_horizon(projection):
    """Bands widen every year; a carved role's first step (its title-ratio band already spans
    the latest year) may stay level within Monte Carlo noise."""
    for role in catalog.ROLE_IDS:
        r = _role_totals(projection).query("role == @role").set_index("year")
        for lo, hi in (("lo_95", "hi_95"), ("lo_80", "hi_80")):
            step = np.diff(np.log(r[hi] / r[lo]).to_numpy())
            assert (step[1:] > 0).all() and step[0] > -0.002, (role, step)


def test_automotive_override_and_bad_horizon(projection):
    p = headcount.baseline_projection(horizon_years=2, automotive_share=0.5)
    ds = p[(p["role"] == "data_scientist") & (p["year"] == 2025)].set_index("industry")["mean"]
    assert ds["automotive"] == pytest.approx(ds["manufacturing_other"], rel=1e-9)
    base = projection[(projection["role"] == "data_scientist") & (projection["year"] == 2025)]
    assert p[(p["role"] == "data_scientist") & (p["year"] == 2025)]["mean"].sum() == \
        pytest.approx(base["mean"].sum(), rel=1e-12)
    with pytest.raises(UserInputError, match="automotive"):
        headcount.baseline_projection(automotive_share=1.5)
    for bad in (0, 31, 2.5, True, "5"):
        with pytest.raises(UserInputError, match="horizon"):
            headcount.baseline_projection(horizon_years=bad)


def test_growth_rates_equal_a_direct_pandas_computation(projection):
    for by in (("role",), ("role", "industry"), ("industry",)):
        got = headcount.growth_rates(projection, by, years=5).set_index(list(by))
        sums = projection.groupby([*by, "year"])[list(BANDS)].sum()
        start = sums.xs(2025, level="year")["mean"]
        end = sums.xs(2030, level="year")
        assert len(got) == len(end)
        for band in BANDS:
            col = "growth_pct_per_year" if band == "mean" else band
            expected = ((end[band] / start) ** (1 / 5) - 1) * 100
            assert np.allclose(got[col], expected.reindex(got.index), rtol=1e-10)
    # capped at the last year; a start year with nothing after it is refused
    assert headcount.growth_rates(projection, years=50)["growth_pct_per_year"].notna().all()
    with pytest.raises(UserInputError, match="at least one year"):
        headcount.growth_rates(projection, start_year=2035)


def test_baseline_growth_columns_and_one_year_growth_rates(projection):
    assert list(headcount.baseline_growth().columns) == [
        "role", "growth_pct_per_year", "log_growth", "sd_log_growth", "rule", "growth_soc"]
    one = headcount.growth_rates(projection, ("role",), years=1).set_index("role")
    totals = projection.groupby(["role", "year"])["mean"].sum()
    for r in catalog.ROLE_IDS:
        assert one.loc[r, "growth_pct_per_year"] == pytest.approx(
            (totals[(r, 2026)] / totals[(r, 2025)] - 1) * 100, rel=1e-10)
    paths, _ = headcount.role_paths()
    assert all(len(p[1]) == 10 and p[3].shape[1] == 10 for p in paths.values())  # default 10 years


def test_warm_cache_rebuild_drops_the_files_and_reports_progress(tmp_path, monkeypatch):
    calls = []
    for name in ("headcount_fit_x.pkl", "headcount_projection_x.parquet",
                 "headcount_calibration_x.pkl", "headcount_backtest_x.parquet", "other.parquet"):
        (tmp_path / name).write_bytes(b"old")
    monkeypatch.setattr(files, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(hcal, "calibration", lambda progress=None: calls.append(("cal", progress)))
    monkeypatch.setattr(hcal, "is_cached", lambda: False)
    monkeypatch.setattr(hcal, "all_backtest_predictions", lambda: calls.append(("bt",)))
    monkeypatch.setattr(hcal, "clear_memo", lambda: calls.append(("clear",)))
    monkeypatch.setattr(headcount, "growth_fit", lambda: "fit")
    monkeypatch.setattr(role_levels, "role_levels", lambda: calls.append(("levels",)))
    monkeypatch.setattr(headcount, "baseline_projection", lambda h: calls.append(("proj", h)))

    def progress(done, total, label):
        calls.append(("progress", done, total, label))
    assert headcount.warm_cache(rebuild=True, progress=progress) == ["fit"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.parquet"]
    assert calls == [("clear",), ("cal", progress),
                     ("progress", 0, 1, "backtests 1-7 years ahead: predictive intervals of every "
                                        "occupation"),
                     ("bt",), ("levels",), ("proj", 10)]
    calls.clear()
    monkeypatch.setattr(hcal, "is_cached", lambda: True)  # nothing to compute: no progress line
    headcount.warm_cache(progress=progress)
    assert [c[0] for c in calls] == ["cal", "bt", "levels", "proj"]


def _role_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum a role x industry frame over industries (role level), every numeric column."""
    return frame.drop(columns="industry").groupby(["role", "year"], as_index=False).sum()
