"""Robustness of scenario state from outside: share-link query params, JSON scenario files and the
saved-scenarios store. Hostile or broken input must end as a valid Assumptions plus messages (links)
or a UserInputError (JSON) -- never any other exception -- and user text stays plain text.

Case counts: HYPOTHESIS_CASES, else 1,000 per property when CI=true and 200 locally.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasting.core import catalog
from forecasting.core.errors import UserInputError
from forecasting.scenarios import presets, urlcodec
from forecasting.scenarios.assumptions import (
    CAP_RANGE,
    GROWTH_MODES,
    HORIZON_RANGE,
    INDUSTRY_GROWTH_RANGE,
    ROLE_GROWTH_RANGE,
    SCHEMA_VERSION,
    SHOCK_PCT_RANGE,
    TREND_BANDS,
    WAGE_RANGE,
    Assumptions,
    start_year_range,
)
from forecasting.scenarios.store import ScenarioStore, StoreError
from forecasting.sources.files import latest_oews_year

ROOT = Path(__file__).resolve().parents[1]
CASES = int(os.environ.get("HYPOTHESIS_CASES", "1000" if os.environ.get("CI") == "true" else "200"))
FUZZ = settings(max_examples=CASES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SHORT = {"v": "version", "p": "preset", "n": "name", "sy": "start_year", "h": "horizon_years",
         "m": "growth_mode", "w": "blend_weight", "tb": "trend_band", "sky": "shock_year",
         "skp": "shock_pct", "wg": "wage_growth_pct_per_year", "as": "automotive_share",
         "ay": "anchor_years", "xa": "extend_anchor"}
assert set(SHORT) == urlcodec.LINK_KEYS  # every link key is fuzzed
PAIR_FIELD = {"g": "role_growth", "i": "industry_growth", "c": "role_cap"}
NASTY_TEXT = ["<script>alert(1)</script>", "\"'; DROP TABLE scenarios;--", "a\nb", "x\r\ny",
              "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "$x^2$", "**bold**",
              "名前 🚀 Ωmega", "\u202eevil", "\x00", "=HYPERLINK(\"http://x\")", "", " ", "..",
              "../../etc/passwd", "%3Cscript%3E"]
NUMBERS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1e309", "1e-320", "0x10", "1_000",
           "  7 ", "7.", ".5", "+3", "--1", "1,5", "٣", "0", "-0", "1" + "0" * 400, "9" * 5000]

# --------------------------------------------------------------------------- generators
# Why a seed plus plain ``random`` for the bulk cases: hypothesis spends ~20 ms drawing each
# structured dict on this 2-core box, plain random ~0.05 ms; hypothesis still drives the seeds,
# records failures and replays them (the failing seed is printed).
valid_codes = ([f"g.{c}" for c in urlcodec.ROLE_CODES.values()] + [f"i.{c}" for c in urlcodec.INDUSTRY_CODES.values()]
               + [f"c.{c}" for c in urlcodec.ROLE_CODES.values()])
KNOWN_KEYS = list(SHORT) + valid_codes
BAD_KEYS = ["g.", "g.xx", "i.mle", "c.fin", ".", "g.mle.x", "V", " n", "n ", "", "utm_source",
            "p<b>", "h\n", "g.<script>"]
WORDS = ["t", "y", "total", "mean", "hi_80", "lo_80", "wef2023", "high", "custom", "2", "999", "0",
         "-1", "2026", "2030", "2031", "None", "null", "true", "[]", "{}"]
CHAR_POOL = ("abcXYZ019 .,-+eE_<>&\"'/\\%#;:=@\t" + "éßΩжñ名前🚀\u200b\u202e\u00a0٣")
role_ids, ind_ids = list(catalog.ROLE_IDS), list(catalog.INDUSTRY_IDS)


def _rand_text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(CHAR_POOL) for _ in range(n))


def _rand_value(rng: random.Random) -> str:
    kind = rng.randrange(9)
    if kind == 0:
        return repr(rng.uniform(-1e9, 1e9) * rng.choice([1, 1e-6, 1e-3, 1e3]))
    if kind == 1:
        return str(rng.randint(-10**12, 10**12) if rng.random() < .5 else rng.randint(-100, 3000))
    if kind == 2:
        return rng.choice(NUMBERS)
    if kind == 3:
        return rng.choice(NASTY_TEXT)
    if kind == 4:  # > 10 kB
        return rng.choice(["a", "9", "<", "é", "\n", "1.5"]) * rng.randint(10_001, 30_000)
    if kind == 5:
        return rng.choice(WORDS)
    if kind == 6:
        return f"{rng.uniform(-150, 1100):.{rng.randint(0, 6)}f}"
    return _rand_text(rng, rng.randint(0, 40))


def _rand_assumptions(rng: random.Random) -> Assumptions:
    """A random valid Assumptions (ranges quoted from scenarios.py)."""
    mode = rng.choice(GROWTH_MODES)
    start, horizon = rng.randint(*start_year_range()), rng.randint(*HORIZON_RANGE)
    pick = lambda ids, lo, hi: {i: rng.uniform(lo, hi) for i in rng.sample(ids, rng.randint(0, len(ids)))}
    return Assumptions(
        preset=rng.choice(presets.PRESET_IDS + ("custom",)),
        name=rng.choice([t for t in NASTY_TEXT if t.isprintable()]
                        + ["".join(c for c in _rand_text(rng, 20) if unicodedata.category(c)[0] != "C")]),
        start_year=start, horizon_years=horizon, growth_mode=mode, blend_weight=rng.random(),
        trend_band=rng.choice(TREND_BANDS),
        role_growth=pick(role_ids, *ROLE_GROWTH_RANGE[mode]),
        industry_growth=pick(ind_ids, *INDUSTRY_GROWTH_RANGE[mode]),
        role_cap=pick(role_ids[:3], *CAP_RANGE),
        shock_year=rng.choice([None, rng.randint(start + 1, start + horizon)]),
        shock_pct=rng.uniform(*SHOCK_PCT_RANGE),
        wage_growth_pct_per_year=rng.choice([None, rng.uniform(*WAGE_RANGE)]),
        automotive_share=rng.choice([None, rng.random()]),
        anchor_years=rng.choice([None, rng.randint(*HORIZON_RANGE)]),
        extend_anchor=rng.random() < 0.5)


def random_link(rng: random.Random) -> dict:
    """Random keys (known, unknown, bad codes) with random values, sometimes repeated (lists)."""
    params: dict = {}
    for _ in range(rng.randint(0, 12)):
        key = rng.choice(KNOWN_KEYS) if rng.random() < .75 else rng.choice(BAD_KEYS + [_rand_text(rng, 6)])
        params[key] = (_rand_value(rng) if rng.random() < .9
                       else [_rand_value(rng) for _ in range(rng.randint(0, 3))])
    return params


def damaged_link(rng: random.Random) -> dict:
    """A valid link's params, then cut, flipped, dropped or extended like a mangled copy-paste."""
    params = urlcodec.encode(_rand_assumptions(rng))
    for _ in range(rng.randint(1, 4)):
        key = rng.choice(list(params) or ["v"])
        val = params.get(key, "")
        op = rng.choice(["cut", "flip", "drop", "append", "cutkey"])
        if op == "cut":
            params[key] = val[:rng.randint(0, max(len(val) - 1, 0))]
        elif op == "flip" and val:
            i = rng.randrange(len(val))
            params[key] = val[:i] + rng.choice("x.-e9 %<\"") + val[i + 1:]
        elif op == "drop":
            params.pop(key, None)
        elif op == "append":
            params[key] = val + _rand_value(rng)
        elif op == "cutkey" and key in params:
            params[key[:-1] or "?"] = params.pop(key)
    return params


def any_link(seed: int) -> dict:
    rng = random.Random(seed)
    kind = seed % 3
    if kind == 0:
        return random_link(rng)
    if kind == 1:
        return damaged_link(rng)
    return {**damaged_link(rng), **random_link(rng)}


def _rand_json_value(rng: random.Random, depth: int = 0):
    makers = [lambda: None, lambda: rng.random() < .5, lambda: rng.randint(-10**6, 10**6),
              lambda: rng.uniform(-1e4, 1e4),
              lambda: rng.choice([math.nan, math.inf, -math.inf, 1e308, -0.0]),
              lambda: 10 ** rng.randint(300, 420), lambda: _rand_value(rng),
              lambda: rng.choice(NASTY_TEXT), lambda: rng.choice(role_ids + ind_ids + WORDS),
              lambda: rng.randint(2020, 2040),
              lambda: [_rand_json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))],
              lambda: {rng.choice(role_ids + ind_ids + ["x", ""]): _rand_json_value(rng, depth + 1)
                       for _ in range(rng.randint(0, 3))}]
    return makers[rng.randrange(12 if depth < 3 else 10)]()


def json_doc(seed: int) -> str:
    """A scenario file as a user might hand it over: broken, edited, truncated, from the future."""
    rng = random.Random(seed)
    kind = seed % 7
    if kind == 0:  # a valid file with some fields replaced by random values
        d = _rand_assumptions(rng).to_dict()
        for key in rng.sample(sorted(d), rng.randint(1, 4)):
            d[key] = _rand_json_value(rng)
        return json.dumps(d)
    if kind == 1:
        text = _rand_assumptions(rng).to_json()
        return text[: rng.randrange(len(text))]  # truncated download
    if kind == 2:
        return json.dumps({**_rand_assumptions(rng).to_dict(), "version": rng.choice([2, 99, 0, -1, "2"])})
    if kind == 3:
        return json.dumps({**_rand_assumptions(rng).to_dict(), _rand_text(rng, 5): 1})
    if kind == 4:
        return json.dumps(_rand_json_value(rng))
    if kind == 5:
        return rng.choice(["", "[" * 100_000, '{"blend_weight": ' + "1" * 5000 + "}", "\ufeff{}",
                           '{"name": "\\ud800"}', "NaN", '{"shock_pct": NaN}', '{"horizon_years": 1e999}',
                           '{"role_growth": [["ml_engineer", 1, 2]]}', '{"role_growth": "abc"}'])
    return _rand_text(rng, rng.randint(0, 200))


@st.composite
def valid_assumptions(draw) -> Assumptions:
    """Any Assumptions the validator accepts (hypothesis-native, shrinks well)."""
    mode = draw(st.sampled_from(GROWTH_MODES))
    start = draw(st.integers(*start_year_range()))
    horizon = draw(st.integers(*HORIZON_RANGE))
    fl = lambda lo, hi: st.floats(lo, hi, allow_nan=False)
    rg = draw(st.dictionaries(st.sampled_from(role_ids), fl(*ROLE_GROWTH_RANGE[mode]), max_size=7))
    ig = draw(st.dictionaries(st.sampled_from(ind_ids), fl(*INDUSTRY_GROWTH_RANGE[mode]), max_size=7))
    caps = draw(st.dictionaries(st.sampled_from(role_ids), fl(*CAP_RANGE), max_size=3))
    shock = draw(st.none() | st.integers(start + 1, start + horizon))
    name = draw(st.sampled_from([t for t in NASTY_TEXT if t.isprintable() and len(t) <= 80])
                | st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn")), max_size=80))
    return Assumptions(
        preset=draw(st.sampled_from(presets.PRESET_IDS + ("custom",))), name=name, start_year=start,
        horizon_years=horizon, growth_mode=mode, blend_weight=draw(fl(0, 1)),
        trend_band=draw(st.sampled_from(TREND_BANDS)), role_growth=rg, industry_growth=ig,
        role_cap=caps, shock_year=shock, shock_pct=draw(fl(*SHOCK_PCT_RANGE)),
        wage_growth_pct_per_year=draw(st.none() | fl(*WAGE_RANGE)),
        automotive_share=draw(st.none() | fl(0, 1)),
        anchor_years=draw(st.none() | st.integers(*HORIZON_RANGE)),
        extend_anchor=draw(st.booleans()))


SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
#: Counts per input class, printed and written to docs/RELIABILITY.md by hand from a CI=true run.
TALLY: dict[str, dict[str, int]] = {}


def _tally(cls: str, outcome: str) -> None:
    TALLY.setdefault(cls, {}).setdefault(outcome, 0)
    TALLY[cls][outcome] += 1


# --------------------------------------------------------------------------- helpers
def _accepted(key: str, value: str, a: Assumptions) -> bool:
    """Whether ``a`` holds what ``key=value`` asked for (so no message is owed for it)."""
    if key == "v":
        return value.strip() in {str(v) for v in range(1, SCHEMA_VERSION + 1)}
    prefix, _, code = key.partition(".")
    try:
        if key in SHORT:
            field = SHORT[key]
            got = getattr(a, field)
            if field in ("name", "preset", "trend_band"):
                return got == value
            if field == "growth_mode":
                return got == {"t": "total", "y": "per_year"}.get(value, value)
            if value == "" and field in ("shock_year", "wage_growth_pct_per_year", "automotive_share",
                                         "anchor_years"):
                return got is None
            if field == "extend_anchor":
                v = value.strip().lower()
                return v in ("1", "0", "true", "false") and got == (v in ("1", "true"))
            return got is not None and math.isclose(float(value.strip()), got, rel_tol=1e-12)
        if prefix in PAIR_FIELD:
            codes = urlcodec.INDUSTRY_CODES if prefix == "i" else urlcodec.ROLE_CODES
            ids = {c: item for item, c in codes.items()}
            got = dict(getattr(a, PAIR_FIELD[prefix])).get(ids.get(code))
            return got is not None and math.isclose(float(value.strip()), got, rel_tol=1e-12)
    except ValueError:
        return False
    return False


def _mentioned(key: str, messages: list[str]) -> bool:
    text = "\n".join(messages)
    prefix, _, _ = key.partition(".")
    field = SHORT.get(key) or (PAIR_FIELD.get(prefix) if "." in key else None)
    return (field is not None and field in text) or repr(key)[:60] in text or "version" in text


# --------------------------------------------------------------------------- 1. URL state
@FUZZ
@given(SEEDS)
def test_link_params_never_crash_and_every_rejected_field_has_a_message(seed):
    params = any_link(seed)
    a, messages = urlcodec.decode(params)
    _tally(["link: random params", "link: damaged valid link", "link: damaged + random"][seed % 3],
           "accepted with messages" if messages else "accepted clean")
    assert isinstance(a, Assumptions) and all(isinstance(m, str) and m for m in messages)
    assert all(len(m) <= 320 for m in messages), "a huge value must not become a huge warning"
    for key, value in params.items():
        value = (value[-1] if value else "") if isinstance(value, list) else value
        assert _accepted(key, value, a) or _mentioned(key, messages), (key, value, messages)
    # the fallback is itself a clean link: re-reading it gives the same scenario, no warnings
    again, msgs2 = urlcodec.decode(urlcodec.encode(a))
    assert again == a and msgs2 == []


@settings(FUZZ, max_examples=min(CASES, 150))  # tests/test_scenarios.py has more round trips
@given(valid_assumptions())
def test_valid_links_and_json_round_trip_exactly(a):
    back, messages = urlcodec.decode(urlcodec.encode(a))
    assert back == a and messages == []
    assert Assumptions.from_json(a.to_json()) == a


def test_link_examples_fall_back_field_by_field():
    a, messages = urlcodec.decode({
        "v": "1", "h": "7", "w": "nan", "g.mle": "inf", "g.ds": "12.5", "sy": "1999",
        "n": "<script>alert(1)</script>", "zz": "1", "g.xx": "3", "wg": "9" * 20_000})
    assert a.horizon_years == 7 and a.role_growth_map == {"data_scientist": 12.5}
    assert a.blend_weight == 0.0 and a.start_year == latest_oews_year()  # defaults
    assert a.name == "<script>alert(1)</script>"  # kept verbatim as plain text
    assert a.wage_growth_pct_per_year is None
    text = "\n".join(messages)
    for needle in ("blend_weight", "role_growth", "start_year", "'zz'", "'xx'",
                   "wage_growth_pct_per_year", "truncated"):
        assert needle in text, needle
    assert len(messages) == 6
    future, msgs = urlcodec.decode({"v": str(SCHEMA_VERSION + 1), "h": "3"})
    assert future.horizon_years == 3 and "newer than this app" in msgs[0]


JSON_KINDS = ["json: valid file, fields replaced", "json: truncated file", "json: other version",
              "json: unknown field", "json: random JSON value", "json: pathological text",
              "json: random text"]


@FUZZ
@given(SEEDS)
def test_json_scenario_files_are_valid_or_one_user_input_error(seed):
    text = json_doc(seed)
    try:
        a = Assumptions.from_json(text)
    except UserInputError as exc:
        assert str(exc).strip()
        _tally(JSON_KINDS[seed % 7], "rejected with message")
    else:
        _tally(JSON_KINDS[seed % 7], "accepted")
        assert isinstance(a, Assumptions) and Assumptions.from_json(a.to_json()) == a


def test_json_known_bad_inputs_give_user_input_error():
    for text, needle in [('{"blend_weight": 1' + "0" * 400 + "}", "blend_weight"),
                         ('{"blend_weight": ' + "1" * 5000 + "}", "cannot be read"),
                         ("[" * 100_000, "cannot be read"),
                         ('{"version": 3}', "newer than this app"),
                         ('{"name": "a\\nb"}', "control characters"),
                         ('{"horizon_years": 1e999}', "horizon_years")]:
        with pytest.raises(UserInputError, match=needle):
            Assumptions.from_json(text)


# --------------------------------------------------------------------------- rendering user text
#: Reviewed sinks that carry constants only: ui/preload.py writes a fixed script and style with
#: Streamlit's own chunk file name, which must match CHUNK_NAME (tests/app/test_preload.py).
REVIEWED_HTML_SINKS = {"ui/preload.py"}


def test_no_user_text_reaches_unsafe_html():
    hits = [f"{p.relative_to(ROOT)}:{i}" for folder in ("pages", "ui")
            for p in (ROOT / folder).rglob("*.py")
            if str(p.relative_to(ROOT)) not in REVIEWED_HTML_SINKS
            for i, line in enumerate(p.read_text().splitlines(), 1)
            if "unsafe_allow_html" in line or "st.html(" in line or "components.html" in line]
    assert hits == [], f"HTML sinks found, check that no user text reaches them: {hits}"


@settings(FUZZ, max_examples=min(CASES, 200))
@given(st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=100)))
def test_escape_md_leaves_no_markup(text):
    from ui.url_state import escape_md

    out = escape_md(text)
    assert re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>~$&:])", r"\1", out) == text  # only escapes added
    assert not re.search(r"(?<!\\)[<>\[\]`*_$]", out)  # every markup character is escaped


def test_malicious_link_name_is_shown_escaped_in_the_scenarios_page():
    """The real Scenarios page opened from a hostile link: the name survives as plain text (the
    text box holds it verbatim), every markdown sink gets it escaped, chart legends get no tags."""
    from streamlit.testing.v1 import AppTest

    evil = "<img src=x onerror=alert(1)>"
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.query_params.update({"n": evil, "w": "<script>alert(2)</script>", "g.<b>": "1", "h": "7"})
    at.run()
    at.switch_page("pages/scenarios.py").run()
    assert not at.exception, at.exception
    assert at.session_state["assumptions"].name == evil and at.session_state["assumptions"].horizon_years == 7
    assert evil in [t.value for t in at.text_input]  # plain text widget, verbatim
    body = at.warning[0].value
    assert "\\<script\\>" in body and "\\<b\\>" in body
    markdown_sinks = [e.value for kind in ("markdown", "caption", "warning", "info", "success", "error")
                      for e in at.get(kind)]
    assert markdown_sinks and not any(re.search(r"(?<!\\)<", v) for v in markdown_sinks)
    names = [t.get("name") or "" for c in at.get("plotly_chart")
             for t in json.loads(c.proto.spec)["data"]]
    assert any("onerror" in n for n in names) and not any("<" in n for n in names)


# --------------------------------------------------------------------------- 2. saved scenarios
WRITER = r"""
import sys, time
from pathlib import Path
from forecasting.scenarios.assumptions import Assumptions
from forecasting.scenarios.store import ScenarioStore
folder, tag, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
s = ScenarioStore(folder)
print("ready", flush=True)
while not go.exists():
    time.sleep(0.001)
for k in range(50):
    name = f"{tag}-{k} <b>\"quote\" ✓"
    s.save(name, Assumptions(name=name, horizon_years=1 + k % 10, blend_weight=k / 50,
                             role_growth={"ml_engineer": float(k)}))
"""


def test_two_processes_saving_50_each_lose_nothing(tmp_path):
    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), tag, str(go)], env=env,
                              stdout=subprocess.PIPE, text=True) for tag in "AB"]
    for p in procs:  # both are up before either writes, so the writes really overlap
        assert p.stdout.readline().strip() == "ready"
    go.touch()
    for p in procs:
        assert p.wait(60) == 0
        p.stdout.close()
    s = ScenarioStore(tmp_path)
    names = [x.name for x in s.list()]
    assert len(names) == 100 and len(set(names)) == 100
    for tag in "AB":
        for k in range(50):
            a = s.load(f'{tag}-{k} <b>"quote" ✓')
            assert a.role_growth_map == {"ml_engineer": float(k)} and a.horizon_years == 1 + k % 10


@settings(FUZZ, max_examples=min(CASES, 60))  # each case is a synced SQLite write (~0.1 s)
@given(valid_assumptions(), st.text(min_size=1, max_size=80))
def test_any_valid_scenario_survives_save_and_load(tmp_path_factory, a, name):
    folder = tmp_path_factory.getbasetemp() / "fuzz_store"
    s = ScenarioStore(folder)
    try:
        clean = s.save(name, a)
    except StoreError as exc:  # blank or control characters: refused with a reason
        assert "name" in str(exc)
        return
    assert s.load(clean) == a and clean in [x.name for x in s.list()]


def test_unwritable_data_home_keeps_the_app_working(tmp_path, monkeypatch):
    monkeypatch.setenv("MLTALENT_DATA_HOME", str(tmp_path / "file" / "sub"))
    (tmp_path / "file").write_text("a file where the folder should be")
    s = ScenarioStore()
    assert not s.available and str(tmp_path / "file" / "sub") in s.message
    assert "MLTALENT_DATA_HOME" in s.message and s.list() == []
    for op in (lambda: s.save("x", Assumptions()), lambda: s.load("x"),
               lambda: s.rename("x", "y"), lambda: s.delete("x")):
        with pytest.raises(StoreError, match="Saving is off"):
            op()


@pytest.mark.parametrize("damage", ["truncated", "zeroed_page", "garbage_row"])
def test_damaged_database_keeps_a_backup_or_explains(tmp_path, damage):
    s = ScenarioStore(tmp_path)
    for k in range(30):
        s.save(f"s{k}", Assumptions(name="x" * 80, horizon_years=1 + k % 10))
    raw = s.path.read_bytes()
    assert len(raw) > 12_000  # several pages, so the damage hits data
    if damage == "truncated":  # a copy cut short (sync tool, full disk)
        s.path.write_bytes(raw[: len(raw) // 2 + 100])
    elif damage == "zeroed_page":
        s.path.write_bytes(raw[:4096] + b"\x00" * 4096 + raw[8192:])
    else:  # the file is fine but one row holds text that is not an Assumptions
        with sqlite3.connect(s.path) as conn:
            conn.execute("UPDATE scenarios SET assumptions_json = '{\"blend_weight\": \"x\"' "
                         "WHERE name = 's3'")
    damaged = s.path.read_bytes()
    fresh = ScenarioStore(tmp_path)
    if damage == "garbage_row":
        assert fresh.available and fresh.message == ""
        with pytest.raises(StoreError, match="'s3' cannot be read"):
            fresh.load("s3")
        assert fresh.load("s4").horizon_years == 5  # the others are still there
        return
    backups = list(tmp_path.glob("scenarios.corrupt-*.sqlite"))
    # detected on open: original bytes kept aside, a new empty file, the message says where
    assert len(backups) == 1 and backups[0].read_bytes() == damaged
    assert fresh.available and "damaged" in fresh.message and str(backups[0]) in fresh.message
    assert fresh.list() == []
    fresh.save("after", Assumptions())
    assert [x.name for x in ScenarioStore(tmp_path).list()] == ["after"]


def test_zz_print_tally():
    """Not a check: prints the per-class counts of this run (for docs/RELIABILITY.md)."""
    for cls, outcomes in sorted(TALLY.items()):
        print(f"TALLY | {cls} | {sum(outcomes.values())} | {outcomes}")
