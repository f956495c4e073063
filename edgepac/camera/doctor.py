"""Doctor checks for the camera: the config, and which source `auto` would use here."""

from __future__ import annotations

import importlib.util

from edgepac.doctor import Check
from edgepac.errors import EdgePacError

NO_CAMERA = ("connect a Pi camera (power off first) or a USB webcam (with pip install "
             "'edgepac[webcam]'); until then the demo player stands in")


def config_check() -> Check:
    from edgepac.app.config import load_config
    from edgepac.paths import config_files

    try:
        load_config()
    except EdgePacError as err:
        return Check("config", False, "not usable: the app would not start", str(err))
    found = [str(p) for p in config_files() if p.is_file()]
    return Check("config", True, ", ".join(found) + " read" if found else "defaults (no file)")


def camera_check() -> Check:
    from edgepac.app.config import load_config
    from edgepac.camera import picamera, webcam
    from edgepac.camera.source import CameraError

    try:
        cfg = load_config().camera
    except EdgePacError:
        return Check("camera", False, "see the config check")
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
    return [config_check(), camera_check()]
