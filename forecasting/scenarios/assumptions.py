"""What a scenario changes: the frozen, versioned ``Assumptions`` value and its validation.

Why apart from the engine: links, saved files, the CLI and the widgets all build Assumptions,
and none of them needs numpy arithmetic. Every field is checked on construction (ranges below,
quoted in the messages), so the engine only ever sees valid values. Growth values are in percent,
per year or over the horizon (``growth_mode``); ``per_year_rate`` is the one conversion.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from typing import Any

from forecasting.core import catalog
from forecasting.core.errors import UserInputError
from forecasting.scenarios import presets
from forecasting.sources.files import latest_oews_year

#: 2: ``anchor_years`` and ``extend_anchor``. A version-1 document has neither; it reads as
#: anchor_years None (the anchor over the whole horizon), which is what version 1 computed.
SCHEMA_VERSION = 2
#: Start years run from the latest OEWS year (read from the data) to this many years later.
START_YEAR_SPAN = 5
HORIZON_RANGE = (1, 10)
GROWTH_MODES = ("per_year", "total")
TREND_BANDS = ("mean", "hi_80", "lo_80")
NAME_MAX_CHARS = 80


def start_year_range() -> tuple[int, int]:
    """Allowed start years: the latest OEWS year to START_YEAR_SPAN years later."""
    first = latest_oews_year()
    return first, first + START_YEAR_SPAN


def baseline_horizon(a: Assumptions, minimum: int = 10) -> int:
    """Years of baseline a scenario needs (the projection command's baseline length)."""
    return max(minimum, a.end_year - latest_oews_year())

# Ranges per field (inclusive); the messages quote them.
ROLE_GROWTH_RANGE = {"per_year": (-50.0, 100.0), "total": (-90.0, 1000.0)}
INDUSTRY_GROWTH_RANGE = {"per_year": (-20.0, 20.0), "total": (-70.0, 500.0)}
CAP_RANGE = (1.0, 1e8)
SHOCK_PCT_RANGE = (-50.0, 200.0)
WAGE_RANGE = (-10.0, 30.0)


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
    start_year: int = field(default_factory=latest_oews_year)
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
        normalised, errors = validate_fields({f.name: getattr(self, f.name) for f in fields(self)})
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
        return self.name or presets.PRESETS.get(self.preset, presets.PRESETS["baseline"]).title

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
        check_version(data.get("version", SCHEMA_VERSION))
        normalised, errors = validate_fields({**defaults(), **data})
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



def check_version(value: Any) -> None:
    try:
        version = _as_int(value, "version")
    except ValueError as exc:
        raise UserInputError(str(exc)) from None
    if version > SCHEMA_VERSION:
        raise UserInputError(f"these assumptions use schema version {version}, newer than this app "
                             f"understands ({SCHEMA_VERSION}); please update the app")
    if version < 1:
        raise UserInputError(f"version: {version} is not a valid schema version")


def validate_fields(v: dict[str, Any], only: Sequence[str] | None = None
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

    check("preset", lambda x: _choice(x, presets.PRESET_IDS + ("custom",), "preset"))
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


def defaults() -> dict[str, Any]:
    """Every field's default (the start year's is read from the data, so it is computed)."""
    return {f.name: f.default_factory() if f.default_factory is not MISSING else f.default
            for f in fields(Assumptions)}


def per_year_rate(value_pct: float, mode: str, horizon_years: int) -> float:
    """A growth value in the stored mode as a rate per year (0.05 = 5%/yr)."""
    if mode == "per_year":
        return value_pct / 100
    return (1 + value_pct / 100) ** (1 / horizon_years) - 1



def automotive_share_used(share: float | None) -> float:
    """The automotive share of manufacturing a scenario uses: its override, else the data rule
    (``industry_mix.automotive_share_of_manufacturing``, NCSES: read on demand, ~10 ms)."""
    if share is not None:
        return share
    from forecasting.headcount import industry_mix
    return industry_mix.automotive_share_of_manufacturing()
