"""The official reference beside the bands: BLS OEWS US percentiles of each role's SOC proxy
(``Role.base_soc``), every May year present; the hybrid-code year uses the hybrid codes of
``catalog.SOC_2020_HYBRID`` and is marked. ``#`` (top-coded) is shown as "≥ BLS cap", never as a
number; ``*`` as "n.a.".
"""

from __future__ import annotations

import math

import pandas as pd

from forecasting.core import catalog
from forecasting.salaries.bands import PERCENTILES

BLS_CAP_LABEL = "≥ BLS cap"
_OEWS_PCT = ("a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90")


def load_oews() -> pd.DataFrame:
    """National OEWS rows (``oews.load_oews_national``)."""
    from forecasting.sources.oews import load_oews_national

    return load_oews_national()


def _label(value: float, flag: str) -> str:
    if flag == "#":
        return BLS_CAP_LABEL
    if flag == "*" or pd.isna(value):
        return "n.a."
    return f"${value:,.0f}"


def oews_reference(oews: pd.DataFrame, years: tuple[int, ...] | None = None) -> pd.DataFrame:
    """Per role and year (default: every year of ``oews``): SOC proxy percentiles p10..p90 (NaN
    when flagged), flags and labels.

    Columns: role, year, soc, soc_title, hybrid, tot_emp, p10..p90, p10_flag..p90_flag,
    p10_label..p90_label. The hybrid-code May year uses the hybrid code where the catalog names one.
    """
    if years is None:
        years = tuple(sorted(int(y) for y in oews["year"].unique()))
    rows = []
    for r in catalog.ROLES:
        for year in years:
            soc = r.base_soc
            if year == catalog.SOC_HYBRID_YEAR and soc in catalog.SOC_2020_HYBRID:
                soc = catalog.SOC_2020_HYBRID[soc]
            hit = oews[(oews["year"] == year) & (oews["soc"] == soc)]
            if hit.empty:
                continue
            h = hit.iloc[0]
            row = {"role": r.role_id, "year": year, "soc": soc, "soc_title": h["soc_title"],
                   "hybrid": bool(h["hybrid"]), "tot_emp": h["tot_emp"]}
            for p, col in zip(PERCENTILES, _OEWS_PCT):
                flag = str(h.get(f"{col}_flag", "") or "")
                value = math.nan if flag else float(h[col])
                row[f"p{p}"] = value
                row[f"p{p}_flag"] = flag
                row[f"p{p}_label"] = _label(value, flag)
            rows.append(row)
    return pd.DataFrame(rows)
