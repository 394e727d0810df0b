"""The two commands of the README: `make run` and `make test` (checked without running them)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args, **kwargs):
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


def test_make_run_migrates_compiles_seeds_and_serves_on_loopback_8000():
    result = make("-n", "run")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "manage.py" in line]
    steps = [line.split("manage.py", 1)[1].split()[0] for line in lines]
    assert steps == ["migrate", "portal_messages", "seed_demo", "runserver"]
    assert "--compile" in lines[1]
    assert lines[3].rstrip().endswith("runserver 127.0.0.1:8000")


def test_make_test_runs_the_whole_suite():
    result = make("-n", "test")
    assert result.returncode == 0, result.stderr
    pytest_line = [line for line in result.stdout.splitlines() if "-m pytest" in line]
    assert len(pytest_line) == 1
    # No path or marker narrows the run: pyproject's testpaths (tests/) is collected whole.
    assert " tests" not in pytest_line[0] and " -m " not in pytest_line[0].split("pytest", 1)[1]


def test_an_older_python_stops_with_a_message_saying_what_to_install(tmp_path):
    old_python = tmp_path / "python3.11"
    old_python.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Python 3.11.2"; exit 0; fi\nexit 1\n'
    )
    old_python.chmod(0o755)
    venv = tmp_path / "venv"
    result = make("venv", f"PYTHON={old_python}", f"VENV={venv}")
    assert result.returncode != 0
    assert "Python 3.12 or newer is needed" in result.stdout
    assert "found Python 3.11.2" in result.stdout
    assert "pyenv install 3.13" in result.stdout
    assert not venv.exists()
