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

from forecasting.headcount import backtest as hb
from forecasting.headcount import calibration as hcal
from forecasting.headcount import projection as headcount


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
    out.update(small())
    rp = headcount.role_projection(10)
    for r in rp.itertuples(index=False):
        if r.year in (2025, 2030, 2035):
            out["projection"][f"{r.role}_{r.year}"] = [r.mean, r.lo_80, r.hi_80, r.lo_95, r.hi_95]
    return out


def small() -> dict:
    """calibrate() and backtest_predictions() end to end on the small simulated panels of
    tests/test_headcount_calibration.py (fast enough for a test, and for mutation runs)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from test_headcount_calibration import _simulated_panels

    panels = _simulated_panels(0.7, seed=8, n=120)
    cal = hcal.calibrate(panels, grid=(0.5, 0.8, 1.0), bootstrap=12)
    pred = hcal.backtest_predictions(cal, panels, draws=2000)
    means = pred.groupby(["panel", "origin_year", "holdout_year", "method"])["predicted"].mean()
    banded = pred.dropna(subset=["lo_80"])
    inside = ((banded["actual"] >= banded["lo_80"]) & (banded["actual"] <= banded["hi_80"])).mean()
    return {"small_calibration": {"phi": cal.phi, "phi_draws": [float(v) for v in cal.phi_draws],
                                  "s_long": cal.s_long, "width_factor": cal.width_factor,
                                  "loss": [float(v) for v in cal.loss],
                                  "table_mae": [float(v) for v in cal.phi_table["mae"]]},
            "small_backtests": {"rows": len(pred), "coverage_80": float(inside),
                                "mean_predicted": {"|".join(map(str, k)): round(float(v), 12)
                                                   for k, v in means.items()}}}


if __name__ == "__main__":
    path = Path(__file__).with_name("headcount.json")
    path.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")
