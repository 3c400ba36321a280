"""CLI predict/backtest/fit: golden run on a small real sample of the shipped postings data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.cli import main as cli
from forecasting.sources import indeed

COLS = ["series_id", "ds", "mean", "lo_80", "hi_80", "lo_95", "hi_95", "model"]


@pytest.fixture(scope="module")
def sample_csv(tmp_path_factory):
    df = indeed.load_postings_monthly()
    ids = sorted(df["series_id"].unique())[:2]
    sub = df[df["series_id"].isin(ids)].groupby("series_id").tail(40)
    path = tmp_path_factory.mktemp("cli") / "sample.csv"
    sub.to_csv(path, index=False)
    return path, sub


def test_predict_golden(sample_csv, tmp_path):
    path, sub = sample_csv
    out = tmp_path / "out.csv"
    assert cli.main(["predict", "--input", str(path), "--horizon", "6", "--output", str(out)]) == 0
    fc = pd.read_csv(out, parse_dates=["ds"])
    assert list(fc.columns) == COLS
    assert fc.groupby("series_id").size().to_dict() == {s: 6 for s in sub["series_id"].unique()}
    for sid, g in fc.groupby("series_id"):
        last = sub.loc[sub["series_id"] == sid, "ds"].max()
        assert list(g["ds"]) == list(pd.date_range(last, periods=7, freq="MS")[1:])
    v = fc[["lo_95", "lo_80", "mean", "hi_80", "hi_95"]].to_numpy()
    assert np.isfinite(v).all() and (np.diff(v, axis=1) >= -1e-9).all()
    assert fc["model"].str.startswith("auto:").all()


def test_predict_other_levels_and_model(sample_csv, tmp_path):
    path, _ = sample_csv
    out = tmp_path / "lv.csv"
    assert cli.main(["predict", "--input", str(path), "--horizon", "3", "--output", str(out),
                     "--level", "50", "90", "--model", "drift"]) == 0
    fc = pd.read_csv(out)
    assert list(fc.columns) == ["series_id", "ds", "mean", "lo_50", "hi_50", "lo_90", "hi_90", "model"]
    assert (fc["model"] == "drift").all()


def test_predict_in_series_batches_writes_the_same_file(sample_csv, tmp_path, monkeypatch):
    """predict forecasts a few series per call to bound memory: one series a call must give the
    very same bytes as all series in one call."""
    from forecasting.cli import predict
    path, _ = sample_csv
    outs = []
    for per_call in (1, 10_000):
        monkeypatch.setattr(predict, "SERIES_PER_CALL", per_call)
        outs.append(tmp_path / f"b{per_call}.csv")
        assert cli.main(["predict", "--input", str(path), "--horizon", "4", "--output",
                         str(outs[-1]), "--model", "naive"]) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert pd.read_csv(outs[0])["series_id"].nunique() == 2


@pytest.mark.parametrize("h", ["0", "121"])
def test_bad_horizon_exits_2_and_writes_nothing(sample_csv, tmp_path, capsys, h):
    path, _ = sample_csv
    out = tmp_path / "none.csv"
    assert cli.main(["predict", "--input", str(path), "--horizon", h, "--output", str(out)]) == 2
    assert "horizon" in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_backtest_command(sample_csv, tmp_path):
    path, _sub = sample_csv
    out = tmp_path / "bt.csv"
    assert cli.main(["backtest", "--input", str(path), "--horizon", "6", "--output", str(out),
                     "--model", "naive", "snaive", "drift"]) == 0
    bt = pd.read_csv(out)
    assert list(bt.columns) == ["series_id", "model", "mase", "smape", "coverage_80", "coverage_95"]
    assert len(bt) == 2 * 3
    assert bt["smape"].between(0, 200).all() and (bt["mase"] > 0).all()


def test_help_mentions_columns(capsys):
    for cmd in ("predict", "backtest", "fit"):
        with pytest.raises(SystemExit) as exc:
            cli.main([cmd, "--help"])
        assert exc.value.code == 0
    assert "coverage_80" in capsys.readouterr().out
