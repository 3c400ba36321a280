"""Overview: the answer before any click — how much ML-specialist work the baseline projects,
which role grows fastest, what it pays, and how that compares with WEF's headline."""

from __future__ import annotations

import streamlit as st

from forecasting import catalog
from ui import data, layout, sidebar

charts, headcount, scenarios = layout.require("forecasting.charts", "forecasting.headcount",
                                              "forecasting.scenarios")
#: ASSUMPTION (not our data), kept in forecasting.scenarios: WEF Future of Jobs Report 2023 as
#: quoted in the seed article, AI/ML specialists +40% over 5 years, ~1 million jobs, GLOBAL count.
WEF_GROWTH_PCT_5Y = scenarios.WEF_GROWTH_TOTAL_PCT
WEF_JOBS_ADDED = scenarios.WEF_JOBS_ADDED_GLOBAL
KPI_YEARS = scenarios.WEF_YEARS  # WEF's claim is over five years, so the headline KPI uses that
side = sidebar.current()
projection = data.baseline_projection(10)


totals = headcount.role_totals(projection)
base_year = int(totals["year"].min())
horizon = min(side.horizon_years, int(totals["year"].max()) - base_year)
spec = totals[totals["role"].isin(catalog.AI_ML_SPECIALIST_ROLES)].groupby("year")[
    ["mean", "lo_80", "hi_80"]].sum()
spec_start, spec_end = spec.loc[base_year], spec.loc[base_year + KPI_YEARS]
spec_added = spec_end["mean"] - spec_start["mean"]
spec_pct = spec_added / spec_start["mean"] * 100

growth = headcount.growth_rates(projection, ("role",), horizon).sort_values(
    "growth_pct_per_year", ascending=False, kind="stable").reset_index(drop=True)
top = growth.iloc[0]
top_role = catalog.role(top["role"])
# roles resting on the same SOC trend tie exactly; name them all rather than pick one
tied = growth[(top["growth_pct_per_year"] - growth["growth_pct_per_year"]).abs() < 0.05]["role"]
top_label = " & ".join(catalog.role(r).label for r in tied) + (" (tied)" if len(tied) > 1 else "")
oews = data.oews_national()
oews_top = oews[(oews["soc"] == top_role.base_soc) & ~oews["hybrid"]].sort_values("year").iloc[-1]

# --- KPI cards --------------------------------------------------------------------------------
c1, c2, c3 = st.columns(3)
c1.metric(f"ML-specialist jobs added by {base_year + KPI_YEARS}",
          layout.fmt_compact(spec_added, signed=True), f"{spec_pct:+.1f}% over {KPI_YEARS} years",
          help=f"US, statistical baseline, May {base_year} to {base_year + KPI_YEARS}. Sum over the "
               "AI/ML specialist roles: "
               + ", ".join(catalog.role(r).label for r in catalog.AI_ML_SPECIALIST_ROLES)
               + f". 80% interval of the end level: {layout.fmt_count(spec_end['lo_80'])}–"
                 f"{layout.fmt_count(spec_end['hi_80'])} people.")
c1.caption(f"ASSUMPTION for comparison: WEF Future of Jobs 2023 expects +{WEF_GROWTH_PCT_5Y:.0f}% "
           f"(about {layout.fmt_compact(WEF_JOBS_ADDED)} jobs) over 5 years — counted globally, "
           "not US-only, so the two are not like for like.")
c2.metric(f"Fastest-growing role ({horizon}-year baseline)", top_role.label,
          f"{top['growth_pct_per_year']:+.1f}% per year",
          help=f"80% interval {top['lo_80']:+.1f}% to {top['hi_80']:+.1f}% per year. "
               f"Level is {top_role.level_kind}: {top_role.level_rule}")
if len(tied) > 1:
    c2.caption("Tied with " + " & ".join(catalog.role(r).label for r in tied if r != top_role.role_id)
               + ": their levels rest on the same OEWS occupation trend.")
c3.metric(f"Median pay, {oews_top['soc_title']} (OEWS May {int(oews_top['year'])})",
          layout.fmt_usd(oews_top["a_median"]),
          help=f"BLS OEWS annual median wage for SOC {top_role.base_soc}, the base occupation of "
               f"the {top_role.label} role ({top_role.level_kind}). See Salary bands for more.")

# --- plain-language summary: every number comes from the frames above -------------------------
slow = growth.iloc[-1]
st.markdown(
    f"**In short.** The statistical baseline projects the US AI/ML-specialist roles to go from "
    f"{layout.fmt_count(spec_start['mean'])} to {layout.fmt_count(spec_end['mean'])} people between "
    f"May {base_year} and {base_year + KPI_YEARS} ({spec_pct:+.1f}%), against the +"
    f"{WEF_GROWTH_PCT_5Y:.0f}% WEF assumption for the world. Over {horizon} years, "
    f"**{top_label}** {'grow' if len(tied) > 1 else 'grows'} fastest at {top['growth_pct_per_year']:+.1f}% a year (80% interval "
    f"{top['lo_80']:+.1f}% to {top['hi_80']:+.1f}%), and **{catalog.role(slow['role']).label}** "
    f"slowest at {slow['growth_pct_per_year']:+.1f}%. {top_role.label}'s base occupation, "
    f"{oews_top['soc_title']}, paid a median "
    f"{layout.fmt_usd(oews_top['a_median'])} in May {int(oews_top['year'])}.")

# --- growth ranking ---------------------------------------------------------------------------
fig = charts.growth_ranking(growth[growth["role"].isin(side.roles)], title=f"Projected US employment growth by role, "
                                          f"{base_year}–{base_year + horizon} (baseline)",
                           footer=layout.BASELINE_FOOTER)
st.plotly_chart(fig, width="stretch", key="overview_ranking")
layout.chart_downloads(fig, "growth_ranking", key="overview_ranking")
st.caption("Dots: central projection; thick and thin bars: 80% and 95% intervals. Employment "
           "levels are measured, proxied or derived from BLS OEWS by the rules on *Data & methods*; "
           "one-year OEWS changes are noisy, so each trend is shrunk toward what all ~830 OEWS "
           "occupations support (backtested on *Data & methods*) and intervals are wide.")
