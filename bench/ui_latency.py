"""UI latency and memory: the three numbers that decide whether the dashboard feels instant.

1. p50/p95 of an AppTest rerun of the demand page after a growth-assumption change (>= 30
   changes; the engine re-grows the cached baseline, no refit).  Targets: p50 <= 100 ms,
   p95 <= 250 ms.
2. Seconds from `streamlit run` to the first chart drawn in headless Chromium, warm disk cache
   (a first, unmeasured start warms it).  Target <= 5 s.
3. Peak RSS (VmHWM) of the streamlit server after visiting every page.  Target <= 600 MB.

Each is printed beside Streamlit's own floor on this machine at that moment (a one-slider
one-chart app's rerun, interleaved; a one-metric one-chart app's first chart, start by start):
the machine's speed drifts ~1.5x within minutes, and the pairs show what is the app's.

Run: `.venv/bin/python bench/ui_latency.py [--changes 40] [--no-browser]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = {"p50_ms": 100.0, "p95_ms": 250.0, "first_chart_s": 5.0, "peak_rss_mb": 600.0}


#: Streamlit's floors, measured the same way at the same moments as the dashboard.
TRIVIAL_APP = """import plotly.graph_objects as go
import streamlit as st
st.metric("jobs", 1)
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2])))
"""
TRIVIAL_RERUN_APP = """import plotly.graph_objects as go
import streamlit as st
v = st.slider("growth", 0.0, 20.0, 5.0, key="g")
st.metric("jobs", round(v, 1))
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, v])))
"""


def _change(i: int) -> tuple[str, float]:
    keys = ["gc_role_data_scientist", "gc_role_ml_engineer", "gc_ind_fintech", "gc_blend"]
    key, v = keys[i % len(keys)], 4.0 + (i % 10) * 1.5
    return key, round(v / 40 if key == "gc_blend" else (v - 8 if key.startswith("gc_ind") else v), 2)


def rerun_latency(n_changes: int) -> tuple[list[float], list[float], list[float]]:
    """Wall and CPU ms of Demand-page reruns after an assumption change, and, interleaved with
    them (same machine state), wall ms of a one-slider one-chart app's rerun: Streamlit's floor."""
    from streamlit.testing.v1 import AppTest
    os.environ["MLTALENT_EXPORT_WARM_UP"] = "0"  # its Chromium thread would count as CPU here
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300).run()
    at.switch_page("pages/demand.py").run()
    assert not at.exception, at.exception
    floor_app = AppTest.from_string(TRIVIAL_RERUN_APP, default_timeout=60).run()
    at.slider(key="gc_role_data_scientist").set_value(9.9).run()  # first change fills small caches
    floor_app.slider(key="g").set_value(9.9).run()
    times, cpu, floor = [], [], []
    for i in range(n_changes):
        key, value = _change(i)
        slider = at.slider(key=key).set_value(value)
        t0, c0 = time.perf_counter(), time.process_time()
        slider.run()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)  # this process only: robust to a busy box
        assert not at.exception, at.exception
        slider = floor_app.slider(key="g").set_value(float(i % 20))
        t0 = time.perf_counter()
        slider.run()
        floor.append((time.perf_counter() - t0) * 1000)
    return times, cpu, floor


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


PHASES = ("server boot to /health", "new tab + HTML/JS bundle load",
          "websocket + first script run + chart render")


def _start_to_first_chart(browser, script: str):
    """Start ``script`` on a free port, open it in a new tab and wait for its first chart.
    Returns the server, the tab, its base URL and the three phase durations (``PHASES``)."""
    from tests.e2e.test_golden_path import CHART, free_port, start_server
    port = free_port()
    t0 = time.perf_counter()
    proc = start_server(port, script)
    t_health = time.perf_counter()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"http://127.0.0.1:{port}/")
    t_loaded = time.perf_counter()
    page.wait_for_selector(CHART, timeout=300_000)
    return proc, page, f"http://127.0.0.1:{port}", (t_health - t0, t_loaded - t_health,
                                                     time.perf_counter() - t_loaded)


def browser_figures(starts: int = 5):
    """Server start -> first chart for the dashboard and, right after each, for a one-metric
    one-chart app (Streamlit's floor at that moment: machine speed drifts ~1.5x within minutes,
    so the two are paired start by start). One unmeasured round first warms the disk cache.
    Also: phases of the dashboard's starts, per-page load times and peak RSS after every page."""
    import tempfile

    from playwright.sync_api import sync_playwright
    from tests.conftest import CHROMIUM_FLAGS, ensure_chromium
    from tests.e2e.test_golden_path import CHART, PAGES, stop_server
    chromium = ensure_chromium()
    if chromium is None:
        raise RuntimeError("chromium not found")
    per_page: dict[str, float] = {}
    phases: dict[str, list[float]] = {k: [] for k in PHASES}  # where the first-chart time goes
    first_chart: list[float] = []
    floor: list[float] = []
    peak = float("nan")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        trivial = Path(tmp) / "trivial.py"
        trivial.write_text(TRIVIAL_APP)
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        for attempt in range(starts + 1):
            proc, page, url, times = _start_to_first_chart(browser, "dashboard.py")
            if attempt > 0:
                first_chart.append(sum(times))
                for k, v in zip(PHASES, times):
                    phases[k].append(v)
            if attempt == starts:
                for name, path in PAGES:
                    t1 = time.perf_counter()
                    page.goto(f"{url}/{path}")
                    page.wait_for_selector(CHART, timeout=300_000)
                    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                                           timeout=300_000)
                    per_page[name] = time.perf_counter() - t1
                peak = _peak_rss_mb(proc.pid)
            page.close()
            stop_server(proc)

            proc, page, _, times = _start_to_first_chart(browser, str(trivial))
            if attempt > 0:
                floor.append(sum(times))
            page.close()
            stop_server(proc)
        browser.close()
    return first_chart, floor, peak, per_page, phases


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--changes", type=int, default=40, help="assumption changes to time (>= 30)")
    ap.add_argument("--no-browser", action="store_true", help="skip the browser measurements")
    ap.add_argument("--starts", type=int, default=5,
                    help="measured server starts for the first-chart time (>= 3; median reported)")
    args = ap.parse_args(argv)
    import compileall  # as `make run` does: a warm start has the app's bytecode on disk
    for pkg in ("forecasting", "ui"):
        compileall.compile_dir(str(ROOT / pkg), quiet=1)
    times, cpu, rerun_floor = rerun_latency(max(args.changes, 30))
    q = statistics.quantiles(times, n=100)
    p50, p95 = statistics.median(times), q[94]
    ok = lambda v, k: "OK" if v <= TARGETS[k] else "MISS"  # noqa: E731
    print(f"demand-page rerun after an assumption change (n={len(times)}): "
          f"p50 {p50:.0f} ms (target <= {TARGETS['p50_ms']:.0f}) {ok(p50, 'p50_ms')}; "
          f"p95 {p95:.0f} ms (target <= {TARGETS['p95_ms']:.0f}) {ok(p95, 'p95_ms')}")
    print(f"  same reruns, CPU time of this process: p50 {statistics.median(cpu):.0f} ms, "
          f"p95 {statistics.quantiles(cpu, n=100)[94]:.0f} ms; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  Streamlit's rerun floor, interleaved (one-slider one-chart app): p50 "
          f"{statistics.median(rerun_floor):.0f} ms; dashboard/floor ratio "
          f"{p50 / statistics.median(rerun_floor):.1f}x")
    if not args.no_browser:
        firsts, floor, peak, per_page, phases = browser_figures(max(args.starts, 3))
        first = statistics.median(firsts)
        print(f"server start -> first chart in Chromium (warm cache, {len(firsts)} starts): median "
              f"{first:.1f} s, min {min(firsts):.1f}, max {max(firsts):.1f} "
              f"(target <= {TARGETS['first_chart_s']:.0f} for the median) {ok(first, 'first_chart_s')}")
        print("  of which (medians): " + ", ".join(f"{k} {statistics.median(v):.1f} s"
                                                 for k, v in phases.items()))
        diffs = [a - b for a, b in zip(firsts, floor)]
        print(f"  Streamlit's floor, each start paired with one of a one-metric one-chart app: "
              f"median {statistics.median(floor):.1f} s (min {min(floor):.1f}, max {max(floor):.1f}); "
              f"dashboard minus floor, paired: median {statistics.median(diffs):+.1f} s "
              f"(min {min(diffs):+.1f}, max {max(diffs):+.1f})")
        print("page load -> chart drawn and run finished: "
              + ", ".join(f"{k} {v:.1f} s" for k, v in per_page.items()))
        print(f"peak RSS of the streamlit server after every page: {peak:.0f} MB "
              f"(target <= {TARGETS['peak_rss_mb']:.0f}) {ok(peak, 'peak_rss_mb')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
