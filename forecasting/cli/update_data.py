"""``python -m forecasting update-data``: fetch new vintages of the raw data, check them with the
product's loaders and swap them into data/raw atomically (see ``forecasting/workflows/update.py``,
``fetch.py`` and ``plausibility.py``)."""

from __future__ import annotations

import argparse
import csv
import os
import sys

from forecasting.core.errors import UserInputError

KEEP = "keeping the current data"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "update-data", help="fetch new vintages of the raw data, validate them, swap them in",
        description="Downloads each source's files (upstream, or --mirror), checks format, "
                    "vintage (never older) and plausibility with the product's own loaders, "
                    "then swaps the whole set into data/raw atomically, updates data/SOURCES.md, "
                    "refits and reports. On any failure the current data are kept (exit 2).")
    p.add_argument("--source", action="append", metavar="NAME",
                   help="only this source (repeatable); default: every source with an upstream")
    p.add_argument("--mirror", metavar="URL_OR_DIR",
                   help="fetch <mirror>/<source>/<file> instead of the upstream URLs "
                        "(http(s) URL or folder)")
    p.add_argument("--dry-run", action="store_true",
                   help="download and check, report what would change; data/ is not touched")
    p.add_argument("--list", action="store_true",
                   help="print CSV source,file,url,vintage for every file the product uses")
    p.add_argument("--skip-fit", action="store_true",
                   help="do not compute the headline or refit (caches rebuild on first use)")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds to wait for each HTTP response (default 60)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from forecasting.sources import fetch
    from forecasting.workflows import update

    if args.list:
        rows = update.list_rows(args.mirror)
        try:
            w = csv.writer(sys.stdout, lineterminator="\n")
            w.writerow(("source", "file", "url", "vintage"))
            w.writerows(rows)
            sys.stdout.flush()
        except BrokenPipeError:  # `--list | head`: the reader left, which is fine
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if not 0 < args.timeout <= 3600:
        raise UserInputError(f"--timeout must be between 0 and 3600 seconds, got {args.timeout:g}")
    try:
        outcome = update.run(args.source, args.mirror, dry_run=args.dry_run,
                             skip_fit=args.skip_fit, timeout=args.timeout)
    except update.SwappedButFailed as exc:
        if os.environ.get("MLTALENT_DEBUG"):
            raise
        sys.stderr.write(f"error: update-data: the new data are in place, but a later step "
                         f"failed ({fetch.one_line(exc)[:300]}); run `python -m forecasting "
                         "fit` to rebuild the caches\n")
        return 1
    except UserInputError as exc:
        raise UserInputError(f"update-data: {fetch.one_line(exc)}; {KEEP}") from None
    except KeyboardInterrupt:
        sys.stderr.write(f"update-data: interrupted; {KEEP}\n")
        return 130
    except Exception as exc:  # a fault, not bad data: exit 1, still one line
        if os.environ.get("MLTALENT_DEBUG"):
            raise
        sys.stderr.write(f"error: update-data: unexpected failure ({type(exc).__name__}: "
                         f"{fetch.one_line(exc)[:300]}); {KEEP}; "
                         "rerun with MLTALENT_DEBUG=1 for details\n")
        return 1
    print(update.report(outcome))
    return 0
