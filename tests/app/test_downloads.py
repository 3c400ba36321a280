"""ui.downloads: five lazy, no-rerun buttons per chart; images disabled with a reason when absent."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from forecasting.viz import export
from forecasting.viz import headcount as headcount_charts


def _app() -> None:
    import numpy as np
    import pandas as pd
    import streamlit as st

    from forecasting.viz import headcount as headcount_charts
    from ui import downloads
    g = np.array([1.0, 2.0])
    fr = pd.DataFrame({"role": ["data_scientist", "ml_engineer"], "growth_pct_per_year": g,
                       "lo_80": g - 1, "hi_80": g + 1, "lo_95": g - 2, "hi_95": g + 2})
    fig = headcount_charts.growth_ranking(fr)
    st.plotly_chart(fig, key="rank")
    downloads.chart_downloads(fig, "Growth / ranking", key="rank")
    downloads.report_download({"Ranking": fig}, {"growth": fr}, {"version": 1}, key="rep")


def _buttons(at: AppTest):
    return {b.proto.label: b.proto for b in at.get("download_button")}


def test_buttons_are_lazy_and_do_not_rerun():
    at = AppTest.from_function(_app, default_timeout=60).run()
    assert not at.exception
    buttons = _buttons(at)
    assert set(buttons) == {"PNG", "SVG", "PDF", "HTML", "CSV", "Download report (ZIP)"}
    for label, proto in buttons.items():
        assert proto.ignore_rerun, label
        assert proto.deferred_file_id, label  # a callable: built on click, not on render


def test_images_disabled_with_reason(monkeypatch):
    monkeypatch.setattr(export, "image_export_available",
                        lambda: (False, "Image export needs Chromium."))
    at = AppTest.from_function(_app, default_timeout=60).run()
    assert not at.exception
    buttons = _buttons(at)
    for fmt in ("PNG", "SVG", "PDF"):
        assert buttons[fmt].disabled and "Chromium" in buttons[fmt].help
    for fmt in ("HTML", "CSV"):
        assert not buttons[fmt].disabled
    assert "HTML and CSV only" in buttons["Download report (ZIP)"].help


def test_builders_make_the_files():
    from ui import downloads
    g = np.array([3.0])
    fr = pd.DataFrame({"role": ["nlp_scientist"], "growth_pct_per_year": g, "lo_80": g - 1,
                       "hi_80": g + 1, "lo_95": g - 2, "hi_95": g + 2})
    fig = headcount_charts.growth_ranking(fr)
    csv = downloads._builder(fig, "csv")()
    assert pd.read_csv(io.BytesIO(csv))["x"].tolist() == [3.0]
    blob = export.report_zip({"r": fig}, {}, downloads._assumptions_dict(None), None, images=False)
    assert "data/r.csv" in zipfile.ZipFile(io.BytesIO(blob)).namelist()
