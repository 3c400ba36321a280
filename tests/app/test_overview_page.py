"""AppTest for the overview: useful before any click, and every KPI traceable to a frame."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from forecasting import catalog, data, headcount

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")


@pytest.fixture(scope="module")
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception, app.exception
    return app


def _specialists(year: int) -> float:
    proj = headcount.baseline_projection(10)
    sel = proj[proj["role"].isin(catalog.AI_ML_SPECIALIST_ROLES) & (proj["year"] == year)]
    return float(sel["mean"].sum())


def test_growth_ranking_chart_lists_the_seven_roles(at):
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    import json
    spec = json.loads(charts[0].proto.spec)
    dots = [t for t in spec["data"] if t.get("name") == "Growth, % per year"][0]
    assert sorted(dots["y"]) == sorted(r.label for r in catalog.ROLES)


def test_kpis_match_the_baseline_and_oews(at):
    metrics = {m.label: m for m in at.metric}
    base = int(headcount.baseline_projection(10)["year"].min())
    added = _specialists(base + 5) - _specialists(base)
    kpi = next(m for label, m in metrics.items() if label.startswith("ML-specialist jobs added by"))
    assert kpi.value == f"+{added / 1e3:.0f}k"
    pay = next(m for label, m in metrics.items() if label.startswith("Median pay"))
    oews = data.load_oews_national()
    ds = oews[(oews["soc"] == "15-2051") & (oews["year"] == 2025)].iloc[0]
    assert pay.value == f"${ds['a_median']:,.0f}" == "$120,230"   # DESIGN.md fact


def test_wef_is_labelled_as_a_global_assumption(at):
    text = " ".join(c.value for c in at.caption)
    assert "ASSUMPTION" in text and "globally" in text and "+40%" in text


def test_summary_numbers_come_from_the_frames(at):
    summary = next(m.value for m in at.markdown if m.value.startswith("**In short.**"))
    base = int(headcount.baseline_projection(10)["year"].min())
    assert f"{_specialists(base):,.0f}" in summary
    assert f"{_specialists(base + 5):,.0f}" in summary
    assert "$120,230" in summary
