"""Panel backtest: the baseline rows recomputed with pandas straight from the shipped OEWS files,
the model row honest (fitted before the holdout year) and meeting issue #9's bar, bad setups refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting import data, headcount, headcount_backtest as hb
from forecasting.errors import UserInputError

RAW = Path(data.DATA_DIR) / "raw" / "bls_oews"


@pytest.fixture(scope="module")
def raw_panel() -> tuple[pd.DataFrame, pd.DataFrame]:
    """tot_emp and EMP_PRSE (year columns) of every detailed occupation, read with pandas."""
    emp, prse = {}, {}
    for year in range(2021, 2026):
        d = pd.read_excel(RAW / f"national_M{year}_dl.xlsx", engine="calamine", dtype={"OCC_CODE": str})
        d = d[d["O_GROUP"] == "detailed"].set_index("OCC_CODE")
        emp[year] = pd.to_numeric(d["TOT_EMP"], errors="coerce")
        prse[year] = pd.to_numeric(d["EMP_PRSE"], errors="coerce")
    return pd.DataFrame(emp), pd.DataFrame(prse)


def _direct(emp: pd.DataFrame, holdout: int, horizon: int) -> pd.DataFrame:
    origin = holdout - horizon
    y = np.log(emp)
    actual = y[holdout] - y[origin]
    k = min(3, origin - 2021)
    preds = {"zero": 0.0, "last": horizon * (y[origin] - y[origin - 1]),
             "mean3": horizon * (y[origin] - y[origin - k]) / k}
    w = emp[origin]
    rows = []
    for m, p in preds.items():
        err = (actual - p).abs()
        rows.append({"method": m, "n_occupations": len(emp), "mae": err.mean(),
                     "mae_weighted": (err * w).sum() / w.sum()})
    return pd.DataFrame(rows).set_index("method")


@pytest.mark.parametrize("holdout,horizon", [(2025, 1), (2025, 2), (2024, 1)])
def test_baseline_rows_equal_direct_pandas(raw_panel, holdout, horizon):
    emp, prse = raw_panel
    years = list(range(2021, holdout + 1))
    emp, prse = emp[years], prse[years]
    emp = emp[emp.notna().all(axis=1) & (emp > 0).all(axis=1) & prse.notna().all(axis=1)]
    table = hb.backtest(holdout, horizon).set_index("method")
    assert list(table.index) == list(hb.METHODS)
    assert list(hb.backtest(holdout, horizon).columns) == hb.COLUMNS
    direct = _direct(emp, holdout, horizon)
    for m in hb.BASELINES:
        assert table.loc[m, "n_occupations"] == direct.loc[m, "n_occupations"]
        assert table.loc[m, "mae"] == pytest.approx(direct.loc[m, "mae"], rel=1e-9)
        assert table.loc[m, "mae_weighted"] == pytest.approx(direct.loc[m, "mae_weighted"], rel=1e-9)
        assert np.isnan(table.loc[m, "coverage_80"]) and np.isnan(table.loc[m, "coverage_95"])


def test_design_figures_for_the_baselines():
    """DESIGN.md 4b measured these on the 829 occupations (1 year ahead, 2025)."""
    t = hb.backtest(2025, 1).set_index("method")
    assert t.loc["zero", "n_occupations"] == 829
    assert t.loc["zero", ["mae", "mae_weighted"]].round(4).tolist() == [0.0640, 0.0343]
    assert t.loc["last", ["mae", "mae_weighted"]].round(4).tolist() == [0.0872, 0.0315]


def test_model_beats_zero_growth_with_calibrated_intervals():
    """Issue #9's bar on the 1-year 2025 holdout: lower MAE than zero growth (plain and
    weighted), coverage of the 80% and 95% intervals within 5 points of nominal."""
    t = hb.backtest(2025, 1).set_index("method")
    m = t.loc[headcount.MODEL_NAME]
    assert m["mae"] < t.loc["zero", "mae"] and m["mae_weighted"] < t.loc["zero", "mae_weighted"]
    assert abs(m["coverage_80"] - 0.80) <= 0.05 and abs(m["coverage_95"] - 0.95) <= 0.05


def test_model_is_fitted_only_on_years_before_the_holdout():
    pred = hb.predictions(2025, 2)
    model = pred[pred["method"] == headcount.MODEL_NAME]
    fit = headcount.growth_fit(last_year=2023)
    assert fit.years == (2021, 2023)
    idx = fit.index_of(model["soc"].tolist())
    assert np.allclose(model["predicted"], 2 * fit.g_mean[idx])
    assert (model["origin_year"] == 2023).all() and (model["holdout_year"] == 2025).all()
    bands = model[["lo_95", "lo_80", "hi_80", "hi_95"]].to_numpy()
    assert (np.diff(bands, axis=1) > 0).all()
    assert pred.loc[pred["method"] != headcount.MODEL_NAME, "lo_80"].isna().all()


def test_catalog_occupations_are_flagged():
    pred = hb.predictions(2025, 1)
    flagged = set(pred.loc[pred["in_catalog"], "soc"])
    assert flagged == hb.highlighted_socs() & set(pred["soc"])
    assert {"15-2051", "15-1252", "15-1221", "15-1243", "11-3021"} <= flagged
    assert pred["soc_title"].notna().all()


@pytest.mark.parametrize("holdout,horizon,match", [
    (2023, 1, "holdout year must be from 2024"), (2024, 2, "holdout year must be 2025 for a 2-year"),
    (2026, 1, "holdout year"), (2025, 3, "horizon must be"), (2025, 0, "horizon must be"),
    ("2025", 1, "must be an integer"), (2025, 1.0, "must be an integer"), (True, 1, "integer"),
])
def test_bad_setups_are_refused(holdout, horizon, match):
    """Types are checked before any file is read; a single allowed year reads 'must be 2025'."""
    with pytest.raises(UserInputError, match=match):
        hb.backtest(holdout, horizon)


def test_score_refuses_partial_intervals():
    pred = hb.predictions(2025, 1)
    model = pred["method"] == headcount.MODEL_NAME
    pred.loc[pred.index[model][0], "lo_80"] = np.nan
    with pytest.raises(ValueError, match="intervals missing"):
        hb.score(pred)
