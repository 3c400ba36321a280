"""AppTest for the salary page: it renders, and each filter visibly changes the figures."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "salaries.py")


def _arr(v) -> np.ndarray:
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v)


def _spec(at: AppTest, i: int) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def _trace(spec: dict, name: str) -> dict:
    return next(t for t in spec["data"] if t.get("name") == name)


@pytest.fixture(scope="module")
def at() -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not app.exception
    return app


def test_page_renders_three_charts_with_credit(at):
    assert len(at.get("plotly_chart")) == 3
    captions = " ".join(c.value for c in at.caption)
    assert "ai-jobs.net salaries (CC0 1.0)" in captions
    assert "self-reported and self-selected" in captions
    assert at.selectbox(key="sal_year").value == 2024
    spec = _spec(at, 1)
    assert "BLS OEWS" in spec["layout"]["title"]["text"]
    # the top-coded BLS P90 of 11-3021 is labelled, never plotted as a number
    bls = _trace(spec, "BLS OEWS median")
    assert any("≥ BLS cap" in t for t in bls["text"])
    try:
        import ui.downloads  # noqa: F401
    except ImportError:
        return
    keys = [b.proto.id for b in at.get("download_button")]
    assert any("sal_report" in k for k in keys) and any("dl_sal_bands" in k for k in keys)


def test_experience_filter_changes_band_chart(at):
    before = _arr(_trace(_spec(at, 0), "Median")["x"]).astype(float)
    at.selectbox(key="sal_exp").set_value("EN").run()
    assert not at.exception
    after = _arr(_trace(_spec(at, 0), "Median")["x"]).astype(float)
    assert not np.array_equal(before, after)
    # entry-level US medians sit below the all-levels ones
    assert np.nanmedian(after) < np.nanmedian(before)
    at.selectbox(key="sal_exp").set_value("All").run()


def test_location_and_size_filters_change_band_chart(at):
    before = _arr(_trace(_spec(at, 0), "Median")["x"]).astype(float)
    at.selectbox(key="sal_loc").set_value("GB").run()
    assert not at.exception
    gb = _arr(_trace(_spec(at, 0), "Median")["x"]).astype(float)
    assert len(gb) != len(before) or not np.allclose(gb, before)
    at.selectbox(key="sal_loc").set_value("US").run()
    at.selectbox(key="sal_size").set_value("S").run()
    small = _arr(_trace(_spec(at, 0), "Median")["x"]).astype(float)
    assert len(small) != len(before) or not np.allclose(small, before)
    at.selectbox(key="sal_size").set_value("All").run()


def test_wage_growth_slider_moves_projection(at):
    spec = _spec(at, 2)
    name = next(t["name"] for t in spec["data"] if t["name"].startswith("ML engineer")
                and t.get("mode") == "lines+markers")
    y0 = _arr(_trace(spec, name)["y"]).astype(float)
    at.slider(key="sal_growth").set_value(10.0).run()
    assert not at.exception
    y1 = _arr(_trace(_spec(at, 2), name)["y"]).astype(float)
    assert y1[0] == pytest.approx(y0[0])  # base year unchanged
    assert y1[-1] == pytest.approx(y0[0] * 1.10 ** (len(y1) - 1))
    assert y1[-1] > y0[-1]
