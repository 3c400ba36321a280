"""Golden numbers of the postings models, the seasonal phase of their forecasts, the ensemble
mean and the backtest's MASE against direct numpy computations.

The golden file tests/golden/postings_models.json pins, for fixed seeded synthetic series and
three shipped series, every model's 12-step point forecast, 80%/95% band widths and model
label (through ``forecast_frame``, frequency inferred from the dates) and backtest scores.
Regenerate it only deliberately: ``.venv/bin/python tests/golden/regenerate.py --write`` (see
its docstring), and review the printed changes in the commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.postings import backtest as bt
from forecasting.postings import engine, ensemble, families, frames, seasonality
from tests.golden import cases
from tests.simulate import seasonal_series

GOLDEN = json.loads((Path(__file__).parent / "golden" / cases.GOLDEN_FILE).read_text())
REGEN = "regenerate deliberately with: .venv/bin/python tests/golden/regenerate.py --write"


def _close(got, want, what):
    got, want = np.asarray(got, float), np.asarray(want, float)
    scale = max(float(np.max(np.abs(want))), 1e-12)
    assert got.shape == want.shape, what
    err = float(np.max(np.abs(got - want)) / scale)
    assert err <= cases.RTOL, f"{what}: max relative change {err:.3g} > {cases.RTOL}; {REGEN}"


@pytest.mark.parametrize("group", ["synthetic", "shipped"])
def test_golden_forecasts_bands_and_backtests(group):
    frame = cases.synthetic_frame() if group == "synthetic" else cases.shipped_frame()
    got = cases.compute(frame)
    want = GOLDEN[group]
    assert sorted(got) == sorted(want)
    for sid, w in want.items():
        g = got[sid]
        assert g["input"] == w["input"], (f"{sid}: the input series changed (data, not model); "
                                          f"{REGEN}")
        assert sorted(g["forecast"]) == sorted(families.MODEL_NAMES)
        for name, f in w["forecast"].items():
            assert g["forecast"][name]["label"] == f["label"], (sid, name)
            for key in ("mean", "width_80", "width_95"):
                _close(g["forecast"][name][key], f[key], f"{sid}/{name}/{key}")
        for name, s in w["backtest"].items():
            for key, v in s.items():
                _close([g["backtest"][name][key]], [v], f"{sid}/{name} backtest {key}")


def test_golden_file_covers_seasonal_and_nonseasonal_series():
    """The pinned cases exercise the seasonal path (detected seasonality) and the plain one."""
    syn = cases.synthetic_frame()
    found = {sid: seasonality.seasonal_component(g["y"].to_numpy(), 4 if "quarterly" in sid else 12)
             is not None for sid, g in syn.groupby("series_id")}
    assert found == {"syn_quarterly_28": True, "syn_random_walk_40": False,
                     "syn_seasonal_72": True, "syn_seasonal_trend_48": True}
    shipped = cases.shipped_frame()
    found = {sid: seasonality.seasonal_component(g["y"].to_numpy(), 12) is not None
             for sid, g in shipped.groupby("series_id")}
    assert found == {"fr_ai_share": True, "us_postings_total": False, "us_sector_retail": True}


# --------------------------------------------------------------------------- seasonal phase
@pytest.mark.parametrize("name", families.MODEL_NAMES)
def test_forecast_peaks_in_the_month_the_simulated_pattern_peaks(name):
    """Pattern 8 sin(2 pi t / 12 - pi / 2) with t = 0 in January peaks in July (t = 6); every
    model's 24-month forecast from a January must peak in July too (a pattern shifted by one
    month moves the peak by 1, a seasonal adjustment switched off flattens it)."""
    y = seasonal_series(60, 8.0, 1.0, 0.5, np.random.default_rng(5), phase=-np.pi / 2)
    df = pd.DataFrame({"series_id": "s", "ds": pd.date_range("2018-01-01", periods=60, freq="MS"),
                       "y": y})
    fc = frames.forecast_frame(df, 24, model=name)
    mean = fc["mean"].to_numpy()
    assert fc["ds"].dt.month.iat[0] == 1                  # the forecast starts in January
    peak, amplitude = _peak_position(mean)
    assert abs(peak - 6) < 0.5, (name, peak)               # July = position 6 of each year
    assert amplitude > 6, (name, amplitude)                # not a flat forecast with a wiggle


def _peak_position(mean: np.ndarray) -> tuple[float, float]:
    """(position 0..12 of the peak, amplitude) of the 12-month harmonic of a linearly detrended
    forecast: for A cos(2 pi (t - p) / 12) the harmonic's angle is -2 pi p / 12. Far less
    sensitive to noise in single months than an argmax."""
    t = np.arange(len(mean))
    d = mean - np.polyval(np.polyfit(t, mean, 1), t)
    x = np.sum(d * np.exp(-2j * np.pi * t / 12))
    return float((-np.angle(x) * 12 / (2 * np.pi)) % 12), float(2 * abs(x) / len(mean))


def test_reported_seasonal_series_is_forecast_with_its_trend_and_pattern():
    """The series of the issue (48 months, amplitude 8, noise 1.5, trend 0.5 a month) was not
    found seasonal and ETS returned a flat-trend forecast for it."""
    y = seasonal_series(48, 8.0, 1.5, 0.5, np.random.default_rng(0), phase=0.0)
    assert seasonality.seasonal_component(y, 12) is not None
    eng = engine.SeriesEngine(y, 12, 24)
    fc = eng.forecast("ets", 48, 24)
    slope = (fc["mean"][12:].mean() - fc["mean"][:12].mean()) / 12   # the seasonal part cancels
    assert 0.3 < slope < 0.7, slope
    # 8 sin(2 pi t / 12) peaks at t = 3 (mod 12); the forecast starts at t = 48
    peak, amplitude = _peak_position(fc["mean"])
    assert abs(peak - 3) < 0.4 and 6 < amplitude < 10, (peak, amplitude)


# --------------------------------------------------------------------------- ensemble, MASE
def test_ensemble_is_the_mean_of_its_members():
    y = seasonal_series(60, 5.0, 2.0, 0.3, np.random.default_rng(9), phase=0.3)
    eng = engine.SeriesEngine(y, 12, 12)
    ens = eng.raw("ensemble", 60)
    members = [eng.raw(m, 60) for m in ensemble.ENSEMBLE_MEMBERS]
    assert all("->" not in r.label for r in members)
    stacked = np.array([r.mean for r in members])
    assert np.allclose(ens.mean, stacked.sum(axis=0) / 3, rtol=1e-12)
    assert not np.allclose(ens.mean, np.median(stacked, axis=0), rtol=1e-6)  # case separates them
    assert np.allclose(ens.sigma, np.array([r.sigma for r in members]).sum(axis=0) / 3)


def test_mase_scale_is_the_in_sample_seasonal_naive_error():
    rng = np.random.default_rng(21)
    y = seasonal_series(40, 6.0, 1.0, 0.2, rng, phase=0.0)
    assert engine.mase_scale(y, 12) == pytest.approx(np.mean(np.abs(y[12:] - y[:-12])))
    assert engine.mase_scale(y, 1) == pytest.approx(np.mean(np.abs(np.diff(y))))
    assert engine.mase_scale(y[:23], 12) == pytest.approx(np.mean(np.abs(np.diff(y[:23]))))


@pytest.mark.parametrize("name", ["snaive", "naive", "ets"])
def test_backtest_mase_matches_a_direct_numpy_computation(name):
    """backtest's MASE = mean over origins of MAE / in-sample MAE of the lag-12 seasonal naive,
    recomputed here from the origins and forecasts by hand."""
    y = seasonal_series(54, 6.0, 1.0, 0.2, np.random.default_rng(22), phase=0.0)
    df = pd.DataFrame({"series_id": "s", "ds": pd.date_range("2019-01-01", periods=54, freq="MS"),
                       "y": y})
    got = bt.backtest(df, 6, n_origins=3, models=[name]).iloc[0]
    h, vals, c95 = 6, [], []
    Ls = [54 - 6 - 2 * j for j in range(3)]
    for L in sorted(Ls):
        train, actual = y[:L], y[L:L + h]
        fc = engine.SeriesEngine(train, 12, h).forecast(name, L, h)
        scale = np.mean(np.abs(train[12:] - train[:-12]))
        vals.append(np.mean(np.abs(actual - fc["mean"])) / scale)
        c95.append(np.mean((actual >= fc["lo_95"]) & (actual <= fc["hi_95"])))
    assert got["mase"] == pytest.approx(np.mean(vals), rel=1e-9)
    assert got["coverage_95"] == pytest.approx(np.mean(c95))
    lag1 = np.mean([np.mean(np.abs(y[L:L + h] - engine.SeriesEngine(y[:L], 12, h).forecast(
        name, L, h)["mean"])) / np.mean(np.abs(np.diff(y[:L]))) for L in Ls])
    assert abs(got["mase"] - lag1) > 0.05 * lag1  # the seasonal scale matters on this series
