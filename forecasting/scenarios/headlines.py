"""The Overview's headline numbers and its plain-language summary, from the baseline frames.

Rules that live here, not in the page: the AI and ML specialist group is WEF's scope without
small-base roles (unless the user includes them), the "fastest-growing" pick skips small-base
roles the same way, and WEF's +40% is compared as a RATE only: it is a global count for
2023-27, and no shipped file gives the US share of it, so no US jobs figure is set against its
"about 1 million".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from forecasting.core import catalog
from forecasting.core.errors import UserInputError
from forecasting.scenarios.presets import WEF_GROWTH_TOTAL_PCT, WEF_PERIOD, WEF_YEARS


def headline_group(include_small_base: bool = False,
                   small_base: Sequence[str] | None = None) -> tuple[str, ...]:
    """The AI and ML specialist roles a headline total sums: WEF's scope, without the roles whose
    level rests on too few records (``role_levels.small_base_roles``) unless the user includes
    them."""
    if include_small_base:
        return catalog.AI_ML_SPECIALIST_ROLES
    if small_base is None:
        from forecasting.headcount import role_levels
        small_base = role_levels.small_base_roles()
    return tuple(r for r in catalog.AI_ML_SPECIALIST_ROLES if r not in small_base)


def group_label(group_roles: Sequence[str] | None = None) -> str:
    """Display name of the AI/ML specialist group that says which roles it sums."""
    group = catalog.AI_ML_SPECIALIST_ROLES if group_roles is None else tuple(group_roles)
    left_out = [r for r in catalog.AI_ML_SPECIALIST_ROLES if r not in group]
    names = ", ".join(catalog.role(r).label for r in group)
    label = f"AI/ML specialists ({names})"
    if left_out:
        label += " excl. small-base " + ", ".join(catalog.role(r).label for r in left_out)
    return label


def headline_roles(roles: Sequence[str], include_small_base: bool = False,
                   small_base: Sequence[str] | None = None) -> tuple[str, ...]:
    """``roles`` that may headline a ranking ("fastest-growing"): small-base roles only when
    the user includes them."""
    if include_small_base:
        return tuple(roles)
    if small_base is None:
        from forecasting.headcount import role_levels
        small_base = role_levels.small_base_roles()
    return tuple(r for r in roles if r not in small_base)


@dataclass(frozen=True)
class GroupGrowth:
    """A group of roles between two years of a projection (US people)."""

    roles: tuple[str, ...]
    label: str
    start_year: int
    end_year: int
    start: float
    end: float
    end_lo_80: float
    end_hi_80: float

    @property
    def added(self) -> float:
        return self.end - self.start

    @property
    def pct(self) -> float:
        return (self.end / self.start - 1.0) * 100.0 if self.start > 0 else float("nan")


def group_growth(projection: pd.DataFrame, roles: Sequence[str],
                 years: int = WEF_YEARS) -> GroupGrowth:
    """The group's level in the projection's first year and ``years`` later (summed over its
    roles and industries; bounds summed, i.e. roles treated as perfectly correlated)."""
    sel = projection[projection["role"].isin(list(roles))]
    by_year = sel.groupby("year")[["mean", "lo_80", "hi_80"]].sum()
    y0 = int(projection["year"].min())
    y1 = y0 + int(years)
    if y1 not in by_year.index:
        raise UserInputError(f"the projection ends before {y1}")
    return GroupGrowth(tuple(roles), group_label(roles), y0, y1,
                       float(by_year.loc[y0, "mean"]), float(by_year.loc[y1, "mean"]),
                       float(by_year.loc[y1, "lo_80"]), float(by_year.loc[y1, "hi_80"]))


def ranked(growth: pd.DataFrame, allowed: Sequence[str]) -> pd.DataFrame:
    """``growth`` (role, growth_pct_per_year, ...) restricted to ``allowed`` roles, fastest
    first (stable order on ties)."""
    out = growth[growth["role"].isin(list(allowed))]
    return out.sort_values("growth_pct_per_year", ascending=False, kind="stable").reset_index(drop=True)


def tied_with_top(ranking: pd.DataFrame, tolerance_pp: float = 0.05) -> list[str]:
    """Roles within ``tolerance_pp`` points a year of the top (roles on one OEWS trend tie)."""
    top = float(ranking["growth_pct_per_year"].iloc[0])
    return ranking.loc[(top - ranking["growth_pct_per_year"]).abs() < tolerance_pp, "role"].tolist()


def tie_note(ranking: pd.DataFrame) -> str | None:
    """The caption under the fastest-growing role when others tie with it (None: no tie)."""
    top = ranking["role"].iloc[0]
    others = [r for r in tied_with_top(ranking) if r != top]
    if not others:
        return None
    return ("Tied with " + " & ".join(catalog.role(r).label for r in others)
            + ": their levels rest on the same OEWS occupation trend.")


def ranking_horizon(projection: pd.DataFrame, wanted_years: int) -> int:
    """Years the growth ranking spans: the sidebar's horizon, at most what the projection holds."""
    return min(int(wanted_years), int(projection["year"].max()) - int(projection["year"].min()))


def base_occupation_pay(oews: pd.DataFrame, role_id: str) -> pd.Series:
    """The latest OEWS national row (``soc_title, year, a_median``...) of the role's base
    occupation, without hybrid-code years."""
    soc = catalog.role(role_id).base_soc
    rows = oews[(oews["soc"] == soc) & ~oews["hybrid"]]
    if rows.empty:
        raise UserInputError(f"OEWS national data has no row for SOC {soc} (role {role_id})")
    return rows.sort_values("year").iloc[-1]


def wef_comparison(group: GroupGrowth) -> str:
    """One sentence that sets WEF's rate beside ours and says why no jobs figure is."""
    a, b = WEF_PERIOD
    return (f"WEF's Future of Jobs 2023 expects +{WEF_GROWTH_TOTAL_PCT:.0f}% for AI and "
            f"ML specialists over {a}–{b}: a global rate (ASSUMPTION, as quoted in the seed "
            f"article), set beside our US {group.start_year}–{group.end_year} rate of "
            f"{group.pct:+.1f}%. Its jobs count is global and no shipped source gives the US "
            "share of it, so no US jobs figure is compared with it.")


def summary_markdown(group: GroupGrowth, ranking: pd.DataFrame, horizon: int, fmt_count,
                     pay: tuple[str, str, int] | None = None) -> str:
    """The Overview's "In short" paragraph; every number comes from the arguments.

    ``fmt_count`` formats a people count; ``pay`` is (occupation title, formatted median, year)
    for the fastest role's base occupation.
    """
    tied = tied_with_top(ranking)
    top, slow = ranking.iloc[0], ranking.iloc[-1]
    top_label = " & ".join(catalog.role(r).label for r in tied) + (" (tied)" if len(tied) > 1 else "")
    text = (f"**In short.** The statistical baseline projects the US {group.label} to go from "
            f"{fmt_count(group.start)} to {fmt_count(group.end)} people between May "
            f"{group.start_year} and {group.end_year} ({group.pct:+.1f}%), against WEF's +"
            f"{WEF_GROWTH_TOTAL_PCT:.0f}% for {WEF_PERIOD[0]}–"
            f"{WEF_PERIOD[1]}, a global rate. Over {horizon} years, **{top_label}** "
            f"{'grow' if len(tied) > 1 else 'grows'} fastest at {top['growth_pct_per_year']:+.1f}% "
            f"a year (80% interval {top['lo_80']:+.1f}% to {top['hi_80']:+.1f}%), and "
            f"**{catalog.role(slow['role']).label}** slowest at {slow['growth_pct_per_year']:+.1f}%.")
    if pay is not None:
        title, median, year = pay
        text += (f" {catalog.role(top['role']).label}'s base occupation, {title}, paid a median "
                 f"{median} in May {year}.")
    return text
