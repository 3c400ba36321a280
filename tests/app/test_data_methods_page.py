"""AppTest for Data & methods: sources and role rules are shown, the headcount model's panel
backtest (two tables, a verdict against zero growth, a chart) renders, and the same-engine
forecast box works on the shipped example before any upload (the upload itself is exercised in
the e2e test, AppTest cannot drive st.file_uploader)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from forecasting.core import catalog
from forecasting.headcount import backtest as headcount_backtest
from forecasting.sources import provenance
from forecasting.viz import backtest as backtest_charts

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")


@pytest.fixture(scope="module")
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120).run()
    app.switch_page("pages/data_methods.py").run()
    assert not app.exception, app.exception
    return app


def test_sources_table_lists_every_shipped_file_with_licence(at):
    sources = at.dataframe[0].value
    assert list(sources["file"]) == list(provenance.sources_table()["file"])
    assert {"CC BY 4.0", "CC0 1.0"} <= set(sources["licence"])
    # each source's vintage (read from the file) and retrieval date
    ai = sources.set_index("file").loc["indeed_hiring_lab/AI_posting.csv"]
    assert ai["vintage"] == "daily to 2026-06-30"
    assert ai["retrieved"] == "2026-07-21 (shipped copy)"


def _footer(spec: dict) -> str:
    return next(a["text"] for a in spec["layout"]["annotations"] if a.get("name") == "footer")


def test_chart_footers_say_data_as_of_except_for_the_users_series(at):
    assert "Data as of 2026-08-19." in _footer(_chart(at, "dm_hb_chart")).replace("<br>", " ")
    assert "Data as of" not in _footer(_chart(at, "dmm_series_chart"))


def test_role_rules_say_measured_proxy_or_derived(at):
    roles = at.dataframe[1].value
    assert list(roles["role"]) == [r.label for r in catalog.ROLES]
    assert set(roles["level"]) == {"measured", "proxy", "derived"}


def _chart(at, key: str) -> dict:
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, [c.proto.id for c in at.get("plotly_chart")]
    return json.loads(found[0].proto.spec)


def test_example_series_is_forecast_with_the_engine(at):
    spec = _chart(at, "dmm_series_chart")
    names = [t.get("name") for t in spec["data"]]
    assert "us_ai_share (forecast)" in names
    assert any("model used:" in s.value for s in at.success)


def test_forcing_a_model_is_used(at):
    at.selectbox(key="dmm_model").set_value("drift").run()
    assert not at.exception
    assert any("model used: drift" in s.value for s in at.success)


def test_headcount_backtest_section_sits_between_roles_and_own_series(at):
    heads = [h.value for h in at.subheader]
    i = heads.index("Headcount model: backtests 1-7 years ahead")
    assert heads[i - 1] == "How each role is counted" and heads[i + 1] == "Forecast your own series"


def _frame_with(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_horizon_summary_table_matches_the_library(at):
    shown = _frame_with(at, "Backtests")
    want = headcount_backtest.horizon_summary()
    assert len(shown) == len(want) == 7 * len(headcount_backtest.METHODS)
    assert list(shown["Years ahead"]) == list(want["horizon"])
    np.testing.assert_allclose(shown["Mean abs. error (log points)"], (100 * want["mae"]).round(2))
    assert any("phi = " in m.value for m in at.markdown)


def test_selected_backtest_table_matches_the_library_and_follows_the_picker(at):
    def table():
        return next(d.value for d in at.dataframe if "Occupations" in d.value.columns)
    want = headcount_backtest.backtest(2025, 1)
    shown = table()
    assert len(shown) == len(want) == 5
    assert shown["Method"].iloc[0].startswith("Headcount model")
    assert list(shown["Occupations"]) == list(want["n_occupations"])
    np.testing.assert_allclose(shown["Mean abs. error (log points)"], (100 * want["mae"]).round(2))
    assert shown["Inside 80% interval"].iloc[0] == f"{100 * want['coverage_80'].iloc[0]:.0f}%"
    assert list(shown["Inside 95% interval"].iloc[2:]) == ["—"] * 3  # baselines: no interval
    verdict = headcount_backtest.verdict_vs_zero(want, "1 years ahead")
    assert any(verdict in m.value for m in at.markdown)
    setups = headcount_backtest.setups()
    pick = int(setups[(setups["holdout_year"] == 2022) & (setups["horizon"] == 3)].index[0])
    at.selectbox(key="dm_hb_pick").set_value(pick).run()
    assert not at.exception
    want = headcount_backtest.backtest(2022, 3)
    assert list(table()["Occupations"]) == list(want["n_occupations"]) == [656] * 5
    spec = _chart(at, "dm_hb_cal")
    dots = next(t for t in spec["data"] if t.get("name") == "Tenth of predicted growth")
    cal = headcount_backtest.calibration_table(headcount_backtest.predictions(2022, 3))
    assert dots["text"] == [f"{100 * c:.0f}%" for c in cal["coverage_80"]]


def test_carve_out_rules_are_listed(at):
    shown = _frame_with(at, "growth_source")
    assert set(shown["role"]) == set(catalog.ROLE_IDS)
    assert shown.set_index("role").loc["ml_engineer", "growth_source"].startswith("15-1252")


def test_headcount_backtest_chart_is_shown(at):
    setups = headcount_backtest.setups()
    pick = int(setups[(setups["holdout_year"] == 2025) & (setups["horizon"] == 1)].index[0])
    at.selectbox(key="dm_hb_pick").set_value(pick).run()
    spec = _chart(at, "dm_hb_chart")
    names = [t.get("name") for t in spec["data"]]
    assert set(backtest_charts.HEADCOUNT_BACKTEST_TRACES) <= set(names)
    labels = {a["text"] for a in spec["layout"]["annotations"] if a.get("name") == "label"}
    pred = headcount_backtest.predictions(2025, 1)
    assert labels == set(pred.loc[pred["in_catalog"], "soc_title"])
    assert _chart(at, "dm_hb_horizon")["layout"]["xaxis"]["title"]["text"] == "Years ahead"
