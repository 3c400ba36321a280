"""`python -m forecasting predict|backtest` on every bad-input class of issue #3: exit status 2,
exactly one line on stderr carrying the validator's message, no traceback, no output file.

Runs as real subprocesses (what a user sees). Each command's tests skip only while its module
does not exist yet, so they start running as soon as it is committed.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from forecasting.core.errors import UserInputError
from forecasting.postings.inputs.read import read_series_csv

ROOT = Path(__file__).resolve().parents[1]


def _monthly(sid: str, n: int) -> list[str]:
    return [f"{sid},{d:%Y-%m-%d},{10 + i}" for i, d in
            enumerate(pd.date_range("2020-01-01", periods=n, freq="MS"))]


GOOD = ["series_id,ds,y", *_monthly("a", 24)]
BAD_INPUTS: dict[str, bytes] = {
    "missing_column": "\n".join(["series_id,ds", *[r.rsplit(",", 1)[0] for r in GOOD[1:]]]).encode(),
    "misnamed_column": "\n".join(["series_id,dat,y", *GOOD[1:]]).encode(),
    "unparsable_date": "\n".join([*GOOD[:5], "a,31/31/2021,3", *GOOD[6:]]).encode(),
    "unparsable_number": "\n".join([*GOOD[:5], "a,2020-05-01,twelve", *GOOD[6:]]).encode(),
    "duplicate_series_ds": "\n".join([*GOOD, "a,2020-03-01,999"]).encode(),
    "irregular_dates": "\n".join([*GOOD[:5], "a,2020-05-17,3", *GOOD[6:]]).encode(),
    "gap_in_dates": "\n".join([*GOOD[:5], *GOOD[6:]]).encode(),
    "series_too_short": "\n".join(["series_id,ds,y", *_monthly("a", 24), *_monthly("b", 2)]).encode(),
    "empty_file": b"",
    "header_only": b"series_id,ds,y\n",
    "not_a_csv_png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    "not_a_csv_xlsx": b"PK\x03\x04\x14\x00\x06\x00\x08\x00[Content_Types].xml",
    "not_a_csv_json": b'{"series": [1, 2, 3]}',
}


# one subprocess costs ~2-4 s of imports here, so the CLI runs cover issue #3's classes once
# each; test_bad_input_messages_name_the_problem covers every case in-process
CLI_CASES = ["missing_column", "misnamed_column", "unparsable_date", "unparsable_number",
             "duplicate_series_ds", "irregular_dates", "series_too_short", "empty_file",
             "not_a_csv_png"]
# batch (engineer's Dask command) reads the same validator; a few cases prove the wiring
BATCH_CASES = ["misnamed_column", "duplicate_series_ds", "not_a_csv_xlsx"]


def _command_built(name: str) -> bool:
    return importlib.util.find_spec(f"forecasting.cli.{name}") is not None


def _option(parser, *names: str) -> str | None:
    """The option string the command uses for one of `names` (e.g. --input), if any."""
    for action in parser._actions:
        if set(action.option_strings) & set(names) or (not action.option_strings
                                                       and action.dest in {n.lstrip("-") for n in names}):
            return action.option_strings[0] if action.option_strings else ""
    return None


def _argv(command: str, src: Path, out: Path) -> list[str]:
    """Build argv from the command's own parser, so these tests follow its flags."""
    from forecasting.cli.main import build_parser

    sub = build_parser()._subparsers._group_actions[0].choices[command]
    argv = [command]
    for names, value in ((("--input", "-i", "input", "csv", "--csv", "path"), str(src)),
                         (("--output", "-o", "output", "out", "--out"), str(out)),
                         (("--horizon", "-H", "--h", "horizon"), "3")):
        flag = _option(sub, *names)
        if flag is None:
            if "--input" in names:
                pytest.fail(f"{command}: no input argument found; update _argv in this test")
            continue
        argv += [flag, value] if flag else [value]
    return argv


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), MLTALENT_CACHE_DIR=str(cwd / "cache"))
    return subprocess.run([sys.executable, "-m", "forecasting", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("command,case",
                         [(c, k) for c in ("predict", "backtest") for k in CLI_CASES]
                         + [("batch", k) for k in BATCH_CASES])
def test_bad_input_exits_2_with_one_line_and_no_output(command, case, tmp_path):
    if not _command_built(command):
        pytest.skip(f"{command} command not built yet")
    src = tmp_path / f"{case}.csv"
    src.write_bytes(BAD_INPUTS[case])
    with pytest.raises(UserInputError) as expected:
        read_series_csv(src)
    out = tmp_path / "out.csv"
    result = _run(_argv(command, src, out), tmp_path)
    lines = result.stderr.splitlines()
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert len(lines) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr + result.stdout
    # the user sees the validator's own message, not an argparse or generic error
    assert str(expected.value) in lines[0], (lines[0], str(expected.value))
    assert not out.exists()
    assert not list(tmp_path.glob("out*")), "a partial output file was left behind"


def test_bad_input_messages_name_the_problem():
    """The validator side of the CLI contract, runnable before the commands exist."""
    fragments = {
        "missing_column": "missing column 'y'",
        "misnamed_column": "did you mean 'dat'?",
        "unparsable_date": "line 6, column 'ds': cannot read date '31/31/2021'",
        "unparsable_number": "line 6, column 'y': cannot read number 'twelve'",
        "duplicate_series_ds": "line 26: duplicate date 2020-03-01 for series 'a' (also on line 4)",
        "irregular_dates": "line 6, column 'ds'",
        "gap_in_dates": "2020-05-01 is missing",
        "series_too_short": "series 'b' is too short: 2 points",
        "empty_file": "empty",
        "header_only": "no data rows",
        "not_a_csv_png": "binary",
        "not_a_csv_xlsx": "Excel",
        "not_a_csv_json": "does not name the columns",
    }
    assert set(fragments) == set(BAD_INPUTS)
    for case, data in BAD_INPUTS.items():
        with pytest.raises(UserInputError) as info:
            read_series_csv(data)
        assert fragments[case] in str(info.value), (case, str(info.value))


@pytest.mark.parametrize("command", ["predict", "backtest"])
def test_good_input_is_accepted(command, tmp_path):
    """Control: the same invocation with a clean file succeeds, so exit 2 above means the data."""
    if not _command_built(command):
        pytest.skip(f"{command} command not built yet")
    src = tmp_path / "good.csv"
    src.write_text("\n".join(GOOD) + "\n")
    out = tmp_path / "out.csv"
    result = _run(_argv(command, src, out), tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
