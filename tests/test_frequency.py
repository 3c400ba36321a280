"""forecasting.postings.frequency: the one frequency vocabulary (aliases, season lengths, dates)
that the models and the input validator share."""

from __future__ import annotations

import pandas as pd
import pytest

from forecasting.postings import frequency


@pytest.mark.parametrize("kind, month, dow, business, alias", [
    ("D", 1, 0, False, "D"), ("D", 1, 0, True, "B"), ("W", 5, 6, False, "W-SUN"),
    ("W", 1, 0, False, "W-MON"), ("M", 7, 2, False, "MS"), ("Q", 1, 0, False, "QS"),
    ("Q", 4, 0, False, "QS"), ("Q", 2, 0, False, "QS-FEB"), ("Q", 12, 0, False, "QS-MAR"),
    ("Y", 1, 0, False, "YS"), ("Y", 7, 0, False, "YS-JUL")])
def test_period_alias(kind, month, dow, business, alias):
    assert frequency.period_alias(kind, month, dow, business) == alias


@pytest.mark.parametrize("alias", ["D", "B", "W-SUN", "MS", "QS-FEB", "YS-JUL"])
def test_period_aliases_are_pandas_aliases_that_infer_freq_reads_back(alias):
    dates = pd.date_range("2021-02-01", periods=8, freq=alias)
    assert frequency.infer_freq(pd.Series(dates)) == alias
    assert frequency.future_dates(dates[-1], 2, alias).equals(
        pd.date_range(dates[-1], periods=3, freq=alias)[1:])


def test_weekly_fallback_names_the_weekday_of_the_last_date():
    # irregular weekly steps: pandas cannot tell, the median spacing (7 days) decides
    ds = pd.to_datetime(["2024-01-07", "2024-01-14", "2024-01-21", "2024-01-29", "2024-02-04"])
    assert frequency.infer_freq(pd.Series(ds)) == "W-SUN"


@pytest.mark.parametrize("alias, m", [("MS", 12), ("QS-FEB", 4), ("W-SUN", 52), ("D", 7),
                                      ("B", 5), ("YS", 1), ("h", 24)])
def test_season_length_for(alias, m):
    assert frequency.season_length_for(alias) == m
