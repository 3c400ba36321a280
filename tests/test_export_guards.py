"""Export guards: CSV formula injection, file names from user text, and a missing image backend.

tests/test_export.py (engineer E) has the fixed examples; this file adds the properties (any
text, any frame) and the degraded paths: kaleido missing / failed to start at library level,
and the download buttons disabled with the reason as help text in the UI (AppTest).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import operator
import os
import re
import sys
import zipfile

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames

from forecasting.core.errors import UserInputError
from forecasting.viz import export

CASES = int(os.environ.get("HYPOTHESIS_CASES", "1000" if os.environ.get("CI") == "true" else "200"))
PROP = settings(max_examples=min(CASES, 200), deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
DANGER = ("=", "+", "-", "@", "\t", "\r")
cell_text = st.one_of(
    st.lists(st.sampled_from(list("=+-@\t\r\n,\"' ab1.;|") + ["cmd", "SUM(", "é"]), max_size=8).map("".join),
    st.sampled_from(["=HYPERLINK(\"http://evil\",\"x\")", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
                     "=cmd|' /C calc'!A0", "plain", "", "-", "a=b"]),
    st.text(max_size=8))


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@PROP
@given(data_frames([column("text", elements=cell_text, dtype=object),
                    column("num", elements=st.floats(allow_nan=False, allow_infinity=False, width=64)),
                    column("int", elements=st.integers(-10**9, 10**9)),
                    column("mixed", elements=st.one_of(cell_text, st.integers(-5, 5),
                                                       st.floats(-5, 5)), dtype=object)]),
       cell_text)
def test_csv_safe_escapes_text_only(df, header):
    df = df.rename(columns={"mixed": header or "mixed"}) if header not in df.columns else df
    rows = _parse(export.csv_safe(df))
    assert len(rows) == len(df) + 1  # embedded CR/LF never split a row
    for got, name in zip(rows[0], df.columns):
        assert got == ("'" + name if name.startswith(DANGER) else name)
    for i, row in enumerate(rows[1:]):
        for got, (name, want) in zip(row, df.iloc[i].items()):
            if isinstance(want, str):
                assert got == ("'" + want if want.startswith(DANGER) else want), (name, want, got)
            else:  # numbers untouched: a negative number is still that number
                assert float(got) == float(want), (name, want, got)


def test_csv_safe_string_and_category_dtypes():
    df = pd.DataFrame({"s": pd.array(["=1+1", "ok", None], dtype="string"),
                       "c": pd.Categorical(["@x", "-y", "z"]), "n": [-1.5, 2.0, np.nan],
                       "d": pd.to_datetime(["2024-01-01", None, "2025-05-01"])})
    rows = _parse(export.csv_safe(df))
    assert rows[1] == ["'=1+1", "'@x", "-1.5", "2024-01-01"]
    assert rows[2] == ["ok", "'-y", "2.0", ""]
    assert rows[3] == ["", "z", "", "2025-05-01"]


safe_name = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@PROP
@given(st.one_of(st.text(max_size=300),
                 st.sampled_from(["../../etc/passwd", "..\\..\\win.ini", "/abs/path", "C:\\x\\y",
                                  "a\x00b", "\x1b[31mred", "x" * 10_000, "..", ".", "~", "-rf",
                                  "name\nwith\nlines", "💣.csv", "CON", "nul.txt", "com1", "LPT9",
                                  " .hidden", "%2e%2e%2f"])))
def test_safe_filename_is_a_plain_bounded_stem(text):
    out = export.safe_filename(text)
    assert safe_name.match(out) and len(out) <= 80, out
    assert out.split(".")[0].upper() not in export.WINDOWS_RESERVED  # 'con.csv' opens the console


@pytest.fixture()
def fig() -> go.Figure:
    return go.Figure(go.Scatter(x=[2025, 2026], y=[1.0, -2.0], name="=evil"), layout={"title": "t"})


@pytest.fixture(params=["no_kaleido", "no_chromium", "start_failed"])
def no_images(request, monkeypatch):
    """The three ways image export can be unavailable, each as the app would meet it."""
    monkeypatch.setattr(export, "_server_started", False)
    monkeypatch.setattr(export, "_server_error", None)
    if request.param == "no_kaleido":
        monkeypatch.setitem(sys.modules, "kaleido", None)  # import kaleido -> ImportError
        return "kaleido"
    if request.param == "no_chromium":
        monkeypatch.setattr(export, "_chromium_path", lambda: None)
        return "Chromium"
    monkeypatch.setattr(export, "_server_error", "BrowserFailedError: no display")
    return "failed to start"


def test_image_routes_explain_and_html_csv_still_work(fig, no_images):
    ok, reason = export.image_export_available()
    assert not ok and no_images in reason and "HTML and CSV still work" in reason
    for fmt in export.IMAGE_FORMATS:
        with pytest.raises(UserInputError, match=no_images):
            export.to_bytes(fig, fmt)
    assert b"<html" in export.to_bytes(fig, "html")[:500].lower()
    rows = _parse(export.to_bytes(fig, "csv").decode())
    assert "'=evil" in functools.reduce(operator.iadd, rows, [])  # the trace name is guarded in the CSV too
    blob = export.report_zip({"Chart / one": fig}, {"t": pd.DataFrame({"a": ["+1"]})},
                             {"name": "<b>"}, None)
    zf = zipfile.ZipFile(io.BytesIO(blob))
    names = zf.namelist()
    assert "charts/Chart_one.html" in names and "data/Chart_one.csv" in names
    assert not any(n.endswith((".png", ".svg", ".pdf")) for n in names)
    assert no_images in zf.read("README.txt").decode()
    assert json.loads(zf.read("assumptions.json")) == {"name": "<b>"}


def _buttons_app():
    import plotly.graph_objects as go_

    from forecasting.viz import export as ex
    from ui import downloads

    reason = "Image export needs Chromium (test). HTML and CSV still work."
    ex.image_export_available = lambda: (False, reason)  # patched for this script run only
    import streamlit as st_

    f = go_.Figure(go_.Scatter(x=[1, 2], y=[3, 4]))
    real, names = st_.download_button, []

    def recording(*args, **kwargs):  # the file name is not in the proto: record it here
        names.append(kwargs["file_name"])
        return real(*args, **kwargs)

    st_.download_button = recording
    try:
        downloads.chart_downloads(f, "../My chart: <b>\n2030", key="c")
        downloads.report_download({"x": f}, {}, None, key="r", name="/etc/CON")
    finally:
        st_.download_button = real
    st_.session_state["file_names"] = names


def test_download_buttons_disabled_with_reason(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(export, "image_export_available", export.image_export_available)  # restore after
    at = AppTest.from_function(_buttons_app, default_timeout=30).run()
    assert not at.exception, at.exception
    buttons = {b.label: b for b in at.get("download_button")}
    assert set(buttons) == {"PNG", "SVG", "PDF", "HTML", "CSV", "Download report (ZIP)"}
    for label in ("PNG", "SVG", "PDF"):
        assert buttons[label].proto.disabled and "needs Chromium" in buttons[label].help
    for label in ("HTML", "CSV", "Download report (ZIP)"):
        assert not buttons[label].proto.disabled
    assert "HTML and CSV only" in buttons["Download report (ZIP)"].help
    assert at.session_state["file_names"] == [f"My_chart_b_2030.{f}" for f in export.FORMATS] + [
        "etc_CON.zip"]
