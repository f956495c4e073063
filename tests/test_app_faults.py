"""What goes wrong in a kiosk, and what the player sees: each fault handled with a message.

The real parts throughout: the quantized MobileNet (0.25_128 at its native size, for speed),
the demo player behind the camera interface, the learning core's files, pygame's dummy driver.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import make_app, record, run_until

from edgepac.app.app import App, thumbnail
from edgepac.app.arcade import Event, Kind, State
from edgepac.app.training import held_out_split
from edgepac.app.view import Severity
from edgepac.camera.demo_player import DemoPlayer
from edgepac.cli import main
from edgepac.errors import EdgePacError
from edgepac.poses import POSES

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def backbone(model_025_128: Path) -> Any:
    from edgepac.vision.backbone import Backbone

    return Backbone(model_025_128, num_threads=1)


def banners(app: App, severity: Severity | None = None) -> list[str]:
    """The lines on screen now (as the View the screen draws from gives them)."""
    return [b.text for b in app.view().banners if severity in (None, b.severity)]





def heads_whose_fit_raises(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """From now on every head the app makes fails in ``fit`` with ``error``."""
    from edgepac.learning import heads

    real_make_head = heads.make_head

    def failing_head(kind: str, **params: Any) -> Any:
        head = real_make_head(kind, **params)

        def fit(*args: Any, **kwargs: Any) -> Any:
            raise error

        head.fit = fit
        return head

    monkeypatch.setattr(heads, "make_head", failing_head)


class FlakyCamera(DemoPlayer):
    """The demo player with its cable pulled for a while: capture raises like libcamera does."""

    def __init__(self, fail_from: int, outage: int) -> None:
        super().__init__()
        self.retry_delay = 0.05
        self.retry_max_delay = 0.1
        self.calls = 0
        self.fail_from, self.outage = fail_from, outage

    def _capture(self) -> Any:
        self.calls += 1
        if self.fail_from <= self.calls < self.fail_from + self.outage:
            time.sleep(0.02)
            raise OSError("Camera frontend has timed out!")
        return super()._capture()


@pytest.mark.timing
def test_camera_lost_mid_run_stays_said_until_it_comes_back(tmp_path: Path, backbone: Any) -> None:
    camera = FlakyCamera(fail_from=20, outage=40)
    with make_app(tmp_path, backbone, camera) as app:
        run_until(app, lambda a: a.inference.camera_status is not None)
        # The inference thread owns the camera's status; no frame of the main loop wipes it.
        for _ in range(10):
            app.step()
            assert any("timed out" in line for line in banners(app, Severity.ERROR))
        app.arcade.tick(time.monotonic() + 60)  # long after any passing message is gone
        assert any(line.startswith("Camera:") for line in banners(app, Severity.ERROR))
        before = app.stats.processed
        run_until(app, lambda a: a.inference.camera_status is None, timeout=20)
        run_until(app, lambda a: a.stats.processed > before + 10)
        assert app.running
        assert camera.failures >= 2  # it was retried, not given up on
        assert banners(app, Severity.ERROR) == []


def test_corrupt_state_files_are_moved_aside_and_the_app_starts_empty(
    tmp_path: Path, backbone: Any
) -> None:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "samples.npz").write_bytes(b"PK\x03\x04 half a zip, then the power went")
    (tmp_path / "head.npz").write_bytes(b"\x00" * 100)
    app = make_app(tmp_path, backbone)
    assert len(app.recorder) == 0 and app.head is None
    assert (tmp_path / "samples.npz.corrupt").exists()
    assert (tmp_path / "head.npz.corrupt").exists()
    assert "moved aside" in app.arcade.message_text()
    with app:
        record(app, "up", 5)
        record(app, "down", 5)
    # The new samples are saved; the damaged file is still there for whoever wants it.
    assert (tmp_path / "samples.npz.corrupt").read_bytes().startswith(b"PK\x03\x04 half")
    again = make_app(tmp_path, backbone)
    assert again.recorder.counts["up"] >= 5 and again.recorder.counts["down"] >= 5


def test_a_head_from_another_backbone_is_refused_and_kept(
    tmp_path: Path, backbone: Any, model_025_128: Path
) -> None:
    from edgepac.learning.heads import make_head
    from edgepac.vision.backbone import Backbone

    other = Backbone(model_025_128, input_size=160, num_threads=1)
    rng = np.random.default_rng(0)
    X = rng.random((8, *other.feature_shape), dtype=np.float32)
    head = make_head("knn").fit(X, np.arange(8) % 2, class_names=["up", "down"])
    head.save(tmp_path / "head.npz", other.identity)
    app = make_app(tmp_path, backbone)
    assert app.head is None
    assert "another backbone" in app.arcade.message_text()
    assert (tmp_path / "head.npz.other-backbone").exists()


def test_training_with_one_class_says_to_record_two(tmp_path: Path, backbone: Any) -> None:
    with make_app(tmp_path, backbone) as app:
        record(app, "up", 5)
        app.post(Event(Kind.TRAIN))
        app.step()
        assert app.arcade.state is State.COLLECT
        assert "at least two poses" in app.arcade.message_text()
        app.post(Event(Kind.PLAY))
        app.step()
        assert app.arcade.state is State.COLLECT and "TRAIN" in app.arcade.message_text()


def test_failed_training_keeps_the_previous_head_and_says_so(
    tmp_path: Path, backbone: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with make_app(tmp_path, backbone, **{"learning.head": "knn"}) as app:
        record(app, "up", 6)
        record(app, "down", 6)
        app.post(Event(Kind.TRAIN))
        run_until(app, lambda a: a.arcade.result is not None)
        first = app.head
        assert app.arcade.result.ok and first is not None

        heads_whose_fit_raises(
            monkeypatch, EdgePacError("the loss became NaN: lower the learning rate")
        )
        app.post(Event(Kind.TRAIN))
        run_until(app, lambda a: a.arcade.result is not None)
        assert not app.arcade.result.ok
        assert app.head is first  # the previous head still plays
        assert "previous model is kept" in app.arcade.message_text()
        app.post(Event(Kind.PLAY))
        app.step()
        assert app.arcade.state is State.PLAYING


def test_a_bad_config_value_stops_the_start_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "--headless", "--set", "play.smoothing_frames=0"]) == 2
    err = capsys.readouterr().err.strip()
    assert "play.smoothing_frames" in err and "\n" not in err


def test_a_bad_config_file_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config" / "edgepac" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[camera]\nsource = "kinect"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert main(["run", "--headless"]) == 2
    err = capsys.readouterr().err
    assert "camera.source" in err


# -- small pure helpers ---------------------------------------------------------------------


def test_thumbnail_is_the_square_the_model_sees() -> None:
    image = np.zeros((240, 320, 3), np.uint8)
    image[:, 40:280] = 200  # the centre square
    thumb = thumbnail(image, 32)
    assert thumb.shape == (32, 32, 3) and (thumb == 200).all()


def test_held_out_frames_are_the_latest_of_each_class() -> None:
    labels = np.array([0] * 10 + [1] * 10 + [0] * 10 + [2] * 3)
    train, test = held_out_split(labels, 0.2)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(len(labels)))
    assert test.tolist() == [18, 19, 26, 27, 28, 29]
    # A class with too few samples to spare is all training.
    assert not set(test.tolist()) & {30, 31, 32}


@pytest.mark.timing
def test_gpio_buttons_pressed_together_or_bouncing(tmp_path: Path, backbone: Any) -> None:
    from gpiozero.pins.mock import MockFactory

    from edgepac.app.build import open_buttons

    factory = MockFactory()
    with make_app(tmp_path, backbone) as app:
        buttons = open_buttons(app.cfg, app, pin_factory=factory)
        try:
            b = app.cfg.buttons
            up, left = factory.pin(b.up), factory.pin(b.left)
            # UP and LEFT pressed together: only UP records, and the screen says why.
            app.source.pose = "up"
            up.drive_low()
            left.drive_low()
            run_until(app, lambda a: a.arcade.counts.get("up", 0) >= 5)
            assert app.arcade.recording == "up"
            assert "One pose at a time" in app.arcade.message_text()
            up.drive_high()
            left.drive_high()
            run_until(app, lambda a: a.arcade.recording is None, timeout=15)
            assert app.arcade.counts.get("left", 0) == 0
            # A contact that bounces (press, release, press... within milliseconds) ends
            # released and recording stopped, whatever got through the debouncing.
            for _ in range(3):
                left.drive_low()
                time.sleep(0.003)
                left.drive_high()
                time.sleep(0.003)
            app.run(seconds=0.3)
            assert app.arcade.recording is None
            assert app.arcade.state is State.COLLECT
        finally:
            buttons.close()


@pytest.mark.timing
def test_the_per_frame_path_does_not_grow_memory(tmp_path: Path, backbone: Any) -> None:
    import tracemalloc

    from edgepac.camera.demo_player import DemoPainter
    from edgepac.camera.source import Frame
    from edgepac.learning.heads import make_head

    app = make_app(tmp_path, backbone)
    rng = np.random.default_rng(0)
    painter = DemoPainter((320, 240))
    frames = [
        Frame(painter.draw(p, rng), time.monotonic(), p, i)
        for i, p in enumerate(POSES)
    ]
    X = np.stack([backbone.dequantize(backbone.features(f.image)) for f in frames])
    head = make_head("dense", epochs=2, jitter_copies=0)
    head.fit(X, np.arange(4), class_names=list(app.class_names))
    inference = app.inference
    inference.use_head(head)
    for f in frames * 5:  # warm up: first calls allocate what is then reused
        inference._process(f)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(300):
        inference._process(frames[i % 4])
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert inference.prediction is not None and app.stats.processed == 320
    # A copy of one frame's activations kept per frame would be 1.2 MB here; a Prediction
    # kept per frame ~100 KB. What stays is the last prediction and the rings' fixed arrays.
    assert grown < 16 * 1024, f"{grown} bytes more after 300 frames"


class GarbledCamera(DemoPlayer):
    """A camera that, for a while, delivers frames of the wrong shape (a driver hiccup)."""

    def __init__(self, bad_from: int, bad: int) -> None:
        super().__init__()
        self.calls = 0
        self.bad_from, self.bad = bad_from, bad

    def _capture(self) -> Any:
        image, truth = super()._capture()
        self.calls += 1
        if self.bad_from <= self.calls < self.bad_from + self.bad:
            return image[:, :, :0], truth  # no colour channels at all
        return image, truth


def test_broken_frames_show_a_message_and_the_app_carries_on(tmp_path: Path, backbone: Any) -> None:
    with make_app(tmp_path, backbone, source=GarbledCamera(bad_from=10, bad=20)) as app:
        run_until(app, lambda a: a.inference.error is not None)
        assert any("model failed" in line for line in banners(app, Severity.ERROR))
        before = app.stats.processed
        run_until(app, lambda a: a.inference.error is None and a.stats.processed > before + 5)
        assert app.running and banners(app, Severity.ERROR) == []


def test_a_failed_save_stays_said_until_a_save_works(tmp_path: Path, backbone: Any) -> None:
    with make_app(tmp_path, backbone) as app:
        (tmp_path / "samples").write_text("")  # something in the way once it is running
        record(app, "up", 5)
        run_until(app, lambda a: a.recorder.problem is not None)
        app.arcade.tick(time.monotonic() + 60)  # long after any passing message is gone
        assert any("Could not save the samples" in x for x in banners(app, Severity.ERROR))
        assert app.running and app.recorder.counts["up"] >= 5
        (tmp_path / "samples").unlink()  # the kiosk's owner clears the way
        record(app, "down", 5)
        run_until(app, lambda a: a.recorder.problem is None)
        assert banners(app, Severity.ERROR) == []
    # Nothing was lost: the frames of the failed save went out with the next one.
    again = make_app(tmp_path, backbone)
    assert again.recorder.counts["up"] >= 5 and again.recorder.counts["down"] >= 5


@pytest.mark.slow
def test_a_late_second_train_waits_for_the_first_and_only_its_head_plays(
    tmp_path: Path, backbone: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TRAIN, BACK, TRAIN while the first run is stuck in a long batch: the second run waits
    for the first (off the main thread, saying so until it is over), and the first run's head
    never plays."""
    from edgepac.learning import heads

    real_make_head = heads.make_head
    gate = threading.Event()
    fits: list[int] = []

    def slow_head(kind: str, **params: Any) -> Any:
        head = real_make_head(kind, **params)
        real_fit = head.fit

        def fit(*args: Any, **kwargs: Any) -> Any:
            fits.append(1)
            gate.wait(20)  # the first run's first batch takes its time
            return real_fit(*args, **kwargs)

        head.fit = fit
        return head

    monkeypatch.setattr(heads, "make_head", slow_head)
    with make_app(tmp_path, backbone) as app:
        record(app, "up", 6)
        record(app, "down", 6)
        app.post(Event(Kind.TRAIN))
        run_until(app, lambda a: len(fits) == 1)
        app.post(Event(Kind.BACK))
        app.post(Event(Kind.TRAIN))
        run_until(app, lambda a: a.trainer.waiting is not None)
        for _ in range(5):
            app.step()
            assert any("Stopping the last training" in x for x in banners(app, Severity.WARNING))
        assert app.arcade.training_running and app.trainer.run == 2 and app.head is None
        gate.set()  # the first run gets to its callback, sees BACK and stops
        run_until(app, lambda a: a.arcade.result is not None, timeout=30)
        assert app.arcade.result.ok and app.arcade.result.run == 2
        assert len(fits) == 2 and app.head is not None
        assert not any("Stopping" in x for x in banners(app))


def test_training_that_crashes_unexpectedly_is_reported(
    tmp_path: Path, backbone: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    heads_whose_fit_raises(monkeypatch, MemoryError("out of memory"))
    with make_app(tmp_path, backbone) as app:
        record(app, "up", 5)
        record(app, "down", 5)
        app.post(Event(Kind.TRAIN))
        run_until(app, lambda a: a.arcade.result is not None)
        assert not app.arcade.result.ok and not app.arcade.training_running
        assert "MemoryError" in app.arcade.message_text()
