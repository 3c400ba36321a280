"""Single-threaded BLAS for the process: called by the entry points, never at import.

Why: statsmodels fits are tiny; multi-threaded BLAS only adds contention (measured here: ETS
fits 2.8x slower with threaded OpenBLAS on 2 cores). Importing the library changes nothing;
the command line, the dashboard and the batch workers call ``single_threaded_blas()``.
"""

from __future__ import annotations

import os

BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_done = False


def single_threaded_blas() -> None:
    """One BLAS thread: the environment variables (effective for numpy not imported yet and
    for child processes) and, when numpy is already loaded, its thread pools. Idempotent."""
    global _done
    if _done:
        return
    for var in BLAS_VARS:
        os.environ.setdefault(var, "1")
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
    except Exception:  # pragma: no cover - threadpoolctl missing or no BLAS found
        pass
    _done = True
