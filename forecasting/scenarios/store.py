"""Saved scenarios in SQLite, in the user's data folder.

Why SQLite: each save/rename/delete is one transaction, so a crash or a killed process mid-write
leaves either the old or the new state, never a half-written file. The folder comes from
platformdirs (``user_data_dir("mltalent")``), overridable with ``MLTALENT_DATA_HOME``.

Failure modes never stop the app: a damaged file is moved aside as a backup and a fresh database
is started (with a message saying where the backup is); a database written by a newer app, or a
folder we cannot write, makes the store *unavailable* (``available is False``, ``message`` says
why) and every write raises ``StoreError`` with that message.

This module does not import pandas at import time, so a writer process starts fast.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from forecasting.core.errors import UserInputError
from forecasting.scenarios import presets
from forecasting.scenarios.assumptions import NAME_MAX_CHARS, Assumptions

STORE_SCHEMA = 1
FILE_NAME = "scenarios.sqlite"


class StoreError(UserInputError):
    """A save/load problem explained for a person."""


def data_home() -> Path:
    """Folder for saved scenarios: ``MLTALENT_DATA_HOME`` or the platform's user data folder."""
    env = os.environ.get("MLTALENT_DATA_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("mltalent", appauthor=False))


@dataclass(frozen=True)
class SavedScenario:
    name: str
    preset: str
    updated_utc: str


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise StoreError("scenario name must be non-empty text")
    name = name.strip()
    if len(name) > NAME_MAX_CHARS:
        raise StoreError(f"scenario name is longer than {NAME_MAX_CHARS} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise StoreError("scenario name contains control characters")
    return name


class ScenarioStore:
    """Named scenarios; construct it, then check ``available`` and ``message``."""

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder is not None else data_home()
        self.path = self.folder / FILE_NAME
        self.available = False
        #: Something the user should read (backup made, read-only folder, newer schema), or "".
        self.message = ""
        self._open()

    # ------------------------------------------------------------------ opening and recovery
    def _open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            probe = self.folder / f".write-test-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            self.message = (f"Saving is off: the folder {self.folder} cannot be written "
                            f"({exc.strerror or exc}). The app keeps working; set "
                            "MLTALENT_DATA_HOME to a writable folder to save scenarios.")
            return
        try:
            self._init_db()
        except _NewerSchema as exc:
            self.message = str(exc)
            return
        except sqlite3.DatabaseError as exc:
            backup = self._move_aside()
            self.message = (f"The saved-scenarios file was damaged ({exc}); it was moved to "
                            f"{backup} and a new, empty one was started.")
            try:
                self._init_db()
            except (sqlite3.Error, _NewerSchema) as exc2:  # pragma: no cover - disk trouble
                self.message += f" Starting the new file failed too ({exc2}); saving is off."
                return
        except OSError as exc:  # pragma: no cover - e.g. disk full
            self.message = f"Saving is off: cannot open {self.path} ({exc})."
            return
        self.available = True

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    def _init_db(self) -> None:
        conn = self._connect()
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > STORE_SCHEMA:
                raise _NewerSchema(
                    f"Saving is off: {self.path} was written by a newer version of this app "
                    f"(store schema {version}, this app understands {STORE_SCHEMA}). Update the "
                    "app, or set MLTALENT_DATA_HOME to another folder.")
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"integrity check: {check}")
            with conn:
                conn.execute("CREATE TABLE IF NOT EXISTS scenarios (name TEXT PRIMARY KEY, "
                             "preset TEXT NOT NULL, assumptions_json TEXT NOT NULL, "
                             "updated_utc TEXT NOT NULL)")
                conn.execute(f"PRAGMA user_version = {STORE_SCHEMA}")
        finally:
            conn.close()

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        backup = self.path.with_name(f"{self.path.stem}.corrupt-{stamp}-{os.getpid()}.sqlite")
        os.replace(self.path, backup)
        for suffix in ("-journal", "-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                os.replace(side, backup.with_name(backup.name + suffix))
        return backup

    def _require(self) -> None:
        if not self.available:
            raise StoreError(self.message or "saving is not available")

    # ------------------------------------------------------------------ operations
    def save(self, name: str, assumptions: Assumptions) -> str:
        """Insert or overwrite ``name``; returns the cleaned name."""
        return self._write(_check_name(name), assumptions.preset, assumptions.to_json())

    def _write(self, name: str, preset: str, payload: str) -> str:
        self._require()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        conn = self._connect()
        try:
            with conn:  # one transaction: all or nothing
                conn.execute("INSERT INTO scenarios (name, preset, assumptions_json, updated_utc) "
                             "VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                             "preset=excluded.preset, assumptions_json=excluded.assumptions_json, "
                             "updated_utc=excluded.updated_utc", (name, preset, payload, stamp))
        except sqlite3.Error as exc:
            raise StoreError(f"could not save scenario {name!r}: {exc}") from None
        finally:
            conn.close()
        return name

    def load(self, name: str) -> Assumptions:
        self._require()
        conn = self._connect()
        try:
            row = conn.execute("SELECT assumptions_json FROM scenarios WHERE name = ?",
                               (name,)).fetchone()
        finally:
            conn.close()
        if row is None:
            raise StoreError(f"no saved scenario named {name!r}")
        try:
            return Assumptions.from_json(row[0])
        except UserInputError as exc:
            raise StoreError(f"saved scenario {name!r} cannot be read: {exc}") from None

    def list(self) -> list[SavedScenario]:
        if not self.available:
            return []
        conn = self._connect()
        try:
            rows = conn.execute("SELECT name, preset, updated_utc FROM scenarios "
                                "ORDER BY name COLLATE NOCASE").fetchall()
        finally:
            conn.close()
        return [SavedScenario(*r) for r in rows]

    def rename(self, old: str, new: str) -> str:
        self._require()
        new = _check_name(new)
        conn = self._connect()
        try:
            with conn:
                if conn.execute("SELECT 1 FROM scenarios WHERE name = ?", (new,)).fetchone():
                    raise StoreError(f"a scenario named {new!r} already exists")
                cur = conn.execute("UPDATE scenarios SET name = ? WHERE name = ?", (new, old))
                if cur.rowcount == 0:
                    raise StoreError(f"no saved scenario named {old!r}")
        finally:
            conn.close()
        return new

    def delete(self, name: str) -> None:
        self._require()
        conn = self._connect()
        try:
            with conn:
                cur = conn.execute("DELETE FROM scenarios WHERE name = ?", (name,))
        finally:
            conn.close()
        if cur.rowcount == 0:
            raise StoreError(f"no saved scenario named {name!r}")


class _NewerSchema(Exception):
    pass


# --------------------------------------------------------------------------- scenario references
#: A scenario picked by reference (the Scenarios page's compare list): ``preset:<preset id>`` or
#: ``saved:<saved name>``.
REF_KINDS = ("preset", "saved")


def scenario_ref(kind: str, name: str) -> str:
    """The reference of a preset (``kind="preset"``) or a saved scenario (``kind="saved"``)."""
    if kind not in REF_KINDS:
        raise UserInputError(f"scenario reference kind {kind!r} is not one of {', '.join(REF_KINDS)}")
    return f"{kind}:{name}"


def parse_scenario_ref(ref: str) -> tuple[str, str]:
    """``(kind, name)`` of a reference; a saved name may itself contain colons."""
    kind, sep, name = ref.partition(":")
    if not sep or kind not in REF_KINDS or (kind == "preset" and name not in presets.PRESETS):
        raise UserInputError(f"{ref!r} names no preset or saved scenario")
    return kind, name


def ref_label(ref: str) -> str:
    """Display name: the preset's title, or ``Saved: <name>``."""
    kind, name = parse_scenario_ref(ref)
    return presets.PRESETS[name].title if kind == "preset" else f"Saved: {name}"


def load_ref(ref: str, store: ScenarioStore) -> Assumptions:
    """The Assumptions a reference names (a saved one is read from ``store``)."""
    kind, name = parse_scenario_ref(ref)
    return presets.preset(name) if kind == "preset" else store.load(name)
