"""Industry mix of each role: OEWS natsector shares (May 2022-2024), split and projected.

Why: the product shows roles by industry (fintech = NAICS 52, healthtech = 62, automotive = a
share of 31-33 from NCSES, ...); OEWS publishes employment by occupation x sector, so each role
takes its base occupation's sector mix.

Trend: beyond the last natsector year a share moves by ``c(h) x`` its last annual change, with
``c(h) = k + k^2 + ... + k^h`` (a damped trend in the change). ``k`` is not chosen by hand: it
is the employment-weighted least-squares slope of each share's 2023->2024 change on its
2022->2023 change, over every detailed occupation x sector cell of the natsector files
(weighted least squares through the origin). On the shipped files ``k`` is about -0.05: share
changes do not persist (they slightly reverse, as sampling noise would), so projected shares stay
close to the 2024 mix.
Shares are clipped at 0 and renormalised, so they always sum to 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

#: |k| is kept below this: a share trend that compounds without limit is not credible.
from forecasting.core import catalog, errors
from forecasting.headcount import role_levels as rl
from forecasting.sources import files, oews, registry, tables

MAX_PERSISTENCE = 0.9


def automotive_share_of_manufacturing() -> float:
    """Share of NAICS 31-33 that is automotive (3361-63), by AI-using companies (NCSES CET-33).

    companies using AI = companies x (a lot + somewhat + a little) / 100.
    """
    nc = tables.load_ncses_ai_use()

    def using(code: str) -> float:
        row = nc[nc["naics_code"] == code]
        if len(row) != 1:
            raise errors.DataFileError(f"{registry.NCSES_FILE}: expected one row with naics {code!r}")
        r = row.iloc[0]
        return float(r["companies"] * (r["a_lot"] + r["somewhat"] + r["a_little"]) / 100.0)

    return using("3361–63") / using("31–33")


def automotive_assumption(share: float | None = None) -> str:
    """The automotive split as what it is: an assumption, with its basis and the data value."""
    basis = automotive_share_of_manufacturing()
    used = basis if share is None else float(share)
    head = (f"ASSUMPTION: automotive = {used:.2%} of each role's manufacturing (NAICS 31–33) "
            "employment")
    head += " (your override)." if share is not None else "."
    return (f"{head} Default basis: {basis:.2%} of AI-using manufacturing companies are in motor "
            "vehicles and parts (NAICS 3361–63; NCSES Annual Business Survey, table CET-33): "
            "a share of firms using AI, not of employment, since no shipped file splits "
            "manufacturing employment by subsector.")


def _check_auto(share: float | None) -> float:
    if share is None:
        return automotive_share_of_manufacturing()
    if not (0.0 <= float(share) <= 1.0) or not np.isfinite(share):
        raise errors.UserInputError(f"automotive share of manufacturing must be in [0, 1], got {share!r}")
    return float(share)


def _sector_mix(sector: pd.DataFrame, soc: str, year: int, auto: float) -> dict[str, float]:
    """Industry shares of one SOC in one natsector year; suppressed sectors ('**') count as 0."""
    s = sector[(sector["soc"] == soc) & (sector["year"] == year)].set_index("naics")["tot_emp"]
    s = s.fillna(0.0)
    total = float(s.sum())
    if total <= 0:
        raise ValueError(f"no natsector employment for {soc} in {year}")
    get = lambda n: float(s.get(n, 0.0)) / total
    mix = {"fintech": get(52), "healthtech": get(62), "automotive": auto * get(31),
           "manufacturing_other": (1.0 - auto) * get(31), "information": get(51),
           "professional_services": get(54)}
    mix["other"] = float(s[~s.index.isin(list(catalog.EXPLICIT_NAICS))].sum()) / total
    return mix


@dataclass(frozen=True)
class ShareTrend:
    """The fitted persistence ``k`` of annual changes in occupation x sector shares."""

    k: float
    se: float
    n_cells: int
    n_occupations: int
    years: tuple[int, int, int]

    def factor(self, h: int) -> float:
        """c(h) = k + k^2 + ... + k^h: how much of the last change is added after h years."""
        return float(sum(self.k ** j for j in range(1, max(int(h), 0) + 1)))

    @property
    def rule(self) -> str:
        a, b, c = self.years
        return (f"share(T+h) = share(T) + c(h) x (share(T) - share(T-1)), c(h) = k + ... + k^h, "
                f"k = {self.k:+.3f} (se {self.se:.3f}): WLS of {b}->{c} share changes on "
                f"{a}->{b} changes, {self.n_cells:,} occupation x sector cells")


#: A share trend whose long-run carry-forward |k / (1 - k)| is below this keeps the projected
#: mix "near" the last measured one (the label's wording; the numbers come from the fit).
HELD_NEAR = 0.25
#: |k| / se at or above this is "distinguishable from zero" (two-sided 95%, normal).
Z_95 = 1.96


def share_trend_summary(trend: ShareTrend) -> str:
    """Plain-language label of the projected industry mix, worded from the fitted ``k`` and its
    se (never typed): whether the mix stays near the last measured year and whether ``k`` can be
    told apart from zero."""
    first, mid, last = trend.years
    carry = trend.k / (1.0 - trend.k)  # c(h) as h grows: the long-run share of the last change
    held = abs(carry) < HELD_NEAR
    z = trend.k / trend.se if trend.se > 0 else float("inf") * np.sign(trend.k)
    if abs(z) < Z_95:
        signif = "not distinguishable from zero"
    else:
        signif = (f"{abs(z):.1f} se {'below' if z < 0 else 'above'} zero"
                  + (" but small" if held else ""))
    what = "reversed" if carry < 0 else "carried forward"
    where = (f"held near the {last} mix" if held
             else f"moving on with the {mid}→{last} change")
    return (f"Projected mix {where}: share trend k = {trend.k:+.3f}, se {trend.se:.3f}, {signif}; "
            f"in the long run {abs(carry):.0%} of the {mid}→{last} share change is {what} "
            f"(fitted on {trend.n_cells:,} occupation × sector cells, OEWS {first}–{last}).")


def fit_share_trend(panel: pd.DataFrame) -> ShareTrend:
    """Fit ``k`` on an occupation x sector panel (``year, soc, naics, tot_emp``; 3 years)."""
    years = sorted(int(y) for y in panel["year"].unique())[-3:]
    if len(years) < 3:
        raise errors.UserInputError("the share trend needs 3 natsector years")
    wide = panel[panel["year"].isin(years)].pivot_table(
        index=["soc", "naics"], columns="year", values="tot_emp", aggfunc="sum").fillna(0.0)
    tot = wide.groupby(level="soc").transform("sum")
    keep = (tot > 0).all(axis=1)
    wide, tot = wide[keep], tot[keep]
    share = wide / tot
    d1 = (share[years[1]] - share[years[0]]).to_numpy()
    d2 = (share[years[2]] - share[years[1]]).to_numpy()
    w = tot[years[1]].to_numpy()
    # weighted least squares through the origin, closed form (one coefficient: importing
    # statsmodels' regression module would add ~0.9 s to the dashboard's first chart)
    sxx = float(np.sum(w * d1 * d1))
    if not sxx > 0:
        raise errors.UserInputError("the share trend needs share changes between the first two years")
    k_hat = float(np.sum(w * d1 * d2)) / sxx
    resid = d2 - k_hat * d1
    se = float(np.sqrt(np.sum(w * resid ** 2) / max(len(d1) - 1, 1) / sxx))
    k = float(np.clip(k_hat, -MAX_PERSISTENCE, MAX_PERSISTENCE))
    return ShareTrend(k, se, len(d1),
                      int(wide.index.get_level_values("soc").nunique()), tuple(years))


@lru_cache(maxsize=4)
def _share_trend_cached(key: str) -> ShareTrend:
    return fit_share_trend(oews.load_oews_sector_panel())


def share_trend() -> ShareTrend:
    """The share-trend persistence fitted on the shipped natsector files (memoised)."""
    return _share_trend_cached(files.data_hash())


def industry_shares(years: list[int] | None = None,
                    automotive_share: float | None = None) -> pd.DataFrame:
    """role, industry, year, share, sector_year, basis. Shares sum to 1 per role and year.

    Natsector years (2022-2024) take that year's mix of the role's base SOC; earlier years the
    first natsector year's; later years the last mix moved by the fitted share trend.
    """
    auto = _check_auto(automotive_share)
    sector = oews.load_oews_sector()
    have = sorted(int(y) for y in sector["year"].unique())
    if years is None:
        years = sorted(rl.role_levels()["year"].unique().tolist())
    trend = share_trend() if len(have) >= 2 and max(int(y) for y in years) > have[-1] else None
    rows = []
    for r in catalog.ROLES:
        last = _sector_mix(sector, r.base_soc, have[-1], auto)
        prev = _sector_mix(sector, r.base_soc, have[-2], auto) if len(have) >= 2 else last
        for y in years:
            y = int(y)
            if y > have[-1] and trend is not None:
                c = trend.factor(y - have[-1])
                mix = {k: max(v + c * (v - prev[k]), 0.0) for k, v in last.items()}
                tot = sum(mix.values())
                mix = {k: v / tot for k, v in mix.items()}
                sy, basis = have[-1], f"{have[-1]} mix + share trend, h={y - have[-1]}"
            else:
                sy = min(have, key=lambda h: (abs(h - y), -h))
                mix = _sector_mix(sector, r.base_soc, sy, auto)
                basis = f"natsector {sy}"
            for ind, sh in mix.items():
                rows.append({"role": r.role_id, "industry": ind, "year": y, "share": sh,
                             "sector_year": sy, "basis": basis})
    return pd.DataFrame(rows)


def role_industry_history(automotive_share: float | None = None,
                          measured_only: bool = False) -> pd.DataFrame:
    """role, industry, year, headcount = role level x industry share (sums to the role).

    ``measured_only`` keeps the years whose mix is measured (the natsector years, 2022-2024):
    other years borrow the nearest measured mix, so only these show how industries differed.
    """
    lv = rl.role_levels()
    sh = industry_shares(sorted(lv["year"].unique().tolist()), automotive_share)
    if measured_only:
        sh = sh[sh["year"] == sh["sector_year"]]
    out = sh.merge(lv[["role", "year", "headcount"]], on=["role", "year"], validate="m:1")
    out["headcount"] = out["headcount"] * out["share"]
    return out[["role", "industry", "year", "headcount"]].reset_index(drop=True)
