"""The chart-code preload: it finds Streamlit's plotly chunk, emits it as the run's first
element (before the page's heavy imports), and hides the element so it takes no room."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import preload

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")


def test_finds_the_plotly_chunk_of_the_installed_streamlit():
    # fails on a Streamlit upgrade that renames the chunk: the preload would silently stop
    name = preload.chart_module_name()
    assert name is not None and name.startswith("PlotlyChart.") and name.endswith(".js")
    assert (preload.STATIC_JS / name).is_file()


@pytest.mark.parametrize("files, expected", [
    (["PlotlyChart.abc123.js", "index.x.js"], "PlotlyChart.abc123.js"),
    (["index.x.js"], None),  # no chunk: emit nothing
    (["PlotlyChart.a.js", "PlotlyChart.b.js"], None),  # ambiguous: emit nothing rather than guess
    (["PlotlyChart.a');alert(1);('.js"], None),  # not a plain hashed name: never embedded
])
def test_module_name_needs_exactly_one_match(tmp_path, files, expected):
    for f in files:
        (tmp_path / f).write_text("")
    assert preload.chart_module_name.__wrapped__(tmp_path) == expected


def test_script_imports_the_chunk_relative_to_streamlits_own_bundle():
    js = preload.preload_script("PlotlyChart.abc123.js")
    assert js.startswith("<script>") and js.endswith("</script>")
    assert "import(new URL('./PlotlyChart.abc123.js', s.src).href)" in js
    assert "/static/js/index." in js  # resolved against the bundle's URL, so base paths work
    assert ".catch(" in js  # a failed preload must not surface as a page error
    with pytest.raises(ValueError, match="not a Streamlit chunk name"):
        preload.preload_script("PlotlyChart.x'.js")


def test_dashboard_emits_the_preload_before_anything_else():
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    first = next(iter(at.main.children.values()))
    assert first.proto.id.endswith(preload.CONTAINER_KEY)  # the hidden container comes first
    bodies = [h.proto.body for h in at.get("html")]
    name = preload.chart_module_name()
    assert any(name in b and "<script>" in b for b in bodies)
    assert any(f".st-key-{preload.CONTAINER_KEY}" in b and "display: none" in b for b in bodies)
    assert at.title[0].value == "ML-talent demand forecast"  # the title is still the first thing shown


def test_emits_nothing_when_the_chunk_is_not_found(monkeypatch):
    monkeypatch.setattr(preload, "chart_module_name", lambda: None)

    def app() -> None:
        import streamlit as st

        from ui import preload as p
        p.chart_code()
        st.write("page")

    at = AppTest.from_function(app)
    at.run()
    assert not at.exception and not at.get("html")
