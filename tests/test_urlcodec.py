"""The share-link codec: which keys are ours, the order and spelling of an encoded link, and the
role/industry codes (every key is spelled once, in forecasting.scenarios.urlcodec)."""

from __future__ import annotations

from forecasting.core import catalog
from forecasting.scenarios import presets, urlcodec
from forecasting.scenarios.assumptions import SCHEMA_VERSION


def test_scenario_keys_are_the_scalar_keys_and_prefixed_pair_keys():
    for key in ("v", "sy", "xa", "g.mle", "i.aut", "c.ds", "g.", "g.xx"):
        assert urlcodec.is_scenario_key(key), key
    for key in ("utm_source", "page", "x.mle", "gmle", "", "V"):
        assert not urlcodec.is_scenario_key(key), key


def test_encode_writes_only_changed_fields_in_field_order():
    a = presets.preset("wef2023").with_changes(growth_mode="per_year", shock_year=None,
                                               extend_anchor=True, name="Mine")
    q = urlcodec.encode(a)
    assert list(q) == ["v", "p", "n", "w", "g.mle", "g.nlp", "g.mls", "ay", "xa"]
    assert q["v"] == str(SCHEMA_VERSION) and q["p"] == "wef2023" and q["xa"] == "1"
    assert q["w"] == "1.0" and q["g.mle"] == repr(presets.WEF_CAGR_PCT) and q["ay"] == "5"
    assert urlcodec.encode(presets.preset("baseline")) == {"v": str(SCHEMA_VERSION)}
    total = urlcodec.encode(presets.preset("baseline").with_changes(growth_mode="total"))
    assert total["m"] == "t"


def test_decode_reads_codes_and_names_unknown_ones():
    a, messages = urlcodec.decode({"m": "t", "g.ds": "50", "i.aut": "5", "g.zz": "1", "q": "x"})
    assert a.growth_mode == "total" and a.role_growth_map == {"data_scientist": 50.0}
    assert a.industry_growth_map == {"automotive": 5.0}
    assert messages == [
        "link parameter 'g.zz': unknown role code 'zz'; valid codes: "
        + ", ".join(urlcodec.ROLE_CODES.values()),
        "link parameter 'q' is unknown and was ignored"]
    assert set(urlcodec.ROLE_CODES) == set(catalog.ROLE_IDS)
