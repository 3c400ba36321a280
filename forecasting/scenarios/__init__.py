"""Scenarios on the headcount baseline: frozen assumptions, validation and URL codec, presets
(WEF, BLS, High, Low), the engine, comparisons, tornado, decomposition, Overview headlines and
saved scenarios. May import ``core``, ``sources`` and ``headcount``."""
