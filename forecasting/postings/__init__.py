"""Posting-index forecasts: user-series validation, frequency, statsmodels model families and
auto/ensemble selection, rolling-origin backtests, the fit-once pipeline and Dask batch.
May import ``core`` and ``sources``."""
