"""The arcade's six buttons and its LEDs, through gpiozero.

Four class buttons (UP, DOWN, LEFT, RIGHT), TRAIN and PLAY, each wired from a GPIO pin to ground
and read with the Pi's internal pull-up (pressed = low). Optional LEDs: one per class, lit for the
class being predicted, and one lit while recording.

What the buttons say, as ``Event``s from ``poll()``:
- a class button: HOLD when it goes down, RELEASE when it comes up (the app records every frame
  in between);
- TRAIN or PLAY: when it comes up, so that pressing both together can mean something else;
- TRAIN and PLAY held together for ``clear_hold_s``: one CLEAR (and no TRAIN or PLAY after it).

gpiozero debounces on the Pi (``bounce_time``); on top of that a release only counts once the
button has stayed up for ``bounce_time``, so a bouncing contact gives one HOLD and one RELEASE
whatever the pin factory (MockFactory has no debounce of its own).
"""

from __future__ import annotations

import logging
import queue
import threading
import warnings
from collections.abc import Callable
from typing import Any

from gpiozero import LED, Button

from edgepac.controls.config import ButtonsConfig
from edgepac.controls.events import Event, Kind
from edgepac.errors import EdgePacError
from edgepac.poses import POSES

log = logging.getLogger(__name__)


class ArcadeButtons:
    """The buttons and LEDs named in ``cfg`` (a ``ButtonsConfig``); ``poll()`` drains events."""

    def __init__(self, cfg: ButtonsConfig | None = None, *, pin_factory: Any = None) -> None:
        cfg = cfg or ButtonsConfig()
        self.clear_hold_s = cfg.clear_hold_s
        self.settle_s = cfg.bounce_time or 0.0
        self._events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._lock = threading.RLock()
        self._held: set[str] = set()  # debounced: down and not yet settled up
        self._settling: dict[str, threading.Timer] = {}  # went up; counts once it stays up
        self._chord = False  # TRAIN and PLAY were down together since both were last up
        self._clear_timer: threading.Timer | None = None
        self.buttons: dict[str, Button] = {}
        self.leds: dict[str, LED] = {}
        self.record_led: LED | None = None
        pins = {**cfg.class_pins(), "train": cfg.train, "play": cfg.play}
        try:
            for name, pin in pins.items():
                # hold_time: unused (the app times holds), but gpiozero's hold thread sleeps
                # that long, so closing a button held down would wait a second.
                button = Button(pin, pull_up=True, bounce_time=cfg.bounce_time, hold_time=0.05,
                                pin_factory=pin_factory)
                button.when_pressed = self._callback(name, True)
                button.when_released = self._callback(name, False)
                self.buttons[name] = button
            for name, pin in zip(POSES, cfg.leds or (), strict=False):
                self.leds[name] = LED(pin, pin_factory=pin_factory)
            if cfg.record_led is not None:
                self.record_led = LED(cfg.record_led, pin_factory=pin_factory)
        except Exception:
            self.close()
            raise

    # -- what the app calls --------------------------------------------------------------------

    def poll(self) -> list[Event]:
        """Every event since the last poll, oldest first (never blocks)."""
        out: list[Event] = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    def held(self) -> tuple[str, ...]:
        """The class buttons down now, in class order."""
        with self._lock:
            return tuple(c for c in POSES if c in self._held)

    def show_prediction(self, name: str | None) -> None:
        """Light the LED of ``name`` (and no other); None: all off."""
        for cls, led in self.leds.items():
            if cls == name:
                led.on()
            else:
                led.off()

    def show_recording(self, on: bool) -> None:
        if self.record_led is not None:
            self.record_led.value = bool(on)

    def close(self) -> None:
        with self._lock:
            for timer in self._settling.values():
                timer.cancel()
            self._settling.clear()
            if self._clear_timer is not None:
                self._clear_timer.cancel()
        for device in [*self.buttons.values(), *self.leds.values(), self.record_led]:
            if device is not None:
                device.close()

    def __enter__(self) -> ArcadeButtons:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- from the pins -------------------------------------------------------------------------

    def _callback(self, name: str, down: bool) -> Callable[[], None]:
        return lambda: self._pin_changed(name, down)

    def _pin_changed(self, name: str, down: bool) -> None:
        with self._lock:
            settling = self._settling.pop(name, None)
            if down:
                if settling is not None:
                    settling.cancel()  # it bounced: the button never really came up
                elif name not in self._held:
                    self._held.add(name)
                    self._went_down(name)
            elif name in self._held and settling is None:
                if self.settle_s:
                    timer = threading.Timer(self.settle_s, self._settled_up, args=(name,))
                    timer.daemon = True
                    self._settling[name] = timer
                    timer.start()
                else:
                    self._held.discard(name)
                    self._went_up(name)
            elif settling is not None:  # another "up" while settling: keep waiting
                self._settling[name] = settling

    def _settled_up(self, name: str) -> None:
        with self._lock:
            if self._settling.pop(name, None) is None:
                return  # cancelled by a bounce meanwhile
            if self.buttons[name].is_pressed:
                return  # down again, and gpiozero saw no edge: still held
            self._held.discard(name)
            self._went_up(name)

    def _went_down(self, name: str) -> None:
        if name in POSES:
            self._events.put(Event(Kind.HOLD, name))
        elif {"train", "play"} <= self._held:
            self._chord = True
            self._clear_timer = threading.Timer(self.clear_hold_s, self._held_long)
            self._clear_timer.daemon = True
            self._clear_timer.start()

    def _went_up(self, name: str) -> None:
        if name in POSES:
            self._events.put(Event(Kind.RELEASE, name))
            return
        if self._clear_timer is not None:
            self._clear_timer.cancel()
            self._clear_timer = None
        if self._chord:  # part of a TRAIN+PLAY press: neither counts alone
            if not {"train", "play"} & self._held:
                self._chord = False
            return
        self._events.put(Event(Kind.TRAIN if name == "train" else Kind.PLAY))

    def _held_long(self) -> None:
        with self._lock:
            if self._chord and {"train", "play"} <= self._held and self._clear_timer is not None:
                self._clear_timer = None
                self._events.put(Event(Kind.CLEAR))


def open_buttons(cfg: ButtonsConfig, pin_factory: Any = None) -> ArcadeButtons | None:
    """The buttons as ``cfg.gpio`` asks: "off" -> None; "auto" -> None (logged) on a machine
    without GPIO; "on" -> EdgePacError saying what to do."""
    if cfg.gpio == "off":
        return None
    try:
        with warnings.catch_warnings():  # gpiozero warns for each pin factory it falls back from
            warnings.simplefilter("ignore")
            return ArcadeButtons(cfg, pin_factory=pin_factory)
    except Exception as err:  # gpiozero raises many kinds: no factory, pin busy, no permission
        why = f"GPIO buttons unavailable ({type(err).__name__}: {err})"
        if cfg.gpio == "auto":
            log.info("%s; using the keyboard only", why)
            return None
        raise EdgePacError(
            f"{why}; run on a Raspberry Pi as a member of the gpio group with python3-lgpio "
            "installed, or set buttons.gpio = \"auto\" or \"off\""
        ) from None
