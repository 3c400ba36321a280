"""Overview headlines: the group WEF is compared with, the fastest-growing pick without small-base
roles, and a summary that sets rates (never US jobs) against WEF's global figure."""

from __future__ import annotations

import pandas as pd
import pytest

from forecasting.core import catalog, errors
from forecasting.scenarios import headlines


def _projection() -> pd.DataFrame:
    """Every role x two industries, 2025..2031; role k grows by (k + 1)% a year (NLP fastest)."""
    rows = []
    growth = {r: 0.01 * (k + 1) for k, r in enumerate(catalog.ROLE_IDS)}
    growth["nlp_scientist"] = 0.30
    for r, g in growth.items():
        for ind, level in (("fintech", 1000.0), ("other", 3000.0)):
            for h in range(7):
                m = level * (1 + g) ** h
                rows.append((r, ind, 2025 + h, m, m * 0.9, m * 1.1))
    return pd.DataFrame(rows, columns=["role", "industry", "year", "mean", "lo_80", "hi_80"])


def _growth(proj: pd.DataFrame) -> pd.DataFrame:
    tot = proj.groupby(["role", "year"])["mean"].sum().unstack()
    g = ((tot[2030] / tot[2025]) ** 0.2 - 1) * 100
    return pd.DataFrame({"role": g.index, "growth_pct_per_year": g.to_numpy(),
                         "lo_80": g.to_numpy() - 1, "hi_80": g.to_numpy() + 1})


def test_group_growth_sums_the_group_over_five_years():
    proj = _projection()
    group = headlines.group_growth(proj, ("ml_engineer", "ml_scientist"))
    assert (group.start_year, group.end_year) == (2025, 2030)
    assert group.start == 8000.0
    want = 4000 * 1.01 ** 5 + 4000 * 1.06 ** 5  # ml_engineer k=0, ml_scientist k=5
    assert group.end == pytest.approx(want, rel=1e-12)
    assert group.pct == pytest.approx((want / 8000 - 1) * 100, rel=1e-12)
    assert group.end_hi_80 == pytest.approx(1.1 * want, rel=1e-12)
    assert group.label == headlines.group_label(("ml_engineer", "ml_scientist"))
    with pytest.raises(errors.UserInputError, match="ends before 2035"):
        headlines.group_growth(proj, ("ml_engineer",), years=10)


def test_fastest_growing_skips_small_base_roles_unless_included():
    g = _growth(_projection())
    ranked = headlines.ranked(g, headlines.headline_roles(catalog.ROLE_IDS, False, ("nlp_scientist",)))
    assert ranked["role"].iloc[0] == "ml_product_manager" and "nlp_scientist" not in set(ranked.role)
    every = headlines.ranked(g, headlines.headline_roles(catalog.ROLE_IDS, True, ("nlp_scientist",)))
    assert every["role"].iloc[0] == "nlp_scientist"
    assert headlines.tied_with_top(ranked) == ["ml_product_manager"]
    tie = pd.DataFrame({"role": catalog.ROLE_IDS,
                        "growth_pct_per_year": [5.0, 4.96, 1.0, 2.0, 3.0, 4.02, 4.0]})
    assert headlines.tied_with_top(headlines.ranked(tie, catalog.ROLE_IDS)) == ["ml_engineer",
                                                                                "data_scientist"]


def test_summary_compares_rates_and_never_us_jobs_with_wefs_count():
    proj = _projection()
    group = headlines.group_growth(proj, headlines.headline_group(False, ("nlp_scientist",)))
    ranking = headlines.ranked(_growth(proj), headlines.headline_roles(catalog.ROLE_IDS, False,
                                                                 ("nlp_scientist",)))
    text = headlines.summary_markdown(group, ranking, 5, lambda v: f"{v:,.0f}",
                                      ("Computer and Information Systems Managers", "$1", 2025))
    assert f"from {group.start:,.0f} to {group.end:,.0f} people" in text
    assert f"({group.pct:+.1f}%)" in text and "WEF's +40% for 2023–2027, a global rate" in text
    assert "excl. small-base NLP scientist" in text
    assert "**ML product manager** grows fastest" in text
    note = headlines.wef_comparison(group)
    assert f"{group.pct:+.1f}%" in note and "no US jobs figure is compared" in note
    for t in (text, note):
        for needle in ("million", "1M", "gap"):
            assert needle not in t


def test_tie_note_names_the_roles_tied_with_the_top_one():
    tie = pd.DataFrame({"role": catalog.ROLE_IDS,
                        "growth_pct_per_year": [5.0, 4.96, 1.0, 2.0, 3.0, 4.02, 4.0]})
    note = headlines.tie_note(headlines.ranked(tie, catalog.ROLE_IDS))
    assert note == (f"Tied with {catalog.role('data_scientist').label}: their levels rest on the "
                    "same OEWS occupation trend.")
    alone = tie.assign(growth_pct_per_year=[5.0, 4.9, 1.0, 2.0, 3.0, 4.02, 4.0])
    assert headlines.tie_note(headlines.ranked(alone, catalog.ROLE_IDS)) is None


def test_ranking_horizon_is_the_wanted_years_within_the_projection():
    proj = _projection()  # 2025..2031: six years ahead
    assert headlines.ranking_horizon(proj, 5) == 5
    assert headlines.ranking_horizon(proj, 10) == 6


def test_base_occupation_pay_is_the_latest_non_hybrid_year_of_the_base_soc():
    soc = catalog.role("data_scientist").base_soc
    oews = pd.DataFrame({"soc": [soc, soc, soc, "00-0000"], "year": [2023, 2024, 2025, 2026],
                         "hybrid": [False, False, True, False],
                         "soc_title": ["Data Scientists"] * 4,
                         "a_median": [100.0, 110.0, 999.0, 1.0]})
    row = headlines.base_occupation_pay(oews, "data_scientist")
    assert (int(row["year"]), row["a_median"]) == (2024, 110.0)
    with pytest.raises(errors.UserInputError, match="no row for SOC"):
        headlines.base_occupation_pay(oews[oews["soc"] != soc], "data_scientist")
