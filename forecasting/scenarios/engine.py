"""Scenario assumptions, presets and the engine that applies them to the cached baseline.

Why this shape: fitting is slow and assumptions change on every slider move, so the engine never
refits. It takes the headcount baseline (``role, industry, year, mean, lo_80, hi_80, lo_95, hi_95``)
once, turns it into arrays, and re-grows the levels with the user's growth rates in plain numpy.
Every number here is either read from data (baseline, BLS EP) or is a labelled assumption
(WEF 2023 as quoted in the seed article).

Growth arithmetic, per role x industry cell and year t after the start year::

    g = (1 - w) * model_trend + w * anchor[role] + industry_adjustment[industry]   (rates per year)
    level[t] = level[t-1] * (1 + g * saturation) * (1 + shock if t == shock_year)  then capped

An anchor holds for ``anchor_years`` from the start year (WEF: 5, BLS: 10; None = the whole
horizon); after that the role follows the baseline's own growth again, unless ``extend_anchor``
keeps the anchor's rate. ``saturation`` is the logistic factor ``1 - role_total/cap`` (only when a
cap is set, only damping growth, and the role total is clipped to the cap).

Bands mean model uncertainty. A cell that follows the model keeps the baseline's relative band
widths; a role anchored with blend weight w keeps the model band scaled by (1 - w) in log terms,
so an anchored path (w = 1: WEF, BLS, user-set growth) is a point path, its interval columns equal
to its mean. High and Low, which ARE the baseline's 80% bounds, are point paths too.
"""

from __future__ import annotations

import json
import math
import unicodedata
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from forecasting.core import catalog
from forecasting.core.errors import UserInputError

#: 2: ``anchor_years`` and ``extend_anchor``. A version-1 document has neither; it reads as
#: anchor_years None (the anchor over the whole horizon), which is what version 1 computed.
SCHEMA_VERSION = 2
#: Start years run from the latest OEWS year (read from the data) to this many years later.
START_YEAR_SPAN = 5
HORIZON_RANGE = (1, 10)
GROWTH_MODES = ("per_year", "total")
TREND_BANDS = ("mean", "hi_80", "lo_80")
NAME_MAX_CHARS = 80
AI_ML_GROUP = "ai_ml_specialists"
ALL = "all"

# ASSUMPTION (labelled): World Economic Forum, Future of Jobs Report 2023, as quoted in the seed
# article: AI & machine-learning specialist jobs +40% over 5 years (2023-27), "about 1 million
# jobs" worldwide. A global count: never set against US jobs (no shipped file gives a US share).
WEF_GROWTH_TOTAL_PCT = 40.0
WEF_YEARS = 5
WEF_PERIOD = (2023, 2027)
WEF_CAGR_PCT = ((1 + WEF_GROWTH_TOTAL_PCT / 100) ** (1 / WEF_YEARS) - 1) * 100  # 6.961...
BLS_EP_YEARS = 10  # BLS Employment Projections 2024-34
BLS_EP_PERIOD = (2024, 2034)


@lru_cache(maxsize=4)
def _latest_year_cached(key: str) -> int:
    from forecasting.sources import loaders as data
    return int(data.load_oews_national()["year"].max())


def latest_data_year() -> int:
    """The latest OEWS year in the shipped data (May estimates): the baseline starts there."""
    from forecasting.sources import loaders as data
    return _latest_year_cached(data.data_hash())


def start_year_range() -> tuple[int, int]:
    """Allowed start years: the latest OEWS year to START_YEAR_SPAN years later."""
    first = latest_data_year()
    return first, first + START_YEAR_SPAN


def baseline_horizon(a: Assumptions, minimum: int = 10) -> int:
    """Years of baseline a scenario needs (the projection command's baseline length)."""
    return max(minimum, a.end_year - latest_data_year())

# Ranges per field (inclusive); the messages quote them.
ROLE_GROWTH_RANGE = {"per_year": (-50.0, 100.0), "total": (-90.0, 1000.0)}
INDUSTRY_GROWTH_RANGE = {"per_year": (-20.0, 20.0), "total": (-70.0, 500.0)}
CAP_RANGE = (1.0, 1e8)
SHOCK_PCT_RANGE = (-50.0, 200.0)
WAGE_RANGE = (-10.0, 30.0)

# Short URL codes: links stay readable and short.
ROLE_CODES = {"ml_engineer": "mle", "data_scientist": "ds", "nlp_scientist": "nlp",
              "bi_developer": "bi", "software_engineer": "swe", "ml_scientist": "mls",
              "ml_product_manager": "mlpm"}
INDUSTRY_CODES = {"fintech": "fin", "healthtech": "hlt", "automotive": "aut",
                  "manufacturing_other": "mfg", "information": "inf",
                  "professional_services": "pro", "other": "oth"}
_ROLE_BY_CODE = {v: k for k, v in ROLE_CODES.items()}
_INDUSTRY_BY_CODE = {v: k for k, v in INDUSTRY_CODES.items()}
assert set(ROLE_CODES) == set(catalog.ROLE_IDS) and set(INDUSTRY_CODES) == set(catalog.INDUSTRY_IDS)


# --------------------------------------------------------------------------- validation helpers
def _as_int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{what}: expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{what}: expected a whole number, got {value!r}")


def _as_bool(value: Any, what: str) -> bool:
    """True/False, or their link spellings ("1"/"0", "true"/"false")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("1", "0", "true", "false"):
        return value.strip().lower() in ("1", "true")
    raise ValueError(f"{what}: expected true or false, got {value!r}")


def _as_float(value: Any, what: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{what}: expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        try:
            out = float(value)
        except OverflowError:  # a JSON integer with hundreds of digits
            raise ValueError(f"{what}: must be a finite number, got a {len(str(value))}-digit "
                             "integer") from None
    elif isinstance(value, str):
        try:
            out = float(value.strip())
        except ValueError:
            raise ValueError(f"{what}: expected a number, got {value!r}") from None
    else:
        raise ValueError(f"{what}: expected a number, got {type(value).__name__}")
    if not math.isfinite(out):
        raise ValueError(f"{what}: must be a finite number, got {value!r}")
    return out


def _in_range(x: float, lo: float, hi: float, what: str) -> float:
    if not lo <= x <= hi:
        shown = f"{x:g}" if abs(x) < 1e300 else "a number with hundreds of digits"  # :g overflows
        raise ValueError(f"{what}: {shown} is outside the allowed range {lo:g} to {hi:g}")
    return x


def _choice(value: Any, options: Sequence[str], what: str) -> str:
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{what}: {value!r} is not one of {', '.join(options)}")
    return value


def _clean_name(value: Any, what: str) -> str:
    """Names are plain text: no control characters, bounded length (escaping is the UI's job)."""
    if not isinstance(value, str):
        raise ValueError(f"{what}: expected text, got {type(value).__name__}")
    if len(value) > NAME_MAX_CHARS:
        raise ValueError(f"{what}: longer than {NAME_MAX_CHARS} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise ValueError(f"{what}: contains control characters")
    return value


def _pairs(value: Any, valid: Sequence[str], kind: str, what: str, check) -> tuple[tuple[str, float], ...]:
    """Normalise a mapping or pair list to a tuple of (id, value) in catalog order."""
    if value is None:
        return ()
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, (list, tuple)):
        try:
            items = [(k, v) for k, v in value]
        except (TypeError, ValueError):
            raise ValueError(f"{what}: expected a mapping of {kind} to number") from None
    else:
        raise ValueError(f"{what}: expected a mapping of {kind} to number, got {type(value).__name__}")
    out: dict[str, float] = {}
    for key, val in items:
        if key not in valid:
            plural = "industries" if kind == "industry" else f"{kind}s"
            raise ValueError(f"{what}: unknown {kind} {key!r}; valid {plural}: {', '.join(valid)}")
        out[key] = check(_as_float(val, f"{what}[{key}]"), f"{what}[{key}]")
    return tuple((k, out[k]) for k in valid if k in out)


# --------------------------------------------------------------------------- Assumptions
@dataclass(frozen=True)
class Assumptions:
    """Everything a scenario changes, hashable and versioned; validated on construction.

    Growth values are in percent, interpreted per ``growth_mode``: ``per_year`` (% per year) or
    ``total`` (% over the whole horizon). Role growth is the anchor blended with the model trend
    by ``blend_weight``; industry growth is added on top in percentage points per year.
    """

    preset: str = "baseline"
    name: str = ""
    #: Default: the latest OEWS year in the data (where the baseline starts).
    start_year: int = field(default_factory=latest_data_year)
    horizon_years: int = 5
    growth_mode: str = "per_year"
    blend_weight: float = 0.0
    #: Which baseline path is the "data trend": its mean or its 80% bounds (High/Low presets).
    trend_band: str = "mean"
    role_growth: tuple[tuple[str, float], ...] = ()
    industry_growth: tuple[tuple[str, float], ...] = ()
    #: Logistic ceiling per role, in headcount.
    role_cap: tuple[tuple[str, float], ...] = ()
    shock_year: int | None = None
    shock_pct: float = 0.0
    #: None means "use the data default" (Indeed US posted-wage growth, see salaries.py).
    wage_growth_pct_per_year: float | None = None
    #: Automotive share of manufacturing (0..1); None keeps the documented data rule.
    automotive_share: float | None = None
    #: Years from the start year during which ``role_growth`` applies (an outside anchor's own
    #: period: WEF 5, BLS 10); None = the whole horizon. Afterwards the baseline's growth.
    anchor_years: int | None = None
    #: True keeps the anchor's rate after ``anchor_years`` instead of the baseline's growth.
    extend_anchor: bool = False
    version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        normalised, errors = _validate_fields({f.name: getattr(self, f.name) for f in fields(self)})
        if errors:
            raise UserInputError("invalid assumptions: " + "; ".join(errors))
        for key, val in normalised.items():
            object.__setattr__(self, key, val)

    # convenient views
    @property
    def role_growth_map(self) -> dict[str, float]:
        return dict(self.role_growth)

    @property
    def industry_growth_map(self) -> dict[str, float]:
        return dict(self.industry_growth)

    @property
    def role_cap_map(self) -> dict[str, float]:
        return dict(self.role_cap)

    @property
    def end_year(self) -> int:
        return self.start_year + self.horizon_years

    @property
    def anchor_window(self) -> int:
        """Years over which a role's "total" growth is spread: the anchor's period within the
        horizon (the anchor's rate is the same whether or not it is extended afterwards)."""
        if self.anchor_years is None:
            return self.horizon_years
        return min(self.anchor_years, self.horizon_years)

    def anchored_years(self) -> int:
        """Projection years (from the start) that use the role anchors."""
        return self.horizon_years if self.extend_anchor else self.anchor_window

    @property
    def label(self) -> str:
        """Display name (plain text; escape before using as HTML/markdown)."""
        return self.name or PRESETS.get(self.preset, PRESETS["baseline"]).title

    def with_changes(self, **changes: Any) -> Assumptions:
        return replace(self, **changes)

    def aligned(self, start_year: int, horizon_years: int) -> Assumptions:
        """Same scenario over another window (for side-by-side comparison); a shock that falls
        outside the new window is dropped."""
        shock = self.shock_year
        if shock is not None and not start_year < shock <= start_year + horizon_years:
            shock = None
        return replace(self, start_year=start_year, horizon_years=horizon_years, shock_year=shock)

    def in_mode(self, mode: str) -> Assumptions:
        """The same growth expressed in the other mode (per year <-> total over the horizon).
        Values that leave the allowed range after conversion are clipped to it."""
        if mode == self.growth_mode:
            return self
        _choice(mode, GROWTH_MODES, "growth_mode")

        def conv(value: float, ranges: dict[str, tuple[float, float]], h: int) -> float:
            rate = per_year_rate(value, self.growth_mode, h)
            out = rate * 100 if mode == "per_year" else ((1 + rate) ** h - 1) * 100
            lo, hi = ranges[mode]
            return min(max(out, lo), hi)

        return replace(self, growth_mode=mode,
                       role_growth=tuple((k, conv(v, ROLE_GROWTH_RANGE, self.anchor_window))
                                         for k, v in self.role_growth),
                       industry_growth=tuple((k, conv(v, INDUSTRY_GROWTH_RANGE, self.horizon_years))
                                             for k, v in self.industry_growth))

    # --- serialisation
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("role_growth", "industry_growth", "role_cap"):
            d[key] = dict(getattr(self, key))
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Assumptions:
        """Strict: any bad or unknown field raises one UserInputError naming all of them."""
        if not isinstance(data, Mapping):
            raise UserInputError(f"assumptions must be a JSON object, got {type(data).__name__}")
        unknown = sorted(set(data) - _FIELD_NAMES)
        _check_version(data.get("version", SCHEMA_VERSION))
        normalised, errors = _validate_fields({**_defaults(), **data})
        if unknown:
            errors.insert(0, f"unknown field(s) {', '.join(map(repr, unknown))}; valid fields: "
                             f"{', '.join(sorted(_FIELD_NAMES))}")
        if errors:
            raise UserInputError("invalid assumptions: " + "; ".join(errors))
        # read = migrated: an older document's missing fields took the defaults that reproduce
        # what it computed, so the value is a current-version value
        normalised["version"] = SCHEMA_VERSION
        return cls(**normalised)

    @classmethod
    def from_json(cls, text: str) -> Assumptions:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserInputError(f"assumptions JSON is not valid JSON: line {exc.lineno} column "
                                 f"{exc.colno}: {exc.msg}") from None
        except (ValueError, RecursionError) as exc:  # >4300-digit integers, deep nesting
            raise UserInputError(f"assumptions JSON cannot be read: {str(exc)[:200]}") from None
        return cls.from_dict(data)

    def to_query_params(self) -> dict[str, str]:
        """Flat, short keys; only fields that differ from the defaults (plus version)."""
        q: dict[str, str] = {"v": str(self.version)}
        d = _defaults()
        if self.preset != d["preset"]:
            q["p"] = self.preset
        if self.name:
            q["n"] = self.name
        if self.start_year != d["start_year"]:
            q["sy"] = str(self.start_year)
        if self.horizon_years != d["horizon_years"]:
            q["h"] = str(self.horizon_years)
        if self.growth_mode != d["growth_mode"]:
            q["m"] = "t" if self.growth_mode == "total" else "y"
        if self.blend_weight != d["blend_weight"]:
            q["w"] = repr(self.blend_weight)
        if self.trend_band != d["trend_band"]:
            q["tb"] = self.trend_band
        for role_id, val in self.role_growth:
            q[f"g.{ROLE_CODES[role_id]}"] = repr(val)
        for ind_id, val in self.industry_growth:
            q[f"i.{INDUSTRY_CODES[ind_id]}"] = repr(val)
        for role_id, val in self.role_cap:
            q[f"c.{ROLE_CODES[role_id]}"] = repr(val)
        if self.shock_year is not None:
            q["sky"] = str(self.shock_year)
        if self.shock_pct != d["shock_pct"]:
            q["skp"] = repr(self.shock_pct)
        if self.wage_growth_pct_per_year is not None:
            q["wg"] = repr(self.wage_growth_pct_per_year)
        if self.automotive_share is not None:
            q["as"] = repr(self.automotive_share)
        if self.anchor_years is not None:
            q["ay"] = str(self.anchor_years)
        if self.extend_anchor:
            q["xa"] = "1"
        return q

    @classmethod
    def from_query_params(cls, params: Mapping[str, Any]) -> tuple[Assumptions, list[str]]:
        """Lenient: each bad or unknown field falls back to its default, with a message."""
        messages: list[str] = []
        raw: dict[str, Any] = {}
        roles: dict[str, Any] = {}
        inds: dict[str, Any] = {}
        caps: dict[str, Any] = {}
        for key, value in params.items():
            if isinstance(value, (list, tuple)):
                value = value[-1] if value else ""
            key = str(key)
            prefix, _, code = key.partition(".")
            if key in _SHORT_KEYS:
                raw[_SHORT_KEYS[key]] = value
            elif code and prefix in ("g", "c") and code in _ROLE_BY_CODE:
                (roles if prefix == "g" else caps)[_ROLE_BY_CODE[code]] = value
            elif code and prefix == "i" and code in _INDUSTRY_BY_CODE:
                inds[_INDUSTRY_BY_CODE[code]] = value
            elif code and prefix in ("g", "c"):
                messages.append(f"link parameter {key!r}: unknown role code {code!r}; valid codes: "
                                f"{', '.join(ROLE_CODES.values())}")
            elif code and prefix == "i":
                messages.append(f"link parameter {key!r}: unknown industry code {code!r}; valid "
                                f"codes: {', '.join(INDUSTRY_CODES.values())}")
            else:
                messages.append(f"link parameter {key!r} is unknown and was ignored")
        if "growth_mode" in raw:
            raw["growth_mode"] = {"t": "total", "y": "per_year"}.get(raw["growth_mode"],
                                                                     raw["growth_mode"])
        if "version" in raw:
            try:
                _check_version(raw["version"])
            except UserInputError as exc:
                messages.append(str(exc) + "; the link was read as far as possible")
            raw.pop("version")
        defaults = _defaults()
        values = dict(defaults)
        for key, val in raw.items():
            single, errs = _validate_fields({**defaults, key: val}, only=(key,))
            if errs:
                messages.extend(f"link: {e}; using the default" for e in errs)
            else:
                values[key] = single[key]
        for key, items in (("role_growth", roles), ("industry_growth", inds), ("role_cap", caps)):
            kept = {}
            for item_id, val in items.items():
                single, errs = _validate_fields({**values, key: {item_id: val}}, only=(key,))
                if errs:
                    messages.extend(f"link: {e}; ignored" for e in errs)
                else:
                    kept[item_id] = dict(single[key])[item_id]
            values[key] = kept
        _, errs = _validate_fields(values)
        if errs:  # cross-field (shock year outside the window)
            messages.extend(f"link: {e}; the shock was dropped" for e in errs)
            values["shock_year"] = None
        # A 10 kB value must not become a 10 kB warning: quote at most the first 300 characters.
        messages = [m if len(m) <= 300 else m[:300] + "… (truncated)" for m in messages]
        return cls(**values), messages


def _check_version(value: Any) -> None:
    try:
        version = _as_int(value, "version")
    except ValueError as exc:
        raise UserInputError(str(exc)) from None
    if version > SCHEMA_VERSION:
        raise UserInputError(f"these assumptions use schema version {version}, newer than this app "
                             f"understands ({SCHEMA_VERSION}); please update the app")
    if version < 1:
        raise UserInputError(f"version: {version} is not a valid schema version")


def _validate_fields(v: dict[str, Any], only: Sequence[str] | None = None
                     ) -> tuple[dict[str, Any], list[str]]:
    """Normalise and check each field; return (normalised values, messages)."""
    out: dict[str, Any] = {}
    errors: list[str] = []
    mode = v.get("growth_mode") if v.get("growth_mode") in GROWTH_MODES else "per_year"

    def check(name: str, fn) -> None:
        if only is not None and name not in only:
            return
        try:
            out[name] = fn(v[name])
        except ValueError as exc:
            errors.append(str(exc))

    check("preset", lambda x: _choice(x, tuple(PRESETS) + ("custom",), "preset"))
    check("name", lambda x: _clean_name(x, "name"))
    check("start_year", lambda x: _in_range(_as_int(x, "start_year"), *start_year_range(),
                                            "start_year"))
    check("horizon_years", lambda x: _in_range(_as_int(x, "horizon_years"), *HORIZON_RANGE,
                                               "horizon_years"))
    check("growth_mode", lambda x: _choice(x, GROWTH_MODES, "growth_mode"))
    check("blend_weight", lambda x: _in_range(_as_float(x, "blend_weight"), 0.0, 1.0, "blend_weight"))
    check("trend_band", lambda x: _choice(x, TREND_BANDS, "trend_band"))
    check("role_growth", lambda x: _pairs(
        x, catalog.ROLE_IDS, "role", f"role_growth ({mode})",
        lambda f, w: _in_range(f, *ROLE_GROWTH_RANGE[mode], w)))
    check("industry_growth", lambda x: _pairs(
        x, catalog.INDUSTRY_IDS, "industry", f"industry_growth ({mode})",
        lambda f, w: _in_range(f, *INDUSTRY_GROWTH_RANGE[mode], w)))
    check("role_cap", lambda x: _pairs(x, catalog.ROLE_IDS, "role", "role_cap (headcount)",
                                       lambda f, w: _in_range(f, *CAP_RANGE, w)))
    check("shock_year", lambda x: None if x is None or x == "" else _as_int(x, "shock_year"))
    check("shock_pct", lambda x: _in_range(_as_float(x, "shock_pct"), *SHOCK_PCT_RANGE, "shock_pct"))
    check("wage_growth_pct_per_year", lambda x: None if x is None or x == "" else _in_range(
        _as_float(x, "wage_growth_pct_per_year"), *WAGE_RANGE, "wage_growth_pct_per_year"))
    check("automotive_share", lambda x: None if x is None or x == "" else _in_range(
        _as_float(x, "automotive_share"), 0.0, 1.0, "automotive_share"))
    check("anchor_years", lambda x: None if x is None or x == "" else _in_range(
        _as_int(x, "anchor_years"), 1, HORIZON_RANGE[1], "anchor_years"))
    check("extend_anchor", lambda x: _as_bool(x, "extend_anchor"))
    check("version", lambda x: _in_range(_as_int(x, "version"), 1, SCHEMA_VERSION, "version"))
    if only is None and not errors and out["shock_year"] is not None:
        lo, hi = out["start_year"] + 1, out["start_year"] + out["horizon_years"]
        if not lo <= out["shock_year"] <= hi:
            errors.append(f"shock_year: {out['shock_year']} is outside the projection years "
                          f"{lo} to {hi}")
    return out, errors


_FIELD_NAMES = frozenset(f.name for f in fields(Assumptions))
_SHORT_KEYS = {"v": "version", "p": "preset", "n": "name", "sy": "start_year", "h": "horizon_years",
               "m": "growth_mode", "w": "blend_weight", "tb": "trend_band", "sky": "shock_year",
               "skp": "shock_pct", "wg": "wage_growth_pct_per_year", "as": "automotive_share",
               "ay": "anchor_years", "xa": "extend_anchor"}
#: Every scalar query-parameter key a share link uses (role/industry/cap keys are prefixed).
LINK_KEYS = frozenset(_SHORT_KEYS)


def _defaults() -> dict[str, Any]:
    """Every field's default (the start year's is read from the data, so it is computed)."""
    return {f.name: f.default_factory() if f.default_factory is not MISSING else f.default
            for f in fields(Assumptions)}


# --------------------------------------------------------------------------- presets
@dataclass(frozen=True)
class PresetInfo:
    preset_id: str
    title: str
    #: True when the numbers are an outside assumption, not a projection from our data.
    is_assumption: bool
    source: str
    description: str


PRESETS: dict[str, PresetInfo] = {
    "baseline": PresetInfo(
        "baseline", "Statistical baseline", False,
        "Our headcount baseline: BLS OEWS May levels from 2021 on, trend shrunk across all OEWS "
        "occupations (forecasting/headcount/projection.py).",
        "Models only: each role x industry grows at the validated statistical trend; its 80% and "
        "95% bands are the model's uncertainty."),
    "wef2023": PresetInfo(
        "wef2023", "WEF 2023 (assumption)", True,
        "World Economic Forum, Future of Jobs Report 2023, as quoted in the seed article: AI and "
        f"machine-learning specialists +{WEF_GROWTH_TOTAL_PCT:g}% over {WEF_PERIOD[0]}-"
        f"{WEF_PERIOD[1] % 100:02d}, about 1 million jobs, a GLOBAL count.",
        f"ASSUMPTION: +{WEF_GROWTH_TOTAL_PCT:g}% over {WEF_YEARS} years ({WEF_CAGR_PCT:.2f}% a "
        "year) for the roles WEF counts as AI and ML specialists ("
        + ", ".join(catalog.role(r).label for r in catalog.AI_ML_SPECIALIST_ROLES)
        + f"), applied to the {WEF_YEARS} years from the start year, then the baseline's growth. "
        "Every other role follows the baseline. WEF's period is "
        f"{WEF_PERIOD[0]}-{WEF_PERIOD[1] % 100:02d} and its count is global, so compare rates "
        "(% growth), not jobs: our levels are US only. Anchored paths are point paths (no band)."),
    "bls2034": PresetInfo(
        "bls2034", "BLS 2024-34", False,
        "BLS Employment Projections 2024-34 (data/raw/bls_ep/occupation.xlsx), each role's "
        "catalog occupation (Role.ep_soc).",
        "Each role grows at its occupation's projected 10-year change converted to an annual rate "
        f"(e.g. data scientists +33.5%, software developers +15.8% over {BLS_EP_PERIOD[0]}-"
        f"{BLS_EP_PERIOD[1] % 100:02d}) for {BLS_EP_YEARS} years from the start year, then the "
        "baseline's growth; blend weight 1, so a point path (no band)."),
    "high": PresetInfo(
        "high", "High adoption", False,
        "Upper bound of the statistical baseline's 80% prediction interval.",
        "Each role x industry follows the baseline's hi_80 path: a line, with no band of its own "
        "(optimistic but data-consistent)."),
    "low": PresetInfo(
        "low", "Low adoption", False,
        "Lower bound of the statistical baseline's 80% prediction interval.",
        "Each role x industry follows the baseline's lo_80 path: a line, with no band of its own "
        "(pessimistic but data-consistent)."),
}
PRESET_IDS: tuple[str, ...] = tuple(PRESETS)


def bls_annual_growth_pct(bls_ep: pd.DataFrame | None = None) -> dict[str, float]:
    """Role -> % per year from BLS EP 2024-34 ``change_pct`` of the role's ``ep_soc``."""
    if bls_ep is None:
        from forecasting.sources import loaders as data
        bls_ep = data.load_bls_ep()
    by_soc = bls_ep.set_index("soc")["change_pct"]
    out = {}
    for r in catalog.ROLES:
        if r.ep_soc not in by_soc.index:
            raise UserInputError(f"BLS EP table has no row for SOC {r.ep_soc} (role {r.role_id})")
        change = float(by_soc.loc[r.ep_soc])
        out[r.role_id] = ((1 + change / 100) ** (1 / BLS_EP_YEARS) - 1) * 100
    return out


def preset(name: str, bls_ep: pd.DataFrame | None = None) -> Assumptions:
    """The Assumptions value of a preset (editable afterwards with ``with_changes``)."""
    if name == "baseline":
        return Assumptions(preset="baseline")
    if name == "wef2023":
        # Stored as the CAGR (per year): over its 5 years exactly +40%; after them the roles
        # follow the baseline (``extend_anchor`` keeps WEF's rate instead).
        return Assumptions(preset="wef2023", horizon_years=WEF_YEARS, blend_weight=1.0,
                           anchor_years=WEF_YEARS,
                           role_growth=tuple((r, WEF_CAGR_PCT)
                                             for r in catalog.AI_ML_SPECIALIST_ROLES))
    if name == "bls2034":
        return Assumptions(preset="bls2034", horizon_years=BLS_EP_YEARS, blend_weight=1.0,
                           anchor_years=BLS_EP_YEARS,
                           role_growth=tuple(bls_annual_growth_pct(bls_ep).items()))
    if name in ("high", "low"):
        return Assumptions(preset=name, trend_band="hi_80" if name == "high" else "lo_80")
    raise UserInputError(f"unknown preset {name!r}; valid presets: {', '.join(PRESET_IDS)}")


def per_year_rate(value_pct: float, mode: str, horizon_years: int) -> float:
    """A growth value in the stored mode as a rate per year (0.05 = 5%/yr)."""
    if mode == "per_year":
        return value_pct / 100
    return (1 + value_pct / 100) ** (1 / horizon_years) - 1


# --------------------------------------------------------------------------- engine
_BANDS = ("lo_95", "lo_80", "mean", "hi_80", "hi_95")


@dataclass(frozen=True)
class PreparedBaseline:
    """The baseline as arrays [cell, year]; build once per baseline, reuse for every slider move."""

    roles: np.ndarray  # role id per cell
    industries: np.ndarray
    years: np.ndarray
    bands: dict[str, np.ndarray] = field(repr=False)

    @property
    def first_year(self) -> int:
        return int(self.years[0])


_PREPARED: dict[int, tuple[weakref.ref, PreparedBaseline]] = {}


def prepare(baseline: pd.DataFrame | PreparedBaseline) -> PreparedBaseline:
    """Arrays of a baseline frame, memoised per frame object (frames are treated as immutable)."""
    if isinstance(baseline, PreparedBaseline):
        return baseline
    hit = _PREPARED.get(id(baseline))
    if hit is not None and hit[0]() is baseline:
        return hit[1]
    prepared = _prepare(baseline)
    if len(_PREPARED) > 8:
        _PREPARED.clear()
    _PREPARED[id(baseline)] = (weakref.ref(baseline), prepared)
    return prepared


def _prepare(baseline: pd.DataFrame) -> PreparedBaseline:
    need = ["role", "industry", "year", *_BANDS]
    missing = [c for c in need if c not in baseline.columns]
    if missing:
        raise UserInputError(f"baseline frame lacks column(s) {', '.join(missing)}")
    df = baseline[need].sort_values(["role", "industry", "year"])
    years = np.sort(df["year"].unique()).astype(int)
    cells = df[["role", "industry"]].drop_duplicates()
    if len(df) != len(cells) * len(years):
        raise UserInputError("baseline frame must have every role x industry cell for every year")
    shape = (len(cells), len(years))
    bands = {}
    for b in _BANDS:
        arr = df[b].to_numpy(dtype=float).reshape(shape)
        bands[b] = np.nan_to_num(np.clip(arr, 0, None), nan=0.0, posinf=0.0)
    return PreparedBaseline(cells["role"].to_numpy(), cells["industry"].to_numpy(), years, bands)


def _extend(prep: PreparedBaseline, end_year: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Years up to ``end_year``. Beyond the baseline's last year each cell's log growth continues
    from its last year's value, decaying at the ratio of its last two years' growth (clipped to
    0..1): a constant trend stays constant, a damped trend keeps damping at its own rate. Band
    log-widths grow with sqrt(h), as a random walk's would."""
    years = prep.years
    if end_year <= years[-1]:
        keep = years <= end_year
        return years[keep], {b: a[:, keep] for b, a in prep.bands.items()}
    extra = np.arange(years[-1] + 1, end_year + 1)
    mean = prep.bands["mean"]
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(mean)
        d_last = logs[:, -1] - logs[:, -2] if len(years) > 1 else np.zeros(len(mean))
        d_prev = logs[:, -2] - logs[:, -3] if len(years) > 2 else d_last
        decay = np.where(np.abs(d_prev) > 1e-12, np.clip(d_last / d_prev, 0.0, 1.0), 1.0)
    d_last = np.nan_to_num(d_last, nan=0.0, posinf=0.0, neginf=0.0)
    decay = np.nan_to_num(decay, nan=1.0)
    k = np.arange(1, len(extra) + 1)
    cum = np.cumsum(d_last[:, None] * decay[:, None] ** k, axis=1)  # log change from last year
    new_mean = mean[:, -1:] * np.exp(cum)
    h_last = max(len(years) - 1, 1)
    scale = np.sqrt((h_last + k) / h_last)
    out = {"mean": np.hstack([mean, new_mean])}
    with np.errstate(divide="ignore", invalid="ignore"):
        for b in ("lo_95", "lo_80", "hi_80", "hi_95"):
            ratio = np.nan_to_num(prep.bands[b][:, -1] / mean[:, -1], nan=1.0, posinf=1.0)
            logw = np.log(np.clip(ratio, 1e-6, None))[:, None] * scale
            out[b] = np.hstack([prep.bands[b], new_mean * np.exp(logw)])
    return np.concatenate([years, extra]), out


def _automotive_split(prep_ind: np.ndarray, roles: np.ndarray, arrays: dict[str, np.ndarray],
                      share: float) -> dict[str, np.ndarray]:
    """Re-split manufacturing between automotive and the rest; role totals do not change."""
    out = {b: a.copy() for b, a in arrays.items()}
    for r in np.unique(roles):
        auto = np.flatnonzero((roles == r) & (prep_ind == "automotive"))
        rest = np.flatnonzero((roles == r) & (prep_ind == "manufacturing_other"))
        if len(auto) != 1 or len(rest) != 1:
            continue
        for b, a in out.items():
            manuf = arrays[b][auto[0]] + arrays[b][rest[0]]
            a[auto[0]] = share * manuf
            a[rest[0]] = (1 - share) * manuf
    return out


def _project(prep: PreparedBaseline, a: Assumptions) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Core arithmetic; returns (years start..end, band arrays [cell, year])."""
    if a.start_year < prep.first_year:
        raise UserInputError(f"start_year {a.start_year} is before the baseline's first year "
                             f"{prep.first_year}")
    years, arr = _extend(prep, a.end_year)
    if a.automotive_share is not None:
        arr = _automotive_split(prep.industries, prep.roles, arr, a.automotive_share)
    i0 = int(np.searchsorted(years, a.start_year))
    n_cells, n_steps = len(prep.roles), a.horizon_years
    trend = arr[a.trend_band]
    with np.errstate(divide="ignore", invalid="ignore"):
        model_g = trend[:, i0 + 1:i0 + 1 + n_steps] / trend[:, i0:i0 + n_steps] - 1
        rel = {b: arr[b][:, i0:i0 + 1 + n_steps] / arr["mean"][:, i0:i0 + 1 + n_steps]
               for b in ("lo_95", "lo_80", "hi_80", "hi_95")}
    model_g = np.nan_to_num(model_g, nan=0.0, posinf=0.0, neginf=0.0)
    w = a.blend_weight
    growth_map = a.role_growth_map
    anchor = np.array([per_year_rate(growth_map[r], a.growth_mode, a.anchor_window)
                       if r in growth_map else np.nan for r in prep.roles])
    has_anchor = ~np.isnan(anchor)
    # the anchor holds in its own years; afterwards the role follows the model again
    in_window = (np.arange(1, n_steps + 1) <= a.anchored_years())[None, :]
    g = np.where(has_anchor[:, None] & in_window,
                 (1 - w) * model_g + w * np.nan_to_num(anchor)[:, None], model_g)
    ind_map = a.industry_growth_map
    g = g + np.array([per_year_rate(ind_map.get(i, 0.0), a.growth_mode, a.horizon_years)
                      for i in prep.industries])[:, None]
    g = np.maximum(g, -0.95)

    caps = a.role_cap_map
    role_idx = {r: np.flatnonzero(prep.roles == r) for r in caps}
    level = np.empty((n_cells, n_steps + 1))
    level[:, 0] = arr["mean"][:, i0]
    shock_col = None if a.shock_year is None else a.shock_year - a.start_year
    for t in range(1, n_steps + 1):
        step_g = g[:, t - 1]
        if caps:
            step_g = step_g.copy()
            for r, idx in role_idx.items():
                sat = max(0.0, 1.0 - level[idx, t - 1].sum() / caps[r])
                step_g[idx] = np.where(step_g[idx] > 0, step_g[idx] * sat, step_g[idx])
        level[:, t] = level[:, t - 1] * (1 + step_g)
        if shock_col == t:
            level[:, t] *= 1 + a.shock_pct / 100
        for r, idx in role_idx.items():
            total = level[idx, t].sum()
            if total > caps[r]:
                level[idx, t] *= caps[r] / total
    # Bands are model uncertainty: the model's share of a cell's growth keeps that share of the
    # baseline's relative band (log scale); anchored at weight 1 and High/Low: a point path.
    band_weight = np.where(has_anchor, 1.0 - w, 1.0) if a.trend_band == "mean" \
        else np.zeros(n_cells)
    out = {"mean": level}
    for b, ratio in rel.items():
        ratio = np.nan_to_num(ratio, nan=1.0, posinf=1.0, neginf=1.0)
        ratio = np.clip(ratio, 0, 1) if b.startswith("lo") else np.maximum(ratio, 1)
        out[b] = level * ratio ** band_weight[:, None]
    out["lo_95"] = np.minimum(out["lo_95"], out["lo_80"])
    out["hi_95"] = np.maximum(out["hi_95"], out["hi_80"])
    return years[i0:i0 + 1 + n_steps], out


def apply_scenario(baseline: pd.DataFrame | PreparedBaseline, assumptions: Assumptions
                   ) -> pd.DataFrame:
    """Baseline + assumptions -> ``role, industry, year, mean, lo_80, hi_80, lo_95, hi_95, scenario``.

    One row per role x industry cell and year from ``start_year`` to ``start_year + horizon``
    (cells only; ``reconcile.with_totals`` adds the role and grand totals).
    """
    prep = prepare(baseline)
    years, out = _project(prep, assumptions)
    n_cells, n_years = out["mean"].shape
    frame = pd.DataFrame({
        "role": np.repeat(prep.roles, n_years),
        "industry": np.repeat(prep.industries, n_years),
        "year": np.tile(years.astype(int), n_cells),
        **{b: out[b].ravel() for b in ("mean", "lo_80", "hi_80", "lo_95", "hi_95")},
    })
    frame["scenario"] = assumptions.label
    return frame


def jobs_added_by_cell(projection: pd.DataFrame) -> pd.DataFrame:
    """``role, industry, year_0, year_n, jobs_added``: each cell's level in its last year minus
    its first (people), from an ``apply_scenario`` frame."""
    # plain numpy + dicts: the Demand page calls this on every slider move (pivot_table: ~5 ms)
    yr = projection["year"].to_numpy()
    first, last = int(yr.min()), int(yr.max())
    keys = zip(projection["role"].to_numpy(object), projection["industry"].to_numpy(object))
    start: dict = {}
    end: dict = {}
    for key, y, v in zip(keys, yr, projection["mean"].to_numpy(float)):
        if y == first or y == last:
            acc = start if y == first else end
            acc[key] = acc.get(key, 0.0) + v
    cells = [k for k in end if k in start]
    return pd.DataFrame({"role": [k[0] for k in cells], "industry": [k[1] for k in cells],
                         "year_0": first, "year_n": last,
                         "jobs_added": [end[k] - start[k] for k in cells]})


def _select_value(prep: PreparedBaseline, a: Assumptions, role: str, industry: str, year: int,
                  group_roles: Sequence[str] | None = None) -> float:
    years, out = _project(prep, a)
    mask = _cell_mask(prep, role, industry, group_roles)
    col = int(np.searchsorted(years, year))
    if col >= len(years) or years[col] != year:
        raise UserInputError(f"year {year} is outside the scenario years {years[0]}-{years[-1]}")
    return float(out["mean"][mask, col].sum())


def _group(group_roles: Sequence[str] | None) -> tuple[str, ...]:
    return catalog.AI_ML_SPECIALIST_ROLES if group_roles is None else tuple(group_roles)


def _cell_mask(prep: PreparedBaseline, role: str, industry: str,
               group_roles: Sequence[str] | None = None) -> np.ndarray:
    if role == AI_ML_GROUP:
        rmask = np.isin(prep.roles, _group(group_roles))
    elif role == ALL:
        rmask = np.ones(len(prep.roles), bool)
    else:
        if role not in catalog.ROLE_IDS:
            raise UserInputError(f"unknown role {role!r}; valid: {', '.join((ALL, AI_ML_GROUP) + catalog.ROLE_IDS)}")
        rmask = prep.roles == role
    if industry == ALL:
        return rmask
    if industry not in catalog.INDUSTRY_IDS:
        raise UserInputError(f"unknown industry {industry!r}; valid: {', '.join((ALL,) + catalog.INDUSTRY_IDS)}")
    return rmask & (prep.industries == industry)


# --------------------------------------------------------------------------- headline group
def headline_group(include_small_base: bool = False,
                   small_base: Sequence[str] | None = None) -> tuple[str, ...]:
    """The AI and ML specialist roles a headline total sums: WEF's scope, without the roles whose
    level rests on too few records (``role_levels.small_base_roles``) unless the user includes
    them."""
    if include_small_base:
        return catalog.AI_ML_SPECIALIST_ROLES
    if small_base is None:
        from forecasting.headcount import role_levels
        small_base = role_levels.small_base_roles()
    return tuple(r for r in catalog.AI_ML_SPECIALIST_ROLES if r not in small_base)


def group_label(group_roles: Sequence[str] | None = None) -> str:
    """Display name of the AI/ML specialist group that says which roles it sums."""
    group = _group(group_roles)
    left_out = [r for r in catalog.AI_ML_SPECIALIST_ROLES if r not in group]
    names = ", ".join(catalog.role(r).label for r in group)
    label = f"AI/ML specialists ({names})"
    if left_out:
        label += " excl. small-base " + ", ".join(catalog.role(r).label for r in left_out)
    return label


def headline_roles(roles: Sequence[str], include_small_base: bool = False,
                   small_base: Sequence[str] | None = None) -> tuple[str, ...]:
    """``roles`` that may headline a ranking ("fastest-growing"): small-base roles only when
    the user includes them."""
    if include_small_base:
        return tuple(roles)
    if small_base is None:
        from forecasting.headcount import role_levels
        small_base = role_levels.small_base_roles()
    return tuple(r for r in roles if r not in small_base)


# --------------------------------------------------------------------------- comparison
def compare(baseline: pd.DataFrame | PreparedBaseline, scenarios: Sequence[Assumptions],
            group_roles: Sequence[str] | None = None) -> pd.DataFrame:
    """Up to four scenarios in one long frame, with role/industry totals (``all``) and the
    ``ai_ml_specialists`` group rows (``group_roles``; default every AI/ML specialist role)
    added; the ``scenario`` column tells them apart."""
    if not 1 <= len(scenarios) <= 4:
        raise UserInputError(f"compare takes 1 to 4 scenarios, got {len(scenarios)}")
    prep = prepare(baseline)
    labels = _unique_labels(scenarios)
    matrix, g_roles, g_inds = _aggregation(prep, _group(group_roles))
    frames = []
    for a, label in zip(scenarios, labels):
        years, out = _project(prep, a)
        n = len(years)
        frames.append(pd.DataFrame({
            "role": np.repeat(g_roles, n), "industry": np.repeat(g_inds, n),
            "year": np.tile(years.astype(int), len(g_roles)),
            **{b: (matrix @ out[b]).ravel() for b in ("mean", "lo_80", "hi_80", "lo_95", "hi_95")},
            "scenario": label}))
    return pd.concat(frames, ignore_index=True)


def reference_band(baseline: pd.DataFrame | PreparedBaseline, a: Assumptions, role: str = ALL,
                   industry: str = ALL, group_roles: Sequence[str] | None = None) -> pd.DataFrame:
    """``year, mean, lo_80, hi_80, lo_95, hi_95`` of the statistical baseline over ``a``'s years
    (same automotive share): the model uncertainty a compare chart shows for reference."""
    ref = preset("baseline").with_changes(automotive_share=a.automotive_share).aligned(
        a.start_year, a.horizon_years)
    long = compare(baseline, [ref], group_roles)
    sel = long[(long["role"] == role) & (long["industry"] == industry)]
    return sel[["year", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]].reset_index(drop=True)


_AGGREGATIONS: dict[tuple[int, tuple[str, ...]],
                    tuple[PreparedBaseline, np.ndarray, np.ndarray, np.ndarray]] = {}


def _aggregation(prep: PreparedBaseline, group: tuple[str, ...]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """0/1 matrix [group, cell]: the cells themselves, then the bottom-up sums that
    ``reconcile.with_totals`` makes (same rows, computed as one matrix product: fast)."""
    hit = _AGGREGATIONS.get((id(prep), group))
    if hit is not None and hit[0] is prep:
        return hit[1:]
    rows, roles, inds = [], [], []

    def add(mask: np.ndarray, role: str, industry: str) -> None:
        rows.append(mask.astype(float))
        roles.append(role)
        inds.append(industry)

    n = len(prep.roles)
    for k in range(n):
        add(np.arange(n) == k, prep.roles[k], prep.industries[k])
    for r in dict.fromkeys(prep.roles):
        add(prep.roles == r, r, ALL)
    for label, rmask in ((ALL, np.ones(n, bool)), (AI_ML_GROUP, np.isin(prep.roles, group))):
        for i in dict.fromkeys(prep.industries):
            add(rmask & (prep.industries == i), label, i)
        add(rmask, label, ALL)
    result = (np.vstack(rows), np.array(roles, dtype=object), np.array(inds, dtype=object))
    if len(_AGGREGATIONS) > 8:
        _AGGREGATIONS.clear()
    _AGGREGATIONS[(id(prep), group)] = (prep, *result)
    return result


def _unique_labels(scenarios: Sequence[Assumptions]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for a in scenarios:
        label = a.label
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


TABLE_COLUMNS = ["scenario", "role", "industry", "year_0", "year_n", "jobs_year_n", "jobs_added", "cagr_pct",
                 "bls_cagr_pct", "growth_5y_pct", "wef_growth_5y_pct"]


def comparison_table(baseline: pd.DataFrame | PreparedBaseline, scenarios: Sequence[Assumptions],
                     group_roles: Sequence[str] | None = None,
                     bls_cagr: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One row per scenario and role (every role, the AI/ML group, all roles; industry ``all``).

    Rates are compared with rates, never US jobs with WEF's global count: ``cagr_pct`` beside
    BLS's CAGR for the role's occupation (``bls_cagr_pct``, role rows only), and the 5-year %
    growth (``growth_5y_pct``, NaN when the horizon is shorter) beside WEF's +40%
    (``wef_growth_5y_pct``, AI/ML group rows only). Jobs are US jobs.
    """
    return summarize(compare(baseline, scenarios, group_roles), bls_cagr)


def summarize(long: pd.DataFrame, bls_cagr: Mapping[str, float] | None = None) -> pd.DataFrame:
    """``comparison_table`` from an existing ``compare`` frame (saves a second engine run).
    ``bls_cagr``: role -> BLS 2024-34 % per year (default: read from the shipped BLS EP file)."""
    if bls_cagr is None:
        bls_cagr = bls_annual_growth_pct()
    tot = long[long["industry"] == ALL].sort_values("year", kind="stable")
    g = tot.groupby(["scenario", "role"], sort=False)
    out = pd.DataFrame({"y0": g["year"].first(), "year_n": g["year"].last(),
                        "start": g["mean"].first(), "jobs_year_n": g["mean"].last()}).reset_index()
    at5 = tot.merge(out[["scenario", "role", "y0"]], on=["scenario", "role"])
    at5 = at5[at5["year"] == at5["y0"] + WEF_YEARS].set_index(["scenario", "role"])["mean"]
    n = (out["year_n"] - out["y0"]).to_numpy(float)
    start, end = out["start"].to_numpy(float), out["jobs_year_n"].to_numpy(float)
    five = at5.reindex(pd.MultiIndex.from_frame(out[["scenario", "role"]])).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cagr = np.where((start > 0) & (n > 0), ((end / start) ** (1 / n) - 1) * 100, 0.0)
        growth5 = np.where(start > 0, (five / start - 1) * 100, np.nan)
    out["industry"] = ALL
    out["jobs_added"] = end - start
    out["cagr_pct"] = cagr
    out["bls_cagr_pct"] = out["role"].map(lambda r: bls_cagr.get(r, np.nan)).astype(float)
    out["growth_5y_pct"] = growth5
    out["wef_growth_5y_pct"] = np.where(out["role"] == AI_ML_GROUP, WEF_GROWTH_TOTAL_PCT, np.nan)
    out["year_0"] = out["y0"].astype(int)
    out["year_n"] = out["year_n"].astype(int)
    return out[TABLE_COLUMNS]


# --------------------------------------------------------------------------- tornado
def tornado_variants(assumptions: Assumptions, role: str = ALL, industry: str = ALL,
                     group_roles: Sequence[str] | None = None
                     ) -> list[tuple[str, str, Assumptions, Assumptions]]:
    """(assumption, step_label, low, high) Assumptions for each lever, moved by a fixed step."""
    a = assumptions
    out = []

    def clip(x, lo, hi):
        return min(max(x, lo), hi)

    out.append(("Blend weight", "±0.25",
                a.with_changes(blend_weight=clip(a.blend_weight - 0.25, 0, 1)),
                a.with_changes(blend_weight=clip(a.blend_weight + 0.25, 0, 1))))
    step = 2.0 if a.growth_mode == "per_year" else 10.0
    unit = "pp/yr" if a.growth_mode == "per_year" else "pp total"
    rg = a.role_growth_map
    targets = [r for r in rg if role in (ALL, r)
               or (role == AI_ML_GROUP and r in _group(group_roles))]
    if targets:
        lo_r, hi_r = ROLE_GROWTH_RANGE[a.growth_mode]
        low = {**rg, **{r: clip(rg[r] - step, lo_r, hi_r) for r in targets}}
        high = {**rg, **{r: clip(rg[r] + step, lo_r, hi_r) for r in targets}}
        out.append(("Role growth anchor", f"±{step:g} {unit}",
                     a.with_changes(role_growth=low), a.with_changes(role_growth=high)))
    ig = a.industry_growth_map
    istep = 1.0 if a.growth_mode == "per_year" else 5.0
    inds = catalog.INDUSTRY_IDS if industry == ALL else (industry,)
    lo_i, hi_i = INDUSTRY_GROWTH_RANGE[a.growth_mode]
    out.append(("Industry adjustment", f"±{istep:g} {unit}",
                a.with_changes(industry_growth={**ig, **{i: clip(ig.get(i, 0.0) - istep, lo_i, hi_i)
                                                         for i in inds}}),
                a.with_changes(industry_growth={**ig, **{i: clip(ig.get(i, 0.0) + istep, lo_i, hi_i)
                                                         for i in inds}})))
    shock_year = a.shock_year if a.shock_year is not None else a.start_year + 1
    out.append(("Adoption shock", f"±5 pp in {shock_year}",
                a.with_changes(shock_year=shock_year,
                               shock_pct=clip(a.shock_pct - 5, *SHOCK_PCT_RANGE)),
                a.with_changes(shock_year=shock_year,
                               shock_pct=clip(a.shock_pct + 5, *SHOCK_PCT_RANGE))))
    if a.role_cap:
        caps = a.role_cap_map
        out.append(("Saturation cap", "±25%",
                    a.with_changes(role_cap={r: clip(c * 0.75, *CAP_RANGE) for r, c in caps.items()}),
                    a.with_changes(role_cap={r: clip(c * 1.25, *CAP_RANGE) for r, c in caps.items()})))
    if industry in ("automotive", "manufacturing_other"):
        if a.automotive_share is not None:
            share = a.automotive_share
        else:
            from forecasting.headcount import industry_mix
            share = industry_mix.automotive_share_of_manufacturing()
        out.append(("Automotive share of manufacturing", "±0.05",
                    a.with_changes(automotive_share=clip(share - 0.05, 0, 1)),
                    a.with_changes(automotive_share=clip(share + 0.05, 0, 1))))
    return out


def tornado(baseline: pd.DataFrame | PreparedBaseline, assumptions: Assumptions,
            role: str = ALL, industry: str = ALL, year: int | None = None,
            group_roles: Sequence[str] | None = None) -> pd.DataFrame:
    """``assumption, step_label, value_low, value_high, base_value``, largest swing first.

    Each bar is a direct re-run of the engine with one lever moved down/up by its step; the value
    is the headcount of ``role`` x ``industry`` (``all``/``ai_ml_specialists`` allowed) in ``year``.
    """
    prep = prepare(baseline)
    year = assumptions.end_year if year is None else year
    base = _select_value(prep, assumptions, role, industry, year, group_roles)
    rows = [{"assumption": name, "step_label": label,
             "value_low": _select_value(prep, lo, role, industry, year, group_roles),
             "value_high": _select_value(prep, hi, role, industry, year, group_roles),
             "base_value": base}
            for name, label, lo, hi in tornado_variants(assumptions, role, industry, group_roles)]
    df = pd.DataFrame(rows, columns=["assumption", "step_label", "value_low", "value_high",
                                     "base_value"])
    swing = (df["value_high"] - df["value_low"]).abs()
    return df.loc[swing.sort_values(ascending=False, kind="stable").index].reset_index(drop=True)


# --------------------------------------------------------------------------- decomposition
DECOMPOSITION_COMPONENTS = ("data trend", "anchor", "shock", "cap")


def decomposition_steps(a: Assumptions) -> list[Assumptions]:
    """Cumulative assumption sets: data trend only, + anchors/industry, + shock, + cap (= a)."""
    no_cap = a.with_changes(role_cap=())
    no_shock = no_cap.with_changes(shock_year=None, shock_pct=0.0)
    data_only = no_shock.with_changes(blend_weight=0.0, industry_growth=())
    return [data_only, no_shock, no_cap, a]


def decomposition(baseline: pd.DataFrame | PreparedBaseline, assumptions: Assumptions,
                  role: str = ALL, industry: str = ALL,
                  group_roles: Sequence[str] | None = None) -> pd.DataFrame:
    """``year, component, value``: the change from the start year split into data trend, anchor
    (incl. industry adjustments), shock and cap; per year the four values sum to the total change.
    Computed by switching the levers on one at a time, so the split is exact (telescoping)."""
    prep = prepare(baseline)
    mask = _cell_mask(prep, role, industry, group_roles)
    paths = []
    for step in decomposition_steps(assumptions):
        years, out = _project(prep, step)
        paths.append(out["mean"][mask].sum(axis=0))
    start = paths[0][0]
    parts = [paths[0] - start] + [paths[k] - paths[k - 1] for k in range(1, 4)]
    rows = [{"year": int(y), "component": comp, "value": float(part[j])}
            for comp, part in zip(DECOMPOSITION_COMPONENTS, parts) for j, y in enumerate(years)]
    return pd.DataFrame(rows, columns=["year", "component", "value"])
