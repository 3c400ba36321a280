"""Plotly figure factories (frames in, figures out) and export to PNG/SVG/PDF/HTML/CSV/ZIP.
May import ``core`` and ``sources`` (footers, data-as-of); never computes forecasts."""
