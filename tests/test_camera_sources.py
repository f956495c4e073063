"""Replay, webcam (real OpenCV, a video file standing in for the USB camera), the Pi camera
(a stand-in picamera2 module: this machine has no Pi camera) and open_source's choice."""

from __future__ import annotations

import sys
import threading
import time
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edgepac.app.config import load_config
from edgepac.camera import open_source
from edgepac.camera.demo_player import DemoPlayer
from edgepac.camera.picamera import PiCamera, bgr_to_rgb_inplace, sensor_time
from edgepac.camera.replay import Replay
from edgepac.camera.source import CameraError
from edgepac.vision.preprocess import SquareResizer

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
    def __init__(self, names):
        self.names = names
        self.done = threading.Event()
        self.result = None


SENSOR_CROP = (16, 8, 3280, 2464)  # an imx219 mode's ScalerCrop maximum: 4:3


def fake_picamera2(monkeypatch, *, cameras=1, fail_after=None, platform="VC4"):
    """A picamera2 module that behaves as the real one does on a Pi (this machine has no
    libcamera), as far as EdgePac uses it:

    - create_video_configuration takes picamera2's keywords (an unknown one is a TypeError)
      and configure checks the configuration as picamera2's check_camera_config does (known
      formats, even (width, height) tuples, lores within main and, on a Pi 4 (VC4), YUV);
    - after configure, camera_controls["ScalerCrop"] is (min, max, default) for the mode;
    - start runs an event-loop thread that finishes a frame every FrameDurationLimits, keeps
      only the newest finished one (queue=True) and hands it to a waiting capture job;
    - capture_arrays(names, wait=False) -> job; wait(job) -> ([copies], metadata) with the
      SensorTimestamp (ns, the monotonic clock); BGR888 arrays are R, G, B in memory, RGB888
      arrays B, G, R; wait raises TimeoutError when frames stop (after ``fail_after``)."""
    made: list = []
    sent = [0]  # frames sent by every camera opened: an unplugged camera stays unplugged
    rgb_formats = ("BGR888", "RGB888", "XBGR8888", "XRGB8888")
    yuv_formats = ("YUV420", "YVU420", "NV12", "NV21")

    def check_stream(stream, name):
        if stream["format"] not in rgb_formats + yuv_formats:
            raise RuntimeError(f"Bad format {stream['format']} in stream {name}")
        size = stream["size"]
        if type(size) is not tuple or len(size) != 2:
            raise RuntimeError(f"size in {name} stream should be (width, height)")
        if size[0] % 2 or size[1] % 2:
            raise RuntimeError("width and height should be even")

    class Picamera2:
        @staticmethod
        def global_camera_info():
            return [{"Model": "imx219", "Num": i} for i in range(cameras)]

        def __init__(self, num=0):
            self.config = None
            self.controls: dict = {}
            self.camera_controls = {"ScalerCrop": ((0, 0, 64, 64), (0, 0, 3296, 2480), None)}
            self.captures = 0
            self.closed = False
            self.completed: list = []  # finished frames kept for a capture: the newest only
            self.jobs: list = []
            self.lock = threading.Lock()
            self.running = threading.Event()
            self.loop: threading.Thread | None = None
            made.append(self)

        # picamera2's own keywords (its defaults {} written as None here).
        def create_video_configuration(self, main=None, lores=None, raw=None, transform=None,
                                       colour_space=None, buffer_count=6, controls=None,
                                       display="main", encode="main", queue=True, sensor=None,
                                       use_case="video"):
            main = {"format": "XBGR8888", "size": (1280, 720), **(main or {})}
            if lores is not None:
                lores = {"format": "YUV420", "size": main["size"], **lores}
            return {"main": main, "lores": lores, "transform": transform,
                    "buffer_count": buffer_count, "queue": queue,
                    "controls": {"FrameDurationLimits": (33333, 33333)} | (controls or {})}

        def configure(self, config):
            check_stream(config["main"], "main")
            if config["lores"] is not None:
                check_stream(config["lores"], "lores")
                (mw, mh), (lw, lh) = config["main"]["size"], config["lores"]["size"]
                if lw > mw or lh > mh:
                    raise RuntimeError("lores stream dimensions may not exceed main stream")
                if platform == "VC4" and config["lores"]["format"] not in yuv_formats:
                    raise RuntimeError("lores stream must be YUV")
            self.config = config
            self.camera_controls = {"ScalerCrop": ((0, 0, 64, 64), SENSOR_CROP, SENSOR_CROP)}

        def set_controls(self, controls):
            if "ScalerCrop" in controls:
                x, y, w, h = controls["ScalerCrop"]
                mx, my, mw, mh = self.camera_controls["ScalerCrop"][1]
                assert mx <= x and my <= y and x + w <= mx + mw and y + h <= my + mh, controls
            self.controls.update(controls)

        def start(self):
            self.running.set()
            self.loop = threading.Thread(target=self._event_loop, daemon=True)
            self.loop.start()

        def _event_loop(self):
            period = self.config["controls"]["FrameDurationLimits"][0] / 1e6
            keep = 1 if self.config["queue"] and self.config["buffer_count"] > 1 else 0
            while self.running.wait(period) is not None and self.running.is_set():
                time.sleep(period)
                if fail_after is not None and sent[0] >= fail_after:
                    continue  # the cable is out: no frame finishes
                sent[0] += 1
                frame = (self._image(), {"SensorTimestamp": time.monotonic_ns()})
                with self.lock:
                    self.completed.append(frame)
                    while self.jobs and self.completed:
                        job = self.jobs.pop(0)
                        images, metadata = self.completed.pop(0)
                        job.result = ([images.copy() for _ in job.names], dict(metadata))
                        job.done.set()
                    del self.completed[: max(0, len(self.completed) - keep)]

        def _image(self):
            w, h = self.config["main"]["size"]
            rgb = solid(RED, (w, h))
            return rgb if self.config["main"]["format"] == "BGR888" else rgb[..., ::-1].copy()

        def capture_arrays(self, names=("main",), wait=None):
            assert wait is False
            job = FakeJob(names)
            with self.lock:
                self.jobs.append(job)
            return job

        def wait(self, job, timeout=None):
            if not job.done.wait(timeout):
                raise TimeoutError
            self.captures += 1
            return job.result

        def stop(self):
            self.running.clear()
            if self.loop is not None:
                self.loop.join(2)

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
    assert config["transform"] is None and config["queue"] is True
    assert "ScalerCrop" not in made[0].controls  # no model size: the whole picture
    assert made[0].closed


def test_the_isp_delivers_the_models_input_so_the_cpu_does_not_resize(monkeypatch):
    made = fake_picamera2(monkeypatch)
    with PiCamera((640, 480), 30, model_size=224) as cam:
        frame = cam.read(2.0)
    config = made[0].config
    assert config["main"] == {"size": (224, 224), "format": "BGR888"}  # R, G, B: no swap
    assert config["lores"] is None  # a Pi 4's lores would be YUV: a conversion on the CPU
    # The centre square of the sensor's picture, as the backbone's own crop takes it.
    x, y, w, h = SENSOR_CROP
    assert made[0].controls["ScalerCrop"] == (x + (w - h) // 2, y, h, h)
    assert frame.image.shape == (224, 224, 3) and close_to(frame.image, RED, tol=1)
    # The backbone's resizer copies such a frame as it is: no crop, no resize.
    out = np.empty((224, 224, 3), np.uint8)
    np.testing.assert_array_equal(SquareResizer(224)(frame.image, out), frame.image)


def test_on_a_pi_4_and_a_pi_5_the_configuration_passes_picamera2s_checks(monkeypatch):
    for platform in ("VC4", "PISP"):
        made = fake_picamera2(monkeypatch, platform=platform)
        with PiCamera(model_size=160, rotation=180) as cam:
            assert cam.read(2.0).image.shape == (160, 160, 3)
        assert made[-1].config["main"]["size"] == (160, 160)


def test_a_frame_carries_the_sensors_timestamp_and_a_slow_reader_gets_the_newest(monkeypatch):
    made = fake_picamera2(monkeypatch)
    ages = []
    with PiCamera(fps=50, model_size=64) as cam:
        cam.read(2.0)
        for _ in range(5):
            time.sleep(0.15)  # a slow model: ~7 frames finish meanwhile
            frame = cam.read(2.0)
            ages.append(time.monotonic() - frame.t)
        dropped = cam.dropped
    assert made[0].captures > 10  # the camera ran on while the reader was busy
    assert dropped > 0
    # The newest frame is at most a frame or two old; the oldest waiting one would be 0.15 s.
    assert sorted(ages)[2] < 0.1, ages


def test_a_sensor_timestamp_off_the_monotonic_clock_is_not_used():
    now = 100.0
    assert sensor_time({"SensorTimestamp": 99_990_000_000}, now) == pytest.approx(99.99)
    assert sensor_time({}, now) is None
    assert sensor_time({"SensorTimestamp": 50_000_000_000}, now) is None  # another clock
    assert sensor_time({"SensorTimestamp": 101_000_000_000}, now) is None  # the future


def test_open_source_hands_the_pi_camera_the_models_size_unless_told_not_to(monkeypatch):
    fake_picamera2(monkeypatch)
    cfg = load_config([], {"camera.source": "picamera2"}).camera
    assert open_source(cfg, model_size=224).size == (224, 224)
    assert open_source(cfg).size == (640, 480)  # no model yet
    assert open_source(cfg, model_size=129).size == (640, 480)  # libcamera wants even sizes
    off = load_config([], {"camera.source": "picamera2", "camera.isp_scale": False}).camera
    assert open_source(off, model_size=224).size == (640, 480)


def test_a_pi_camera_mounted_upside_down_is_turned_by_libcamera(monkeypatch):
    made = fake_picamera2(monkeypatch)
    with PiCamera(rotation=180) as cam:
        cam.read(2.0)
    transform = made[0].config["transform"]
    assert (transform.hflip, transform.vflip) == (1, 1)


def test_a_pi_camera_that_stops_sending_is_reopened(monkeypatch):
    made = fake_picamera2(monkeypatch, fail_after=3)
    cam = PiCamera(timeout=0.3)
    cam.retry_delay = 0.01
    with cam:
        cam.read(2.0)
        with pytest.raises(CameraError, match="check the ribbon cable"):
            while True:
                cam.read(0.5)
        end = time.monotonic() + 5
        while len(made) < 2 and time.monotonic() < end:
            time.sleep(0.01)
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
