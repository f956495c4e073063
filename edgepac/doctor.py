"""`edgepac doctor`: what this machine has, each line OK or what to do about it.

Each module in `DOCTOR_MODULES` has ``checks() -> list[Check]``. A module not written yet is
skipped; one that crashes becomes a failed check naming it, so the doctor itself never dies.
The display check (which SDL video drivers pygame can open) lives here: every area draws.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

DOCTOR_MODULES = (
    "edgepac.vision.doctor",
    "edgepac.camera.doctor",
    "edgepac.learning.doctor",  # NumPy's BLAS
    "edgepac.controls.doctor",
    "edgepac.game.doctor",
    "edgepac.app.doctor",
    "edgepac.app.doctor_display",  # the kiosk: kmsdrm or cage
    "edgepac.doctor",  # the display, below
)


@dataclass(frozen=True)
class Check:
    """One thing the doctor looked at: ``detail`` is what it found, ``what_to_do`` the fix."""

    name: str  # e.g. "interpreter"
    ok: bool
    detail: str
    what_to_do: str = ""

    def line(self) -> str:
        if self.ok:
            return f"OK   {self.name}: {self.detail}"
        todo = f" -> {self.what_to_do}" if self.what_to_do else ""
        return f"FIX  {self.name}: {self.detail}{todo}"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "doctor",
        help="check this machine: interpreter, model, camera...",
        description="Check what this machine has for the arcade: the TFLite interpreter, the "
        "model, the camera, the buttons, the display, the config and the saved state. Each "
        "line is OK, or FIX with what to do; exits 1 when something needs fixing.",
    )
    p.set_defaults(func=run)


def run_checks() -> list[Check]:
    results: list[Check] = []
    for name in DOCTOR_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                results.append(
                    Check(name, False, f"cannot import ({err})", "reinstall: ./scripts/run")
                )
            continue
        try:
            results.extend(module.checks())
        except Exception as err:  # a doctor must report a broken part, not die of it
            results.append(Check(name, False, f"the check crashed ({type(err).__name__}: {err})"))
    return results


def run(args: argparse.Namespace) -> int:
    results = run_checks()
    for check in results:
        print(check.line())
    return 0 if all(c.ok for c in results) else 1


# --- the display: which SDL video drivers pygame can open ------------------------------------

SDL_DRIVERS = ("kmsdrm", "wayland", "x11", "fbcon", "offscreen", "dummy")
SCREEN_DRIVERS = ("kmsdrm", "wayland", "x11", "fbcon")  # those that show something to a player

# Run in a child process: opening a video driver changes process-wide SDL state.
_PROBE = """
import json, os, sys
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
import pygame
ok = []
for driver in sys.argv[1:]:
    os.environ["SDL_VIDEODRIVER"] = driver
    try:
        pygame.display.init()
        ok.append(driver)
    except pygame.error:
        pass
    finally:
        pygame.display.quit()
sdl = ".".join(map(str, pygame.get_sdl_version()))
print(json.dumps({"pygame": pygame.version.ver, "sdl": sdl, "ok": ok}))
"""


def sdl_drivers(timeout: float = 20) -> dict[str, Any]:
    """{"pygame": version, "sdl": version, "ok": [drivers that opened]}."""
    env = {k: v for k, v in os.environ.items() if k != "SDL_VIDEODRIVER"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *SDL_DRIVERS],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(last)
    return json.loads(done.stdout.strip().splitlines()[-1])


def checks() -> list[Check]:
    try:
        found = sdl_drivers()
    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as err:
        return [Check("display", False, f"pygame cannot start ({err})", "pip install pygame")]
    ok = found["ok"]
    detail = f"pygame {found['pygame']} (SDL {found['sdl']}) opens {', '.join(ok) or 'nothing'}"
    screens = [d for d in ok if d in SCREEN_DRIVERS]
    if screens:
        return [Check("display", True, detail)]
    return [
        Check(
            "display",
            False,
            detail + "; no screen",
            "on a Pi console pygame needs SDL's kmsdrm driver, which PyPI's pygame wheels "
            "lack: use Raspberry Pi OS's python3-pygame (sudo apt install python3-pygame; "
            "scripts/run's venv sees it), or run under a desktop (x11/wayland)",
        )
    ]
