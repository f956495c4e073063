"""Doctor checks for the controls: can gpiozero reach GPIO, and can it claim the configured pins."""

from __future__ import annotations

import glob
import os
import warnings
from pathlib import Path

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


# Linux input capabilities (linux/input-event-codes.h): what makes a device a touchscreen.
BTN_TOUCH = 0x14A
ABS_X, ABS_Y, ABS_MT_POSITION_X, ABS_MT_POSITION_Y = 0x00, 0x01, 0x35, 0x36
PROP_POINTER, PROP_DIRECT = 0, 1  # a touchpad moves a pointer; a touchscreen is touched directly


def _bits(words: str, long_bits: int) -> int:
    """A /proc bitmap ("400 0 0 ...", highest word first) as one integer."""
    value = 0
    for word in words.split():
        value = (value << long_bits) | int(word, 16)
    return value


def touchscreens(text: str, long_bits: int | None = None) -> list[tuple[str, str]]:
    """The touchscreens in /proc/bus/input/devices' ``text``: (name, /dev/input/eventN) each.
    A touchscreen reports BTN_TOUCH and an absolute position, and is not a touchpad."""
    if long_bits is None:  # the kernel's long: 64 bits on a 64-bit kernel, whatever userland is
        long_bits = 64 if os.uname().machine.endswith("64") else 32
    found = []
    for block in text.strip().split("\n\n"):
        name, event, bits = "?", "", {}
        for line in block.splitlines():
            if line.startswith("N: Name="):
                name = line.partition("=")[2].strip().strip('"')
            elif line.startswith("H: Handlers="):
                handlers = line.split("=", 1)[1].split()
                event = next((h for h in handlers if h.startswith("event")), "")
            elif line.startswith("B: "):
                key, _, words = line[3:].partition("=")
                bits[key] = _bits(words, long_bits)
        keys, axes, props = bits.get("KEY", 0), bits.get("ABS", 0), bits.get("PROP", 0)
        positioned = all(axes >> a & 1 for a in (ABS_X, ABS_Y)) or all(
            axes >> a & 1 for a in (ABS_MT_POSITION_X, ABS_MT_POSITION_Y)
        )
        touchpad = props >> PROP_POINTER & 1 and not props >> PROP_DIRECT & 1
        if keys >> BTN_TOUCH & 1 and positioned and not touchpad and event:
            found.append((name, f"/dev/input/{event}"))
    return found


def has_touchscreen(devices: Path = Path("/proc/bus/input/devices")) -> bool:
    """Linux reports a touchscreen (the screen's hints then name its tiles, not buttons)."""
    try:
        return bool(touchscreens(devices.read_text(errors="replace")))
    except OSError:
        return False


def touch_check(devices: Path = Path("/proc/bus/input/devices")) -> Check:
    """The touchscreen the arcade can be played by (its tiles and TRAIN/PLAY are targets)."""
    try:
        text = devices.read_text(errors="replace")
    except OSError:
        text = ""
    found = touchscreens(text)
    if not found:
        return Check("touch", True, "no touchscreen found: play with the buttons or a keyboard "
                     "(the mouse clicks the screen's targets)")
    shown = ", ".join(f"{name} ({path})" for name, path in found)
    unreadable = [p for _, p in found if os.path.exists(p) and not os.access(p, os.R_OK)]
    if unreadable:
        return Check("touch", False, f"{shown}: {', '.join(unreadable)} not readable",
                     "add the user to the input group (the kiosk unit does), so SDL reads touches")
    return Check("touch", True, f"{shown}: a tap on a tile or on TRAIN/PLAY presses it")


def checks() -> list[Check]:
    return [pin_factory_check(), buttons_check(), input_check(), touch_check()]
