"""Regenerate tests/golden/headcount.json from the current code and data (deliberate step).

    python tests/golden/regenerate_headcount.py

Review the diff before committing: every number here is one users see (the damping, the
backtest errors and coverage, the projected role headcounts). Tests compare against it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from forecasting import headcount, headcount_backtest as hb, headcount_calibration as hcal  # noqa: E402


def build() -> dict:
    cal = hcal.calibration()
    out = {"calibration": {"phi": cal.phi, "phi_80": list(cal.phi_interval(0.80)),
                           "s_long": cal.s_long, "width_factor": cal.width_factor,
                           "n_pairs": cal.n_pairs, "loss": [float(v) for v in cal.loss]},
           "backtests": {}, "projection": {}}
    for _, s in hb.setups().iterrows():
        t = hb.backtest(int(s["holdout_year"]), int(s["horizon"])).set_index("method")
        out["backtests"][f"{int(s['holdout_year'])}_{int(s['horizon'])}"] = {
            m: {c: (None if v != v else float(v)) for c, v in row.items()}
            for m, row in t.to_dict("index").items()}
    rp = headcount.role_projection(10)
    for r in rp.itertuples(index=False):
        if r.year in (2025, 2030, 2035):
            out["projection"][f"{r.role}_{r.year}"] = [r.mean, r.lo_80, r.hi_80, r.lo_95, r.hi_95]
    return out


if __name__ == "__main__":
    path = Path(__file__).with_name("headcount.json")
    path.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")
