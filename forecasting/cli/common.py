"""CLI sub-commands, one module each (see ``forecasting/cli/main.py``), and what several share."""

from __future__ import annotations

import argparse
import sys


def horizon_help(what: str) -> str:
    """Help text of a series ``--horizon``: ``what`` and the accepted range (from the one limit)."""
    from forecasting.postings.inputs.rules import MAX_HORIZON

    return f"{what} (1..{MAX_HORIZON})"


def add_series_io(p: argparse.ArgumentParser, horizon_what: str) -> None:
    """``--input``, ``--horizon`` and ``--output`` of the commands that read a user series CSV."""
    p.add_argument("--input", required=True, help="CSV with columns series_id, ds, y")
    p.add_argument("--horizon", required=True, type=int, help=horizon_help(horizon_what))
    p.add_argument("--output", required=True, help="CSV to write (atomically)")


def read_series_input(args: argparse.Namespace):
    """(horizon, ValidatedSeries) from ``--horizon`` and ``--input``; repairs go to stderr."""
    from forecasting.postings.inputs.read import read_series_csv
    from forecasting.postings.inputs.rules import validate_horizon

    h = validate_horizon(args.horizon)
    series = read_series_csv(args.input)
    for note in series.notes:
        sys.stderr.write(f"note: {note}\n")
    return h, series
