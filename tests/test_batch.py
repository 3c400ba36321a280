"""Batch forecasting on a real 2-process LocalCluster equals forecast_frame; writes are atomic."""

from __future__ import annotations

import functools
import operator

import numpy as np
import pandas as pd
import pytest

from forecasting.cli.main import main
from forecasting.core.errors import UserInputError
from forecasting.postings import batch
from forecasting.postings.frames import forecast_frame

NUM = ["mean", "lo_80", "hi_80", "lo_95", "hi_95"]


def _series(n_series: int = 20, n: int = 36, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2021-01-01", periods=n, freq="MS")
    parts = []
    for i in range(n_series):
        t = np.arange(n)
        y = (100 + rng.normal(0, 10) + rng.normal(0, 0.5) * t
             + 5 * np.sin(2 * np.pi * t / 12) + np.cumsum(rng.normal(0, 2, n)))
        parts.append(pd.DataFrame({"series_id": f"s{i:02d}", "ds": ds, "y": y}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def client():
    with batch.open_client(None, n_workers=2) as c:
        yield c


def _assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got["series_id"].tolist() == want["series_id"].tolist()
    assert (pd.to_datetime(got["ds"]).to_numpy() == pd.to_datetime(want["ds"]).to_numpy()).all()
    assert got["model"].tolist() == want["model"].tolist()
    assert np.allclose(got[NUM].to_numpy(float), want[NUM].to_numpy(float), rtol=1e-9, atol=1e-9)


def test_batch_equals_forecast_frame(client):
    df = _series()
    # shuffled input order and small chunks: order and chunking must not change the numbers
    shuffled = df.sample(frac=1.0, random_state=1)
    seen = []
    res = batch.forecast_batch(shuffled, 6, model="ets", client=client, chunk_size=3,
                               progress=lambda *a: seen.append(a))
    assert res.n_series == 20 and res.n_chunks == 7 and res.n_workers == 2
    assert seen[-1] == (7, 7, 20, 20)
    _assert_same(res.forecasts, forecast_frame(df, 6, model="ets"))


def test_local_workers_run_without_the_statistical_profiler(client):
    """The profiler samples every worker's stack each 10 ms for a dashboard we never start."""
    flags = client.run(lambda: __import__("dask").config.get("distributed.worker.profile.enabled"))
    assert len(flags) == 2 and set(flags.values()) == {False}


def test_cli_batch_dir_via_scheduler_address(client, tmp_path):
    """The --scheduler path (what a real cluster runs) on a directory of CSVs."""
    df = _series(n_series=6, seed=3)
    inp = tmp_path / "in"
    inp.mkdir()
    df[df["series_id"] < "s03"].to_csv(inp / "a.csv", index=False)
    df[df["series_id"] >= "s03"].to_csv(inp / "b.csv", index=False)
    (inp / "notes.txt").write_text("ignored: not a csv")
    out = tmp_path / "fc.parquet"
    rc = main(["batch", "--input", str(inp), "--horizon", "4", "--output", str(out),
               "--model", "drift", "--scheduler", client.scheduler.address])
    assert rc == 0
    _assert_same(pd.read_parquet(out), forecast_frame(df, 4, model="drift"))
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_failed_run_leaves_no_output(tmp_path, monkeypatch):
    src = tmp_path / "in.csv"
    _series(n_series=2).to_csv(src, index=False)
    out = tmp_path / "fc.parquet"

    def boom(*a, **k):
        raise RuntimeError("worker died")

    monkeypatch.setattr(batch, "open_client", lambda *a, **k: _NullClient())
    monkeypatch.setattr(batch, "forecast_batch", boom)
    with pytest.raises(RuntimeError):
        batch.run_batch(src, 3, out, model="naive")
    assert list(tmp_path.iterdir()) == [src]


def test_write_failure_keeps_old_file_and_no_temp(tmp_path, monkeypatch):
    out = tmp_path / "fc.parquet"
    out.write_bytes(b"old")

    def half_write(self, path, *a, **k):
        with open(path, "wb") as fh:
            fh.write(b"PAR1 partial")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", half_write)
    with pytest.raises(OSError):
        batch.write_parquet_atomic(pd.DataFrame({"a": [1]}), out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["fc.parquet"]


class _NullClient:
    def __enter__(self):
        return object()

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("extra, fragment", [
    (["--horizon", "0"], "horizon"),
    (["--horizon", "3", "--model", "prophet"], "model"),
    (["--horizon", "3", "--workers", "0"], "workers"),
])
def test_bad_flags_exit_2(tmp_path, capsys, extra, fragment):
    src = tmp_path / "in.csv"
    _series(n_series=1).to_csv(src, index=False)
    out = tmp_path / "fc.parquet"
    assert main(["batch", "--input", str(src), "--output", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and fragment in err and "Traceback" not in err
    assert not out.exists()


def test_bad_input_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("series_id,ds,y\na,not-a-date,1\n")
    out = tmp_path / "fc.parquet"
    for inp in (bad, tmp_path / "missing.csv", tmp_path / "emptydir"):
        if inp.name == "emptydir":
            inp.mkdir()
        assert main(["batch", "--input", str(inp), "--horizon", "3", "--output", str(out)]) == 2
        assert capsys.readouterr().err.startswith("error:")
    assert main(["batch", "--input", str(bad), "--horizon", "3",
                 "--output", str(tmp_path / "nodir" / "fc.parquet")]) == 2
    assert not out.exists()


def test_duplicate_series_across_files_is_refused(tmp_path):
    df = _series(n_series=1)
    df.to_csv(tmp_path / "a.csv", index=False)
    df.to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(UserInputError, match="s00.*a.csv.*b.csv"):
        batch.read_inputs(tmp_path)


def test_chunking_covers_every_series_once():
    ids = [f"s{i}" for i in range(23)]
    chunks = batch.chunk_series_ids(ids, 5)
    assert [len(c) for c in chunks] == [5, 5, 5, 5, 3]
    assert functools.reduce(operator.iadd, chunks, []) == ids
    assert batch.default_chunk_size(2000, 2) == 100 and batch.default_chunk_size(20, 2) == 2


def test_series_slices_keep_whole_series_in_order():
    frame = pd.DataFrame({"series_id": ["a"] * 3 + ["b"] * 2 + ["c"] * 4 + ["d"],
                          "ds": pd.date_range("2020-01-01", periods=10, freq="MS"),
                          "y": np.arange(10.0)})
    parts = batch.series_slices(frame, 2)
    assert [list(p["series_id"].unique()) for p in parts] == [["a", "b"], ["c", "d"]]
    assert pd.concat(parts).equals(frame)
    assert [len(p) for p in batch.series_slices(frame, 1)] == [3, 2, 4, 1]
    assert len(batch.series_slices(frame, 100)) == 1
