"""Assumptions helpers that live beside the dataclass: the growth-mode conversion and the
automotive share a scenario uses (its override, else the one data rule in industry_mix)."""

from __future__ import annotations

import pytest

from forecasting.headcount import industry_mix
from forecasting.scenarios.assumptions import automotive_share_used, per_year_rate


def test_automotive_share_used_is_the_override_else_the_data_rule():
    assert automotive_share_used(0.25) == 0.25
    assert automotive_share_used(0.0) == 0.0  # an override of 0 is kept, not read as "unset"
    assert automotive_share_used(None) == industry_mix.automotive_share_of_manufacturing()


def test_per_year_rate_of_a_total_is_its_compound_annual_rate():
    assert per_year_rate(5.0, "per_year", 3) == pytest.approx(0.05)
    assert per_year_rate(40.0, "total", 5) == pytest.approx(1.4 ** 0.2 - 1)
