"""headcount_panel: the linking rule on hand-made files, and the recent and long panels against
values read straight from the raw OEWS workbooks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.core.errors import UserInputError
from forecasting.headcount import panel as hp
from forecasting.sources import files


def _frame(year, rows):
    return pd.DataFrame([{"year": year, "soc": s, "soc_title": t} for s, t in rows])


def test_linking_rule_on_hand_made_files():
    history = pd.concat([
        _frame(2017, [("11-1011", "Chief Executives"), ("15-1111", "Computer and Information "
                      "Research Scientists"), ("29-1141", "Registered Nurses "),
                      ("15-1132", "Software Developers, Applications")]),
        _frame(2018, [("11-1011", "Chief Executives")])])
    recent = pd.concat([
        _frame(2024, [("15-1221", "Computer and Information Research Scientists")]),
        _frame(2025, [("11-1011", "Chief Executives"), ("29-1141", "Registered Nurses"),
                      ("15-1221", "Computer and Information Research Scientists"),
                      ("15-1252", "Software Developers")])])
    # same code and same (trimmed) title in May 2017 and the latest year: linked; a recoded
    # occupation (15-1111 -> 15-1221) or a retitled one (15-1132) is not
    assert hp.link_occupations(history, recent) == ["11-1011", "29-1141"]


def _raw_row(path, soc, year):
    raw = pd.read_excel(path, sheet_name=0, dtype=str, engine="calamine")
    raw.columns = [c.upper() for c in raw.columns]
    group = "OCC_GROUP" if "OCC_GROUP" in raw else "O_GROUP"
    row = raw[(raw["OCC_CODE"] == soc) & (raw[group] == "detailed")].iloc[0]
    return float(row["TOT_EMP"]), float(row["EMP_PRSE"])


@pytest.mark.parametrize("soc", ["29-1141", "43-5052", "11-1021"])
def test_long_panel_values_equal_the_raw_workbooks(soc):
    p = hp.long_panel()
    i = p.socs.index(soc)
    for year, rel in ((2017, "bls_oews_history/national_M2017_dl.xlsx"),
                      (2019, "bls_oews_history/national_M2019_dl.xlsx"),
                      (2025, "bls_oews/national_M2025_dl.xlsx")):
        emp, prse = _raw_row(files.raw_dir() / rel, soc, year)
        j = p.years.index(year)
        assert p.emp[i, j] == emp and p.prse[i, j] == pytest.approx(prse / 100)


def test_long_panel_size_years_and_what_it_drops():
    p = hp.long_panel()
    assert len(p.socs) == 656
    assert p.years == (2017, 2018, 2019, 2021, 2022, 2023, 2024, 2025)  # no May 2020
    assert (p.emp > 0).all() and (p.prse >= 0).all()
    # SOC 2018 recodes are not linked: data scientists, software developers, CIR scientists
    for soc in ("15-2051", "15-1252", "15-1221", "15-1243"):
        assert soc not in p.socs
    assert "11-3021" in p.socs  # same code and title since 2010: linked
    # about 80% of the latest year's employment of the recent panel's occupations
    recent = hp.oews_panel()
    share = p.emp[:, -1].sum() / recent.emp[:, -1].sum()
    assert 0.75 < share < 0.85
    w = p.window(2017, 2021)
    assert w.years == (2017, 2018, 2019, 2021) and w.growth.shape == (656, 3)


def test_recent_panel_holds_every_occupation_present_each_year():
    p = hp.oews_panel(2021, 2025)
    assert len(p.socs) == 829 and p.years == (2021, 2022, 2023, 2024, 2025)
    assert "43-5052" in p.socs  # Postal Service mail carriers: PRSE 0 (a full count) is kept
    assert files.latest_oews_year() == 2025 and hp.panel_years() == [2021, 2022, 2023, 2024, 2025]
    i = p.socs.index("15-2051")
    np.testing.assert_allclose(p.emp[i], [105980, 159630, 192710, 233440, 262440])
    with pytest.raises(UserInputError, match="at least 3 years"):
        hp.oews_panel(2024, 2025)
    with pytest.raises(UserInputError, match="at least 3 years"):
        hp.oews_panel(2020, 2025)
