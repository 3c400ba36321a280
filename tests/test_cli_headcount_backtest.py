"""CLI: ``headcount-backtest`` writes the panel backtest table (same numbers as
``forecasting.headcount.backtest.backtest``) and refuses bad arguments with exit status 2, one
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

from forecasting.cli import main as cli
from forecasting.headcount import backtest as headcount_backtest
from forecasting.headcount import projection as headcount

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


@pytest.mark.parametrize("holdout,horizon,origin", [(2025, 1, 2024), (2025, 2, 2023),
                                                    (2025, 3, 2022), (2025, 7, 2018)])
def test_writes_the_backtest_table(holdout, horizon, origin, tmp_path, capsys):
    out = tmp_path / "hb.csv"
    assert _main(["headcount-backtest", "--horizon", str(horizon), "--output", str(out)]) == 0
    got = pd.read_csv(out, keep_default_na=False, na_values=[""])
    want = headcount_backtest.backtest(holdout, horizon)
    assert list(got.columns) == COLUMNS
    assert list(got["method"]) == [headcount.MODEL_NAME, "linear_trend", "zero", "last", "mean3"]
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=0, atol=0)
    # coverage is empty for the baselines, a share for the two models
    raw = out.read_text().splitlines()
    assert all(line.endswith(",,") for line in raw[3:]) and not raw[1].endswith(",")
    assert 0 < got["coverage_80"].iloc[0] < got["coverage_95"].iloc[0] <= 1
    printed = capsys.readouterr()
    assert f"May {origin} -> May {holdout}" in printed.out
    assert all(m in printed.out for m in headcount_backtest.METHODS)
    pred = headcount_backtest.predictions(holdout, horizon)
    assert f"{headcount_backtest.weighted_slope(pred):.3f}" in printed.out
    assert "Traceback" not in printed.err
    assert [p.name for p in _files(tmp_path)] == ["hb.csv"]  # no temp file left behind


def test_calibration_file_equals_the_library_table(tmp_path):
    out, cal = tmp_path / "hb.csv", tmp_path / "cal.csv"
    assert _main(["headcount-backtest", "--holdout-year", "2025", "--horizon", "2",
                  "--output", str(out), "--calibration", str(cal)]) == 0
    got = pd.read_csv(cal)
    want = headcount_backtest.calibration_table(headcount_backtest.predictions(2025, 2))
    assert list(got.columns) == ["decile", "n", "mean_predicted", "mean_actual", "coverage_80",
                                 "coverage_95"]
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-12)


def test_holdout_2024_and_predictions_file(tmp_path):
    out, pred = tmp_path / "hb.csv", tmp_path / "pred.csv"
    assert _main(["headcount-backtest", "--holdout-year", "2024", "--output", str(out),
                  "--predictions", str(pred)]) == 0
    table = pd.read_csv(out)
    frame = pd.read_csv(pred, dtype={"soc": str})
    want = headcount_backtest.predictions(2024, 1)
    assert list(frame.columns) == list(want.columns)
    assert len(frame) == len(want) == 5 * table["n_occupations"].iloc[0]
    assert set(frame["origin_year"]) == {2023} and set(frame["holdout_year"]) == {2024}
    np.testing.assert_array_equal(frame["soc"], want["soc"])
    np.testing.assert_allclose(frame["predicted"], want["predicted"])
    model = frame["method"].isin([headcount.MODEL_NAME, "linear_trend"])
    assert frame.loc[model, "lo_80"].notna().all() and frame.loc[~model, "lo_80"].isna().all()
    # the table is the score of exactly these predictions
    np.testing.assert_allclose(headcount_backtest.score(frame)["mae"], table["mae"])


BAD = {
    "non_integer_year": (["--holdout-year", "20x5"], "invalid int value: '20x5'"),
    "decimal_year": (["--holdout-year", "2025.0"], "invalid int value"),
    "non_integer_horizon": (["--horizon", "one"], "invalid int value: 'one'"),
    "year_without_origin": (["--holdout-year", "2018", "--horizon", "2"],
                            "holdout years with a 2-year backtest: 2021, 2023, 2024, 2025"),
    "year_in_future": (["--holdout-year", "2026"], "no 1-year backtest predicts May 2026"),
    "origin_2020": (["--holdout-year", "2025", "--horizon", "5"], "May 2020 is not a year"),
    "horizon_8": (["--horizon", "8"], "horizon must be from 1 to 7 years, got 8"),
    "horizon_0": (["--horizon", "0"], "got 0"),
    "calibration_same_as_output": (["--calibration", "{tmp}/hb.csv"], "different files"),
    "calibration_folder_missing": (["--calibration", "{tmp}/nosuch/c.csv"], "does not exist"),
    "missing_output": (None, "required: --output"),
    "output_folder_missing": ("{tmp}/nosuch/hb.csv", "does not exist"),
    "output_is_a_folder": ("{tmp}", "is a folder"),
    "predictions_folder_missing": (["--predictions", "{tmp}/nosuch/pred.csv"], "does not exist"),
    "predictions_same_as_output": (["--predictions", "{tmp}/hb.csv"], "different files"),
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
    """What a user sees: the table on stdout; a bad horizon is one line and exit 2 (the shared
    disk cache keeps the backtests warm, so no progress line is printed)."""
    ok = _run(["headcount-backtest", "--output", "hb.csv"], tmp_path)
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert "eb_damped_t" in ok.stdout and "Traceback" not in ok.stderr
    assert list(pd.read_csv(tmp_path / "hb.csv").columns) == COLUMNS
    bad = _run(["headcount-backtest", "--horizon", "9", "--output", "bad.csv"], tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.splitlines() == ["error: horizon must be from 1 to 7 years, got 9"]
    assert not (tmp_path / "bad.csv").exists()
