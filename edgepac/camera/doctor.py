"""Doctor checks for the camera: which source the ``[camera]`` config would use here."""

from __future__ import annotations

import importlib.util

from edgepac import os_numpy
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
    try:
        pis = picamera.cameras()
    except CameraError as err:  # installed but broken: the imports check says how to mend it
        return Check("camera", False, "picamera2 does not import: the screen shows this "
                     "error, not the demo player", str(err))
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


# The OS's compiled camera modules: the Pi camera's and the webcam's.
CAMERA_MODULES = {"picamera2": "picamera2", "cv2": "cv2 (OpenCV)"}


def imports_check() -> Check:
    """Every installed camera module imports (a NumPy of another ABI breaks the OS's ones)."""
    found, broken, abi = [], [], False
    for module, label in CAMERA_MODULES.items():
        if importlib.util.find_spec(module) is None:
            continue
        try:
            importlib.import_module(module)
        except Exception as err:  # whatever a broken C module raises
            first = (str(err).strip().splitlines() or [type(err).__name__])[0]
            broken.append(f"{label} ({first})")
            abi = abi or os_numpy.is_abi_error(err)
            continue
        found.append(label)
    if not broken:
        return Check("camera modules", True, ", ".join(found) + " import" if found else "none")
    if abi:
        return Check("camera modules", False, f"{', '.join(broken)} do not import: built for "
                     f"the OS's NumPy {os_numpy.os_numpy_version()}, this venv has NumPy "
                     f"{os_numpy.venv_numpy_version()}", os_numpy.fix_command(abi=True))
    return Check("camera modules", False, f"{', '.join(broken)} do not import",
                 "sudo apt install --reinstall python3-picamera2 python3-opencv")


def checks() -> list[Check]:
    return [imports_check(), camera_check()]
