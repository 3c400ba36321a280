"""Memory and time to take in a large user CSV: the CLI, and the dashboard's upload box.

Files of 10, 25 and 50 MB (``--sizes``; at most that many MiB, the upload limit is 50 MiB) are
built from the shipped monthly postings series (indeed.load_postings_monthly: 66 real series,
the values as the product loads them), copied under renamed ids ``<id>~00001``... until the
size is reached: real values, never made up. For each file:

1. CLI: ``python -m forecasting predict --model naive --horizon 12`` (the command the issue
   measured: 1,096 MB for 52 MB before) and, as its peer, the same command on one shipped
   series: peak RSS of the process (wait4's ru_maxrss) and wall time. Target: <= 350 MB.
2. Server: a running dashboard (loopback), a session on *Data & methods* with model "naive",
   the file put into the upload box the way a browser does (bench/st_client.py: upload URL
   over the websocket, multipart PUT, widget state); the server's peak RSS (VmHWM, reset just
   before) minus its RSS before the upload, and the time until the page's run ends. Peer: the
   same for the one-series file. Target: <= 350 MB added.

Exits 1 when a target is missed. Run: `.venv/bin/python bench/upload_memory.py [--sizes 10 25 50]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import st_client as sc

TARGETS = {"cli_peak_mb": 350.0, "server_added_mb": 350.0}


def shipped_tiles(target_bytes: int, path: Path) -> tuple[int, int]:
    """Write the shipped monthly postings, copied under renamed ids, up to ``target_bytes``;
    (rows, series) written. ``target_bytes`` <= 1 copy writes one shipped series only."""
    from forecasting.sources import indeed
    frame = indeed.load_postings_monthly()[["series_id", "ds", "y"]]
    if target_bytes <= 0:  # the peer: one real series, as shipped
        one = frame[frame["series_id"] == min(frame["series_id"].unique())]
        one.to_csv(path, index=False, date_format="%Y-%m-%d")
        return len(one), 1
    body = frame.to_csv(index=False, header=False, date_format="%Y-%m-%d").splitlines()
    ids_and_rest = [line.split(",", 1) for line in body]
    size, copies = len("series_id,ds,y\n"), 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("series_id,ds,y\n")
        while True:
            chunk = "".join(f"{sid}~{copies:05d},{rest}\n" for sid, rest in ids_and_rest)
            if size + len(chunk) > target_bytes:
                break
            fh.write(chunk)
            size += len(chunk)
            copies += 1
    return copies * len(ids_and_rest), copies * frame["series_id"].nunique()


def cli_predict(path: Path, out: Path) -> tuple[float, float, int]:
    """(peak RSS MB, wall s, exit status) of ``predict --model naive`` on ``path``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "forecasting", "predict", "--input", str(path),
                             "--horizon", "12", "--model", "naive", "--output", str(out)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, time.perf_counter() - t0, proc.returncode


async def server_upload(url: str, pid: int, path: Path) -> tuple[float, float, list[str]]:
    """(MB the server's peak RSS rose above its RSS before, seconds to the run's end, errors
    shown) for one upload of ``path`` in a fresh session."""
    async with sc.Session(url, timeout_s=600) as s:
        await s.run()
        first = await s.open_page("data_methods")
        if not first.ok:
            raise RuntimeError(f"Data & methods did not load: {first.errors}")
        await s.run({"dmm_model": "naive"})
        await asyncio.sleep(1.0)
        before = sc.rss_mb(pid)
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS from here
        await s.upload("dmm_upload", path.name, path.read_bytes())
        t0 = time.perf_counter()
        r = await s.run()
        seconds = time.perf_counter() - t0
        added = sc.rss_mb(pid, "VmHWM") - before
        return added, seconds, r.errors if r.ok else [f"status {r.status}", *r.errors]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 25, 50], help="MiB")
    ap.add_argument("--no-server", action="store_true")
    args = ap.parse_args(argv)
    ok = True
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        files = {0: Path(tmp) / "one_series.csv"}
        for mb in args.sizes:
            files[mb] = Path(tmp) / f"shipped_tiled_{mb}mb.csv"
        shape = {mb: shipped_tiles(mb * 2**20, p) for mb, p in files.items()}
        print("CLI: python -m forecasting predict --model naive --horizon 12")
        peer = cli_predict(files[0], Path(tmp) / "out.csv")
        print(f"  peer, one shipped series ({shape[0][0]} rows): peak RSS {peer[0]:.0f} MB, "
              f"{peer[1]:.1f} s, exit {peer[2]}")
        for mb in args.sizes:
            rss, secs, code = cli_predict(files[mb], Path(tmp) / "out.csv")
            size = files[mb].stat().st_size / 2**20
            hit = rss <= TARGETS["cli_peak_mb"] and code == 0
            ok &= hit or mb < 50
            print(f"  {size:5.1f} MB ({shape[mb][0]:,} rows, {shape[mb][1]:,} series): peak RSS "
                  f"{rss:4.0f} MB (+{rss - peer[0]:.0f} over the peer), {secs:5.1f} s, exit {code}"
                  + (f"  target <= {TARGETS['cli_peak_mb']:.0f} MB "
                     f"{'OK' if hit else 'MISS'}" if mb == 50 else ""))
        if not args.no_server:
            port = sc.free_port()
            proc = sc.start_server("dashboard.py", port, env={"MLTALENT_EXPORT_WARM_UP": "0"})
            url = f"http://127.0.0.1:{port}"
            try:
                print("server: the Data & methods upload box (model naive), a fresh session each")
                added, secs, errors = asyncio.run(server_upload(url, proc.pid, files[0]))
                print(f"  peer, one shipped series: {added:+.0f} MB peak RSS, page run "
                      f"{secs:.1f} s{'; ' + '; '.join(errors) if errors else ''}")
                for mb in args.sizes:
                    added, secs, errors = asyncio.run(server_upload(url, proc.pid, files[mb]))
                    hit = added <= TARGETS["server_added_mb"] and not errors
                    ok &= hit or mb < 50
                    print(f"  {files[mb].stat().st_size / 2**20:5.1f} MB: {added:+.0f} MB peak "
                          f"RSS, page run {secs:.1f} s"
                          + (f"; {'; '.join(errors)}" if errors else "")
                          + (f"  target <= +{TARGETS['server_added_mb']:.0f} MB "
                             f"{'OK' if hit else 'MISS'}" if mb == 50 else ""))
                print(f"  server RSS now {sc.rss_mb(proc.pid):.0f} MB")
            finally:
                sc.stop_server(proc)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
