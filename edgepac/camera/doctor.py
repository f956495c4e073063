"""Doctor checks for the camera: which source the ``[camera]`` config would use here."""

from __future__ import annotations

import importlib.util

from edgepac.camera.config import CameraConfig
from edgepac.doctor import Check
from edgepac.errors import EdgePacError
from edgepac.settings import load_section

NO_CAMERA = ("connect a Pi camera (power off first) or a USB webcam (with pip install "
             "'edgepac[webcam]'); until then the demo player stands in")


def camera_check() -> Check:
    from edgepac.camera import picamera, webcam
    from edgepac.camera.source import CameraError

    try:
        cfg = load_section(CameraConfig, "camera")
    except EdgePacError as err:
        return Check("camera", False, "the [camera] config cannot be used", str(err))
    pis = picamera.cameras()
    has_picamera2 = importlib.util.find_spec("picamera2") is not None
    if cfg.source in ("auto", "picamera2") and pis:
        models = ", ".join(str(c.get("Model", "?")) for c in pis)
        return Check("camera", True, f"Pi camera {models} (libcamera) at "
                     f"{cfg.width}x{cfg.height}, {cfg.fps} fps")
    if cfg.source == "picamera2":
        why = "no Pi camera found" if has_picamera2 else "picamera2 is not installed"
        return Check("camera", False, f"camera.source = \"picamera2\" but {why}",
                     picamera.INSTALL if not has_picamera2 else NO_CAMERA)
    if cfg.source == "demo":
        return Check("camera", True, "the demo player (camera.source = \"demo\")")
    if cfg.source == "replay":
        try:
            from edgepac.camera.replay import Replay

            Replay(str(cfg.replay_path), cfg.fps)
        except CameraError as err:
            return Check("camera", False, "the replay cannot start", str(err))
        return Check("camera", True, f"replay of {cfg.replay_path}")
    try:
        found = webcam.Webcam(cfg.device, (cfg.width, cfg.height), cfg.fps).probe()
    except CameraError as err:
        if cfg.source == "webcam":
            return Check("camera", False, "camera.source = \"webcam\" but none works", str(err))
        hint = "" if has_picamera2 else " (picamera2 not installed)"
        return Check("camera", False, f"no Pi camera{hint} and no webcam: the demo player "
                     "stands in", NO_CAMERA)
    return Check("camera", True, f"webcam {found}")


def checks() -> list[Check]:
    return [camera_check()]
