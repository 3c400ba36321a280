"""viz/style: the year spans footers quote come from the data, never from literals."""

from __future__ import annotations

import numpy as np

from forecasting.headcount import panel as hp
from forecasting.sources import files
from forecasting.viz import style


def test_year_span_pins_format():
    assert style.year_span([2025, 2021, 2022, 2023, 2024, 2021]) == "2021–2025"  # sorted, en dash
    assert style.year_span([2017, 2018, 2019, 2021, 2022, 2023]) == "2017–2019, 2021–2023"  # gap
    assert style.year_span(range(2024, 2035), short_end=True) == "2024–34"
    assert style.year_span(np.array([2024, 2024])) == "2024"  # one year alone
    assert style.year_span([]) == ""


def test_headcount_sources_name_the_years_given():
    text = style.headcount_sources([2021, 2022, 2023, 2024, 2025])
    assert text.startswith("Source: U.S. BLS OEWS May 2021–2025 (employment by SOC and sector);")
    assert "2019" in style.headcount_sources([2019, 2020]) and "2025" not in style.headcount_sources([2019, 2020])
    assert "May" not in style.headcount_sources([])  # no data: no made-up years


def test_headcount_sources_follow_the_shipped_files():
    years = hp.panel_years()
    assert years[-1] == max(files.oews_years())  # the latest OEWS file is the panel's end
    assert f"May {years[0]}–{years[-1]} " in style.headcount_sources(years)
