"""CLI sub-commands, one module each (see ``forecasting/cli/main.py``), and what several share."""

from __future__ import annotations

import argparse
import sys


def add_series_io(p: argparse.ArgumentParser, horizon_help: str) -> None:
    """``--input``, ``--horizon`` and ``--output`` of the commands that read a user series CSV."""
    p.add_argument("--input", required=True, help="CSV with columns series_id, ds, y")
    p.add_argument("--horizon", required=True, type=int, help=horizon_help)
    p.add_argument("--output", required=True, help="CSV to write (atomically)")


def read_series_input(args: argparse.Namespace):
    """(horizon, ValidatedSeries) from ``--horizon`` and ``--input``; repairs go to stderr."""
    from forecasting.postings.inputs import read_series_csv
    from forecasting.postings.models import check_horizon

    h = check_horizon(args.horizon)
    series = read_series_csv(args.input)
    for note in series.notes:
        sys.stderr.write(f"note: {note}\n")
    return h, series
