"""forecasting.postings.inputs reads a file in chunks (issue #18: a 50 MB upload peaked at 1.1 GB):
the chunk sizes must never change an outcome, the line splitter must cut lines exactly where the
one-shot reader did, and the memory a parse needs must stay a small multiple of the file."""

from __future__ import annotations

import io
import itertools
import tracemalloc

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasting.core.errors import UserInputError
from forecasting.postings.inputs import columns, spacing
from forecasting.postings.inputs import text as text_step
from forecasting.postings.inputs.read import read_series_csv
from forecasting.sources import indeed
from tests.test_inputs import HYPOTHESIS_CASES, csv_like

SETTINGS = settings(max_examples=max(HYPOTHESIS_CASES // 3, 50), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def outcome(source) -> tuple:
    try:
        vs = read_series_csv(source)
    except UserInputError as exc:
        return ("refused", str(exc))
    return ("accepted", vs.frame, vs.notes, vs.freq)


def same(a: tuple, b: tuple) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "refused":
        return a[1] == b[1]
    return a[1].equals(b[1]) and list(a[1].dtypes) == list(b[1].dtypes) and a[2:] == b[2:]


def with_chunks(byte_chunk: int, row_chunk: int, freq_batch: int, source) -> tuple:
    saved = text_step._BYTE_CHUNK, columns._ROW_CHUNK, spacing._FREQ_BATCH
    (text_step._BYTE_CHUNK, columns._ROW_CHUNK,
     spacing._FREQ_BATCH) = byte_chunk, row_chunk, freq_batch
    try:
        return outcome(source)
    finally:
        text_step._BYTE_CHUNK, columns._ROW_CHUNK, spacing._FREQ_BATCH = saved


def check_chunking(raw: bytes, tmp_path) -> str:
    """Tiny chunks (a character or a record cut at every boundary, a frequency batch per
    series or two), from bytes and from a file, give exactly the default outcome."""
    expected = outcome(raw)
    path = tmp_path / "in.csv"
    path.write_bytes(raw)
    for sizes, source in (((1, 1, 1), raw), ((7, 3, 5), str(path)), ((5, 2, 3), raw),
                          ((1 << 20, 1 << 13, 1 << 16), str(path))):
        got = with_chunks(*sizes, source)
        assert same(expected, got), (raw, sizes, expected, got)
    return expected[0]


def test_chunk_sizes_never_change_the_outcome(tmp_path_factory):
    """Over the grammar of test_inputs (deterministic examples, both outcomes reached)."""
    outcomes = {"accepted": 0, "refused": 0}

    @settings(max_examples=max(HYPOTHESIS_CASES // 2, 100), deadline=None, database=None,
              derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(csv_like())
    def run(raw):
        outcomes[check_chunking(raw, tmp_path_factory.mktemp("c"))] += 1

    run()
    assert outcomes["accepted"] >= 5 and outcomes["refused"] >= 5, outcomes


@SETTINGS
@given(st.binary(max_size=400))
def test_chunk_sizes_never_change_the_outcome_for_random_bytes(tmp_path_factory, raw):
    check_chunking(raw, tmp_path_factory.mktemp("b"))


@pytest.mark.parametrize("raw", [
    "series_id,ds,y\r\na,2020-01-01,1\r\na,2020-02-01,2\r\na,2020-03-01,3\r\na,2020-04-01,4",
    ('sep=;\n"series_id";"ds";"y"\n"a\nb";2020-01-01;1,5\n"a\nb";2020-02-01;2\n"a\nb";'
     '2020-03-01;3\n"a\nb";2020-04-01;4\n'),
    "ds,y\r2020-01-01,1\r2020-02-01,2\r\r2020-03-01,3\r2020-04-01,4\r",
])
def test_line_ends_and_quotes_across_chunk_edges(raw, tmp_path):
    for encoding in ("utf-8", "utf-8-sig", "cp1252", "utf-16"):
        assert check_chunking(raw.encode(encoding), tmp_path) == "accepted"


LINE_TEXT = st.lists(st.sampled_from(["a", ",", "\r", "\n", "\r\n", "\x85", "\u2028", "\x0b",
                                      "\x0c", "\x1c", "\x1e", '"', "é"]),
                     max_size=60).map("".join)


@settings(max_examples=300, deadline=None, database=None)
@given(LINE_TEXT, st.lists(st.integers(0, 60), max_size=6))
def test_lines_are_cut_where_stringio_cuts_them(text, cuts):
    """Only \\n, \\r and \\r\\n end a line (not the other str.splitlines breaks), also when a
    chunk ends between the \\r and the \\n."""
    bounds = sorted({0, len(text), *(min(c, len(text)) for c in cuts)})
    chunks = [text[a:b] for a, b in itertools.pairwise(bounds)]
    assert list(text_step._lines(chunks)) == list(io.StringIO(text, newline=""))


def tiled_postings(copies: int) -> pd.DataFrame:
    """The shipped monthly postings series, ``copies`` times under renamed ids (real values)."""
    f = indeed.load_postings_monthly()[["series_id", "ds", "y"]]
    return pd.concat([f.assign(series_id=f["series_id"] + f"~{k:03d}") for k in range(copies)],
                     ignore_index=True)


def test_a_large_file_parses_in_a_small_multiple_of_its_size(tmp_path):
    """Python's csv rows took ~17x the file (4.4 MB -> 75 MB traced); chunks and codes ~3x."""
    tiled = tiled_postings(20)
    path = tmp_path / "tiled.csv"
    tiled.to_csv(path, index=False, date_format="%Y-%m-%d")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        vs = read_series_csv(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 6 * size, f"peak {peak / 2**20:.1f} MB for a {size / 2**20:.1f} MB file"
    expected = tiled.sort_values(["series_id", "ds"], ignore_index=True)
    assert vs.notes == [] and len(vs.freq) == tiled["series_id"].nunique()
    assert vs.frame["series_id"].tolist() == expected["series_id"].tolist()
    assert (vs.frame["ds"].to_numpy() == expected["ds"].to_numpy()).all()
    assert (vs.frame["y"].to_numpy() == expected["y"].to_numpy()).all()  # exact round trip
