"""The owners the main thread hands work to, each on its own: the recorder (samples and saving),
the game clock. Fast: a small real SampleStore, a real filesystem, no model.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from edgepac.app.clock import FramePacer, GameClock
from edgepac.app.recorder import Recorder
from edgepac.learning.folder import StoreFolder
from edgepac.learning.store import SampleStore

SHAPE = (2, 2, 8)


def recorder(tmp_path: Path) -> Recorder:
    store = SampleStore(SHAPE, scale=0.1, zero_point=0, class_names=("up", "down"))
    return Recorder(store, tmp_path / "samples")


def saved(tmp_path: Path) -> SampleStore:
    """What is on disk, as the next start reads it."""
    return StoreFolder(tmp_path / "samples").load()


def two_poses(tmp_path: Path, n: int) -> Recorder:
    """A recorder with n frames of UP (dark) and n of DOWN (bright), one press each."""
    rec = recorder(tmp_path)
    for name, value in (("up", 10), ("down", 200)):
        rec.begin(name)
        for i in range(n):
            rec.add(*frame(value + i))
        rec.end()
    return rec


def frame(value: int) -> tuple[np.ndarray, np.ndarray]:
    """One frame's activations and its camera image, both filled with ``value``."""
    return np.full(SHAPE, value, np.uint8), np.full((48, 64, 3), value, np.uint8)


def test_frames_are_kept_only_between_press_and_release(tmp_path: Path) -> None:
    rec = recorder(tmp_path)
    assert not rec.add(*frame(1))  # nobody holds a button
    rec.begin("up")
    assert rec.add(*frame(1)) and rec.add(*frame(2))
    rec.end()
    assert not rec.add(*frame(3))  # after the release nothing lands, not even one frame
    assert rec.counts == {"up": 2, "down": 0} and rec.recording is None


def test_a_taps_own_frames_are_forgotten_and_the_press_before_it_kept(tmp_path: Path) -> None:
    # a tap asks for a timed burst: the frame or two it caught are no pose (and no press dot)
    rec = two_poses(tmp_path, 5)
    rec.begin("up")
    rec.add(*frame(99))
    assert rec.drop() == 1
    assert rec.counts == {"up": 5, "down": 5} and rec.presses == {"up": 1, "down": 1}
    rec.begin("down")  # a tap too quick to catch a frame takes nothing, not the last press
    assert rec.drop() == 0 and rec.counts == {"up": 5, "down": 5}
    assert not rec.add(*frame(98))  # and after it nothing lands
    assert rec.save_now()
    assert saved(tmp_path).counts() == {"up": 5, "down": 5}


def test_every_recorded_frame_reaches_the_disk(tmp_path: Path) -> None:
    """A frame added while a save is being written is not lost: the next save has it."""
    rec = recorder(tmp_path)
    rec.begin("up")
    rec.add(*frame(1))
    assert rec.save_now()
    rec.add(*frame(2))  # after the snapshot: the store is changed again
    rec.end()
    assert rec.save_now()
    again = saved(tmp_path)
    assert again.counts()["up"] == 2


def saving_stuck(rec: Recorder, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Record one UP frame and release: the saver starts writing and stays stuck (a slow SD
    card) until the returned event is set."""
    writing, let_go = threading.Event(), threading.Event()
    real_save = StoreFolder.save

    def stuck_save(self: Any, snap: Any) -> bool:
        writing.set()
        let_go.wait(10)
        return real_save(self, snap)

    monkeypatch.setattr(StoreFolder, "save", stuck_save)
    rec.start()
    rec.begin("up")
    rec.add(*frame(1))
    rec.end()  # asks the saver thread to write
    assert writing.wait(5)
    return let_go


def test_a_slow_disk_never_holds_up_the_main_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the saver writes (here: stuck until we let it go), the main thread's calls and the
    inference thread's frames go through: the save runs on a snapshot, without the lock."""
    rec = recorder(tmp_path)
    let_go = saving_stuck(rec, monkeypatch)

    def main_thread_frame() -> None:
        rec.begin("down")
        rec.add(*frame(2))
        rec.end()
        assert rec.counts["down"] == 1

    other = threading.Thread(target=main_thread_frame)
    other.start()
    other.join(2)
    done = not other.is_alive()
    let_go.set()
    rec.stop()
    assert done, "the main thread waited for the disk"
    assert saved(tmp_path).counts() == {"up": 1, "down": 1}


def test_training_does_not_wait_for_a_slow_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TRAIN pressed right after a long burst gets its frames while the burst is still being
    written (here: stuck until we let it go): its copy is of the chosen rows, not the save's."""
    rec = two_poses(tmp_path, 8)
    let_go = saving_stuck(rec, monkeypatch)
    got: list[Any] = []
    training = threading.Thread(target=lambda: got.append(rec.training_set(50)))
    training.start()
    training.join(2)
    waited = training.is_alive()
    let_go.set()
    training.join(5)
    rec.stop()
    assert not waited, "training waited for the samples to be written"
    assert got[0].counts() == {"up": 9, "down": 8}


def test_a_failed_save_stays_said_until_a_save_works(tmp_path: Path) -> None:
    rec = recorder(tmp_path)
    (tmp_path / "samples").write_text("")  # something in the way
    rec.begin("up")
    rec.add(*frame(1))
    rec.end()
    assert not rec.save_now()
    assert "Could not save the samples" in rec.problem
    assert not rec.save_now() and rec.problem  # still unsaved, still said
    (tmp_path / "samples").unlink()  # the owner clears the way
    assert rec.save_now() and rec.problem is None
    assert saved(tmp_path).counts()["up"] == 1


def test_the_tile_shows_the_middle_of_the_burst_not_its_first_frame(tmp_path: Path) -> None:
    rec = recorder(tmp_path)
    rec.begin("up")
    for i in range(101):  # the body moves into the pose over the first frames
        rec.add(*frame(i))
    rec.end()
    middle = int(rec.thumbnails["up"][0, 0, 0])
    assert 35 <= middle <= 65, middle
    rec.save_now()
    assert int(saved(tmp_path).thumbnails["up"][0, 0, 0]) == middle


def test_clear_forgets_samples_and_pictures_on_disk_too(tmp_path: Path) -> None:
    rec = recorder(tmp_path)
    rec.begin("up")
    rec.add(*frame(1))
    rec.end()
    rec.clear()
    assert rec.save_now()
    assert len(saved(tmp_path)) == 0
    assert rec.thumbnails == {} and rec.counts == {"up": 0, "down": 0}


# -- the game clock ---------------------------------------------------------------------------


def test_the_game_keeps_60_ticks_a_second_when_frames_take_40_ms() -> None:
    clock, now, ticks = GameClock(), 0.0, 0
    for _ in range(251):  # 10 s of frames 40 ms apart
        ticks += clock.due(now)
        now += 0.040
    assert 600 <= ticks <= 601  # 60 a second (and the first frame's tick)


def test_a_stall_is_a_pause_not_a_burst() -> None:
    clock = GameClock(max_catch_up=4)
    clock.due(0.0)
    assert clock.due(1.0) == 4  # one second frozen: four ticks, not sixty
    assert clock.due(1.0 + 1 / 60) == 1  # then arcade time again
    assert clock.dropped_s > 0.9


def test_a_fast_screen_does_not_speed_the_game_up() -> None:
    clock, now, ticks = GameClock(), 0.0, 0
    for _ in range(1200):  # 144 Hz monitor
        ticks += clock.due(now)
        now += 1 / 144
    assert abs(ticks - 1200 / 144 * 60) <= 2


def test_the_frame_pacer_makes_up_for_a_late_wake_up() -> None:
    """Deadlines are absolute: a sleep that overran by 10 ms shortens the next one, so frames
    average 60 a second (pygame's Clock.tick would add every overrun to every frame)."""
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s + (0.010 if len(slept) == 3 else 0.0)  # the third wake-up is 10 ms late

    pacer = FramePacer(60, lambda: now[0], sleep)
    for _ in range(60):
        now[0] += 0.005  # the frame's work
        pacer.wait()
    assert abs(now[0] - (0.005 + 1.0)) < 0.002  # 60 frames in a second, the overrun absorbed
    assert slept[3] < slept[2] - 0.009  # the frame after the late one sleeps less
    # Far behind (a 1 s stall), it starts afresh instead of rushing 60 frames through.
    now[0] += 1.0
    pacer.wait()
    assert slept[-1] > 0.015


# -- the trainer -------------------------------------------------------------------------------


def test_train_returns_at_once_and_the_copy_is_made_on_the_training_thread(
    tmp_path: Path,
) -> None:
    """TRAIN on the main thread only starts a run: copying the samples (here: stuck until we
    let it go) and the float32 copy happen on the training thread."""
    from edgepac.app.config import load_config
    from edgepac.app.trainer import Trainer

    rec = two_poses(tmp_path, 8)
    copying, let_go = threading.Event(), threading.Event()
    real_training_set = rec.training_set

    def slow_training_set(cap: Any) -> Any:
        copying.set()
        let_go.wait(10)
        return real_training_set(cap)

    rec.training_set = slow_training_set  # type: ignore[method-assign]
    learning = load_config(paths=[], overrides={"learning.head": "knn"}).learning
    trainer = Trainer(learning, rec, None, tmp_path / "head.npz")
    started = threading.Thread(target=trainer.start)
    started.start()
    started.join(2)
    assert not started.is_alive(), "TRAIN waited for the copy"
    assert copying.wait(5) and trainer.running and trainer.finished() == []
    let_go.set()
    trainer.join(timeout=20)
    (done,) = trainer.finished()
    assert done.result.ok and done.result.run == 1 and done.head is not None
    assert (tmp_path / "head.npz").exists()


def test_a_long_hold_is_learned_from_a_capped_copy_with_the_new_session_in_it(
    tmp_path: Path,
) -> None:
    """600 frames of UP (a 20 s hold) and 40 of DOWN, then a sitting later 5 more of each: a
    training pass copies at most 50 a pose (learning's choice), from the first frame of the long
    hold to its last, and every frame of the new session is in it."""
    rec = recorder(tmp_path)
    for name, n in (("up", 600), ("down", 40)):
        rec.begin(name)
        for i in range(n):
            rec.add(*frame(i % 250))
        rec.end()
    rec.new_session()
    for name in ("up", "down"):
        rec.begin(name)
        for _ in range(5):
            rec.add(*frame(251))
        rec.end()
    chosen = rec.training_set(50)
    assert chosen.counts() == {"up": 50, "down": 45} and rec.counts == {"up": 605, "down": 45}
    old_up = chosen.features[(chosen.labels == 0) & (chosen.sessions == 0)][:, 0, 0, 0]
    assert old_up.min() < 25 and old_up.max() > 225  # spread over the whole hold
    assert int(np.sum(chosen.sessions == 1)) == 10  # the new session: every frame
    assert len(rec.training_set(None)) == 650


def test_a_refresh_starts_from_the_head_that_plays_and_leaves_it_alone(tmp_path: Path) -> None:
    """A refresh (``start(warm_from=head)``) runs the head's few warm epochs from its weights,
    on a copy: the head that plays is not changed while the new one learns."""
    from edgepac.app.config import load_config
    from edgepac.app.trainer import Trainer

    rec = two_poses(tmp_path, 20)
    learning = load_config(paths=[], overrides={"learning.dense.units": 8}).learning
    trainer = Trainer(learning, rec, None, tmp_path / "head.npz")
    trainer.start()
    trainer.join(timeout=60)
    (first,) = trainer.finished()
    cold_batches, playing = trainer.total_batches, first.head
    weights = playing.W1_.copy()
    trainer.start(warm_from=playing)
    trainer.join(timeout=60)
    (refresh,) = trainer.finished()
    assert refresh.result.ok and refresh.head is not playing
    assert trainer.total_batches * learning.dense.epochs == cold_batches * playing.warm_epochs
    assert np.array_equal(playing.W1_, weights)
    assert not np.array_equal(refresh.head.W1_, weights)


def test_the_cap_bounds_a_keep_kiosk_on_disk_and_in_memory_never_the_current_sitting(
    tmp_path: Path,
) -> None:
    """store.max_mb: sittings come and go all day (play.new_visitor = "keep"); the oldest go
    first, the one in front of the camera never; memory and the folder stay bounded."""
    store = SampleStore(SHAPE, scale=0.1, zero_point=0, class_names=("up", "down"))
    rec = Recorder(store, tmp_path / "samples", max_mb=16)
    frame_bytes = store.frame_bytes
    rec.max_bytes = 100 * frame_bytes  # 100 frames, for a quick test
    for _ in range(30):  # sittings
        rec.new_session()
        for name, value in (("up", 10), ("down", 200)):
            rec.begin(name)
            for i in range(20):
                rec.add(*frame(value + i))
            rec.end()
        assert rec.save_now()
        assert store.nbytes <= rec.max_bytes
        assert store.sessions[-1] == store.sessions.max()  # the current sitting is all there
        assert (store.sessions == store.sessions.max()).sum() == 40
    assert rec.dropped_by_cap == 30 * 40 - len(store)
    assert store.capacity * frame_bytes <= 2 * rec.max_bytes  # memory: bounded, not growing
    on_disk = saved(tmp_path)
    assert on_disk.counts() == rec.counts and np.array_equal(on_disk.ids, store.ids)
    segments = sum(p.stat().st_size for p in (tmp_path / "samples").glob("*.npz"))
    assert segments < 2 * rec.max_bytes + 64 * 1024  # the folder too
    # A sitting bigger than the cap alone is kept whole: never the current one.
    rec.new_session()
    rec.begin("up")
    for i in range(150):
        rec.add(*frame(i))
    rec.end()
    rec.save_now()
    assert len(store) == 150 and set(store.sessions.tolist()) == {store.sessions.max()}
