"""Where each raw file came from, as shown to users: the sources table (file, vintage,
retrieved, origin, licence, credit, sha256), the date the data are current to, and the generated
table of data/SOURCES.md.

Why its own module: the Data & methods page, chart footers, exports and SOURCES.md all cite the
data the same way, from the registry, the manifest update-data writes and the files' own bytes.
Provenance of a file, in order of trust: an entry in ``data/raw/manifest.json`` whose sha256
matches the file (written by ``update-data``: URL, retrieval time, vintage); else the shipped
copy, when the sha256 is the one listed in ``data/RAW_SOURCES_UPSTREAM.md``; else "changed
outside update-data".
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecasting.core.errors import DataFileError, UserInputError
from forecasting.sources import files, registry
from forecasting.sources.registry import Source


# --------------------------------------------------------------------------- manifest and shipped copies
def read_manifest(raw: Path) -> dict:
    """``{"updated": ..., "files": {rel: {source, url, retrieved, sha256, vintage, bytes}}}``;
    an unreadable or missing manifest is an empty one (provenance falls back, never guessed)."""
    try:
        man = json.loads((raw / registry.MANIFEST).read_text(encoding="utf-8"))
        if isinstance(man, dict) and isinstance(man.get("files"), dict):
            return man
    except (OSError, ValueError):
        pass
    return {"files": {}}


def shipped_sums(data_dir: Path) -> dict[str, str]:
    """rel -> sha256 of the shipped copies, as listed in data/RAW_SOURCES_UPSTREAM.md."""
    try:
        text = (data_dir / "RAW_SOURCES_UPSTREAM.md").read_text(encoding="utf-8")
    except OSError:
        return {}
    return {rel: sha for sha, rel in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, flags=re.MULTILINE)}


@dataclass(frozen=True)
class Provenance:
    origin: str       # URL it was fetched from, or repo@commit of the shipped copy
    retrieved: str    # ISO time (UTC) of the download, or the shipped copy's commit date
    how: str          # "update-data", "shipped" or "changed outside update-data"

    @property
    def date(self) -> str | None:
        m = re.match(r"\d{4}-\d{2}-\d{2}", self.retrieved)
        return m.group(0) if m else None


def provenance(src: Source, rel: str, sha: str, manifest: dict, shipped: dict[str, str]) -> Provenance:
    entry = manifest.get("files", {}).get(rel)
    if isinstance(entry, dict) and entry.get("sha256") == sha:
        return Provenance(str(entry.get("url", "")), str(entry.get("retrieved", "")), "update-data")
    if shipped.get(rel) == sha:
        m = re.search(r"\((\d{4}-\d{2}-\d{2})\)", src.shipped)
        return Provenance(src.shipped, m.group(1) if m else "", "shipped")
    return Provenance("", "", "changed outside update-data")


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- the sources table
def _registry_files(raw: Path) -> Iterator[tuple]:
    """(source, file, path, sha256, provenance) of each registry file present, in order."""
    manifest = read_manifest(raw)
    shipped = shipped_sums(Path(files.DATA_DIR))
    for src, f in registry.registry_files(raw):
        path = raw / f.rel
        if not path.is_file():
            raise DataFileError(f"raw data file missing: {path} (see data/SOURCES.md)")
        sha = files.file_sha256(path)
        yield src, f, path, sha, provenance(src, f.rel, sha, manifest, shipped)


def source_rows(raw: Path | None = None) -> list[dict]:
    """One row per registry file present (registry.SOURCES order): source, file, vintage read
    from the file, retrieved, origin, licence, credit, sha256 (see ``registry.provenance``)."""
    raw = files.raw_dir() if raw is None else Path(raw)
    rows = []
    for src, f, path, sha, prov in _registry_files(raw):
        retrieved = {"update-data": prov.retrieved.replace("T", " ").replace("Z", ""),
                     "shipped": f"{prov.retrieved} (shipped copy)"}.get(prov.how, prov.how)
        rows.append({"source": src.title, "file": f.rel,
                     "vintage": registry.file_vintage(src, path, f.rel, sha).label,
                     "retrieved": retrieved, "origin": prov.origin or "unknown",
                     "licence": src.licence, "credit": src.credit, "sha256": sha,
                     "as_of": prov.date})
    return rows


def sources_table() -> pd.DataFrame:
    """One row per raw file the product uses: source, file, vintage (read from the file),
    retrieved (date of the download, or of the shipped copy's upstream commit), origin (URL or
    repo@commit), licence, credit, sha256."""
    rows = source_rows()
    return pd.DataFrame(rows).drop(columns="as_of")


_AS_OF_MEMO: dict[tuple, str | None] = {}


def data_as_of() -> str | None:
    """The date the raw data are current to: the latest retrieval date over the files the
    product uses (YYYY-MM-DD); None when the raw files cannot be read. Chart footers show it."""
    try:
        raw = files.raw_dir()
        try:
            st = (raw / registry.MANIFEST).stat()
            man_key: tuple = (st.st_mtime_ns, st.st_size)
        except OSError:
            man_key = ()
        key = (str(raw), man_key, files.data_hash())
        if key not in _AS_OF_MEMO:
            # the provenance dates only: every file's vintage (source_rows) took ~0.1 s, and
            # the first chart of a fresh server waited for it in its footer
            dates = [prov.date for *_, prov in _registry_files(raw) if prov.date]
            _AS_OF_MEMO.clear()
            _AS_OF_MEMO[key] = max(dates) if dates else None
        return _AS_OF_MEMO[key]
    except (UserInputError, OSError):
        return None


# --------------------------------------------------------------------------- data/SOURCES.md
BLOCK_BEGIN = "<!-- update-data:begin (generated by `python -m forecasting update-data`; do not edit) -->"
BLOCK_END = "<!-- update-data:end -->"


def render_block(rows: list[dict]) -> str:
    """The generated table of data/SOURCES.md from ``current_rows`` (one row per file)."""
    lines = [BLOCK_BEGIN, "",
             "| source | file (under `data/raw/`) | vintage | retrieved (UTC) | from | sha256 |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['source']} | `{r['file']}` | {r['vintage']} | {r['retrieved']} | "
                     f"{r['origin']} | `{r['sha256']}` |")
    return "\n".join([*lines, "", BLOCK_END])


def replace_block(text: str, block: str) -> str:
    """``text`` with its generated block replaced (appended when it has none)."""
    i, j = text.find(BLOCK_BEGIN), text.find(BLOCK_END)
    if i >= 0 and j > i:
        return text[:i] + block + text[j + len(BLOCK_END):]
    return text.rstrip("\n") + "\n\n## Current vintages\n\n" + block + "\n"


def block_rows(text: str) -> list[list[str]]:
    """The cells of the generated table in ``text`` (for checks)."""
    i, j = text.find(BLOCK_BEGIN), text.find(BLOCK_END)
    if i < 0 or j < i:
        return []
    body = [ln for ln in text[i:j].splitlines() if ln.startswith("| ") and not ln.startswith("| source")]
    return [[c.strip().strip("`") for c in ln.strip("|").split(" | ")] for ln in body]
