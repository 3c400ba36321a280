"""pipeline: cache miss, hit and invalidation (data hash, model set, code), schema, progress."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.postings import pipeline
from forecasting.sources import files, indeed

MODELS = ("naive", "drift")


@pytest.fixture
def small_data(monkeypatch, tmp_path):
    rng = np.random.default_rng(0)
    df = pd.concat([pd.DataFrame({"series_id": sid, "ds": pd.date_range("2021-01-01", periods=30,
                                                                          freq="MS"),
                                  "y": 100 + np.cumsum(rng.normal(0, 1, 30))})
                    for sid in ("s1", "s2")], ignore_index=True)
    state = {"hash": "h1", "loads": 0}

    def load():
        state["loads"] += 1
        return df.copy()

    monkeypatch.setattr(indeed, "load_postings_monthly", load)
    monkeypatch.setattr(files, "data_hash", lambda: state["hash"])
    monkeypatch.setattr(files, "CACHE_DIR", tmp_path)
    return state


def test_build_then_hit_then_invalidate(small_data, tmp_path, monkeypatch):
    calls = []
    pb = pipeline.postings_baseline(progress=lambda d, t, _label: calls.append((d, t)), models=MODELS,
                                    workers=1)
    assert small_data["loads"] == 1
    assert calls[0] == (0, 2) and calls[-1] == (2, 2)
    fc = pb.forecasts
    assert set(fc["model"]) == set(MODELS)
    assert (fc.groupby(["series_id", "model"]).size() == pipeline.DISPLAY_HORIZON).all()
    assert fc["ds"].min() == pd.Timestamp("2023-07-01")
    v = fc[["lo_95", "lo_80", "mean", "hi_80", "hi_95"]].to_numpy()
    assert np.isfinite(v).all() and (np.diff(v, axis=1) >= -1e-9).all()
    assert set(pb.backtests["model"]) == set(MODELS) and len(pb.backtests) == 4
    assert pb.choice == {}  # no auto in the set: nothing chosen
    assert set(pb.leaderboard["model"]) == set(MODELS)
    assert len(list(tmp_path.glob("postings_baseline_*.pkl"))) == 1

    again = pipeline.postings_baseline(models=MODELS, workers=1)       # hit: no reload, same object
    assert small_data["loads"] == 1
    assert again.key == pb.key and again.build_seconds == pb.build_seconds
    pd.testing.assert_frame_equal(again.forecasts, pb.forecasts)

    pipeline.postings_baseline(models=("naive",), workers=1)          # other model set: miss
    assert small_data["loads"] == 2
    small_data["hash"] = "h2"                                          # data changed: miss
    new = pipeline.postings_baseline(models=MODELS, workers=1)
    assert small_data["loads"] == 3 and new.key != pb.key
    assert len(list(tmp_path.glob("postings_baseline_*.pkl"))) == 1   # stale files removed

    monkeypatch.setattr(pipeline, "code_version", lambda: "other-code")  # code changed: miss
    pipeline.postings_baseline(models=MODELS, workers=1)
    assert small_data["loads"] == 4


def test_damaged_cache_is_rebuilt(small_data, tmp_path):
    pb = pipeline.postings_baseline(models=("naive",), workers=1)
    pipeline.cache_path(pb.key).write_bytes(b"not a pickle")
    again = pipeline.postings_baseline(models=("naive",), workers=1)
    assert small_data["loads"] == 2
    pd.testing.assert_frame_equal(again.forecasts, pb.forecasts)


def test_code_version_tracks_model_source():
    assert len(pipeline.code_version()) == 16
    assert pipeline.code_version() == pipeline.code_version()


def test_auto_records_choice_per_series(small_data):
    pb = pipeline.postings_baseline(models=("auto", "naive"), workers=1)
    assert set(pb.choice) == {"s1", "s2"}
    assert all(c in pipeline.MODEL_NAMES for c in pb.choice.values())
    auto = pb.forecasts[pb.forecasts["model"] == "auto"]
    assert auto["model_used"].str.startswith("auto:").all()


def test_two_worker_pool_matches_serial(small_data):
    serial = pipeline.postings_baseline(models=("naive", "drift"), workers=1)
    pooled = pipeline.postings_baseline(models=("naive", "drift"), workers=2, rebuild=True)
    pd.testing.assert_frame_equal(serial.forecasts, pooled.forecasts)
    pd.testing.assert_frame_equal(serial.backtests, pooled.backtests)
