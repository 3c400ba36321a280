"""AppTest for Data & methods: sources and role rules are shown, and the same-engine forecast box
works on the shipped example before any upload (the upload itself is exercised in the e2e test,
AppTest cannot drive st.file_uploader)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from forecasting import catalog, data

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")


@pytest.fixture(scope="module")
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120).run()
    app.switch_page("pages/data_methods.py").run()
    assert not app.exception, app.exception
    return app


def test_sources_table_lists_every_shipped_file_with_licence(at):
    sources = at.dataframe[0].value
    assert list(sources["file"]) == list(data.sources_table()["file"])
    assert {"CC BY 4.0", "CC0 1.0"} <= set(sources["licence"])


def test_role_rules_say_measured_proxy_or_derived(at):
    roles = at.dataframe[1].value
    assert list(roles["role"]) == [r.label for r in catalog.ROLES]
    assert set(roles["level"]) == {"measured", "proxy", "derived"}


def test_example_series_is_forecast_with_the_engine(at):
    charts = at.get("plotly_chart")
    assert len(charts) >= 1
    spec = json.loads(charts[0].proto.spec)
    names = [t.get("name") for t in spec["data"]]
    assert "us_ai_share (forecast)" in names
    assert any("model used:" in s.value for s in at.success)


def test_forcing_a_model_is_used(at):
    at.selectbox(key="dmm_model").set_value("drift").run()
    assert not at.exception
    assert any("model used: drift" in s.value for s in at.success)
