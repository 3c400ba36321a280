"""Scenarios: start from a preset, move the levers, compare up to four scenarios, save and share.

Every change re-applies growth to the cached baseline (numpy, a few ms): no refit."""

from __future__ import annotations

import streamlit as st

from forecasting import catalog, scenarios
from forecasting.errors import UserInputError
from forecasting.store import ScenarioStore
from ui import controls, data, layout, sidebar, url_state

charts, _ = layout.require("forecasting.charts", "forecasting.headcount")

if url_state.restore_once():
    st.rerun()  # widgets drawn earlier in this run (sidebar) must see the linked scenario
side = sidebar.current()
a = controls.assumptions()
if "sc_store" not in st.session_state:
    st.session_state["sc_store"] = ScenarioStore()
store: ScenarioStore = st.session_state["sc_store"]
esc = url_state.escape_md

st.header("Scenarios")
url_state.show_warnings()
if store.message:
    st.warning(esc(store.message), icon=":material/save:")


def _set(**changes) -> None:
    st.session_state["assumptions"] = controls.assumptions().with_changes(**changes)


def _toggle_shock() -> None:
    cur = controls.assumptions()
    _set(shock_year=cur.start_year + 1 if st.session_state["sc_shock_on"] else None,
         shock_pct=cur.shock_pct or 10.0)


def _set_cap(role_id: str) -> None:
    caps = {k: v for k, v in controls.assumptions().role_cap_map.items() if k != role_id}
    if st.session_state["sc_cap"] >= 1:
        caps[role_id] = float(st.session_state["sc_cap"])
    _set(role_cap=caps)


def _pick_preset() -> None:
    st.session_state["assumptions"] = scenarios.preset(st.session_state["sc_preset"])


# --- 1. preset ---------------------------------------------------------------------------------
ids = list(scenarios.PRESET_IDS)
st.session_state["sc_preset"] = a.preset if a.preset in ids else ids[0]
st.selectbox("Start from preset", ids, key="sc_preset", on_change=_pick_preset,
             format_func=lambda p: scenarios.PRESETS[p].title)
info = scenarios.PRESETS.get(a.preset)
if info:
    (st.warning if info.is_assumption else st.info)(
        f"**{esc(info.title)}**: {esc(info.description)}  \nSource: {esc(info.source)}")

# --- 2. levers ---------------------------------------------------------------------------------
with st.expander("Growth levers (instant: no refit)", expanded=True):
    controls.growth_controls(side.roles, side.industries)
with st.expander("More levers: mode, start year, shock, saturation cap, automotive share, wages"):
    c1, c2, c3 = st.columns(3)
    st.session_state["sc_mode"] = a.growth_mode
    c1.radio("Growth values are", scenarios.GROWTH_MODES, key="sc_mode", horizontal=True,
             format_func=lambda m: "% per year" if m == "per_year" else "% over the horizon",
             on_change=lambda: st.session_state.update(
                 assumptions=controls.assumptions().in_mode(st.session_state["sc_mode"])))
    st.session_state["sc_start"] = a.start_year
    c2.selectbox("Start year", list(range(scenarios.START_YEAR_RANGE[0], scenarios.START_YEAR_RANGE[1] + 1)),
                 key="sc_start", on_change=lambda: _set(**{"start_year": st.session_state["sc_start"],
                                                           "shock_year": None}))
    st.session_state["sc_shock_on"] = a.shock_year is not None
    c3.checkbox("One-off adoption shock", key="sc_shock_on", on_change=_toggle_shock)
    if a.shock_year is not None:
        st.session_state["sc_shock_year"], st.session_state["sc_shock_pct"] = a.shock_year, a.shock_pct
        c3.slider("Shock year", a.start_year + 1, a.end_year, key="sc_shock_year",
                  on_change=lambda: _set(shock_year=st.session_state["sc_shock_year"]))
        c3.slider("Shock size (% jump)", *scenarios.SHOCK_PCT_RANGE, step=1.0, key="sc_shock_pct",
                  on_change=lambda: _set(shock_pct=st.session_state["sc_shock_pct"]))
    cap_role = c1.selectbox("Saturation cap for", catalog.ROLE_IDS, key="sc_cap_role",
                            format_func=lambda r: catalog.role(r).label)
    st.session_state["sc_cap"] = float(a.role_cap_map.get(cap_role, 0.0))
    c1.number_input("Ceiling (people; 0 = no cap)", 0.0, scenarios.CAP_RANGE[1], step=1000.0,
                    key="sc_cap", on_change=_set_cap, args=(cap_role,))
    st.session_state["sc_auto"] = a.automotive_share is not None
    c2.checkbox("Override automotive share of manufacturing", key="sc_auto",
                on_change=lambda: _set(automotive_share=0.2 if st.session_state["sc_auto"] else None))
    if a.automotive_share is not None:
        st.session_state["sc_auto_share"] = a.automotive_share
        c2.slider("Automotive share", 0.0, 1.0, step=0.01, key="sc_auto_share",
                  on_change=lambda: _set(automotive_share=st.session_state["sc_auto_share"]))
    st.session_state["sc_wage"] = a.wage_growth_pct_per_year if a.wage_growth_pct_per_year is not None else 0.0
    c3.number_input("Wage growth (% per year, for salary projection)", *scenarios.WAGE_RANGE, step=0.1,
                    key="sc_wage", on_change=lambda: _set(wage_growth_pct_per_year=st.session_state["sc_wage"]))
a = controls.assumptions()

# --- 3. compare --------------------------------------------------------------------------------
saved = {s.name: s for s in store.list()}
options = [f"preset:{p}" for p in ids] + [f"saved:{n}" for n in saved]
#: Shown next to the current scenario on first visit: the two published outlooks side by side.
DEFAULT_COMPARE = ("preset:wef2023", "preset:bls2034")
default = [o for o in DEFAULT_COMPARE if o in options and o != f"preset:{a.preset}"]
if a.preset != "baseline" or a != data.preset("baseline").with_changes(horizon_years=a.horizon_years):
    default = ["preset:baseline", *default][:3]  # keep the baseline in view when it is not `a`
st.session_state.setdefault("sc_compare", default)  # first visit only; the user's pick then stays
others = st.multiselect("Compare with (up to 3)", options, max_selections=3,
                        key="sc_compare",
                        format_func=lambda o: scenarios.PRESETS[o[7:]].title if o.startswith("preset:")
                        else f"Saved: {o[6:]}")
compared = [a]
for o in others:
    try:
        other = scenarios.preset(o[7:]) if o.startswith("preset:") else store.load(o[6:])
        compared.append(other.aligned(a.start_year, a.horizon_years))
    except UserInputError as exc:
        st.error(esc(str(exc)))
views = ["all", scenarios.AI_ML_GROUP, *catalog.ROLE_IDS]
v1, v2 = st.columns(2)
view_role = v1.selectbox("Show", views, key="sc_view_role", format_func=lambda r: {
    "all": "All roles", scenarios.AI_ML_GROUP: "AI/ML specialists (WEF group)"}.get(r) or catalog.role(r).label)
view_ind = v2.selectbox("Industry", ["all", *catalog.INDUSTRY_IDS], key="sc_view_ind",
                        format_func=lambda i: "All industries" if i == "all" else catalog.industry(i).label)
prep = data.prepared_baseline()
long = scenarios.compare(prep, compared)
long["scenario"] = long["scenario"].str.replace("<", "‹").str.replace(">", "›")  # plain text in SVG
shown = long[(long["role"] == view_role) & (long["industry"] == view_ind)]
footer = "Source: BLS OEWS May 2021–2025 baseline (US); scenario growth is an assumption."
fig = charts.scenario_comparison(shown, footer=footer, title="Scenarios compared: US employment, "
                                 f"{a.start_year}–{a.end_year}")
st.plotly_chart(fig, width="stretch", key="sc_chart")
layout.chart_downloads(fig, "scenario_comparison", key="sc_chart")
table = scenarios.summarize(long)
table = table[table["role"].isin({"all", scenarios.AI_ML_GROUP, view_role})]
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "jobs_year_n": st.column_config.NumberColumn("Jobs in year N", format="%,.0f"),
    "jobs_added": st.column_config.NumberColumn("Jobs added", format="%+,.0f"),
    "cagr_pct": st.column_config.NumberColumn("CAGR", format="%.2f%%"),
    "gap_to_wef_jobs": st.column_config.NumberColumn(
        "Gap to WEF ~1M", format="%,.0f", help="WEF's ~1 million AI/ML jobs added is a GLOBAL count "
        "(assumption, Future of Jobs 2023 as quoted in the seed article); ours is US only.")})

# --- 4. save, share ----------------------------------------------------------------------------
s1, s2, s3 = st.columns([2, 1, 1])
name = s1.text_input("Scenario name", value=a.name, max_chars=scenarios.NAME_MAX_CHARS, key="sc_name")
if s2.button("Save as named scenario", key="sc_save", disabled=not store.available):
    try:
        clean = store.save(name, a.with_changes(name=name.strip()))
        st.session_state["assumptions"] = a = a.with_changes(name=clean)
        st.success(f"Saved “{esc(clean)}”.")
    except UserInputError as exc:
        st.error(esc(str(exc)))
if s3.button("Copy share link", key="sc_share") or st.session_state.get("sc_show_link"):
    st.session_state["sc_show_link"] = True
    st.code(url_state.share_link(a), language=None)
    st.caption("Use the copy icon; opening this link restores exactly this scenario.")
if saved:
    with st.expander(f"Saved scenarios ({len(saved)})"):
        pick = st.selectbox("Saved scenario", list(saved), key="sc_saved_pick")
        r1, r2, r3, r4 = st.columns([1, 2, 1, 1])
        if r1.button("Load", key="sc_load"):
            st.session_state["assumptions"] = store.load(pick)
            st.rerun()
        new_name = r2.text_input("New name", key="sc_new_name", max_chars=scenarios.NAME_MAX_CHARS)
        try:
            if r3.button("Rename", key="sc_rename", disabled=not new_name.strip()):
                store.rename(pick, new_name)
                st.rerun()
            if r4.button("Delete", key="sc_delete"):
                store.delete(pick)
                st.rerun()
        except UserInputError as exc:
            st.error(esc(str(exc)))

# --- 5. what drives it -------------------------------------------------------------------------
# Full width, one under the other: side by side, the tornado's long assumption labels pushed its
# title and footer off the chart at 1280 px.
fig_t = charts.tornado(scenarios.tornado(prep, a, view_role, view_ind), footer=footer,
                       title=f"What moves {a.end_year} employment most")
st.plotly_chart(fig_t, width="stretch", key="sc_tornado")
layout.chart_downloads(fig_t, "tornado", key="sc_tornado")
fig_d = charts.decomposition(scenarios.decomposition(prep, a, view_role, view_ind), footer=footer)
st.plotly_chart(fig_d, width="stretch", key="sc_decomp")
layout.chart_downloads(fig_d, "decomposition", key="sc_decomp")
layout.report_download({"scenario_comparison": fig, "tornado": fig_t, "decomposition": fig_d},
                       {"scenario_comparison": table, "projection": long}, a, key="sc_report")
url_state.write(a)
