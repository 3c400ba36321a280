"""AppTest for the overview: useful before any click, and every KPI traceable to a frame."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from forecasting.core import catalog
from forecasting.headcount import projection as headcount
from forecasting.scenarios import headlines
from forecasting.sources import oews as oews_data

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")


@pytest.fixture(scope="module")
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception, app.exception
    return app


def _specialists(year: int, roles=None) -> float:
    roles = headlines.headline_group(False) if roles is None else roles
    proj = headcount.baseline_projection(10)
    sel = proj[proj["role"].isin(roles) & (proj["year"] == year)]
    return float(sel["mean"].sum())


def test_growth_ranking_chart_lists_the_seven_roles(at):
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    import json
    spec = json.loads(charts[0].proto.spec)
    dots = next(t for t in spec["data"] if t.get("name") == "Growth, % per year")
    assert sorted(dots["y"]) == sorted(r.label for r in catalog.ROLES)


def test_kpis_match_the_baseline_and_oews(at):
    metrics = {m.label: m for m in at.metric}
    base = int(headcount.baseline_projection(10)["year"].min())
    start, end = _specialists(base), _specialists(base + 5)
    kpi = metrics[f"AI/ML specialists, growth {base}–{base + 5}"]
    assert kpi.value == f"{(end / start - 1) * 100:+.1f}%"      # a rate, comparable with WEF's
    added = end - start  # KPI cards: one decimal below 10k, none from 10k on
    assert kpi.delta == (f"{added / 1e3:+.1f}k US jobs" if 1e3 <= abs(added) < 1e4
                         else f"{added / 1e3:+.0f}k US jobs")
    pay = next(m for label, m in metrics.items() if label.startswith("Median pay"))
    oews = oews_data.load_oews_national()
    ds = oews[(oews["soc"] == "15-2051") & (oews["year"] == 2025)].iloc[0]
    assert pay.value == f"${ds['a_median']:,.0f}" == "$120,230"   # DESIGN.md fact


def test_wef_is_a_global_rate_and_no_jobs_figure_is_set_against_it(at):
    text = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    assert "ASSUMPTION" in text and "global rate" in text and "+40%" in text and "2023–2027" in text
    for needle in ("1 million", "1M", "~1", "gap"):
        assert needle not in text, needle


def test_summary_numbers_come_from_the_frames(at):
    summary = next(m.value for m in at.markdown if m.value.startswith("**In short.**"))
    base = int(headcount.baseline_projection(10)["year"].min())
    assert f"{_specialists(base):,.0f}" in summary
    assert f"{_specialists(base + 5):,.0f}" in summary
    assert "excl. small-base NLP scientist" in summary  # the group says what it sums
    assert "$120,230" in summary


def test_small_base_roles_join_the_headline_only_when_included():
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert headlines.headline_group(False) == ("ml_engineer", "ml_scientist")
    app.checkbox(key="gc_small_base").check().run()
    assert not app.exception
    summary = next(m.value for m in app.markdown if m.value.startswith("**In short.**"))
    base = int(headcount.baseline_projection(10)["year"].min())
    every = catalog.AI_ML_SPECIALIST_ROLES
    assert f"{_specialists(base, every):,.0f}" in summary and "excl." not in summary
    assert _specialists(base, every) > _specialists(base)
