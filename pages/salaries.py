"""Salary bands: filters -> forecasting.salaries.bands -> salary figures (no business logic here)."""

from __future__ import annotations

import streamlit as st

from forecasting.salaries import bands as salaries
from forecasting.salaries import projection as salary_projection
from forecasting.viz import salary as salary_charts
from forecasting.viz import style
from ui import data, downloads, layout

layout.use_app_navigation()
ALL = "All"


def _none_if_all(v):
    return None if v == ALL else v


st.title("Salary bands")
st.caption("ai-jobs.net records are **self-reported and self-selected** (visitors of an AI/ML "
           "job board), not a survey: read bands as indicative. Data: ai-jobs.net salaries "
           "(CC0 1.0); U.S. BLS OEWS; Indeed Hiring Lab Wage Tracker (CC BY 4.0).")

records = data.salary_records()
years = sorted(int(y) for y in records["work_year"].unique())
countries = records["company_location"].value_counts().index.tolist()

c1, c2, c3, c4 = st.columns(4)
year = c1.selectbox("Work year", years, key="sal_year",
                    index=years.index(salaries.default_work_year(records)))
experience = c2.selectbox("Experience", [ALL, *salaries.EXPERIENCE_LEVELS], key="sal_exp",
                          format_func=lambda v: v if v == ALL
                          else f"{salaries.EXPERIENCE_LABELS[v]} ({v})")
location = c3.selectbox("Company location", [ALL, *countries], key="sal_loc",
                        index=1 + countries.index("US") if "US" in countries else 0)
size = c4.selectbox("Company size", [ALL, *salaries.COMPANY_SIZES], key="sal_size",
                    format_func=lambda v: {"S": "Small (S)", "M": "Medium (M)",
                                           "L": "Large (L)"}.get(v, v))

flt = salaries.BandFilter(work_year=year, experience_level=_none_if_all(experience),
                          company_location=_none_if_all(location), company_size=_none_if_all(size))
band = data.salary_bands(flt)

subtitle = (f"{year} · {experience if experience != ALL else 'all levels'} · "
            f"{location if location != ALL else 'all countries'} · "
            f"{'size ' + size if size != ALL else 'all sizes'} · full-time")
fig_bands = salary_charts.salary_bands_chart(band, subtitle=subtitle)
st.plotly_chart(fig_bands, width="stretch", key="sal_bands_chart")
downloads.chart_downloads(fig_bands, "salary_bands", key="dl_sal_bands")

table = band.assign(role=band["role"].map(salaries.ROLE_LABELS))
table = table.rename(columns={"role": "Role", "n": "n", "p10": "P10", "p25": "P25",
                              "p50": "Median", "p75": "P75", "p90": "P90",
                              "p50_lo": "Median 95% lo", "p50_hi": "Median 95% hi",
                              "flag": "Flag"})
money = ["P10", "P25", "Median", "P75", "P90", "Median 95% lo", "Median 95% hi"]
styled = (table.style.format({c: "${:,.0f}" for c in money}, na_rep="—")
          .apply(lambda r: ["color: #999999" if r["Flag"] else "" for _ in r], axis=1))
st.dataframe(styled, hide_index=True, width="stretch")
st.caption(f"Percentiles of salary_in_usd (pandas linear quantiles); median interval: seeded "
           f"bootstrap, 95%. Grey rows: fewer than {salaries.SMALL_N} records ('small n'); "
           f"fewer than {salaries.SUPPRESS_N}: suppressed.")

st.subheader("United States: ai-jobs.net vs the official BLS reference")
oews = data.salary_oews_reference()
oews_years = sorted(int(y) for y in oews["year"].unique())
bls_year = year if year in oews_years else oews_years[-1]
us_band = data.salary_bands(salaries.BandFilter(work_year=year, company_location="US"))
fig_cmp = salary_charts.salary_bls_comparison_chart(us_band, oews, year=bls_year)
st.plotly_chart(fig_cmp, width="stretch", key="sal_cmp_chart")
downloads.chart_downloads(fig_cmp, "salary_aijobs_vs_bls", key="dl_sal_cmp")
st.caption(f"ai-jobs.net: US company location, {year}, all experience levels, full-time. BLS: "
           f"OEWS May {bls_year} national percentiles of each role's SOC proxy (all "
           "experience levels, wage and salary workers). '≥ BLS cap' marks top-coded values, "
           "which BLS does not publish as numbers."
           + (f" May {hybrid} uses hybrid SOC codes." if (hybrid := style.year_span(
               oews.loc[oews["hybrid"].astype(bool), "year"])) else ""))
with st.expander(f"BLS OEWS percentiles by year ({style.year_span(oews['year'])})"):
    labels = oews[["role", "year", "soc", "hybrid",
                   *[f"p{p}_label" for p in salaries.PERCENTILES]]].copy()
    labels["role"] = labels["role"].map(salaries.ROLE_LABELS)
    st.dataframe(labels.rename(columns={f"p{p}_label": f"P{p}" for p in salaries.PERCENTILES}),
                 hide_index=True, width="stretch")

st.subheader("Projected bands")
default = data.wage_growth_default()
if "sal_growth" not in st.session_state:
    st.session_state["sal_growth"] = float(default.growth_pct)
p1, p2, p3 = st.columns([2, 1, 2])
growth = p1.slider("Wage growth, % per year", -5.0, 15.0, step=0.1, key="sal_growth",
                   help=f"Default: latest US posted-wage growth, {default.growth_pct:.2f}% "
                        f"({default.as_of}, {default.source}).")
if p1.button("Reset to Indeed's latest", key="sal_growth_reset"):
    st.session_state.pop("sal_growth")
    st.rerun()
horizon = p2.slider("Years ahead", 1, 5, 5, key="sal_horizon")
role_choice = p3.multiselect("Roles", list(salaries.ROLE_ORDER), key="sal_proj_roles",
                             default=["ml_engineer", "data_scientist", "software_engineer"],
                             format_func=lambda r: salaries.ROLE_LABELS[r])
wage = salary_projection.WageGrowth(growth_pct=growth, sigma_pct=default.sigma_pct,
                           as_of=default.as_of, source="user" if growth != default.growth_pct
                           else default.source)
projected = salary_projection.project_bands(band, base_year=year, wage=wage, horizon=horizon)
fig_proj = salary_charts.salary_projection_chart(projected, role_choice)
if not salary_charts.projected_roles(projected, role_choice):
    st.info("No selected role has enough records (n ≥ 5) under these filters to project.")
st.plotly_chart(fig_proj, width="stretch", key="sal_proj_chart")
downloads.chart_downloads(fig_proj, "salary_projection", key="dl_sal_proj")
st.caption(f"Bands of the filters above moved by (1+g)^h with g = {growth:.1f}% a year. The "
           f"median's 95% interval is its bootstrap interval, moved the same way and widened "
           f"by exp(±1.96·σ·√h), σ = {default.sigma_pct:.2f} pp, the standard deviation of US "
           f"posted-wage growth (Indeed, {data.wage_series_years()}). Posted wages across all "
           "jobs are the reference, not AI/ML jobs alone: an assumption, not a forecast.")

downloads.report_download(
    {"salary_bands": fig_bands, "salary_aijobs_vs_bls": fig_cmp,
     "salary_projection": fig_proj},
    {"salary_bands": band, "oews_reference": oews, "salary_projection": projected},
    {"filters": {"work_year": year, "experience_level": flt.experience_level,
                 "company_location": flt.company_location,
                 "company_size": flt.company_size, "employment_type": flt.employment_type},
     "wage_growth_pct_per_year": growth, "wage_growth_sigma_pp": default.sigma_pct,
     "wage_growth_default": f"{default.growth_pct}% ({default.as_of}, {default.source})",
     "horizon_years": horizon, "bootstrap": "percentile, 2000 draws, seed 0",
     "small_n": salaries.SMALL_N, "suppress_n": salaries.SUPPRESS_N},
    key="sal_report", name="salary_bands_report")

with st.expander("How job titles map to roles"):
    st.markdown("Titles map to roles through the catalog's title lists; titles in no list are "
                "kept as **Other titles**. Every title with at least "
                f"{salaries.MAPPING_MIN_RECORDS} records is either mapped or listed with a "
                "reason.")
    st.dataframe(data.salary_title_mapping(), hide_index=True, width="stretch")
