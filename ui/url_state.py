"""The scenario in the URL: a share link reproduces the exact view, a bad link degrades gently.

The Assumptions in ``st.session_state["assumptions"]`` are the truth while the session runs;
the URL is a mirror written after each run (``write``) and read once per session
(``restore_once``) so that opening a link restores it before any widget draws. Only this
module's keys are touched, so other pages may keep their own query parameters.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import streamlit as st

from forecasting.scenarios import urlcodec
from forecasting.scenarios.assumptions import Assumptions

_RESTORED = "_url_state_restored"
WARNINGS = "url_warnings"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])")


def escape_md(text: str) -> str:
    """Plain text for st.markdown/warning: no markdown, HTML, links or LaTeX from user names."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def _current_params() -> dict[str, str]:
    return {k: st.query_params.get(k, "") for k in st.query_params}


def restore_once() -> bool:
    """On the session's first run, load Assumptions from the URL if it holds any.

    Returns True when the session state was replaced (the caller may ``st.rerun()`` so widgets
    drawn earlier in this run pick it up). Messages about bad fields go to
    ``st.session_state["url_warnings"]``.
    """
    if st.session_state.get(_RESTORED):
        return False
    st.session_state[_RESTORED] = True
    params = {k: v for k, v in _current_params().items() if urlcodec.is_scenario_key(k)}
    if not params:
        return False
    a, messages = urlcodec.decode(params)
    st.session_state["assumptions"] = a
    st.session_state[WARNINGS] = messages
    return True


def show_warnings() -> None:
    """One warning listing every link field that fell back to its default (escaped)."""
    messages = st.session_state.get(WARNINGS) or []
    if messages:
        st.warning("Parts of the link could not be used and were reset to defaults:\n\n"
                   + "\n".join(f"- {escape_md(m)}" for m in messages),
                   icon=":material/link_off:")


def write(a: Assumptions) -> None:
    """Mirror ``a`` into st.query_params (only our keys; unchanged URL is not rewritten)."""
    wanted = urlcodec.encode(a)
    current = {k: v for k, v in _current_params().items() if urlcodec.is_scenario_key(k)}
    if current == wanted:
        return
    for key in current:
        if key not in wanted:
            del st.query_params[key]
    for key, value in wanted.items():
        if current.get(key) != value:
            st.query_params[key] = value


def share_link(a: Assumptions) -> str:
    """Absolute link when the browser URL is known, else a relative ``?query`` link."""
    query = urlencode(urlcodec.encode(a))
    base = ""
    try:
        url = st.context.url or ""
        base = url.split("?", 1)[0]
    except Exception:
        base = ""
    return f"{base}?{query}"
