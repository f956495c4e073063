"""The buttons' settings: the ``[buttons]`` section of the arcade's config file."""

from __future__ import annotations

from dataclasses import dataclass

from edgepac.errors import EdgePacError
from edgepac.poses import POSES
from edgepac.settings import Origin, key

GPIO_MODES = ("auto", "on", "off")


@dataclass(frozen=True)
class ButtonsConfig:
    gpio: str = key(
        "auto",
        "choice",
        "auto: use GPIO buttons where the machine has GPIO, else the keyboard only; on: refuse "
        "to start without GPIO; off: keyboard only.",
        choices=GPIO_MODES,
    )
    up: int = key(17, "pin", "BCM pin of the UP button (physical pin 11); wire it to ground.")
    down: int = key(27, "pin", "BCM pin of the DOWN button (physical pin 13).")
    left: int = key(22, "pin", "BCM pin of the LEFT button (physical pin 15).")
    right: int = key(23, "pin", "BCM pin of the RIGHT button (physical pin 16).")
    train: int = key(24, "pin", "BCM pin of the TRAIN button (physical pin 18).")
    play: int = key(25, "pin", "BCM pin of the PLAY button (physical pin 22).")
    leds: tuple[int, ...] | None = key(
        None,
        "pins",
        "BCM pins of the class LEDs (up, down, left, right) lit for the class being predicted; "
        "false = none.",
        none=False,
        example="[5, 6, 12, 13]",
        names=POSES,
    )
    record_led: int | None = key(
        None,
        "pin",
        "BCM pin of the LED lit while recording; false = none.",
        none=False,
        example="16",
    )
    bounce_time: float | None = key(
        0.05,
        "float",
        "Seconds a button must settle before a change counts (debounce).",
        lo=0.001,
        hi=1.0,
        none=0,
    )
    clear_hold_s: float = key(
        3.0,
        "float",
        "Seconds TRAIN and PLAY must be held together to ask to clear all samples.",
        lo=0.5,
        hi=30.0,
    )

    def class_pins(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in POSES}



    def validate(self, origin: Origin) -> None:
        """Two devices on one pin: the second would fail at start, or worse, both work."""
        used: dict[int, str] = {}
        named = [(n, getattr(self, n)) for n in (*POSES, "train", "play", "record_led")]
        named += [(f"leds[{i}]", p) for i, p in enumerate(self.leds or ())]
        for name, pin in named:
            if pin is None:
                continue
            if pin in used:
                raise EdgePacError(
                    f"config: buttons.{name} and buttons.{used[pin]} are both on GPIO{pin}; "
                    "give each button and LED its own pin"
                )
            used[pin] = name
