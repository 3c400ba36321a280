"""Start loading the browser's chart code while the first script run is still computing.

Streamlit's frontend fetches and evaluates its plotly module (~4.7 MB of JavaScript) only when
the first chart element arrives, after the script has imported pandas and loaded the forecasts.
Evaluating it takes the browser 1.3-1.5 s here, and it ran after the script's ~1 s of imports
and data loading, one after the other. Importing the same module (same URL, so the same module
record) from the first element of the run lets the two overlap: the browser evaluates plotly
while Python computes. Measured with Chromium, server start to first chart, 6 paired starts:
-0.88 s median (bench/ui_latency.py prints the current figure). If Streamlit's bundle layout is
not what we expect, nothing is emitted and the page loads as before.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import streamlit as st

CONTAINER_KEY = "chart_code_preload"
STATIC_JS = Path(st.__file__).resolve().parent / "static" / "static" / "js"
#: The only names ever embedded in the page's script: Streamlit's content-hashed chunk names.
CHUNK_NAME = re.compile(r"PlotlyChart\.[A-Za-z0-9_-]{1,64}\.js")


@functools.cache
def chart_module_name(js_dir: Path = STATIC_JS) -> str | None:
    """File name of the frontend's plotly chunk, or None unless exactly one matches. Only a
    plain hashed name (``CHUNK_NAME``) counts: it is written into a script, never user text."""
    found = sorted(p.name for p in js_dir.glob("PlotlyChart.*.js") if CHUNK_NAME.fullmatch(p.name))
    return found[0] if len(found) == 1 else None


def preload_script(name: str) -> str:
    """A script that imports ``name`` relative to the page's own Streamlit bundle."""
    if not CHUNK_NAME.fullmatch(name):
        raise ValueError(f"not a Streamlit chunk name: {name!r}")
    return ("<script>(() => {const s = document.querySelector('script[src*=\"/static/js/index.\"]');"
            f"if (s) import(new URL('./{name}', s.src).href).catch(() => {{}});}})();</script>")


def chart_code() -> None:
    """Emit the preload as the run's first elements. Every run emits the same two elements, so
    reruns keep every later element at its position (the browser keeps its charts mounted);
    importing a module the page has already loaded does nothing."""
    name = chart_module_name()
    if name is None:
        return
    # style-only HTML goes to Streamlit's event container (takes no room); the keyed container
    # it hides keeps the script's element from adding a row gap above the title
    st.html(f"<style>div:has(> .st-key-{CONTAINER_KEY}) {{display: none;}}</style>")
    with st.container(key=CONTAINER_KEY):
        st.html(preload_script(name), unsafe_allow_javascript=True)
