"""Data & methods: where every number comes from, how each role's level is built, how well the
models did in backtests, and a box to forecast your own series with the same engine."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from forecasting import catalog
from forecasting.errors import UserInputError
from ui import data, layout
from ui.url_state import escape_md

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
    "occupations support (more so when the estimate is noisy), because one-year OEWS changes are "
    "mostly sampling noise; intervals are wide for that reason and are checked below. *Postings demand* (monthly "
    "Indeed indices and AI shares) is forecast with statistical models (ETS, Theta, ARIMA, local "
    "linear trend, an ensemble and naive baselines) chosen per series by rolling-origin backtest. "
    "Postings growth is not headcount growth, so the postings forecast is shown beside the "
    "headcount path, never multiplied onto it. Scenarios (WEF, BLS, your own growth rates) then "
    "re-grow the cached headcount baseline: nothing is refitted when you move a slider.")

# --- headcount model backtest -----------------------------------------------------------------
st.subheader("Headcount model: panel backtest")


def backtest_table(bt: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The score table for reading: method names, errors in log points, coverage in %."""
    def pct(v: float) -> str:
        return "—" if pd.isna(v) else f"{100 * v:.0f}%"
    return pd.DataFrame({
        "Method": bt["method"].map(labels).fillna(bt["method"]),
        "Occupations": bt["n_occupations"],
        "Mean abs. error (log points)": bt["mae"].map(lambda v: f"{100 * v:.2f}"),
        "Employment-weighted error (log points)": bt["mae_weighted"].map(lambda v: f"{100 * v:.2f}"),
        "Actual inside 80% interval": bt["coverage_80"].map(pct),
        "Actual inside 95% interval": bt["coverage_95"].map(pct)})


def versus_zero(bt: pd.DataFrame, model: str, what: str) -> str:
    """One sentence: did the model beat zero growth on both error measures?"""
    m, z = bt.set_index("method").loc[model], bt.set_index("method").loc["zero"]
    wins = {c: m[c] < z[c] for c in ("mae", "mae_weighted")}
    verdict = ("beat zero growth on both error measures" if all(wins.values()) else
               "did not beat zero growth on either error measure" if not any(wins.values()) else
               "beat zero growth on the employment-weighted error only" if wins["mae_weighted"]
               else "beat zero growth on the plain error only")
    return (f"**{what}:** the model {verdict} (mean absolute error {100 * m['mae']:.2f} vs "
            f"{100 * z['mae']:.2f} log points; employment-weighted {100 * m['mae_weighted']:.2f} "
            f"vs {100 * z['mae_weighted']:.2f}).")


if layout.available("forecasting.headcount_backtest", "forecasting.charts"):
    from forecasting import charts as fcharts
    from forecasting import headcount

    model_id = headcount.MODEL_NAME
    labels = {model_id: "Headcount model (panel-shrunk trend)", "zero": "Zero growth (no change)",
              "last": "Repeat last year's growth", "mean3": "Mean growth of recent years (≤ 3)"}
    first = headcount.FIRST_YEAR
    with st.spinner("Backtesting the headcount model on every occupation (first run: a few "
                    "seconds)…"):
        bt1, bt2 = data.headcount_backtest(2025, 1), data.headcount_backtest(2025, 2)
        pred1 = data.headcount_backtest_predictions(2025, 1)
    st.markdown(
        f"Can the headcount model forecast at all? We refitted it on May {first}–2024 only and "
        f"asked it for the change in employment to May 2025 of every detailed occupation with an "
        f"estimate in every year ({bt1['n_occupations'].iloc[0]:,} occupations, not just ours); "
        f"the two-year test is fitted on May {first}–2023. Compared with: no change, last year's "
        "growth again, and the mean growth of the last three years (two in the two-year test). "
        "Errors are mean absolute log changes in log points (1 ≈ 1%), plain and weighted by "
        "employment; the interval columns should read close to 80% and 95%.")
    st.markdown(f"**One year ahead** (fitted on May {first}–2024, predicts May 2025)")
    st.dataframe(backtest_table(bt1, labels), hide_index=True, width="stretch")
    st.markdown(f"**Two years ahead** (fitted on May {first}–2023, predicts May 2025)")
    st.dataframe(backtest_table(bt2, labels), hide_index=True, width="stretch")
    st.markdown(versus_zero(bt1, model_id, "One year ahead") + " "
                + versus_zero(bt2, model_id, "Two years ahead"))
    hb_fig = fcharts.headcount_backtest_chart(pred1)
    st.plotly_chart(hb_fig, width="stretch", key="dm_hb_chart")
    st.caption("Each dot is an occupation; dots on the dashed line were forecast exactly. Orange: "
               "the occupations our roles are built on, with the model's 80% interval.")
    layout.chart_downloads(hb_fig, "headcount_backtest", key="dm_hb")

# --- your own series --------------------------------------------------------------------------
st.subheader("Forecast your own series")
charts, inputs, models = layout.require("forecasting.charts", "forecasting.inputs",
                                        "forecasting.models")
st.markdown("Upload a CSV with columns `series_id, ds, y` (one row per date; several series "
            "allowed). It is checked and cleaned by the same rules as the CLI, then forecast "
            "with the same engine.")
c1, c2, c3 = st.columns([3, 1, 1])
upload = c1.file_uploader("CSV file", type=["csv", "txt"], key="dmm_upload")
horizon = c2.number_input("Horizon (periods)", 1, inputs.MAX_HORIZON, 12, key="dmm_horizon")
model = c3.selectbox("Model", models.MODEL_NAMES, key="dmm_model")


@st.cache_data(show_spinner="Forecasting your series…", max_entries=8)
def forecast_upload(raw: bytes, horizon: int, model: str):
    series = inputs.read_series_csv(raw, max_bytes=inputs.max_upload_bytes())
    fc = models.forecast_frame(series.frame, horizon, model=model, freq=series.freq)
    return series.frame, series.notes, fc


@st.cache_data(show_spinner=False)
def example_csv(series_id: str = "us_ai_share") -> bytes:
    """A shipped postings series as a CSV, so the section shows the engine before any upload."""
    frame = data.postings_monthly()
    return frame[frame["series_id"] == series_id].to_csv(index=False).encode()


if upload is None:
    name, raw = "example_us_ai_share.csv", example_csv()
    st.caption("No file yet: showing the shipped Indeed US AI share of postings as an example.")
else:
    name, raw = upload.name, upload.getvalue()
try:
    history, notes, forecast = forecast_upload(raw, int(horizon), model)
except UserInputError as exc:
    st.error(f"{escape_md(name)}: {escape_md(exc)}", icon=":material/error:")  # user text
else:
    if notes:
        st.info("What we cleaned:\n" + "\n".join(f"- {escape_md(n)}" for n in notes))
    st.success(f"{history['series_id'].nunique()} series, {len(history)} rows; model used: "
               f"{', '.join(sorted(forecast['model'].unique()))}.")
    safe = html.escape(name)  # plotly renders tags in titles; the file name is user text
    fig = charts.forecast_chart(history, forecast, title=f"{safe}: forecast",
                                y_title="y (your units)", footer=f"Source: {safe}; forecast by "
                                "this dashboard's models.", data_as_of=False)
    st.plotly_chart(fig, width="stretch", key="dmm_series_chart")
    layout.chart_downloads(fig, "series_forecast", key="dmm_series")

# --- backtests --------------------------------------------------------------------------------
st.subheader("Backtest leaderboard (postings series)")
layout.require("forecasting.pipeline")
baseline = data.postings_baseline()
st.caption("Mean over every monthly postings series and rolling origin. MASE < 1 beats the "
           "seasonal-naive forecast; coverage should be close to 80% and 95%.")
st.dataframe(baseline.leaderboard, hide_index=True, width="stretch")
