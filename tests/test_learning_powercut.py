"""Power cuts across a kiosk's day (tests/powercut.py replays them from one recorded run): every
press whose save was reported done is there, no file is broken or moved aside, the head loads
(or the one before it does) and the arcade starts. The real recorder, saver thread, trainer and
head save, and the real model for the arcade booted on what a cut left."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from powercut import run_cuts

pytestmark = [pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def backbone(model_025_128: Path) -> Any:
    from edgepac.vision.backbone import Backbone

    return Backbone(model_025_128, num_threads=1)


def test_200_power_cuts_lose_no_saved_press_and_break_no_file(
    tmp_path: Path, backbone: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures = run_cuts(tmp_path, backbone, monkeypatch, n=200, boots=12)
    print(figures)
    assert figures["happened"]["cap_dropped"] > 0 and figures["happened"]["compactions"] > 0
    phases = figures["cuts_by_phase"]
    for phase in ("recording", "train", "undo", "cap", "clear", "new visitor", "compaction"):
        assert phases.get(phase, 0) > 0, (phase, phases)
    assert figures["presses_lost"] == 0 and figures["frames_lost"] == 0, figures["problems"]
    assert figures["files_broken"] == 0, figures["problems"]
    assert set(figures["states"]) <= {"collect", "playing"} and figures["states"]


def test_the_harness_catches_a_save_that_renames_before_it_syncs(
    tmp_path: Path, backbone: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the manifest written the way that loses data (rename, no fsync) must show
    up as lost presses or broken files, or the harness proves nothing."""
    import contextlib
    import os

    from edgepac.learning import folder as folder_module

    @contextlib.contextmanager
    def careless_write(path: Any) -> Any:
        tmp = Path(str(path) + ".tmp")
        with open(tmp, "wb") as f:
            yield f
        os.replace(tmp, path)

    monkeypatch.setattr(folder_module, "atomic_write", careless_write)
    figures = run_cuts(tmp_path, backbone, monkeypatch, n=100, boots=0)
    assert figures["presses_lost"] + figures["files_broken"] > 0, figures
