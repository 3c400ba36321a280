"""Plotly figure factories (frames in, figures out) and export to PNG/SVG/PDF/HTML/CSV/ZIP.
May import ``core``, ``sources`` (footers, data-as-of) and ``headcount``'s method names; never
computes forecasts."""
