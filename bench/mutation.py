"""Mutation score of the numeric core: mutmut (pinned in requirements-dev.txt) per module, each
against the fastest test subset that exercises it; prints the score per module and every
surviving mutant that is not a reviewed equivalent (bench/mutation_equivalent.txt).

One command: ``.venv/bin/python bench/mutation.py [MODULE ...] [--jobs 2]``. MODULE is a file
under forecasting/ (``postings/engine`` or ``forecasting/postings/engine.py``); default: the
postings model and input modules, backtest, salaries/bands, store. Modules without an entry in TESTS
need ``--tests``.

How: for each module, a scratch copy of the tracked files (plus data/processed) in a temporary
folder, a setup.cfg for mutmut there (only that module mutated; the module's test subset), then
``mutmut run``. mutmut first traces which tests reach which function, then runs each mutant
against only those tests in a forked child, fastest first, stopping at the first failure.
Killed = a test failed or timed out; survived = all its tests passed; no tests = no selected
test reaches the function (counted as surviving). Score = killed / (mutants - reviewed
equivalents). A mutant's key for the equivalents file is ``module:function: old => new`` (the
changed line), stable under edits elsewhere in the module.

mutmut mutates only code inside functions and methods (not module-level constants).
Timing and results: bench/results/mutation.md.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import fnmatch
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT_FILE = ROOT / "bench" / "mutation_equivalent.txt"
POSTINGS_MODELS = ("engine", "ets", "theta", "statespace", "simple", "seasonality", "frequency",
                   "frames", "base", "ensemble", "families")
POSTINGS_INPUTS = ("read", "rules", "text", "columns", "values", "spacing")
DEFAULT_MODULES = ("postings/engine", "postings/ets", "postings/seasonality", "postings/backtest",
                   "salaries/bands", "postings/inputs/text", "postings/inputs/columns",
                   "postings/inputs/values", "postings/inputs/spacing", "scenarios/store")
_MODELS_TESTS = ["tests/test_models.py", "tests/test_seasonality.py", "tests/test_golden_models.py",
                 "tests/test_backtest.py"]
# the property tests (hypothesis, ~25 s) and the 10,000-series timing are left out: each
# surviving mutant would pay for them
_INPUTS_TESTS = (["tests/test_inputs.py",
                  "tests/test_cli_errors.py::test_bad_input_messages_name_the_problem"],
                 ["-k", "not property and not ten_thousand"])

#: fastest test subset per module (pytest node ids / files) and extra pytest arguments
TESTS: dict[str, tuple[list[str], list[str]]] = {
    # forecasting/postings/*: keyed by the path under forecasting/ (stems such as engine and
    # backtest are taken twice); looked up before the stem
    **{f"postings/{m}": (_MODELS_TESTS, []) for m in POSTINGS_MODELS},
    **{f"postings/inputs/{m}": _INPUTS_TESTS for m in POSTINGS_INPUTS},
    "postings/backtest": (["tests/test_backtest.py", "tests/test_golden_models.py"], []),
    "bands": (["tests/test_salaries.py"], []),
    "oews_percentiles": (["tests/test_salaries.py"], []),
    "salaries/projection": (["tests/test_salaries.py", "tests/test_numerics.py"], []),
    "store": (["tests/test_store.py",
               "tests/test_faults.py::test_overwrite_killed_at_every_step_keeps_old_or_new_version"],
              []),
    # forecasting/headcount/*: keyed by file stem; by path where another package has the stem
    "headcount/projection": (["tests/test_headcount.py"], []),
    "model": (["tests/test_headcount_model.py"], []),
    # the phi-recovery simulations (~30 s each) are left out: each surviving mutant would pay
    "calibration": (["tests/test_headcount_calibration.py"], ["-k", "not recovered"]),
    "headcount/backtest": (["tests/test_headcount_backtest.py"], []),
    "panel": (["tests/test_headcount_panel.py"], []),
    # forecasting/scenarios/*: keyed by file stem, like every entry here
    "assumptions": (["tests/test_assumptions.py", "tests/test_scenarios.py"], []),
    "presets": (["tests/test_scenarios.py"], []),
    "urlcodec": (["tests/test_urlcodec.py", "tests/test_scenarios.py"], []),
    "engine": (["tests/test_scenarios.py"], []),
    "analysis": (["tests/test_scenarios.py"], []),
    "headlines": (["tests/test_headlines.py"], []),
}
#: "validation parts": functions of a module the score is reported for (None = all)
ONLY_FUNCTIONS: dict[str, tuple[str, ...] | None] = {}

STATUS_KILLED = {"killed", "timeout"}


@dataclass
class ModuleResult:
    module: str
    seconds: float
    n_mutants: int = 0                                          # generated (sampled or not)
    statuses: dict[str, str] = field(default_factory=dict)      # mutant name -> status
    keys: dict[str, str] = field(default_factory=dict)          # mutant name -> stable key
    diffs: dict[str, str] = field(default_factory=dict)


def module_path(name: str) -> str:
    p = name if name.endswith(".py") else f"forecasting/{name}.py"
    if not (ROOT / p).is_file():
        raise SystemExit(f"error: no module {p}")
    return p


def short(path: str) -> str:
    return Path(path).stem


def scratch_copy(dest: Path) -> None:
    """Tracked files (the working tree's content) and the processed-data cache."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for f in filter(None, files):
        src = ROOT / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)
    if (ROOT / "data" / "processed").is_dir():
        shutil.copytree(ROOT / "data" / "processed", dest / "data" / "processed",
                        dirs_exist_ok=True)


def write_config(dest: Path, path: str, tests: list[str], extra: list[str]) -> None:
    lines = ["[mutmut]", f"source_paths = {path}", "also_copy ="]
    lines += [f"    {d}" for d in ("forecasting/", "data/", "tests/", "bench/", "pytest.ini")]
    lines += ["pytest_add_cli_args ="] + [f"    {a}" for a in ["-p", "no:cacheprovider", *extra]]
    lines += ["pytest_add_cli_args_test_selection ="] + [f"    {t}" for t in tests]
    (dest / "setup.cfg").write_text("\n".join(lines) + "\n")


def mutmut_bin() -> str:
    exe = Path(sys.executable).parent / "mutmut"
    if not exe.exists():
        raise SystemExit("error: mutmut is not installed; run: .venv/bin/pip install -r "
                         "requirements-dev.txt")
    return str(exe)


def function_sources(mutated_file: Path) -> dict[str, str]:
    """Source of every function in mutmut's generated module, by name (mutants and origs)."""
    text = mutated_file.read_text()
    lines = text.splitlines()
    out = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and "__mutmut_" in node.name:
            out[node.name] = "\n".join(lines[node.lineno - 1: node.end_lineno])
    return out


def mutant_key(module: str, name: str, sources: dict[str, str]) -> tuple[str, str]:
    """(stable key, unified diff) of one mutant against its original function."""
    local = name.rsplit(".", 1)[-1]
    base, _, _ = local.rpartition("__mutmut_")
    orig, mut = sources.get(f"{base}__mutmut_orig", ""), sources.get(local, "")
    a = orig.splitlines()
    b = mut.replace(local, f"{base}__mutmut_orig", 1).splitlines()  # def lines compare too
    diff_lines = list(difflib.unified_diff(a, b, lineterm="", n=1))
    minus = [x[1:].strip() for x in diff_lines[2:] if x.startswith("-")]
    plus = [x[1:].strip() for x in diff_lines[2:] if x.startswith("+")]
    diff = "\n".join(diff_lines[2:])
    func = base.replace("xǁ", "").replace("ǁ", ".")
    func = func.removeprefix("x_")
    key = f"{module}:{func}: {' | '.join(minus)} => {' | '.join(plus)}"
    return key.replace(f"{base}__mutmut_orig", func.rsplit(".", 1)[-1]), diff


def _mutmut(args: list[str], work: Path, env: dict) -> None:
    run = subprocess.run([mutmut_bin(), *args], cwd=work, env=env, capture_output=True,
                         text=True, check=False)
    if run.returncode != 0:
        sys.stderr.write(run.stdout[-3000:] + run.stderr[-3000:])
        raise SystemExit(f"error: mutmut {args[0]} failed in {work} (exit {run.returncode})")


def _results(work: Path, env: dict) -> dict[str, str]:
    """mutant name -> status ("killed", "survived", "timeout", "no tests", "not checked", ...)."""
    out = subprocess.run([mutmut_bin(), "results", "--all", "true"], cwd=work, env=env,
                         capture_output=True, text=True, check=True).stdout
    found = (re.match(r"\s*(\S+__mutmut_\d+): (.+)$", line) for line in out.splitlines())
    return {m.group(1): m.group(2).strip() for m in found if m}


def run_module(path: str, tests: list[str], extra: list[str], jobs: int, sample: int, seed: int,
               keep: Path | None, only: list[str] | None = None) -> ModuleResult:
    module = short(path)
    work = Path(tempfile.mkdtemp(prefix=f"mutation-{module}-"))
    try:
        scratch_copy(work)
        write_config(work, path, tests, extra)
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                   MKL_NUM_THREADS="1", PYTHONWARNINGS="ignore",
                   MLTALENT_CACHE_DIR=str(work / "mutants" / "data" / "processed"))
        env.pop("MLTALENT_DEBUG", None)
        t0 = time.perf_counter()
        # 1) generate every mutant, trace which tests reach which function, run one mutant
        dotted = path[:-3].replace("/", ".")
        first = next(n.name for n in ast.parse((ROOT / path).read_text()).body
                     if isinstance(n, ast.FunctionDef))
        try:
            _mutmut(["run", "--max-children", str(jobs), f"{dotted}.x_{first}__mutmut_1"], work,
                    env)
        except SystemExit:  # that function has no mutant: one of every function instead
            _mutmut(["run", "--max-children", str(jobs), f"{dotted}.*__mutmut_1"], work, env)
        names = sorted(_results(work, env))
        # 2) the rest, or a seeded sample of it: the time bound
        chosen = names if not sample or len(names) <= sample else sorted(
            random.Random(f"{seed}:{path}").sample(names, sample))
        if only:
            chosen = [n for n in chosen if any(fnmatch.fnmatch(n, p) for p in only)]
        rest = [n for n in chosen if n != f"{dotted}.x_{first}__mutmut_1"]
        if rest:
            _mutmut(["run", "--max-children", str(jobs), *rest], work, env)
        seconds = time.perf_counter() - t0
        statuses = _results(work, env)
        result = ModuleResult(module, seconds, len(names))
        result.statuses = {n: statuses[n] for n in chosen}
        sources = function_sources(work / "mutants" / path)
        for name in result.statuses:
            result.keys[name], result.diffs[name] = mutant_key(module, name, sources)
        return result
    finally:
        if keep is not None:
            shutil.copytree(work, keep / module, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def load_equivalents() -> dict[str, str]:
    """key -> reason from bench/mutation_equivalent.txt (``KEY ## reason`` lines)."""
    out = {}
    if EQUIVALENT_FILE.exists():
        for line in EQUIVALENT_FILE.read_text().splitlines():
            if line.strip() and not line.startswith("#") and " ## " in line:
                key, reason = line.split(" ## ", 1)
                out[key.strip()] = reason.strip()
    return out


def report(results: list[ModuleResult], equivalents: dict[str, str], show_all: bool) -> bool:
    rows, ok = [], True
    survivors_out = []
    for r in results:
        only = ONLY_FUNCTIONS.get(r.module)
        names = [n for n in r.statuses
                 if only is None or any(f":{f}:" in r.keys[n] for f in only)]
        killed = [n for n in names if r.statuses[n] in STATUS_KILLED]
        alive = [n for n in names if r.statuses[n] not in STATUS_KILLED]
        equiv = [n for n in alive if r.keys[n] in equivalents]
        open_ = [n for n in alive if r.keys[n] not in equivalents]
        denom = len(names) - len(equiv)
        score = len(killed) / denom if denom else float("nan")
        ok &= score >= 0.85
        no_tests = sum(r.statuses[n] == "no tests" for n in alive)
        half = 1.96 * (score * (1 - score) / denom) ** 0.5 if denom else float("nan")
        ci = f"+-{half:.1%}" if len(r.statuses) < r.n_mutants else "(all)"
        raw = len(killed) / len(names) if names else float("nan")
        rows.append(f"{r.module:<10} {r.n_mutants:>7} {len(names):>7} {len(killed):>7} "
                    f"{len(equiv):>10} {len(open_):>9} {no_tests:>8} {raw:>6.1%} {score:>7.1%} "
                    f"{ci:>7} {r.seconds:>7.0f}")
        for n in open_:
            survivors_out.append(f"{r.keys[n]}   [{r.statuses[n]}; {n}]")
            if show_all:
                survivors_out.append("    " + r.diffs[n].replace("\n", "\n    "))
    print(f"{'module':<10} {'mutants':>7} {'run':>7} {'killed':>7} {'equivalent':>10} "
          f"{'surviving':>9} {'no tests':>8} {'raw':>6} {'score':>7} {'95% CI':>7} {'seconds':>7}")
    print("\n".join(rows))
    print("raw = killed (incl. timeouts) / run; score = killed / (run - reviewed equivalents), "
          "target >= 85%; 95% CI: binomial half-width when a sample was run")
    if survivors_out:
        print("\nSurviving mutants (not reviewed as equivalent):")
        print("\n".join(survivors_out))
    else:
        print("\nNo surviving mutant outside bench/mutation_equivalent.txt.")
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modules", nargs="*", default=list(DEFAULT_MODULES),
                    help="modules under forecasting/ (default: %(default)s)")
    ap.add_argument("--tests", nargs="+", help="test files/node ids (override the TESTS table)")
    ap.add_argument("--jobs", type=int, default=2, help="mutants run in parallel (default 2)")
    ap.add_argument("--diffs", action="store_true", help="print the diff of each survivor")
    ap.add_argument("--sample", type=int, default=300,
                    help="run a seeded random sample of this many mutants per module when it "
                         "has more (0 = all; default %(default)s)")
    ap.add_argument("--seed", type=int, default=0, help="sample seed (default 0)")
    ap.add_argument("--mutants", nargs="+", metavar="PATTERN",
                    help="only these mutants of the sample (fnmatch patterns of mutmut names, "
                         "e.g. to re-check earlier survivors after adding tests)")
    ap.add_argument("--keep", type=Path, help="copy mutmut's work folders here (debugging)")
    args = ap.parse_args(argv)
    results = []
    for name in args.modules:
        path = module_path(name)
        key = Path(path).with_suffix("").as_posix().removeprefix("forecasting/")
        tests, extra = ((args.tests, []) if args.tests
                        else TESTS.get(key, TESTS.get(short(path), (None, []))))
        if not tests:
            raise SystemExit(f"error: no test subset known for {path}; pass --tests")
        print(f"mutating {path} against {' '.join(tests)} ...", file=sys.stderr, flush=True)
        results.append(run_module(path, tests, extra, args.jobs, args.sample, args.seed,
                                  args.keep, args.mutants))
        r = results[-1]
        print(f"  {len(r.statuses)} of {r.n_mutants} mutants in {r.seconds:.0f} s",
              file=sys.stderr, flush=True)
    ok = report(results, load_equivalents(), args.diffs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
