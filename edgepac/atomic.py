"""Crash-safe file writes: after a power cut the file is the old one or the new one, never half.

The recipe: write a temporary file in the same directory, flush and fsync it, rename it over the
target (atomic on POSIX), then fsync the directory so the rename itself is on disk.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Open a binary file for writing that replaces ``path`` only when the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _sweep_leftovers(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            yield tmp
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    fsync_dir(target.parent)


# A temporary file this old is no write in progress but the leftover of a killed one.
STALE_TMP_S = 600


def _sweep_leftovers(target: Path) -> None:
    """Remove temporary files that a killed or powered-off write of ``target`` left behind."""
    cutoff = time.time() - STALE_TMP_S
    for tmp in target.parent.glob(f".{target.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_write(path) as f:
        f.write(data)


def fsync_dir(directory: str | os.PathLike[str]) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def move_aside(path: str | os.PathLike[str], suffix: str = ".corrupt") -> Path:
    """Rename a damaged file out of the way (never delete it: the user may want it back)."""
    src = Path(path)
    dst = src.with_name(src.name + suffix)
    n = 1
    while dst.exists():
        dst = src.with_name(f"{src.name}{suffix}.{n}")
        n += 1
    os.replace(src, dst)
    fsync_dir(src.parent)
    return dst


def check_output(path: Path, what: str) -> Path:
    """A file a command is about to write, checked before any work: not a folder, and in a
    folder that exists (a typo in the folder name should not grow a new tree)."""
    from edgepac.errors import EdgePacError

    if path.is_dir():
        raise EdgePacError(f"{what} {path} is a folder: give a file name in it")
    if not path.parent.is_dir():
        raise EdgePacError(f"{what} {path}: there is no folder {path.parent}; make it first")
    return path


def give_default_mode(path: str | os.PathLike[str]) -> None:
    """Give a file the user asked for the mode their umask gives new files (0644 for most):
    atomic writes start from owner-only temporary files."""
    umask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)
