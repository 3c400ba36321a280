"""Shared kernel: user-facing errors, atomic writes, the disk cache, totals and the role/industry
catalog. Imports nothing else from ``forecasting``; every other package may import it."""
