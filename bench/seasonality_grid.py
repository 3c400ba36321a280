"""Seasonality detection on a grid of simulated monthly series: detection rate of seasonal
series (amplitude x noise sd x trend x length, random phase) and false-positive rate of
non-seasonal ones (random walks, AR(1), trend + noise, smooth index-like series).

One command: ``.venv/bin/python bench/seasonality_grid.py [--reps 200]`` (about 10 s). It
measures ``forecasting.postings.seasonality.seasonal_component``, the test every model's seasonal adjustment
uses. tests/test_seasonality.py asserts a seeded corner of this grid.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.postings.seasonality import seasonal_component
from tests.simulate import NULL_KINDS, null_series, seasonal_series

LENGTHS = (36, 48, 72, 96)
AMPLITUDES = (1.5, 3.0, 4.5, 8.0)
NOISE_SDS = (1.5, 3.0)
TRENDS = (0.0, 0.5, 2.0)


def detection_rate(n: int, amplitude: float, noise_sd: float, trend: float, reps: int,
                   seed: int = 0) -> float:
    rng = np.random.default_rng([seed, n, int(amplitude * 10), int(noise_sd * 10), int(trend * 10)])
    hits = sum(seasonal_component(seasonal_series(n, amplitude, noise_sd, trend, rng), 12)
               is not None for _ in range(reps))
    return hits / reps


def false_positive_rate(kind: str, n: int, reps: int, seed: int = 0) -> float:
    rng = np.random.default_rng([seed, n, NULL_KINDS.index(kind)])
    return sum(seasonal_component(null_series(kind, n, rng), 12) is not None
               for _ in range(reps)) / reps


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200, help="series per cell (default 200)")
    args = ap.parse_args(argv)
    combos = [(a, s) for s in NOISE_SDS for a in AMPLITUDES]
    print(f"Detection rate of seasonal series ({args.reps} per cell; columns amplitude/noise sd)")
    print(f"{'length':>6} {'trend':>5} | " + " ".join(f"{a:g}/{s:g}".rjust(8) for a, s in combos))
    print(f"{'':>6} {'':>5} | " + " ".join(f"(r={a / s:.1f})".rjust(8) for a, s in combos))
    for n in LENGTHS:
        for tr in TRENDS:
            rates = [detection_rate(n, a, s, tr, args.reps) for a, s in combos]
            print(f"{n:>6} {tr:>5g} | " + " ".join(f"{r:8.3f}" for r in rates))
    print(f"\nFalse-positive rate of non-seasonal series ({args.reps} per cell)")
    print(f"{'length':>6} | " + " ".join(k.rjust(17) for k in NULL_KINDS))
    for n in LENGTHS:
        print(f"{n:>6} | " + " ".join(f"{false_positive_rate(k, n, args.reps):17.3f}"
                                     for k in NULL_KINDS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
