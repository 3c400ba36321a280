"""Scenario assumptions, presets and the engine that applies them to the cached baseline.

Why this shape: fitting is slow and assumptions change on every slider move, so the engine never
refits. It takes the headcount baseline (``role, industry, year, mean, lo_80, hi_80, lo_95, hi_95``)
once, turns it into arrays, and re-grows the levels with the user's growth rates in plain numpy.
Every number here is either read from data (baseline, BLS EP) or is a labelled assumption
(WEF 2023 as quoted in the seed article).

Growth arithmetic, per role x industry cell and year t after the start year::

    g = (1 - w) * model_trend + w * anchor[role] + industry_adjustment[industry]   (rates per year)
    level[t] = level[t-1] * (1 + g * saturation) * (1 + shock if t == shock_year)  then capped

``saturation`` is the logistic factor ``1 - role_total/cap`` (only when a cap is set, only damping
growth, and the role total is clipped to the cap). Intervals keep the baseline's relative widths.
"""

from __future__ import annotations

import json
import math
import unicodedata
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from forecasting import catalog
from forecasting.errors import UserInputError

SCHEMA_VERSION = 1
#: Latest OEWS year (May 2025): the baseline starts here.
LATEST_OEWS_YEAR = 2025
START_YEAR_RANGE = (LATEST_OEWS_YEAR, LATEST_OEWS_YEAR + 5)
HORIZON_RANGE = (1, 10)
GROWTH_MODES = ("per_year", "total")
TREND_BANDS = ("mean", "hi_80", "lo_80")
NAME_MAX_CHARS = 80
AI_ML_GROUP = "ai_ml_specialists"
ALL = "all"

# ASSUMPTION (labelled): World Economic Forum, Future of Jobs Report 2023, as quoted in the seed
# article: AI & machine-learning specialist jobs +40% over 5 years, "about 1 million jobs" (global).
WEF_GROWTH_TOTAL_PCT = 40.0
WEF_YEARS = 5
WEF_JOBS_ADDED_GLOBAL = 1_000_000
WEF_CAGR_PCT = ((1 + WEF_GROWTH_TOTAL_PCT / 100) ** (1 / WEF_YEARS) - 1) * 100  # 6.961...
BLS_EP_YEARS = 10  # BLS Employment Projections 2024-34

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
    start_year: int = LATEST_OEWS_YEAR
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
        h = self.horizon_years

        def conv(value: float, ranges: dict[str, tuple[float, float]]) -> float:
            rate = per_year_rate(value, self.growth_mode, h)
            out = rate * 100 if mode == "per_year" else ((1 + rate) ** h - 1) * 100
            lo, hi = ranges[mode]
            return min(max(out, lo), hi)

        return replace(self, growth_mode=mode,
                       role_growth=tuple((k, conv(v, ROLE_GROWTH_RANGE)) for k, v in self.role_growth),
                       industry_growth=tuple((k, conv(v, INDUSTRY_GROWTH_RANGE))
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
        normalised, errors = _validate_fields({**_DEFAULTS, **data})
        if unknown:
            errors.insert(0, f"unknown field(s) {', '.join(map(repr, unknown))}; valid fields: "
                             f"{', '.join(sorted(_FIELD_NAMES))}")
        if errors:
            raise UserInputError("invalid assumptions: " + "; ".join(errors))
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
        d = _DEFAULTS
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
        values = dict(_DEFAULTS)
        for key, val in raw.items():
            single, errs = _validate_fields({**_DEFAULTS, key: val}, only=(key,))
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
    check("start_year", lambda x: _in_range(_as_int(x, "start_year"), *START_YEAR_RANGE, "start_year"))
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
               "skp": "shock_pct", "wg": "wage_growth_pct_per_year", "as": "automotive_share"}


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
        "Our headcount baseline: BLS OEWS May 2021-2025 levels, trend shrunk across all OEWS occupations (forecasting/headcount.py).",
        "Models only: each role x industry grows at the validated statistical trend."),
    "wef2023": PresetInfo(
        "wef2023", "WEF 2023 (assumption)", True,
        "World Economic Forum, Future of Jobs Report 2023, as quoted in the seed article: AI and "
        "machine-learning specialists +40% over 5 years, about 1 million jobs (global count).",
        f"ASSUMPTION: +{WEF_GROWTH_TOTAL_PCT:g}% over {WEF_YEARS} years, i.e. {WEF_CAGR_PCT:.2f}% "
        "per year, for the AI/ML-specialist roles (blend weight 1); other roles keep the model trend. WEF's "
        "~1 million jobs is global; our levels are US only, so the gap is expected."),
    "bls2034": PresetInfo(
        "bls2034", "BLS 2024-34", False,
        "BLS Employment Projections 2024-34 (data/raw/bls_ep/occupation.xlsx), each role's "
        "catalog occupation (Role.ep_soc).",
        "Each role grows at its occupation's projected 10-year change converted to an annual rate "
        "(e.g. data scientists +33.5%, software developers +15.8% over 2024-34), blend weight 1."),
    "high": PresetInfo(
        "high", "High adoption", False,
        "Upper bound of the statistical baseline's 80% prediction interval.",
        "Each role x industry follows the baseline's hi_80 path (optimistic but data-consistent)."),
    "low": PresetInfo(
        "low", "Low adoption", False,
        "Lower bound of the statistical baseline's 80% prediction interval.",
        "Each role x industry follows the baseline's lo_80 path (pessimistic but data-consistent)."),
}
PRESET_IDS: tuple[str, ...] = tuple(PRESETS)
_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Assumptions)}


def bls_annual_growth_pct(bls_ep: pd.DataFrame | None = None) -> dict[str, float]:
    """Role -> % per year from BLS EP 2024-34 ``change_pct`` of the role's ``ep_soc``."""
    if bls_ep is None:
        from forecasting import data
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
        # Stored as the CAGR (per year) so a longer horizon extends WEF's rate instead of
        # spreading +40% over more years; after 5 years it is exactly +40%.
        return Assumptions(preset="wef2023", horizon_years=WEF_YEARS, blend_weight=1.0,
                           role_growth=tuple((r, WEF_CAGR_PCT)
                                             for r in catalog.AI_ML_SPECIALIST_ROLES))
    if name == "bls2034":
        return Assumptions(preset="bls2034", horizon_years=BLS_EP_YEARS, blend_weight=1.0,
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
    """Years up to ``end_year``; beyond the baseline, repeat the last growth and widen by sqrt(h)."""
    years = prep.years
    if end_year <= years[-1]:
        keep = years <= end_year
        return years[keep], {b: a[:, keep] for b, a in prep.bands.items()}
    extra = np.arange(years[-1] + 1, end_year + 1)
    mean = prep.bands["mean"]
    with np.errstate(divide="ignore", invalid="ignore"):
        step = mean[:, -1] / mean[:, -2] if len(years) > 1 else np.ones(len(mean))
    step = np.nan_to_num(step, nan=1.0, posinf=1.0)
    k = np.arange(1, len(extra) + 1)
    new_mean = mean[:, -1:] * step[:, None] ** k
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
    anchor = np.array([per_year_rate(growth_map[r], a.growth_mode, a.horizon_years)
                       if r in growth_map else np.nan for r in prep.roles])
    has_anchor = ~np.isnan(anchor)[:, None]
    g = np.where(has_anchor, (1 - w) * model_g + w * np.nan_to_num(anchor)[:, None], model_g)
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
    out = {"mean": level}
    for b, ratio in rel.items():
        ratio = np.nan_to_num(ratio, nan=1.0, posinf=1.0, neginf=1.0)
        ratio = np.clip(ratio, 0, 1) if b.startswith("lo") else np.maximum(ratio, 1)
        out[b] = level * ratio
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


def _select_value(prep: PreparedBaseline, a: Assumptions, role: str, industry: str, year: int
                  ) -> float:
    years, out = _project(prep, a)
    mask = _cell_mask(prep, role, industry)
    col = int(np.searchsorted(years, year))
    if col >= len(years) or years[col] != year:
        raise UserInputError(f"year {year} is outside the scenario years {years[0]}-{years[-1]}")
    return float(out["mean"][mask, col].sum())


def _cell_mask(prep: PreparedBaseline, role: str, industry: str) -> np.ndarray:
    if role == AI_ML_GROUP:
        rmask = np.isin(prep.roles, catalog.AI_ML_SPECIALIST_ROLES)
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


# --------------------------------------------------------------------------- comparison
def compare(baseline: pd.DataFrame | PreparedBaseline, scenarios: Sequence[Assumptions]
            ) -> pd.DataFrame:
    """Up to four scenarios in one long frame, with role/industry totals (``all``) and the
    ``ai_ml_specialists`` group rows added; the ``scenario`` column tells them apart."""
    if not 1 <= len(scenarios) <= 4:
        raise UserInputError(f"compare takes 1 to 4 scenarios, got {len(scenarios)}")
    prep = prepare(baseline)
    labels = _unique_labels(scenarios)
    matrix, g_roles, g_inds = _aggregation(prep)
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


_AGGREGATIONS: dict[int, tuple[PreparedBaseline, np.ndarray, np.ndarray, np.ndarray]] = {}


def _aggregation(prep: PreparedBaseline) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """0/1 matrix [group, cell]: the cells themselves, then the bottom-up sums that
    ``reconcile.with_totals`` makes (same rows, computed as one matrix product: fast)."""
    hit = _AGGREGATIONS.get(id(prep))
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
    for label, rmask in ((ALL, np.ones(n, bool)),
                         (AI_ML_GROUP, np.isin(prep.roles, catalog.AI_ML_SPECIALIST_ROLES))):
        for i in dict.fromkeys(prep.industries):
            add(rmask & (prep.industries == i), label, i)
        add(rmask, label, ALL)
    result = (np.vstack(rows), np.array(roles, dtype=object), np.array(inds, dtype=object))
    if len(_AGGREGATIONS) > 8:
        _AGGREGATIONS.clear()
    _AGGREGATIONS[id(prep)] = (prep, *result)
    return result


def _unique_labels(scenarios: Sequence[Assumptions]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for a in scenarios:
        label = a.label
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def comparison_table(baseline: pd.DataFrame | PreparedBaseline, scenarios: Sequence[Assumptions]
                     ) -> pd.DataFrame:
    """``scenario, role, industry, year_n, jobs_year_n, jobs_added, cagr_pct, gap_to_wef_jobs``.

    Rows: every role, the AI/ML-specialist group and all roles (industry ``all``). The gap is
    WEF's ~1 million jobs added (a GLOBAL count, labelled assumption) minus our US jobs added,
    filled for the AI/ML group and the all-roles rows only.
    """
    return summarize(compare(baseline, scenarios))


def summarize(long: pd.DataFrame) -> pd.DataFrame:
    """``comparison_table`` from an existing ``compare`` frame (saves a second engine run)."""
    tot = long[long["industry"] == ALL].sort_values("year", kind="stable")
    g = tot.groupby(["scenario", "role"], sort=False)
    out = pd.DataFrame({"y0": g["year"].first(), "year_n": g["year"].last(),
                        "start": g["mean"].first(), "jobs_year_n": g["mean"].last()}).reset_index()
    n = (out["year_n"] - out["y0"]).to_numpy(float)
    start, end = out["start"].to_numpy(float), out["jobs_year_n"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cagr = np.where((start > 0) & (n > 0), ((end / start) ** (1 / n) - 1) * 100, 0.0)
    out["industry"] = ALL
    out["jobs_added"] = end - start
    out["cagr_pct"] = cagr
    out["gap_to_wef_jobs"] = np.where(out["role"].isin([ALL, AI_ML_GROUP]),
                                      WEF_JOBS_ADDED_GLOBAL - out["jobs_added"], np.nan)
    out["year_n"] = out["year_n"].astype(int)
    return out[["scenario", "role", "industry", "year_n", "jobs_year_n", "jobs_added", "cagr_pct",
                "gap_to_wef_jobs"]]


# --------------------------------------------------------------------------- tornado
def tornado_variants(assumptions: Assumptions, role: str = ALL, industry: str = ALL
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
               or (role == AI_ML_GROUP and r in catalog.AI_ML_SPECIALIST_ROLES)]
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
        share = a.automotive_share if a.automotive_share is not None else 0.2
        out.append(("Automotive share of manufacturing", "±0.05",
                    a.with_changes(automotive_share=clip(share - 0.05, 0, 1)),
                    a.with_changes(automotive_share=clip(share + 0.05, 0, 1))))
    return out


def tornado(baseline: pd.DataFrame | PreparedBaseline, assumptions: Assumptions,
            role: str = ALL, industry: str = ALL, year: int | None = None) -> pd.DataFrame:
    """``assumption, step_label, value_low, value_high, base_value``, largest swing first.

    Each bar is a direct re-run of the engine with one lever moved down/up by its step; the value
    is the headcount of ``role`` x ``industry`` (``all``/``ai_ml_specialists`` allowed) in ``year``.
    """
    prep = prepare(baseline)
    year = assumptions.end_year if year is None else year
    base = _select_value(prep, assumptions, role, industry, year)
    rows = [{"assumption": name, "step_label": label,
             "value_low": _select_value(prep, lo, role, industry, year),
             "value_high": _select_value(prep, hi, role, industry, year), "base_value": base}
            for name, label, lo, hi in tornado_variants(assumptions, role, industry)]
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
                  role: str = ALL, industry: str = ALL) -> pd.DataFrame:
    """``year, component, value``: the change from the start year split into data trend, anchor
    (incl. industry adjustments), shock and cap; per year the four values sum to the total change.
    Computed by switching the levers on one at a time, so the split is exact (telescoping)."""
    prep = prepare(baseline)
    mask = _cell_mask(prep, role, industry)
    paths = []
    for step in decomposition_steps(assumptions):
        years, out = _project(prep, step)
        paths.append(out["mean"][mask].sum(axis=0))
    start = paths[0][0]
    parts = [paths[0] - start] + [paths[k] - paths[k - 1] for k in range(1, 4)]
    rows = [{"year": int(y), "component": comp, "value": float(part[j])}
            for comp, part in zip(DECOMPOSITION_COMPONENTS, parts) for j, y in enumerate(years)]
    return pd.DataFrame(rows, columns=["year", "component", "value"])
