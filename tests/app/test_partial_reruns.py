"""Partial reruns on the Demand page, on a real server through Streamlit's own websocket
protocol (bench/st_client.py sends what a browser sends, incl. the fragment id of the widget it
changed): a growth lever reruns only its st.fragment, and that rerun redraws every chart the
lever moves (headcount, industry history, jobs added), each with the new scenario; the postings
controls and the role picker of the industry chart rerun their own charts alone; a sidebar
control reruns the whole page. AppTest cannot show this: it always reruns the whole script."""

from __future__ import annotations

import asyncio
import base64
import json

import numpy as np
import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import st_client as sc

MOVED = ("dm_headcount", "dm_industry_history", "dm_jobs_added")
CHARTS = (*MOVED, "dm_postings")
FRAGMENT_RUN = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY


def _arr(v) -> np.ndarray:
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).astype(float)
    return np.array([np.nan if x is None else x for x in np.ravel(v)], dtype=float)


def _y(s: sc.Session, chart: str, trace: str) -> np.ndarray:
    data = json.loads(s.specs[chart])["data"]
    return _arr(next(t for t in data if t.get("name") == trace)["y"])


def _z(s: sc.Session) -> np.ndarray:
    heat = next(t for t in json.loads(s.specs["dm_jobs_added"])["data"] if t["type"] == "heatmap")
    return _arr(heat["z"])


@pytest.fixture(scope="module")
def steps():
    """Drive one session through every kind of change; returns what each run re-sent."""
    async def drive() -> dict:
        port = sc.free_port()
        proc = sc.start_server("dashboard.py", port, env={"MLTALENT_EXPORT_WARM_UP": "0"})
        out: dict = {}
        try:
            async with sc.Session(f"http://127.0.0.1:{port}") as s:
                await s.run()
                first = await s.open_page("demand", watch=CHARTS)
                out["first"] = (first, dict(s.widgets), dict(s.chart_fragment))

                async def step(name, changes=None, trigger=None):
                    before = {k: s.specs[k] for k in CHARTS}
                    r = await s.run(changes, watch=CHARTS, trigger=trigger)
                    out[name] = (r, before, dict(s.specs))
                    return r

                ds0 = _y(s, "dm_headcount", "Data scientist (forecast)")
                z0 = _z(s)
                await step("role", {"gc_role_data_scientist": 25.0})
                out["role_values"] = (ds0, _y(s, "dm_headcount", "Data scientist (forecast)"),
                                      z0, _z(s))
                z1 = _z(s)
                fin0 = _y(s, "dm_industry_history", "Fintech (finance & insurance) (projection)")
                await step("industry", {"gc_ind_fintech": -6.0})
                out["industry_values"] = (
                    fin0, _y(s, "dm_industry_history", "Fintech (finance & insurance) (projection)"),
                    z1, _z(s))
                await step("auto_on", {"gc_auto": True})  # the default share, now editable
                await step("automotive", {"gc_auto_share": 0.2})
                await step("reset", trigger="gc_reset")
                out["reset_values"] = (ds0, _y(s, "dm_headcount", "Data scientist (forecast)"))
                await step("stack_role", {"dm_stack_role": "Data scientist"})
                await step("model", {"dm_model": "naive"})
                await step("sidebar", {"sb_horizon": 7.0})
        finally:
            sc.stop_server(proc)
        return out
    return asyncio.run(drive())


def test_every_lever_and_the_charts_it_moves_share_one_fragment(steps):
    first, widgets, chart_fragment = steps["first"]
    assert first.ok, first.errors
    levers = [k for k in widgets if k.startswith("gc_") and k != "gc_small_base"]
    assert {"gc_blend", "gc_role_data_scientist", "gc_ind_fintech", "gc_auto",
            "gc_reset"} <= set(levers)
    section = {widgets[k].fragment_id for k in levers}
    assert len(section) == 1 and "" not in section  # one fragment holds every lever...
    assert chart_fragment["dm_headcount"] in section  # ...and the charts (the industry chart
    assert chart_fragment["dm_jobs_added"] in section  # sits in a fragment nested in it)
    for key in ("sb_horizon", "sb_scenario", "dm_roles", "dm_industry"):
        assert widgets[key].fragment_id == ""  # these rerun the page


@pytest.mark.parametrize("name", ["role", "industry", "auto_on", "automotive", "reset"])
def test_a_lever_reruns_its_fragment_and_redraws_every_chart_it_moves(steps, name):
    r, before, after = steps[name]
    assert r.status == FRAGMENT_RUN and r.ok, (r.status, r.errors)
    assert set(r.element_s) == set(MOVED)  # postings (no assumption in it) not re-sent
    assert after["dm_postings"] == before["dm_postings"]
    if name != "auto_on":  # (ticking the override alone keeps the data's share)
        assert [k for k in MOVED if after[k] != before[k]] == list(MOVED)  # the new scenario


def test_the_redrawn_charts_show_the_new_assumption(steps):
    ds0, ds1, z0, z1 = steps["role_values"]
    assert ds1[0] == pytest.approx(ds0[0]) and ds1[-1] > ds0[-1] * 1.3  # 25%/yr vs the trend
    assert (z1 != z0).any()  # the heatmap in the same run moved too
    fin0, fin1, z1b, z2 = steps["industry_values"]
    assert fin1[-1] < fin0[-1] * 0.85 and fin1[0] == pytest.approx(fin0[0])
    assert (z2 < z1b + 1e-9).all() and (z2 < z1b - 1).any()
    _, before, after = steps["automotive"]  # 20% of manufacturing, not ~2%: automotive grows
    auto = next(_arr(t["y"]) for t in json.loads(after["dm_industry_history"])["data"]
                if t.get("name") == "Automotive")
    auto_before = next(_arr(t["y"]) for t in json.loads(before["dm_industry_history"])["data"]
                       if t.get("name") == "Automotive")
    assert (auto > auto_before * 5).all()
    ds0, reset = steps["reset_values"]
    np.testing.assert_allclose(reset, ds0)


def test_the_role_picker_redraws_only_the_industry_chart(steps):
    r, before, after = steps["stack_role"]
    assert r.status == FRAGMENT_RUN and r.ok and set(r.element_s) == {"dm_industry_history"}
    assert after["dm_industry_history"] != before["dm_industry_history"]


def test_postings_controls_redraw_only_the_postings_chart(steps):
    r, before, after = steps["model"]
    assert r.status == FRAGMENT_RUN and r.ok and set(r.element_s) == {"dm_postings"}
    assert after["dm_postings"] != before["dm_postings"]


def test_a_sidebar_control_reruns_the_whole_page(steps):
    r, _, _ = steps["sidebar"]
    assert r.status == ForwardMsg.FINISHED_SUCCESSFULLY and r.ok
    assert set(r.element_s) == set(CHARTS)
