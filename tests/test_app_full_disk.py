"""A full memory card: a save that hits ENOSPC leaves the store on disk as it was, says so until
a save works, lets recording and play go on, and is retried by itself once there is room. On a
real small file system (a tmpfs with size=), mounted for the test."""

from __future__ import annotations

import errno
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from edgepac.app.recorder import Recorder
from edgepac.learning.folder import MANIFEST, StoreFolder
from edgepac.learning.store import SampleStore

SHAPE = (16, 16, 8)  # 2 KB a frame


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs, unmounted afterwards; skipped where mounting is not allowed."""
    mnt = tmp_path / "card"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root): the full-disk test needs one")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """A file that leaves about ``leave`` bytes free."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        size = 0
        while True:
            try:
                size += os.write(fd, b"\0" * 4096)
            except OSError as err:
                assert err.errno == errno.ENOSPC
                break
        os.ftruncate(fd, max(0, size - leave))
    finally:
        os.close(fd)
    return filler


def press(rec: Recorder, name: str, n: int, value: int) -> None:
    rec.begin(name)
    for _ in range(n):
        rec.add(np.full(SHAPE, value, np.uint8), np.full((48, 64, 3), value, np.uint8))
    rec.end()


def wait(done: Any, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not done() and time.monotonic() < end:
        time.sleep(0.02)
    assert done(), "timed out"


def test_a_full_card_keeps_the_old_store_says_so_and_saves_once_there_is_room(
    small_disk: Path,
) -> None:
    store = SampleStore(SHAPE, scale=0.1, zero_point=0, class_names=("up", "down"))
    rec = Recorder(store, small_disk / "samples")
    rec.retry_s = 0.1
    rec.start()
    press(rec, "up", 20, 1)
    wait(lambda: rec.saves == 1)
    before = {p.name: p.read_bytes() for p in (small_disk / "samples").iterdir()}
    filler = fill(small_disk, leave=8192)
    press(rec, "down", 60, 2)  # 120 KB: it does not fit
    wait(lambda: rec.problem is not None)
    assert "memory card is full" in rec.problem
    # The store on disk is as it was: the same files, byte for byte, no half segment left.
    after = {p.name: p.read_bytes() for p in (small_disk / "samples").iterdir()}
    assert after == before
    assert StoreFolder(small_disk / "samples").load().counts() == {"up": 20, "down": 0}
    press(rec, "down", 5, 3)  # recording goes on meanwhile, and it stays said
    time.sleep(0.3)
    assert rec.counts == {"up": 20, "down": 65} and rec.problem is not None
    filler.unlink()  # room again: no press needed, the saver tries again by itself
    wait(lambda: rec.problem is None)
    rec.stop()
    again = StoreFolder(small_disk / "samples").load()
    assert again.counts() == {"up": 20, "down": 65}
    assert (small_disk / "samples" / MANIFEST).exists()


@pytest.mark.model
def test_the_arcade_shows_a_full_card_until_it_saves_and_play_goes_on(
    small_disk: Path, model_025_128: Path
) -> None:
    from test_app_faults import banners, make_app, record, run_until

    from edgepac.app.view import Severity
    from edgepac.vision.backbone import Backbone

    backbone = Backbone(model_025_128, num_threads=1)
    with make_app(small_disk, backbone) as app:
        app.recorder.retry_s = 0.1
        record(app, "up", 5)
        run_until(app, lambda a: a.recorder.saves >= 1)
        filler = fill(small_disk, leave=4096)
        record(app, "down", 20)
        run_until(app, lambda a: a.recorder.problem is not None)
        app.arcade.tick(time.monotonic() + 60)  # long after any passing message
        assert any("memory card is full" in b for b in banners(app, Severity.ERROR))
        assert app.running and app.recorder.counts["down"] >= 20
        filler.unlink()
        run_until(app, lambda a: a.recorder.problem is None)
        assert not any("memory card" in b for b in banners(app, Severity.ERROR))
    assert StoreFolder(small_disk / "samples").load().counts()["down"] >= 20
