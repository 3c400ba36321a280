"""update-data: the registry agrees with the loaders, a newer vintage from a mirror (folder or a
loopback HTTP server) is validated and swapped in with its provenance, and every kind of bad
download is refused with one stderr line, exit 2, and data/raw exactly as it was.

Scenarios are made from the shipped files only (tests/update_fixtures.py): the current set is an
older vintage (last months cut off AI_posting.csv and the wage tracker, May 2025 OEWS removed),
the mirror holds the shipped files. No test reaches beyond 127.0.0.1."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from forecasting.cli import main as cli
from forecasting.sources import fetch, files, indeed, provenance, rawswap
from forecasting.sources import oews as oews_data
from forecasting.sources import registry as sources
from forecasting.workflows import update
from tests.update_fixtures import (
    AI,
    OEWS_LAST,
    ROOT,
    SHIPPED,
    WAGE,
    build_mirror,
    copy_data_dir,
    install_older_vintage,
    tree_hashes,
)

#: The raw-file list of the shipped set, typed out: the data hash (every cache key) is this
#: list's files in this order.
OLD_RAW_FILES = (
    *(f"bls_oews/national_M{y}_dl.xlsx" for y in range(2020, 2026)),
    *(f"bls_oews/natsector_M{y}_dl.xlsx" for y in (2022, 2023, 2024)),
    *(f"bls_oews_history/national_M{y}_dl.xlsx" for y in (2017, 2018, 2019)),
    "bls_ep/occupation.xlsx", "ncses_abs/11545/data.csv", "indeed_hiring_lab/AI_posting.csv",
    "indeed_hiring_lab/GenAI_posting.csv", "indeed_hiring_lab/US/aggregate_job_postings_US.csv",
    "indeed_hiring_lab/US/job_postings_by_sector_US.csv",
    "indeed_wage_tracker/posted-wage-growth-by-country.csv", "aijobs_salaries/salaries.csv",
)


# --------------------------------------------------------------------------- fixtures
@pytest.fixture()
def scenario(tmp_path, monkeypatch):
    """(data_dir, mirror): an older vintage installed as current, the shipped files mirrored.
    The loaders point at data_dir for the test (DATA_DIR/CACHE_DIR patched)."""
    data_dir = copy_data_dir(tmp_path / "data")
    install_older_vintage(data_dir)
    mirror = build_mirror(tmp_path / "mirror")
    monkeypatch.setattr(files, "DATA_DIR", data_dir)
    monkeypatch.setattr(files, "CACHE_DIR", tmp_path / "cache")
    update.write_sources_md(data_dir)  # as if the older vintage had been fetched by update-data
    return data_dir, mirror


def _snapshot(data_dir: Path) -> dict:
    """What must not change on a refused update: every raw file and SOURCES.md."""
    return {"raw": tree_hashes(data_dir / "raw"),
            "sources_md": (data_dir / "SOURCES.md").read_bytes()}


def _leftovers(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.iterdir()
                  if p.name.startswith((rawswap.STAGING_PREFIX, rawswap.OLD_PREFIX, ".SOURCES.md."))
                  or p.name == rawswap.JOURNAL_NAME)


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    rc = cli.main(["update-data", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def _refused(capsys, data_dir: Path, *args: str) -> str:
    """Run a refused update; check the contract; return the error line."""
    before = _snapshot(data_dir)
    rc, out, err = _cli(capsys, "--skip-fit", *args)
    errors = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert rc == 2, (rc, err)
    assert len(errors) == 1 and errors[0] == err.splitlines()[-1], err
    assert errors[0].endswith("; keeping the current data"), errors[0]
    assert out == ""
    assert _snapshot(data_dir) == before
    assert _leftovers(data_dir) == []
    return errors[0]


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves the mirror folder; ``server.behaviour[path]`` breaks chosen paths."""

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # http.server API name
        srv = self.server
        srv.requests.append(self.path)
        how = srv.behaviour.get(self.path)
        if how == "500":
            self.send_error(500, "Internal Server Error")
            return
        if how == "slow":
            time.sleep(3)
        path = srv.root / self.path.lstrip("/")
        if not path.is_file():
            self.send_error(404, "Not Found")
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body) * (2 if how == "truncate" else 1)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


@contextlib.contextmanager
def serve(root: Path):
    """A loopback HTTP server (127.0.0.1 only) over ``root``; yields (base_url, server)."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    srv.root, srv.behaviour, srv.requests = Path(root), {}, []
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}", srv
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(timeout=5)


# --------------------------------------------------------------------------- registry & loaders
def test_registry_is_where_the_loaders_take_their_files():
    raw = files.raw_dir()
    reg = {f.rel for _, f in sources.registry_files(raw)}
    assert set(files.raw_files()) <= reg
    assert {f.rel for s in sources.SOURCES if not s.static for f in s.current_files(raw)} \
        <= set(files.raw_files())
    assert (sources.AI_FILE, sources.EP_FILE, sources.WAGE_FILE) == (sources.AI_FILE, sources.EP_FILE,
                                                          sources.WAGE_FILE)
    assert files.oews_years() == (2020, 2021, 2022, 2023, 2024, 2025)
    assert files.natsector_years() == (2022, 2023, 2024)
    # same files, same order as the old fixed list: the data hash (cache key) is unchanged
    assert files.raw_files() == OLD_RAW_FILES
    h = hashlib.sha256(files.PARSER_VERSION.encode())
    for rel in OLD_RAW_FILES:
        h.update(rel.encode())
        h.update(hashlib.sha256((raw / rel).read_bytes()).hexdigest().encode())
    assert files.data_hash() == h.hexdigest()
    # every updatable source can be checked by the loaders; its upstream is documented
    for s in sources.SOURCES:
        assert s.series is not None or s.static, s.name
        assert all(f.url.startswith("https://") for f in s.current_files(raw)), s.name


def test_years_are_read_from_the_files_and_raw_root_reads_another_folder(tmp_path):
    older = copy_data_dir(tmp_path / "d")
    install_older_vintage(older)
    shipped = indeed.load_postings_monthly()
    cache_before = sorted(p.name for p in Path(files.CACHE_DIR).glob("*"))
    with files.raw_root(older / "raw", cache_dir=tmp_path / "cache"):
        assert files.oews_years() == (2020, 2021, 2022, 2023, 2024)
        assert files.raw_dir() == older / "raw"
        nat = oews_data.load_oews_national()
        assert sorted(nat["year"].unique()) == [2020, 2021, 2022, 2023, 2024]
        ai = indeed.load_postings_monthly()
        us = ai[ai["series_id"] == "us_ai_share"]
        assert us["ds"].max() == pd.Timestamp("2026-03-01")
        older_hash = files.data_hash()
    # outside the block: the shipped folder and results, untouched caches
    assert files.oews_years()[-1] == 2025 and files.data_hash() != older_hash
    pd.testing.assert_frame_equal(indeed.load_postings_monthly(), shipped)
    assert sorted(p.name for p in Path(files.CACHE_DIR).glob("*")) == cache_before
    assert list((tmp_path / "cache").glob("oews_national-*.parquet"))


def test_shipped_sources_md_block_describes_the_shipped_files():
    text = (Path(files.DATA_DIR) / "SOURCES.md").read_text()
    rows = provenance.block_rows(text)
    live = {r["file"]: r for r in provenance.source_rows()}
    assert [r[1] for r in rows] == list(live)
    for _src, rel, vintage, retrieved, origin, sha in rows:
        assert sha == live[rel]["sha256"] and vintage == live[rel]["vintage"], rel
        assert retrieved == live[rel]["retrieved"] and origin == live[rel]["origin"], rel


def test_list_prints_every_file_with_url_and_vintage(capsys):
    rc, out, err = _cli(capsys, "--list")
    assert rc == 0 and err == ""
    rows = list(pd.read_csv(io.StringIO(out), dtype=str).itertuples(index=False))
    assert [r.file for r in rows] == [f.rel for _, f in sources.registry_files(files.raw_dir())]
    by_file = {r.file: r for r in rows}
    ai = by_file["indeed_hiring_lab/AI_posting.csv"]
    assert (ai.source, ai.vintage) == ("indeed_ai", "daily to 2026-06-30")
    assert ai.url == "https://raw.githubusercontent.com/hiring-lab/ai-tracker/main/AI_posting.csv"
    oews = by_file["bls_oews/national_M2025_dl.xlsx"]
    assert oews.url == ("https://www.bls.gov/oes/special-requests/oesm25nat.zip"
                        "#national_M2025_dl.xlsx") and oews.vintage == "May 2025"
    assert by_file["bls_ep/occupation.xlsx"].vintage == "2024–34 projections"


# --------------------------------------------------------------------------- successful updates
def test_dry_run_reports_and_touches_nothing(scenario, capsys):
    data_dir, mirror = scenario
    before = _snapshot(data_dir)
    rc, out, err = _cli(capsys, "--mirror", str(mirror), "--dry-run", "--skip-fit")
    assert rc == 0, err
    assert out.splitlines()[0] == "update-data (dry run): would swap in 3 new file(s) from 3 source(s)"
    rows = {ln.split()[0]: ln for ln in out.splitlines()[2:9]}
    assert rows["bls_oews"].split("  ")[-1] == "+1 year (2025)"
    assert re.search(r"May 2024 +May 2025", rows["bls_oews"])
    assert rows["indeed_ai"].endswith("+3 months (2026-04 – 2026-06)")
    assert re.search(r"daily to 2026-03-31 +daily to 2026-06-30", rows["indeed_ai"])
    assert rows["indeed_wages"].endswith("+2 months (2026-03 – 2026-04)")
    assert rows["aijobs_salaries"].endswith("unchanged")
    assert "dry run: nothing under data/ was changed" in out
    assert _snapshot(data_dir) == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["RAW_SOURCES_UPSTREAM.md", "SOURCES.md", "raw"]
    assert "[7/11] bls_ep/occupation.xlsx" in err  # a progress line per file


def test_update_from_folder_mirror_swaps_in_the_shipped_vintage(scenario, capsys):
    data_dir, mirror = scenario
    rc, out, err = _cli(capsys, "--mirror", str(mirror), "--skip-fit")
    assert rc == 0, err
    assert out.startswith("update-data: swapped in 3 new file(s) from 3 source(s); retrieved ")
    # data/raw is now exactly the shipped set plus the manifest
    got = tree_hashes(data_dir / "raw")
    manifest = json.loads((data_dir / "raw" / sources.MANIFEST).read_text())
    shipped = {k: v for k, v in tree_hashes(SHIPPED / "raw").items() if k != sources.MANIFEST}
    assert {k: v for k, v in got.items() if k != sources.MANIFEST} == shipped
    assert sorted(manifest["files"]) == sorted([AI, WAGE, OEWS_LAST])
    entry = manifest["files"][AI]
    assert entry["url"] == str(mirror / "indeed_ai" / "AI_posting.csv")
    assert entry["sha256"] == got[AI] and entry["vintage"] == "daily to 2026-06-30"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", entry["retrieved"])
    # provenance everywhere: sources table, SOURCES.md block, chart footers' date
    table = provenance.sources_table().set_index("file")
    assert table.loc[AI, "origin"] == entry["url"]
    assert table.loc[AI, "retrieved"] == entry["retrieved"].replace("T", " ").rstrip("Z")
    assert table.loc[sources.GENAI_FILE, "retrieved"] == "2025-07-07 (shipped copy)"
    block = {r[1]: r for r in provenance.block_rows((data_dir / "SOURCES.md").read_text())}
    assert block[AI][3] == table.loc[AI, "retrieved"] and block[AI][5] == got[AI]
    assert provenance.data_as_of() == entry["retrieved"][:10]
    assert files.oews_years()[-1] == 2025
    assert _leftovers(data_dir) == []
    # a second run finds nothing new
    rc, out, _ = _cli(capsys, "--mirror", str(mirror), "--skip-fit")
    assert rc == 0 and out.startswith("update-data: already up to date")


@pytest.mark.slow
def test_update_over_loopback_http_with_fit_and_headline(tmp_path):
    """The whole command in a subprocess against a 127.0.0.1 server: report with vintages,
    periods added and the headline before -> after; the fit runs; the caches match the data."""
    data_dir = copy_data_dir(tmp_path / "data")
    install_older_vintage(data_dir)
    mirror = build_mirror(tmp_path / "mirror")
    cache = tmp_path / "cache"
    if (SHIPPED / "processed").is_dir():  # warm for the shipped (= new) set: the fit loads it
        shutil.copytree(SHIPPED / "processed", cache)
    env = dict(os.environ, MLTALENT_DATA_DIR=str(data_dir), MLTALENT_CACHE_DIR=str(cache))
    with serve(mirror) as (url, srv):
        proc = subprocess.run([sys.executable, "-m", "forecasting", "update-data", "--mirror", url,
                               "--timeout", "20"], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "/indeed_ai/AI_posting.csv" in srv.requests
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("update-data: swapped in 3 new file(s) from 3 source(s)")
    m = re.fullmatch(r"headline: AI and ML specialists, baseline, 5 years ahead: ([\d,]+) \(May 2029, "
                     r"from May 2024\) -> ([\d,]+) \(May 2030, from May 2025\) \(([+-]\d+\.\d)%\)",
                     lines[9])
    assert m, lines[9]
    before, after = (float(m.group(i).replace(",", "")) for i in (1, 2))
    assert f"{(after / before - 1) * 100:+.1f}" == m.group(3)
    assert re.fullmatch(r"fit on the new data: \d+\.\d s; caches rebuilt", lines[-1])
    # the postings fit ran (or loaded the shipped set's cache, which the new set is)
    assert re.search(r"^fit: \[(66/66\]|1/1\] loaded from cache)", proc.stderr, re.MULTILINE)
    assert "fit: headcount growth model" in proc.stderr
    assert "swapping the new set into data/raw" in proc.stderr
    assert not [ln for ln in proc.stderr.splitlines() if ln.startswith("error")]
    # the headline printed is the product's own number on the new data
    with files.raw_root(data_dir / "raw", cache_dir=cache):
        assert f"{update.headline().value:,.0f}" == m.group(2)
    assert tree_hashes(data_dir / "raw")[AI] == tree_hashes(SHIPPED / "raw")[AI]


# --------------------------------------------------------------------------- refused updates
def _variant(mirror: Path, source: str, name: str, body: bytes) -> None:
    (mirror / source / name).write_bytes(body)


def _shipped(rel: str) -> bytes:
    return (SHIPPED / "raw" / rel).read_bytes()


def _csv_edit(rel: str, edit) -> bytes:
    df = pd.read_csv(SHIPPED / "raw" / rel, dtype=str, keep_default_na=False)
    return edit(df).to_csv(index=False, lineterminator="\n").encode()


@pytest.mark.parametrize("case, source, name, make, expected", [
    ("truncated csv", "indeed_ai", "AI_posting.csv", lambda: _shipped(AI)[:500_000],
     "indeed_ai/AI_posting.csv: the file does not end with a line break (truncated download?)"),
    ("truncated xlsx", "bls_oews", "national_M2025_dl.xlsx", lambda: _shipped(OEWS_LAST)[:100_000],
     "bls_oews/national_M2025_dl.xlsx: not a readable xlsx, corrupt or truncated (File is not a zip file)"),
    ("corrupt xlsx", "bls_oews", "national_M2025_dl.xlsx",
     lambda: _shipped(OEWS_LAST)[:50_000] + b"\0" * 1000 + _shipped(OEWS_LAST)[51_000:],
     "bls_oews/national_M2025_dl.xlsx: not a readable xlsx, corrupt or truncated (Error -3 while decompressing data"),
    ("html error page", "indeed_ai", "AI_posting.csv",
     lambda: b"<!DOCTYPE html><html><body>Rate limited</body></html>\n",
     "indeed_ai/AI_posting.csv: got an HTML/XML page, not the data file"),
    ("schema change", "indeed_ai", "AI_posting.csv",
     lambda: _shipped(AI).replace(b"AI_share_postings", b"ai_share", 1),
     "indeed_ai/AI_posting.csv: schema changed, missing column(s) AI_share_postings"),
    ("bad value", "indeed_wages", "posted-wage-growth-by-country.csv",
     lambda: _csv_edit(WAGE, lambda d: d.assign(n_obs=d["n_obs"].where(d.index != 3, "lots"))),
     ("indeed_wages: the new data fail the loader: indeed_wage_tracker/posted-wage-growth-by-"
      "country.csv: column n_obs has non-numeric value 'lots' (row 5)")),
    ("older vintage", "indeed_ai", "AI_posting.csv",
     lambda: _csv_edit(AI, lambda d: d[d["date"] <= "2025-12-31"]),
     ("indeed_ai/AI_posting.csv: the new file is older (daily to 2025-12-31) than the current "
      "one (daily to 2026-03-31)")),
    ("series missing", "indeed_ai", "AI_posting.csv",
     lambda: _csv_edit(AI, lambda d: d[d["jobcountry"] != "NL"]),
     "indeed_ai: series nl_ai_share is missing from the new vintage"),
    ("history lost", "indeed_ai", "AI_posting.csv",
     lambda: _csv_edit(AI, lambda d: d[d["date"] >= "2023-06-01"]),
     "indeed_ai: series au_ai_share would lose 50 of its 87 periods (limit: half)"),
    ("jump overnight", "indeed_ai", "AI_posting.csv",
     lambda: _csv_edit(AI, lambda d: d.assign(AI_share_postings=(
         d["AI_share_postings"].astype(float) * 3).map(repr))),
     ("indeed_ai: series au_ai_share jumps from 6.376 to 19.13 at 2026-03 (x3.00, limit x2) "
      "between the current and the new vintage")),
    ("first new month jumps", "indeed_ai", "AI_posting.csv",
     lambda: _csv_edit(AI, lambda d: d.assign(AI_share_postings=d["AI_share_postings"].where(
         ~d["date"].str.startswith("2026-04"),
         (d["AI_share_postings"].astype(float) * 3).map(repr)))),
     ("indeed_ai: series au_ai_share jumps from 6.376 to 20.49 at 2026-04 (x3.21, limit x2) "
      "(first new period)")),
    ("wage growth jumps", "indeed_wages", "posted-wage-growth-by-country.csv",
     lambda: _csv_edit(WAGE, lambda d: d.assign(posted_wage_growth_yoy=d[
         "posted_wage_growth_yoy"].where(d["month"] != "Mar-26", "0.25"))),
     "indeed_wages: series CA moves from "),
    ("year in name is not the data's", "bls_oews", "national_M2025_dl.xlsx",
     lambda: _shipped("bls_oews/national_M2024_dl.xlsx"),
     ("bls_oews/national_M2025_dl.xlsx: cannot read the vintage (the file is named May 2025 "
      "but its sheet 'national_M2024_dl' is May 2024)")),
    ("required file missing", "indeed_postings", "aggregate_job_postings_US.csv", None,
     "indeed_postings/aggregate_job_postings_US.csv: not found at "),
])
def test_bad_download_keeps_the_current_data(scenario, capsys, case, source, name, make, expected):
    data_dir, mirror = scenario
    if make is None:
        (mirror / source / name).unlink()
    else:
        _variant(mirror, source, name, make())
    line = _refused(capsys, data_dir, "--mirror", str(mirror))
    assert line.startswith(f"error: update-data: {expected}"), (case, line)


def test_refused_run_after_good_sources_keeps_all_of_them(scenario, capsys):
    """All or nothing: a good AI file is not swapped in when the wage file is bad."""
    data_dir, mirror = scenario
    _variant(mirror, "indeed_wages", "posted-wage-growth-by-country.csv", _shipped(WAGE)[:-5])
    line = _refused(capsys, data_dir, "--mirror", str(mirror), "--source", "indeed_ai",
                    "--source", "indeed_wages")
    assert "indeed_wages/posted-wage-growth-by-country.csv: the file does not end" in line


# --------------------------------------------------------------------------- HTTP failures
@pytest.mark.parametrize("behaviour, expected", [
    ("500", "HTTP 500 Internal Server Error from http://127.0.0.1:"),
    ("truncate", "truncated download from http://127.0.0.1:"),
    ("slow", "no answer from http://127.0.0.1:"),
    ("404", "indeed_ai/AI_posting.csv: not found at http://127.0.0.1:"),
])
def test_http_failures_keep_the_current_data(scenario, capsys, behaviour, expected):
    data_dir, mirror = scenario
    with serve(mirror) as (url, srv):
        if behaviour == "404":
            (mirror / "indeed_ai" / "AI_posting.csv").unlink()
        else:
            srv.behaviour["/indeed_ai/AI_posting.csv"] = behaviour
        t0 = time.perf_counter()
        line = _refused(capsys, data_dir, "--mirror", url, "--source", "indeed_ai",
                        "--timeout", "1")
        assert time.perf_counter() - t0 < 30
    assert expected in line, line


def test_offline_keeps_the_current_data(scenario, capsys):
    data_dir, _ = scenario
    with serve(scenario[1]) as (url, _srv):
        pass  # the port is closed again: nothing listens there now
    line = _refused(capsys, data_dir, "--mirror", url, "--source", "indeed_ai", "--timeout", "2")
    assert "cannot reach http://127.0.0.1:" in line and "offline?" in line


def test_bad_arguments(scenario, capsys, tmp_path):
    data_dir, _ = scenario
    for args, expected in ((["--source", "nope"], "unknown source 'nope'; sources: bls_oews, "),
                           (["--source", "indeed_genai"], "source indeed_genai is static"),
                           (["--mirror", str(tmp_path / "none")], "--mirror folder"),
                           (["--mirror", "ftp://x/y"], "use an http(s):// URL or a folder")):
        assert expected in _refused(capsys, data_dir, *args), args


def test_a_second_update_waits_for_none(scenario, capsys):
    data_dir, mirror = scenario
    with rawswap.locked(data_dir):
        line = _refused(capsys, data_dir, "--mirror", str(mirror))
    assert "another update-data is running" in line


def test_unexpected_fault_exits_1_and_keeps_the_data(scenario, capsys, monkeypatch):
    data_dir, mirror = scenario
    before = _snapshot(data_dir)

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(rawswap, "swap", boom)
    rc, out, err = _cli(capsys, "--mirror", str(mirror), "--skip-fit", "--source", "indeed_ai")
    assert rc == 1 and out == ""
    assert err.splitlines()[-1].startswith("error: update-data: unexpected failure (RuntimeError: "
                                           "disk on fire); keeping the current data")
    assert _snapshot(data_dir) == before and _leftovers(data_dir) == []


def test_failure_after_the_swap_says_the_new_data_are_in_place(scenario, capsys, monkeypatch):
    data_dir, mirror = scenario

    def boom(*a, **k):
        raise RuntimeError("fit exploded")

    monkeypatch.setattr(update, "_fit", boom)
    monkeypatch.setattr(update, "headline", lambda: update.Headline(2025, 2030, 1.0))
    rc, out, err = _cli(capsys, "--mirror", str(mirror), "--source", "indeed_ai")
    assert rc == 1 and out == ""
    assert err.splitlines()[-1] == ("error: update-data: the new data are in place, but a later "
                                    "step failed (RuntimeError: fit exploded); run `python -m "
                                    "forecasting fit` to rebuild the caches")
    assert tree_hashes(data_dir / "raw")[AI] == tree_hashes(SHIPPED / "raw")[AI]


# --------------------------------------------------------------------------- zip members
def test_zip_member_over_http(tmp_path):
    """BLS ships OEWS as zips: the member is found by name, in any folder of the archive."""
    body = _shipped(OEWS_LAST)
    with zipfile.ZipFile(tmp_path / "oesm25nat.zip", "w") as zf:
        zf.writestr("oesm25nat/national_M2025_dl.xlsx", body)
        zf.writestr("oesm25nat/readme.txt", "x")
    (tmp_path / "broken.zip").write_bytes((tmp_path / "oesm25nat.zip").read_bytes()[:2000])
    with serve(tmp_path) as (url, _srv):
        n = fetch.fetch(f"{url}/oesm25nat.zip", "national_M2025_dl.xlsx", tmp_path / "out.xlsx", 5)
        assert n == len(body) and (tmp_path / "out.xlsx").read_bytes() == body
        with pytest.raises(fetch.UpdateRefused, match="the archive has no national_M2026_dl.xlsx"):
            fetch.fetch(f"{url}/oesm25nat.zip", "national_M2026_dl.xlsx", tmp_path / "o2", 5)
        with pytest.raises(fetch.UpdateRefused, match="corrupt or truncated zip archive"):
            fetch.fetch(f"{url}/broken.zip", "national_M2025_dl.xlsx", tmp_path / "o3", 5)


# --------------------------------------------------------------------------- recovery, pages
def test_interrupted_rename_swap_is_rolled_back_on_next_read(tmp_path, monkeypatch):
    """The two-rename fallback killed between its renames: data/raw is missing; the next read
    (files.raw_dir) puts the old set back and removes the journal."""
    data_dir = copy_data_dir(tmp_path / "data")
    before = tree_hashes(data_dir / "raw")
    old = data_dir / (rawswap.OLD_PREFIX + "1")
    (data_dir / (rawswap.STAGING_PREFIX + "1")).mkdir()
    (data_dir / rawswap.JOURNAL_NAME).write_text(json.dumps(
        {"old": old.name, "new": rawswap.STAGING_PREFIX + "1"}))
    os.rename(data_dir / "raw", old)
    monkeypatch.setattr(files, "DATA_DIR", data_dir)
    assert files.raw_dir() == data_dir / "raw"
    assert tree_hashes(data_dir / "raw") == before
    assert not (data_dir / rawswap.JOURNAL_NAME).exists()
    with rawswap.locked(data_dir):
        assert rawswap.recover(data_dir) == ["removed 1 leftover(s) of an interrupted update"]
    assert _leftovers(data_dir) == []


def test_data_as_of_is_the_latest_retrieval_date():
    # shipped: the newest upstream commit among the files the product uses (aggregate postings)
    assert provenance.data_as_of() == "2026-08-19"
    from forecasting.viz import style
    assert style.data_as_of_note() == "Data as of 2026-08-19."


def test_dashboard_drops_its_caches_when_the_data_change(monkeypatch):
    import streamlit as st

    from ui import data as ui_data
    calls = []

    @st.cache_data(show_spinner=False)
    def cached() -> int:
        calls.append(1)
        return len(calls)

    monkeypatch.setitem(ui_data._DATA_SEEN, "hash", None)
    monkeypatch.setattr(files, "data_hash", lambda: "a")
    assert ui_data.drop_caches_if_data_changed() is False and cached() == 1 and cached() == 1
    assert ui_data.drop_caches_if_data_changed() is False and cached() == 1
    monkeypatch.setattr(files, "data_hash", lambda: "b")  # update-data swapped data/raw
    assert ui_data.drop_caches_if_data_changed() is True and cached() == 2
