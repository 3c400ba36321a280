"""Projected salary bands: a base year's bands moved by a wage-growth assumption (by default the
latest Indeed posted-wage growth), the median interval widened for growth uncertainty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from forecasting.core.errors import UserInputError
from forecasting.salaries.bands import PERCENTILES, ROLE_ORDER

CREDIT_WAGES = "Indeed Hiring Lab, Wage Tracker (CC BY 4.0)"


def load_wage_series(country: str = "US") -> pd.DataFrame:
    """Indeed posted-wage growth for one country (``wages.load_wage_growth``): ds, yoy_pct (%)."""
    from forecasting.sources.wages import load_wage_growth

    wg = load_wage_growth()
    out = wg.loc[wg["country"] == country, ["ds", "yoy_pct"]]
    out = out.dropna().sort_values("ds").reset_index(drop=True)
    if out.empty:
        raise UserInputError(f"no posted-wage growth series for country {country!r}")
    return out


@dataclass(frozen=True)
class WageGrowth:
    """Wage-growth assumption for projected bands (percent per year)."""

    growth_pct: float
    #: Year-to-year volatility of annual wage growth, percentage points (1 s.d.).
    sigma_pct: float
    as_of: str = ""
    source: str = "assumption"


def default_wage_growth(series: pd.DataFrame) -> WageGrowth:
    """Latest yoy posted-wage growth; sigma = s.d. of the yoy series (labelled, traceable)."""
    last = series.iloc[-1]
    return WageGrowth(growth_pct=round(float(last["yoy_pct"]), 2),
                      sigma_pct=round(float(series["yoy_pct"].std(ddof=1)), 2),
                      as_of=pd.Timestamp(last["ds"]).strftime("%Y-%m"),
                      source=f"{CREDIT_WAGES}, US posted-wage growth yoy")


def project_bands(base: pd.DataFrame, base_year: int, wage: WageGrowth,
                  horizon: int = 5, level: float = 0.95) -> pd.DataFrame:
    """Bands for base_year + 1..horizon under constant wage growth g.

    * Percentiles: ``p * (1 + g)^h`` (the band keeps its shape and moves with wages).
    * Median interval: the bootstrap interval moved the same way, then widened for growth
      uncertainty: ``p50_lo * (1+g)^h * exp(-z * sigma * sqrt(h))`` and
      ``p50_hi * (1+g)^h * exp(+z * sigma * sqrt(h))``, with sigma the year-to-year s.d. of
      wage growth (independent yearly shocks on log wages), z the normal quantile of ``level``.
    Rows: base row (h = 0) plus one per horizon year, per role; flags carried over.
    """
    if not 1 <= horizon <= 10:
        raise UserInputError(f"horizon={horizon} must be between 1 and 10 years")
    g = wage.growth_pct / 100.0
    if g <= -1:
        raise UserInputError(f"wage growth {wage.growth_pct}% must be above -100%")
    sigma = max(wage.sigma_pct, 0.0) / 100.0
    from statistics import NormalDist
    z = NormalDist().inv_cdf(0.5 + level / 2)
    frames = []
    for h in range(0, horizon + 1):
        f = base.copy()
        factor = (1 + g) ** h
        widen = math.exp(z * sigma * math.sqrt(h))
        for p in PERCENTILES:
            f[f"p{p}"] = base[f"p{p}"] * factor
        f["p50_lo"] = base["p50_lo"] * factor / widen
        f["p50_hi"] = base["p50_hi"] * factor * widen
        f.insert(1, "year", base_year + h)
        f.insert(2, "h", h)
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    out["growth_pct"] = wage.growth_pct
    out["sigma_pct"] = wage.sigma_pct
    return out.sort_values(["role", "h"], key=lambda s: s.map(
        {r: i for i, r in enumerate(ROLE_ORDER)}) if s.name == "role" else s,
        ignore_index=True)
