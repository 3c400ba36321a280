"""Rewrite tests/golden/postings_models.json from the current code and data.

Run deliberately, after a change that is meant to move the numbers users see:

    .venv/bin/python tests/golden/regenerate.py            # show what would change
    .venv/bin/python tests/golden/regenerate.py --write    # rewrite the golden file

It prints, per series and model, the largest relative change of the forecast mean and band
widths and every changed backtest score, so the reviewer of the commit sees what moved.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.golden.cases import GOLDEN_FILE, RTOL, compute_all

PATH = Path(__file__).with_name(GOLDEN_FILE)


def rel_change(new: list, old: list) -> float:
    a, b = np.asarray(new, float), np.asarray(old, float)
    if a.shape != b.shape:
        return float("inf")
    scale = max(float(np.max(np.abs(b))), 1e-12)
    return float(np.max(np.abs(a - b)) / scale)


def diff(new: dict, old: dict) -> list[str]:
    lines = []
    for group, series in new.items():
        for sid, cur in series.items():
            prev = old.get(group, {}).get(sid)
            if prev is None:
                lines.append(f"{group}/{sid}: new")
                continue
            if prev["input"] != cur["input"]:
                lines.append(f"{group}/{sid}: INPUT CHANGED (data, not model)")
            for model, f in cur["forecast"].items():
                p = prev["forecast"].get(model)
                if p is None:
                    lines.append(f"{group}/{sid}/{model}: new model")
                    continue
                ch = {k: rel_change(f[k], p[k]) for k in ("mean", "width_80", "width_95")}
                if f["label"] != p["label"] or max(ch.values()) > RTOL:
                    lines.append(f"{group}/{sid}/{model}: label {p['label']} -> {f['label']}; "
                                 + ", ".join(f"{k} {v:.2%}" for k, v in ch.items()))
            for model, s in cur["backtest"].items():
                p = prev["backtest"].get(model, {})
                moved = {k: (p.get(k), v) for k, v in s.items()
                         if p.get(k) is None or not np.isclose(v, p[k], rtol=RTOL)}
                if moved:
                    lines.append(f"{group}/{sid}/{model} backtest: "
                                 + ", ".join(f"{k} {a} -> {b}" for k, (a, b) in moved.items()))
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the golden file")
    args = ap.parse_args(argv)
    new = compute_all()
    old = json.loads(PATH.read_text()) if PATH.exists() else {}
    changes = diff(new, old)
    print("\n".join(changes) if changes else "no change beyond the tolerance")
    if args.write:
        PATH.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
        print(f"wrote {PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
