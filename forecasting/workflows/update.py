"""Fetch new vintages of the raw data, check them, and swap them in: ``update-data``'s engine.

Order (nothing under data/ changes before step 6; any refusal before it keeps the current data):

1. take the update lock and clean up after an interrupted run (``rawswap.recover``);
2. download the chosen sources' files to a temp folder (upstream or ``<mirror>/<source>/<file>``);
3. check the format (CSV header and end, xlsx integrity); refuse a vintage older than the current;
4. stage a complete copy of data/raw with the new files and run the product's own loaders on it
   (``files.raw_root``), then compare each changed source's series with the current ones: none may
   disappear, lose more than half its periods, or move by more than the stated factor;
5. compute the headline on the staged set (headcount baseline, with caches in a temp folder);
6. write the manifest into the staged set and swap it in atomically (``rawswap.swap``); update
   the generated table in data/SOURCES.md; run the fit; report.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forecasting.core.errors import UserInputError
from forecasting.sources import fetch, files, plausibility, provenance, rawswap
from forecasting.sources import registry as sources
from forecasting.sources.registry import RawFile, Source
from forecasting.sources.vintages import Vintage

HEADLINE_YEARS = 5

Progress = Callable[[str], None]


class SwappedButFailed(RuntimeError):
    """The new set is in data/raw, but a step after the swap (SOURCES.md, the fit) failed."""




# --------------------------------------------------------------------------- headline
@dataclass(frozen=True)
class Headline:
    base_year: int
    year: int
    value: float

    def text(self) -> str:
        return f"{self.value:,.0f} (May {self.year}, from May {self.base_year})"


def headline() -> Headline:
    """AI and ML specialists, statistical baseline, HEADLINE_YEARS ahead of the latest OEWS year
    (the overview's headline), from the current raw folder (``files.raw_root`` aware)."""
    from forecasting.core import catalog
    from forecasting.headcount import projection as headcount
    proj = headcount.baseline_projection(10)
    base = int(proj["year"].min())
    year = base + HEADLINE_YEARS
    sel = proj[proj["role"].isin(catalog.AI_ML_SPECIALIST_ROLES) & (proj["year"] == year)]
    return Headline(base, year, float(sel["mean"].sum()))


# --------------------------------------------------------------------------- the run
@dataclass
class FileFetch:
    src: Source
    rf: RawFile
    location: str
    path: Path | None = None          # downloaded copy (None: not published)
    sha256: str = ""
    status: str = ""                  # new, changed, unchanged, not published
    before: Vintage | None = None
    after: Vintage | None = None


@dataclass
class Outcome:
    fetched: list[FileFetch]
    changes: dict[str, plausibility.SeriesChange]
    vintages: dict[str, tuple[str, str]]     # source -> (before label, after label)
    swapped: bool = False
    dry_run: bool = False
    retrieved: str = ""
    headline_before: Headline | None = None
    headline_after: Headline | None = None
    notes: list[str] = field(default_factory=list)
    swap_method: str = ""
    fit_seconds: float | None = None


def _stderr(msg: str) -> None:
    import sys
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def _source_vintage(src: Source, raw: Path) -> str:
    """The newest vintage label among a source's files in ``raw`` ("none" when it has none)."""
    best: Vintage | None = None
    for rf in src.current_files(raw):
        p = raw / rf.rel
        if p.is_file():
            v = src.vintage(p, rf.rel)
            if best is None or v.key > best.key:
                best = v
    return best.label if best else "none"


def select_sources(names: list[str] | None) -> list[Source]:
    if not names:
        return [s for s in sources.SOURCES if not s.static]
    chosen = []
    for name in dict.fromkeys(names):
        s = sources.source(name)
        if s.static:
            raise UserInputError(f"source {name} is static and never fetched: {s.note.rstrip('.')}")
        chosen.append(s)
    return chosen


def _loader_series(src: Source, folder: Path, what: str) -> pd.DataFrame:
    with files.raw_root(folder):
        try:
            return src.series()
        except UserInputError as exc:
            raise fetch.UpdateRefused(f"{src.name}: the {what} data fail the loader: {exc}") from None
        except Exception as exc:  # a loader crashing on a file is a bad file
            raise fetch.UpdateRefused(f"{src.name}: the loader cannot read the {what} data "
                                f"({type(exc).__name__}: {exc})") from None


def _stage(raw: Path, staged: Path, changed: list[FileFetch]) -> None:
    """A complete copy of ``raw`` with the changed files put in (one step per file)."""
    staged.mkdir()
    for folder, _dirs, names in os.walk(raw):
        rel_dir = Path(folder).relative_to(raw)
        (staged / rel_dir).mkdir(exist_ok=True)
        for name in names:
            shutil.copy2(Path(folder) / name, staged / rel_dir / name)
            rawswap.step(f"copied {rel_dir / name}")
    for f in changed:
        dest = staged / f.rf.rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f.path, dest)
        rawswap.step(f"placed {f.rf.rel}")


def _write_manifest(staged: Path, raw: Path, changed: list[FileFetch], retrieved: str) -> None:
    import json
    old = provenance.read_manifest(raw).get("files", {})
    entries = {}
    for rel, entry in old.items():  # keep entries that still describe the file
        p = staged / rel
        if isinstance(entry, dict) and p.is_file() and entry.get("sha256") == files.file_sha256(p):
            entries[rel] = entry
    for f in changed:
        entries[f.rf.rel] = {"source": f.src.name, "url": f.location, "retrieved": retrieved,
                             "sha256": f.sha256, "vintage": f.after.label if f.after else "",
                             "bytes": f.path.stat().st_size}
    body = json.dumps({"format": 1, "updated": retrieved, "files": dict(sorted(entries.items()))},
                      indent=2) + "\n"
    (staged / sources.MANIFEST).write_text(body, encoding="utf-8")
    rawswap.step("manifest written")


def write_sources_md(data_dir: Path) -> bool:
    """Rewrite the generated table of data/SOURCES.md from data/raw (atomic). True if changed."""
    from forecasting.core.atomic import write_via_temp
    path = Path(data_dir) / "SOURCES.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        text = "# Data sources\n"
    new = provenance.replace_block(text, provenance.render_block(provenance.source_rows()))
    if new == text:
        return False
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        mode = 0o644

    def write(tmp: str) -> None:
        Path(tmp).write_bytes(new.encode("utf-8"))
        os.chmod(tmp, mode)  # the temp file is 0600; keep the file's own permissions

    write_via_temp(path, write)
    return True


def run(names: list[str] | None = None, mirror: str | None = None, dry_run: bool = False,
        skip_fit: bool = False, timeout: float = fetch.DEFAULT_TIMEOUT,
        progress: Progress = _stderr) -> Outcome:
    """The whole update (see the module docstring). Raises fetch.UpdateRefused (or UserInputError)
    before anything under data/ changed; returns what happened."""

    mirror = fetch.check_mirror(mirror)
    chosen = select_sources(names)
    data_dir = Path(files.DATA_DIR)
    if dry_run:
        return _run(chosen, mirror, True, skip_fit, timeout, progress, data_dir)
    with rawswap.locked(data_dir):
        for note in rawswap.recover(data_dir):
            progress(f"note: {note}")
        if write_sources_md(data_dir):
            progress("note: data/SOURCES.md brought in line with data/raw")
        return _run(chosen, mirror, False, skip_fit, timeout, progress, data_dir)


def _run(chosen: list[Source], mirror: str | None, dry_run: bool, skip_fit: bool,
         timeout: float, progress: Progress, data_dir: Path) -> Outcome:

    raw = data_dir / "raw"
    if not raw.is_dir():
        raise UserInputError(f"{raw} does not exist; restore it from git")
    work = Path(tempfile.mkdtemp(prefix="mltalent-update-"))
    staged: Path | None = None
    try:
        # 2-3: download, format, vintage
        plan = [(s, rf) for s in chosen for rf in s.fetch_plan(raw)]
        fetched: list[FileFetch] = []
        for i, (src, rf) in enumerate(plan, 1):
            loc, member = fetch.locate(src, rf, mirror)
            f = FileFetch(src, rf, loc + (f" [{member}]" if member else ""))
            dest = work / f"{src.name}__{rf.name}"
            t0 = time.perf_counter()
            tag = f"[{i}/{len(plan)}] {src.name}/{rf.name}"
            try:
                n = fetch.fetch(loc, member, dest, timeout)
            except fetch.NotPublished as exc:
                if rf.required:
                    raise fetch.UpdateRefused(f"{src.name}/{rf.name}: not found at {f.location} "
                                        f"({exc})") from None
                f.status = "not published"
                progress(f"{tag}: not published yet ({f.location})")
                fetched.append(f)
                continue
            f.path = dest
            progress(f"{tag}: {n / 1e6:.2f} MB in {time.perf_counter() - t0:.1f} s from {f.location}")
            fetch.check_format(src, rf, dest)
            f.sha256 = files.file_sha256(dest)
            f.after = src.vintage(dest, rf.rel)
            cur = raw / rf.rel
            if cur.is_file():
                f.before = src.vintage(cur, rf.rel)
                if f.after.key < f.before.key:
                    raise fetch.UpdateRefused(f"{src.name}/{rf.name}: the new file is older "
                                        f"({f.after.label}) than the current one "
                                        f"({f.before.label})")
                f.status = "unchanged" if f.sha256 == files.file_sha256(cur) else "changed"
            else:
                f.status = "new"
            fetched.append(f)
        # a yearly source may not skip a year
        for src in chosen:
            got = [f for f in fetched if f.src is src and f.status == "new"]
            missing = [f for f in fetched if f.src is src and f.status == "not published"]
            if got and missing and min(f.rf.rel for f in missing) < max(f.rf.rel for f in got):
                raise fetch.UpdateRefused(f"{src.name}: {got[-1].rf.name} is published but the year "
                                    f"before it ({missing[0].rf.name}) is not")
        changed = [f for f in fetched if f.status in ("new", "changed")]
        out = Outcome(fetched, {}, {}, dry_run=dry_run)
        if not changed:
            return out
        # 4: stage, validate with the loaders, compare
        if dry_run:
            staged = work / "raw"
        else:
            staged = data_dir / f"{rawswap.STAGING_PREFIX}{os.getpid()}-{os.urandom(3).hex()}"
        progress(f"staging a complete raw set with {len(changed)} new file(s) in {staged}")
        _stage(raw, staged, changed)
        for src in dict.fromkeys(f.src for f in changed):
            progress(f"checking {src.name} with the product's loaders")
            new = _loader_series(src, staged, "new")
            try:
                old = _loader_series(src, raw, "current")
            except fetch.UpdateRefused as exc:
                out.notes.append(f"{exc}; the new vintage was not compared with it")
                old = None
            out.changes[src.name] = (plausibility.compare_series(src, old, new) if old is not None
                                     else plausibility.SeriesChange(sorted(set(new["ds"]))))
            out.vintages[src.name] = (_source_vintage(src, raw), _source_vintage(src, staged))
        # 5: headline before / after (the after one on the staged set, caches in a temp folder)
        if not skip_fit:
            progress("headline on the current data")
            if dry_run:
                with files.raw_root(raw, cache_dir=work / "cache-current"):
                    out.headline_before = headline()
            else:
                out.headline_before = headline()
            progress("headline on the new data (headcount model fit, ~10-30 s)")
            with files.raw_root(staged, cache_dir=work / "cache"):
                try:
                    out.headline_after = headline()
                except UserInputError as exc:
                    raise fetch.UpdateRefused(f"the new data break the headcount projection: {exc}") from None
                except Exception as exc:  # refuse, do not swap in breaking data
                    raise fetch.UpdateRefused(f"the new data break the headcount projection "
                                        f"({type(exc).__name__}: {exc})") from None
        if dry_run:
            return out
        # 6: manifest, swap, SOURCES.md, fit
        out.retrieved = provenance.utc_now()
        _write_manifest(staged, raw, changed, out.retrieved)
        progress("swapping the new set into data/raw")
        out.swap_method = rawswap.swap(data_dir, staged)
        staged = None
        out.swapped = True
        progress("data/raw now holds the new set; writing data/SOURCES.md")
        try:
            files.forget_hashes()
            write_sources_md(data_dir)
            rawswap.step("SOURCES.md written")
            if not skip_fit:
                _adopt_caches(work / "cache", Path(files.CACHE_DIR))
                out.fit_seconds = _fit(progress)
        except BaseException as exc:  # incl. Ctrl-C: say that the data did change
            what = "interrupted" if isinstance(exc, KeyboardInterrupt) else \
                f"{type(exc).__name__}: {exc}"
            raise SwappedButFailed(what) from exc
        return out
    finally:
        if staged is not None and staged.exists():
            shutil.rmtree(staged, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def _adopt_caches(src: Path, dest: Path) -> None:
    """Move the caches built on the staged set into the cache folder: their names carry the
    data hash, which is the swapped set's hash, so they are valid there as they are."""
    if not src.is_dir():
        return
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for p in src.iterdir():
            if p.is_file() and not (dest / p.name).exists():
                shutil.move(str(p), str(dest / p.name))
    except OSError:
        pass  # only a speed-up


def _fit(progress: Progress) -> float:
    """The fit on the new data (what ``python -m forecasting fit`` does), with progress."""
    from forecasting.workflows import warm

    t0 = time.perf_counter()
    last = [0.0]

    def step(done: int, total: int, label: str) -> None:
        now = time.perf_counter()
        if done in (0, total) or now - last[0] > 2:
            last[0] = now
            progress(f"fit: [{done}/{total}] {label[:60]}")
        if done == total:  # the postings stage is over; warm_all goes on with the headcount model
            progress("fit: headcount growth model")

    def headcount_step(done: int, total: int, label: str) -> None:
        progress(f"fit: headcount model [{done}/{total}] {label[:60]}")

    warm.warm_all(step, headcount_step)
    return time.perf_counter() - t0


# --------------------------------------------------------------------------- report
def report(out: Outcome) -> str:
    """The short report printed to stdout."""
    changed = [f for f in out.fetched if f.status in ("new", "changed")]
    if not changed:
        return ("update-data: already up to date (every fetched file equals the current one; "
                f"{sum(f.status == 'not published' for f in out.fetched)} not yet published)")
    srcs = list(dict.fromkeys(f.src for f in out.fetched))
    head = ("update-data (dry run): would swap in" if out.dry_run else "update-data: swapped in")
    lines = [f"{head} {len(changed)} new file(s) from {len(out.changes)} source(s)"
             + (f"; retrieved {out.retrieved}" if out.retrieved else "")]
    rows = [("source", "vintage before", "vintage after", "added")]
    for src in srcs:
        before, after = out.vintages.get(src.name, ("", ""))
        if src.name not in out.changes:
            cur = next((f.before for f in out.fetched if f.src is src and f.before), None)
            before = after = cur.label if cur else ""
        rows.append((src.name, before, after, plausibility.describe_change(src, out.changes.get(src.name))))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(r[:3], widths)) + "  " + r[3])
    hb, ha = out.headline_before, out.headline_after
    label = f"headline: AI and ML specialists, baseline, {HEADLINE_YEARS} years ahead: "
    if hb and ha:
        pct = (ha.value / hb.value - 1) * 100 if hb.value else float("nan")
        lines.append(f"{label}{hb.text()} -> {ha.text()} ({pct:+.1f}%)")
    else:
        lines.append(f"{label}not computed (--skip-fit)")
    for note in out.notes:
        lines.append(f"note: {note}")
    if out.dry_run:
        lines.append("dry run: nothing under data/ was changed")
    elif out.fit_seconds is not None:
        lines.append(f"fit on the new data: {out.fit_seconds:.1f} s; caches rebuilt")
    else:
        lines.append("caches rebuild on first use (fit skipped)")
    return "\n".join(lines)


def list_rows(mirror: str | None = None) -> list[tuple[str, str, str, str]]:
    """``--list``: (source, file, url, vintage) of every file the product uses."""
    mirror = fetch.check_mirror(mirror)
    raw = files.raw_dir()
    rows = []
    for src, rf in sources.registry_files(raw):
        path = raw / rf.rel
        if not path.is_file():
            raise UserInputError(f"raw data file missing: {path}")
        loc, member = fetch.locate(src, rf, None if src.static else mirror)
        vintage = sources.file_vintage(src, path, rf.rel, files.file_sha256(path)).label
        rows.append((src.name, rf.rel, loc + (f"#{member}" if member else ""), vintage))
    return rows
