"""models: interval ordering, fallbacks, horizon rows and date continuation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.core.errors import UserInputError
from forecasting.postings import (
    base,
    engine,
    ensemble,
    ets,
    families,
    frames,
    frequency,
    seasonality,
    simple,
    statespace,
)

LEVEL_COLS = ["lo_95", "lo_80", "mean", "hi_80", "hi_95"]


def _frame(sid, y, start="2018-01-01", freq="MS"):
    return pd.DataFrame({"series_id": sid, "ds": pd.date_range(start, periods=len(y), freq=freq),
                         "y": np.asarray(y, float)})


def _seasonal(n=48, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 100 + 0.5 * t + 8 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1.5, n)


def _assert_ordered(fc):
    v = fc[LEVEL_COLS].to_numpy()
    assert np.isfinite(v).all()
    assert (np.diff(v, axis=1) >= -1e-9).all(), fc[LEVEL_COLS]


@pytest.mark.parametrize("name", [m for m in families.MODEL_NAMES if m != "uc"])
def test_every_model_orders_intervals_on_synthetic(name):
    df = pd.concat([_frame("seasonal", _seasonal(36)),
                    _frame("walk", 50 + np.cumsum(np.random.default_rng(1).normal(0, 1, 30)))])
    fc = frames.forecast_frame(df, 8, model=name)
    assert len(fc) == 16
    _assert_ordered(fc)
    assert fc["model"].str.len().gt(0).all()


def test_uc_model_on_short_real_like_series():
    fc = frames.forecast_frame(_frame("s", _seasonal(30)), 4, model="uc")
    _assert_ordered(fc)
    assert fc["model"].iat[0].startswith("uc")


@pytest.mark.parametrize("n", [1, 2, 5])
@pytest.mark.parametrize("name", ["auto", "ensemble", "ets", "arima", "theta", "uc"])
def test_short_series_fall_back_and_say_so(n, name):
    fc = frames.forecast_frame(_frame("s", np.arange(1, n + 1) * 3.0), 3, model=name)
    assert len(fc) == 3
    _assert_ordered(fc)
    used = fc["model"].iat[0]
    assert "series too short" in used and "->" in used, used


def test_constant_series_gives_flat_zero_width_forecast():
    fc = frames.forecast_frame(_frame("c", [7.0] * 30), 5, model="auto")
    assert np.allclose(fc[LEVEL_COLS].to_numpy(), 7.0)
    assert "constant series" in fc["model"].iat[0]


@pytest.mark.parametrize("freq,start,expect_next,m", [
    ("MS", "2020-01-01", "2022-01-01", 12),
    ("QS", "2016-01-01", "2022-01-01", 4),
    ("D", "2021-11-07", "2022-01-02", 7),
])
def test_horizon_rows_and_dates_continue_frequency(freq, start, expect_next, m):
    n = 24 if freq != "D" else 56
    df = _frame("x", _seasonal(n), start=start, freq=freq)
    assert frequency.season_length_for(frequency.infer_freq(df["ds"])) == m
    fc = frames.forecast_frame(df, 5, model="ets")
    assert len(fc) == 5
    assert fc["ds"].iat[0] == pd.Timestamp(expect_next)
    expected = pd.date_range(expect_next, periods=5, freq=freq)
    assert list(fc["ds"]) == list(expected)


def test_freq_override_and_weekly_inference():
    df = _frame("w", _seasonal(30), start="2024-01-07", freq="W-SUN")
    assert frequency.infer_freq(df["ds"]) == "W-SUN"
    assert frequency.season_length_for("W-SUN") == 52
    fc = frames.forecast_frame(df, 2, model="naive", freq={"w": "W-SUN"})
    assert fc["ds"].iat[0] == df["ds"].max() + pd.Timedelta(days=7)


def test_other_levels_and_bad_arguments():
    df = _frame("s", _seasonal(36))
    fc = frames.forecast_frame(df, 3, model="drift", levels=(50, 90))
    assert {"lo_50", "hi_50", "lo_90", "hi_90"} <= set(fc.columns)
    assert (fc["lo_90"] <= fc["lo_50"]).all() and (fc["hi_50"] <= fc["hi_90"]).all()
    for bad in (0, 121, 2.5):
        with pytest.raises(UserInputError, match="horizon"):
            frames.forecast_frame(df, bad)
    with pytest.raises(UserInputError, match="unknown model"):
        frames.forecast_frame(df, 3, model="prophet")


def test_seasonal_component_found_only_when_seasonal():
    t = np.arange(48)
    flat_seasonal = 100 + 8 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(2).normal(0, 1, 48)
    idx = seasonality.seasonal_component(flat_seasonal, 12)
    assert idx is not None and abs(idx.sum()) < 1e-9
    assert np.corrcoef(idx, 8 * np.sin(2 * np.pi * np.arange(12) / 12))[0, 1] > 0.95
    assert seasonality.seasonal_component(_seasonal(20), 12) is None  # < 2 seasons


def test_naive_and_drift_point_forecasts_by_hand():
    y = np.array([1.0, 2.0, 4.0, 7.0])
    nv = simple.Naive().fit(y, 1).predict(2)
    assert np.allclose(nv["mean"], [7, 7])
    dr = simple.Drift().fit(y, 1).predict(3)
    assert np.allclose(dr["mean"], [9, 11, 13])  # slope (7-1)/3 = 2
    sn = simple.SeasonalNaive().fit(np.arange(8.0), 4).predict(5)
    assert np.allclose(sn["mean"], [4, 5, 6, 7, 4])


def test_calibration_rescales_model_sigma_by_conformal_quantile(monkeypatch):
    """The multiplier of the model's own sigma, for scores fixed by hand (expected values worked
    out by hand, not with the code's formula): 36 scores 0.05, 0.10, ..., 1.80 (step 0.05), h_cal
    12, so the evidence weight is w = 36 / (36 + 12) = 0.75.
    95%: conformal level 0.95 * (1 + 1/36) = 0.97639, 'higher' rank 35 of 0..35 -> 1.80; below
    z = 1.959964, so the multiplier is 0.75 * 1.80 + 0.25 * 1.959964 = 1.839991.
    80%: level 0.8 * 37/36 = 0.82222, rank ceil(0.82222 * 35) = 29 -> 1.50 > z80 = 1.281552,
    so the multiplier is 1.50."""
    rng = np.random.default_rng(7)
    y = np.r_[np.cumsum(rng.normal(0, 1, 40)), np.cumsum(rng.normal(0.8, 1, 30)) + 10]
    eng = engine.SeriesEngine(y, 1, 12)
    assert len(eng.scores("ets", len(y), 12)) == 36         # 3 inner origins x 12 steps
    own = eng.raw("ets", len(y))
    monkeypatch.setattr(eng, "scores", lambda *a: np.arange(1, 37) * 0.05)
    cal = eng._forecast("ets", len(y), 12, (80, 95))
    assert np.allclose((cal["hi_95"] - cal["mean"]) / own.sigma[:12], 1.839991, rtol=1e-6)
    assert np.allclose((cal["mean"] - cal["lo_95"]) / own.sigma[:12], 1.839991, rtol=1e-6)
    assert np.allclose((cal["hi_80"] - cal["mean"]) / own.sigma[:12], 1.50, rtol=1e-9)
    # thin evidence (fewer than 5 scores): the model's own normal multipliers
    monkeypatch.setattr(eng, "scores", lambda *a: np.array([5.0, 6.0]))
    cal = eng._forecast("ets", len(y), 12, (80, 95))
    assert np.allclose((cal["hi_95"] - cal["mean"]) / own.sigma[:12], 1.959964, rtol=1e-6)
    assert np.allclose((cal["hi_80"] - cal["mean"]) / own.sigma[:12], 1.281552, rtol=1e-6)


def test_real_series_interval_ordering():
    from forecasting.sources import indeed
    df = indeed.load_postings_monthly()
    ids = sorted(df["series_id"].unique())[:2]
    sub = df[df["series_id"].isin(ids)].groupby("series_id").tail(36)
    fc = frames.forecast_frame(sub, 12, model="ensemble")
    assert len(fc) == 24
    _assert_ordered(fc)


def test_non_negative_history_clips_bands_at_zero_and_keeps_order():
    # a falling share: unclipped, the bands (and the drift mean) cross zero
    y = np.r_[np.linspace(6.0, 0.4, 40), [0.3, 0.2, 0.25, 0.1]]
    eng = engine.SeriesEngine(y, 12, 24)
    raw = eng._forecast("drift", len(y), 24)
    assert raw["lo_95"].min() < 0 and raw["mean"].min() < 0  # the case being fixed
    fc = eng.forecast("drift", len(y), 24)
    for k in ("mean", "lo_80", "hi_80", "lo_95", "hi_95"):
        assert fc[k].min() >= 0
    assert np.all(fc["lo_95"] <= fc["lo_80"]) and np.all(fc["lo_80"] <= fc["mean"])
    assert np.all(fc["mean"] <= fc["hi_80"]) and np.all(fc["hi_80"] <= fc["hi_95"])
    # where the raw forecast was positive it is untouched
    pos = raw["lo_95"] > 0
    assert np.allclose(fc["lo_95"][pos], raw["lo_95"][pos])
    # forecast_frame (predict's path) clips the same way
    df = pd.DataFrame({"series_id": "s", "ds": pd.date_range("2020-01-01", periods=len(y), freq="MS"),
                       "y": y})
    ff = frames.forecast_frame(df, 24, model="drift")
    assert ff[["mean", "lo_80", "lo_95"]].min().min() >= 0
    assert np.allclose(ff["lo_95"], fc["lo_95"])


def test_history_with_negatives_is_not_clipped():
    y = np.r_[np.linspace(3.0, -2.0, 40)]
    fc = engine.SeriesEngine(y, 12, 12).forecast("drift", len(y), 12)
    assert fc["mean"].min() < 0 and fc["lo_95"].min() < fc["mean"].min()


def test_ets_inner_origins_share_one_honest_refit():
    rng = np.random.default_rng(3)
    y = 100 + np.cumsum(rng.normal(0.5, 1.0, 60))
    eng = engine.SeriesEngine(y, 1, 12)
    eng.forecast("ets", 60, 12)
    full = eng.raw("ets", 60).label
    inner = [k for k in eng._memo if k[0] == "ets" and len(k) == 4]
    assert len(inner) == 3 and all(k[2] == 60 for k in inner)  # keyed by their parent
    assert all(eng._memo[k].label == full for k in inner)  # same trend spec as the full fit
    # one refit for all inner origins, on the oldest one, started from the parent's params
    ref = min(k[1] for k in inner)
    assert {k[3] for k in inner} == {ref} and list(eng._ets_cal) == [(60, ref)]
    spec, params, init = eng._ets_hints[60]
    refit = ets.ETS((spec, params, init)).fit(y[:ref], 1)
    assert not np.allclose(refit.params, params)  # re-estimated on y[:ref], not the parent's
    cal = eng._ets_cal[(60, ref)]
    assert np.allclose(cal[1], refit.params)
    for k in inner:  # every inner origin re-filters y[:o] with the parameters from y[:ref]
        m = ets.ETS(cal, refit=False).fit(y[:k[1]], 1)
        assert np.allclose(m.raw(12).mean, eng._memo[k].mean)
        assert np.allclose(m.raw(12).sigma, eng._memo[k].sigma)
    # a backtest origin L < n never uses parameters learned after L, nor after an inner origin
    eng.forecast("ets", 48, 12)
    assert all(k[3] <= k[1] < k[2] for k in eng._memo if len(k) == 4)
    assert eng._ets_hints[48] is not None and not np.allclose(eng._ets_hints[48][1], params)
    with pytest.raises(ValueError):
        eng.raw("ets", 40, 60, 44)


def test_ets_trend_specs_start_from_the_simpler_fit(monkeypatch):
    """Damped starts from the no-trend fit's alpha, additive from the damped fit's (alpha,
    beta); the estimated-initialization fallback (short series) keeps statsmodels' default."""
    fitted = {"N": np.array([0.8])}
    assert np.allclose(ets.ETS._start(dict(trend="add", damped_trend=True), fitted),
                       [0.8, 0.08, 0.9])
    fitted["Ad"] = np.array([0.7, 0.2, 0.85])
    assert np.allclose(ets.ETS._start(dict(trend="add"), fitted), [0.7, 0.2])
    assert ets.ETS._start(dict(trend=None), fitted) is None
    assert ets.ETS._start(dict(trend="add"), {}) is None
    starts = []
    orig = ets.ETS._fit_spec

    def spy(y, spec, init, start=None, maxiter=1000):
        starts.append((ets._spec_name(spec), init, start))
        return orig(y, spec, init, start=start, maxiter=maxiter)

    monkeypatch.setattr(ets.ETS, "_fit_spec", staticmethod(spy))
    rng = np.random.default_rng(8)
    ets.ETS().fit(100 + np.cumsum(rng.normal(0.5, 1.0, 40)), 1)
    (n, _, s0), (ad, _, s1), (a, _, s2) = starts
    assert (n, ad, a) == ("N", "Ad", "A") and s0 is None and len(s1) == 3 and len(s2) == 2
    starts.clear()
    ets.ETS().fit(100 + np.cumsum(rng.normal(0.5, 1.0, 9)), 1)  # estimated initial states
    assert starts and all(init == "estimated" and st is None for _, init, st in starts
                          if init == "estimated")


def test_ets_refilter_with_own_params_reproduces_the_fit():
    rng = np.random.default_rng(4)
    y = 50 + np.cumsum(rng.normal(0.3, 1.0, 48)) + np.tile(3 * np.sin(np.arange(12)), 4)
    fit = ets.ETS().fit(y, 12)
    again = ets.ETS(fit.hint, refit=False).fit(y, 12)
    assert again.used == fit.used and np.allclose(again.params, fit.params)
    r1, r2 = fit.raw(24), again.raw(24)
    assert np.allclose(r1.mean, r2.mean) and np.allclose(r1.sigma, r2.sigma)


@pytest.mark.parametrize("spec", [dict(trend=None), dict(trend="add"),
                                  dict(trend="add", damped_trend=True)])
@pytest.mark.parametrize("n", [9, 40])  # 9: estimated initial states, 40: heuristic
def test_ets_results_free_fit_matches_statsmodels_results(spec, n):
    """ETS skips the ETSResults object (Hessian, wrapping): its AICc, mse and the forecast
    from the final state must equal what statsmodels' results object reports."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    rng = np.random.default_rng(11)
    y = 100 + np.cumsum(rng.normal(0.4, 1.0, n))
    init = "estimated" if n < 10 else "heuristic"
    crit, params, state, mse = ets.ETS._fit_spec(y, spec, init)
    res = ETSModel(y, error="add", initialization_method=init, **spec).fit(
        disp=False, pgtol=1e-4, factr=ets.ETS_FACTR)
    assert np.allclose(params, res.params)
    assert np.isclose(crit, res.aicc) and np.isclose(mse, res.mse)
    m = ets.ETS()
    m.params, m.state, m.sigma2 = params, state, mse
    m._finish(spec)
    mean, _ = m._forecast(24)
    assert np.allclose(mean, res.forecast(24), rtol=1e-10, atol=1e-8)


def test_seasonality_found_under_a_strong_trend():
    """A trend inflates every raw autocorrelation and hid real seasonality from the classical
    test; run on the detrended series it is found, with indices close to the true pattern."""
    rng = np.random.default_rng(0)
    t = np.arange(96)
    pattern = 12 * np.sin(t[:12] * 2 * np.pi / 12 + 1.0)
    y = 100 + 0.8 * t + np.tile(pattern, 8) + rng.normal(0, 2, 96)
    idx = seasonality.seasonal_component(y, 12)
    assert idx is not None
    assert np.max(np.abs(idx - (pattern - pattern.mean()))) < 3.0


def test_no_seasonality_in_a_trend_with_noise():
    rng = np.random.default_rng(1)
    y = 50 + 0.5 * np.arange(96) + rng.normal(0, 1, 96)
    assert seasonality.seasonal_component(y, 12) is None


# --------------------------------------------------------------------------- edges (mutation survivors)
def test_season_length_for_every_alias_family():
    table = {"MS": 12, "ME": 12, "M": 12, "BMS": 12, "BME": 12, "SMS": 12, "QS": 4, "QE-DEC": 4,
             "BQS": 4, "W-SUN": 52, "W": 52, "D": 7, "B": 5, "YS": 1, "A-DEC": 1, "BYS": 1,
             "h": 24, "H": 24, "min": 1, "14D": 1}
    assert {a: frequency.season_length_for(a) for a in table} == table


@pytest.mark.parametrize("dates,expected", [
    (["2020-03-01"], "MS"),
    (["2020-03-15"], "D"),
    (["2020-01-15", "2020-02-15"], "ME"),                         # two dates: median spacing
    (["2020-01-01", "2020-04-01", "2020-07-02", "2020-10-01"], "QE"),   # not all on the 1st
    (["2021-01-01", "2021-03-27", "2021-06-19", "2021-09-13"], "QE"),   # median step 85 days
    (["2020-01-01", "2020-04-01", "2020-07-01", "2020-11-01"], "QS"),   # all on the 1st
    (["2021-01-01", "2022-01-07", "2023-01-12", "2024-01-18"], "371D"),
    (["2021-01-01", "2022-01-06", "2023-01-11", "2024-01-15"], "YE"),   # median step 370 days
    (["2024-01-01", "2024-01-07", "2024-01-14", "2024-01-19"], "W-FRI"),  # median step 6 days
    (["2024-01-01", "2024-01-03", "2024-01-04", "2024-01-06", "2024-01-08"], "2D"),
])
def test_infer_freq_fallbacks_when_pandas_cannot_tell(dates, expected):
    assert frequency.infer_freq(pd.Series(pd.to_datetime(dates))) == expected


def test_model_predict_gives_the_models_own_normal_intervals():
    y = np.array([1.0, 2.0, 4.0, 7.0])
    s = np.sqrt((1 + 4 + 9) / 3)                         # rms of the differences 1, 2, 3
    out = simple.Naive().fit(y, 1).predict(2, levels=(80, 95))
    assert np.allclose(out["hi_95"] - out["mean"], 1.959964 * s * np.sqrt([1, 2]), rtol=1e-6)
    assert np.allclose(out["mean"] - out["lo_80"], 1.281552 * s * np.sqrt([1, 2]), rtol=1e-6)


def test_arima_order_search_depends_on_length(monkeypatch):
    import statsmodels.tsa.arima.model as sm_arima

    tried = []
    real = sm_arima.ARIMA

    def spy(y, order, trend):
        tried.append((order[0], trend))
        return real(y, order=order, trend=trend)

    monkeypatch.setattr(sm_arima, "ARIMA", spy)
    rng = np.random.default_rng(2)
    for n, ps in ((8, [0, 1]), (11, [0, 1]), (12, [0, 1, 2]), (30, [0, 1, 2])):
        tried.clear()
        statespace.ARIMA().fit(100 + np.cumsum(rng.normal(0, 1, n)), 1)
        assert tried == [(p, "t") for p in ps] + [(1, "n")], (n, tried)


def test_engine_ensemble_is_the_mean_of_its_members_fitted_alone():
    """The engine composes the ensemble from its memoised member fits (no ensemble class to
    drift away from it): the mean of ETS, ARIMA and UC, each fitted on the whole series."""
    y = 100 + np.cumsum(np.random.default_rng(6).normal(0.3, 1.0, 40))
    members = [engine._fit_with_fallback(mm, y, 12).raw(6) for mm in ensemble.ENSEMBLE_MEMBERS]
    eng = engine.SeriesEngine(y, 12, 6).raw("ensemble", 40)
    assert np.allclose(eng.mean, np.mean([r.mean for r in members], axis=0))
    assert np.allclose(eng.sigma, np.mean([r.sigma for r in members], axis=0))
    assert eng.label == "ensemble(" + "+".join(r.label for r in members) + ")"
    assert [r.label.split("(")[0] for r in members] == ["ets", "arima", "uc"]


def test_ets_fit_prints_nothing(capsys):
    ets.ETS().fit(100 + np.cumsum(np.random.default_rng(1).normal(0, 1, 30)), 1)
    assert capsys.readouterr() == ("", "")


def test_inner_mase_on_a_small_scale_series_and_level_messages():
    y = 0.3 + 0.01 * np.cumsum(np.random.default_rng(9).normal(0, 1, 40))   # scale ~0.01
    eng = engine.SeriesEngine(y, 12, 12)
    v = eng.inner_mase("naive", 40, 10)
    assert np.isfinite(v) and v > 0
    with pytest.raises(UserInputError, match=r"interval levels must be between 1 and 99, "
                                             r"got \[0, 95\]"):
        frames.forecast_frame(_frame("s", y), 3, levels=(0, 95))


def test_forecast_series_defaults_and_empty_frame_dtypes():
    y = _seasonal(36)
    auto = frames.forecast_series(y, 3)
    assert auto["model"].startswith("auto:")
    sn = frames.forecast_series(y, 14, model="snaive")
    assert np.allclose(sn["mean"][:12], y[-12:]) and np.allclose(sn["mean"][12:], y[-12:-10])
    empty = frames.forecast_frame(_frame("s", y).iloc[:0], 3)
    assert list(empty.columns) == ["series_id", "ds", "mean", "lo_80", "hi_80", "lo_95", "hi_95",
                                   "model"]
    assert empty["series_id"].dtype == object and empty["model"].dtype == object
    assert all(empty[c].dtype == float for c in ("mean", "lo_80", "hi_80", "lo_95", "hi_95"))


def test_seasonality_of_short_series_falls_back_to_the_autocorrelation_test():
    """24-35 months (2-3 seasons): no F test; a one-month spike a year is still found."""
    t = np.arange(30)
    y = 50 + np.random.default_rng(0).normal(0, 1, 30) + 10 * (t % 12 == 11)
    idx = seasonality.seasonal_component(y, 12)
    assert idx is not None and np.argmax(idx) == 11
    assert seasonality.seasonal_component(np.full(30, 5.0), 12) is None
    # a weaker spike (4 noise sd, 24 months) just passes the M4 limit, which uses the lag 1..11
    # autocorrelations only (a limit that also counted lags 12-13 would miss it)
    y = 50 + np.random.default_rng(1).normal(0, 1, 24) + 4.0 * (np.arange(24) % 12 == 11)
    assert seasonality.seasonal_component(y, 12) is not None


def test_fallback_labels_of_constant_and_short_series():
    const = np.full(30, 4.0)
    assert engine._fit_with_fallback("naive", const, 12).used == "naive"
    eng = engine.SeriesEngine(const, 12, 6)
    assert eng.raw("ensemble", 30).label == "ensemble->naive (constant series)"
    with pytest.raises(ValueError, match="^ref must not exceed L: parameters would be learned "
                                         "after L$"):
        eng.raw("ets", 20, 30, 25)


def test_ensemble_of_a_short_series_leaves_out_members_that_fell_back():
    """9 points: ETS and ARIMA fit (min length 8), UC does not (10): the ensemble is the mean
    of ETS and ARIMA only."""
    y = 100 + np.cumsum(np.random.default_rng(12).normal(0.5, 1.0, 9))
    eng = engine.SeriesEngine(y, 12, 4)
    ets, arima, uc = (eng.raw(m, 9) for m in ("ets", "arima", "uc"))
    assert "->" in uc.label and "->" not in ets.label + arima.label
    ens = eng.raw("ensemble", 9)
    assert ens.label == f"ensemble({ets.label}+{arima.label})"
    assert np.allclose(ens.mean, (ets.mean + arima.mean) / 2)


def test_non_finite_model_output_becomes_a_flat_zero_width_forecast():
    y = 100 + np.cumsum(np.random.default_rng(13).normal(0, 1, 30))
    eng = engine.SeriesEngine(y, 12, 6)
    eng._memo[("drift", 30)] = base.RawForecast(np.full(6, np.nan), np.full(6, np.nan), "drift")
    monkey = eng.scores
    eng.scores = lambda *a: np.array([])                      # the normal multipliers
    fc = eng._forecast("drift", 30, 6)
    eng.scores = monkey
    assert np.allclose(fc["mean"], y[-1]) and np.allclose(fc["hi_95"], fc["lo_95"])
