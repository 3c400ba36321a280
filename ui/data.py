"""Cached loaders: every page reads data through here, so a rerun never re-reads raw files or
refits a model. Frames are cached with st.cache_data (callers get a copy they may mutate), except
the few the Demand page's charts read on every lever move, which are shared (st.cache_resource,
read-only); the fitted postings baseline is one shared object, built once per process.

Imports of forecasting modules are inside the functions: the shell imports this module before
any page, and only what a page reads is imported.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pandas as pd
import streamlit as st


@st.cache_data(show_spinner=False)
def baseline_projection(horizon_years: int = 10) -> pd.DataFrame:
    from forecasting.headcount import projection as headcount
    return headcount.baseline_projection(horizon_years=horizon_years)


@st.cache_data(show_spinner=False)
def role_levels() -> pd.DataFrame:
    from forecasting.headcount import role_levels
    return role_levels.role_levels()


@st.cache_resource(show_spinner=False, max_entries=32)
def role_industry_history(automotive_share: float | None = None,
                          measured_only: bool = False) -> pd.DataFrame:
    """Shared and read-only (cache_resource): the Demand page's charts read it on every lever
    move, and cache_data's copy (unpickling) cost ~1 ms a call there. Do not modify it."""
    from forecasting.headcount import industry_mix
    return industry_mix.role_industry_history(automotive_share, measured_only)


@st.cache_resource(show_spinner=False)
def share_trend_summary() -> str:
    from forecasting.headcount import industry_mix
    return industry_mix.share_trend_summary(industry_mix.share_trend())


@st.cache_data(show_spinner=False)
def baseline_growth() -> pd.DataFrame:
    from forecasting.headcount import projection as headcount
    return headcount.baseline_growth()


@st.cache_resource(show_spinner=False)
def baseline_growth_pct() -> Mapping[str, float]:
    """role -> baseline growth, % per year, as a read-only mapping shared by all sessions (the
    sliders read it on every rerun: a copied frame + set_index cost ~2 ms a call)."""
    g = baseline_growth()
    return MappingProxyType(dict(zip(g["role"], g["growth_pct_per_year"].astype(float))))


@st.cache_resource(show_spinner=False)
def bls_cagr() -> Mapping[str, float]:
    """role -> BLS 2024-34 projected growth, % per year (read-only, shared)."""
    from forecasting.scenarios import presets
    return MappingProxyType(presets.bls_annual_growth_pct())


@st.cache_data(show_spinner=False)
def industry_shares() -> pd.DataFrame:
    from forecasting.headcount import industry_mix
    return industry_mix.industry_shares()


@st.cache_data(show_spinner=False)
def oews_national() -> pd.DataFrame:
    from forecasting.sources import oews
    return oews.load_oews_national()


@st.cache_data(show_spinner=False)
def sources_table() -> pd.DataFrame:
    from forecasting.sources import provenance
    return provenance.sources_table()


@st.cache_data(show_spinner=False)
def postings_catalog() -> pd.DataFrame:
    from forecasting.sources import indeed
    return indeed.postings_catalog()


@st.cache_data(show_spinner=False)
def postings_monthly() -> pd.DataFrame:
    from forecasting.sources import indeed
    return indeed.load_postings_monthly()


@st.cache_data(show_spinner=False)
def headcount_backtest_predictions(holdout_year: int | None = None, horizon: int = 1) -> pd.DataFrame:
    """One row per occupation and method (headcount_backtest.predictions; default holdout: the
    latest year), read from the backtests `fit` caches."""
    from forecasting.headcount import backtest as headcount_backtest
    return headcount_backtest.predictions(holdout_year, horizon)


@st.cache_data(show_spinner=False)
def headcount_backtest(holdout_year: int | None = None, horizon: int = 1) -> pd.DataFrame:
    """The backtest table (method, n_occupations, mae, mae_weighted, coverage_80, coverage_95)."""
    from forecasting.headcount import backtest as hb
    return hb.score(headcount_backtest_predictions(holdout_year, horizon))


@st.cache_data(show_spinner=False)
def headcount_backtest_setups() -> pd.DataFrame:
    from forecasting.headcount import backtest as hb
    return hb.setups()


@st.cache_data(show_spinner=False)
def headcount_horizon_summary() -> pd.DataFrame:
    from forecasting.headcount import backtest as hb
    return hb.horizon_summary()


@st.cache_resource(show_spinner=False)
def backtested_until() -> int:
    """The last projection year inside the validated horizon (latest OEWS year + the longest
    horizon that passes its backtests); charts shade the years after it."""
    from forecasting.headcount import backtest as hb
    from forecasting.sources import files
    return files.latest_oews_year() + hb.validated_horizon(headcount_horizon_summary())


@st.cache_resource(show_spinner=False)
def headcount_sources() -> str:
    """The headcount charts' source footer, naming the OEWS May years of the recent panel."""
    from forecasting.headcount import panel as hp
    from forecasting.viz import style
    return style.headcount_sources(hp.panel_years())


@st.cache_data(show_spinner=False)
def headcount_calibration_facts() -> dict:
    """phi, its 80% interval, the long-run shock scale and width factor, how many backtest
    pairs chose them, and the two panels' sizes and years (for the Methods text)."""
    from forecasting.headcount import calibration as hcal
    from forecasting.headcount import panel as hp
    from forecasting.viz import style
    cal = hcal.calibration()
    recent, long = hp.oews_panel(), hp.long_panel()
    gap = sorted(set(range(long.years[0], long.years[-1] + 1)) - set(long.years))
    return {"phi": cal.phi, "phi_80": cal.phi_interval(0.80), "phi_95": cal.phi_interval(0.95),
            "s_long": cal.s_long, "width_factor": cal.width_factor, "n_pairs": cal.n_pairs,
            "recent_n": len(recent.socs), "recent_first": recent.years[0],
            "long_n": len(long.socs), "long_first": long.years[0],
            "long_early": style.year_span(y for y in long.years if y < recent.years[0]),
            "long_gap": style.year_span(gap)}


@st.cache_resource(show_spinner=False)
def bls_role_paths() -> pd.DataFrame:
    """Shared and read-only, like ``role_industry_history``."""
    from forecasting.headcount import projection as headcount
    return headcount.bls_role_paths()


@st.cache_resource(show_spinner=False)
def small_base_roles() -> tuple[str, ...]:
    from forecasting.headcount import role_levels
    return role_levels.small_base_roles()


@st.cache_data(show_spinner=False)
def role_shares() -> pd.DataFrame:
    """How each role is carved from the occupation it grows with (headcount.role_shares)."""
    from forecasting.headcount import projection as headcount
    return headcount.role_shares().merge(headcount.growth_sources(), on="role")


@st.cache_resource(show_spinner=False)
def role_growth_notes() -> Mapping[str, str]:
    """role -> what it grows with (role_shares' growth_source), read-only and shared: the
    Demand page captions read it on every rerun of its scenario section."""
    shares = role_shares()
    return MappingProxyType(dict(zip(shares["role"], shares["growth_source"].astype(str))))


@st.cache_resource(show_spinner=False, max_entries=64)
def automotive_assumption(share: float | None) -> str:
    """The automotive-share caption (industry_mix.automotive_assumption reads the NCSES file:
    ~10 ms, on every move of any industry lever)."""
    from forecasting.headcount import industry_mix
    return industry_mix.automotive_assumption(share)


@st.cache_resource(show_spinner=False)
def _baseline_slot() -> dict[str, Any]:
    """One process-wide slot for the fitted PostingsBaseline, plus a lock so two sessions
    opening the app at once do not fit twice."""
    return {"lock": threading.Lock()}


def postings_baseline() -> Any:
    """The fitted postings forecasts/backtests. On a cold cache shows a progress bar while
    pipeline.postings_baseline fits (it has its own disk cache, so this is rare)."""
    slot = _baseline_slot()
    if "value" in slot:
        return slot["value"]
    from forecasting.postings import pipeline
    with slot["lock"]:
        if "value" not in slot:
            bar = st.progress(0.0, text="Fitting postings models (first run only)…")

            def progress(done: int, total: int, label: str) -> None:
                frac = min(max(done / total, 0.0), 1.0) if total else 1.0
                bar.progress(frac, text=f"Fitting postings models (first run only): {label} "
                                        f"({done}/{total})")

            try:
                slot["value"] = pipeline.postings_baseline(progress=progress)
            finally:
                bar.empty()
    return slot["value"]


@st.cache_resource(show_spinner=False)
def prepared_baseline():
    """The 10-year headcount baseline as arrays, so each slider move only re-grows numpy arrays."""
    from forecasting.scenarios import engine
    return engine.prepare(baseline_projection(10))


@st.cache_resource(show_spinner=False)
def preset(preset_id: str):
    """A preset's Assumptions (frozen, so sharing one object is safe; BLS reads a file)."""
    from forecasting.scenarios import presets
    return presets.preset(preset_id)


@st.cache_resource(show_spinner=False, max_entries=64)
def preset_at(preset_id: str, horizon_years: int):
    """A preset at a horizon (``with_changes`` validates every field, ~1 ms)."""
    return preset(preset_id).with_changes(horizon_years=horizon_years)


# --- postings (Demand page) -------------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=64)
def postings_figure(sid: str, model: str, chosen: str):
    """Postings do not depend on the growth assumptions: build each (series, model) chart once."""
    from forecasting.viz import timeseries
    info = postings_catalog().set_index("series_id").loc[sid]
    pb = postings_baseline()
    fc = pb.forecasts[(pb.forecasts["series_id"] == sid) & (pb.forecasts["model"] == model)]
    hist = postings_monthly().query("series_id == @sid")
    label = str(info["label"])  # the legend names the series, not its id
    hist, fc = hist.assign(series_id=label), fc.assign(series_id=label)
    return timeseries.forecast_chart(hist, fc, title=f"{info['label']}: monthly postings and "
                                     f"'{chosen}' forecast", y_title=f"Postings ({info['unit']})",
                                     unit=info["unit"], footer=f"Source: {info['credit']}. "
                                     "Postings, NOT headcount.")


@st.cache_resource(show_spinner=False, max_entries=4)
def _fitted_models(_pb, key: int) -> frozenset:
    return frozenset(_pb.forecasts["model"].unique())


def fitted_postings_models(pb) -> frozenset:
    """Models with forecasts (once per baseline object: iterating 35k rows cost ~10 ms a rerun)."""
    return _fitted_models(pb, id(pb))


@st.cache_resource(show_spinner=False, max_entries=4)
def _backtest_rows(_pb, key: int) -> dict:
    rows: dict = {}
    for r in _pb.backtests.to_dict("records"):
        rows.setdefault((r["series_id"], r["model"]), r)  # the first row wins, as .iloc[0] did
    return rows


def postings_backtest_row(pb, sid: str, model: str) -> dict | None:
    """One series x model backtest row (a dict lookup; filtering the frame cost ~1.3 ms a rerun)."""
    return _backtest_rows(pb, id(pb)).get((sid, model))


# --- your own series (Data & methods page) -----------------------------------------------------
#: Series forecast and charted here (the first ones by id); the CLI forecasts any number.
#: A 50 MB upload holds ~20,000 series: all of them in one chart, or fitted in one page run,
#: would take minutes and hundreds of MB of server memory.
SHOWN_SERIES = 10


@st.cache_data(show_spinner="Forecasting your series…", max_entries=8)
def forecast_upload(raw: bytes, horizon: int, model: str):
    """(history of the shown series, notes, their forecast, series and rows in the file).
    Only the shown series are cached: the whole file's frame would stay in memory."""
    from forecasting.postings.batch import series_slices
    from forecasting.postings.frames import forecast_frame
    from forecasting.postings.inputs.read import read_series_csv
    from forecasting.postings.inputs.rules import max_upload_bytes
    series = read_series_csv(raw, max_bytes=max_upload_bytes())
    notes, freq, n_rows = series.notes, series.freq, len(series.frame)
    shown = series_slices(series.frame, SHOWN_SERIES)[0].copy()
    del series  # the rest of the file is not needed here
    fc = forecast_frame(shown, horizon, model=model, freq=freq)
    return shown, notes, fc, len(freq), n_rows


@st.cache_data(show_spinner=False)
def example_postings_csv(series_id: str = "us_ai_share") -> bytes:
    """A shipped postings series as a CSV, so the upload box shows the engine before any upload."""
    frame = postings_monthly()
    return frame[frame["series_id"] == series_id].to_csv(index=False).encode()


# --- salaries (Salary bands page) -------------------------------------------------------------
@st.cache_data(show_spinner=False)
def salary_records() -> pd.DataFrame:
    from forecasting.salaries import bands as salaries
    return salaries.load_records()


@st.cache_data(show_spinner=False)
def salary_bands(flt) -> pd.DataFrame:
    """Bands of ``salary_records()`` under one ``salaries.BandFilter``."""
    from forecasting.salaries import bands as salaries
    return salaries.bands(salary_records(), flt)


@st.cache_data(show_spinner=False)
def salary_oews_reference() -> pd.DataFrame:
    from forecasting.salaries import oews_percentiles
    return oews_percentiles.oews_reference(oews_percentiles.load_oews())


@st.cache_data(show_spinner=False)
def wage_growth_default():
    """Latest US posted-wage growth (salaries.projection.WageGrowth), the projection's default."""
    from forecasting.salaries import projection
    return projection.default_wage_growth(projection.load_wage_series("US"))


@st.cache_data(show_spinner=False)
def wage_series_years() -> str:
    """The years of the US posted-wage series behind the default and its sigma ('2019–2025')."""
    from forecasting.salaries import projection
    from forecasting.viz import style
    return style.year_span(pd.to_datetime(projection.load_wage_series("US")["ds"]).dt.year)


@st.cache_data(show_spinner=False)
def salary_title_mapping() -> pd.DataFrame:
    from forecasting.salaries import bands as salaries
    return salaries.title_mapping_summary(salary_records())


_DATA_SEEN: dict[str, Any] = {"hash": None, "lock": threading.Lock()}


def drop_caches_if_data_changed() -> bool:
    """Clear every streamlit cache when data/raw changed under the running server (e.g. a cron
    ``update-data``): cached frames, the fitted baseline and figures all derive from the data,
    and chart footers read the new 'data as of' date. About 0.5 ms a rerun (the raw hash is
    memoised on file size and mtime). True when caches were dropped."""
    from forecasting.sources import files
    try:
        key = files.data_hash()
    except Exception:
        return False
    with _DATA_SEEN["lock"]:
        seen, _DATA_SEEN["hash"] = _DATA_SEEN["hash"], key
    if seen is None or seen == key:
        return False
    st.cache_data.clear()
    st.cache_resource.clear()
    return True
