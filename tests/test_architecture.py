"""The layout's rules, checked on the source (docs/ARCHITECTURE.md draws them): which package may
import which, no streamlit in the library, no import-time side effects, modules and pages small."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "forecasting"

#: package -> the other forecasting packages it may import (directly or lazily inside functions)
ALLOWED = {
    "core": set(),
    "sources": {"core"},
    "headcount": {"core", "sources"},
    "postings": {"core", "sources"},
    "salaries": {"core", "sources"},
    "scenarios": {"core", "sources", "headcount"},
    "viz": {"core", "sources", "headcount"},
    "workflows": {"core", "sources", "headcount", "postings"},
    "cli": {"core", "sources", "headcount", "postings", "salaries", "scenarios", "viz", "workflows"},
}
MAX_MODULE_LINES = 420
MAX_PAGE_LINES = 150


def _imports(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names]
    return out


def _modules() -> list[Path]:
    return sorted(p for p in LIB.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_package_is_in_the_dependency_map():
    packages = {p.name for p in LIB.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(ALLOWED)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(LIB)))
def test_imports_follow_the_allowed_directions(path):
    rel = path.relative_to(LIB)
    own = rel.parts[0] if len(rel.parts) > 1 else None
    for mod in _imports(path):
        top = mod.split(".")[0]
        assert top != "streamlit", f"{rel} imports streamlit: the library must run without it"
        assert top not in ("ui", "pages", "dashboard", "tests", "bench"), f"{rel} imports {mod}"
        if top == "forecasting" and own is not None and "." in mod:
            target = mod.split(".")[1]
            assert target == own or target in ALLOWED[own], (
                f"{rel}: package {own!r} may not import {mod!r} (allowed: {sorted(ALLOWED[own])})")


def test_modules_and_pages_stay_small():
    big = {str(p.relative_to(ROOT)): n for p in _modules()
           if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert big == {}
    pages = {p.name: n for p in (ROOT / "pages").glob("*.py")
             if (n := len(p.read_text().splitlines())) > MAX_PAGE_LINES}
    assert pages == {}


def test_package_inits_hold_only_a_docstring():
    for init in LIB.rglob("__init__.py"):
        body = ast.parse(init.read_text()).body
        assert len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant), init


def test_importing_the_library_changes_no_process_state():
    """BLAS threads are set by the entry points (cli.main, dashboard.py), not by an import."""
    code = ("import os, sys; before = dict(os.environ); import forecasting, forecasting.core, "
            "forecasting.headcount.projection, forecasting.postings.engine, forecasting.viz.headcount; "
            "changed = {k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k)}; "
            "print(sorted(changed)); print('streamlit' in sys.modules)")
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["[]", "False"]
