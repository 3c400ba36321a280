"""Chart files (PNG/SVG/PDF/HTML/CSV) and the report bundle (ZIP).

Images come from kaleido 1.x driving the system Chromium. One browser is started lazily and
kept for the life of the process, so a warm PNG costs ~0.3-0.5 s instead of 3-9 s cold.
Files are always rendered with a light template: a figure shown in a dark Streamlit theme
must not come out dark on a slide.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import io
import json
import os
import re
import shutil
import sys
import threading
import unicodedata
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime

import pandas as pd
import plotly.graph_objects as go

from forecasting.core.atomic import write_bytes_atomic
from forecasting.core.errors import UserInputError
from forecasting.viz import figure_data

FORMATS: tuple[str, ...] = ("png", "svg", "pdf", "html", "csv")
IMAGE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
MIME: dict[str, str] = {
    "png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
    "html": "text/html", "csv": "text/csv", "zip": "application/zip", "json": "application/json",
}
DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_SCALE = 1200, 700, 2
#: Render timeout per image (s); a hung browser must not hang a download forever.
IMAGE_TIMEOUT_S = 60

_lock = threading.Lock()
_server_started = False
_server_error: str | None = None


# ---------------------------------------------------------------- image backend
_found: dict[str, str] = {}  # positive lookups only: something installed later is still found


def _chromium_path() -> str | None:
    if "chromium" in _found:  # every chart's buttons ask, on every rerun (PATH scans ~0.2 ms)
        return _found["chromium"]
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            _found["chromium"] = path
            return path
    return os.environ.get("BROWSER_PATH") if os.environ.get("BROWSER_PATH") else None


def _kaleido_installed() -> bool:
    """Without importing it: kaleido (and choreographer) cost start-up time on pages that only
    draw buttons; it is imported when the first image is made."""
    if "kaleido" in sys.modules:
        return sys.modules["kaleido"] is not None  # None: import blocked (tests, broken install)
    if "kaleido" in _found:
        return True
    if importlib.util.find_spec("kaleido") is None:
        return False
    _found["kaleido"] = "installed"
    return True


def image_export_available() -> tuple[bool, str]:
    """Whether PNG/SVG/PDF can be made here, and if not, why (shown next to disabled buttons)."""
    if _server_error:
        return False, f"Image export failed to start: {_server_error}. HTML and CSV still work."
    if not _kaleido_installed():
        return False, ("Image export needs the 'kaleido' package (pip install kaleido==1.5.0). "
                       "HTML and CSV still work.")
    if _chromium_path() is None:
        return False, ("Image export needs Chromium (e.g. apt-get install chromium), which was "
                       "not found on PATH. HTML and CSV still work.")
    return True, ""


def _kaleido_class():
    """kaleido.Kaleido that reloads a used tab *after* handing back the image.

    Stock kaleido 1.5 reloads the page (re-parsing plotly.js, ~0.3 s CPU) inside every render,
    before returning the bytes. Doing it in the background keeps a clean page per render but
    takes it off the user's wait: warm PNG median 0.50 s instead of 0.78 s on a busy machine.
    """
    import asyncio

    import kaleido

    class _BackgroundReloadKaleido(kaleido.Kaleido):
        async def _return_kaleido_tab(self, tab) -> None:
            async def reload_then_return() -> None:
                try:
                    await tab.reload()
                finally:
                    await self.tabs_ready.put(tab)

            task = asyncio.get_running_loop().create_task(reload_then_return())
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)

    return _BackgroundReloadKaleido


_background_tasks: set = set()
_loop = None
_kaleido = None


def _ensure_server() -> None:
    """Start one kaleido browser on a private event-loop thread (once, thread-safe).

    Not ``kaleido.start_sync_server``: its sync server returns results through one shared
    queue, so concurrent callers (Streamlit builds downloads on worker threads) can get each
    other's files. Here every call has its own future.
    """
    global _server_started, _server_error, _loop, _kaleido
    with _lock:
        if _server_started and _kaleido is not None:
            return
        ok, reason = image_export_available()
        if not ok:
            raise UserInputError(reason)
        import asyncio
        try:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, daemon=True, name="image-export").start()
            # mathjax=False: the default loads MathJax from a CDN, which stalls offline.
            k = _kaleido_class()(n=1, mathjax=False, timeout=IMAGE_TIMEOUT_S)
            asyncio.run_coroutine_threadsafe(k.open(), loop).result(IMAGE_TIMEOUT_S + 30)
        except Exception as exc:  # pragma: no cover - depends on the machine's browser
            _server_error = f"{type(exc).__name__}: {exc}"
            raise UserInputError(f"Image export failed to start: {_server_error}") from exc
        _loop, _kaleido, _server_started = loop, k, True
        atexit.register(_stop_server)


def warm_up(background: bool = True) -> threading.Thread | None:
    """Start the image server and render one tiny SVG, so the first real download is warm.

    The cold start (launching Chromium) costs ~3 s idle, ~10 s on a busy machine. Call it once
    from the app's entry point; it does nothing when image export is unavailable.
    """
    if not image_export_available()[0] or _server_started:
        return None

    def run() -> None:
        with contextlib.suppress(UserInputError):  # image_export_available() now carries the reason
            to_bytes(go.Figure(), "svg", width=50, height=50, scale=1)

    if not background:
        run()
        return None
    t = threading.Thread(target=run, daemon=True, name="image-export-warm-up")
    t.start()
    return t


def _stop_server() -> None:
    global _server_started, _kaleido, _loop
    with _lock:
        if _kaleido is not None and _loop is not None:
            import asyncio
            with contextlib.suppress(Exception):  # closing a dead server: nothing to do
                asyncio.run_coroutine_threadsafe(_kaleido.close(), _loop).result(30)
            _loop.call_soon_threadsafe(_loop.stop)
        _server_started, _kaleido, _loop = False, None, None


_WHITE_TEMPLATE: dict | None = None


def light_dict(fig: go.Figure | dict) -> dict:
    """The figure as a plain dict on a white page, whatever theme the app used on screen.

    Works on the dict (not ``go.Figure(fig).update_layout``) because re-validating a figure
    costs ~0.1 s, a third of a warm PNG.
    """
    global _WHITE_TEMPLATE
    if _WHITE_TEMPLATE is None:
        import plotly.io as pio
        _WHITE_TEMPLATE = pio.templates["plotly_white"].to_plotly_json()
    d = fig.to_dict() if hasattr(fig, "to_dict") else json.loads(json.dumps(fig))
    layout = dict(d.get("layout") or {})
    layout.update(template=_WHITE_TEMPLATE, paper_bgcolor="white", plot_bgcolor="white")
    d["layout"] = layout
    return d


# ---------------------------------------------------------------- public API
def to_bytes(fig: go.Figure, fmt: str, *, width: int = DEFAULT_WIDTH, height: int | None = None,
             scale: float = DEFAULT_SCALE, include_plotlyjs: bool | str = True) -> bytes:
    """One chart as a file: png, svg, pdf (kaleido), html (full page) or csv (figure_data)."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UserInputError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    if fmt == "csv":
        return csv_safe(figure_data.figure_data(fig)).encode("utf-8")
    light = light_dict(fig)
    if fmt == "html":
        if include_plotlyjs not in (True, "cdn", "directory"):
            raise UserInputError("include_plotlyjs must be True (inline), 'cdn' or 'directory' "
                                 "(loads plotly.min.js from the same folder)")
        import plotly.io as pio
        return pio.to_html(light, include_plotlyjs=include_plotlyjs, full_html=True,
                           validate=False).encode("utf-8")
    _ensure_server()
    # Keep the on-screen height when the figure sets one (tall heatmaps, rankings).
    h = height or max(int(light["layout"].get("height") or 0), DEFAULT_HEIGHT)
    return _render(light, {"format": fmt, "width": width, "height": h, "scale": scale})


def _render(fig_dict: dict, opts: dict) -> bytes:
    """One image from the shared browser, with a hard timeout (a hung browser must not hang a
    download); after a timeout image export is reported unavailable."""
    global _server_error
    import asyncio
    import concurrent.futures
    future = asyncio.run_coroutine_threadsafe(_kaleido.calc_fig(fig_dict, opts=opts), _loop)
    try:
        out = future.result(IMAGE_TIMEOUT_S + 30)
    except concurrent.futures.TimeoutError:
        future.cancel()
        _server_error = f"no answer from the image renderer within {IMAGE_TIMEOUT_S + 30} s"
        raise UserInputError(f"Image export ({opts['format']}) failed: {_server_error}") from None
    except Exception as exc:
        raise UserInputError(f"Image export ({opts['format']}) failed: "
                             f"{type(exc).__name__}: {exc}") from exc
    return bytes(out)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _guard_cell(v):
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def csv_safe(df: pd.DataFrame) -> str:
    """CSV text with formula-injection guard: text cells starting = + - @ TAB CR get a leading '.

    Numbers are never touched (a negative number stays a number); only strings are escaped,
    including column names.
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            out[col] = s.map(_guard_cell).astype(object)
    out.columns = [_guard_cell(str(c)) for c in out.columns]
    # CRLF (RFC 4180) also makes the csv writer quote cells holding a bare CR.
    return out.to_csv(index=False, lineterminator="\r\n")


def safe_filename(text: str, default: str = "chart", max_len: int = 80) -> str:
    """ASCII file name stem: letters, digits, '-', '_' and '.' only, no leading dots."""
    norm = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    norm = re.sub(r"[^A-Za-z0-9._-]+", "_", norm).strip("._-")
    norm = re.sub(r"_+", "_", norm)[:max_len].strip("._-")
    if norm.split(".")[0].upper() in WINDOWS_RESERVED:  # 'con.csv' would open the console
        norm = (f"{norm}_" if "." not in norm else norm.replace(".", "_.", 1))[:max_len]
    return norm or default


#: Device names Windows refuses as a file name stem, whatever the extension.
WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                              *(f"LPT{i}" for i in range(1, 10))})


def report_zip(figures: Mapping[str, go.Figure], tables: Mapping[str, pd.DataFrame],
               assumptions: Mapping | None, sources: pd.DataFrame | None = None, *,
               images: bool | None = None) -> bytes:
    """The report bundle: per chart PNG+SVG+PDF+HTML and its data CSV, tables, assumptions, sources.

    ``images=None`` includes images when the backend is available; otherwise the README says why.
    """
    if hasattr(assumptions, "to_dict"):  # an Assumptions dataclass
        assumptions = assumptions.to_dict()
    if images is None:
        images, reason = image_export_available()
    else:
        reason = "" if images else "images not requested"
    buf = io.BytesIO()
    written: list[str] = []
    used: set[str] = set()

    def unique(stem: str) -> str:
        base, k = stem, 2
        while stem in used:
            stem, k = f"{base}_{k}", k + 1
        used.add(stem)
        return stem

    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        def put(name: str, data: bytes | str) -> None:
            zf.writestr(name, data)
            written.append(name)

        for title, fig in figures.items():
            stem = unique(safe_filename(title))
            for fmt in IMAGE_FORMATS if images else ():
                put(f"charts/{stem}.{fmt}", to_bytes(fig, fmt))
            # One shared plotly.min.js next to the pages: offline, and 4.7 MB once, not per chart.
            put(f"charts/{stem}.html", to_bytes(fig, "html", include_plotlyjs="directory"))
            put(f"data/{stem}.csv", to_bytes(fig, "csv"))
        if figures:
            from plotly.offline import get_plotlyjs
            put("charts/plotly.min.js", get_plotlyjs())
        for title, table in tables.items():
            put(f"tables/{unique(safe_filename(title, 'table'))}.csv", csv_safe(table))
        put("assumptions.json", json.dumps(assumptions or {}, indent=2, sort_keys=True, default=str))
        if sources is not None:
            put("SOURCES.csv", csv_safe(sources))
        put("README.txt", _readme(list(figures), list(tables), written, images, reason,
                                  sources is not None))
    return buf.getvalue()


def _readme(figures: list[str], tables: list[str], files: list[str], images: bool, reason: str,
            has_sources: bool) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "ML-talent demand forecast: report bundle",
        f"Created {stamp}.",
        "",
        "charts/   each chart as PNG, SVG, PDF (static, light background) and HTML (interactive;",
        "          keep plotly.min.js next to the .html files, no internet needed)",
        "data/     for each chart, exactly the plotted numbers (trace, x, y, interval bounds)",
        "tables/   the tables shown with the charts",
        "assumptions.json  the scenario assumptions behind every projected number",
        "SOURCES.csv       data sources, vintages, licences and file checksums" if has_sources
        else "SOURCES.csv       (not included in this bundle)",
        "",
        "Projections are scenarios built on BLS OEWS employment and Indeed Hiring Lab postings",
        "(CC BY 4.0) under the stated assumptions; intervals are 80% and 95%. Text cells in CSV",
        "files that start with = + - @ are prefixed with ' to stop spreadsheet formula injection.",
    ]
    if not images:
        lines += ["", f"Static images (PNG/SVG/PDF) are not included: {reason}"]
    lines += ["", "Charts: " + ", ".join(figures) if figures else "Charts: none",
              "Tables: " + ", ".join(tables) if tables else "Tables: none", "", "Files:"]
    lines += [f"  {f}" for f in files] + ["  README.txt"]
    return "\n".join(lines) + "\n"


# One atomic-write mechanism for the whole package (kept under this name for callers).
write_atomic = write_bytes_atomic
