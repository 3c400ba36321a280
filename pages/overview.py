"""Overview: the answer before any click — how fast the AI and ML specialist roles grow in the
baseline, which role grows fastest, what it pays, and how that rate compares with WEF's."""

from __future__ import annotations

import streamlit as st

from forecasting.core import catalog
from forecasting.headcount import projection as headcount
from forecasting.scenarios import headlines, presets
from forecasting.viz import headcount as headcount_charts
from ui import controls, data, downloads, layout, sidebar

layout.use_app_navigation()

KPI_YEARS = presets.WEF_YEARS  # WEF's rate is over five years, so the headline uses five
side = sidebar.current()
projection = data.baseline_projection(10)
include = controls.include_small_base()
group = headlines.group_growth(projection, headlines.headline_group(include), KPI_YEARS)

base_year = group.start_year
horizon = headlines.ranking_horizon(projection, side.horizon_years)
growth = headcount.growth_rates(projection, ("role",), horizon)
ranking = headlines.ranked(growth, headlines.headline_roles(catalog.ROLE_IDS, include))
top = ranking.iloc[0]
top_role = catalog.role(top["role"])
oews_top = headlines.base_occupation_pay(data.oews_national(), top_role.role_id)

# --- KPI cards --------------------------------------------------------------------------------
c1, c2, c3 = st.columns(3)
c1.metric(f"AI/ML specialists, growth {base_year}–{group.end_year}", f"{group.pct:+.1f}%",
          f"{layout.fmt_compact(group.added, signed=True)} US jobs", delta_color="off",
          help=f"US, statistical baseline, May {base_year} to {group.end_year}: {group.label}. "
               f"80% interval of the end level: {layout.fmt_count(group.end_lo_80)}–"
               f"{layout.fmt_count(group.end_hi_80)} people.")
c1.caption(headlines.wef_comparison(group))
c2.metric(f"Fastest-growing role ({horizon}-year baseline)", top_role.label,
          f"{top['growth_pct_per_year']:+.1f}% per year",
          help=f"80% interval {top['lo_80']:+.1f}% to {top['hi_80']:+.1f}% per year. "
               f"Level is {top_role.level_kind}: {top_role.level_rule}")
if (tie := headlines.tie_note(ranking)) is not None:
    c2.caption(tie)
c3.metric(f"Median pay, {oews_top['soc_title']} (OEWS May {int(oews_top['year'])})",
          layout.fmt_usd(oews_top["a_median"]),
          help=f"BLS OEWS annual median wage for SOC {top_role.base_soc}, the base occupation of "
               f"the {top_role.label} role ({top_role.level_kind}). See Salary bands for more.")

# --- plain-language summary: every number comes from the frames above -------------------------
st.markdown(headlines.summary_markdown(
    group, ranking, horizon, layout.fmt_count,
    (oews_top["soc_title"], layout.fmt_usd(oews_top["a_median"]), int(oews_top["year"]))))

# --- growth ranking ---------------------------------------------------------------------------
fig = headcount_charts.growth_ranking(growth[growth["role"].isin(side.roles)],
                                      title=f"Projected US employment growth by role, "
                                            f"{base_year}–{base_year + horizon} (baseline)",
                                      footer=layout.baseline_footer())
st.plotly_chart(fig, width="stretch", key="overview_ranking")
downloads.chart_downloads(fig, "growth_ranking", key="overview_ranking")
st.caption("Dots: central projection; thick and thin bars: 80% and 95% intervals. Employment "
           "levels are measured, proxied or derived from BLS OEWS by the rules on *Data & methods*; "
           "one-year OEWS changes are noisy, so each trend is shrunk toward what all ~830 OEWS "
           "occupations support (backtested on *Data & methods*) and intervals are wide. "
           "Small-base roles are ranked here but never headline unless included above.")
