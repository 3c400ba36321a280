"""The OEWS occupation panels the headcount model is fitted and backtested on.

Two panels, both national employment of every detailed occupation:

* the **recent panel**: May ``FIRST_YEAR`` (2021) to the latest file, every occupation with a
  positive estimate and a PRSE in each year (829 in the shipped files). The model is fitted on it
  and the product's roles rest on it. May 2020 is left out: its hybrid SOC 2010/2018 codes are a
  break.
* the **long panel**: the May 2017-2019 files (SOC 2010 in 2017-2018, hybrid codes in 2019)
  linked to May 2021 on. **Linking rule:** an occupation is linked when its code *and* title
  (trimmed) are identical in the first history file (May 2017) and the latest file, and it has a
  positive estimate and a PRSE in every year 2017-2019 and 2021 on. That drops every occupation
  whose code or title changed with SOC 2018 (data scientists, software developers, database
  architects, computer research scientists among them), occupations that split or merged, and
  May 2020 (hybrid codes, COVID-era collection); the 2019 -> 2021 step spans two years and the
  2020 shock. 656 occupations in the shipped files, about 80% of their employment. It allows
  backtests 3-7 years ahead (fit on 2017-2019, predict 2022-2025).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from forecasting.core import errors
from forecasting.headcount.role_levels import FIRST_YEAR
from forecasting.sources import files, oews


@dataclass(frozen=True)
class Panel:
    """Occupations x years of employment and its PRSE (``years`` may skip a year)."""

    socs: tuple[str, ...]
    years: tuple[int, ...]
    emp: np.ndarray   # n x len(years), people
    prse: np.ndarray  # n x len(years), fraction (EMP_PRSE / 100); 0 is valid (a full count)

    @property
    def log_emp(self) -> np.ndarray:
        return np.log(self.emp)

    @property
    def growth(self) -> np.ndarray:
        """n x (len(years) - 1) log growth over each interval (two years across a gap)."""
        return np.diff(self.log_emp, axis=1)

    def window(self, first_year: int, last_year: int) -> Panel:
        """The same occupations over the panel's years within first_year..last_year."""
        keep = [j for j, y in enumerate(self.years) if first_year <= y <= last_year]
        return Panel(self.socs, tuple(self.years[j] for j in keep), self.emp[:, keep],
                     self.prse[:, keep])


def _complete(emp: pd.DataFrame, prse: pd.DataFrame, years: list[int]) -> Panel:
    e, s = emp.reindex(columns=years), prse.reindex(columns=years)
    ok = e.notna().all(axis=1) & (e > 0).all(axis=1) & s.notna().all(axis=1) & (s >= 0).all(axis=1)
    e, s = e[ok].sort_index(), s[ok].sort_index()
    return Panel(tuple(e.index), tuple(years), e.to_numpy(float), s.to_numpy(float) / 100.0)


@lru_cache(maxsize=4)
def _recent_wide(key: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    p = oews.load_oews_panel()
    p = p[p["year"] >= FIRST_YEAR]
    emp = p.pivot_table(index="soc", columns="year", values="tot_emp", aggfunc="first")
    prse = p.pivot_table(index="soc", columns="year", values="emp_prse", aggfunc="first")
    titles = p.drop_duplicates(["soc", "year"]).pivot(index="soc", columns="year", values="soc_title")
    return emp, prse, titles


def panel_years() -> list[int]:
    """The OEWS years of the recent panel (FIRST_YEAR .. latest), read from the data."""
    return [int(y) for y in _recent_wide(files.oews_hash())[0].columns]


def soc_titles(year: int) -> pd.Series:
    """soc -> its title in the OEWS file of ``year``."""
    return _recent_wide(files.oews_hash())[2][int(year)].dropna()


def oews_panel(first_year: int = FIRST_YEAR, last_year: int | None = None) -> Panel:
    """The recent panel for ``first_year..last_year`` (default: the latest year)."""
    emp, prse, _ = _recent_wide(files.oews_hash())
    have = [int(y) for y in emp.columns]
    last_year = max(have) if last_year is None else int(last_year)
    years = list(range(int(first_year), last_year + 1))
    if first_year < FIRST_YEAR or any(y not in have for y in years) or len(years) < 3:
        raise errors.UserInputError(
            f"the OEWS panel needs at least 3 years within {FIRST_YEAR}-{max(have)}, got "
            f"{first_year}-{last_year}")
    return _complete(emp, prse, years)


def link_occupations(history: pd.DataFrame, recent: pd.DataFrame) -> list[str]:
    """SOC codes whose code and trimmed title are identical in the first history year and the
    latest recent year (both frames: year, soc, soc_title). Presence in the other years is
    checked when the panel is built."""
    first = history[history["year"] == history["year"].min()]
    last = recent[recent["year"] == recent["year"].max()]
    a = first.set_index("soc")["soc_title"].astype(str).str.strip()
    b = last.set_index("soc")["soc_title"].astype(str).str.strip()
    common = a.index.intersection(b.index)
    return sorted(c for c in common if a[c] == b[c])


@lru_cache(maxsize=2)
def _long_panel_cached(key: str) -> Panel:
    hist = oews.load_oews_history_panel()
    recent = oews.load_oews_panel()
    recent = recent[recent["year"] >= FIRST_YEAR]
    linked = set(link_occupations(hist, recent))
    both = pd.concat([hist, recent], ignore_index=True)
    both = both[both["soc"].isin(linked)]
    emp = both.pivot_table(index="soc", columns="year", values="tot_emp", aggfunc="first")
    prse = both.pivot_table(index="soc", columns="year", values="emp_prse", aggfunc="first")
    years = sorted(int(y) for y in both["year"].unique())
    return _complete(emp, prse, years)


def long_panel() -> Panel:
    """The linked May 2017-2019 + 2021..latest panel (see the module docstring)."""
    return _long_panel_cached(files.oews_hash())
