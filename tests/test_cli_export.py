"""``python -m forecasting export``: real data through the real factories, to files."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from forecasting.cli.main import main
from forecasting.core import catalog

# BLS OEWS 15-2051 Data Scientists, national employment, May of each year (DESIGN.md facts).
OEWS_DATA_SCIENTISTS = {2021: 105_980, 2022: 159_630, 2023: 192_710, 2024: 233_440, 2025: 262_440}


def _csv(tmp_path, *args) -> pd.DataFrame:
    out = tmp_path / "chart.csv"
    assert main(["export", *args, "--format", "csv", "--output", str(out)]) == 0
    return pd.read_csv(out)


def test_headcount_csv_is_oews_history_plus_projection(tmp_path):
    df = _csv(tmp_path, "--chart", "headcount", "--role", "data_scientist")
    hist = df[df["kind"] == "history"].set_index("x")["y"]
    for year, emp in OEWS_DATA_SCIENTISTS.items():
        assert hist[year] == pytest.approx(emp, rel=1e-9)
    fc = df[df["kind"] == "forecast"].sort_values("x")
    assert fc["x"].iloc[0] == 2025 and fc["y"].iloc[0] == pytest.approx(262_440)
    assert len(fc) == 6  # 2025 + 5 years (default horizon)
    assert (fc["lo_95"] <= fc["lo_80"]).all() and (fc["lo_80"] <= fc["y"]).all()
    assert (fc["y"] <= fc["hi_80"]).all() and (fc["hi_80"] <= fc["hi_95"]).all()


def test_industry_filter_and_stack_add_up(tmp_path):
    stack = _csv(tmp_path, "--chart", "industry-stack", "--role", "data_scientist")
    assert set(stack["series"]) == {catalog.industry(i).label for i in catalog.INDUSTRY_IDS}
    by_year = stack.groupby("x")["y"].sum()
    assert by_year[2024] == pytest.approx(OEWS_DATA_SCIENTISTS[2024], rel=1e-6)
    fin = _csv(tmp_path, "--chart", "headcount", "--role", "data_scientist", "--industry", "fintech")
    fin_2024 = fin[(fin["kind"] == "history") & (fin["x"] == 2024)]["y"].item()
    stack_fin = stack[(stack["series"].str.startswith("Fintech")) & (stack["x"] == 2024)]["y"].item()
    assert fin_2024 == pytest.approx(stack_fin)
    assert 0 < fin_2024 < OEWS_DATA_SCIENTISTS[2024]


def test_ranking_and_heatmap_csv(tmp_path):
    rank = _csv(tmp_path, "--chart", "ranking")
    assert len(rank) == len(catalog.ROLE_IDS)
    assert (rank["lo_95"] <= rank["x"]).all() and (rank["x"] <= rank["hi_95"]).all()
    heat = _csv(tmp_path, "--chart", "jobs-added")
    assert len(heat) == len(catalog.ROLE_IDS) * len(catalog.INDUSTRY_IDS)
    assert heat["z"].notna().all()
    from forecasting.headcount import projection as headcount
    proj = headcount.baseline_projection(10)
    y0 = int(proj.year.min())
    cell = proj[(proj.role == "data_scientist") & (proj.industry == "fintech")].set_index("year")
    got = heat[(heat["y"] == "Data scientist") & (heat["x"].str.startswith("Fintech"))]["z"].item()
    assert got == pytest.approx(cell.loc[y0 + 5, "mean"] - cell.loc[y0, "mean"], rel=1e-9)


def test_industry_history_csv(tmp_path):
    df = _csv(tmp_path, "--chart", "industry-history", "--role", "data_scientist")
    hist = df[df["kind"] == "history"]
    assert sorted(hist["x"].unique()) == [2022, 2023, 2024]
    assert hist.groupby("x")["y"].sum().loc[2024] == pytest.approx(OEWS_DATA_SCIENTISTS[2024],
                                                                    rel=1e-6)


@pytest.mark.parametrize("args,needle", [
    (["--chart", "pie"], "valid charts: headcount, postings, ranking, industry-stack, industry-history, jobs-added"),
    (["--chart", "headcount", "--role", "wizard"], "valid roles: ml_engineer"),
    (["--chart", "headcount", "--industry", "mining"], "valid industries: fintech"),
    (["--chart", "industry-stack"], "needs --role"),
    (["--chart", "headcount", "--format", "gif"], "valid formats: png, svg, pdf, html, csv"),
    (["--chart", "headcount", "--horizon", "40"], "outside 1-10"),
])
def test_bad_input_exits_2_listing_valid_values(tmp_path, capsys, args, needle):
    argv = ["export", *args, "--output", str(tmp_path / "x.out")]
    if "--format" not in args:
        argv += ["--format", "csv"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_missing_output_folder(tmp_path, capsys):
    out = tmp_path / "no" / "such" / "x.csv"
    assert main(["export", "--chart", "ranking", "--format", "csv", "--output", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_png_and_html_files(tmp_path, chromium_path):
    from forecasting.viz import export
    ok, reason = export.image_export_available()
    if not ok:
        pytest.skip(reason)
    png = tmp_path / "h.png"
    assert main(["export", "--chart", "headcount", "--role", "ml_engineer", "--format", "png",
                 "--output", str(png), "--width", "800", "--height", "500", "--scale", "1"]) == 0
    from PIL import Image
    img = Image.open(io.BytesIO(png.read_bytes()))
    assert img.format == "PNG" and img.size == (800, 500)
    assert np.asarray(img.convert("L"), dtype=float).mean() > 200
    html = tmp_path / "h.html"
    assert main(["export", "--chart", "jobs-added", "--format", "html", "--cdn",
                 "--output", str(html)]) == 0
    assert "cdn.plot.ly" in html.read_text() and [p.name for p in tmp_path.iterdir()
                                                   if p.name.startswith(".")] == []


def test_postings_chart(tmp_path):
    pipeline = pytest.importorskip("forecasting.postings.pipeline", reason="postings pipeline not built yet")
    if not pipeline.cache_path(pipeline.cache_key()).exists():
        pytest.skip("postings forecasts not fitted yet (python -m forecasting fit); the wiring "
                    "is covered by test_postings_uses_the_chosen_model")
    df = _csv(tmp_path, "--chart", "postings", "--role", "data_scientist")
    sid = catalog.role("data_scientist").demand_signal
    from forecasting.sources import indeed
    monthly = indeed.load_postings_monthly()
    hist = monthly[monthly["series_id"] == sid]
    got = df[df["kind"] == "history"]
    assert len(got) == len(hist)
    np.testing.assert_allclose(got["y"].to_numpy(), hist.sort_values("ds")["y"].to_numpy())
    assert (df["kind"] == "forecast").sum() > 0


def test_help_lists_charts(capsys):
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    assert "industry-stack" in capsys.readouterr().out


def _fake_pipeline(monkeypatch, sid: str):
    """A stand-in forecasting.postings.pipeline with two models' forecasts, 'ets' chosen."""
    import sys
    import types

    from forecasting.sources import indeed
    last = indeed.load_postings_monthly().query("series_id == @sid")["ds"].max()
    ds = pd.date_range(last + pd.offsets.MonthBegin(1), periods=3, freq="MS")
    rows = []
    for model, level in (("ets", 50.0), ("naive", 70.0)):
        for d in ds:
            rows.append((sid, d, level, level - 1, level + 1, level - 2, level + 2, model))
    fc = pd.DataFrame(rows, columns=["series_id", "ds", "mean", "lo_80", "hi_80", "lo_95",
                                     "hi_95", "model"])
    fake = types.ModuleType("forecasting.postings.pipeline")
    fake.postings_baseline = lambda progress=None: types.SimpleNamespace(
        forecasts=fc, backtests=None, leaderboard=None, choice={sid: "ets"})
    monkeypatch.setitem(sys.modules, "forecasting.postings.pipeline", fake)
    import forecasting.postings
    monkeypatch.setattr(forecasting.postings, "pipeline", fake)


def test_postings_uses_the_chosen_model(tmp_path, monkeypatch, capsys):
    sid = catalog.role("ml_scientist").demand_signal
    _fake_pipeline(monkeypatch, sid)
    df = _csv(tmp_path, "--chart", "postings", "--role", "ml_scientist")
    assert df.loc[df["kind"] == "forecast", "y"].tolist() == [50.0] * 3
    assert df.loc[df["kind"] == "history", "y"].notna().all()
    df = _csv(tmp_path, "--chart", "postings", "--role", "ml_scientist", "--model", "naive")
    assert df.loc[df["kind"] == "forecast", "y"].tolist() == [70.0] * 3
    out = tmp_path / "p.csv"
    assert main(["export", "--chart", "postings", "--role", "ml_scientist", "--model", "arima",
                 "--format", "csv", "--output", str(out)]) == 2
    assert "available: auto, ets, naive" in capsys.readouterr().err
