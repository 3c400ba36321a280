"""Entry point: page config, navigation, the shared sidebar and the credits footer.

`streamlit run dashboard.py`. Pages built by other modules that are not there yet show a
"coming soon" page instead of breaking the app.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from ui import preload

st.set_page_config(page_title="ML-talent demand forecast", page_icon=":material/trending_up:",
                   layout="wide")
preload.chart_code()  # before the heavy imports below: the browser parses plotly meanwhile

from ui import data, downloads, layout, sidebar, url_state  # noqa: E402

ROOT = Path(__file__).resolve().parent

PAGES = (  # (file, title, icon)
    ("pages/overview.py", "Overview", ":material/dashboard:"),
    ("pages/demand.py", "Demand forecast", ":material/show_chart:"),
    ("pages/scenarios.py", "Scenarios", ":material/tune:"),
    ("pages/salaries.py", "Salary bands", ":material/payments:"),
    ("pages/data_methods.py", "Data & methods", ":material/menu_book:"),
)


def _coming_soon(title: str):
    def page() -> None:
        st.info(f"The *{title}* page is coming soon.", icon=":material/construction:")
    page.__name__ = "coming_soon_" + title.lower().replace(" ", "_").replace("&", "and")
    return page


def _page(path: str, title: str, icon: str, default: bool) -> st.Page:
    if (ROOT / path).exists():
        return st.Page(path, title=title, icon=icon, default=default)
    return st.Page(_coming_soon(title), title=title, icon=icon, default=default,
                   url_path=Path(path).stem)


nav = st.navigation([_page(p, t, i, n == 0) for n, (p, t, i) in enumerate(PAGES)])

st.title("ML-talent demand forecast")
st.caption("How many ML engineers, data scientists and related roles will US employers need over "
           "the next 1–10 years, in which industries, how sure we are, and what they pay.")
data.drop_caches_if_data_changed()  # update-data swapped data/raw: nothing stale is shown
url_state.restore_once()  # a share link sets the scenario before any widget draws
sidebar.render()
if os.environ.get("MLTALENT_EXPORT_WARM_UP", "1") != "0":  # 0: tests that never export images
    downloads.start_export_warm_up()
try:
    nav.run()
except layout.ComingSoon:
    pass  # the page already said which part is coming soon
layout.footer()
