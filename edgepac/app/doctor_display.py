"""Doctor check for the kiosk's screen: can it draw on the Pi's console, and how.

PyPI's pygame wheels have no KMSDRM video driver, so on a console (no desktop) there are two ways
to get a picture: Raspberry Pi OS's python3-pygame (the system SDL has KMSDRM; the venv sees it
through --system-site-packages), or the cage Wayland kiosk compositor running the app with SDL's
wayland driver. This check says which one works here.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from edgepac.doctor import Check, sdl_drivers


def is_raspberry_pi() -> bool:
    model = Path("/proc/device-tree/model")
    try:
        return model.is_file() and "Raspberry Pi" in model.read_text(errors="replace")
    except OSError:
        return False


def kiosk_check() -> Check:
    import pygame

    system = pygame.__file__.startswith("/usr/lib/python3")
    origin = "Raspberry Pi OS's python3-pygame" if system else "pygame from PyPI"
    try:
        drivers = sdl_drivers()["ok"]
    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as err:
        return Check("kiosk", False, f"pygame cannot start ({err})", "reinstall: ./scripts/run")
    cage = shutil.which("cage")
    if "kmsdrm" in drivers:
        return Check(
            "kiosk",
            True,
            f"{origin} draws on the console (kmsdrm): systemd/edgepac.service as it is",
        )
    if cage:
        return Check(
            "kiosk",
            True,
            f"{origin} has no kmsdrm, but cage is installed: "
            "install the kiosk with ./scripts/install.sh --cage",
        )
    if is_raspberry_pi():
        busy = " (or the kiosk holds the screen: sudo systemctl stop edgepac, then retry)"
        return Check(
            "kiosk",
            False,
            f"{origin} cannot draw on the console and cage is not "
            "installed" + (busy if system else ""),
            "sudo apt install python3-pygame and a venv made with "
            "--system-site-packages (./scripts/install.sh does both), or "
            "sudo apt install cage and ./scripts/install.sh --cage",
        )
    return Check(
        "kiosk",
        True,
        f"not a Raspberry Pi: no console kiosk here ({origin} opens "
        f"{', '.join(drivers) or 'nothing'}; `edgepac run` uses a window)",
    )


def checks() -> list[Check]:
    return [kiosk_check()]
