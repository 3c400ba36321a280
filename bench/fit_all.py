"""Cold and warm time of the postings baseline (load data + fit + backtest every shipped monthly
series), against the targets, plus the backtest leaderboard.

    .venv/bin/python bench/fit_all.py [--warm-runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COLD_TARGET_S = 60.0
WARM_TARGET_S = 2.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--warm-runs", type=int, default=5)
    args = ap.parse_args()
    from forecasting.postings import pipeline
    from forecasting.sources import files, indeed

    with tempfile.TemporaryDirectory(prefix="fit_all_cache_") as tmp:
        files.CACHE_DIR = Path(tmp)  # cold: empty cache (data parquet and fitted baseline)
        t0 = time.perf_counter()
        pb = pipeline.postings_baseline()
        cold = time.perf_counter() - t0
        warm = []
        for _ in range(max(args.warm_runs, 1)):
            t0 = time.perf_counter()
            indeed.load_postings_monthly()
            pipeline.postings_baseline()
            warm.append(time.perf_counter() - t0)
    n = pb.forecasts["series_id"].nunique()
    load = os.getloadavg()[0]
    print(f"series: {n} monthly postings series; models: {', '.join(pipeline.DEFAULT_MODELS)}")
    print(f"cold (empty cache, 2 workers): {cold:6.1f} s   target <= {COLD_TARGET_S:.0f} s   "
          f"{'OK' if cold <= COLD_TARGET_S else 'MISSED'}")
    print(f"warm (median of {len(warm)}):        {statistics.median(warm):6.2f} s   target <= "
          f"{WARM_TARGET_S:.0f} s   {'OK' if statistics.median(warm) <= WARM_TARGET_S else 'MISSED'}")
    print(f"load average (1 min) at the end: {load:.1f} on {os.cpu_count()} cores")
    print("\nleaderboard (backtest horizon 12, 3 origins; means over series):")
    print(pb.leaderboard.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
