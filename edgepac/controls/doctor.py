"""Doctor checks for the controls: can gpiozero reach GPIO, and can it claim the configured pins."""

from __future__ import annotations

import glob
import os
import warnings

from edgepac.controls.config import ButtonsConfig
from edgepac.doctor import Check
from edgepac.errors import EdgePacError
from edgepac.settings import load_section

FIX_GPIO = ("on a Raspberry Pi: sudo apt install python3-lgpio (the venv needs "
            "--system-site-packages) and add the user to the gpio group")


def _pin_factory_error() -> Exception | None:
    from gpiozero import Device

    try:
        with warnings.catch_warnings():  # gpiozero warns for each factory it falls back from
            warnings.simplefilter("ignore")
            Device.ensure_pin_factory()
    except Exception as err:  # gpiozero raises BadPinFactory, ImportError, OSError...
        return err
    return None


def pin_factory_check() -> Check:
    from gpiozero import Device

    err = _pin_factory_error()
    if err is not None:
        chips = glob.glob("/dev/gpiochip*")
        if not chips:
            return Check("gpio", True, f"no GPIO on this machine ({type(err).__name__}); "
                         "the keyboard is the controller (buttons.gpio = \"auto\")")
        return Check("gpio", False, f"{', '.join(chips)} present but gpiozero cannot use it "
                     f"({type(err).__name__}: {err})", FIX_GPIO)
    factory = type(Device.pin_factory).__name__
    mock = factory == "MockFactory"
    detail = f"gpiozero pin factory {factory}" + (
        " (GPIOZERO_PIN_FACTORY=mock: simulated pins)" if mock else "")
    return Check("gpio", True, detail)


def buttons_check() -> Check:
    from edgepac.controls.buttons import ArcadeButtons

    try:
        cfg = load_section(ButtonsConfig, "buttons")
    except EdgePacError as err:
        return Check("buttons", False, "the config cannot be read", str(err))
    if cfg.gpio == "off":
        return Check("buttons", True, "GPIO buttons off (buttons.gpio = \"off\"): keyboard only")
    pins = ", ".join(f"{n.upper()}=GPIO{p}" for n, p in
                     {**cfg.class_pins(), "train": cfg.train, "play": cfg.play}.items())
    if _pin_factory_error() is not None:
        if cfg.gpio == "auto":
            return Check("buttons", True, f"not wired here (no GPIO); on a Pi: {pins}")
        return Check("buttons", False, "buttons.gpio = \"on\" but gpiozero has no GPIO here",
                     FIX_GPIO)
    try:
        buttons = ArcadeButtons(cfg)
    except Exception as err:
        return Check("buttons", False, f"cannot claim {pins} ({type(err).__name__}: {err})",
                     "stop whatever holds those pins (another edgepac? `sudo systemctl stop "
                     f"edgepac`), or change [buttons] in the config; {FIX_GPIO}")
    try:
        held = buttons.held() or tuple(n for n, b in buttons.buttons.items() if b.is_pressed)
    finally:
        buttons.close()
    leds = f"; LEDs on {list(cfg.leds)}" if cfg.leds else ""
    if held:
        return Check("buttons", False, f"{pins}: {', '.join(held)} reads as pressed now",
                     "a button wired to 3.3 V instead of ground, or shorted: check the wiring")
    return Check("buttons", True, f"{pins}, all up{leds}")


def input_check() -> Check:
    devices = glob.glob("/dev/input/event*")
    if not devices:
        return Check("keyboard", True, "no /dev/input devices (fine on a desktop session)")
    readable = [d for d in devices if os.access(d, os.R_OK)]
    if readable:
        return Check("keyboard", True, f"{len(readable)} of {len(devices)} input devices "
                     "readable")
    return Check("keyboard", False, "input devices present but not readable",
                 "add the user to the input group (the kiosk unit does)")


def checks() -> list[Check]:
    return [pin_factory_check(), buttons_check(), input_check()]
