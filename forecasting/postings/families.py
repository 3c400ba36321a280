"""The model families by name: the names a user may ask for, their classes, the name check."""

from __future__ import annotations

from forecasting.core.errors import UserInputError
from forecasting.postings.base import Model
from forecasting.postings.ensemble import ENSEMBLE_MIN_LENGTH
from forecasting.postings.ets import ETS
from forecasting.postings.simple import Drift, Naive, SeasonalNaive
from forecasting.postings.statespace import ARIMA, UC
from forecasting.postings.theta import Theta

#: every model a forecast can ask for ("auto" picks one per series, "ensemble" is composed)
MODEL_NAMES = ("auto", "ensemble", "ets", "theta", "arima", "uc", "naive", "snaive", "drift")
#: the fitted families (the ensemble and auto are the engine's)
MODELS: dict[str, type[Model]] = {c.alias: c for c in (ETS, Theta, ARIMA, UC, Naive,
                                                          SeasonalNaive, Drift)}


def check_model(name: str) -> str:
    """``name`` if it is one of MODEL_NAMES, else a UserInputError listing them."""
    if name not in MODEL_NAMES:
        raise UserInputError(f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}")
    return name


def min_length(name: str) -> int:
    """Fewest points the family ``name`` is fitted on (shorter series fall back)."""
    return ENSEMBLE_MIN_LENGTH if name == "ensemble" else MODELS[name].min_length
