"""The shared sidebar: scenario preset, horizon and role/industry filters.

It is drawn by dashboard.py before any page runs, so every page reads the same choices with
``current()``. The scenario itself (an Assumptions value) lives in
``st.session_state["assumptions"]``; the selector only replaces it when the user picks a preset,
so a scenario restored from a shared link is not overwritten on first load.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from forecasting.core import catalog
from forecasting.scenarios import presets as scenarios
from ui.url_state import escape_md

BASELINE_LABEL = "Statistical baseline"


@dataclass(frozen=True)
class SidebarState:
    scenario: str
    horizon_years: int
    roles: tuple[str, ...]
    industries: tuple[str, ...]


def preset_ids() -> list[str]:
    return list(scenarios.PRESET_IDS)


def preset_title(preset_id: str) -> str:
    return scenarios.PRESETS[preset_id].title if preset_id in scenarios.PRESETS else BASELINE_LABEL


def _apply_preset() -> None:
    a = scenarios.preset(st.session_state["sb_scenario"])
    st.session_state["assumptions"] = a
    st.session_state["sb_horizon"] = a.horizon_years


def _apply_horizon() -> None:
    a = st.session_state.get("assumptions")
    if a is not None and hasattr(a, "with_changes"):
        st.session_state["assumptions"] = a.with_changes(horizon_years=int(st.session_state["sb_horizon"]))


def render() -> SidebarState:
    """Draw the sidebar widgets and return (and remember) the current choices.

    The Assumptions in session state are the single source of truth: the widgets are synced
    from them before drawing (another page or a shared link may have changed them)."""
    ids = preset_ids()
    a = st.session_state.get("assumptions")
    if a is None:
        a = st.session_state["assumptions"] = scenarios.preset("baseline")
    st.session_state["sb_scenario"] = a.preset if a.preset in ids else ids[0]
    st.session_state["sb_horizon"] = int(a.horizon_years)
    st.session_state.setdefault("sb_scenario", ids[0])
    st.session_state.setdefault("sb_horizon", 5)
    with st.sidebar:
        st.subheader("Scenario")
        st.selectbox("Scenario preset", ids, key="sb_scenario", on_change=_apply_preset,
                     format_func=preset_title,
                     help="A starting set of growth assumptions; edit them on the Demand "
                          "forecast or Scenarios page.")
        if a.name:
            st.caption(f"Edited scenario: {escape_md(a.name)}")  # user-typed name
        st.slider("Horizon (years)", 1, 10, key="sb_horizon", on_change=_apply_horizon)
        st.subheader("Filters")
        roles = st.multiselect("Roles", catalog.ROLE_IDS, default=list(catalog.ROLE_IDS),
                               format_func=lambda r: catalog.role(r).label, key="sb_roles")
        industries = st.multiselect("Industries", catalog.INDUSTRY_IDS,
                                    default=list(catalog.INDUSTRY_IDS),
                                    format_func=lambda i: catalog.industry(i).label,
                                    key="sb_industries")
    state = SidebarState(scenario=st.session_state["sb_scenario"],
                         horizon_years=int(st.session_state["sb_horizon"]),
                         roles=tuple(roles) or catalog.ROLE_IDS,
                         industries=tuple(industries) or catalog.INDUSTRY_IDS)
    st.session_state["sidebar"] = state
    return state


def current() -> SidebarState:
    """The choices drawn this run (defaults when a page runs without the shell, e.g. in tests)."""
    state = st.session_state.get("sidebar")
    if state is None:
        state = SidebarState("baseline", 5, catalog.ROLE_IDS, catalog.INDUSTRY_IDS)
    return state
