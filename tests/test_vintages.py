"""forecasting.sources.vintages: the vintage read from a file's own content, or a clear error."""

from __future__ import annotations

import pytest

from forecasting.core.errors import DataFileError
from forecasting.sources import vintages


def test_daily_and_monthly_vintages_are_the_last_date(tmp_path):
    daily = tmp_path / "d.csv"
    daily.write_text("date,value\n2026-03-31,1\n2026-06-30,2\n2026-05-01,3\n")
    assert vintages.daily_vintage(daily, "x/d.csv") == vintages.Vintage("2026-06-30", "daily to 2026-06-30")
    monthly = tmp_path / "m.csv"
    monthly.write_text("month,yoy\nFeb-26,1\nApr-26,2\nMar-26,3\n")
    assert vintages.monthly_vintage(monthly, "x/m.csv") == vintages.Vintage("2026-04", "monthly to 2026-04")


@pytest.mark.parametrize("text,reader,message", [
    ("date,value\n", "daily_vintage", "x/f.csv: cannot read the vintage (no rows)"),
    ("day,value\n2026-01-01,1\n", "daily_vintage", "x/f.csv: cannot read the vintage (column date:"),
    ("month,yoy\n2026-04,1\n", "monthly_vintage", "x/f.csv: cannot read the vintage (column month:"),
])
def test_unreadable_vintages_name_the_file_and_column(tmp_path, text, reader, message):
    f = tmp_path / "f.csv"
    f.write_text(text)
    with pytest.raises(DataFileError) as err:
        getattr(vintages, reader)(f, "x/f.csv")
    assert str(err.value).startswith(message)
