"""Frame sources: where frames come from (Pi camera, webcam, replay, the demo player).

``open_source(cfg.camera)`` picks one as the config says; "auto" takes the Pi camera if libcamera
sees one, else a webcam that gives frames, else the demo player, and logs which and why. A
picamera2 that is installed but does not import is not "no camera": "auto" then takes the Pi
camera, whose status (the arcade's red banner) says what is wrong and how to mend it.
"""

from __future__ import annotations

import logging

from edgepac.camera.config import CameraConfig
from edgepac.camera.source import CameraError, Frame, FrameSource

__all__ = ["CameraError", "Frame", "FrameSource", "open_source"]

log = logging.getLogger(__name__)


def open_source(cfg: CameraConfig | None = None, model_size: int | None = None) -> FrameSource:
    """A frame source (not started) for ``cfg`` (the ``[camera]`` section).

    An explicitly chosen source that cannot work here (no picamera2, no OpenCV, no such replay
    path) raises CameraError saying what to install or set; a camera that is merely unplugged
    is retried by the source itself once started. ``model_size``: the backbone's input size,
    which a Pi camera's ISP then delivers (unless ``camera.isp_scale`` is false)."""
    cfg = cfg or CameraConfig()
    size = (cfg.width, cfg.height)
    kind = cfg.source
    if kind == "auto":
        kind = _detect(cfg)
    if kind == "picamera2":
        from edgepac.camera.picamera import PiCamera

        # libcamera's sizes are even: an odd model size is left to the CPU's resize.
        isp = model_size if cfg.isp_scale and model_size and model_size % 2 == 0 else None
        return PiCamera(size, cfg.fps, rotation=cfg.rotation, model_size=isp)
    if kind == "webcam":
        from edgepac.camera.webcam import Webcam

        return Webcam(cfg.device, size, cfg.fps, rotation=cfg.rotation)
    if kind == "replay":
        from edgepac.camera.replay import Replay

        if not cfg.replay_path:
            raise CameraError("camera.source = replay needs camera.replay_path")
        return Replay(cfg.replay_path, cfg.fps, loop=cfg.replay_loop, rotation=cfg.rotation)
    if kind == "demo":
        from edgepac.camera.demo_player import DemoPlayer

        return DemoPlayer(size, cfg.fps)
    raise CameraError(f"camera.source must be auto, picamera2, webcam, replay or demo: {kind!r}")


def _detect(cfg: CameraConfig) -> str:
    from edgepac.camera import picamera, webcam

    try:
        if picamera.cameras():
            log.info("camera: a Pi camera (libcamera)")
            return "picamera2"
    except CameraError as err:
        # picamera2 is installed but broken: a Pi camera may well be there. Never the demo
        # player in its place: the Pi camera source shows this error on the screen.
        log.error("camera: %s", err)
        return "picamera2"
    try:
        found = webcam.Webcam(cfg.device, (cfg.width, cfg.height), cfg.fps).probe()
        log.info("camera: the webcam %s", found)
        return "webcam"
    except CameraError as err:
        log.info("camera: no Pi camera, no webcam (%s); the demo player stands in", err)
    return "demo"
