"""A scenario as a share link: short query-parameter keys, and the lenient reading of a link.

Why here and only here: a link must read back as the same scenario in the app, the CLI and any
later version, so every key is spelled once (``FIELD_BY_KEY``, ``PAIR_PREFIXES``, the role and
industry codes); ``ui.url_state`` and the CLI use these functions and constants. Links stay short:
only fields that differ from their defaults are written. A bad or unknown field in a link never
fails the page: it falls back to its default, with a message (``decode``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from forecasting.core import catalog
from forecasting.core.errors import UserInputError
from forecasting.scenarios.assumptions import Assumptions, check_version, defaults, validate_fields

# Short URL codes: links stay readable and short.
ROLE_CODES = {"ml_engineer": "mle", "data_scientist": "ds", "nlp_scientist": "nlp",
              "bi_developer": "bi", "software_engineer": "swe", "ml_scientist": "mls",
              "ml_product_manager": "mlpm"}
INDUSTRY_CODES = {"fintech": "fin", "healthtech": "hlt", "automotive": "aut",
                  "manufacturing_other": "mfg", "information": "inf",
                  "professional_services": "pro", "other": "oth"}
assert set(ROLE_CODES) == set(catalog.ROLE_IDS) and set(INDUSTRY_CODES) == set(catalog.INDUSTRY_IDS)

#: Link key -> the scalar Assumptions field it holds.
FIELD_BY_KEY = {"v": "version", "p": "preset", "n": "name", "sy": "start_year", "h": "horizon_years",
                "m": "growth_mode", "w": "blend_weight", "tb": "trend_band", "sky": "shock_year",
                "skp": "shock_pct", "wg": "wage_growth_pct_per_year", "as": "automotive_share",
                "ay": "anchor_years", "xa": "extend_anchor"}
#: Every scalar query-parameter key a share link uses (role/industry/cap keys are prefixed).
LINK_KEYS = frozenset(FIELD_BY_KEY)
#: Prefix of a per-item key (``g.mle``: ML engineer's growth) -> the pair field and its codes.
PAIR_PREFIXES = {"g": ("role_growth", ROLE_CODES), "i": ("industry_growth", INDUSTRY_CODES),
                 "c": ("role_cap", ROLE_CODES)}
#: growth_mode in a link: one letter.
MODE_CODES = {"per_year": "y", "total": "t"}

_KEY_BY_FIELD = {f: k for k, f in FIELD_BY_KEY.items()}
_PAIR_FIELDS = {fieldname for fieldname, _ in PAIR_PREFIXES.values()}
assert set(FIELD_BY_KEY.values()) | _PAIR_FIELDS == {f.name for f in fields(Assumptions)}
#: Longest message quoted from a link: a 10 kB value must not become a 10 kB warning.
MESSAGE_MAX_CHARS = 300


def is_scenario_key(key: str) -> bool:
    """True for a key this codec owns (other pages may keep their own query parameters)."""
    prefix, dot, _ = key.partition(".")
    return key in LINK_KEYS or bool(dot and prefix in PAIR_PREFIXES)


def _text(fieldname: str, value: Any) -> str:
    if fieldname == "growth_mode":
        return MODE_CODES[value]
    if isinstance(value, bool):
        return "1" if value else "0"
    return repr(value) if isinstance(value, float) else str(value)


def encode(a: Assumptions) -> dict[str, str]:
    """Flat, short keys; only fields that differ from the defaults (plus version), in field order."""
    q: dict[str, str] = {"v": str(a.version)}
    default = defaults()
    for fieldname in default:
        value = getattr(a, fieldname)
        if fieldname == "version" or value == default[fieldname]:
            continue
        if fieldname in _PAIR_FIELDS:
            prefix, codes = next((p, c) for p, (f, c) in PAIR_PREFIXES.items() if f == fieldname)
            q.update({f"{prefix}.{codes[item]}": repr(val) for item, val in value})
        else:
            q[_KEY_BY_FIELD[fieldname]] = _text(fieldname, value)
    return q


def _split(params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[str]]:
    """(scalar fields, pair field -> {id: raw value}, messages about unknown keys)."""
    messages: list[str] = []
    raw: dict[str, Any] = {}
    pairs: dict[str, dict[str, Any]] = {fieldname: {} for fieldname in _PAIR_FIELDS}
    for key, value in params.items():
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else ""
        key = str(key)
        prefix, _, code = key.partition(".")
        if key in FIELD_BY_KEY:
            raw[FIELD_BY_KEY[key]] = value
        elif code and prefix in PAIR_PREFIXES:
            fieldname, codes = PAIR_PREFIXES[prefix]
            by_code = {c: item for item, c in codes.items()}
            if code in by_code:
                pairs[fieldname][by_code[code]] = value
            else:
                kind = "industry" if codes is INDUSTRY_CODES else "role"
                messages.append(f"link parameter {key!r}: unknown {kind} code {code!r}; valid "
                                f"codes: {', '.join(codes.values())}")
        else:
            messages.append(f"link parameter {key!r} is unknown and was ignored")
    if "growth_mode" in raw:
        by_code = {c: m for m, c in MODE_CODES.items()}
        raw["growth_mode"] = by_code.get(raw["growth_mode"], raw["growth_mode"])
    return raw, pairs, messages


def decode(params: Mapping[str, Any]) -> tuple[Assumptions, list[str]]:
    """Lenient: each bad or unknown field falls back to its default, with a message."""
    raw, pairs, messages = _split(params)
    if "version" in raw:
        try:
            check_version(raw["version"])
        except UserInputError as exc:
            messages.append(str(exc) + "; the link was read as far as possible")
        raw.pop("version")
    default = defaults()
    values = dict(default)
    for key, val in raw.items():
        single, errs = validate_fields({**default, key: val}, only=(key,))
        if errs:
            messages.extend(f"link: {e}; using the default" for e in errs)
        else:
            values[key] = single[key]
    for key in ("role_growth", "industry_growth", "role_cap"):
        kept = {}
        for item_id, val in pairs[key].items():
            single, errs = validate_fields({**values, key: {item_id: val}}, only=(key,))
            if errs:
                messages.extend(f"link: {e}; ignored" for e in errs)
            else:
                kept[item_id] = dict(single[key])[item_id]
        values[key] = kept
    _, errs = validate_fields(values)
    if errs:  # cross-field (shock year outside the window)
        messages.extend(f"link: {e}; the shock was dropped" for e in errs)
        values["shock_year"] = None
    messages = [m if len(m) <= MESSAGE_MAX_CHARS else m[:MESSAGE_MAX_CHARS] + "… (truncated)"
                for m in messages]
    return Assumptions(**values), messages
