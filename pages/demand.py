"""Demand forecast: how many people each role will employ (headcount, annual) and what employers
are asking for now (postings, monthly) — two lenses, shown side by side, never multiplied."""

from __future__ import annotations

import streamlit as st

from forecasting.core import catalog
from ui import data, layout, sidebar

charts, engine, presets, headcount = layout.require("forecasting.viz.charts", "forecasting.scenarios.engine",
                                                    "forecasting.scenarios.presets", "forecasting.headcount.projection")
from ui import controls  # noqa: E402  (needs forecasting.scenarios, checked above)

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
    with charts.deferred_figures():  # the go.Figure is built only if a download asks for it
        fig = charts.headcount_chart(
            history, projection, roles, None if industry == "all" else industry,
            title=f"US employment, {'all industries' if industry == 'all' else catalog.industry(industry).label}: "
                  f"'{scenario_label}' to {end}", footer=layout.SCENARIO_FOOTER,
            bls=data.bls_role_paths(), backtested_until=data.backtested_until())
    with col_chart:
        layout.plotly_chart(fig, key="dm_headcount")
    report["figures"]["headcount"] = fig
    lines = [("Solid: OEWS history (May of each year). Dashed: projection; shaded: model "
              "uncertainty (80% and 95% intervals). Dotted: BLS 2024–34 projection (all "
              "industries). Grey background: years beyond the backtested horizon. A role "
              "anchored to an outside figure or to your growth at blend weight 1, and the "
              "High/Low presets, are point paths.")]
    notes = data.role_growth_notes()
    for r in roles:  # roles carved from one occupation share its growth; small bases are fragile
        text = f"**{catalog.role(r).label}** grows with {notes[r]}."
        if r in data.small_base_roles():
            text += " Small base: its share rests on few ai-jobs.net records (band is wide)."
        lines.append(text)
    if (info := presets.PRESETS.get(a.preset)) is not None and info.is_assumption:
        lines.append(info.description)  # e.g. WEF: its period, its scope, a global count
    col_chart.caption("\n\n".join(lines))  # one element: every element costs each lever move

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
    with charts.deferred_figures():
        fig = charts.jobs_added_heatmap(added, footer=layout.SCENARIO_FOOTER,
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
    with charts.deferred_figures():
        fig = charts.industry_history(
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
    layout.chart_downloads(lambda name=name: report["figures"][name], name, key=f"dm_{name}",
                           label=label)


@st.cache_resource(show_spinner=False, max_entries=64)
def postings_figure(sid: str, model: str, chosen: str):
    """Postings do not depend on the growth assumptions: build each (series, model) chart once."""
    info = data.postings_catalog().set_index("series_id").loc[sid]
    pb = data.postings_baseline()
    fc = pb.forecasts[(pb.forecasts["series_id"] == sid) & (pb.forecasts["model"] == model)]
    hist = data.postings_monthly().query("series_id == @sid")
    label = str(info["label"])  # the legend names the series, not its id
    hist, fc = hist.assign(series_id=label), fc.assign(series_id=label)
    return charts.forecast_chart(hist, fc, title=f"{info['label']}: monthly postings and "
                                 f"'{chosen}' forecast", y_title=f"Postings ({info['unit']})",
                                 unit=info["unit"], footer=f"Source: {info['credit']}. "
                                 "Postings, NOT headcount.")
@st.cache_resource(show_spinner=False, max_entries=4)
def _fitted_models(_pb, key: int) -> frozenset:
    return frozenset(_pb.forecasts["model"].unique())


def fitted_models(pb) -> frozenset:
    """Models with forecasts (once per baseline object: iterating 35k rows cost ~10 ms a rerun)."""
    return _fitted_models(pb, id(pb))


@st.cache_resource(show_spinner=False, max_entries=4)
def _backtest_rows(_pb, key: int) -> dict:
    rows: dict = {}
    for r in _pb.backtests.to_dict("records"):
        rows.setdefault((r["series_id"], r["model"]), r)  # the first row wins, as .iloc[0] did
    return rows


def backtest_row(pb, sid: str, model: str) -> dict | None:
    """One series x model backtest row (a dict lookup; filtering the frame cost ~1.3 ms a rerun)."""
    return _backtest_rows(pb, id(pb)).get((sid, model))


# --- postings demand signal: no assumption moves it, so its own fragment ------------------------
@st.fragment
def postings_section(roles: tuple[str, ...]) -> None:
    st.subheader("Postings: what employers are asking for (Indeed, monthly)")
    if not layout.available("forecasting.postings.pipeline", "forecasting.postings.models"):
        return
    from forecasting.postings import models
    pb = data.postings_baseline()
    pc1, pc2, pc3 = st.columns([2, 1, 2])
    signal_role = pc1.selectbox("Postings signal for", roles, format_func=lambda r: catalog.role(r).label,
                                key="dm_signal_role")
    sid = catalog.role(signal_role).demand_signal
    fitted = fitted_models(pb)
    model = pc2.selectbox("Model", [m for m in models.MODEL_NAMES if m in fitted], key="dm_model",
                          help="auto = the best model in this series' backtest (cached fits).")
    chosen = pb.choice.get(sid, "auto") if model == "auto" else model
    m = backtest_row(pb, sid, chosen)
    if m is not None:
        pc3.metric(f"Backtest of '{chosen}'" + (" (picked by auto)" if model == "auto" else ""), f"MASE {m['mase']:.2f}",
                   f"coverage 80%: {m['coverage_80']:.0%} · 95%: {m['coverage_95']:.0%}", delta_color="off")
    fig = postings_figure(sid, model, chosen if model != "auto" else f"auto: {chosen}")
    layout.plotly_chart(fig, key="dm_postings")
    layout.chart_downloads(fig, "postings", key="dm_postings")
    report["figures"]["postings"] = fig
    st.caption("A demand signal, not a count of people: postings can fall while employment rises.")


postings_section(tuple(roles))
# built when clicked, from what each section drew last
layout.report_download(report["figures"], report["tables"], lambda: report["assumptions"],
                       key="dm_report")
