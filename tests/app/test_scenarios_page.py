"""AppTest for the Scenarios page: presets move the figures, links reproduce the state, bad links
degrade field by field with an escaped warning, saving works and a read-only folder does not
break the page."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import parse_qsl

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from forecasting.scenarios import analysis, presets, urlcodec
from forecasting.scenarios.store import ScenarioStore

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "scenarios.py")
APP = str(ROOT / "dashboard.py")


def _arr(v) -> np.ndarray:
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).astype(float)
    return np.asarray(v, dtype=float)


def _chart(at: AppTest, key_index: int) -> dict:
    return json.loads(at.get("plotly_chart")[key_index].proto.spec)


def _line(at: AppTest) -> np.ndarray:
    """The current scenario's plotted mean (first legend line of the comparison chart)."""
    spec = _chart(at, 0)
    trace = next(t for t in spec["data"] if t.get("mode") == "lines+markers")
    return _arr(trace["y"])


def _qp(at: AppTest) -> dict[str, str]:
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


@pytest.fixture(autouse=True)
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("MLTALENT_DATA_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _page(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def test_preset_changes_figures_and_url():
    at = _page()
    assert len(at.get("plotly_chart")) == 3  # comparison, tornado, decomposition
    base = _line(at)
    at.selectbox(key="sc_preset").set_value("high").run()
    assert not at.exception
    high = _line(at)
    assert high[0] == pytest.approx(base[0]) and high[-1] > base[-1] * 1.05
    assert at.session_state["assumptions"] == presets.preset("high")
    assert _qp(at) == urlcodec.encode(presets.preset("high"))
    # compare: the table carries one block of rows per scenario
    at.multiselect(key="sc_compare").set_value(["preset:wef2023", "preset:low"]).run()
    table = at.dataframe[0].value
    assert set(table["scenario"]) == {"High adoption", "WEF 2023 (assumption)", "Low adoption"}
    traces = [t for t in _chart(at, 0)["data"] if t.get("mode") == "lines+markers"]
    assert len(traces) == 3


def test_query_params_reproduce_the_state_exactly():
    a = presets.preset("wef2023").with_changes(name="Team **plan** <b>x</b>", horizon_years=7,
                                          shock_year=2028, shock_pct=12.5,
                                          role_cap={"data_scientist": 400000.0},
                                          industry_growth={"fintech": 1.5}, automotive_share=0.25)
    at = _page(urlcodec.encode(a))
    assert at.session_state["assumptions"] == a
    assert not at.warning or all("could not be used" not in w.value for w in at.warning)
    # the page writes the same state back into the URL
    assert _qp(at) == urlcodec.encode(a)
    link = at.code[0].value if at.code else None
    assert link is None  # the link is shown on demand
    at.button(key="sc_share").click().run()
    shown = at.code[0].value
    assert shown.startswith("?") and "n=Team" in shown
    back, msgs = urlcodec.decode(dict(parse_qsl(shown[1:])))
    assert back == a and msgs == []


def test_share_link_through_the_dashboard_sets_the_sidebar():
    a = presets.preset("bls2034").with_changes(horizon_years=4)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(urlcodec.encode(a))
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["assumptions"] == a
    assert at.session_state["sb_horizon"] == 4 and at.session_state["sb_scenario"] == "bls2034"


def test_tampered_link_falls_back_and_says_which_escaped():
    params = urlcodec.encode(presets.preset("wef2023"))
    params.update({"h": "99", "g.ds": "lots", "n": "[click](http://evil)",
                   "tb": "<img src=x>"})
    at = _page(params)
    a = at.session_state["assumptions"]
    assert a.horizon_years == 5 and "data_scientist" not in a.role_growth_map
    assert a.role_growth_map["ml_engineer"] == pytest.approx(presets.WEF_CAGR_PCT)
    warning = next(w for w in at.warning if "could not be used" in w.value)
    assert "horizon\\_years" in warning.value and "data\\_scientist" in warning.value
    assert "trend\\_band" in warning.value
    assert "\\<img src=x\\>" in warning.value  # markup from the link is escaped, not rendered
    assert a.name == "[click](http://evil)" and at.text_input(key="sc_name").value == a.name


def test_save_and_list(data_home):
    at = _page()
    at.selectbox(key="sc_preset").set_value("wef2023").run()
    at.text_input(key="sc_name").input("My plan").run()
    at.button(key="sc_save").click().run()
    assert not at.exception
    assert any("Saved" in s.value for s in at.success)
    store = ScenarioStore(data_home)
    assert store.load("My plan") == presets.preset("wef2023").with_changes(name="My plan")
    assert at.session_state["assumptions"].name == "My plan"


def test_read_only_data_home_keeps_page_working(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("MLTALENT_DATA_HOME", str(blocker / "sub"))
    at = _page()
    assert any("Saving is off" in w.value for w in at.warning)
    assert at.button(key="sc_save").disabled
    assert len(at.get("plotly_chart")) == 3


def test_default_compares_baseline_with_wef_and_bls_with_numbers():
    at = _page()
    assert at.multiselect(key="sc_compare").value == ["preset:wef2023", "preset:bls2034"]
    table = at.dataframe[0].value
    assert set(table["scenario"]) == {"Statistical baseline", "WEF 2023 (assumption)", "BLS 2024-34"}
    assert table["jobs_year_n"].notna().all() and (table["jobs_year_n"] > 0).all()
    lines = [t for t in _chart(at, 0)["data"] if t.get("mode") == "lines+markers"]
    assert len(lines) == 3


def test_wef_is_scoped_labelled_and_its_anchor_period_is_a_lever():
    at = _page()
    at.selectbox(key="sc_preset").set_value("wef2023").run()
    info = " ".join(w.value for w in at.warning).replace("\\", "")  # markdown-escaped
    assert "2023-27" in info and "global" in info and "ML engineer, NLP scientist, ML scientist" in info
    a = at.session_state["assumptions"]
    assert a.anchor_years == 5 and not a.extend_anchor
    at.checkbox(key="sc_extend").check().run()
    assert not at.exception
    assert at.session_state["assumptions"].extend_anchor is True
    assert _qp(at)["xa"] == "1" and _qp(at)["ay"] == "5"


def test_compare_table_sets_rates_beside_wef_and_bls_and_draws_one_band():
    at = _page()
    table = at.dataframe[0].value
    assert list(table.columns) == analysis.TABLE_COLUMNS
    assert "gap_to_wef_jobs" not in table.columns
    grp = table[table["role"] == "AI/ML specialists"].set_index("scenario")
    assert grp.loc["WEF 2023 (assumption)", "growth_5y_pct"] == pytest.approx(40.0, rel=1e-9)
    assert (grp["wef_growth_5y_pct"] == 40.0).all()
    ds = table[table["role"] == "Data scientist"].set_index("scenario")
    assert ds.loc["BLS 2024-34", "cagr_pct"] == pytest.approx(ds.loc["BLS 2024-34", "bls_cagr_pct"])
    assert ds["bls_cagr_pct"].nunique() == 1  # BLS's rate for the role, beside every scenario
    captions = " ".join(c.value for c in at.caption)
    assert "AI/ML specialists = AI/ML specialists (ML engineer, ML scientist) excl. small-base" in captions
    filled = [t for t in _chart(at, 0)["data"] if t.get("fill")]
    assert [t["name"] for t in filled] == ["Statistical baseline: 80% interval (model uncertainty)"]
