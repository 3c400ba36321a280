"""The named starting points of a scenario: the statistical baseline, WEF 2023, BLS 2024-34,
High and Low, each with where its numbers come from.

Why a module of its own: a preset is a labelled assumption (WEF, quoted in the seed article) or a
reading of data (BLS EP, the baseline's bounds); pages and the CLI show the source next to the
numbers, so the description and the values are kept together here. The Assumptions type is
imported where a preset is built (``preset``): ``assumptions`` validates preset ids against
``PRESETS`` and so imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from forecasting.core import catalog
from forecasting.core.errors import UserInputError

if TYPE_CHECKING:  # pragma: no cover - light at import: the saved-scenario store imports this
    import pandas as pd

    from forecasting.scenarios.assumptions import Assumptions

# ASSUMPTION (labelled): World Economic Forum, Future of Jobs Report 2023, as quoted in the seed
# article: AI & machine-learning specialist jobs +40% over 5 years (2023-27), "about 1 million
# jobs" worldwide. A global count: never set against US jobs (no shipped file gives a US share).
WEF_GROWTH_TOTAL_PCT = 40.0
WEF_YEARS = 5
WEF_PERIOD = (2023, 2027)
WEF_CAGR_PCT = ((1 + WEF_GROWTH_TOTAL_PCT / 100) ** (1 / WEF_YEARS) - 1) * 100  # 6.961...
BLS_EP_YEARS = 10  # BLS Employment Projections 2024-34
BLS_EP_PERIOD = (2024, 2034)


@dataclass(frozen=True)
class PresetInfo:
    preset_id: str
    title: str
    #: True when the numbers are an outside assumption, not a projection from our data.
    is_assumption: bool
    source: str
    description: str


PRESETS: dict[str, PresetInfo] = {
    "baseline": PresetInfo(
        "baseline", "Statistical baseline", False,
        "Our headcount baseline: BLS OEWS May levels on the current SOC codes, trend shrunk across all OEWS "
        "occupations (forecasting/headcount/projection.py).",
        "Models only: each role x industry grows at the validated statistical trend; its 80% and "
        "95% bands are the model's uncertainty."),
    "wef2023": PresetInfo(
        "wef2023", "WEF 2023 (assumption)", True,
        "World Economic Forum, Future of Jobs Report 2023, as quoted in the seed article: AI and "
        f"machine-learning specialists +{WEF_GROWTH_TOTAL_PCT:g}% over {WEF_PERIOD[0]}-"
        f"{WEF_PERIOD[1] % 100:02d}, about 1 million jobs, a GLOBAL count.",
        f"ASSUMPTION: +{WEF_GROWTH_TOTAL_PCT:g}% over {WEF_YEARS} years ({WEF_CAGR_PCT:.2f}% a "
        "year) for the roles WEF counts as AI and ML specialists ("
        + ", ".join(catalog.role(r).label for r in catalog.AI_ML_SPECIALIST_ROLES)
        + f"), applied to the {WEF_YEARS} years from the start year, then the baseline's growth. "
        "Every other role follows the baseline. WEF's period is "
        f"{WEF_PERIOD[0]}-{WEF_PERIOD[1] % 100:02d} and its count is global, so compare rates "
        "(% growth), not jobs: our levels are US only. Anchored paths are point paths (no band)."),
    "bls2034": PresetInfo(
        "bls2034", "BLS 2024-34", False,
        "BLS Employment Projections 2024-34 (data/raw/bls_ep/occupation.xlsx), each role's "
        "catalog occupation (Role.ep_soc).",
        "Each role grows at its occupation's projected 10-year change converted to an annual rate "
        f"(e.g. data scientists +33.5%, software developers +15.8% over {BLS_EP_PERIOD[0]}-"
        f"{BLS_EP_PERIOD[1] % 100:02d}) for {BLS_EP_YEARS} years from the start year, then the "
        "baseline's growth; blend weight 1, so a point path (no band)."),
    "high": PresetInfo(
        "high", "High adoption", False,
        "Upper bound of the statistical baseline's 80% prediction interval.",
        "Each role x industry follows the baseline's hi_80 path: a line, with no band of its own "
        "(optimistic but data-consistent)."),
    "low": PresetInfo(
        "low", "Low adoption", False,
        "Lower bound of the statistical baseline's 80% prediction interval.",
        "Each role x industry follows the baseline's lo_80 path: a line, with no band of its own "
        "(pessimistic but data-consistent)."),
}
PRESET_IDS: tuple[str, ...] = tuple(PRESETS)


def bls_annual_growth_pct(bls_ep: pd.DataFrame | None = None) -> dict[str, float]:
    """Role -> % per year from BLS EP 2024-34 ``change_pct`` of the role's ``ep_soc``."""
    if bls_ep is None:
        from forecasting.sources import tables
        bls_ep = tables.load_bls_ep()
    by_soc = bls_ep.set_index("soc")["change_pct"]
    out = {}
    for r in catalog.ROLES:
        if r.ep_soc not in by_soc.index:
            raise UserInputError(f"BLS EP table has no row for SOC {r.ep_soc} (role {r.role_id})")
        change = float(by_soc.loc[r.ep_soc])
        out[r.role_id] = ((1 + change / 100) ** (1 / BLS_EP_YEARS) - 1) * 100
    return out


def preset(name: str, bls_ep: pd.DataFrame | None = None) -> Assumptions:
    """The Assumptions value of a preset (editable afterwards with ``with_changes``)."""
    from forecasting.scenarios.assumptions import Assumptions

    if name == "baseline":
        return Assumptions(preset="baseline")
    if name == "wef2023":
        # Stored as the CAGR (per year): over its 5 years exactly +40%; after them the roles
        # follow the baseline (``extend_anchor`` keeps WEF's rate instead).
        return Assumptions(preset="wef2023", horizon_years=WEF_YEARS, blend_weight=1.0,
                           anchor_years=WEF_YEARS,
                           role_growth=tuple((r, WEF_CAGR_PCT)
                                             for r in catalog.AI_ML_SPECIALIST_ROLES))
    if name == "bls2034":
        return Assumptions(preset="bls2034", horizon_years=BLS_EP_YEARS, blend_weight=1.0,
                           anchor_years=BLS_EP_YEARS,
                           role_growth=tuple(bls_annual_growth_pct(bls_ep).items()))
    if name in ("high", "low"):
        return Assumptions(preset=name, trend_band="hi_80" if name == "high" else "lo_80")
    raise UserInputError(f"unknown preset {name!r}; valid presets: {', '.join(PRESET_IDS)}")
