"""viz/salary: which roles the projection chart draws is decided on the frame, not the figure."""

from __future__ import annotations

import pandas as pd

from forecasting.viz import figure_data, salary


def _projected(flags: dict[str, str]) -> pd.DataFrame:
    rows = []
    for role, flag in flags.items():
        for h in (0, 1):
            rows.append({"role": role, "year": 2024 + h, "h": h, "n": 40 if not flag else 12,
                         "p10": 1e5, "p25": 1.2e5, "p50": 1.5e5, "p75": 1.8e5, "p90": 2e5,
                         "p50_lo": 1.4e5, "p50_hi": 1.6e5, "flag": flag, "growth_pct": 3.0})
    return pd.DataFrame(rows)


def test_projected_roles_skip_suppressed_and_missing_roles():
    proj = _projected({"ml_engineer": "", "data_scientist": "small n", "nlp_scientist": "suppressed"})
    roles = ["nlp_scientist", "data_scientist", "ml_engineer", "software_engineer"]
    assert salary.projected_roles(proj, roles) == ["data_scientist", "ml_engineer"]  # order kept
    assert salary.projected_roles(proj, ["nlp_scientist"]) == []
    assert salary.projected_roles(proj.iloc[:0], roles) == []


def test_projection_chart_draws_exactly_the_projected_roles():
    proj = _projected({"ml_engineer": "", "nlp_scientist": "suppressed"})
    fig = salary.salary_projection_chart(proj, ["ml_engineer", "nlp_scientist"])
    assert list(figure_data.figure_data(fig)["series"].unique()) == ["ml_engineer"]
    empty = salary.salary_projection_chart(proj, ["nlp_scientist"])
    assert figure_data.figure_data(empty).empty
