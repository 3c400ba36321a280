"""CLI: ``headcount-backtest`` writes the panel backtest table (same numbers as
``forecasting.headcount_backtest.backtest``) and refuses bad arguments with exit status 2, one
line on stderr and no file. Runs in-process via ``cli.main``; one subprocess each for the success
and the failure path checks what a user sees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting import cli, headcount, headcount_backtest

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ["method", "n_occupations", "mae", "mae_weighted", "coverage_80", "coverage_95"]


def _main(argv: list[str]) -> int:
    """cli.main's exit status, also when argparse exits (bad flags raise SystemExit(2))."""
    try:
        return cli.main(argv)
    except SystemExit as exc:
        return int(exc.code)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("horizon", [1, 2])
def test_writes_the_backtest_table(horizon, tmp_path, capsys):
    out = tmp_path / "hb.csv"
    assert _main(["headcount-backtest", "--horizon", str(horizon), "--output", str(out)]) == 0
    got = pd.read_csv(out, keep_default_na=False, na_values=[""])
    want = headcount_backtest.backtest(2025, horizon)
    assert list(got.columns) == COLUMNS
    assert list(got["method"]) == [headcount.MODEL_NAME, "zero", "last", "mean3"]
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=0, atol=0)
    # coverage is empty for the baselines, a share for the model
    raw = out.read_text().splitlines()
    assert all(line.endswith(",,") for line in raw[2:]) and not raw[1].endswith(",")
    assert 0 < got["coverage_80"].iloc[0] < got["coverage_95"].iloc[0] <= 1
    printed = capsys.readouterr()
    assert f"May {2025 - horizon} -> May 2025" in printed.out
    assert all(m in printed.out for m in headcount_backtest.METHODS)
    assert "Traceback" not in printed.err
    assert [p.name for p in _files(tmp_path)] == ["hb.csv"]  # no temp file left behind


def test_holdout_2024_and_predictions_file(tmp_path):
    out, pred = tmp_path / "hb.csv", tmp_path / "pred.csv"
    assert _main(["headcount-backtest", "--holdout-year", "2024", "--output", str(out),
                  "--predictions", str(pred)]) == 0
    table = pd.read_csv(out)
    frame = pd.read_csv(pred, dtype={"soc": str})
    want = headcount_backtest.predictions(2024, 1)
    assert list(frame.columns) == list(want.columns)
    assert len(frame) == len(want) == 4 * table["n_occupations"].iloc[0]
    assert set(frame["origin_year"]) == {2023} and set(frame["holdout_year"]) == {2024}
    np.testing.assert_array_equal(frame["soc"], want["soc"])
    np.testing.assert_allclose(frame["predicted"], want["predicted"])
    model = frame["method"] == headcount.MODEL_NAME
    assert frame.loc[model, "lo_80"].notna().all() and frame.loc[~model, "lo_80"].isna().all()
    # the table is the score of exactly these predictions
    np.testing.assert_allclose(headcount_backtest.score(frame)["mae"], table["mae"])


BAD = {
    "non_integer_year": (["--holdout-year", "20x5"], "invalid int value: '20x5'"),
    "decimal_year": (["--holdout-year", "2025.0"], "invalid int value"),
    "non_integer_horizon": (["--horizon", "one"], "invalid int value: 'one'"),
    "year_too_early": (["--holdout-year", "2023"], "holdout year must be from 2024 to 2025"),
    "year_in_future": (["--holdout-year", "2026"], "got 2026"),
    "year_too_early_for_horizon_2": (["--holdout-year", "2024", "--horizon", "2"],
                                     "for a 2-year horizon"),
    "horizon_3": (["--horizon", "3"], "horizon must be 1 or 2 years, got 3"),
    "horizon_0": (["--horizon", "0"], "got 0"),
    "missing_output": (None, "required: --output"),
    "output_folder_missing": ("{tmp}/nosuch/hb.csv", "does not exist"),
    "output_is_a_folder": ("{tmp}", "is a folder"),
    "predictions_folder_missing": (["--predictions", "{tmp}/nosuch/pred.csv"], "does not exist"),
    "predictions_same_as_output": (["--predictions", "{tmp}/hb.csv"], "same file"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_arguments_exit_2_with_one_line_and_no_file(case, tmp_path, capsys):
    args, fragment = BAD[case]
    argv = ["headcount-backtest"]
    if isinstance(args, str):
        argv += ["--output", args.format(tmp=tmp_path)]
    elif args is not None:
        argv += [a.format(tmp=tmp_path) for a in args] + ["--output", str(tmp_path / "hb.csv")]
    assert _main(argv) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and fragment in lines[0], lines[0]
    assert "Traceback" not in err
    assert _files(tmp_path) == []


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "forecasting", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_subprocess_success_and_failure(tmp_path):
    """What a user sees: the table on stdout, a progress line on stderr; a bad horizon is one
    line and exit 2 (the shared disk cache keeps the fit warm)."""
    ok = _run(["headcount-backtest", "--output", "hb.csv"], tmp_path)
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert "eb_trend_t" in ok.stdout and "Traceback" not in ok.stderr
    assert list(pd.read_csv(tmp_path / "hb.csv").columns) == COLUMNS
    bad = _run(["headcount-backtest", "--horizon", "3", "--output", "bad.csv"], tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.splitlines() == ["error: horizon must be 1 or 2 years, got 3"]
    assert not (tmp_path / "bad.csv").exists()
