"""Demand forecast: how many people each role will employ (headcount, annual) and what employers
are asking for now (postings, monthly) — two lenses, shown side by side, never multiplied."""

from __future__ import annotations

import streamlit as st

from forecasting.core import catalog
from forecasting.postings import families
from forecasting.scenarios import engine
from forecasting.viz import headcount as headcount_charts
from forecasting.viz import traces
from ui import controls, data, downloads, layout, sidebar

layout.use_app_navigation()

side = sidebar.current()
st.header("Demand forecast")

# --- what to look at --------------------------------------------------------------------------
c1, c2 = st.columns([2, 1])
roles = c1.multiselect("Roles", side.roles, default=list(side.roles[:2]),
                       format_func=lambda r: catalog.role(r).label, key="dm_roles") or [side.roles[0]]
industry = c2.selectbox("Industry", ["all", *side.industries], key="dm_industry",
                        format_func=lambda i: "All industries" if i == "all" else catalog.industry(i).label)

#: What the report bundle holds: each section writes its latest figures and tables here, and the
#: ZIP is built from it when clicked, so a section rerun on its own is never missing from it.
report = st.session_state.setdefault("dm_report", {"figures": {}, "tables": {}, "assumptions": None})


# --- headcount and industries: every growth lever and every chart it moves ---------------------
# One fragment: a lever reruns this section only (not the sidebar, filters or postings), and
# every chart that reads the assumptions is inside it, so none is left showing an old scenario.
@st.fragment
def scenario_section(roles: tuple[str, ...], industry: str, all_roles: tuple[str, ...],
                     industries: tuple[str, ...]) -> None:
    if data.drop_caches_if_data_changed():  # update-data ran: redraw the whole page
        st.rerun(scope="app")
    col_ctrl, col_chart = st.columns([1, 2.3], gap="medium")
    with col_ctrl:
        st.markdown("**Role growth** (instant: no refit)")
        controls.role_controls(roles)
    a = controls.assumptions()
    projection = engine.apply_scenario(data.prepared_baseline(), a)
    history = data.role_industry_history(a.automotive_share)
    start, end = a.start_year, a.end_year
    edited = a != data.preset_at(a.preset, a.horizon_years)
    scenario_label = a.label + (" (edited)" if edited else "")

    col_chart.subheader("Headcount: people employed (US, BLS OEWS)")
    with traces.deferred_figures():  # the go.Figure is built only if a download asks for it
        fig = headcount_charts.headcount_chart(
            history, projection, roles, None if industry == "all" else industry,
            title=f"US employment, {'all industries' if industry == 'all' else catalog.industry(industry).label}: "
                  f"'{scenario_label}' to {end}", footer=layout.scenario_footer(),
            bls=data.bls_role_paths(), backtested_until=data.backtested_until())
    with col_chart:
        layout.plotly_chart(fig, key="dm_headcount")
    report["figures"]["headcount"] = fig
    col_chart.caption(layout.headcount_caption(roles, a.preset))  # one element: each costs a lever move

    # industries: what OEWS measured, what the projection adds, the levers beside them
    st.subheader("Across industries")
    lev, right = st.columns([1, 2.3], gap="medium")
    with lev:
        st.markdown("**Industry levers** (instant)")
        controls.industry_controls(industries)
    with right:
        industry_history_chart(roles, projection, a.automotive_share, industries,
                               f"'{scenario_label}'", end)
    added = engine.jobs_added_by_cell(projection)
    if len(all_roles) < len(catalog.ROLE_IDS) or len(industries) < len(catalog.INDUSTRY_IDS):
        added = added[added["role"].isin(all_roles) & added["industry"].isin(industries)]
    with traces.deferred_figures():
        fig = headcount_charts.jobs_added_heatmap(added, footer=layout.scenario_footer(),
                                        title=f"US jobs added by role and industry, "
                                              f"{start}–{end} ('{scenario_label}')")
    layout.plotly_chart(fig, key="dm_jobs_added")  # full width: 7 x 7 labelled cells
    st.caption("People, not rates: where industries grow at similar rates, their levels still "
               "differ, and so do the jobs they add. The industry levers above move it at once.")
    report["figures"]["jobs_added"] = fig
    report["tables"].update(headcount_projection=projection, jobs_added_by_cell=added)
    report["assumptions"] = a


# A fragment inside the section: picking the role to show redraws this chart alone; a lever
# reruns the whole section, this chart with it.
@st.fragment
def industry_history_chart(roles: tuple[str, ...], projection, automotive_share: float | None,
                           industries: tuple[str, ...], scenario: str, end: int) -> None:
    view_role = st.selectbox("Role", roles, format_func=lambda r: catalog.role(r).label,
                             key="dm_stack_role")
    measured = data.role_industry_history(automotive_share, measured_only=True)
    shown_proj = projection
    if not set(measured["industry"].unique()) <= set(industries):  # the default keeps every row
        measured = measured[measured["industry"].isin(industries)]
        shown_proj = projection[projection["industry"].isin(industries)]
    with traces.deferred_figures():
        fig = headcount_charts.industry_history(
            measured, shown_proj, view_role, footer="Source: U.S. BLS OEWS by sector (NAICS "
            f"2-digit), May {int(measured['year'].min())}–{int(measured['year'].max())}: each "
            f"role's base occupation's mix times the role's level. Projection: {scenario}.",
            note=data.share_trend_summary(),
            title=f"{catalog.role(view_role).label}: US employment by industry, measured and "
                  f"projected to {end}")
    layout.plotly_chart(fig, key="dm_industry_history")
    report["figures"]["industry_history"] = fig


scenario_section(tuple(roles), industry, side.roles, side.industries)
# The three charts' downloads sit below the section, outside its fragment: drawn once a page
# run and reading the figure on screen when clicked, they are not redrawn on every lever
# move (18 of the fragment's 53 elements; ~20% of its rerun time).
st.caption("Download the charts above, as they are now:")
for name, label in (("headcount", "Headcount"), ("industry_history", "By industry"),
                    ("jobs_added", "Jobs added")):
    downloads.chart_downloads(lambda name=name: report["figures"][name], name, key=f"dm_{name}",
                           label=label)


# --- postings demand signal: no assumption moves it, so its own fragment ------------------------
@st.fragment
def postings_section(roles: tuple[str, ...]) -> None:
    st.subheader("Postings: what employers are asking for (Indeed, monthly)")
    pb = data.postings_baseline()
    pc1, pc2, pc3 = st.columns([2, 1, 2])
    signal_role = pc1.selectbox("Postings signal for", roles, format_func=lambda r: catalog.role(r).label,
                                key="dm_signal_role")
    sid = catalog.role(signal_role).demand_signal
    fitted = data.fitted_postings_models(pb)
    model = pc2.selectbox("Model", [m for m in families.MODEL_NAMES if m in fitted], key="dm_model",
                          help="auto = the best model in this series' backtest (cached fits).")
    chosen = pb.choice.get(sid, "auto") if model == "auto" else model
    m = data.postings_backtest_row(pb, sid, chosen)
    if m is not None:
        pc3.metric(f"Backtest of '{chosen}'" + (" (picked by auto)" if model == "auto" else ""),
                   f"MASE {m['mase']:.2f}",
                   f"coverage 80%: {m['coverage_80']:.0%} · 95%: {m['coverage_95']:.0%}", delta_color="off")
    fig = data.postings_figure(sid, model, chosen if model != "auto" else f"auto: {chosen}")
    layout.plotly_chart(fig, key="dm_postings")
    downloads.chart_downloads(fig, "postings", key="dm_postings")
    report["figures"]["postings"] = fig
    st.caption("A demand signal, not a count of people: postings can fall while employment rises.")


postings_section(tuple(roles))
# built when clicked, from what each section drew last
downloads.report_download(report["figures"], report["tables"], lambda: report["assumptions"],
                       key="dm_report")
