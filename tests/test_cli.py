"""The CLI frame: every command registers, and --help works for the tool and each command."""

import subprocess
import sys

import pytest

from forecasting.cli import main as cli


def test_every_command_registers():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(cli.COMMANDS)


@pytest.mark.parametrize("argv", [[]] + [[c] for c in cli.COMMANDS])
def test_help_exits_zero(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv + ["--help"])
    assert exc.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_unknown_command_is_one_line_exit_2():
    proc = subprocess.run([sys.executable, "-m", "forecasting", "nosuch"], capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_console_script_mltalent_is_python_m_forecasting():
    """pyproject.toml's console script: `mltalent` is `python -m forecasting` (same parser)."""
    from pathlib import Path

    exe = Path(sys.executable).with_name("mltalent")
    assert exe.exists(), "the project is not installed: `make setup` runs `pip install -e .`"
    ours = subprocess.run([str(exe), "project", "--help"], capture_output=True, text=True, timeout=120)
    ref = subprocess.run([sys.executable, "-m", "forecasting", "project", "--help"], capture_output=True,
                         text=True, timeout=120)
    assert ours.returncode == ref.returncode == 0
    assert ours.stdout == ref.stdout and "--by" in ours.stdout
    bad = subprocess.run([str(exe), "no-such-command"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.startswith("error:")
