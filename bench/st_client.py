"""A light Streamlit client over the app's own websocket (protobuf BackMsg/ForwardMsg), for
benches that time what the server does without a browser competing for the same 2 cores.

It speaks the frontend's part of the protocol that matters here: a first run of a page, then
widget changes sent as ``rerun_script`` with every widget value it knows (as the browser
does) and, for a widget drawn inside ``st.fragment``, that fragment's id, so the server reruns
only the fragment, exactly as for a browser. Times are from sending the change to (a) the
first new delta of a named chart and (b) the run's ``script_finished``.

Loopback only: ``connect`` refuses any host but 127.0.0.1/localhost.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = ("127.0.0.1", "localhost")
#: ForwardMsg.script_finished values that end a run normally (whole script / one fragment).
FINISHED_OK = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
#: Element types that are widgets, with the WidgetState field their value travels in.
WIDGET_VALUE_FIELD = {"slider": "double_array_value", "checkbox": "bool_value",
                      "file_uploader": "file_uploader_state_value",
                      "selectbox": "string_value", "multiselect": "string_array_value",
                      "number_input": "double_value", "radio": "string_value"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(script: str | Path, port: int, *, env: dict | None = None,
                 timeout_s: float = 90.0) -> subprocess.Popen:
    """``streamlit run script`` headless on 127.0.0.1:port, output to /dev/null (a pipe nobody
    reads would block a chatty server); returns once /_stcore/health says ok."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}, start_new_session=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.read().strip() == b"ok":
                    return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError(f"streamlit did not become healthy within {timeout_s:.0f} s")


def stop_server(proc: subprocess.Popen) -> None:
    """SIGTERM this server (its own process group), SIGKILL after 10 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) of another process, ns resolution: its process CPU
    clock (Linux: clock id ``~pid << 3 | CPUCLOCK_SCHED``). Unlike wall time, it does not grow
    when other processes take the cores."""
    return time.clock_gettime(((~pid) << 3) | 2)


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    """Resident (``VmRSS``) or peak resident (``VmHWM``) memory of a process, MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field_name} in /proc/{pid}/status")


@dataclass
class Widget:
    id: str
    kind: str
    fragment_id: str


@dataclass
class RunResult:
    """One run as the client saw it: seconds to ``script_finished`` and to the first delta of
    each watched element key, the finish status, and exceptions/errors the page showed."""
    finished_s: float
    status: int
    element_s: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    deltas: int = 0
    fragment_id: str = ""

    @property
    def ok(self) -> bool:
        return self.status in FINISHED_OK and not self.errors


class Session:
    """One browser-like session (one websocket). Use ``async with Session(url) as s``."""

    def __init__(self, base_url: str, page: str = "", *, timeout_s: float = 120.0):
        host = base_url.split("//", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
        if host not in LOOPBACK:
            raise ValueError(f"loopback only, not {host!r}")
        self.url = base_url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.page = page
        self.timeout_s = timeout_s
        self.widgets: dict[str, Widget] = {}  # user key -> widget (last run that drew it)
        self.values: dict[str, object] = {}  # widget id -> value the client has sent
        self.elements: dict[str, str] = {}  # user key of a keyed element -> its element id
        self.chart_fragment: dict[str, str] = {}  # chart key -> fragment id ('' = none)
        self.specs: dict[str, str] = {}  # chart key -> its last plotly JSON spec
        self.pages: dict[str, str] = {}  # url path ('' = default page) -> page script hash
        self.page_hash = ""
        self.session_id = ""
        self._xsrf = ""
        self._ws = None

    async def __aenter__(self) -> Self:
        import websockets
        from streamlit.web.server.starlette.starlette_app_utils import (
            generate_xsrf_token_string,
        )
        # the browser's double-submit XSRF token: the same value in a cookie and in the
        # subprotocol / upload header (the server only checks that they match)
        self._xsrf = generate_xsrf_token_string()
        self._ws = await websockets.connect(
            self.url, subprotocols=["streamlit", self._xsrf], max_size=64 * 2**20,
            open_timeout=self.timeout_s,
            additional_headers={"Cookie": f"_streamlit_xsrf={self._xsrf}"})
        return self

    async def __aexit__(self, *exc) -> None:
        if self._ws is not None:
            await self._ws.close()

    def _widget_states(self):
        msg = BackMsg()
        states = msg.rerun_script.widget_states
        for wid, value in self.values.items():
            w = states.widgets.add()
            w.id = wid
            _set_value(w, value)
        return msg

    async def open_page(self, page: str, watch: tuple[str, ...] = ()) -> RunResult:
        """Navigate as the sidebar link does (needs one run first, for the page list)."""
        self.page, self.page_hash = page, self.pages[page]
        return await self.run(watch=watch)

    async def upload(self, key: str, name: str, data: bytes) -> None:
        """Put a file into the file_uploader ``key`` as the browser does: ask for an upload URL
        over the websocket, PUT the file there (multipart), then set the widget's state; the
        next ``run()`` sends it."""
        msg = BackMsg()
        req = msg.file_urls_request
        req.request_id = os.urandom(8).hex()
        req.file_names.append(name)
        req.session_id = self.session_id
        await self._ws.send(msg.SerializeToString())
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(self._ws.recv(), timeout=self.timeout_s))
            if (fm.WhichOneof("type") == "file_urls_response"
                    and fm.file_urls_response.response_id == req.request_id):
                break
        if fm.file_urls_response.error_msg:
            raise RuntimeError(f"upload refused: {fm.file_urls_response.error_msg}")
        urls = fm.file_urls_response.file_urls[0]
        await asyncio.to_thread(self._put, urls.upload_url, name, data)
        self.values[self.widgets[key].id] = _Upload(name, len(data), urls)

    def _put(self, upload_url: str, name: str, data: bytes) -> None:
        boundary = os.urandom(16).hex()
        body = b"".join([f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                         f"filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n".encode(),
                         data, f"\r\n--{boundary}--\r\n".encode()])
        base = self.url.replace("ws://", "http://").removesuffix("/_stcore/stream")
        url = upload_url if upload_url.startswith("http") else base + upload_url
        request = urllib.request.Request(url, data=body, method="PUT", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": self._xsrf, "Cookie": f"_streamlit_xsrf={self._xsrf}"})
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
            if response.status not in (200, 204):
                raise RuntimeError(f"upload failed: HTTP {response.status}")

    async def run(self, changes: dict[str, object] | None = None, *,
                  watch: tuple[str, ...] = (), trigger: str | None = None) -> RunResult:
        """Send one rerun: ``changes`` maps widget keys to new values, ``trigger`` a button key.
        A run whose widgets all sit in one fragment asks for that fragment only."""
        changes = changes or {}
        fragment_ids = {self.widgets[k].fragment_id for k in (*changes, *([trigger] if trigger else []))}
        for key, value in changes.items():
            self.values[self.widgets[key].id] = value
        msg = self._widget_states()
        if trigger:
            w = msg.rerun_script.widget_states.widgets.add()
            w.id, w.trigger_value = self.widgets[trigger].id, True
        cs = msg.rerun_script
        cs.query_string = ""
        cs.page_script_hash = self.page_hash
        cs.page_name = self.page
        if len(fragment_ids) == 1 and "" not in fragment_ids:
            cs.fragment_id = fragment_ids.pop()
        t0 = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        return await self._read_run(t0, watch, cs.fragment_id)

    async def _read_run(self, t0: float, watch: tuple[str, ...], fragment_id: str) -> RunResult:
        """Read messages up to the run's script_finished, noting when each arrived; what they
        hold is read afterwards, so the client's own work is not counted as the server's
        (a run's deltas arrive in one burst at its end)."""
        arrived: list[tuple[float, ForwardMsg]] = []
        deadline = t0 + self.timeout_s
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no script_finished within {self.timeout_s:.0f} s")
            raw = await asyncio.wait_for(self._ws.recv(), timeout=left)
            t = time.perf_counter() - t0
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            arrived.append((t, fm))
            if (fm.WhichOneof("type") == "script_finished"
                    and fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN):
                break
        element_s: dict[str, float] = {}
        errors: list[str] = []
        deltas = 0
        for t, fm in arrived:
            kind = fm.WhichOneof("type")
            if kind == "new_session" and fm.new_session.initialize.session_id:
                self.session_id = fm.new_session.initialize.session_id
            if kind == "navigation":
                for pg in fm.navigation.app_pages:
                    self.pages[pg.url_pathname] = pg.page_script_hash
                    if pg.is_default:
                        self.pages[""] = pg.page_script_hash
                self.page_hash = fm.navigation.page_script_hash or self.page_hash
            elif kind == "delta":
                deltas += 1
                d = fm.delta
                if d.WhichOneof("type") != "new_element":
                    continue
                el = d.new_element
                etype = el.WhichOneof("type")
                proto = getattr(el, etype)
                if etype == "exception":
                    errors.append(f"{proto.type}: {proto.message}")
                    continue
                if etype == "alert" and proto.format == proto.ERROR:
                    errors.append(f"error: {proto.body[:200]}")
                eid = getattr(proto, "id", "")
                key = _user_key(eid)
                if key:
                    if etype in WIDGET_VALUE_FIELD or etype == "button":
                        self.widgets[key] = Widget(eid, etype, d.fragment_id)
                    self.elements[key] = eid
                if etype == "plotly_chart" and key:
                    self.chart_fragment[key] = d.fragment_id
                    self.specs[key] = proto.spec
                    if key in watch and key not in element_s:
                        element_s[key] = t
        t_end, last = arrived[-1]
        return RunResult(t_end, last.script_finished, element_s, errors, deltas, fragment_id)


def _user_key(element_id: str) -> str:
    """The user key at the end of an element id ('$$ID-<hash>-<key>'), '' without one."""
    if not element_id.startswith("$$ID-"):
        return ""
    parts = element_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[2] != "None" else ""


@dataclass(frozen=True)
class _Upload:
    name: str
    size: int
    urls: object  # FileURLs


def _set_value(w, value) -> None:
    if isinstance(value, _Upload):
        info = w.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = value.name, value.size, value.urls.file_id
        info.file_urls.CopyFrom(value.urls)
        return
    if isinstance(value, bool):
        w.bool_value = value
    elif isinstance(value, (int, float)):
        w.double_array_value.data[:] = [float(value)]
    elif isinstance(value, str):
        w.string_value = value
    elif isinstance(value, (list, tuple)):
        w.string_array_value.data[:] = [str(v) for v in value]
    else:
        raise TypeError(f"unsupported widget value {value!r}")
