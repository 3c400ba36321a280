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
import zipfile
import xml.etree.ElementTree as ET
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


def start_server(port: int) -> subprocess.Popen:
    """`streamlit run dashboard.py` headless on ``port``; returns once /_stcore/health says ok."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
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


def test_every_page_renders_a_chart(page, server, artifacts_dir):
    for name, path in PAGES:
        goto(page, server, path)
        assert page.locator(CHART).count() >= 1, name
        assert page.locator('[data-testid="stException"]').count() == 0, name
        page.screenshot(path=str(artifacts_dir / f"page_{name}.png"), full_page=True)
