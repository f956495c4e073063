"""A Raspberry Pi camera through Picamera2 and libcamera.

picamera2 comes from the OS (``sudo apt install python3-picamera2``; a venv needs
``--system-site-packages`` to see it), so it is imported here only, when a Pi camera is used.

A video configuration at a modest size makes the ISP scale the sensor's picture, not the CPU.
Picamera2 names formats after libcamera/DRM, whose "RGB888" is B, G, R in memory; its "BGR888"
is R, G, B, which is what we want: asking for it means no conversion at all. (Asked for "RGB888",
the channels are swapped in place, through one scratch plane reused for every frame.)
"""

from __future__ import annotations

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
                 pixel_format: str = "BGR888") -> None:
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
        self.size = size
        self.fps = fps
        self.rotation = rotation
        self.camera_num = camera_num
        self.timeout = timeout
        self.pixel_format = pixel_format
        self._cam: Any = None
        self._scratch = np.empty((size[1], size[0]), np.uint8)

    def _open(self) -> None:
        if self.picamera2 is None:
            self.picamera2 = import_picamera2()  # raises again what broke it, for the screen
        Picamera2 = self.picamera2.Picamera2
        if len(Picamera2.global_camera_info()) <= self.camera_num:
            raise CameraError("no Pi camera found: connect one (power off first) and check "
                              "`rpicam-hello --list-cameras`; retrying")
        cam = Picamera2(self.camera_num)
        try:
            frame_us = int(1_000_000 / self.fps)
            options: dict[str, Any] = {
                "main": {"size": tuple(self.size), "format": self.pixel_format},
                "buffer_count": 4,
                "controls": {"FrameDurationLimits": (frame_us, frame_us)},
            }
            if self.rotation == 180:
                from libcamera import Transform  # ships with picamera2

                options["transform"] = Transform(hflip=1, vflip=1)
            cam.configure(cam.create_video_configuration(**options))
            cam.start()
        except Exception:
            cam.close()
            raise
        self._cam = cam

    def _capture(self) -> Capture:
        cam = self._cam
        # Asynchronously, so that a camera that stops sending times out instead of hanging.
        job = cam.capture_array("main", wait=False)
        image = cam.wait(job, timeout=self.timeout)  # a copy we own; the buffer goes back
        if self.pixel_format == "RGB888":
            bgr_to_rgb_inplace(image, self._scratch)
        return image, None

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
