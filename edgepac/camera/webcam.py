"""A USB webcam through OpenCV (the optional extra: ``pip install 'edgepac[webcam]'``).

OpenCV hands out B, G, R; the frame is converted to R, G, B once, into the array the reader gets.
"""

from __future__ import annotations

import glob
import os
import sys
from typing import Any

import numpy as np

from edgepac.camera.source import CameraError, Capture, FrameSource
from edgepac.os_numpy import abi_advice, is_abi_error


def video_devices() -> list[str]:
    """The /dev/video* nodes, in number order (a Pi camera's ISP nodes are among them too)."""
    return sorted(glob.glob("/dev/video*"), key=lambda p: int(p[10:]) if p[10:].isdigit() else 0)


class Webcam(FrameSource):
    """``device``: an index ("0"), a path ("/dev/video2") or "" for the first that opens."""

    name = "webcam"
    hint = "check the USB cable, or set camera.device"

    def __init__(self, device: str | int = "", size: tuple[int, int] = (640, 480),
                 fps: float = 30, *, rotation: int = 0) -> None:
        super().__init__()
        self.cv2 = import_cv2()
        self.device = str(device)
        self.size = size
        self.fps = fps
        self.rotation = rotation
        self.opened: str | None = None  # which device it is reading
        self._cap: Any = None
        self._bgr: np.ndarray | None = None

    def _open(self) -> None:
        cv2 = self.cv2
        candidates = [self.device] if self.device else video_devices()
        if not candidates:
            raise CameraError("no webcam: no /dev/video* device; plug one in or set "
                              "camera.device (it is retried)")
        for candidate in candidates:
            target: str | int = int(candidate) if candidate.isdigit() else candidate
            v4l2 = sys.platform == "linux" and str(target).startswith("/dev/")
            cap = cv2.VideoCapture(target, cv2.CAP_V4L2) if v4l2 else cv2.VideoCapture(target)
            if cap.isOpened():
                ok, _ = cap.read()
                if ok:  # some nodes open but give no frames (metadata, a Pi's ISP)
                    self._configure(cap)
                    self._cap, self.opened = cap, str(candidate)
                    return
            cap.release()
        tried = ", ".join(candidates)
        raise CameraError(f"no webcam gives frames (tried {tried}); plug one in or set "
                          "camera.device (it is retried)")

    def probe(self) -> str:
        """Open and close the webcam once; the device that gave a frame, else CameraError."""
        self._open()
        self._close()
        return str(self.opened)

    def _configure(self, cap: Any) -> None:
        cv2 = self.cv2
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.size[0])
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.size[1])
        cap.set(cv2.CAP_PROP_FPS, self.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not one queued seconds ago

    def _capture(self) -> Capture:
        ok, bgr = self._cap.read(self._bgr)  # into last frame's buffer when the size holds
        if not ok:
            raise CameraError(f"the webcam {self.opened} stopped giving frames; {self.hint}")
        self._bgr = bgr
        rgb = self.cv2.cvtColor(bgr, self.cv2.COLOR_BGR2RGB)  # the one new array: the frame
        if self.rotation == 180:
            rgb = np.ascontiguousarray(rgb[::-1, ::-1])
        return rgb, None

    def _close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def import_cv2() -> Any:
    # Errors only: a missing camera is told by our message, not by OpenCV's warnings. Through
    # the environment, which every build reads: Debian's cv2 4.6 has no cv2.utils.logging.
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    try:
        import cv2
    except ModuleNotFoundError as err:
        if err.name != "cv2":
            raise CameraError(f"OpenCV does not import ({err})") from err
        raise CameraError("a webcam needs OpenCV: pip install 'edgepac[webcam]' (or set "
                          'camera.source = "demo")') from None
    except Exception as err:  # installed but broken, e.g. the OS's cv2 under another NumPy
        if is_abi_error(err):
            raise CameraError(abi_advice("cv2 (OpenCV)", err)) from err
        raise CameraError(f"OpenCV does not import ({type(err).__name__}: {err})") from err
    return cv2
