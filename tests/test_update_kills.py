"""Kill update-data with SIGKILL at random points of the swap: afterwards data/raw is the complete
old set or the complete new one, never a mix, and the next run cleans up and completes.

Each run is a real ``python -m forecasting update-data`` against a mirror folder (the shipped
AI_posting.csv is the newer vintage; the current one has its last three months cut off). The
env hook MLTALENT_UPDATE_STEP_DELAY slows each step of the swap (one per staged file, the
manifest, the flush, the exchange, the clean-up, SOURCES.md) so the kill times, spread over the
window from "staging" to exit, land in every step."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forecasting.sources import provenance, rawswap
from forecasting.sources import registry as sources
from tests.update_fixtures import (
    AI,
    ROOT,
    SHIPPED,
    build_mirror,
    copy_data_dir,
    install_older_vintage,
    tree_hashes,
)

STEP_DELAY = "0.02"


def _start(data_dir: Path, mirror: Path, mode: str) -> subprocess.Popen:
    env = dict(os.environ, MLTALENT_DATA_DIR=str(data_dir),
               MLTALENT_CACHE_DIR=str(data_dir / "processed"),
               MLTALENT_UPDATE_STEP_DELAY=STEP_DELAY, MLTALENT_SWAP_MODE=mode)
    return subprocess.Popen([sys.executable, "-m", "forecasting", "update-data", "--mirror",
                             str(mirror), "--source", "indeed_ai", "--skip-fit"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)


SWAP_LINE = "swapping the new set into data/raw"
SWAPPED_LINE = "data/raw now holds the new set"


def _wait_for(proc: subprocess.Popen, prefix: str) -> float:
    """Block until the child prints a line starting with ``prefix``; returns that moment."""
    deadline = time.monotonic() + 120
    for line in proc.stderr:
        if line.startswith(prefix):
            return time.monotonic()
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"update-data never printed {prefix!r}")


def _wait_for_staging(proc: subprocess.Popen) -> float:
    return _wait_for(proc, "staging a complete raw set")


def _state(data_dir: Path, old: dict, new_ai: str) -> str:
    """'old' or 'new' (complete sets only); anything else fails the test."""
    got = tree_hashes(data_dir / "raw")
    if got == old:
        return "old"
    man = got.pop(sources.MANIFEST, None)
    expected_new = dict(old, **{AI: new_ai})
    assert got == expected_new, "data/raw is neither the old nor the new set"
    assert man is not None, "new files without their manifest"
    entry = json.loads((data_dir / "raw" / sources.MANIFEST).read_text())["files"][AI]
    assert entry["sha256"] == new_ai
    return "new"


def _scenario(tmp_path: Path, i: int) -> Path:
    data_dir = copy_data_dir(tmp_path / f"d{i}")
    install_older_vintage(data_dir, drop_oews_2025=False, wage=False)
    return data_dir


def _window(tmp_path: Path, mirror: Path, mode: str) -> dict[str, float]:
    """Seconds of an uninterrupted run: staging -> swap line, swap line -> swapped line,
    swapped line -> exit."""
    data_dir = _scenario(tmp_path, 999)
    proc = _start(data_dir, mirror, mode)
    t0 = _wait_for_staging(proc)
    t1 = _wait_for(proc, SWAP_LINE)
    t2 = _wait_for(proc, SWAPPED_LINE)
    proc.stderr.read()
    assert proc.wait(timeout=120) == 0
    return {"before": t1 - t0, "during": t2 - t1, "after": time.monotonic() - t2}


#: Three phases, taken in turn: before the swap line (the old set must survive), between the
#: swap and "swapped" lines (old or new), after it (the new set must survive). Anchoring each
#: kill on the line its phase starts at keeps them in their phase on a slow or loaded machine.
PHASES = (("before", "staging a complete raw set"), ("during", SWAP_LINE), ("after", SWAPPED_LINE))


@pytest.mark.slow
@pytest.mark.parametrize("mode, kills", [("exchange", 24), ("rename", 9)])
def test_random_kills_leave_old_or_new_set(tmp_path, mode, kills):
    mirror = build_mirror(tmp_path / "mirror")
    new_ai = tree_hashes(SHIPPED / "raw")[AI]
    window = _window(tmp_path, mirror, mode)
    rng = random.Random(19)
    outcomes: list[tuple[str, float, str]] = []
    restored = 0
    i = 0
    while len(outcomes) < kills and i < kills * 4:
        i += 1
        data_dir = _scenario(tmp_path, i)
        old = tree_hashes(data_dir / "raw")
        proc = _start(data_dir, mirror, mode)
        phase, line = PHASES[len(outcomes) % 3]
        if phase != "before":
            _wait_for_staging(proc)
        t0 = _wait_for(proc, line)
        at = window[phase] * rng.random()
        time.sleep(max(0.0, t0 + at - time.monotonic()))
        alive = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stderr.close()
        if not alive:  # finished before the kill (a faster run than measured): shrink, retry
            window[phase] = min(window[phase], at) * 0.9
            shutil.rmtree(data_dir)
            continue
        if not (data_dir / "raw").is_dir():
            # the two-rename fallback killed between its renames: the next read restores it
            assert mode == "rename"
            assert (data_dir / rawswap.JOURNAL_NAME).is_file()
            rawswap.restore_if_interrupted(data_dir)
            restored += 1
        state = _state(data_dir, old, new_ai)
        assert state == {"before": "old", "after": "new"}.get(phase, state), (phase, at)
        outcomes.append((phase, round(at, 3), state))
        # the next run's start cleans up whatever the kill left
        with rawswap.locked(data_dir):
            rawswap.recover(data_dir)
        leftovers = [p.name for p in data_dir.iterdir()
                     if p.name.startswith((rawswap.STAGING_PREFIX, rawswap.OLD_PREFIX))
                     or p.name == rawswap.JOURNAL_NAME]
        assert leftovers == []
        if len(outcomes) in (1, kills):  # and a full next run completes the update
            proc = _start(data_dir, mirror, mode)
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert _state(data_dir, old, new_ai) == "new"
            block = {r[1]: r for r in provenance.block_rows((data_dir / "SOURCES.md").read_text())}
            assert block[AI][5] == new_ai  # SOURCES.md caught up with data/raw
        shutil.rmtree(data_dir)
    print(f"\n{mode}: {len(outcomes)} kills (phases {window}) -> "
          f"{sum(o == 'old' for *_, o in outcomes)} old, {sum(o == 'new' for *_, o in outcomes)} "
          f"new ({restored} with data/raw missing until the next read restored it); {outcomes}")
    assert len(outcomes) == kills
    assert {o for *_, o in outcomes} == {"old", "new"}, outcomes  # kills straddled the swap
