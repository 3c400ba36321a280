"""traces.deferred_figures(): the Demand page draws its charts from the factories' own dicts and
builds a go.Figure only when a download asks for one (issue #18). Both must be the same chart."""

from __future__ import annotations

import json

import plotly.io as pio
import pytest

from forecasting.headcount import industry_mix
from forecasting.headcount import projection as headcount
from forecasting.scenarios import engine, presets
from forecasting.viz import figure_data, traces
from forecasting.viz import headcount as headcount_charts


@pytest.fixture(scope="module")
def inputs():
    prep = engine.prepare(headcount.baseline_projection(10))
    a = presets.preset("baseline").with_changes(role_growth=(("data_scientist", 25.0),),
                                                  blend_weight=1.0)
    return {"projection": engine.apply_scenario(prep, a),
            "history": industry_mix.role_industry_history(None),
            "measured": industry_mix.role_industry_history(None, measured_only=True),
            "bls": headcount.bls_role_paths()}


FACTORIES = {
    "headcount": lambda d: headcount_charts.headcount_chart(
        d["history"], d["projection"], ["ml_engineer", "data_scientist"], None, bls=d["bls"],
        backtested_until=int(d["projection"]["year"].min()) + 2, title="t", footer="f"),
    "headcount_one_industry": lambda d: headcount_charts.headcount_chart(
        d["history"], d["projection"], ["data_scientist"], "fintech", title="t", footer="f"),
    "industry_history": lambda d: headcount_charts.industry_history(
        d["measured"], d["projection"], "data_scientist", note="n", title="t", footer="f"),
    "jobs_added": lambda d: headcount_charts.jobs_added_heatmap(
        engine.jobs_added_by_cell(d["projection"]), title="t", footer="f"),
}


@pytest.mark.parametrize("name", FACTORIES)
def test_deferred_figure_is_the_same_chart(inputs, name):
    eager = FACTORIES[name](inputs)
    with traces.deferred_figures():
        lazy = FACTORIES[name](inputs)
    assert isinstance(lazy, traces.DeferredFigure) and not isinstance(eager, traces.DeferredFigure)
    # what the page sends (plain JSON of the dicts) shows what the figure shows...
    sent = json.loads(pio.to_json({"data": lazy._data, "layout": lazy._layout}, validate=False))
    full = json.loads(eager.to_json())
    assert sent["layout"] == full["layout"]
    assert [t["name"] for t in sent["data"]] == [t["name"] for t in full["data"]]
    # ...and the figure a download builds is the eager one exactly
    assert lazy.figure().to_json() == eager.to_json()
    assert lazy.figure() is lazy.figure()  # built once
    assert figure_data.figure_data(lazy.figure()).equals(figure_data.figure_data(eager))


def test_outside_the_context_factories_return_figures(inputs):
    with traces.deferred_figures():
        pass
    assert not isinstance(FACTORIES["jobs_added"](inputs), traces.DeferredFigure)
