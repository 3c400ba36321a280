"""AppTest for the shell: it opens on the overview, draws the shared sidebar and the credits, and
the sidebar's scenario and horizon write the shared Assumptions."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from forecasting.scenarios import presets
from ui import layout

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")


@pytest.fixture(scope="module")
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception, app.exception
    return app


def test_opens_on_overview_with_chart_title_and_credits(at):
    assert at.title[0].value == "ML-talent demand forecast"
    assert len(at.get("plotly_chart")) >= 1
    captions = " ".join(c.value for c in at.caption)
    for credit in ("Indeed Hiring Lab (CC BY 4.0)",
                   "U.S. Bureau of Labor Statistics (OEWS, Employment Projections)",
                   "ai-jobs.net salaries (CC0 1.0)", "NSF NCSES / Census ABS"):
        assert credit in captions


def test_sidebar_defaults_to_statistical_baseline(at):
    assert at.sidebar.selectbox(key="sb_scenario").value == "baseline"
    assert at.sidebar.slider(key="sb_horizon").value == 5
    assert at.session_state["assumptions"] == presets.preset("baseline")
    assert len(at.sidebar.multiselect(key="sb_roles").value) == 7


def _sidebar_app() -> None:
    import streamlit as st

    from ui import sidebar
    state = sidebar.render()
    st.write(f"horizon={state.horizon_years}")


def test_preset_and_horizon_write_the_shared_assumptions():
    # AppTest reruns only the page of an st.navigation app (the pages/ folder makes it a v1 app
    # in tests), so the sidebar is exercised on its own here.
    at = AppTest.from_function(_sidebar_app).run()
    at.sidebar.selectbox(key="sb_scenario").set_value("bls2034").run()
    assert not at.exception
    a = at.session_state["assumptions"]
    assert a.preset == "bls2034" and a.blend_weight == 1.0
    assert at.sidebar.slider(key="sb_horizon").value == a.horizon_years == 10  # preset's horizon
    at.sidebar.slider(key="sb_horizon").set_value(3).run()
    assert at.session_state["assumptions"].horizon_years == 3
    assert at.session_state["assumptions"].preset == "bls2034"
    # a scenario changed elsewhere (Scenarios page, a link) is reflected, not overwritten
    at.session_state["assumptions"] = presets.preset("wef2023")
    at.run()
    assert at.sidebar.selectbox(key="sb_scenario").value == "wef2023"
    assert at.sidebar.slider(key="sb_horizon").value == 5
    assert at.session_state["assumptions"] == presets.preset("wef2023")


def test_app_navigation_is_set_by_a_call_not_by_an_import(monkeypatch):
    """Streamlit's v1/v2 pages switch is flipped by layout.use_app_navigation(), which the shell
    and every page call; importing ui.layout no longer patches Streamlit."""
    import importlib

    from streamlit.runtime.pages_manager import PagesManager
    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    importlib.reload(layout)
    assert PagesManager.uses_pages_directory is True
    layout.use_app_navigation()
    assert PagesManager.uses_pages_directory is False
    root = Path(APP).parent
    for page in sorted(root.glob("pages/*.py")):
        assert "layout.use_app_navigation()" in page.read_text(), page.name


def test_overview_footer_names_the_panel_years(at):
    import json

    from forecasting.headcount import panel as hp
    years = hp.panel_years()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    footer = next(a["text"] for a in spec["layout"]["annotations"] if a.get("name") == "footer")
    assert f"OEWS May {years[0]}–{years[-1]} (employment" in footer.replace("<br>", " ")


def test_number_formats():
    assert layout.fmt_compact(166_519, signed=True) == "+167k"
    assert layout.fmt_compact(1_000_000) == "1.00M"
    assert layout.fmt_count(262440.4) == "262,440"
    assert layout.fmt_usd(120230) == "$120,230"
    assert layout.fmt_pct(-3.14) == "-3.1%"
    assert layout.fmt_count(float("nan")) == "n/a"
