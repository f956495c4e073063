"""A Raspberry Pi camera through Picamera2 and libcamera.

picamera2 comes from the OS (``sudo apt install python3-picamera2``; a venv needs
``--system-site-packages`` to see it), so it is imported here only, when a Pi camera is used.

A video configuration at a modest size makes the ISP scale the sensor's picture, not the CPU.
Given the model's input size (``model_size``), the main stream is exactly the model's input: the
centre square of the sensor (``ScalerCrop``, as the backbone's own crop would take it) scaled by
the ISP to model_size x model_size, so the CPU neither crops nor resizes. The main stream, not
lores: on a Pi 4 the lores stream can only be YUV420, which the CPU would have to convert; an
RGB main stream works on every Pi. Picamera2 names formats after libcamera/DRM, whose "RGB888"
is B, G, R in memory; its "BGR888" is R, G, B, which is what we want: asking for it means no
conversion at all. (Asked for "RGB888", the channels are swapped in place, through one scratch
plane reused for every frame.)

Latency: picamera2 (``queue=True``) keeps only the newest finished frame, and the capture
thread hands each on through a one-slot ``LatestFrame``: at most one frame waits, the newest.
Each frame carries the sensor's own timestamp (``SensorTimestamp``, on the monotonic clock), so
the app measures a frame's age from the moment the sensor read it out.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from edgepac.camera.source import CameraError, Capture, FrameSource
from edgepac.os_numpy import abi_advice, is_abi_error

INSTALL = ("sudo apt install python3-picamera2, and make the venv with "
           "--system-site-packages (scripts/install.sh does both)")


class PiCameraMissing(CameraError):
    """picamera2 is not installed (not a Pi, or the venv cannot see the OS's packages)."""


def import_picamera2() -> Any:
    """picamera2, or CameraError: PiCameraMissing when it is not installed, a plain CameraError
    saying what to do when it is installed but does not import (a NumPy of another ABI breaks
    its simplejpeg: picamera2's issues #1088 and #1211)."""
    try:
        import picamera2
    except ModuleNotFoundError as err:
        if err.name != "picamera2":
            raise CameraError(f"picamera2 does not import ({err}): {INSTALL}") from err
        raise PiCameraMissing(f"the Pi camera needs picamera2: {INSTALL}") from None
    except Exception as err:  # installed but broken: whatever its C modules raise
        if is_abi_error(err):
            raise CameraError(abi_advice("picamera2", err)) from err
        raise CameraError(f"picamera2 does not import ({type(err).__name__}: {err}): "
                          f"{INSTALL}") from err
    return picamera2


def cameras() -> list[dict[str, Any]]:
    """The Pi cameras libcamera sees ([] without picamera2; CameraError if it is broken)."""
    try:
        return list(import_picamera2().Picamera2.global_camera_info())
    except PiCameraMissing:
        return []


class PiCamera(FrameSource):
    name = "Pi camera"
    hint = ("check the ribbon cable (power off first) and `rpicam-hello --list-cameras`; "
            "retrying")

    def __init__(self, size: tuple[int, int] = (640, 480), fps: float = 30, *,
                 rotation: int = 0, camera_num: int = 0, timeout: float = 2.0,
                 pixel_format: str = "BGR888", model_size: int | None = None) -> None:
        super().__init__()
        self.picamera2: Any = None
        try:
            self.picamera2 = import_picamera2()
        except PiCameraMissing:
            raise
        except CameraError as err:  # installed but broken: the screen says why (see _open)
            self.error = err
        if pixel_format not in ("BGR888", "RGB888"):
            raise ValueError(f"pixel_format must be BGR888 or RGB888, got {pixel_format!r}")
        if model_size is not None and (model_size < 32 or model_size % 2):
            raise ValueError(f"model_size must be an even size of at least 32, got {model_size}")
        self.model_size = model_size
        # What the ISP delivers: the model's input when it is known, else the camera's size.
        self.size = (model_size, model_size) if model_size else tuple(size)
        self.fps = fps
        self.rotation = rotation
        self.camera_num = camera_num
        self.timeout = timeout
        self.pixel_format = pixel_format
        self._cam: Any = None
        self._scratch = np.empty((self.size[1], self.size[0]), np.uint8)
        self._taken: float | None = None  # the last frame's sensor timestamp

    def _open(self) -> None:
        if self.picamera2 is None:
            self.picamera2 = import_picamera2()  # raises again what broke it, for the screen
        Picamera2 = self.picamera2.Picamera2
        if len(Picamera2.global_camera_info()) <= self.camera_num:
            raise CameraError("no Pi camera found: connect one (power off first) and check "
                              "`rpicam-hello --list-cameras`; retrying")
        cam = Picamera2(self.camera_num)
        try:
            cam.configure(cam.create_video_configuration(**self.video_options()))
            if self.model_size:
                # The centre square of what the sensor mode sees, as the backbone would crop.
                crop = centre_square(cam.camera_controls["ScalerCrop"][1])
                cam.set_controls({"ScalerCrop": crop})
            cam.start()
        except Exception:
            cam.close()
            raise
        self._cam = cam

    def video_options(self) -> dict[str, Any]:
        """The keyword arguments for picamera2's ``create_video_configuration``."""
        frame_us = int(1_000_000 / self.fps)
        options: dict[str, Any] = {
            "main": {"size": tuple(self.size), "format": self.pixel_format},
            "buffer_count": 4,
            "queue": True,  # picamera2 keeps the newest finished frame, and only that one
            "controls": {"FrameDurationLimits": (frame_us, frame_us)},
        }
        if self.rotation == 180:
            from libcamera import Transform  # ships with picamera2

            options["transform"] = Transform(hflip=1, vflip=1)
        return options

    def _capture(self) -> Capture:
        cam = self._cam
        # Asynchronously, so that a camera that stops sending times out instead of hanging.
        job = cam.capture_arrays(["main"], wait=False)
        # Copies we own (the buffer goes back to the camera) and the frame's metadata.
        (image,), metadata = cam.wait(job, timeout=self.timeout)
        self._taken = sensor_time(metadata, time.monotonic())
        if self.pixel_format == "RGB888":
            bgr_to_rgb_inplace(image, self._scratch)
        return image, None

    def _timestamp(self) -> float | None:
        return self._taken

    def _close(self) -> None:
        cam, self._cam = self._cam, None
        if cam is not None:
            try:
                cam.stop()
            finally:
                cam.close()


def bgr_to_rgb_inplace(image: np.ndarray, scratch: np.ndarray) -> None:
    """Swap channels 0 and 2 of an HxWx3 array in place, through an HxW scratch plane."""
    if scratch.shape != image.shape[:2]:
        scratch.resize(image.shape[:2], refcheck=False)
    np.copyto(scratch, image[..., 0])
    np.copyto(image[..., 0], image[..., 2])
    np.copyto(image[..., 2], scratch)


def centre_square(rect: Any) -> tuple[int, int, int, int]:
    """The centred square of an (x, y, width, height) rectangle, as ScalerCrop takes it."""
    x, y, w, h = (int(v) for v in rect)
    side = min(w, h)
    return (x + (w - side) // 2, y + (h - side) // 2, side, side)


def sensor_time(metadata: Any, now: float) -> float | None:
    """The frame's ``SensorTimestamp`` (ns, the monotonic clock) in time.monotonic seconds;
    None when it is missing or cannot be on that clock (in the future, or over a second old)."""
    try:
        t = float(metadata["SensorTimestamp"]) / 1e9
    except (KeyError, TypeError, ValueError):
        return None
    return t if now - 1.0 <= t <= now + 0.001 else None
