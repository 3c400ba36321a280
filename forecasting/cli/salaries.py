"""``python -m forecasting salaries``: salary bands per role as CSV (same numbers as the page)."""

from __future__ import annotations

import argparse
from pathlib import Path

from forecasting.core.atomic import write_csv_atomic
from forecasting.core.errors import UserInputError
from forecasting.salaries import bands as salaries


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "salaries", help="salary bands (P10-P90, n, bootstrap interval of the median) per role",
        description="Percentiles of ai-jobs.net salary_in_usd per role over the filtered records "
                    "(full-time only); n < 30 flagged 'small n', n < 5 'suppressed'.")
    p.add_argument("--role", help="one role id (default: all roles and 'other')")
    p.add_argument("--year", type=int, default=None,
                   help="work_year (default: the year with the most records)")
    p.add_argument("--experience", help="experience_level: EN, MI, SE or EX")
    p.add_argument("--location", help="company_location, ISO country code (e.g. US)")
    p.add_argument("--company-size", dest="company_size", help="company_size: S, M or L")
    p.add_argument("--n-boot", dest="n_boot", type=int, default=2000,
                   help="bootstrap draws for the median interval (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--output", "-o", required=True, help="CSV file to write")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.role is not None and args.role not in salaries.ROLE_ORDER:
        raise UserInputError(f"--role {args.role!r} is not valid; valid values: "
                             + ", ".join(salaries.ROLE_ORDER))
    if args.n_boot < 100:
        raise UserInputError(f"--n-boot {args.n_boot} is too small; use at least 100")
    records = salaries.load_records()
    year = salaries.default_work_year(records) if args.year is None else args.year
    flt = salaries.BandFilter(work_year=year, experience_level=args.experience,
                              company_location=args.location, company_size=args.company_size)
    flt.validate(records, names={"work_year": "--year", "experience_level": "--experience",
                                 "company_location": "--location",
                                 "company_size": "--company-size"})
    roles = (args.role,) if args.role else None
    out = salaries.bands(records, flt, roles=roles, n_boot=args.n_boot, seed=args.seed)
    write_csv_atomic(out, Path(args.output))
    return 0
