"""Build update-data scenarios from the shipped files (no network, nothing made up): a data folder
whose current set is an OLDER vintage (the last months cut off shipped files, the newest OEWS
year removed) and a mirror holding the shipped files as the newer vintage, laid out as
``<mirror>/<source>/<file>``. Also used by hand: ``python tests/update_fixtures.py DEST``."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data"
sys.path.insert(0, str(ROOT))

from forecasting.sources import registry as sources

AI = "indeed_hiring_lab/AI_posting.csv"
WAGE = "indeed_wage_tracker/posted-wage-growth-by-country.csv"
OEWS_LAST = "bls_oews/national_M2025_dl.xlsx"


def cut_daily_csv(src: Path, dest: Path, last_day: str) -> None:
    """Keep the header and every row dated on or before ``last_day`` (YYYY-MM-DD), byte for byte."""
    with open(src, "rb") as fh:
        lines = fh.readlines()
    keep = [lines[0]] + [ln for ln in lines[1:] if ln[:10].decode() <= last_day]
    dest.write_bytes(b"".join(keep))


def cut_monthly_wage_csv(src: Path, dest: Path, drop_months: set[str]) -> None:
    """Drop the rows whose ``month`` is in ``drop_months`` (e.g. {'Mar-26', 'Apr-26'})."""
    with open(src, "rb") as fh:
        lines = fh.readlines()
    keep = [lines[0]] + [ln for ln in lines[1:] if ln.decode().split(",")[2] not in drop_months]
    dest.write_bytes(b"".join(keep))


def copy_data_dir(dest: Path, link: bool = False) -> Path:
    """data/raw, SOURCES.md and RAW_SOURCES_UPSTREAM.md copied to ``dest`` (hard links when
    ``link``: the update never edits a file in place, it writes new ones)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SHIPPED / "raw", dest / "raw", copy_function=os.link if link else shutil.copy2,
                    ignore=shutil.ignore_patterns(sources.MANIFEST))
    for name in ("SOURCES.md", "RAW_SOURCES_UPSTREAM.md"):
        shutil.copy2(SHIPPED / name, dest / name)
    return dest


def install_older_vintage(data_dir: Path, ai_last_day: str = "2026-03-31",
                          drop_oews_2025: bool = True, wage: bool = True) -> None:
    """Make ``data_dir/raw`` an older vintage of the shipped set (files replaced, not edited)."""
    raw = data_dir / "raw"
    tmp = raw / AI
    tmp.unlink()
    cut_daily_csv(SHIPPED / "raw" / AI, tmp, ai_last_day)
    if wage:
        (raw / WAGE).unlink()
        cut_monthly_wage_csv(SHIPPED / "raw" / WAGE, raw / WAGE, {"Mar-26", "Apr-26"})
    if drop_oews_2025:
        (raw / OEWS_LAST).unlink()


def build_mirror(dest: Path, files: dict[str, Path] | None = None) -> Path:
    """``dest/<source>/<file>`` for every non-static registry file shipped (newest OEWS year
    included); ``files`` overrides some (rel -> path), e.g. with corrupt variants."""
    raw = SHIPPED / "raw"
    for src in sources.SOURCES:
        if src.static:
            continue
        for rf in src.current_files(raw):
            target = dest / src.name / rf.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2((files or {}).get(rf.rel, raw / rf.rel), target)
    return dest


def tree_hashes(folder: Path) -> dict[str, str]:
    """rel path -> sha256 of every file under ``folder`` (the identity of a raw set)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            out[p.relative_to(folder).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


if __name__ == "__main__":
    base = Path(sys.argv[1])
    install_older_vintage(copy_data_dir(base / "data"))
    build_mirror(base / "mirror")
    print(f"MLTALENT_DATA_DIR={base / 'data'} python -m forecasting update-data --mirror {base / 'mirror'}")
