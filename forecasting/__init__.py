"""ML-talent demand forecasts: data, models, scenarios, salaries, charts and exports.

Importing the package has no side effects; entry points set process-wide state themselves
(single-threaded BLAS: ``forecasting.core.threads``).
"""
