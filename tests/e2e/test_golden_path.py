"""Golden path in a real browser: open the dashboard, visit every page (screenshots in
test-artifacts/), move a growth assumption and see the chart change, download every chart
format and the report bundle, and check each file is what it claims to be."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import CHROMIUM_FLAGS

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
PAGES = (("overview", ""), ("demand", "demand"), ("scenarios", "scenarios"),
         ("salaries", "salaries"), ("data_methods", "data_methods"))
CHART = '[data-testid="stPlotlyChart"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, script: str = "dashboard.py") -> subprocess.Popen:
    """`streamlit run <script>` headless on ``port``; returns once /_stcore/health says ok."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env=dict(os.environ, PYTHONUNBUFFERED="1"))
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {proc.stdout.read().decode(errors='replace')}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.read().strip() == b"ok":
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def server():
    port = free_port()
    proc = start_server(port)
    yield f"http://127.0.0.1:{port}"
    stop_server(proc)


@pytest.fixture(scope="module")
def page(server, chromium_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        pg = ctx.new_page()
        pg.set_default_timeout(90_000)
        yield pg
        ctx.close()
        browser.close()


def wait_idle(page) -> None:
    """Wait until Streamlit has finished the current script run."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=90_000)


def goto(page, server: str, path: str) -> None:
    page.goto(f"{server}/{path}")
    page.wait_for_selector(CHART, timeout=120_000)
    wait_idle(page)


def chart_y(page, index: int, name: str) -> list[float]:
    """The y values plotly.js is drawing for trace ``name`` of the index-th chart."""
    return page.evaluate(
        """([i, name]) => {
            const gd = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')[i];
            const t = gd._fullData.find(d => d.name === name);
            return Array.from(t.y, Number);
        }""", [index, name])


def screenshot(page, path: Path, width: int = 1400) -> None:
    """Whole page: Streamlit scrolls inside its main section, so grow the viewport to fit it."""
    height = page.evaluate("""() => {
        const m = document.querySelector('[data-testid="stMain"]') || document.body;
        return Math.max(m.scrollHeight, 1000); }""")
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 8000)})
    page.wait_for_timeout(800)  # plotly relayout to the new size
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": 1000})


def test_every_page_renders_a_chart(page, server, artifacts_dir):
    for name, path in PAGES:
        goto(page, server, path)
        assert page.locator(CHART).count() >= 1, name
        assert page.locator('[data-testid="stException"]').count() == 0, name
        screenshot(page, artifacts_dir / f"page_{name}.png")


def test_chart_code_loads_while_the_first_script_run_imports(page):
    """ui/preload.py, on a freshly started server (its first run imports pandas and loads the
    forecasts): the browser fetches the plotly chunk as the run's first element, before the
    chunks of elements drawn above the chart (the overview's metrics); without the preload the
    order is the other way round. The preload's element takes no room and raises no error."""
    port = free_port()
    proc = start_server(port)
    ctx = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        pg = ctx.new_page()
        scripts: list[str] = []
        errors: list[str] = []
        pg.on("request", lambda r: scripts.append(r.url.rsplit("/", 1)[-1])
              if "/static/js/" in r.url else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        goto(pg, f"http://127.0.0.1:{port}", "")
        hidden = pg.evaluate("""() => {
            const c = document.querySelector('.st-key-chart_code_preload');
            return c && getComputedStyle(c.parentElement).display; }""")
    finally:
        ctx.close()
        stop_server(proc)
    plotly = [i for i, n in enumerate(scripts) if n.startswith("PlotlyChart.")]
    metric = [i for i, n in enumerate(scripts) if n.startswith("Metric.")]
    assert plotly and metric, scripts
    assert plotly[0] < metric[0], scripts
    assert hidden == "none"
    assert not errors, errors


def download(page, container_key: str, label: str, tmp_path: Path) -> bytes:
    """Click a download button inside the keyed container and return the file's bytes."""
    button = page.locator(f".st-key-{container_key} button", has_text=label).first
    with page.expect_download(timeout=120_000) as info:
        button.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_bytes()


def expected_headcount_figure():
    """The demand page's default headcount chart, rebuilt from the same library calls."""
    from forecasting.headcount import backtest as headcount_backtest
    from forecasting.headcount import industry_mix
    from forecasting.headcount import projection as headcount
    from forecasting.scenarios import engine, presets
    from forecasting.sources import files
    from forecasting.viz import headcount as headcount_charts
    proj = engine.apply_scenario(engine.prepare(headcount.baseline_projection(10)),
                                    presets.preset("baseline"))
    until = files.latest_oews_year() + headcount_backtest.validated_horizon()
    return headcount_charts.headcount_chart(industry_mix.role_industry_history(), proj,
                                  ["ml_engineer", "data_scientist"], None,
                                  bls=headcount.bls_role_paths(), backtested_until=until)


def test_growth_assumption_moves_the_chart_and_downloads_match(page, server, artifacts_dir, tmp_path):
    from forecasting.viz import export, figure_data
    goto(page, server, "demand")
    # --- downloads of the default view ---------------------------------------------------------
    png = download(page, "dm_headcount__downloads", "PNG", tmp_path)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width == export.DEFAULT_WIDTH * export.DEFAULT_SCALE and height > 400
    svg = download(page, "dm_headcount__downloads", "SVG", tmp_path)
    assert ET.fromstring(svg).tag.endswith("svg")
    pdf = download(page, "dm_headcount__downloads", "PDF", tmp_path)
    assert pdf[:5] == b"%PDF-"
    html = download(page, "dm_headcount__downloads", "HTML", tmp_path).decode("utf-8")
    assert "plotly" in html.lower() and "ML engineer" in html
    got = pd.read_csv(io.BytesIO(download(page, "dm_headcount__downloads", "CSV", tmp_path)))
    want = figure_data.figure_data(expected_headcount_figure())
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    assert got["y"].to_numpy() == pytest.approx(want["y"].to_numpy(float), rel=1e-9)
    report = zipfile.ZipFile(io.BytesIO(download(page, "dm_report__report", "report", tmp_path)))
    names = set(report.namelist())
    assert {"assumptions.json", "README.txt", "SOURCES.csv", "charts/headcount.png",
            "charts/headcount.svg", "charts/headcount.pdf", "charts/headcount.html",
            "data/headcount.csv", "data/industry_history.csv", "data/jobs_added.csv", "data/postings.csv",
            "tables/headcount_projection.csv"} <= names
    assert json.loads(report.read("assumptions.json"))["preset"] == "baseline"
    assert report.read("charts/headcount.png")[:4] == b"\x89PNG"

    # --- a growth assumption moves the plotted forecast at once ---------------------------------
    before = chart_y(page, 0, "Data scientist (forecast)")
    page.locator(".st-key-gc_role_data_scientist input[type='range']").focus()
    page.keyboard.press("End")  # slider maximum: 40% per year
    wait_idle(page)
    page.wait_for_function(
        """(b) => { const gd = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')[0];
                     const t = gd._fullData.find(d => d.name === 'Data scientist (forecast)');
                     return Number(t.y[t.y.length - 1]) > b; }""", arg=before[-1] * 1.5)
    after = chart_y(page, 0, "Data scientist (forecast)")
    assert after[0] == pytest.approx(before[0]) and after[-1] > before[-1] * 1.5
    screenshot(page, artifacts_dir / "demand_after_growth_change.png")


def test_upload_forecasts_a_good_file_and_explains_a_bad_one(page, server, artifacts_dir, tmp_path):
    from forecasting.sources import indeed
    monthly = indeed.load_postings_monthly()
    good = monthly[monthly["series_id"] == monthly["series_id"].iloc[0]].tail(48)
    good_path = tmp_path / "my_series.csv"
    good.to_csv(good_path, index=False)
    bad_path = tmp_path / "bad.csv"
    bad_path.write_text("series_id,ds,y\na,2024-01-01,1\na,not a date,2\n")
    goto(page, server, "data_methods")
    uploader = page.locator(".st-key-dmm_upload input[type='file']")
    uploader.set_input_files(str(good_path))
    page.get_by_text("my_series.csv: forecast").first.wait_for(timeout=120_000)
    wait_idle(page)
    assert page.get_by_text("model used:").count() >= 1
    csv = pd.read_csv(io.BytesIO(download(page, "dmm_series__downloads", "CSV", tmp_path)))
    assert {"trace", "x", "y"} <= set(csv.columns) and len(csv) >= 48
    screenshot(page, artifacts_dir / "data_methods_upload.png")
    uploader.set_input_files(str(bad_path))
    page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=60_000)
    wait_idle(page)
    error = page.locator('[data-testid="stAlertContentError"]').first.inner_text()
    assert "bad.csv" in error and "line 3" in error.lower()
    assert page.locator('[data-testid="stException"]').count() == 0


CLIPPED_JS = """() => Array.from(document.querySelectorAll(
        '[data-testid="stPlotlyChart"] .js-plotly-plot')).flatMap(gd => {
    const box = gd.getBoundingClientRect();
    const texts = [...gd.querySelectorAll('.gtitle, .annotation-text')];
    return texts.filter(t => { const r = t.getBoundingClientRect();
                               return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1); })
                .map(t => t.textContent.slice(0, 60));
})"""


@pytest.mark.parametrize("width,height", [(1280, 800), (1920, 1080)])
def test_chart_titles_and_footers_are_not_clipped(page, server, artifacts_dir, width, height):
    """Chart titles and source footers stay inside their chart at common screen sizes."""
    for name, path in PAGES:
        page.set_viewport_size({"width": width, "height": height})
        goto(page, server, path)
        page.wait_for_timeout(800)  # plotly relayout to the size
        clipped = page.evaluate(CLIPPED_JS)
        if name in ("demand", "scenarios"):
            screenshot(page, artifacts_dir / f"w{width}_{name}.png", width=width)
        assert clipped == [], (name, width, clipped)
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_share_link_reproduces_the_scenario(page, server, artifacts_dir):
    """Opening a share link (query parameters) shows that exact scenario: its name, its horizon
    and the same numbers the engine gives for those assumptions."""
    from urllib.parse import urlencode

    from forecasting.headcount import projection as headcount
    from forecasting.scenarios import engine, presets, urlcodec
    shared = presets.preset("wef2023").with_changes(name="Team plan 2032", horizon_years=7,
                                                       blend_weight=0.75)
    goto(page, server, "scenarios?" + urlencode(urlcodec.encode(shared)))
    drawn = page.evaluate(
        """() => { const gd = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')[0];
                   return gd._fullData.filter(d => d.mode && d.mode.includes('lines'))
                            .map(d => ({name: d.name, x: Array.from(d.x, String), y: Array.from(d.y, Number)})); }""")
    mine = [t for t in drawn if t["name"] == "Team plan 2032"]
    assert mine, [t["name"] for t in drawn]
    assert mine[0]["x"][-1].startswith("2032"), mine[0]["x"]
    # the drawn total equals the engine's total for the shared assumptions
    proj = engine.apply_scenario(engine.prepare(headcount.baseline_projection(10)), shared)
    total_2032 = proj[proj["year"] == 2032]["mean"].sum()
    assert mine[0]["y"][-1] == pytest.approx(total_2032, rel=1e-6)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, artifacts_dir / "share_link_scenarios.png")
