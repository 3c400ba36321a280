"""Scenarios: start from a preset, move the levers, compare up to four scenarios, save and share.

Every change re-applies growth to the cached baseline (numpy, a few ms): no refit."""

from __future__ import annotations

import streamlit as st

from forecasting.core import catalog
from forecasting.core.errors import UserInputError
from forecasting.core.totals import AI_ML_GROUP
from forecasting.scenarios import analysis, headlines, presets
from forecasting.scenarios import store as saved_store
from forecasting.scenarios.assumptions import NAME_MAX_CHARS
from forecasting.viz import scenario as scenario_charts
from ui import controls, data, downloads, layout, sidebar, url_state

layout.use_app_navigation()

if url_state.restore_once():
    st.rerun()  # widgets drawn earlier in this run (sidebar) must see the linked scenario
side = sidebar.current()
a = controls.assumptions()
if "sc_store" not in st.session_state:
    st.session_state["sc_store"] = saved_store.ScenarioStore()
store: saved_store.ScenarioStore = st.session_state["sc_store"]
esc = url_state.escape_md

st.header("Scenarios")
url_state.show_warnings()
if store.message:
    st.warning(esc(store.message), icon=":material/save:")


def _pick_preset() -> None:
    st.session_state["assumptions"] = presets.preset(st.session_state["sc_preset"])


# --- 1. preset ---------------------------------------------------------------------------------
ids = list(presets.PRESET_IDS)
st.session_state["sc_preset"] = a.preset if a.preset in ids else ids[0]
st.selectbox("Start from preset", ids, key="sc_preset", on_change=_pick_preset,
             format_func=lambda p: presets.PRESETS[p].title)
info = presets.PRESETS.get(a.preset)
if info:
    (st.warning if info.is_assumption else st.info)(
        f"**{esc(info.title)}**: {esc(info.description)}  \nSource: {esc(info.source)}")

# --- 2. levers ---------------------------------------------------------------------------------
with st.expander("Growth levers (instant: no refit)", expanded=True):
    controls.growth_controls(side.roles, side.industries)
with st.expander("More levers: mode, start year, anchor period, shock, saturation cap, wages"):
    controls.scenario_levers()
a = controls.assumptions()

# --- 3. compare --------------------------------------------------------------------------------
saved = {s.name: s for s in store.list()}
ref = saved_store.scenario_ref
options = [ref("preset", p) for p in ids] + [ref("saved", n) for n in saved]
#: Shown next to the current scenario on first visit: the two published outlooks side by side.
DEFAULT_COMPARE = (ref("preset", "wef2023"), ref("preset", "bls2034"))
default = [o for o in DEFAULT_COMPARE if o in options and o != ref("preset", a.preset)]
if a.preset != "baseline" or a != data.preset("baseline").with_changes(horizon_years=a.horizon_years):
    default = [ref("preset", "baseline"), *default][:3]  # keep the baseline in view when it is not `a`
st.session_state.setdefault("sc_compare", default)  # first visit only; the user's pick then stays
others = st.multiselect("Compare with (up to 3)", options, max_selections=3,
                        key="sc_compare", format_func=saved_store.ref_label)
compared = [a]
for o in others:
    try:
        other = saved_store.load_ref(o, store)
        compared.append(other.aligned(a.start_year, a.horizon_years))
    except UserInputError as exc:
        st.error(esc(str(exc)))
group = headlines.headline_group(controls.include_small_base())
group_name = headlines.group_label(group)
views = ["all", AI_ML_GROUP, *catalog.ROLE_IDS]
v1, v2 = st.columns(2)
view_role = v1.selectbox("Show", views, key="sc_view_role", format_func=lambda r: {
    "all": "All roles", AI_ML_GROUP: group_name}.get(r) or catalog.role(r).label)
view_ind = v2.selectbox("Industry", ["all", *catalog.INDUSTRY_IDS], key="sc_view_ind",
                        format_func=lambda i: "All industries" if i == "all" else catalog.industry(i).label)
prep = data.prepared_baseline()
long = analysis.compare(prep, compared, group)
long["scenario"] = long["scenario"].str.replace("<", "‹").str.replace(">", "›")  # plain text in SVG
shown = long[(long["role"] == view_role) & (long["industry"] == view_ind)]
footer = ("Source: BLS OEWS baseline (US); scenario growth is an assumption. Shaded: the "
          "statistical baseline's 80% interval (model uncertainty); scenarios are point paths.")
fig = scenario_charts.scenario_comparison(shown, footer=footer, reference=analysis.reference_band(
    prep, a, view_role, view_ind, group), title="Scenarios compared: US employment, "
    f"{a.start_year}–{a.end_year}")
st.plotly_chart(fig, width="stretch", key="sc_chart")
downloads.chart_downloads(fig, "scenario_comparison", key="sc_chart")
table = analysis.summarize(long, data.bls_cagr())
st.dataframe(table.replace({"role": controls.role_names()}), hide_index=True, width="stretch",
             column_config=controls.COMPARE_COLUMNS)
st.caption(f"AI/ML specialists = {group_name}. Rates against rates: WEF's "
           f"+{presets.WEF_GROWTH_TOTAL_PCT:g}% is for "
           f"{presets.WEF_PERIOD[0]}–{presets.WEF_PERIOD[1]} and counts AI and ML specialists "
           f"worldwide, so it sits beside our {presets.WEF_YEARS}-year % growth of that group; BLS's "
           f"{presets.BLS_EP_PERIOD[0]}–{presets.BLS_EP_PERIOD[1] % 100:02d} rate sits beside each role's "
           "CAGR. Jobs are US jobs and are never set against WEF's global count.")

# --- 4. save, share ----------------------------------------------------------------------------
s1, s2, s3 = st.columns([2, 1, 1])
name = s1.text_input("Scenario name", value=a.name, max_chars=NAME_MAX_CHARS, key="sc_name")
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
        new_name = r2.text_input("New name", key="sc_new_name", max_chars=NAME_MAX_CHARS)
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
fig_t = scenario_charts.tornado(analysis.tornado(prep, a, view_role, view_ind, group_roles=group),
                       footer=footer,
                       title=f"What moves {a.end_year} employment most")
st.plotly_chart(fig_t, width="stretch", key="sc_tornado")
downloads.chart_downloads(fig_t, "tornado", key="sc_tornado")
fig_d = scenario_charts.decomposition(analysis.decomposition(prep, a, view_role, view_ind, group),
                             footer=footer)
st.plotly_chart(fig_d, width="stretch", key="sc_decomp")
downloads.chart_downloads(fig_d, "decomposition", key="sc_decomp")
downloads.report_download({"scenario_comparison": fig, "tornado": fig_t, "decomposition": fig_d},
                       {"scenario_comparison": table, "projection": long}, a, key="sc_report")
url_state.write(a)
