"""``python -m forecasting`` / ``mltalent``: the parser in ``main``, one module per command,
shared flags in ``common``. The only package that sets process-wide state (BLAS threads).
May import every other package."""
