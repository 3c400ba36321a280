"""Entry point: page config, navigation, the shared sidebar and the credits footer.

`streamlit run dashboard.py`.
"""

from __future__ import annotations

import os

import streamlit as st

from forecasting.core.threads import single_threaded_blas
from ui import preload

single_threaded_blas()

st.set_page_config(page_title="ML-talent demand forecast", page_icon=":material/trending_up:",
                   layout="wide")
preload.chart_code()  # before the heavy imports below: the browser parses plotly meanwhile

from ui import data, downloads, layout, sidebar, url_state  # noqa: E402

PAGES = (  # (file, title, icon)
    ("pages/overview.py", "Overview", ":material/dashboard:"),
    ("pages/demand.py", "Demand forecast", ":material/show_chart:"),
    ("pages/scenarios.py", "Scenarios", ":material/tune:"),
    ("pages/salaries.py", "Salary bands", ":material/payments:"),
    ("pages/data_methods.py", "Data & methods", ":material/menu_book:"),
)

layout.use_app_navigation()
nav = st.navigation([st.Page(p, title=t, icon=i, default=n == 0)
                     for n, (p, t, i) in enumerate(PAGES)])

st.title("ML-talent demand forecast")
st.caption("How many ML engineers, data scientists and related roles will US employers need over "
           "the next 1–10 years, in which industries, how sure we are, and what they pay.")
data.drop_caches_if_data_changed()  # update-data swapped data/raw: nothing stale is shown
url_state.restore_once()  # a share link sets the scenario before any widget draws
sidebar.render()
if os.environ.get("MLTALENT_EXPORT_WARM_UP", "1") != "0":  # 0: tests that never export images
    downloads.start_export_warm_up()
nav.run()
layout.footer()
