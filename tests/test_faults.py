"""Faults that matter, through real processes: a saved-scenario overwrite killed (SIGKILL) at
every step, the CLI's internal-error path and Ctrl-C.

The store test traces every SQL statement the overwrite runs (sqlite3's trace callback, which
also sees the implicit BEGIN and the COMMIT) and kills the writer process just before statement
k, for every k, then after the last one: each time a fresh store must load the old or the new
version of the scenario, never lose it. Splitting the overwrite into two transactions (delete,
then insert) fails here.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from forecasting.scenarios import presets
from forecasting.scenarios.store import ScenarioStore

ROOT = Path(__file__).resolve().parents[1]

OVERWRITER = textwrap.dedent(r"""
    import os, signal, sys
    from forecasting.scenarios import presets
    from forecasting.scenarios.store import ScenarioStore

    folder, kill_at = sys.argv[1], int(sys.argv[2])
    store = ScenarioStore(folder)
    seen = []
    connect = store._connect

    def traced():
        conn = connect()
        def on_statement(sql):
            seen.append(sql)
            if len(seen) == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
        conn.set_trace_callback(on_statement)
        return conn

    store._connect = traced
    new = presets.preset("high").with_changes(name="new version", horizon_years=7)
    store.save("plan", new)
    store.save("other", new)            # a second write: kills land in it too
    print(len(seen), flush=True)
    for sql in seen:
        print(" ".join(sql.split())[:60], flush=True)
    if kill_at == len(seen) + 1:       # killed after every statement, before a clean exit
        os.kill(os.getpid(), signal.SIGKILL)
""")


def _run_overwriter(folder: Path, kill_at: int) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", OVERWRITER, str(folder), str(kill_at)],
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def test_overwrite_killed_at_every_step_keeps_old_or_new_version(tmp_path):
    old = presets.preset("wef2023").with_changes(name="old version", horizon_years=4)
    new = presets.preset("high").with_changes(name="new version", horizon_years=7)
    pristine = tmp_path / "pristine"
    s = ScenarioStore(pristine)
    s.save("plan", old)
    s.save("keep", old)
    # a clean run: count the statements of the two saves
    clean = tmp_path / "clean"
    shutil.copytree(pristine, clean)
    done = _run_overwriter(clean, 10**6)
    assert done.returncode == 0, done.stderr[-2000:]
    n_statements = int(done.stdout.splitlines()[0])
    statements = done.stdout.splitlines()[1:]
    assert any(st.startswith("BEGIN") for st in statements), statements
    assert any(st.startswith("COMMIT") for st in statements), statements
    assert ScenarioStore(clean).load("plan") == new
    outcomes = []
    for k in range(1, n_statements + 2):
        folder = tmp_path / f"kill-{k}"
        shutil.copytree(pristine, folder)
        proc = _run_overwriter(folder, k)
        assert proc.returncode == -signal.SIGKILL, (k, proc.returncode, proc.stderr[-2000:])
        fresh = ScenarioStore(folder)
        assert fresh.available and fresh.message == "", (k, fresh.message)
        names = {x.name for x in fresh.list()}
        assert {"plan", "keep"} <= names <= {"plan", "keep", "other"}, (k, names)
        got = fresh.load("plan")
        assert got in (old, new), (k, got)
        assert fresh.load("keep") == old
        outcomes.append("new" if got == new else "old")
    # the kills really straddle the commit: early ones keep the old version, late ones the new
    assert outcomes[0] == "old" and outcomes[-1] == "new", outcomes
    print(f"{n_statements} statements; outcomes by kill point: {outcomes}")


# --------------------------------------------------------------------------- CLI processes
FAULT_HOOK = textwrap.dedent(r"""
    # sitecustomize for a test: make the forecasting engine fail or hang, as a bug would
    import os, time
    mode = os.environ.get("MLTALENT_TEST_FAULT")
    if mode:
        import forecasting.postings.engine as m

        def fault(self, *a, **k):
            if mode == "raise":
                raise RuntimeError("simulated bug in the engine")
            open(os.environ["MLTALENT_TEST_MARKER"], "w").close()
            time.sleep(120)

        m.SeriesEngine.forecast = fault
""")


def _monthly_csv(path: Path) -> Path:
    rows = ["series_id,ds,y"] + [f"a,{2020 + i // 12}-{i % 12 + 1:02d}-01,{10 + i}"
                                 for i in range(30)]
    path.write_text("\n".join(rows) + "\n")
    return path


def _cli(tmp_path: Path, mode: str, extra_env: dict | None = None) -> tuple[list[str], dict, Path]:
    """(argv, env, output path) of a real ``python -m forecasting predict`` run whose engine
    raises (mode "raise") or hangs after touching a marker file (mode "hang")."""
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(FAULT_HOOK)
    env = dict(os.environ, PYTHONPATH=f"{hook}{os.pathsep}{ROOT}", MLTALENT_TEST_FAULT=mode,
               MLTALENT_TEST_MARKER=str(tmp_path / "started"),
               MLTALENT_CACHE_DIR=str(tmp_path / "cache"), **(extra_env or {}))
    if "MLTALENT_DEBUG" not in (extra_env or {}):
        env.pop("MLTALENT_DEBUG", None)
    out = tmp_path / "out.csv"
    argv = [sys.executable, "-m", "forecasting", "predict", "--input",
            str(_monthly_csv(tmp_path / "in.csv")), "--horizon", "3", "--output", str(out)]
    return argv, env, out


def test_internal_error_is_one_line_exit_1_no_traceback(tmp_path):
    argv, env, out = _cli(tmp_path, "raise")
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = proc.stderr.splitlines()
    expected = ("error: unexpected failure (RuntimeError: simulated bug in the engine); "
                "rerun with MLTALENT_DEBUG=1 for details")
    assert lines == [expected], proc.stderr[-2000:]
    assert "Traceback" not in proc.stdout and not out.exists()
    # the hint is true: with MLTALENT_DEBUG=1 the same fault shows its traceback
    argv, env, out = _cli(tmp_path, "raise", {"MLTALENT_DEBUG": "1"})
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 1 and "Traceback" in proc.stderr
    assert "RuntimeError: simulated bug in the engine" in proc.stderr


def test_ctrl_c_exits_130_with_one_line_and_no_output(tmp_path):
    argv, env, out = _cli(tmp_path, "hang")
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    marker = tmp_path / "started"
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the command never reached the engine"
    proc.send_signal(signal.SIGINT)          # what Ctrl-C sends to the foreground process
    try:
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, (proc.returncode, stderr[-2000:])
    assert stderr.splitlines() == ["interrupted"], stderr[-2000:]
    assert "Traceback" not in stdout + stderr
    assert not out.exists() and not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".out*"))


def test_fault_hook_is_inert_without_the_variable(tmp_path):
    """Control: the same command without the fault succeeds, so exit 1/130 above is the fault."""
    argv, env, out = _cli(tmp_path, "raise")
    env.pop("MLTALENT_TEST_FAULT")
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.exists()
