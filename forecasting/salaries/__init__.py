"""Salary bands (P10-P90 by role, experience, location) from ai-jobs.net and OEWS, projected
with a wage-growth assumption. May import ``core`` and ``sources``."""
