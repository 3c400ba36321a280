"""Saved scenarios: CRUD, crash safety (SIGKILL mid-write), corrupt file, newer schema, read-only."""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forecasting.scenarios import presets, store
from forecasting.scenarios.assumptions import Assumptions
from forecasting.scenarios.store import ScenarioStore, StoreError

ROOT = Path(__file__).resolve().parents[1]


def test_data_home_env_override(tmp_path, monkeypatch):
    monkeypatch.setenv("MLTALENT_DATA_HOME", str(tmp_path / "x"))
    assert store.data_home() == tmp_path / "x"
    s = ScenarioStore()
    assert s.available and s.path == tmp_path / "x" / "scenarios.sqlite"


def test_save_load_list_rename_delete(tmp_path):
    s = ScenarioStore(tmp_path)
    assert s.available and s.message == "" and s.list() == []
    wef = presets.preset("wef2023").with_changes(shock_year=2027, shock_pct=12.5)
    assert s.save("  My WEF <b>  ", wef) == "My WEF <b>"
    s.save("base", Assumptions())
    assert [x.name for x in s.list()] == ["base", "My WEF <b>"]
    assert s.load("My WEF <b>") == wef
    s.save("base", wef)  # overwrite
    assert s.load("base") == wef
    s.rename("base", "renamed")
    assert [x.name for x in s.list()] == ["My WEF <b>", "renamed"]
    with pytest.raises(StoreError, match="already exists"):
        s.rename("renamed", "My WEF <b>")
    with pytest.raises(StoreError, match="no saved scenario named 'ghost'"):
        s.rename("ghost", "x")
    s.delete("renamed")
    with pytest.raises(StoreError, match="no saved scenario named 'renamed'"):
        s.load("renamed")
    with pytest.raises(StoreError, match="no saved scenario"):
        s.delete("renamed")
    with pytest.raises(StoreError, match="non-empty"):
        s.save("   ", wef)
    # a second store object on the same folder sees the same data
    assert ScenarioStore(tmp_path).load("My WEF <b>") == wef


def test_corrupt_file_is_moved_aside(tmp_path):
    s = ScenarioStore(tmp_path)
    s.save("a", Assumptions())
    s.path.write_bytes(b"this is not a database" * 100)
    s2 = ScenarioStore(tmp_path)
    assert s2.available and "damaged" in s2.message and "moved to" in s2.message
    backups = list(tmp_path.glob("scenarios.corrupt-*.sqlite"))
    assert len(backups) == 1 and backups[0].read_bytes().startswith(b"this is not")
    assert s2.list() == []
    s2.save("b", Assumptions())
    assert [x.name for x in s2.list()] == ["b"]


def test_newer_schema_is_refused_with_message(tmp_path):
    s = ScenarioStore(tmp_path)
    s.save("a", Assumptions())
    with sqlite3.connect(s.path) as conn:
        conn.execute("PRAGMA user_version = 9")
    s2 = ScenarioStore(tmp_path)
    assert not s2.available and "newer version" in s2.message and "schema 9" in s2.message
    with pytest.raises(StoreError, match="newer version"):
        s2.save("b", Assumptions())
    assert s2.list() == []
    assert s.path.exists()  # not moved: it is not corrupt, just newer


def test_newer_assumptions_row_gives_clear_message(tmp_path):
    s = ScenarioStore(tmp_path)
    s._write("future", "baseline", '{"version": 5}')
    with pytest.raises(StoreError, match="cannot be read: .*newer than this app"):
        s.load("future")


def test_read_only_folder_keeps_app_working(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    s = ScenarioStore(blocker / "sub")  # cannot be created, even as root
    assert not s.available and "cannot be written" in s.message
    assert s.list() == []
    with pytest.raises(StoreError, match="Saving is off"):
        s.save("x", Assumptions())
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        try:
            assert not ScenarioStore(ro).available
        finally:
            ro.chmod(0o755)


WRITER = r"""
import sys, random
from forecasting.scenarios.store import ScenarioStore
s = ScenarioStore(sys.argv[1])
payload = '{"name": "' + "x" * 200000 + '"}'
print("ready", flush=True)
i = 0
while True:
    i += 1
    name = f"tmp-{i % 7}"
    s._write(name, "baseline", payload)
    if i % 3 == 0:
        try:
            s.rename(name, f"tmp-r{i}")
            s.delete(f"tmp-r{i}")
        except Exception:
            pass
"""


def test_sigkill_mid_write_keeps_saved_scenarios(tmp_path):
    s = ScenarioStore(tmp_path)
    kept = {}
    rng = random.Random(0)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    kills = mid_write = 0
    for k in range(50):
        a = presets.preset(rng.choice(["baseline", "wef2023", "high", "low"])).with_changes(
            horizon_years=rng.randint(1, 10), name=f"run {k}")
        s.save(f"keep-{k}", a)
        kept[f"keep-{k}"] = a
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], env=env,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.03))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        kills += proc.returncode == -signal.SIGKILL
        mid_write += s.path.with_name(s.path.name + "-journal").exists()  # hot journal left behind
        fresh = ScenarioStore(tmp_path)
        assert fresh.available and fresh.message == ""
        for name, value in kept.items():
            assert fresh.load(name) == value
    assert kills >= 50
    print(f"{kills} kills, {mid_write} left a hot journal (killed inside a transaction)")
    assert mid_write >= 5  # the test really interrupts writes, not just idle processes
    with sqlite3.connect(s.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# ------------------------------------------------------------------ edges (mutation survivors)
def test_data_home_default_is_the_platform_user_data_folder(monkeypatch):
    from platformdirs import user_data_dir

    monkeypatch.delenv("MLTALENT_DATA_HOME", raising=False)
    assert store.data_home() == Path(user_data_dir("mltalent", appauthor=False))
    assert store.data_home().name == "mltalent"


def test_name_rules_and_messages(tmp_path):
    s = ScenarioStore(tmp_path)
    a = Assumptions()
    assert s.save("x" * store.NAME_MAX_CHARS, a) == "x" * store.NAME_MAX_CHARS   # limit allowed
    with pytest.raises(StoreError, match=r"^scenario name is longer than 80 characters$"):
        s.save("x" * (store.NAME_MAX_CHARS + 1), a)
    with pytest.raises(StoreError, match=r"^scenario name must be non-empty text$"):
        s.save(None, a)
    for bad in ("tab\there", "del\x7fhere", "nul\x00"):
        with pytest.raises(StoreError, match=r"^scenario name contains control characters$"):
            s.save(bad, a)
    assert s.save("caf\u00e9 \u0080ok", a) == "caf\u00e9 \u0080ok"   # 128 and up are text


def test_updated_stamp_is_utc_iso(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        s = ScenarioStore(tmp_path)
        before = time.time()
        s.save("a", Assumptions())
        stamp = s.list()[0].updated_utc
        import calendar
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp), stamp
        t = calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))
        assert before - 2 <= t <= time.time() + 1                 # UTC, not New York time
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_corrupt_file_backup_name_and_side_files(tmp_path):
    s = ScenarioStore(tmp_path)
    s.save("a", Assumptions())
    s.path.write_bytes(b"not a database" * 200)
    for suffix in ("-journal", "-wal", "-shm"):
        s.path.with_name(s.path.name + suffix).write_bytes(b"side" + suffix.encode())
    s2 = ScenarioStore(tmp_path)
    assert s2.available and "moved to" in s2.message
    backup = next(tmp_path.glob("scenarios.corrupt-*.sqlite"))
    assert re.fullmatch(rf"scenarios\.corrupt-\d{{8}}-\d{{6}}-{os.getpid()}\.sqlite", backup.name)
    # the -wal is moved as it was (sqlite itself deletes a garbage -journal and rewrites the
    # -shm when it opens the damaged file, so only their absence at the old name is checked)
    assert backup.with_name(backup.name + "-wal").read_bytes() == b"side-wal"
    for suffix in ("-journal", "-wal", "-shm"):
        assert not s.path.with_name(s.path.name + suffix).exists(), suffix
    assert str(backup) in s2.message


def test_sqlite_failure_while_saving_is_a_store_error(tmp_path, monkeypatch):
    s = ScenarioStore(tmp_path)
    real = s._connect

    class Failing:
        def __init__(self):
            self.conn = real()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute(self, *a):
            raise sqlite3.OperationalError("disk I/O error")

        def close(self):
            self.conn.close()

    monkeypatch.setattr(s, "_connect", Failing)
    with pytest.raises(StoreError, match=r"^could not save scenario 'a': disk I/O error$"):
        s.save("a", Assumptions())


def test_a_save_waits_for_another_writer_longer_than_sqlites_default(tmp_path):
    """Another process holds the write lock for 6 s (sqlite3's default busy timeout is 5 s);
    the save waits for it (busy timeout 10 s) instead of failing with 'database is locked'."""
    s = ScenarioStore(tmp_path)
    script = ("import sqlite3, sys, time\n"
              "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
              "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(6)\n"
              "c.execute('COMMIT')")
    holder = subprocess.Popen([sys.executable, "-c", script, str(s.path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        s.save("waited", Assumptions())
        assert time.monotonic() - t0 > 4.0
    finally:
        holder.wait(timeout=30)
        holder.stdout.close()
    assert [x.name for x in s.list()] == ["waited"]


def test_open_messages_and_nested_folder(tmp_path, monkeypatch):
    nested = ScenarioStore(tmp_path / "a" / "b" / "c")
    assert nested.available is True and nested.path.parent == tmp_path / "a" / "b" / "c"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    off = ScenarioStore(blocker / "sub")
    assert off.available is False
    assert off.message == (f"Saving is off: the folder {blocker / 'sub'} cannot be written "
                           "(Not a directory). The app keeps working; set MLTALENT_DATA_HOME to "
                           "a writable folder to save scenarios.")
    s = ScenarioStore(tmp_path / "newer")
    with sqlite3.connect(s.path) as conn:
        conn.execute("PRAGMA user_version = 7")
    assert ScenarioStore(tmp_path / "newer").message.endswith(
        "(store schema 7, this app understands 1). Update the app, or set MLTALENT_DATA_HOME to "
        "another folder.")
    calls = []

    def failing(self):
        calls.append(1)
        raise sqlite3.DatabaseError("bad") if len(calls) == 1 else sqlite3.OperationalError("full")

    monkeypatch.setattr(ScenarioStore, "_init_db", failing)
    (tmp_path / "twice").mkdir()
    (tmp_path / "twice" / store.FILE_NAME).write_bytes(b"x")
    twice = ScenarioStore(tmp_path / "twice")
    assert not twice.available and twice.message.startswith("The saved-scenarios file was damaged")
    assert twice.message.endswith(" Starting the new file failed too (full); saving is off.")

    def oserror(self):
        raise OSError("disk full")

    monkeypatch.setattr(ScenarioStore, "_init_db", oserror)
    full = ScenarioStore(tmp_path / "full")
    assert full.message == f"Saving is off: cannot open {full.path} (disk full)."


def test_backup_stamp_is_utc(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        s = ScenarioStore(tmp_path)
        s.path.write_bytes(b"not a database" * 200)
        before = time.time()
        ScenarioStore(tmp_path)
        name = next(tmp_path.glob("scenarios.corrupt-*.sqlite")).name
        import calendar
        t = calendar.timegm(time.strptime(name.split("-")[1] + name.split("-")[2], "%Y%m%d%H%M%S"))
        assert before - 2 <= t <= time.time() + 1                 # UTC, not Tokyo time
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_page_damaged_inside_the_file_is_caught_by_the_integrity_check(tmp_path):
    s = ScenarioStore(tmp_path)
    for i in range(60):                                   # several 4 kB pages
        s.save(f"s{i:03d}", Assumptions())
    data = bytearray(s.path.read_bytes())
    for page in (2, 3):                                   # cell pointers of b-tree pages
        data[page * 4096 + 100: page * 4096 + 108] = b"\xff" * 8
    s.path.write_bytes(bytes(data))
    s2 = ScenarioStore(tmp_path)
    assert s2.available and s2.message.startswith(
        "The saved-scenarios file was damaged (integrity check: *** in database main ***")
    assert s2.list() == [] and len(list(tmp_path.glob("scenarios.corrupt-*.sqlite"))) == 1


def test_scenario_refs_name_a_preset_or_a_saved_scenario(tmp_path):
    s = ScenarioStore(tmp_path)
    mine = presets.preset("high").with_changes(name="a:b")
    s.save("a:b", mine)
    ref = store.scenario_ref("saved", "a:b")
    assert ref == "saved:a:b" and store.parse_scenario_ref(ref) == ("saved", "a:b")
    assert store.ref_label(ref) == "Saved: a:b" and store.load_ref(ref, s) == mine
    wef = store.scenario_ref("preset", "wef2023")
    assert wef == "preset:wef2023" and store.parse_scenario_ref(wef) == ("preset", "wef2023")
    assert store.ref_label(wef) == "WEF 2023 (assumption)"
    assert store.load_ref(wef, s) == presets.preset("wef2023")
    for bad in ("preset:nope", "wef2023", "other:x"):
        with pytest.raises(store.UserInputError, match="names no preset or saved scenario"):
            store.parse_scenario_ref(bad)
    with pytest.raises(StoreError, match="no saved scenario named 'gone'"):
        store.load_ref("saved:gone", s)
