"""scripts/_venv.sh: ./scripts/test and ./scripts/run share one .venv and install it once.

The venv's python is a stand-in that writes down each `pip install` it is asked for, so the
real script logic (the stamp, the extras) runs in milliseconds, with no network.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _ensure(venv: Path, extras: str) -> None:
    subprocess.run(
        ["bash", "-c", f'source "{REPO}/scripts/_venv.sh"; ensure_venv "{extras}"'],
        env={"PATH": "/usr/bin:/bin", "EDGEPAC_VENV": str(venv)},
        check=True,
        capture_output=True,
        timeout=30,
    )


def _installs(venv: Path) -> list[str]:
    log = venv / "pip-calls"
    lines = log.read_text().splitlines() if log.exists() else []
    return [line.split()[-1] for line in lines if "install -e" in line]


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    """A venv whose python only writes down what it is asked to run."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "$*" >> "{venv}/pip-calls"\n')
    python.chmod(0o755)
    return venv


def test_alternating_test_and_run_installs_once(venv: Path) -> None:
    _ensure(venv, "[test]")  # ./scripts/test
    assert _installs(venv) == [f"{REPO}[test]"]
    _ensure(venv, "")  # ./scripts/run: the test install has everything it needs
    _ensure(venv, "[test]")
    _ensure(venv, "")
    assert len(_installs(venv)) == 1


def test_run_first_then_test_adds_the_extra_once(venv: Path) -> None:
    _ensure(venv, "")
    _ensure(venv, "[test]")
    _ensure(venv, "")
    _ensure(venv, "[test]")
    assert _installs(venv) == [str(REPO), f"{REPO}[test]"]
    # A changed pyproject.toml is a new install (the stamp's first line is its checksum).
    stamp = venv / ".edgepac-installed"
    stamp.write_text("0" * 64 + "\ntest\n")
    _ensure(venv, "")
    assert _installs(venv)[-1] == f"{REPO}[test]"  # keeps the extra it had
