"""Figure factories: titles, units, footers, colours, and figure_data == what is plotted.

Frames here are synthetic shapes (not data): they only exercise layout and plumbing.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from forecasting.core import catalog
from forecasting.core.errors import UserInputError
from forecasting.headcount import projection as headcount
from forecasting.viz import backtest as backtest_charts
from forecasting.viz import figure_data, style, timeseries, traces
from forecasting.viz import headcount as headcount_charts
from forecasting.viz import scenario as scenario_charts

FOOTER = "Source: BLS OEWS May 2025; Indeed Hiring Lab (CC BY 4.0). Assumption: test."
BANDS = ["lo_80", "hi_80", "lo_95", "hi_95"]


@pytest.fixture(autouse=True)
def strict_validation(monkeypatch):
    """The app skips plotly's property validation for speed; here every property is checked."""
    monkeypatch.setattr(traces, "VALIDATE", True)


def _with_bands(mean: np.ndarray, step: float) -> dict[str, np.ndarray]:
    w = step * np.arange(len(mean))
    return {"mean": mean, "lo_80": mean - w, "hi_80": mean + w,
            "lo_95": mean - 2 * w, "hi_95": mean + 2 * w}


@pytest.fixture
def monthly():
    ds = pd.date_range("2022-01-01", periods=24, freq="MS")
    fds = pd.date_range("2024-01-01", periods=6, freq="MS")
    hist, fc = [], []
    for k, sid in enumerate(["data_scientist", "us_ai_share"]):
        hist.append(pd.DataFrame({"series_id": sid, "ds": ds, "y": np.linspace(100, 130, 24) + k}))
        fc.append(pd.DataFrame({"series_id": sid, "ds": fds,
                                **_with_bands(np.linspace(131, 140, 6) + k, 1.5)}))
    return pd.concat(hist, ignore_index=True), pd.concat(fc, ignore_index=True)


@pytest.fixture
def headcount_frames():
    hist, proj = [], []
    for r_i, role in enumerate(["data_scientist", "ml_engineer"]):
        for i_i, ind in enumerate(catalog.INDUSTRY_IDS):
            base = 1000.0 * (r_i + 1) * (i_i + 1)
            for y in range(2021, 2026):
                hist.append((role, ind, y, base * (1 + 0.1 * (y - 2021))))
            m = base * 1.4 * (1 + 0.05 * np.arange(6))
            b = _with_bands(m, 0.02 * base)
            for k, y in enumerate(range(2025, 2031)):
                proj.append((role, ind, y, *(b[c][k] for c in ["mean", *BANDS])))
    return (pd.DataFrame(hist, columns=["role", "industry", "year", "headcount"]),
            pd.DataFrame(proj, columns=["role", "industry", "year", "mean", *BANDS]))


def _growth_frame():
    g = np.arange(len(catalog.ROLE_IDS), dtype=float) - 2
    return pd.DataFrame({"role": catalog.ROLE_IDS, "growth_pct_per_year": g,
                         "lo_80": g - 1, "hi_80": g + 1, "lo_95": g - 2, "hi_95": g + 2})


HB_CATALOG = {"15-2051": "Data Scientists", "15-1252": "Software Developers",
              "11-3021": "Computer and Information Systems Managers"}


def _backtest_predictions(n: int = 40) -> pd.DataFrame:
    """headcount_backtest.predictions-shaped frame: n occupations x (model, zero), 3 in catalog."""
    rng = np.random.default_rng(7)
    socs = [f"99-{1000 + i}" for i in range(n - len(HB_CATALOG))] + list(HB_CATALOG)
    titles = [HB_CATALOG.get(s, f"Occupation {s}") for s in socs]
    actual = rng.normal(0.0, 0.08, n)
    parts = []
    for method, pred in ((headcount.MODEL_NAME, 0.5 * actual + rng.normal(0, 0.02, n)),
                         ("zero", np.zeros(n))):
        band = {"lo_95": pred - 0.2, "lo_80": pred - 0.1, "hi_80": pred + 0.1, "hi_95": pred + 0.2}
        if method != headcount.MODEL_NAME:
            band = {k: np.full(n, np.nan) for k in band}
        parts.append(pd.DataFrame({
            "soc": socs, "soc_title": titles, "method": method, "origin_year": 2024,
            "holdout_year": 2025, "origin_emp": 1000.0 * (1 + np.arange(n)), "actual": actual,
            "predicted": pred, **band, "in_catalog": [s in HB_CATALOG for s in socs]}))
    return pd.concat(parts, ignore_index=True)


def _all_figures(monthly, headcount_frames) -> dict[str, go.Figure]:
    hist, proj = headcount_frames
    years = range(2025, 2031)
    heat = pd.DataFrame([(r, i, 500.0 * a - 1000.0 * b) for a, r in enumerate(catalog.ROLE_IDS)
                         for b, i in enumerate(catalog.INDUSTRY_IDS)],
                        columns=["role", "industry", "jobs_added"])
    measured = hist[hist.year.between(2022, 2024)]
    scen = pd.DataFrame([(s, y, 100.0 + g * (y - 2025), 95.0 + g * (y - 2025), 105.0 + g * (y - 2025))
                         for s, g in [("Baseline", 1), ("WEF 2023", 3)] for y in years],
                        columns=["scenario", "year", "mean", "lo_80", "hi_80"])
    torn = pd.DataFrame([("Shock", "0/+10%", 100.0, 110.0, 100.0),
                         ("Growth", "-2/+2 pp", 90.0, 120.0, 100.0)],
                        columns=["assumption", "step_label", "value_low", "value_high", "base_value"])
    deco = pd.DataFrame([(y, c, v * (y - 2025)) for y in years
                         for c, v in [("data trend", 30.0), ("anchor", 20.0), ("shock", -5.0),
                                      ("cap", -8.0)]], columns=["year", "component", "value"])
    return {
        "forecast": timeseries.forecast_chart(*monthly, "Postings", "Index (Feb 2020 = 100)", FOOTER),
        "headcount": headcount_charts.headcount_chart(hist, proj, ["data_scientist", "ml_engineer"],
                                            footer=FOOTER),
        "ranking": headcount_charts.growth_ranking(_growth_frame(), footer=FOOTER),
        "stack": headcount_charts.industry_stack(proj, "data_scientist", footer=FOOTER),
        "industry_history": headcount_charts.industry_history(measured, proj, "data_scientist",
                                                    footer=FOOTER, note="k = -0.050"),
        "heatmap": headcount_charts.jobs_added_heatmap(heat, footer=FOOTER),
        "scenarios": scenario_charts.scenario_comparison(scen, footer=FOOTER,
                                                reference=scen[scen.scenario == "Baseline"]),
        "tornado": scenario_charts.tornado(torn, footer=FOOTER),
        "decomposition": scenario_charts.decomposition(deco, footer=FOOTER),
        "headcount_backtest": backtest_charts.headcount_backtest_chart(_backtest_predictions(),
                                                              footer=FOOTER),
    }


def test_user_series_chart_has_no_data_as_of(monthly):
    """A user's own series is not the shipped data: its chart makes no 'data as of' claim."""
    assert style.data_as_of_note().startswith("Data as of 20")
    fig = timeseries.forecast_chart(*monthly, "Yours", "y", FOOTER, data_as_of=False)
    assert style.footer_text(fig).replace("<br>", " ") == FOOTER


def test_every_factory_has_title_axis_titles_with_units_and_footer(monthly, headcount_frames):
    for name, fig in _all_figures(monthly, headcount_frames).items():
        assert fig.layout.title.text, name
        assert fig.layout.xaxis.title.text, name
        assert fig.layout.yaxis.title.text, name
        # every chart of the product's data says how current the data are
        assert style.footer_text(fig).replace("<br>", " ") == f"{FOOTER} {style.data_as_of_note()}", name
        assert fig.layout.paper_bgcolor is None and fig.layout.font.color is None, name  # theme-neutral
        for trace in fig.data:
            if figure_data.trace_meta(trace).get("data") is not False:
                assert trace.hovertemplate, (name, trace.name)
    figs = _all_figures(monthly, headcount_frames)
    assert "(people)" in figs["headcount"].layout.yaxis.title.text
    assert "%" in figs["ranking"].layout.xaxis.title.text
    assert figs["headcount"].layout.yaxis.tickformat == "~s"
    assert "people" in figs["headcount"].data[-1].hovertemplate


def test_role_colours_are_consistent_across_charts(monthly, headcount_frames):
    figs = _all_figures(monthly, headcount_frames)
    ds = catalog.ROLE_COLOURS["data_scientist"]
    mle = catalog.ROLE_COLOURS["ml_engineer"]
    lines = {t.name: t.line.color for t in figs["headcount"].data if t.meta.get("data") is not False}
    assert lines["Data scientist"] == ds and lines["Data scientist (forecast)"] == ds
    assert lines["ML engineer"] == mle
    fc_lines = {t.name: t.line.color for t in figs["forecast"].data if t.meta.get("data") is not False}
    assert fc_lines["Data scientist"] == ds
    ranking = figs["ranking"].data[-1]
    colour_by_label = dict(zip(ranking.y, ranking.marker.color))
    assert colour_by_label["Data scientist"] == ds and colour_by_label["ML engineer"] == mle
    stack = {t.name: t.line.color for t in figs["stack"].data}
    assert stack["Automotive"] == catalog.INDUSTRY_COLOURS["automotive"]


def test_forecast_chart_history_solid_forecast_dashed_with_bands(monthly):
    fig = timeseries.forecast_chart(*monthly, "t", "Index", FOOTER)
    data = [t for t in fig.data if t.meta.get("data") is not False]
    kinds = {t.meta["fields"]["kind"]: t.line.dash for t in data}
    assert kinds["forecast"] == "dash" and kinds["history"] in (None, "solid")
    fills = [t for t in fig.data if t.fill == "tonexty"]
    assert len(fills) == 4  # 80% and 95% per series, two series


def test_figure_data_matches_traces(monthly, headcount_frames):
    hist, fc = monthly
    fig = timeseries.forecast_chart(hist, fc, "t", "Index", FOOTER)
    df = figure_data.figure_data(fig)
    assert list(df.columns) == ["trace", "series", "kind", "x", "y", *BANDS]
    assert len(df) == len(hist) + len(fc)
    got = df[(df["series"] == "Data scientist") & (df["kind"] == "forecast")]
    want = fc[fc["series_id"] == "data_scientist"]
    np.testing.assert_allclose(got["y"], want["mean"])
    np.testing.assert_allclose(got[BANDS].to_numpy(), want[BANDS].to_numpy())
    # Band traces carry the same numbers as the interval columns.
    upper95 = next(t for t in fig.data if t.name == "Data scientist 95% interval")
    np.testing.assert_allclose(np.asarray(upper95.y, float), got["hi_95"])
    # Same result from a JSON round trip (plotly 7 typed arrays).
    df2 = figure_data.figure_data(go.Figure(json.loads(fig.to_json())))
    np.testing.assert_allclose(df2["y"], df["y"])
    np.testing.assert_allclose(df2["hi_95"].dropna(), df["hi_95"].dropna())


def test_figure_data_heatmap_and_tornado(monthly, headcount_frames):
    figs = _all_figures(monthly, headcount_frames)
    heat = figure_data.figure_data(figs["heatmap"])
    assert len(heat) == len(catalog.ROLE_IDS) * len(catalog.INDUSTRY_IDS)
    row = heat[(heat["y"] == "ML engineer") & (heat["x"] == "Automotive")]
    assert row["z"].item() == pytest.approx(500.0 * 0 - 1000.0 * 2)
    text = figs["heatmap"].data[0].text
    assert text[0][0] == "+0" and text[1][6] == "-5,500" and text[6][0] == "+3,000"
    assert figs["heatmap"].data[0].zmin == -figs["heatmap"].data[0].zmax == -6000.0
    torn = figure_data.figure_data(figs["tornado"])
    assert set(torn.columns) >= {"x", "y", "value", "base_value", "step_label"}
    high = torn[torn["series"] == "High setting"].set_index("y")
    assert high.loc["Growth", "value"] == 120.0 and high.loc["Growth", "x"] == 20.0


def test_headcount_industry_sum_and_filter(headcount_frames):
    hist, proj = headcount_frames
    fig = headcount_charts.headcount_chart(hist, proj, ["data_scientist"], footer=FOOTER)
    df = figure_data.figure_data(fig)
    h2025 = df[(df["kind"] == "history") & (df["x"] == 2025)]["y"].item()
    assert h2025 == pytest.approx(hist[(hist.role == "data_scientist") & (hist.year == 2025)]
                                  ["headcount"].sum())
    fig = headcount_charts.headcount_chart(hist, proj, ["data_scientist"], industry="fintech", footer=FOOTER)
    assert "Fintech" in fig.layout.title.text
    df = figure_data.figure_data(fig)
    want = proj[(proj.role == "data_scientist") & (proj.industry == "fintech")]["mean"]
    np.testing.assert_allclose(df[df["kind"] == "forecast"]["y"], want)
    with pytest.raises(UserInputError, match="valid"):
        headcount_charts.headcount_chart(hist, proj, ["data_scientist"], industry="mining", footer=FOOTER)


def test_ranking_sorted_largest_on_top_and_tornado_largest_swing_first(monthly, headcount_frames):
    figs = _all_figures(monthly, headcount_frames)
    dots = figs["ranking"].data[-1]
    assert list(dots.x) == sorted(dots.x)  # categorical y: last one is drawn at the top
    assert dots.y[-1] == "ML product manager"
    torn = figs["tornado"]
    assert torn.data[0].y[0] == "Growth" and torn.layout.yaxis.autorange == "reversed"


def test_scenario_limit_and_missing_columns():
    frame = pd.DataFrame([(f"s{i}", 2025, 1.0, 0.5, 1.5) for i in range(5)],
                         columns=["scenario", "year", "mean", "lo_80", "hi_80"])
    with pytest.raises(UserInputError, match="at most 4"):
        scenario_charts.scenario_comparison(frame)
    with pytest.raises(UserInputError, match="missing column"):
        headcount_charts.growth_ranking(pd.DataFrame({"role": ["x"]}))


def test_scenario_comparison_draws_only_the_baselines_band(monthly, headcount_frames):
    """Scenarios are lines; the one band is the statistical baseline's 80% interval."""
    fig = _all_figures(monthly, headcount_frames)["scenarios"]
    filled = [t for t in fig.data if t.fill]
    assert [t.name for t in filled] == [scenario_charts.REFERENCE_NAME] and filled[0].showlegend is not False
    lower = next(t for t in fig.data if t.name == f"{scenario_charts.REFERENCE_NAME} lower")
    assert list(lower.y) == [95.0 + (y - 2025) for y in range(2025, 2031)]
    assert list(filled[0].y) == [105.0 + (y - 2025) for y in range(2025, 2031)]
    lines = [t for t in fig.data if figure_data.trace_meta(t).get("data") is not False]
    assert [t.name for t in lines] == ["Baseline", "WEF 2023"]
    assert all(t.mode == "lines+markers" and not t.fill for t in lines)
    df = figure_data.figure_data(fig)  # the band is decoration; the data are the scenario lines
    assert set(df["series"]) == {"Baseline", "WEF 2023"}
    plain = scenario_charts.scenario_comparison(pd.DataFrame(
        {"scenario": "High", "year": [2025, 2026], "mean": [1.0, 2.0], "lo_80": [1.0, 2.0],
         "hi_80": [1.0, 2.0]}))
    assert not any(t.fill for t in plain.data)  # High/Low: a line, no band around it


def test_industry_history_measured_solid_projection_dashed(headcount_frames):
    hist, proj = headcount_frames
    measured = hist[hist.year.between(2022, 2024)]
    fig = headcount_charts.industry_history(measured, proj, "ml_engineer", footer=FOOTER,
                                  note="Projected mix held near the 2024 mix")
    assert fig.layout.yaxis.type == "log"
    assert "held near the 2024 mix" in fig.layout.title.text
    df = figure_data.figure_data(fig)
    fin = df[df["series"] == "Fintech (finance & insurance)"]
    want_h = measured[(measured.role == "ml_engineer") & (measured.industry == "fintech")]
    want_p = proj[(proj.role == "ml_engineer") & (proj.industry == "fintech")]
    np.testing.assert_allclose(fin[fin["kind"] == "history"]["y"], want_h["headcount"])
    np.testing.assert_allclose(fin[fin["kind"] == "projection"]["y"], want_p["mean"])
    assert len(df) == len(want_h) * 7 + len(want_p) * 7  # bridges are decoration
    solid = next(t for t in fig.data if t.name == "Fintech (finance & insurance)")
    g = (want_h["headcount"].iloc[-1] / want_h["headcount"].iloc[0]) ** 0.5 - 1
    assert f"2022–24: {g * 100:+.1f}%/yr" in solid.hovertemplate
    with pytest.raises(UserInputError, match="no rows for role"):
        headcount_charts.industry_history(measured, proj, "bi_developer")


def test_decomposition_total_is_sum_of_components(monthly, headcount_frames):
    df = figure_data.figure_data(_all_figures(monthly, headcount_frames)["decomposition"])
    comps = df[df["series"] != "Total"].groupby("x")["y"].sum()
    total = df[df["series"] == "Total"].set_index("x")["y"]
    np.testing.assert_allclose(total.loc[comps.index], comps)


def test_typed_array_decoding():
    arr = np.arange(6, dtype="f8").reshape(2, 3)
    import base64
    enc = {"dtype": "f8", "bdata": base64.b64encode(arr.tobytes()).decode(), "shape": "2, 3"}
    np.testing.assert_array_equal(figure_data.trace_values(enc), arr)


def test_industry_stack_marks_projection_start(headcount_frames):
    _, proj = headcount_frames
    fig = headcount_charts.industry_stack(proj, "ml_engineer", footer=FOOTER, projection_start=2025)
    assert [s.x0 for s in fig.layout.shapes] == [2025]
    assert len(figure_data.figure_data(fig)) == len(proj[proj.role == "ml_engineer"])
    with pytest.raises(UserInputError, match="no rows for role"):
        headcount_charts.industry_stack(proj, "bi_developer", footer=FOOTER)


def test_forecast_chart_labels_and_bridge(monthly):
    hist, fc = monthly
    fig = timeseries.forecast_chart(hist, fc, "t", "Index", FOOTER, labels={"us_ai_share": "AI share"})
    names = {t.meta["fields"]["series"] for t in fig.data if t.meta.get("data") is not False}
    assert names == {"Data scientist", "AI share"}
    bridge = next(t for t in fig.data if t.name == "AI share bridge")
    h = hist[hist.series_id == "us_ai_share"]
    f = fc[fc.series_id == "us_ai_share"]
    assert list(bridge.y) == [h["y"].iloc[-1], f["mean"].iloc[0]]
    assert len(figure_data.figure_data(fig)) == len(hist) + len(fc)  # bridge is not data


def test_fast_unvalidated_figures_equal_validated_ones(monthly, headcount_frames, monkeypatch):
    strict = {k: json.loads(f.to_json()) for k, f in _all_figures(monthly, headcount_frames).items()}
    monkeypatch.setattr(traces, "VALIDATE", False)
    fast = {k: json.loads(f.to_json()) for k, f in _all_figures(monthly, headcount_frames).items()}
    assert fast == strict


def test_long_titles_wrap_instead_of_clipping(headcount_frames):
    hist, proj = headcount_frames
    long = "Which assumption moves 2030 employment of data scientists in all industries the most"
    fig = headcount_charts.headcount_chart(hist, proj, ["data_scientist"], title=long, footer=FOOTER)
    lines = fig.layout.title.text.split("<br>")
    assert len(lines) == 2 and max(map(len, lines)) <= style.TITLE_WIDTH
    assert " ".join(lines) == long
    short = headcount_charts.headcount_chart(hist, proj, ["data_scientist"], title="Short", footer=FOOTER)
    assert fig.layout.margin.t > short.layout.margin.t and fig.layout.height > short.layout.height


def test_headcount_backtest_chart_traces_highlights_and_figure_data():
    pred = _backtest_predictions()
    fig = backtest_charts.headcount_backtest_chart(pred, footer=FOOTER)
    data = [t for t in fig.data if figure_data.trace_meta(t).get("data") is not False]
    deco = [t for t in fig.data if figure_data.trace_meta(t).get("data") is False]
    assert [t.name for t in data] == list(backtest_charts.HEADCOUNT_BACKTEST_TRACES)
    assert len(deco) == 2  # the y = x line and the catalog points' 80% whiskers
    other, cat = data
    assert len(other.x) == 40 - len(HB_CATALOG) and len(cat.x) == len(HB_CATALOG)
    # Highlighted points are exactly the catalog occupations, drawn in their own colour and
    # labelled with their SOC titles.
    assert {row[0] for row in cat.customdata} == set(HB_CATALOG)
    assert cat.marker.color == backtest_charts.HEADCOUNT_BACKTEST_COLOUR != other.marker.color
    labels = [a.text for a in fig.layout.annotations if a.name == "label"]
    assert sorted(labels) == sorted(HB_CATALOG.values())
    # Whiskers span the 80% interval (as % growth) of the highlighted points only.
    whiskers = next(t for t in deco if t.error_y.array is not None)
    model = pred[(pred.method == headcount.MODEL_NAME) & pred.in_catalog]
    np.testing.assert_allclose(np.asarray(whiskers.y, float), np.expm1(model["lo_80"]) * 100)
    np.testing.assert_allclose(np.asarray(whiskers.y, float) + np.asarray(whiskers.error_y.array),
                               np.expm1(model["hi_80"]) * 100)
    # figure_data: every occupation once, predicted/actual as % growth, ids and employment.
    df = figure_data.figure_data(fig)
    assert list(df.columns) == ["trace", "method", "origin_year", "holdout_year", "x", "y", "soc",
                                "soc_title", "origin_emp", "actual_emp", "lo_80", "hi_80"]
    want = pred[pred.method == headcount.MODEL_NAME].set_index("soc")
    got = df.set_index("soc").loc[want.index]
    assert len(df) == len(want) and set(df["method"]) == {headcount.MODEL_NAME}
    np.testing.assert_allclose(got["x"], np.expm1(want["predicted"]) * 100)
    np.testing.assert_allclose(got["y"], np.expm1(want["actual"]) * 100)
    np.testing.assert_allclose(got["actual_emp"], want["origin_emp"] * np.exp(want["actual"]))
    assert got["lo_80"].notna().to_numpy().tolist() == want["in_catalog"].tolist()
    df2 = figure_data.figure_data(go.Figure(json.loads(fig.to_json())))
    pd.testing.assert_frame_equal(df2, df, check_dtype=False)
    assert "(%)" in fig.layout.xaxis.title.text and "(%)" in fig.layout.yaxis.title.text


def test_headcount_backtest_chart_baseline_and_bad_input():
    pred = _backtest_predictions()
    fig = backtest_charts.headcount_backtest_chart(pred, method="zero", footer=FOOTER)
    assert len(fig.data) == 3  # no interval whiskers for a baseline
    df = figure_data.figure_data(fig)
    assert "lo_80" not in df.columns and np.allclose(df["x"], 0.0)
    assert fig.layout.title.text.startswith("Zero growth")
    with pytest.raises(UserInputError, match="no rows for method 'nosuch'"):
        backtest_charts.headcount_backtest_chart(pred, method="nosuch")
    with pytest.raises(UserInputError, match="missing column"):
        backtest_charts.headcount_backtest_chart(pred.drop(columns="in_catalog"))
    mixed = pd.concat([pred, pred.assign(holdout_year=2024, origin_year=2023)])
    with pytest.raises(UserInputError, match="several origin/holdout"):
        backtest_charts.headcount_backtest_chart(mixed)


def test_headcount_backtest_chart_on_the_real_backtest():
    """The highlighted points are the occupations the roles are built on (real panel)."""
    from forecasting.headcount import backtest as headcount_backtest
    from forecasting.headcount import projection as headcount

    pred = headcount_backtest.predictions(2025, 1)
    fig = backtest_charts.headcount_backtest_chart(pred)
    cat = next(t for t in fig.data if t.name == backtest_charts.HEADCOUNT_BACKTEST_TRACES[1])
    want = headcount_backtest.highlighted_socs() & set(pred["soc"])
    assert want and {row[0] for row in cat.customdata} == want
    df = figure_data.figure_data(fig)
    assert len(df) == (pred.method == headcount.MODEL_NAME).sum()
    assert "Source: U.S. BLS OEWS" in style.footer_text(fig)
