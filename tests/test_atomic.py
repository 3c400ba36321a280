"""Atomic writes: complete file or nothing, old file kept on failure, clear error for a missing folder."""

import pandas as pd
import pytest

from forecasting.core import atomic
from forecasting.core.errors import UserInputError


def test_csv_round_trip(tmp_path):
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    out = atomic.write_csv_atomic(df, tmp_path / "o.csv")
    assert pd.read_csv(out).equals(df)
    assert [p.name for p in tmp_path.iterdir()] == ["o.csv"]


def test_csv_is_written_exactly_as_to_csv_would_return_it(tmp_path):
    """Streamed to the temp file by pandas: the bytes are those of ``df.to_csv()``."""
    df = pd.DataFrame({"s": ["x", "é,\"q\"", "z"], "ds": pd.date_range("2020-01-01", periods=3),
                       "v": [1.5, float("nan"), -2.0]})
    out = atomic.write_csv_atomic(df, tmp_path / "o.csv", date_format="%Y-%m-%d")
    assert out.read_bytes() == df.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8")


def test_failure_keeps_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "o.csv"
    target.write_text("old")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError):
        atomic.write_bytes_atomic(target, b"new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["o.csv"]


def test_missing_folder_is_a_user_error(tmp_path):
    with pytest.raises(UserInputError, match="does not exist"):
        atomic.write_bytes_atomic(tmp_path / "nope" / "o.csv", b"x")


def test_check_target_refuses_unwritable_targets_before_any_work(tmp_path):
    from forecasting.core.atomic import check_target

    assert check_target(tmp_path / "ok.csv") == tmp_path / "ok.csv"
    for bad, message in ((tmp_path / "nosuch" / "a.csv", "does not exist"),
                         (tmp_path, "is a folder"), ("  ", "is empty")):
        with pytest.raises(UserInputError, match=message):
            check_target(bad, "--predictions")
    with pytest.raises(UserInputError, match="--predictions"):
        check_target(tmp_path, "--predictions")
