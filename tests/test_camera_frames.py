"""Frame sources: the one-slot handoff, a camera lost mid-run, the demo player."""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import pytest

from edgepac.camera.demo_player import STANCES, DemoPainter, DemoPlayer
from edgepac.camera.handoff import LatestFrame
from edgepac.camera.source import CameraError, FrameSource


def wait_until(condition, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.005)
    return False


# -- the handoff -------------------------------------------------------------------------------


def test_the_reader_gets_the_newest_frame_and_stale_ones_are_counted_as_dropped():
    slot: LatestFrame[int] = LatestFrame()
    for i in range(5):
        slot.put(i)
    assert slot.get(0) == 4
    assert slot.dropped == 4 and slot.taken == 1 and slot.put_count == 5
    assert slot.get(0.01) is None  # nothing new: it does not hand the same frame out twice
    assert slot.peek() == 4  # ...but a preview may still look at it


def test_get_waits_for_the_next_frame_and_gives_up_after_its_timeout():
    slot: LatestFrame[str] = LatestFrame()
    timer = threading.Timer(0.05, slot.put, args=("late",))
    timer.start()
    assert slot.get(2.0) == "late"
    t0 = time.monotonic()
    assert slot.get(0.05) is None
    assert time.monotonic() - t0 >= 0.045


def test_close_wakes_a_waiting_reader():
    slot: LatestFrame[int] = LatestFrame()
    threading.Timer(0.05, slot.close).start()
    t0 = time.monotonic()
    assert slot.get(5.0) is None
    assert time.monotonic() - t0 < 2.0


@pytest.mark.timing
def test_a_fast_producer_and_a_slow_consumer_never_see_old_frames_or_lose_count():
    slot: LatestFrame[int] = LatestFrame()
    n = 20000
    seen: list[int] = []

    def consume() -> None:
        while True:
            item = slot.get(1.0)
            if item is None or item == n - 1:
                if item is not None:
                    seen.append(item)
                return
            seen.append(item)
            time.sleep(0.0001)

    reader = threading.Thread(target=consume)
    reader.start()
    for i in range(n):
        slot.put(i)
    reader.join(10)
    assert seen == sorted(seen) and len(set(seen)) == len(seen)  # always newer, never twice
    assert slot.taken + slot.dropped == n  # every frame either read or counted as dropped
    assert slot.dropped > 0


# -- a camera that fails mid-run ---------------------------------------------------------------


class FlakyCamera(FrameSource):
    """A backend that raises like an unplugged camera while ``unplugged`` is set."""

    name = "test camera"

    def __init__(self) -> None:
        super().__init__(retry_delay=0.01, retry_max_delay=0.04)
        self.unplugged = threading.Event()
        self.calls = 0
        self.opens = 0
        self.closes = 0

    def _open(self) -> None:
        self.opens += 1

    def _capture(self):
        self.calls += 1
        time.sleep(0.002)
        if self.unplugged.is_set():
            raise OSError(5, "Input/output error")
        return np.full((4, 4, 3), self.calls % 256, np.uint8), None

    def _close(self) -> None:
        self.closes += 1


def test_a_camera_that_raises_mid_run_is_reported_retried_and_comes_back():
    cam = FlakyCamera()
    with cam:
        assert cam.read(2.0).image.shape == (4, 4, 3)
        cam.unplugged.set()
        assert wait_until(lambda: cam.failures >= 3)  # retried, with backoff
        assert "test camera failed ([Errno 5] Input/output error)" in cam.status
        assert "check the camera cable" in cam.status
        # the app keeps running: read raises the error (for the screen), the thread lives on
        cam.frames.get(0)  # the last frame before the failure may still be waiting
        with pytest.raises(CameraError, match="check the camera cable"):
            cam.read(0.05)
        assert cam.running
        failures = cam.failures
        cam.unplugged.clear()
        frame = cam.read(2.0)
        assert wait_until(lambda: cam.error is None) and cam.status == "ok"
        assert frame.seq > 0
        assert cam.opens == failures + 1 and cam.closes == failures  # reopened after each
    assert not cam.running and cam.closes == cam.opens  # closed at stop


class MissingCamera(FrameSource):
    name = "missing camera"

    def __init__(self) -> None:
        super().__init__(retry_delay=0.01, retry_max_delay=0.02)
        self.opens = 0

    def _open(self) -> None:
        self.opens += 1
        raise CameraError("no camera found; connect one and it will be picked up")

    def _capture(self):
        raise AssertionError("never opened")


def test_a_missing_camera_keeps_its_own_message_and_keeps_retrying():
    with MissingCamera() as cam:
        with pytest.raises(CameraError, match=r"^no camera found; connect one"):
            cam.read(0.2)
        assert wait_until(lambda: cam.opens >= 3)
        assert cam.running


def test_reading_a_source_that_was_never_started_says_so():
    with pytest.raises(CameraError, match="not started"):
        FlakyCamera().read(0.01)


@pytest.mark.timing
def test_a_slow_reader_gets_the_latest_frame_and_the_rest_are_dropped():
    with FlakyCamera() as cam:
        first = cam.read(2.0)
        time.sleep(0.1)  # ~50 frames arrive meanwhile
        later = cam.read(2.0)
        assert later.seq > first.seq + 5 and later.t > first.t
        assert cam.dropped >= later.seq - first.seq - 2


# -- the demo player ---------------------------------------------------------------------------


def test_the_demo_player_draws_rgb_frames_labelled_with_the_pose():
    player = DemoPlayer(fps=0, pose="left", seed=1)
    with player:
        frame = player.read(2.0)
        assert frame.image.shape == (240, 320, 3) and frame.image.dtype == np.uint8
        assert frame.truth == "left"
        player.pose = None
        assert wait_until(lambda: player.read(2.0).truth is None)
    with pytest.raises(ValueError, match="pose must be one of"):
        player.pose = "jump"


def test_a_script_sets_the_pose_over_time():
    t = [0.0]
    player = DemoPlayer(fps=0, script=[(1.0, "up"), (2.0, "down")], clock=lambda: t[0])
    assert [player.pose_at(s) for s in (0.5, 1.5, 2.9, 3.2)] == ["up", "down", "down", "up"]
    with player:
        assert player.read(2.0).truth == "up"
        t[0] = 1.5
        assert wait_until(lambda: player.read(2.0).truth == "down")


def test_each_pose_is_recognisable_yet_no_two_frames_are_equal():
    painter = DemoPainter((160, 120))
    rng = np.random.default_rng(0)

    def look(pose):  # what a crude eye sees: 8x-downsampled, brightness-normalised pixels
        image = painter.draw(pose, rng, t=float(rng.uniform(0, 10))).astype(np.float32)
        small = image.reshape(15, 8, 20, 8, 3).mean(axis=(1, 3))
        return small / small.mean()

    centroids = {p: np.mean([look(p) for _ in range(8)], axis=0) for p in STANCES}
    tests = [(p, look(p)) for p in STANCES for _ in range(8)]
    right = sum(min(STANCES, key=lambda c: np.abs(x - centroids[c]).sum()) == p for p, x in tests)
    assert right / len(tests) >= 0.9
    # ...but not trivially: frames of one pose vary (sway, arms, light, noise)
    a, b = painter.draw("up", rng, 0.0), painter.draw("up", rng, 0.0)
    assert np.abs(a.astype(int) - b).mean() > 2.0


def test_a_knocked_camera_in_other_light_sees_the_scene_moved_dimmer_and_warmer():
    """A returning player's kiosk: the picture shifted and zoomed, the light dim and warm; the
    figure is where the shift puts it, and putting the camera back gives the old picture."""
    painter = DemoPainter((160, 120), noise=0.0)

    def frame():  # the same random draw each time: only the camera differs
        return painter.draw("up", np.random.default_rng(3), 1.0).astype(np.float32)

    before = frame()
    painter.move_camera(shift=(0.1, 0.0), zoom=1.0, light=(0.8, 0.7, 0.5))
    after = frame()
    red, green, blue = (after[..., c].mean() / before[..., c].mean() for c in range(3))
    assert 0.7 < red < 0.9 and 0.6 < green < 0.8 and 0.4 < blue < 0.6  # dimmer and warmer
    # Shifted 10 % (16 px) right: column x now shows what column x - 16 showed.
    dx = 16
    moved = after[:, dx:] / np.array([0.8, 0.7, 0.5])
    assert np.abs(moved - before[:, :-dx]).mean() < 3 < np.abs(after - before).mean()
    painter.move_camera(zoom=1.1)
    zoomed = frame()
    assert np.abs(zoomed[60, 80] - before[60, 80]).max() < 3  # the centre stays put
    assert np.abs(zoomed - before).mean() > 3
    painter.move_camera()
    assert np.array_equal(frame(), before)
    with pytest.raises(ValueError, match="zoom"):
        painter.move_camera(zoom=5.0)


def test_a_camera_bumped_on_its_mount_sees_the_room_turned():
    """``roll``: the floor's edge, level before, slopes across the picture (clockwise: lower on
    the right), by the tangent of the angle; the middle of the picture stays put."""
    painter = DemoPainter((160, 120), noise=0.0)

    def floor_row(img: np.ndarray, x: int) -> int:  # the first row of the brown floor
        return int(np.argmax(img[:, x, 2] < 75))

    before = painter.draw(None, np.random.default_rng(3), 1.0)
    painter.move_camera(roll=10.0)
    after = painter.draw(None, np.random.default_rng(3), 1.0)
    left, right = 5, 112  # either side of the figure, clear of the shelf
    assert floor_row(before, left) == floor_row(before, right)
    drop = floor_row(after, right) - floor_row(after, left)
    assert drop == pytest.approx((right - left) * math.tan(math.radians(10.0)), abs=3)
    assert np.abs(after[60, 80].astype(int) - before[60, 80]).max() < 3
    with pytest.raises(ValueError, match="roll"):
        painter.move_camera(roll=90.0)


@pytest.mark.timing
def test_the_demo_player_keeps_to_its_frame_rate():
    with DemoPlayer(fps=50) as player:
        player.read(2.0)
        start = player.captured
        time.sleep(0.4)
        made = player.captured - start
    assert 8 <= made <= 24  # ~20 at 50 fps; loose because the machine is shared


@pytest.mark.model
def test_a_mobilenet_tells_the_demo_poses_apart_from_a_few_examples(model_025_128):
    """What the demo needs: the backbone's activations separate the poses, from ~10 frames each,
    on new frames with new jitter (nearest class mean, cosine; the app's heads do better)."""
    from edgepac.vision.backbone import Backbone

    bb = Backbone(model_025_128)
    painter = DemoPainter()
    rng = np.random.default_rng(7)

    def features(pose, n, t0):
        frames = [painter.draw(pose, rng, t0 + i * 0.37) for i in range(n)]
        x = bb.dequantize(bb.features_batch(frames)).reshape(n, -1)
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    means = {p: features(p, 10, 0.0).mean(0) for p in STANCES}
    right = total = 0
    for pose in STANCES:
        for x in features(pose, 8, 50.0):
            right += max(STANCES, key=lambda p: float(x @ means[p])) == pose
            total += 1
    assert right / total >= 0.9


def test_a_source_can_be_stopped_and_started_again():
    player = DemoPlayer(fps=0, pose="up")
    with player:
        first = player.read(2.0)
    assert not player.running
    with pytest.raises(CameraError, match="not started"):
        player.read(0.05)
    with player:
        again = player.read(2.0)
    assert again.truth == "up" and again.seq > first.seq
