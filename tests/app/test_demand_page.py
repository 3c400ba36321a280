"""AppTest for the demand page: it renders its charts, and every growth assumption visibly moves
the plotted forecast at once (re-applied to the cached baseline, no refit)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")


def _arr(v) -> np.ndarray:
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v, dtype=float)


def _forecast_y(at: AppTest, chart: int, name: str) -> np.ndarray:
    spec = json.loads(at.get("plotly_chart")[chart].proto.spec)
    trace = next(t for t in spec["data"] if t.get("name") == name)
    return _arr(trace["y"]).astype(float)


@pytest.fixture()
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120).run()
    app.switch_page("pages/demand.py").run()
    assert not app.exception, app.exception
    return app


def test_renders_headcount_stack_heatmap_and_postings(at):
    assert len(at.get("plotly_chart")) == 4
    captions = " ".join(c.value for c in at.caption)
    assert "not a count of people" in captions  # postings are labelled as postings
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any("postings" in t.lower() for t in titles)


def test_role_growth_slider_changes_the_plotted_forecast(at):
    before = _forecast_y(at, 0, "Data scientist (forecast)")
    at.slider(key="gc_role_data_scientist").set_value(20.0).run()
    assert not at.exception
    after = _forecast_y(at, 0, "Data scientist (forecast)")
    assert after[0] == pytest.approx(before[0])          # the start level is data, not assumption
    assert after[-1] > before[-1] * 1.2                  # 20%/yr for 5 years beats the ~8% trend
    assert after[-1] == pytest.approx(after[0] * 1.2 ** 5, rel=1e-6)  # blend weight moved to 1
    assert at.session_state["assumptions"].blend_weight == 1.0
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert "(edited)" in title


def test_industry_slider_and_reset(at):
    before = _forecast_y(at, 0, "ML engineer (forecast)")
    at.slider(key="gc_ind_fintech").set_value(-5.0).run()
    lowered = _forecast_y(at, 0, "ML engineer (forecast)")
    assert lowered[-1] < before[-1]
    heat = json.loads(at.get("plotly_chart")[2].proto.spec)["data"][0]
    assert "z" in heat
    at.button(key="gc_reset").click().run()
    assert np.allclose(_forecast_y(at, 0, "ML engineer (forecast)"), before)
    assert at.slider(key="gc_ind_fintech").value == 0.0


def test_forcing_a_model_shows_its_backtest(at):
    at.selectbox(key="dm_model").set_value("naive").run()
    assert not at.exception
    metric = next(m for m in at.metric if m.label.startswith("Backtest of"))
    assert "'naive'" in metric.label and metric.value.startswith("MASE ")


def test_sidebar_filters_narrow_the_industry_stack_and_heatmap():
    from forecasting import catalog
    from ui.sidebar import SidebarState

    def shown(app):
        specs = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
        stack = {t["name"] for t in specs[1]["data"] if t.get("stackgroup")}
        heat = next(t for t in specs[2]["data"] if t["type"] == "heatmap")
        return stack, len(heat["x"]), len(heat["y"])

    app = AppTest.from_file(APP, default_timeout=120).run()
    app.switch_page("pages/demand.py").run()
    stack, n_x, n_y = shown(app)  # the default: every industry and role
    assert len(stack) == n_x == len(catalog.INDUSTRY_IDS) and n_y == len(catalog.ROLE_IDS)
    app.session_state["sidebar"] = SidebarState("baseline", 5, ("ml_engineer", "data_scientist"),
                                                ("fintech", "healthtech"))
    app.run()
    assert not app.exception, app.exception
    stack, n_x, n_y = shown(app)
    assert stack == {catalog.industry("fintech").label, catalog.industry("healthtech").label}
    assert (n_x, n_y) == (2, 2)
