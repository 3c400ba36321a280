"""Bad files through the Data & methods page's real upload box (AppTest drives st.file_uploader):
each one shows an st.error naming the file and the problem, the rest of the page keeps
rendering, and a good file afterwards is forecast and charted again."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")
GOOD = b"series_id,ds,y\n" + b"".join(b"s,2020-%02d-01,%d\n" % (m, 10 + m) for m in range(1, 13))


def _xlsx_like() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


# (file name, bytes, words the message must contain)
BAD = [
    ("empty.csv", b"", "empty"),
    ("header_only.csv", b"series_id,ds,y\n", "no data rows"),
    ("picture.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary"),
    ("sheet.csv", _xlsx_like(), "Excel"),
    ("wrong_columns.csv", b"a,b,c\n1,2,3\n4,5,6\n", "missing column"),
    ("text_values.csv", b"series_id,ds,y\ns,2020-01-01,abc\ns,2020-02-01,x\n", "cannot read number"),
    ("bad_dates.csv", b"series_id,ds,y\ns,notadate,1\ns,nope,2\n", "cannot read date"),
    ("too_short.csv", b"series_id,ds,y\ns,2020-01-01,1\n", "too short"),
    ("inf_nan.csv", b"series_id,ds,y\n" + b"".join(b"s,2020-%02d-01,%s\n" % (m, v) for m, v in
                                                   zip(range(1, 13), [b"1", b"nan", b"inf"] * 4)), "missing value"),
    ("inf.csv", GOOD.replace(b",15\n", b",inf\n"), "line 6"),
    ("dup_dates.csv", b"series_id,ds,y\n" + b"s,2020-01-01,1\n" * 20, "too short"),
    ("json.csv", b'{"a": [1, 2, 3]}', "header"),
    ("<script>alert(1)</script>.csv", b"<script>alert(1)</script>\n", "missing column"),
    ("too_big.csv", GOOD * 2000, "MB"),
]


class _Leaderboard:
    """Stand-in for the fitted postings baseline: the leaderboard is not under test here, and a
    cold pipeline cache would fit every postings model (minutes) before the upload box draws."""

    leaderboard = pd.DataFrame({"model": ["naive"], "mase": [1.0]})


@pytest.fixture(scope="module")
def at():
    from ui import data

    mp = pytest.MonkeyPatch()
    mp.setenv("MLTALENT_MAX_UPLOAD_MB", "0.1")  # too_big.csv is ~0.4 MB
    mp.setattr(data, "postings_baseline", lambda: _Leaderboard())
    app = AppTest.from_file(APP, default_timeout=180).run()
    app.switch_page("pages/data_methods.py").run()
    assert not app.exception, app.exception
    yield app
    mp.undo()


def _page_is_whole(at: AppTest, tables_before: int) -> None:
    assert not at.exception, at.exception
    assert [h.value for h in at.header] == ["Data & methods"]
    assert len(at.dataframe) == tables_before  # sources, roles, industries, leaderboard...
    assert len(at.get("file_uploader")) == 1  # the user can try another file


def _upload_charts(at: AppTest) -> list:
    """The forecast chart of the upload box (the page has other charts, e.g. the headcount backtest)."""
    return [c for c in at.get("plotly_chart") if c.proto.id.endswith("-dmm_series_chart")]


@pytest.mark.parametrize("name,raw,needle", BAD, ids=[b[0] for b in BAD])
def test_bad_upload_shows_error_and_page_keeps_rendering(at, name, raw, needle):
    tables = len(at.dataframe)
    at.get("file_uploader")[0].set_value((name, raw, "text/csv")).run()
    _page_is_whole(at, tables)
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    shown = re.sub(r"\\(.)", r"\1", errors[0])  # what markdown renders: escapes removed
    assert shown.startswith(f"{name}: ") and needle in shown, errors[0]
    assert "<script>" not in errors[0]  # user text is escaped, never markup
    assert not _upload_charts(at)  # no stale chart from an earlier file
    # recovery: a good file right after is forecast and charted
    at.get("file_uploader")[0].set_value(("good.csv", GOOD, "text/csv")).run()
    _page_is_whole(at, tables)
    assert not at.error and len(_upload_charts(at)) == 1


def test_many_series_are_counted_but_only_the_first_ones_forecast(at):
    """A big upload holds thousands of series: the page counts them all, forecasts and charts the
    first SHOWN_SERIES by id (fitting all in one page run took minutes), and points to the CLI."""
    from forecasting.sources import indeed
    shipped = indeed.load_postings_monthly()
    one = shipped[shipped["series_id"] == "us_ai_share"].tail(24)[["series_id", "ds", "y"]]
    tiled = pd.concat([one.assign(series_id=f"us_ai_share~{k:02d}") for k in range(12)])
    raw = tiled.to_csv(index=False, date_format="%Y-%m-%d").encode()
    at.selectbox(key="dmm_model").set_value("naive")
    at.get("file_uploader")[0].set_value(("many.csv", raw, "text/csv")).run()
    assert not at.exception and not at.error
    assert any(s.value.startswith("12 series, 288 rows;") for s in at.success)
    assert any("the first 10 series by id" in c.value for c in at.caption)
    spec = json.loads(_upload_charts(at)[0].proto.spec)
    forecast = {t["name"] for t in spec["data"] if str(t.get("name", "")).endswith("(forecast)")}
    assert forecast == {f"us_ai_share~{k:02d} (forecast)" for k in range(10)}
