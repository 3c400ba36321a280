"""Plotly figure factories (frames in, figures out) and export to PNG/SVG/PDF/HTML/CSV/ZIP.

style (palettes, labels, layout, footers and the data years they quote), traces (figures from
plain dicts, deferred figures, shared trace helpers), one module per chart family (timeseries,
headcount, scenario, salary, backtest), figure_data (plotted data back out) and export.
May import ``core`` and ``sources`` (footers, data-as-of); never computes forecasts."""
