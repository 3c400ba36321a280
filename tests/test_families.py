"""forecasting.postings.families and ensemble: the one model-name check, and the ensemble the
engine composes from its members."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.cli.common import horizon_help
from forecasting.core.errors import UserInputError
from forecasting.postings import ensemble, families
from forecasting.postings.base import RawForecast
from forecasting.postings.inputs.rules import MAX_HORIZON


def test_check_model_accepts_every_name_and_refuses_others_listing_them():
    assert all(families.check_model(m) == m for m in families.MODEL_NAMES)
    with pytest.raises(UserInputError, match=r"^unknown model 'prophet'; choose one of auto, "
                                             r"ensemble, ets, theta, arima, uc, naive, snaive, drift$"):
        families.check_model("prophet")


def test_min_length_of_the_composed_ensemble_and_the_fitted_families():
    assert families.min_length("ensemble") == ensemble.ENSEMBLE_MIN_LENGTH == 8
    assert families.min_length("uc") == 10 and families.min_length("drift") == 2
    assert set(families.MODELS) == set(families.MODEL_NAMES) - {"auto", "ensemble"}


def test_combine_leaves_out_members_that_fell_back_unless_all_did():
    a = RawForecast(np.array([1.0, 2.0]), np.array([1.0, 1.0]), "ets(A,N,N)")
    b = RawForecast(np.array([3.0, 4.0]), np.array([3.0, 5.0]), "arima(1,1,0)")
    c = RawForecast(np.array([9.0, 9.0]), np.array([9.0, 9.0]), "uc->drift (series too short)")
    r = ensemble.combine([a, b, c])
    assert r.label == "ensemble(ets(A,N,N)+arima(1,1,0))"
    assert np.allclose(r.mean, [2.0, 3.0]) and np.allclose(r.sigma, [2.0, 3.0])
    only = ensemble.combine([c])
    assert only.label == "ensemble(uc->drift (series too short))" and np.allclose(only.mean, 9.0)


def test_cli_horizon_help_is_built_from_the_one_limit():
    assert MAX_HORIZON == 120
    assert horizon_help("steps ahead") == "steps ahead (1..120)"
