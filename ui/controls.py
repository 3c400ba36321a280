"""Growth-assumption widgets shared by pages (demand forecast today).

The Assumptions value in ``st.session_state["assumptions"]`` is the single source of truth:
widgets are synced *from* it before they are drawn and write *to* it in their callbacks, so the
sidebar, the Scenarios page and a shared link never disagree with these sliders.
"""

from __future__ import annotations

import streamlit as st

from forecasting import catalog, scenarios
from ui import data

#: Slider ranges (wider values are still accepted from links/presets: the range stretches).
ROLE_RANGE = {"per_year": (-20.0, 40.0), "total": (-60.0, 300.0)}
INDUSTRY_RANGE = {"per_year": (-10.0, 10.0), "total": (-50.0, 100.0)}


def assumptions() -> scenarios.Assumptions:
    a = st.session_state.get("assumptions")
    if a is None:
        a = st.session_state["assumptions"] = scenarios.preset("baseline")
    return a


def _unit(mode: str) -> str:
    return "% per year" if mode == "per_year" else "% over the horizon"


def model_growth(role_id: str, a: scenarios.Assumptions) -> float:
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
        st.toast("Blend weight set to 1 so your role growth takes effect.")
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
    st.session_state["assumptions"] = scenarios.preset(a.preset).with_changes(
        horizon_years=a.horizon_years)


def _slider(label: str, key: str, value: float, rng: tuple[float, float], on_change, args=(),
            help: str | None = None, container=st) -> None:
    lo, hi = min(rng[0], value), max(rng[1], value)
    st.session_state[key] = float(value)
    container.slider(label, float(lo), float(hi), step=0.1, key=key, on_change=on_change,
                     args=args, format="%.1f%%", help=help)


def growth_controls(roles: tuple[str, ...] | list[str], industries: tuple[str, ...] | list[str]) -> None:
    """Blend weight, per-role and per-industry growth sliders, and a reset button (compact: meant
    for a narrow column next to the chart they move)."""
    a = assumptions()
    unit = _unit(a.growth_mode)
    st.session_state["gc_blend"] = float(a.blend_weight)
    st.slider("Blend weight: 0 = model trend, 1 = your role growth", 0.0, 1.0, step=0.05,
              key="gc_blend", on_change=_set_blend)
    tab_roles, tab_inds = st.tabs(["Role growth", "Industry adjustment"])
    tab_roles.caption(f"{unit}; starts at the model's own trend")
    role_map = a.role_growth_map
    for r in roles:
        _slider(catalog.role(r).label, f"gc_role_{r}", role_map.get(r, model_growth(r, a)),
                ROLE_RANGE[a.growth_mode], _set_role, (r,), container=tab_roles)
    tab_inds.caption(f"percentage points, {unit}, added to every role in the industry")
    ind_map = a.industry_growth_map
    for i in industries:
        _slider(catalog.industry(i).label, f"gc_ind_{i}", ind_map.get(i, 0.0),
                INDUSTRY_RANGE[a.growth_mode], _set_industry, (i,), container=tab_inds)
    st.button("Reset to preset", on_click=_reset, key="gc_reset",
              help=f"Back to the '{a.label}' preset values (keeps the horizon).")
