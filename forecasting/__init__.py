"""ML-talent demand forecasts: data, models, scenarios, salaries, charts and exports.

statsmodels fits are tiny; multi-threaded BLAS only adds contention (measured here: ETS fits
2.8x slower with threaded OpenBLAS on 2 cores), so the library runs BLAS single-threaded.
"""

import os as _os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")  # effective when numpy is not imported yet (CLI, workers)

try:  # numpy may already be loaded (streamlit, pytest): limit its pools at run time too
    from threadpoolctl import threadpool_limits as _limits

    _limits(limits=1, user_api="blas")
except Exception:  # pragma: no cover - threadpoolctl missing or no BLAS found
    pass
