"""Replay: a folder of images or a video file played as a camera, at a set rate.

For tests, benchmarks and demos without a camera. A folder is read in name order, including its
subfolders; an image inside a folder named after a pose (edgepac.poses) or "none"
carries that class as ``Frame.truth``, so a recorded session can be scored frame by frame. A
video file needs OpenCV (``pip install edgepac[webcam]``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from edgepac.camera.source import CameraError, Capture, EndOfStream, FrameSource, Pacer
from edgepac.errors import EdgePacError
from edgepac.poses import POSES
from edgepac.vision.images import is_image_name

log = logging.getLogger(__name__)

TRUTHS: dict[str, str | None] = {**{pose: pose for pose in POSES}, "none": None}


class Replay(FrameSource):
    """Frames from ``path`` (a folder of images or a video) ``fps`` times a second (0: as fast
    as they are read); from the start again at the end when ``loop``."""

    name = "replay"
    hint = "check camera.replay_path"

    def __init__(self, path: str | Path, fps: float = 30.0, *, loop: bool = True,
                 rotation: int = 0) -> None:
        super().__init__()
        self.path = Path(path)
        self.fps = fps
        self.paced_by_reader = not fps
        self.loop = loop
        self.rotation = rotation
        self.skipped = 0  # unreadable images passed over
        if self.path.is_dir():
            self.files = sorted(
                (p for p in self.path.rglob("*") if p.is_file() and is_image_name(p)),
                key=lambda p: p.relative_to(self.path).as_posix(),
            )
            if not self.files:
                raise CameraError(f"replay: no images in {self.path}; put PNG or JPEG files "
                                  "there or point camera.replay_path at a video file")
        elif self.path.is_file():
            self.files = []
            _import_cv2(f"replaying the video {self.path}")
        else:
            raise CameraError(f"replay: {self.path} does not exist; set camera.replay_path to "
                              "a folder of images or a video file")
        self._index = 0
        self._video = None
        self._bgr: np.ndarray | None = None
        self._pacer = Pacer(fps)

    def _open(self) -> None:
        self._pacer = Pacer(self.fps, self._stop)
        if not self.files:
            cv2 = _import_cv2("replaying a video")
            self._video = cv2.VideoCapture(str(self.path))
            if not self._video.isOpened():
                raise CameraError(f"replay: OpenCV cannot open {self.path}; is it a video?")

    def _capture(self) -> Capture:
        self._pacer.tick()
        image, truth = self._next_video() if self._video is not None else self._next_image()
        if self.rotation == 180:
            image = image[::-1, ::-1]
        return image, truth

    def _next_image(self) -> Capture:
        for _ in range(len(self.files)):
            if self._index >= len(self.files):
                if not self.loop:
                    raise EndOfStream
                self._index = 0
            path = self.files[self._index]
            self._index += 1
            try:
                from edgepac.vision.images import load_rgb

                image = load_rgb(path)
            except EdgePacError as err:
                self.skipped += 1
                log.warning("replay: skipping %s", err)
                continue
            return image, TRUTHS.get(path.parent.name.lower()) if path.parent != self.path else None
        raise CameraError(f"replay: none of the images in {self.path} can be read")

    def _next_video(self) -> Capture:
        assert self._video is not None
        cv2 = _import_cv2("replaying a video")
        ok, bgr = self._video.read(self._bgr)
        if not ok:
            if not self.loop or self._index == 0:
                raise EndOfStream
            self._video.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, bgr = self._video.read(self._bgr)
            if not ok:
                raise CameraError(f"replay: cannot read frames from {self.path}")
        self._index += 1
        self._bgr = bgr  # decoded into the same buffer next time
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), None

    def _close(self) -> None:
        if self._video is not None:
            self._video.release()
            self._video = None


def _import_cv2(what: str):
    try:
        import cv2
    except ImportError:
        raise CameraError(f"{what} needs OpenCV: pip install 'edgepac[webcam]'") from None
    return cv2
