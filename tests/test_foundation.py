"""The shared plumbing: atomic writes, user dirs, the CLI's error contract."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from edgepac import atomic, paths
from edgepac.cli import main


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    atomic.atomic_write_bytes(target, b"old")
    atomic.atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]  # no temp files left behind


def test_failed_atomic_write_keeps_old_file(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic.atomic_write(target) as f:
        f.write(b"half")
        raise RuntimeError("power cut")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_leftovers_of_a_killed_write_are_swept(tmp_path: Path) -> None:
    target = tmp_path / "head.npz"
    old_tmp = tmp_path / ".head.npz.abc123.tmp"
    old_tmp.write_bytes(b"half of a head")
    long_ago = time.time() - atomic.STALE_TMP_S - 60
    os.utime(old_tmp, (long_ago, long_ago))
    fresh_tmp = tmp_path / ".head.npz.def456.tmp"  # may be another writer's, right now
    fresh_tmp.write_bytes(b"in progress")
    atomic.atomic_write_bytes(target, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".head.npz.def456.tmp", "head.npz"]


def test_move_aside_never_overwrites(tmp_path: Path) -> None:
    for content in (b"a", b"b"):
        f = tmp_path / "store.npz"
        f.write_bytes(content)
        atomic.move_aside(f)
    assert (tmp_path / "store.npz.corrupt").read_bytes() == b"a"
    assert (tmp_path / "store.npz.corrupt.1").read_bytes() == b"b"


def test_state_dir_follows_systemd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", f"{tmp_path}/a:{tmp_path}/b")
    assert paths.state_dir() == tmp_path / "a"
    monkeypatch.setenv("EDGEPAC_STATE", str(tmp_path / "c"))
    assert paths.state_dir() == tmp_path / "c"


def test_models_dir_default_is_user_data(monkeypatch: pytest.MonkeyPatch) -> None:
    assert paths.models_dir() == Path(os.environ["XDG_DATA_HOME"]) / "edgepac" / "models"
    monkeypatch.setenv("EDGEPAC_MODELS", "/opt/m")
    assert paths.models_dir() == Path("/opt/m")


def test_cli_without_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: edgepac" in capsys.readouterr().out


@pytest.mark.slow
def test_a_regular_install_carries_the_model_manifest(tmp_path: Path) -> None:
    """The kiosk installs edgepac non-editable into /opt/edgepac: the manifest must go along."""
    repo = Path(__file__).resolve().parent.parent
    src = tmp_path / "src"  # build from a copy: a build leaves build/ and *.egg-info behind
    for name in ("edgepac", "models"):
        shutil.copytree(repo / name, src / name, symlinks=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(repo / name, src / name)
    wheel_cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q"]
    built = subprocess.run(
        [*wheel_cmd, "-w", str(tmp_path), str(src)], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("edgepac-*.whl")
    with zipfile.ZipFile(wheel) as z:
        shipped = z.read("edgepac/manifest.toml")
    assert shipped == (repo / "models" / "manifest.toml").read_bytes()
    assert paths.MANIFEST.parent == Path(paths.__file__).resolve().parent
