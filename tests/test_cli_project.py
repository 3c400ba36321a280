"""CLI: ``project`` and ``scenario`` commands (real baseline, run in-process via cli.main)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from forecasting.cli import main as cli
from forecasting.core import catalog
from forecasting.scenarios import analysis, presets
from forecasting.scenarios.assumptions import SCHEMA_VERSION, Assumptions


def test_scenario_print_json_round_trips(capsys):
    assert cli.main(["scenario", "--preset", "wef2023", "--print-json"]) == 0
    out = capsys.readouterr().out
    assert Assumptions.from_json(out) == presets.preset("wef2023")
    assert cli.main(["scenario", "--preset", "high", "--print-query"]) == 0
    assert capsys.readouterr().out.strip() == f"v={SCHEMA_VERSION}&p=high&tb=hi_80"


def test_scenario_bad_preset_exits_2(capsys):
    assert cli.main(["scenario", "--preset", "nope"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "wef2023" in err and "Traceback" not in err


@pytest.fixture(scope="module")
def wef_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "wef.csv"
    assert cli.main(["project", "--scenario", "wef2023", "--horizon", "5", "--output", str(path)]) == 0
    return pd.read_csv(path)


def test_project_csv_schema_and_wef_arithmetic(wef_csv):
    df = wef_csv
    assert list(df.columns) == ["role", "industry", "year", "mean", "lo_80", "hi_80", "lo_95",
                                "hi_95", "scenario", "growth_source", "flag"]
    src = df.groupby("role")["growth_source"].first()
    assert src["ml_engineer"].startswith("15-1252") and "software_engineer" in src["ml_engineer"]
    flags = df.groupby("role")["flag"].first().fillna("")
    assert flags["nlp_scientist"] == "small base" and (flags.drop("nlp_scientist") == "").all()
    assert sorted(df.year.unique()) == list(range(2025, 2031))
    assert len(df) == len(catalog.ROLE_IDS) * len(catalog.INDUSTRY_IDS) * 6
    ai = df[df.role.isin(catalog.AI_ML_SPECIALIST_ROLES)].groupby("year")["mean"].sum()
    assert ai.loc[2030] / ai.loc[2025] == pytest.approx(1.40, rel=1e-9)
    assert (df.lo_95 <= df.lo_80).all() and (df.hi_80 <= df.hi_95).all()
    assert set(df.scenario) == {"WEF 2023 (assumption)"}
    # bands are model uncertainty: WEF's roles are a point path, the others keep the model band
    wef = df[df.role.isin(catalog.AI_ML_SPECIALIST_ROLES)]
    for col in ("lo_80", "hi_80", "lo_95", "hi_95"):
        assert (wef[col] == wef["mean"]).all(), col
    ds = df[(df.role == "data_scientist") & (df.year == df.year.max())]
    assert (ds.hi_95 > ds["mean"]).all() and (ds.lo_95 < ds["mean"]).all()


def test_project_help_says_what_the_interval_columns_mean(capsys):
    with pytest.raises(SystemExit):
        cli.main(["project", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "MODEL uncertainty" in text and "interval columns equal mean" in text


def test_project_default_is_baseline_and_json_file_works(tmp_path, capsys):
    out = tmp_path / "b.csv"
    assert cli.main(["project", "--output", str(out), "--horizon", "3"]) == 0
    base = pd.read_csv(out)
    assert set(base.scenario) == {"Statistical baseline"} and base.year.max() == 2028
    spec = tmp_path / "s.json"
    spec.write_text(presets.preset("baseline").with_changes(name="Mine", horizon_years=3).to_json())
    out2 = tmp_path / "c.csv"
    assert cli.main(["project", "--scenario", str(spec), "--output", str(out2)]) == 0
    mine = pd.read_csv(out2)
    assert set(mine.scenario) == {"Mine"}
    pd.testing.assert_series_equal(mine["mean"], base["mean"])


def test_project_user_errors_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"horizon_years": 40, "role_growth": {"quant": 1}}))
    assert cli.main(["project", "--scenario", str(bad), "-o", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err and "horizon_years: 40" in err and "unknown role 'quant'" in err
    assert cli.main(["project", "--scenario", "zzz", "-o", str(tmp_path / "x.csv")]) == 2
    assert cli.main(["project", "--horizon", "11", "-o", str(tmp_path / "x.csv")]) == 2
    assert not (tmp_path / "x.csv").exists()


def test_scenario_compare_table_csv_and_text(tmp_path, capsys):
    out = tmp_path / "cmp.csv"
    assert cli.main(["scenario", "--compare", "baseline", "wef2023", "bls2034", "--horizon", "10",
                     "--output", str(out)]) == 0
    t = pd.read_csv(out)
    assert list(t.columns) == analysis.TABLE_COLUMNS
    assert set(t.scenario) == {"Statistical baseline", "WEF 2023 (assumption)", "BLS 2024-34"}
    assert (t.year_n - t.year_0 == 10).all()
    row = t.set_index(["scenario", "role"])
    assert row.loc[("WEF 2023 (assumption)", "ai_ml_specialists"), "growth_5y_pct"] == \
        pytest.approx(40.0, rel=1e-9)
    for r in catalog.ROLE_IDS:  # BLS's own rate beside each role, and the BLS preset on it
        assert row.loc[("BLS 2024-34", r), "cagr_pct"] == pytest.approx(
            row.loc[("BLS 2024-34", r), "bls_cagr_pct"], rel=1e-9)
    base = row.loc[("Statistical baseline", "data_scientist")]
    wef = row.loc[("WEF 2023 (assumption)", "data_scientist")]
    assert wef.jobs_year_n == pytest.approx(base.jobs_year_n, rel=1e-12)  # outside WEF's scope
    # the text form names the group it sums; a 5-scenario request is a user error
    assert cli.main(["scenario", "--compare", "wef2023", "--horizon", "5"]) == 0
    text = capsys.readouterr().out
    assert "ai_ml_specialists*" in text and "excl. small-base NLP scientist" in text
    assert cli.main(["scenario", "--compare", *["baseline"] * 5]) == 2
    assert "1 to 4" in capsys.readouterr().err


def test_project_by_occupation_roles_sum_to_their_occupation(tmp_path, capsys):
    occ_path, cell_path = tmp_path / "occ.csv", tmp_path / "cells.csv"
    assert cli.main(["project", "--by", "occupation", "--horizon", "10", "--output",
                     str(occ_path)]) == 0
    assert cli.main(["project", "--horizon", "10", "--output", str(cell_path)]) == 0
    occ = pd.read_csv(occ_path, dtype={"soc": str})
    cells = pd.read_csv(cell_path)
    assert list(occ.columns) == ["soc", "soc_title", "year", "mean", "lo_80", "hi_80", "lo_95",
                                 "hi_95", "roles"]
    assert sorted(occ["year"].unique()) == list(range(2025, 2036))
    roles = cells.groupby(["role", "year"])["mean"].sum()
    for soc, members in (("15-1252", ["ml_engineer", "software_engineer"]),
                         ("15-1221", ["nlp_scientist", "ml_scientist"]),
                         ("15-2051", ["data_scientist"]), ("15-1243", ["bi_developer"])):
        o = occ[occ["soc"] == soc].set_index("year")["mean"]
        assert set(occ.loc[occ["soc"] == soc, "roles"].iloc[0].split(", ")) == set(members)
        for year in (2025, 2030, 2035):
            total = sum(roles[(r, year)] for r in members)
            assert total == pytest.approx(o[year], rel=1e-3)  # the 0.1%
    # ML product managers are a fraction of 11-3021, not all of it
    o = occ[occ["soc"] == "11-3021"].set_index("year")["mean"]
    assert roles[("ml_product_manager", 2025)] < 0.1 * o[2025]
    assert cli.main(["project", "--by", "occupation", "--scenario", "wef2023", "--output",
                     str(tmp_path / "x.csv")]) == 2
    assert "statistical baseline only" in capsys.readouterr().err
