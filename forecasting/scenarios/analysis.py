"""What the Scenarios page and ``forecasting scenario --compare`` show beside a projection:
scenarios compared (with role, industry and AI/ML-group totals), the comparison table of rates,
the tornado of levers and the decomposition of the change.

Why apart from the engine: these re-run the engine (``engine.project``) and read its arrays;
the engine itself knows nothing of groups, tables or charts. Totals are the bottom-up sums of
``core.totals.with_totals``; rates are set beside rates only (WEF's +40% is a global count).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from forecasting.core import catalog, totals
from forecasting.core.errors import UserInputError
from forecasting.core.totals import AI_ML_GROUP, ALL
from forecasting.scenarios.assumptions import (
    CAP_RANGE,
    INDUSTRY_GROWTH_RANGE,
    ROLE_GROWTH_RANGE,
    SHOCK_PCT_RANGE,
    Assumptions,
    automotive_share_used,
)
from forecasting.scenarios.engine import PreparedBaseline, apply_scenario, prepare, project
from forecasting.scenarios.presets import WEF_GROWTH_TOTAL_PCT, WEF_YEARS, bls_annual_growth_pct, preset


def _select_value(prep: PreparedBaseline, a: Assumptions, role: str, industry: str, year: int,
                  group_roles: Sequence[str] | None = None) -> float:
    years, out = project(prep, a)
    mask = _cell_mask(prep, role, industry, group_roles)
    col = int(np.searchsorted(years, year))
    if col >= len(years) or years[col] != year:
        raise UserInputError(f"year {year} is outside the scenario years {years[0]}-{years[-1]}")
    return float(out["mean"][mask, col].sum())


def _group(group_roles: Sequence[str] | None) -> tuple[str, ...]:
    return catalog.AI_ML_SPECIALIST_ROLES if group_roles is None else tuple(group_roles)


def _cell_mask(prep: PreparedBaseline, role: str, industry: str,
               group_roles: Sequence[str] | None = None) -> np.ndarray:
    if role == AI_ML_GROUP:
        rmask = np.isin(prep.roles, _group(group_roles))
    elif role == ALL:
        rmask = np.ones(len(prep.roles), bool)
    else:
        if role not in catalog.ROLE_IDS:
            raise UserInputError(f"unknown role {role!r}; valid: {', '.join((ALL, AI_ML_GROUP) + catalog.ROLE_IDS)}")
        rmask = prep.roles == role
    if industry == ALL:
        return rmask
    if industry not in catalog.INDUSTRY_IDS:
        raise UserInputError(f"unknown industry {industry!r}; valid: {', '.join((ALL,) + catalog.INDUSTRY_IDS)}")
    return rmask & (prep.industries == industry)


# --------------------------------------------------------------------------- comparison
def compare(baseline: pd.DataFrame | PreparedBaseline, scenarios: Sequence[Assumptions],
            group_roles: Sequence[str] | None = None) -> pd.DataFrame:
    """Up to four scenarios in one long frame, with role/industry totals (``all``) and the
    ``ai_ml_specialists`` group rows (``group_roles``; default every AI/ML specialist role)
    added by ``core.totals.with_totals``; the ``scenario`` column tells them apart. Rows come
    scenario by scenario, in the order given."""
    if not 1 <= len(scenarios) <= 4:
        raise UserInputError(f"compare takes 1 to 4 scenarios, got {len(scenarios)}")
    prep = prepare(baseline)
    labels = _unique_labels(scenarios)
    cells = pd.concat([apply_scenario(prep, a).assign(scenario=label)
                       for a, label in zip(scenarios, labels)], ignore_index=True)
    long = totals.with_totals(cells, ai_ml_roles=_group(group_roles))
    order = np.argsort(long["scenario"].map({label: k for k, label in enumerate(labels)})
                       .to_numpy(), kind="stable")
    return long.iloc[order].reset_index(drop=True)


def reference_band(baseline: pd.DataFrame | PreparedBaseline, a: Assumptions, role: str = ALL,
                   industry: str = ALL, group_roles: Sequence[str] | None = None) -> pd.DataFrame:
    """``year, mean, lo_80, hi_80, lo_95, hi_95`` of the statistical baseline over ``a``'s years
    (same automotive share): the model uncertainty a compare chart shows for reference."""
    ref = preset("baseline").with_changes(automotive_share=a.automotive_share).aligned(
        a.start_year, a.horizon_years)
    prep = prepare(baseline)
    years, out = project(prep, ref)
    mask = _cell_mask(prep, role, industry, group_roles)  # the cells compare's total row sums
    bands = ("mean", "lo_80", "hi_80", "lo_95", "hi_95")
    return pd.DataFrame({"year": years.astype(int), **{b: out[b][mask].sum(axis=0) for b in bands}})


def _unique_labels(scenarios: Sequence[Assumptions]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for a in scenarios:
        label = a.label
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


TABLE_COLUMNS = ["scenario", "role", "industry", "year_0", "year_n", "jobs_year_n", "jobs_added", "cagr_pct",
                 "bls_cagr_pct", "growth_5y_pct", "wef_growth_5y_pct"]


def comparison_table(baseline: pd.DataFrame | PreparedBaseline, scenarios: Sequence[Assumptions],
                     group_roles: Sequence[str] | None = None,
                     bls_cagr: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One row per scenario and role (every role, the AI/ML group, all roles; industry ``all``).

    Rates are compared with rates, never US jobs with WEF's global count: ``cagr_pct`` beside
    BLS's CAGR for the role's occupation (``bls_cagr_pct``, role rows only), and the 5-year %
    growth (``growth_5y_pct``, NaN when the horizon is shorter) beside WEF's +40%
    (``wef_growth_5y_pct``, AI/ML group rows only). Jobs are US jobs.
    """
    return summarize(compare(baseline, scenarios, group_roles), bls_cagr)


def summarize(long: pd.DataFrame, bls_cagr: Mapping[str, float] | None = None) -> pd.DataFrame:
    """``comparison_table`` from an existing ``compare`` frame (saves a second engine run).
    ``bls_cagr``: role -> BLS 2024-34 % per year (default: read from the shipped BLS EP file)."""
    if bls_cagr is None:
        bls_cagr = bls_annual_growth_pct()
    tot = long[long["industry"] == ALL].sort_values("year", kind="stable")
    g = tot.groupby(["scenario", "role"], sort=False)
    out = pd.DataFrame({"y0": g["year"].first(), "year_n": g["year"].last(),
                        "start": g["mean"].first(), "jobs_year_n": g["mean"].last()}).reset_index()
    at5 = tot.merge(out[["scenario", "role", "y0"]], on=["scenario", "role"])
    at5 = at5[at5["year"] == at5["y0"] + WEF_YEARS].set_index(["scenario", "role"])["mean"]
    n = (out["year_n"] - out["y0"]).to_numpy(float)
    start, end = out["start"].to_numpy(float), out["jobs_year_n"].to_numpy(float)
    five = at5.reindex(pd.MultiIndex.from_frame(out[["scenario", "role"]])).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cagr = np.where((start > 0) & (n > 0), ((end / start) ** (1 / n) - 1) * 100, 0.0)
        growth5 = np.where(start > 0, (five / start - 1) * 100, np.nan)
    out["industry"] = ALL
    out["jobs_added"] = end - start
    out["cagr_pct"] = cagr
    out["bls_cagr_pct"] = out["role"].map(lambda r: bls_cagr.get(r, np.nan)).astype(float)
    out["growth_5y_pct"] = growth5
    out["wef_growth_5y_pct"] = np.where(out["role"] == AI_ML_GROUP, WEF_GROWTH_TOTAL_PCT, np.nan)
    out["year_0"] = out["y0"].astype(int)
    out["year_n"] = out["year_n"].astype(int)
    return out[TABLE_COLUMNS]


# --------------------------------------------------------------------------- tornado
def tornado_variants(assumptions: Assumptions, role: str = ALL, industry: str = ALL,
                     group_roles: Sequence[str] | None = None
                     ) -> list[tuple[str, str, Assumptions, Assumptions]]:
    """(assumption, step_label, low, high) Assumptions for each lever, moved by a fixed step."""
    a = assumptions
    out = []

    def clip(x, lo, hi):
        return min(max(x, lo), hi)

    out.append(("Blend weight", "±0.25",
                a.with_changes(blend_weight=clip(a.blend_weight - 0.25, 0, 1)),
                a.with_changes(blend_weight=clip(a.blend_weight + 0.25, 0, 1))))
    step = 2.0 if a.growth_mode == "per_year" else 10.0
    unit = "pp/yr" if a.growth_mode == "per_year" else "pp total"
    rg = a.role_growth_map
    targets = [r for r in rg if role in (ALL, r)
               or (role == AI_ML_GROUP and r in _group(group_roles))]
    if targets:
        lo_r, hi_r = ROLE_GROWTH_RANGE[a.growth_mode]
        low = {**rg, **{r: clip(rg[r] - step, lo_r, hi_r) for r in targets}}
        high = {**rg, **{r: clip(rg[r] + step, lo_r, hi_r) for r in targets}}
        out.append(("Role growth anchor", f"±{step:g} {unit}",
                     a.with_changes(role_growth=low), a.with_changes(role_growth=high)))
    ig = a.industry_growth_map
    istep = 1.0 if a.growth_mode == "per_year" else 5.0
    inds = catalog.INDUSTRY_IDS if industry == ALL else (industry,)
    lo_i, hi_i = INDUSTRY_GROWTH_RANGE[a.growth_mode]
    out.append(("Industry adjustment", f"±{istep:g} {unit}",
                a.with_changes(industry_growth={**ig, **{i: clip(ig.get(i, 0.0) - istep, lo_i, hi_i)
                                                         for i in inds}}),
                a.with_changes(industry_growth={**ig, **{i: clip(ig.get(i, 0.0) + istep, lo_i, hi_i)
                                                         for i in inds}})))
    shock_year = a.shock_year if a.shock_year is not None else a.start_year + 1
    out.append(("Adoption shock", f"±5 pp in {shock_year}",
                a.with_changes(shock_year=shock_year,
                               shock_pct=clip(a.shock_pct - 5, *SHOCK_PCT_RANGE)),
                a.with_changes(shock_year=shock_year,
                               shock_pct=clip(a.shock_pct + 5, *SHOCK_PCT_RANGE))))
    if a.role_cap:
        caps = a.role_cap_map
        out.append(("Saturation cap", "±25%",
                    a.with_changes(role_cap={r: clip(c * 0.75, *CAP_RANGE) for r, c in caps.items()}),
                    a.with_changes(role_cap={r: clip(c * 1.25, *CAP_RANGE) for r, c in caps.items()})))
    if industry in ("automotive", "manufacturing_other"):
        share = automotive_share_used(a.automotive_share)
        out.append(("Automotive share of manufacturing", "±0.05",
                    a.with_changes(automotive_share=clip(share - 0.05, 0, 1)),
                    a.with_changes(automotive_share=clip(share + 0.05, 0, 1))))
    return out


def tornado(baseline: pd.DataFrame | PreparedBaseline, assumptions: Assumptions,
            role: str = ALL, industry: str = ALL, year: int | None = None,
            group_roles: Sequence[str] | None = None) -> pd.DataFrame:
    """``assumption, step_label, value_low, value_high, base_value``, largest swing first.

    Each bar is a direct re-run of the engine with one lever moved down/up by its step; the value
    is the headcount of ``role`` x ``industry`` (``all``/``ai_ml_specialists`` allowed) in ``year``.
    """
    prep = prepare(baseline)
    year = assumptions.end_year if year is None else year
    base = _select_value(prep, assumptions, role, industry, year, group_roles)
    rows = [{"assumption": name, "step_label": label,
             "value_low": _select_value(prep, lo, role, industry, year, group_roles),
             "value_high": _select_value(prep, hi, role, industry, year, group_roles),
             "base_value": base}
            for name, label, lo, hi in tornado_variants(assumptions, role, industry, group_roles)]
    df = pd.DataFrame(rows, columns=["assumption", "step_label", "value_low", "value_high",
                                     "base_value"])
    swing = (df["value_high"] - df["value_low"]).abs()
    return df.loc[swing.sort_values(ascending=False, kind="stable").index].reset_index(drop=True)


# --------------------------------------------------------------------------- decomposition
DECOMPOSITION_COMPONENTS = ("data trend", "anchor", "shock", "cap")


def decomposition_steps(a: Assumptions) -> list[Assumptions]:
    """Cumulative assumption sets: data trend only, + anchors/industry, + shock, + cap (= a)."""
    no_cap = a.with_changes(role_cap=())
    no_shock = no_cap.with_changes(shock_year=None, shock_pct=0.0)
    data_only = no_shock.with_changes(blend_weight=0.0, industry_growth=())
    return [data_only, no_shock, no_cap, a]


def decomposition(baseline: pd.DataFrame | PreparedBaseline, assumptions: Assumptions,
                  role: str = ALL, industry: str = ALL,
                  group_roles: Sequence[str] | None = None) -> pd.DataFrame:
    """``year, component, value``: the change from the start year split into data trend, anchor
    (incl. industry adjustments), shock and cap; per year the four values sum to the total change.
    Computed by switching the levers on one at a time, so the split is exact (telescoping)."""
    prep = prepare(baseline)
    mask = _cell_mask(prep, role, industry, group_roles)
    paths = []
    for step in decomposition_steps(assumptions):
        years, out = project(prep, step)
        paths.append(out["mean"][mask].sum(axis=0))
    start = paths[0][0]
    parts = [paths[0] - start] + [paths[k] - paths[k - 1] for k in range(1, 4)]
    rows = [{"year": int(y), "component": comp, "value": float(part[j])}
            for comp, part in zip(DECOMPOSITION_COMPONENTS, parts) for j, y in enumerate(years)]
    return pd.DataFrame(rows, columns=["year", "component", "value"])
