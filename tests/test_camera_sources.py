"""Replay, webcam (real OpenCV, a video file standing in for the USB camera), the Pi camera
(a stand-in picamera2 module: this machine has no Pi camera) and open_source's choice."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edgepac.app.config import load_config
from edgepac.camera import open_source
from edgepac.camera.demo_player import DemoPlayer
from edgepac.camera.picamera import PiCamera, bgr_to_rgb_inplace
from edgepac.camera.replay import Replay
from edgepac.camera.source import CameraError

cv2 = pytest.importorskip("cv2")

RED = (200, 30, 20)  # an RGB colour whose channel order is easy to see


def solid(colour, size=(64, 48)) -> np.ndarray:
    return np.broadcast_to(np.array(colour, np.uint8), (size[1], size[0], 3)).copy()


def write_video(path: Path, frames: int = 6) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for _ in range(frames):
        writer.write(np.ascontiguousarray(solid(RED)[..., ::-1]))  # OpenCV writes B, G, R
    writer.release()
    return path


def close_to(image: np.ndarray, colour, tol: int = 12) -> bool:
    return bool(np.all(np.abs(image.reshape(-1, 3).mean(0) - np.array(colour)) < tol))


# -- replay ------------------------------------------------------------------------------------


def test_a_folder_replays_in_order_with_truth_from_class_folders(tmp_path):
    for i, (cls, colour) in enumerate([("down", (0, 0, 255)), ("up", (255, 0, 0))]):
        (tmp_path / cls).mkdir()
        Image.fromarray(solid(colour)).save(tmp_path / cls / f"{i}.png")
    Image.fromarray(solid((0, 255, 0))).save(tmp_path / "z.png")
    with Replay(tmp_path, fps=0, loop=False) as replay:
        frames = [replay.read(2.0) for _ in range(3)]
        with pytest.raises(CameraError, match="has ended"):
            replay.read(1.0)
    assert [f.truth for f in frames] == ["down", "up", None]
    assert close_to(frames[0].image, (0, 0, 255)) and close_to(frames[2].image, (0, 255, 0))
    assert replay.status == "ended"


def test_a_replay_skips_a_corrupt_image_and_loops(tmp_path):
    Image.fromarray(solid(RED)).save(tmp_path / "a.png")
    (tmp_path / "b.jpg").write_bytes(b"not a jpeg")
    with Replay(tmp_path, fps=0) as replay:
        frames = [replay.read(2.0) for _ in range(3)]
    assert all(close_to(f.image, RED) for f in frames)
    assert replay.skipped >= 1


def test_replay_of_an_empty_or_missing_path_says_what_to_do(tmp_path):
    with pytest.raises(CameraError, match="no images in"):
        Replay(tmp_path)
    with pytest.raises(CameraError, match=r"does not exist; set camera\.replay_path"):
        Replay(tmp_path / "nope")


def test_a_video_file_replays_as_rgb(tmp_path):
    video = write_video(tmp_path / "clip.avi")
    with Replay(video, fps=0, loop=False) as replay:
        frames = [replay.read(2.0) for _ in range(6)]
        with pytest.raises(CameraError, match="has ended"):
            replay.read(1.0)
    assert all(close_to(f.image, RED) for f in frames)  # R, G, B, not OpenCV's B, G, R


# -- webcam ------------------------------------------------------------------------------------


def test_the_webcam_source_gives_rgb_from_opencv(tmp_path):
    from edgepac.camera.webcam import Webcam

    video = write_video(tmp_path / "cam.avi", frames=30)
    with Webcam(str(video), (64, 48)) as cam:
        frame = cam.read(2.0)
    assert frame.image.shape == (48, 64, 3) and close_to(frame.image, RED)


@pytest.mark.timing
def test_a_webcam_that_is_not_there_is_an_error_that_is_retried(tmp_path):
    from edgepac.camera.webcam import Webcam

    cam = Webcam(str(tmp_path / "video9"))
    cam.retry_delay = 0.01
    with cam:
        # seconds, not half of one: Debian's OpenCV tries GStreamer before it gives up on a path
        with pytest.raises(CameraError, match=r"no webcam gives frames \(tried .*video9\)"):
            cam.read(3)
        assert cam.running


# -- the Pi camera, behind a stand-in picamera2 ------------------------------------------------


class FakeJob:
    pass


def fake_picamera2(monkeypatch, *, cameras=1, fail_after=None):
    """A picamera2 module that behaves as the real one does on a Pi: BGR888 arrays are R, G, B
    in memory, RGB888 arrays are B, G, R; wait() raises TimeoutError when frames stop."""
    made: list = []
    sent = [0]  # frames sent by every camera opened: an unplugged camera stays unplugged

    class Picamera2:
        @staticmethod
        def global_camera_info():
            return [{"Model": "imx708", "Num": i} for i in range(cameras)]

        def __init__(self, num=0):
            self.config = None
            self.captures = 0
            self.closed = False
            made.append(self)

        def create_video_configuration(self, **options):
            return options

        def configure(self, config):
            self.config = config

        def start(self):
            pass

        def capture_array(self, name="main", wait=None):
            assert wait is False
            return FakeJob()

        def wait(self, job, timeout=None):
            self.captures += 1
            sent[0] += 1
            if fail_after is not None and sent[0] > fail_after:
                raise TimeoutError
            w, h = self.config["main"]["size"]
            rgb = solid(RED, (w, h))
            return rgb if self.config["main"]["format"] == "BGR888" else rgb[..., ::-1].copy()

        def stop(self):
            pass

        def close(self):
            self.closed = True

    class Transform:
        def __init__(self, hflip=0, vflip=0):
            self.hflip, self.vflip = hflip, vflip

    monkeypatch.setitem(sys.modules, "picamera2", types.SimpleNamespace(Picamera2=Picamera2))
    monkeypatch.setitem(sys.modules, "libcamera", types.SimpleNamespace(Transform=Transform))
    return made


@pytest.mark.parametrize("pixel_format", ["BGR888", "RGB888"])
def test_the_pi_camera_delivers_rgb_at_the_configured_size(monkeypatch, pixel_format):
    made = fake_picamera2(monkeypatch)
    with PiCamera((320, 240), 30, pixel_format=pixel_format) as cam:
        frame = cam.read(2.0)
    assert frame.image.shape == (240, 320, 3) and close_to(frame.image, RED, tol=1)
    config = made[0].config
    assert config["main"] == {"size": (320, 240), "format": pixel_format}  # the ISP scales
    assert config["controls"]["FrameDurationLimits"] == (33333, 33333)
    assert "transform" not in config
    assert made[0].closed


def test_a_pi_camera_mounted_upside_down_is_turned_by_libcamera(monkeypatch):
    made = fake_picamera2(monkeypatch)
    with PiCamera(rotation=180) as cam:
        cam.read(2.0)
    transform = made[0].config["transform"]
    assert (transform.hflip, transform.vflip) == (1, 1)


def test_a_pi_camera_that_stops_sending_is_reopened(monkeypatch):
    made = fake_picamera2(monkeypatch, fail_after=3)
    cam = PiCamera()
    cam.retry_delay = 0.01
    with cam:
        cam.read(2.0)
        with pytest.raises(CameraError, match="check the ribbon cable"):
            while True:
                cam.read(0.5)
        assert cam.running and len(made) >= 2 and made[0].closed


def test_no_pi_camera_and_no_picamera2_say_what_to_do(monkeypatch):
    fake_picamera2(monkeypatch, cameras=0)
    cam = PiCamera()
    with cam, pytest.raises(CameraError, match="no Pi camera found: connect one"):
        cam.read(0.5)
    monkeypatch.setitem(sys.modules, "picamera2", None)  # "not installed"
    with pytest.raises(CameraError, match="apt install python3-picamera2"):
        PiCamera()


def test_channel_swap_is_in_place():
    image = solid(RED)[..., ::-1].copy()
    before = image.__array_interface__["data"][0]
    bgr_to_rgb_inplace(image, np.empty(image.shape[:2], np.uint8))
    assert close_to(image, RED, tol=1) and image.__array_interface__["data"][0] == before


# -- choosing -----------------------------------------------------------------------------------


def test_open_source_builds_what_the_config_names(tmp_path, monkeypatch):
    Image.fromarray(solid(RED)).save(tmp_path / "a.png")
    assert isinstance(open_source(load_config([], {"camera.source": "demo"}).camera), DemoPlayer)
    replay = open_source(
        load_config([], {"camera.source": "replay", "camera.replay_path": str(tmp_path)}).camera
    )
    assert isinstance(replay, Replay)
    fake_picamera2(monkeypatch)
    assert isinstance(open_source(load_config([], {"camera.source": "picamera2"}).camera), PiCamera)


def test_auto_prefers_the_pi_camera_then_a_webcam_then_the_demo(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", None)
    missing = load_config([], {"camera.device": str(tmp_path / "video0")}).camera
    assert isinstance(open_source(missing), DemoPlayer)
    video = write_video(tmp_path / "cam.avi", frames=30)
    from edgepac.camera.webcam import Webcam

    assert isinstance(open_source(load_config([], {"camera.device": str(video)}).camera), Webcam)
    fake_picamera2(monkeypatch)
    assert isinstance(open_source(missing), PiCamera)


# What simplejpeg (imported by picamera2) raises on a Pi whose venv has a NumPy of another ABI.
ABI_ERROR = ("numpy.dtype size changed, may indicate binary incompatibility. Expected 96 from C "
             "header, got 88 from PyObject")


def broken_picamera2(monkeypatch, tmp_path):
    """An installed picamera2 whose import fails as the real one does under the wrong NumPy,
    on a kiosk venv that sees the OS's NumPy 1.24.2 (Bookworm's)."""
    package = tmp_path / "site" / "picamera2"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"raise ValueError({ABI_ERROR!r})\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delitem(sys.modules, "picamera2", raising=False)
    monkeypatch.setattr("edgepac.os_numpy.os_numpy_version", lambda: "1.24.2")
    monkeypatch.setattr("edgepac.os_numpy.sys.base_prefix", "/usr")  # a venv from the OS python


def test_auto_never_swaps_a_broken_pi_camera_for_the_demo_player(tmp_path, monkeypatch):
    broken_picamera2(monkeypatch, tmp_path)
    cfg = load_config([], {"camera.device": str(tmp_path / "video0")}).camera  # no webcam either
    source = open_source(cfg)
    assert isinstance(source, PiCamera), "a broken picamera2 is not 'no camera'"
    # the arcade's red banner shows source.read's error: what broke and the command that mends it
    want = f"{Path(sys.prefix) / 'bin' / 'pip'} install --ignore-installed 'numpy>=1.24.2,<2'"
    with source, pytest.raises(CameraError) as caught:
        source.read(0.5)
    assert "picamera2 does not import (numpy.dtype size changed" in str(caught.value)
    assert want in str(caught.value) and want in source.status
    assert "demo" not in source.status


def test_doctor_says_how_to_mend_a_camera_module_broken_by_numpy(tmp_path, monkeypatch):
    from edgepac.camera import doctor

    broken_picamera2(monkeypatch, tmp_path)
    monkeypatch.setattr("edgepac.camera.webcam.video_devices", lambda: [])
    line = doctor.imports_check().line()
    assert line.startswith("FIX  camera modules: picamera2 (numpy.dtype size changed")
    assert f"built for the OS's NumPy 1.24.2, this venv has NumPy {np.__version__}" in line
    assert line.endswith("install --ignore-installed 'numpy>=1.24.2,<2' (or run "
                         "scripts/install.sh again)")
    camera = doctor.camera_check()
    assert not camera.ok and "not the demo player" in camera.detail
