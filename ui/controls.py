"""Growth-assumption widgets shared by pages (demand forecast today).

The Assumptions value in ``st.session_state["assumptions"]`` is the single source of truth:
widgets are synced *from* it before they are drawn and write *to* it in their callbacks, so the
sidebar, the Scenarios page and a shared link never disagree with these sliders.
"""

from __future__ import annotations

import streamlit as st

from forecasting.core import catalog
from forecasting.core.totals import AI_ML_GROUP
from forecasting.scenarios import presets
from forecasting.scenarios.assumptions import (
    CAP_RANGE,
    GROWTH_MODES,
    SHOCK_PCT_RANGE,
    WAGE_RANGE,
    Assumptions,
    automotive_share_used,
    start_year_range,
)
from ui import data

#: Column labels of the scenario comparison table (forecasting.scenarios.analysis.TABLE_COLUMNS).
COMPARE_COLUMNS = {
    "scenario": st.column_config.TextColumn("Scenario"),
    "role": st.column_config.TextColumn("Role"),
    "industry": None,  # always "all" in the table
    "year_0": st.column_config.NumberColumn("From", format="%d", width="small"),
    "year_n": st.column_config.NumberColumn("To", format="%d", width="small"),
    "jobs_year_n": st.column_config.NumberColumn("US jobs, year N", format="%,.0f"),
    "jobs_added": st.column_config.NumberColumn("US jobs added", format="%+,.0f"),
    "cagr_pct": st.column_config.NumberColumn("CAGR", format="%.2f%%", width="small"),
    "bls_cagr_pct": st.column_config.NumberColumn(
        "BLS CAGR", format="%.2f%%", width="small",
        help=f"BLS Employment Projections {presets.BLS_EP_PERIOD[0]}–{presets.BLS_EP_PERIOD[1] % 100:02d} "
             "for the role's occupation, as a rate per year."),
    "growth_5y_pct": st.column_config.NumberColumn(
        "5-yr growth", format="%+.1f%%", width="small",
        help="% growth over the first 5 years of the scenario."),
    "wef_growth_5y_pct": st.column_config.NumberColumn(
        "WEF 5-yr", format="%+.0f%%", width="small",
        help=f"WEF Future of Jobs 2023: AI and ML specialists +{presets.WEF_GROWTH_TOTAL_PCT:g}% over "
             f"{presets.WEF_PERIOD[0]}–{presets.WEF_PERIOD[1] % 100:02d}, a GLOBAL count "
             "(assumption, as quoted in the seed article). Compared as a rate only."),
}

def role_names() -> dict[str, str]:
    """Role ids -> labels for tables, with the two group rows."""
    return {"all": "All roles", AI_ML_GROUP: "AI/ML specialists",
            **{r.role_id: r.label for r in catalog.ROLES}}


#: Slider ranges (wider values are still accepted from links/presets: the range stretches).
ROLE_RANGE = {"per_year": (-20.0, 40.0), "total": (-60.0, 300.0)}
INDUSTRY_RANGE = {"per_year": (-10.0, 10.0), "total": (-50.0, 100.0)}


def assumptions() -> Assumptions:
    a = st.session_state.get("assumptions")
    if a is None:
        a = st.session_state["assumptions"] = presets.preset("baseline")
    return a


def _unit(mode: str) -> str:
    return "% per year" if mode == "per_year" else "% over the horizon"


def model_growth(role_id: str, a: Assumptions) -> float:
    """The baseline's own growth for a role, in the assumption's growth mode (slider default)."""
    per_year = float(data.baseline_growth_pct().get(role_id, 0.0))
    if a.growth_mode == "per_year":
        return round(per_year, 1)
    return round(((1 + per_year / 100) ** a.horizon_years - 1) * 100, 1)


def _set_role(role_id: str) -> None:
    a = assumptions()
    growth = {**a.role_growth_map, role_id: float(st.session_state[f"gc_role_{role_id}"])}
    changes = {"role_growth": tuple(growth.items())}
    if a.blend_weight == 0:  # otherwise the role growth would have no effect at all
        changes["blend_weight"] = 1.0
        st.session_state["gc_blend_set"] = True  # the toast is shown by role_controls: an
        # element drawn in a callback of a fragment rerun would land outside the fragment
    st.session_state["assumptions"] = a.with_changes(**changes)


def _set_industry(industry_id: str) -> None:
    a = assumptions()
    growth = {**a.industry_growth_map, industry_id: float(st.session_state[f"gc_ind_{industry_id}"])}
    st.session_state["assumptions"] = a.with_changes(industry_growth=tuple(growth.items()))


def _set_blend() -> None:
    st.session_state["assumptions"] = assumptions().with_changes(
        blend_weight=float(st.session_state["gc_blend"]))


def _reset() -> None:
    a = assumptions()
    st.session_state["assumptions"] = presets.preset(a.preset).with_changes(
        horizon_years=a.horizon_years)


def _slider(label: str, key: str, value: float, rng: tuple[float, float], on_change, args=(),
            help: str | None = None, container=st) -> None:
    lo, hi = min(rng[0], value), max(rng[1], value)
    st.session_state[key] = float(value)
    # value= as well: without it Streamlit builds a dict of the whole session state for every
    # slider to learn the value's type (~0.3 ms each, ten sliders a lever move)
    container.slider(label, float(lo), float(hi), value=float(value), step=0.1, key=key,
                     on_change=on_change, args=args, format="%.1f%%", help=help)


def role_controls(roles: tuple[str, ...] | list[str], container=st) -> None:
    """Blend weight and per-role growth sliders, and a reset button."""
    if st.session_state.pop("gc_blend_set", False):
        st.toast("Blend weight set to 1 so your role growth takes effect.")
    a = assumptions()
    unit = _unit(a.growth_mode)
    st.session_state["gc_blend"] = float(a.blend_weight)
    container.slider("Blend weight: 0 = model trend, 1 = your role growth", 0.0, 1.0,
                     value=float(a.blend_weight), step=0.05, key="gc_blend", on_change=_set_blend)
    window = ("the horizon" if a.anchor_years is None or a.extend_anchor
              else f"the first {a.anchor_window} years, then the baseline's growth")
    container.caption(f"{unit}; starts at the model's own trend; applies over {window}")
    role_map = a.role_growth_map
    for r in roles:
        _slider(catalog.role(r).label, f"gc_role_{r}", role_map.get(r, model_growth(r, a)),
                ROLE_RANGE[a.growth_mode], _set_role, (r,), container=container)
    container.button("Reset to preset", on_click=_reset, key="gc_reset",
                     help=f"Back to the '{a.label}' preset values (keeps the horizon).")


def industry_controls(industries: tuple[str, ...] | list[str], container=st) -> None:
    """Per-industry growth adjustments and the automotive-share assumption."""
    a = assumptions()
    container.caption(f"percentage points, {_unit(a.growth_mode)}, added to every role in the "
                      "industry")
    ind_map = a.industry_growth_map
    for i in industries:
        _slider(catalog.industry(i).label, f"gc_ind_{i}", ind_map.get(i, 0.0),
                INDUSTRY_RANGE[a.growth_mode], _set_industry, (i,), container=container)
    if "automotive" in industries or "manufacturing_other" in industries:
        automotive_control(container)


def _toggle_auto() -> None:
    share = automotive_share_used(None) if st.session_state["gc_auto"] else None
    st.session_state["assumptions"] = assumptions().with_changes(automotive_share=share)


def automotive_control(container=st) -> None:
    """Override of the automotive share of manufacturing, labelled as the assumption it is."""
    a = assumptions()
    st.session_state["gc_auto"] = a.automotive_share is not None
    container.checkbox("Override automotive share", key="gc_auto",
                       on_change=_toggle_auto)
    if a.automotive_share is not None:
        st.session_state["gc_auto_share"] = a.automotive_share
        container.slider("Automotive share", 0.0, 1.0, value=float(a.automotive_share),
                         step=0.005, key="gc_auto_share",
                         format="%.3f", on_change=lambda: st.session_state.update(
                             assumptions=assumptions().with_changes(
                                 automotive_share=st.session_state["gc_auto_share"])))
    container.caption(data.automotive_assumption(a.automotive_share))


def growth_controls(roles: tuple[str, ...] | list[str], industries: tuple[str, ...] | list[str]) -> None:
    """Role and industry levers in two tabs (compact: for a column next to the chart they move)."""
    tab_roles, tab_inds = st.tabs(["Role growth", "Industry adjustment"])
    role_controls(roles, tab_roles)
    industry_controls(industries, tab_inds)


def include_small_base() -> bool:
    """Checkbox: small-base roles in headline totals and rankings (one setting for all pages)."""
    from forecasting.headcount import role_levels
    small = data.small_base_roles()  # cached: ~16 ms a call, every Overview/Scenarios run
    if not small:
        return True
    names = ", ".join(catalog.role(r).label for r in small)
    st.session_state["gc_small_base"] = bool(st.session_state.get("include_small_base", False))
    st.checkbox(f"Include small-base roles ({names}) in headline totals", key="gc_small_base",
                on_change=lambda: st.session_state.update(
                    include_small_base=st.session_state["gc_small_base"]),
                help=f"{names}: the level rests on fewer than {role_levels.SMALL_BASE_MIN_RECORDS} "
                     "job-title records, so it is left out of the fastest-growing pick and of "
                     "group totals unless you include it.")
    return bool(st.session_state.get("include_small_base", False))


def _set(**changes) -> None:
    st.session_state["assumptions"] = assumptions().with_changes(**changes)


def _toggle_shock() -> None:
    cur = assumptions()
    _set(shock_year=cur.start_year + 1 if st.session_state["sc_shock_on"] else None,
         shock_pct=cur.shock_pct or 10.0)


def _set_cap(role_id: str) -> None:
    caps = {k: v for k, v in assumptions().role_cap_map.items() if k != role_id}
    if st.session_state["sc_cap"] >= 1:
        caps[role_id] = float(st.session_state["sc_cap"])
    _set(role_cap=caps)


def anchor_control(container=st) -> None:
    """After an anchor's own years (WEF 5, BLS 10): the baseline's growth, or the anchor's rate."""
    a = assumptions()
    if a.anchor_years is None or not a.role_growth:
        return
    st.session_state["sc_extend"] = a.extend_anchor
    container.checkbox(f"Keep the anchor's rate after its {a.anchor_years} years", key="sc_extend",
                       on_change=lambda: _set(extend_anchor=st.session_state["sc_extend"]),
                       help="Off (default): after the anchor's period each role grows at the "
                            "statistical baseline's rate. On: the anchor's rate continues.")


def scenario_levers() -> None:
    """The Scenarios page's further levers: growth mode, start year, anchor period, shock,
    saturation cap, wage growth (the automotive share sits with the industry levers)."""
    a = assumptions()
    c1, c2, c3 = st.columns(3)
    st.session_state["sc_mode"] = a.growth_mode
    c1.radio("Growth values are", GROWTH_MODES, key="sc_mode", horizontal=True,
             format_func=lambda m: "% per year" if m == "per_year" else "% over the horizon",
             on_change=lambda: st.session_state.update(
                 assumptions=assumptions().in_mode(st.session_state["sc_mode"])))
    st.session_state["sc_start"] = a.start_year
    first, last = start_year_range()
    c2.selectbox("Start year", list(range(first, last + 1)), key="sc_start",
                 on_change=lambda: _set(start_year=st.session_state["sc_start"], shock_year=None))
    anchor_control(c2)
    st.session_state["sc_shock_on"] = a.shock_year is not None
    c3.checkbox("One-off adoption shock", key="sc_shock_on", on_change=_toggle_shock)
    if a.shock_year is not None:
        st.session_state["sc_shock_year"], st.session_state["sc_shock_pct"] = a.shock_year, a.shock_pct
        c3.slider("Shock year", a.start_year + 1, a.end_year, key="sc_shock_year",
                  on_change=lambda: _set(shock_year=st.session_state["sc_shock_year"]))
        c3.slider("Shock size (% jump)", *SHOCK_PCT_RANGE, step=1.0, key="sc_shock_pct",
                  on_change=lambda: _set(shock_pct=st.session_state["sc_shock_pct"]))
    cap_role = c1.selectbox("Saturation cap for", catalog.ROLE_IDS, key="sc_cap_role",
                            format_func=lambda r: catalog.role(r).label)
    st.session_state["sc_cap"] = float(a.role_cap_map.get(cap_role, 0.0))
    c1.number_input("Ceiling (people; 0 = no cap)", 0.0, CAP_RANGE[1], step=1000.0,
                    key="sc_cap", on_change=_set_cap, args=(cap_role,))
    st.session_state["sc_wage"] = a.wage_growth_pct_per_year if a.wage_growth_pct_per_year is not None else 0.0
    c3.number_input("Wage growth (% per year, for salary projection)", *WAGE_RANGE, step=0.1,
                    key="sc_wage", on_change=lambda: _set(wage_growth_pct_per_year=st.session_state["sc_wage"]))
