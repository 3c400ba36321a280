"""Many users at once: N concurrent sessions on one server, each moving a growth lever 10 times.

For N = 1, 5 and 10 (``--sessions``), a fresh server (loopback only) is warmed by one session
that opens the Demand page and leaves; then N sessions connect at once through Streamlit's
websocket protocol (bench/st_client.py: what a browser sends, no browser competing for the 2
cores), each opens the Demand page and changes an assumption ``--changes`` times, waiting a
random 0.3-1.0 s (seeded) between changes like a person moving a slider. Timed: from a change
leaving the client to the last of the three charts it moves arriving. Errors: a run that did not
finish normally, showed an exception or error, missed a chart, or timed out. Server memory:
VmRSS with the N sessions connected minus VmRSS after the warm-up, per session; VmHWM too.

Beside each row, the same load on a one-slider one-chart app (Streamlit's floor, on its own
server, right after). Targets at N = 10: 0 errors, p95 <= 2.0 s, <= 5 MB RSS per session; exits
1 when one is missed. Bounded: at most 20 sessions, ``--timeout`` seconds a run, ``--max-seconds``
for the whole bench.

Run: `.venv/bin/python bench/load.py [--sessions 1 5 10] [--changes 10]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import st_client as sc
from bench.ui_latency import MOVED, TRIVIAL_RERUN_APP, lever_value

TARGETS = {"errors": 0, "p95_s": 2.0, "rss_per_session_mb": 5.0}
MAX_SESSIONS = 20
THINK_S = (0.3, 1.0)


@dataclass
class LoadResult:
    n: int
    latencies: list[float] = field(default_factory=list)  # seconds, change -> charts drawn
    errors: list[str] = field(default_factory=list)
    rss_base_mb: float = 0.0
    rss_loaded_mb: float = 0.0
    hwm_mb: float = 0.0
    cpu_s: float = 0.0
    wall_s: float = 0.0

    @property
    def per_session_mb(self) -> float:
        return (self.rss_loaded_mb - self.rss_base_mb) / self.n

    def quantiles(self) -> tuple[float, float, float]:
        xs = self.latencies or [float("nan")]
        p95 = statistics.quantiles(xs, n=100)[94] if len(xs) > 1 else xs[0]
        return statistics.median(xs), p95, max(xs)


async def _user(url: str, k: int, n_changes: int, charts: tuple[str, ...], floor: bool,
                timeout: float, out: LoadResult, ready: asyncio.Barrier,
                release: asyncio.Event) -> None:
    """One person: open the page, wait for everyone, make ``n_changes`` changes, stay connected
    until the server's memory has been read."""
    rng = random.Random(1000 + k)
    try:
        async with sc.Session(url, timeout_s=timeout) as s:
            r = await s.run()
            if not floor:
                r = await s.open_page("demand", watch=charts)
            if not r.ok:
                raise RuntimeError(f"first page: status {r.status} {r.errors}")
            await ready.wait()
            for i in range(n_changes):
                await asyncio.sleep(rng.uniform(*THINK_S))
                if floor:
                    change = {"g": float((k + i) % 20)}
                else:
                    key, value = lever_value(k + i)
                    change = {key: value}
                r = await s.run(change, watch=charts)
                missing = set(charts) - set(r.element_s)
                if not r.ok or missing:
                    out.errors.append(f"session {k} change {i}: status {r.status}, missing "
                                      f"{sorted(missing)}, {r.errors}")
                    continue
                out.latencies.append(max(r.element_s.values()))
            await ready.wait()
            await release.wait()  # connected while the server's memory is read
    except asyncio.BrokenBarrierError:
        pass  # another session failed; its error is recorded
    except (OSError, RuntimeError, TimeoutError) as exc:
        out.errors.append(f"session {k}: {type(exc).__name__}: {exc}")
        await ready.abort()
        release.set()


async def _load(script: str | Path, n: int, n_changes: int, timeout: float, floor: bool,
                env: dict) -> LoadResult:
    port = sc.free_port()
    proc = sc.start_server(script, port, env=env)
    url = f"http://127.0.0.1:{port}"
    charts = ("chart",) if floor else MOVED
    out = LoadResult(n)
    try:
        async with sc.Session(url, timeout_s=timeout) as warm:  # process caches, then leaves
            await warm.run()
            if not floor:
                await warm.open_page("demand")
                await warm.run({"gc_role_data_scientist": 9.9})
        await asyncio.sleep(1.0)
        out.rss_base_mb = sc.rss_mb(proc.pid)
        cpu0, t0 = sc.cpu_seconds(proc.pid), time.perf_counter()
        ready, release = asyncio.Barrier(n + 1), asyncio.Event()
        users = [asyncio.create_task(_user(url, k, n_changes, charts, floor, timeout, out,
                                           ready, release)) for k in range(n)]
        try:
            await ready.wait()  # every session has drawn its first page
            await ready.wait()  # every session has made its changes
        except asyncio.BrokenBarrierError:
            pass
        out.rss_loaded_mb = sc.rss_mb(proc.pid)
        release.set()
        await asyncio.gather(*users)
        out.cpu_s, out.wall_s = sc.cpu_seconds(proc.pid) - cpu0, time.perf_counter() - t0
        out.hwm_mb = sc.rss_mb(proc.pid, "VmHWM")
    finally:
        sc.stop_server(proc)
    return out


def _row(label: str, r: LoadResult) -> str:
    p50, p95, mx = r.quantiles()
    return (f"{label:<10} N={r.n:<3} changes {len(r.latencies) + len(r.errors):>4}  errors "
            f"{len(r.errors):>2}  change -> charts p50 {p50:5.2f} s  p95 {p95:5.2f} s  max "
            f"{mx:5.2f} s   server RSS {r.rss_base_mb:4.0f} -> {r.rss_loaded_mb:4.0f} MB "
            f"({r.per_session_mb:+5.1f} MB/session, peak {r.hwm_mb:4.0f} MB)   server CPU "
            f"{r.cpu_s:5.1f} s in {r.wall_s:5.1f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10])
    ap.add_argument("--changes", type=int, default=10, help="assumption changes per session")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds allowed for one run")
    ap.add_argument("--max-seconds", type=float, default=900.0, help="bound on the whole bench")
    args = ap.parse_args(argv)
    if max(args.sessions) > MAX_SESSIONS or min(args.sessions) < 1:
        ap.error(f"--sessions must be 1..{MAX_SESSIONS}")
    env = {"MLTALENT_EXPORT_WARM_UP": "0"}  # the image server's Chromium would share the cores
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"{args.changes} changes a session, {THINK_S[0]}-{THINK_S[1]} s apart")
    deadline = time.monotonic() + args.max_seconds
    results: dict[int, LoadResult] = {}
    with tempfile.TemporaryDirectory() as tmp:
        floor_script = Path(tmp) / "floor_rerun.py"
        floor_script.write_text(TRIVIAL_RERUN_APP)
        for n in args.sessions:
            left = deadline - time.monotonic()
            if left <= 0:
                print(f"stopped: --max-seconds {args.max_seconds:.0f} reached before N={n}")
                return 1
            r = asyncio.run(asyncio.wait_for(
                _load("dashboard.py", n, args.changes, args.timeout, False, env), left))
            f = asyncio.run(asyncio.wait_for(
                _load(floor_script, n, args.changes, args.timeout, True, env),
                max(deadline - time.monotonic(), 1)))
            results[n] = r
            print(_row("dashboard", r))
            print(_row("floor", f))
            for e in r.errors[:5]:
                print(f"  error: {e}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    n = max(results)
    r = results[n]
    p95 = r.quantiles()[1]
    checks = [(len(r.errors) <= TARGETS["errors"], f"errors {len(r.errors)} (target 0)"),
              (p95 <= TARGETS["p95_s"], f"p95 {p95:.2f} s (target <= {TARGETS['p95_s']:.1f})"),
              (r.per_session_mb <= TARGETS["rss_per_session_mb"],
               (f"{r.per_session_mb:.1f} MB RSS per session (target <= "
                f"{TARGETS['rss_per_session_mb']:.0f})"))]
    print(f"targets at N={n}: " + "; ".join(f"{text} {'OK' if ok else 'MISS'}"
                                           for ok, text in checks))
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
