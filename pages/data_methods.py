"""Data & methods: where every number comes from, how each role's level is built, how well the
models did in backtests, and a box to forecast your own series with the same engine."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from forecasting.core import catalog
from forecasting.core.errors import UserInputError
from forecasting.headcount import backtest as hb
from forecasting.postings import families
from forecasting.postings.inputs import rules
from forecasting.viz import backtest as backtest_charts
from forecasting.viz import timeseries
from ui import data, downloads, layout
from ui.url_state import escape_md

layout.use_app_navigation()

st.header("Data & methods")

# --- sources ----------------------------------------------------------------------------------
st.subheader("Sources")
sources = data.sources_table()
st.caption("Every raw file the product uses: its vintage (read from the file), when it was "
           "retrieved and from where, its licence and the credit it requires. The sha256 lets "
           "anyone check the file is the one we used. `python -m forecasting update-data` "
           "fetches newer vintages (see the README).")
st.dataframe(sources, hide_index=True, width="stretch",
             column_config={"sha256": st.column_config.TextColumn("sha256", width="small")})

# --- how each role is counted -----------------------------------------------------------------
st.subheader("How each role is counted")
st.markdown("No public source counts *NLP scientists in automotive*, so each role's US headcount "
            "rests on BLS OEWS employment by a written rule: **measured** (the role is a SOC "
            "occupation), **proxy** (the closest SOC occupation) or **derived** (a measured level "
            "times a measured share). Roles are carved out so that no one is counted twice.")
st.dataframe(pd.DataFrame([{"role": r.label, "level": r.level_kind, "base SOC": r.base_soc,
                            "rule": r.level_rule, "postings signal": r.demand_signal,
                            "AI/ML specialist (WEF)": r.ai_ml_specialist} for r in catalog.ROLES]),
             hide_index=True, width="stretch")
with st.expander("Industries"):
    st.dataframe(pd.DataFrame([{"industry": i.label, "NAICS": ", ".join(map(str, i.naics)) or "rest",
                                "rule": i.rule} for i in catalog.INDUSTRIES]),
                 hide_index=True, width="stretch")
st.markdown(
    "**Two lenses, never mixed.** *Headcount* (annual OEWS employment) is projected from the "
    "latest OEWS level with its occupation's growth trend, shrunk toward what all ~830 OEWS "
    "occupations support (more so when the estimate is noisy) and fading with the horizon, "
    "because one-year OEWS changes are mostly sampling noise and trends do not last; intervals "
    "are wide for that reason and are checked below. *Postings demand* (monthly "
    "Indeed indices and AI shares) is forecast with statistical models (ETS, Theta, ARIMA, local "
    "linear trend, an ensemble and naive baselines) chosen per series by rolling-origin backtest. "
    "Postings growth is not headcount growth, so the postings forecast is shown beside the "
    "headcount path, never multiplied onto it. Scenarios (WEF, BLS, your own growth rates) then "
    "re-grow the cached headcount baseline: nothing is refitted when you move a slider.")

# --- headcount model backtest -----------------------------------------------------------------
st.subheader("Headcount model: backtests 1-7 years ahead")
f = data.headcount_calibration_facts()
st.markdown(
    "Each occupation's persistent growth is estimated with all detailed OEWS occupations, "
    "shrunk toward its SOC major group, and **fades by a factor phi a year** after the "
    f"latest May estimate: **phi = {f['phi']:.2f}** (80% interval {f['phi_80'][0]:.2f}–"
    f"{f['phi_80'][1]:.2f}), chosen as the value that forecast best over {f['n_pairs']} "
    "backtests from several origins and horizons (each horizon weighted equally), on the "
    f"{f['recent_n']} occupations of May {f['recent_first']} on and the {f['long_n']} linked to "
    f"May {f['long_early']}. Intervals carry phi's uncertainty, the renewal of growth, and "
    f"shocks at the long-run scale of May {f['long_first']} on"
    + (f" incl. {f['long_gap']}" if f["long_gap"] else "") +
    f" ({100 * f['s_long']:.1f}% a year, widened ×{f['width_factor']:.2f} "
    "so that 80% intervals cover 80% over the backtests 2+ years ahead).")
summary = data.headcount_horizon_summary()
st.dataframe(backtest_charts.score_table(summary), hide_index=True, width="stretch", height=300)
setups = data.headcount_backtest_setups()
fig = backtest_charts.backtest_horizon_chart(
    summary, years=setups["origin_year"].tolist() + setups["holdout_year"].tolist())
st.plotly_chart(fig, width="stretch", key="dm_hb_horizon")
downloads.chart_downloads(fig, "headcount_backtest_by_horizon", key="dm_hb_horizon")
pick = st.selectbox("Backtest to inspect", list(setups.index), key="dm_hb_pick",
                    index=int(hb.default_setup(setups)),
                    format_func=lambda i: (f"{setups.at[i, 'horizon']} years ahead: May "
                                           f"{setups.at[i, 'origin_year']} → May "
                                           f"{setups.at[i, 'holdout_year']} "
                                           f"({setups.at[i, 'panel']} panel)"))
holdout, horizon = (int(setups.at[pick, c]) for c in ("holdout_year", "horizon"))
bt = data.headcount_backtest(holdout, horizon)
pred = data.headcount_backtest_predictions(holdout, horizon)
st.dataframe(backtest_charts.score_table(bt), hide_index=True, width="stretch")
st.markdown(hb.verdict_vs_zero(bt, f"{horizon} years ahead") + f" Employment-weighted "
            f"slope of actual on predicted growth: {hb.weighted_slope(pred):.2f} (1 = the "
            "spread of the predictions is right).")
cal_fig = backtest_charts.headcount_calibration_chart(hb.calibration_table(pred))
st.plotly_chart(cal_fig, width="stretch", key="dm_hb_cal")
downloads.chart_downloads(cal_fig, "headcount_calibration", key="dm_hb_cal")
hb_fig = backtest_charts.headcount_backtest_chart(pred)
st.plotly_chart(hb_fig, width="stretch", key="dm_hb_chart")
downloads.chart_downloads(hb_fig, "headcount_backtest", key="dm_hb")
st.markdown("**How roles are carved from occupations.** A role is a constant share of one "
            "occupation's projection; roles of one occupation add up to it in every year "
            "and draw, and share its growth rate. ai-jobs.net title ratios swing from year "
            "to year without a trend, so their spread (sd of the log ratio) widens the "
            "carved role's band instead of a trend being projected.")
st.dataframe(data.role_shares()[["role", "growth_source", "share", "share_log_sd", "basis"]],
             hide_index=True, width="stretch")

# --- your own series --------------------------------------------------------------------------
st.subheader("Forecast your own series")
st.markdown("Upload a CSV with columns `series_id, ds, y` (one row per date; several series "
            "allowed). It is checked and cleaned by the same rules as the CLI, then forecast "
            "with the same engine.")
c1, c2, c3 = st.columns([3, 1, 1])
upload = c1.file_uploader("CSV file", type=["csv", "txt"], key="dmm_upload")
horizon = c2.number_input("Horizon (periods)", 1, rules.MAX_HORIZON, 12, key="dmm_horizon")
model = c3.selectbox("Model", families.MODEL_NAMES, key="dmm_model")


if upload is None:
    name, raw = "example_us_ai_share.csv", data.example_postings_csv()
    st.caption("No file yet: showing the shipped Indeed US AI share of postings as an example.")
else:
    name, raw = upload.name, upload.getvalue()
try:
    history, notes, forecast, n_series, n_rows = data.forecast_upload(raw, int(horizon), model)
except UserInputError as exc:
    st.error(f"{escape_md(name)}: {escape_md(exc)}", icon=":material/error:")  # user text
else:
    if notes:
        st.info("What we cleaned:\n" + "\n".join(f"- {escape_md(n)}" for n in notes))
    st.success(f"{n_series:,} series, {n_rows:,} rows; model used: "
               f"{', '.join(sorted(forecast['model'].unique()))}.")
    if n_series > data.SHOWN_SERIES:
        st.caption(f"Forecast and charted here: the first {data.SHOWN_SERIES} series by id. For all "
                   f"of them: `python -m forecasting predict --input <file> --horizon "
                   f"{int(horizon)} --output forecasts.csv` (or `batch`, in parallel).")
    safe = html.escape(name)  # plotly renders tags in titles; the file name is user text
    fig = timeseries.forecast_chart(history, forecast, title=f"{safe}: forecast", y_title="y (your units)",
                                    footer=f"Source: {safe}; forecast by this dashboard's models.", data_as_of=False)
    st.plotly_chart(fig, width="stretch", key="dmm_series_chart")
    downloads.chart_downloads(fig, "series_forecast", key="dmm_series")

# --- backtests --------------------------------------------------------------------------------
st.subheader("Backtest leaderboard (postings series)")
baseline = data.postings_baseline()
st.caption("Mean over every monthly postings series and rolling origin. MASE < 1 beats the "
           "seasonal-naive forecast; coverage should be close to 80% and 95%.")
st.dataframe(baseline.leaderboard, hide_index=True, width="stretch")
