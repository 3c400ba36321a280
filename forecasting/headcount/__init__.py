"""US headcount by role and industry: the OEWS panels, the damped growth model, its calibration
and backtests, role levels and carve-outs, industry mix, and the production projection.
May import ``core`` and ``sources``."""
