"""Command-line interface: everything the pages do, without a browser.

Each command lives in ``forecasting/cli/<name>.py`` (dashes in a command name are
underscores in its module name) and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (returns an exit code).
User errors exit with status 2 and one line on stderr; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from forecasting.core.errors import UserInputError
from forecasting.core.threads import single_threaded_blas

COMMANDS = ("predict", "backtest", "project", "scenario", "salaries", "export", "batch", "fit",
            "headcount-backtest", "update-data")


def module_name(command: str) -> str:
    """``headcount-backtest`` lives in ``forecasting/cli/headcount_backtest.py``."""
    return f"forecasting.cli.{command.replace('-', '_')}"


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad flags as one line and exit status 2."""

    def error(self, message: str) -> None:  # pragma: no cover - exercised via CLI tests
        sys.stderr.write(f"error: {message} (see --help)\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m forecasting",
                     description="ML-talent demand forecasts: data, models, scenarios, exports.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        try:
            module = importlib.import_module(module_name(name))
        except ModuleNotFoundError as exc:
            if exc.name == module_name(name):
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    single_threaded_blas()  # before the commands import numpy
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserInputError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except Exception as exc:  # a bug, not bad input: still one line, details on request
        if os.environ.get("MLTALENT_DEBUG"):
            raise
        sys.stderr.write(f"error: unexpected failure ({type(exc).__name__}: {str(exc)[:300]}); "
                         "rerun with MLTALENT_DEBUG=1 for details\n")
        return 1
