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


def _spec(at: AppTest, chart: int) -> dict:
    return json.loads(at.get("plotly_chart")[chart].proto.spec)


def _heat(at: AppTest) -> tuple[list, list, np.ndarray]:
    """The jobs-added heatmap: x (industries), y (roles), z (people)."""
    t = next(t for t in _spec(at, 2)["data"] if t["type"] == "heatmap")
    z = t["z"]
    if isinstance(z, dict):  # plotly's typed-array encoding of a 2-D array
        z = _arr(z).astype(float).reshape([int(n) for n in str(z["shape"]).split(",")])
    else:
        z = np.array([[np.nan if v is None else float(v) for v in row] for row in z])
    return t["x"], t["y"], z


def test_renders_headcount_industry_history_jobs_added_and_postings(at):
    from forecasting.headcount import industry_mix
    assert len(at.get("plotly_chart")) == 4
    captions = " ".join(c.value for c in at.caption)
    assert "not a count of people" in captions  # postings are labelled as postings
    titles = [_spec(at, k)["layout"]["title"]["text"] for k in range(4)]
    assert "by industry, measured and projected" in titles[1]
    assert "jobs added by role and industry" in titles[2]
    assert any("postings" in t.lower() for t in titles)
    # (a) the measured years are the OEWS by-sector years, per industry
    hist = [t for t in _spec(at, 1)["data"] if t.get("meta", {}).get("fields", {}).get("kind") == "history"]
    assert len(hist) == 7 and all(list(_arr(t["x"]).astype(int)) == [2022, 2023, 2024] for t in hist)
    # the projected mix label is computed from the fitted share trend
    trend = industry_mix.share_trend()
    assert f"k = {trend.k:+.3f}, se {trend.se:.3f}" in titles[1].replace("<br>", " ")
    # (b) people, not rates: cells are the projection's end minus start level
    _, _, z = _heat(at)
    assert z.shape == (7, 7) and np.nanmax(np.abs(z)) > 1000
    # the automotive share is labelled as an assumption with its basis
    assert "ASSUMPTION: automotive" in captions and "not of employment" in captions


def test_role_growth_slider_changes_the_plotted_forecast(at):
    before = _forecast_y(at, 0, "Data scientist (forecast)")
    at.slider(key="gc_role_data_scientist").set_value(20.0).run()
    assert not at.exception
    after = _forecast_y(at, 0, "Data scientist (forecast)")
    assert after[0] == pytest.approx(before[0])          # the start level is data, not assumption
    assert after[-1] > before[-1] * 1.2                  # 20%/yr for 5 years beats the ~8% trend
    assert after[-1] == pytest.approx(after[0] * 1.2 ** 5, rel=1e-6)  # blend weight moved to 1
    assert at.session_state["assumptions"].blend_weight == 1.0
    assert [t.value for t in at.toast] == ["Blend weight set to 1 so your role growth takes effect."]
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert "(edited)" in title


def test_industry_lever_moves_the_industry_charts_at_once(at):
    before = _forecast_y(at, 0, "ML engineer (forecast)")
    fin_hist = _forecast_y(at, 1, "Fintech (finance & insurance)")
    fin_proj = _forecast_y(at, 1, "Fintech (finance & insurance) (projection)")
    hlt_proj = _forecast_y(at, 1, "Healthtech (health care) (projection)")
    x, _, z = _heat(at)
    col = next(k for k, label in enumerate(x) if label.startswith("Fintech"))
    at.slider(key="gc_ind_fintech").set_value(-5.0).run()
    assert not at.exception
    assert _forecast_y(at, 0, "ML engineer (forecast)")[-1] < before[-1]
    np.testing.assert_array_equal(_forecast_y(at, 1, "Fintech (finance & insurance)"), fin_hist)
    low = _forecast_y(at, 1, "Fintech (finance & insurance) (projection)")
    assert low[0] == pytest.approx(fin_proj[0])            # the start year is data
    assert low[-1] < fin_proj[-1] * 0.85                   # ~5 points a year less for 5 years
    np.testing.assert_allclose(_forecast_y(at, 1, "Healthtech (health care) (projection)"), hlt_proj)
    _, _, z2 = _heat(at)
    assert (z2[:, col] < z[:, col]).all()
    others = [k for k in range(z.shape[1]) if k != col]
    np.testing.assert_allclose(z2[:, others], z[:, others])
    at.button(key="gc_reset").click().run()
    assert np.allclose(_forecast_y(at, 0, "ML engineer (forecast)"), before)
    assert at.slider(key="gc_ind_fintech").value == 0.0


def test_automotive_override_moves_history_and_projection(at):
    auto = _forecast_y(at, 1, "Automotive")
    at.checkbox(key="gc_auto").check().run()
    at.slider(key="gc_auto_share").set_value(0.2).run()
    assert not at.exception
    assert at.session_state["assumptions"].automotive_share == pytest.approx(0.2)
    assert (_forecast_y(at, 1, "Automotive") > auto * 5).all()  # 20% of manufacturing, not ~2%
    assert "(your override)" in " ".join(c.value for c in at.caption)


def test_forcing_a_model_shows_its_backtest(at):
    at.selectbox(key="dm_model").set_value("naive").run()
    assert not at.exception
    metric = next(m for m in at.metric if m.label.startswith("Backtest of"))
    assert "'naive'" in metric.label and metric.value.startswith("MASE ")


def test_sidebar_filters_narrow_the_industry_charts():
    from forecasting.core import catalog
    from ui.sidebar import SidebarState

    def shown(app):
        names = {t["name"] for t in _spec(app, 1)["data"]
                 if t.get("meta", {}).get("fields", {}).get("kind") == "history"}
        x, y, _ = _heat(app)
        return names, len(x), len(y)

    app = AppTest.from_file(APP, default_timeout=120).run()
    app.switch_page("pages/demand.py").run()
    names, n_x, n_y = shown(app)  # the default: every industry and role
    assert len(names) == n_x == len(catalog.INDUSTRY_IDS) and n_y == len(catalog.ROLE_IDS)
    app.session_state["sidebar"] = SidebarState("baseline", 5, ("ml_engineer", "data_scientist"),
                                                ("fintech", "healthtech"))
    app.run()
    assert not app.exception, app.exception
    names, n_x, n_y = shown(app)
    assert names == {catalog.industry("fintech").label, catalog.industry("healthtech").label}
    assert (n_x, n_y) == (2, 2)


def test_wef_preset_scope_and_point_path_on_the_demand_page(at):
    from forecasting.scenarios import presets
    base_ds = _forecast_y(at, 0, "Data scientist (forecast)")
    at.session_state["assumptions"] = presets.preset("wef2023")
    at.run()
    assert not at.exception
    np.testing.assert_allclose(_forecast_y(at, 0, "Data scientist (forecast)"), base_ds)  # not WEF's
    mle = _forecast_y(at, 0, "ML engineer (forecast)")
    assert mle[-1] / mle[0] == pytest.approx(1.40, rel=1e-9)
    spec = _spec(at, 0)
    upper = next(t for t in spec["data"] if t.get("name") == "ML engineer 95% interval")
    np.testing.assert_allclose(_arr(upper["y"]).astype(float), mle)  # a point path: no band
    text = " ".join(c.value for c in at.caption)
    assert "2023-27" in text and "global" in text
