"""Touch and the mouse as the arcade's buttons: a finger on an on-screen target acts exactly like
pressing that physical button, so a builder with the official 7" panel needs to wire nothing.

The screen says where its targets are (``targets``: the physical button's name -> a rect on the
LOGICAL surface, the unrotated picture; drawn by the pages). Here each press is mapped from the
window to that surface (``Rotation``: the panel may be mounted turned) and hit-tested:

    a pose's target ("up"...)         HOLD when the finger lands, RELEASE when it lifts or slides
                                      off (as its button: held = records)
    "train", "play" ("back", "clear") on lift, if the finger is still on it (as the buttons:
                                      they count on release); slid off: nothing

SDL's touch comes as FINGERDOWN/FINGERMOTION/FINGERUP with x, y normalised to the window (0..1),
and SDL also makes mouse events from each touch, marked ``touch=True`` (pygame 2.0.2 on, so
Bookworm's 2.1.2 too): those are ignored, so a tap is one press. Where ``touch`` is missing, a
mouse event while a finger is down (or just lifted) is taken for such a copy. Finger events SDL
makes from the mouse (``touch_id`` -1) are ignored likewise. The mouse's left button works as a
finger on a desktop; a hidden cursor changes nothing (finger events do not depend on it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import pygame

from edgepac.controls.events import Event, Kind
from edgepac.controls.rotation import Rotation
from edgepac.poses import POSES

# The buttons that count on release, by the name of their target.
ON_RELEASE = {"train": Kind.TRAIN, "play": Kind.PLAY, "back": Kind.BACK, "clear": Kind.CLEAR}
MOUSE = "mouse"
SDL_MOUSE_TOUCHID = -1  # the touch_id of finger events SDL makes from the mouse
# What ``handle`` takes (the app passes it only these).
TOUCH_EVENTS = frozenset({
    pygame.FINGERDOWN, pygame.FINGERMOTION, pygame.FINGERUP,
    pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION, pygame.WINDOWFOCUSLOST,
})
Targets = Mapping[str, Any]  # the screen's: name -> pygame.Rect on the logical surface
SHADOW_S = 0.5  # without ``touch`` on mouse events: one this soon after a finger is its copy


def hit(targets: Mapping[str, Any], x: float, y: float) -> str | None:
    """The target under (x, y); the smallest when several are (a tile on a whole-screen one)."""
    best, best_area = None, None
    for name, rect in targets.items():
        if rect.collidepoint(int(x), int(y)):
            area = rect.width * rect.height
            if best_area is None or area < best_area:
                best, best_area = name, area
    return best


class TouchControls:
    """Turns pygame's finger and mouse events into ``Event``s, one press per touch."""

    def __init__(self, rotation: Rotation, clock: Callable[[], float] = time.monotonic) -> None:
        self.rotation = rotation
        self.clock = clock
        self._on: dict[Hashable, str | None] = {}  # pointer -> the target it pressed (None: none)
        self._holders: dict[str, int] = {}  # pose target -> pointers on it
        self._finger_until = -1.0  # mouse events without ``touch`` are copies until then
        self.presses = 0  # presses that became a button's event (a HOLD, a TRAIN...)
        self.missed = 0  # presses on no target
        self.fingers = 0  # fingers put on the screen (any target or none): a touchscreen is here

    def handle(self, event: Any, targets: Mapping[str, Any]) -> list[Event]:
        """The events for one pygame event (most give none). ``targets``: the screen's now."""
        kind = event.type
        if kind in (pygame.FINGERDOWN, pygame.FINGERMOTION, pygame.FINGERUP):
            if getattr(event, "touch_id", 0) == SDL_MOUSE_TOUCHID:
                return []  # the mouse, already handled as the mouse
            pointer = ("finger", event.touch_id, event.finger_id)
            w, h = self.rotation.window
            x, y = self.rotation.to_logical(event.x * w, event.y * h)
            self._finger_until = self.clock() + SHADOW_S
            if kind == pygame.FINGERDOWN:
                self.fingers += 1
                return self._down(pointer, x, y, targets)
            if kind == pygame.FINGERMOTION:
                return self._moved(pointer, x, y, targets)
            return self._up(pointer)
        if kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION):
            if self._copy_of_touch(event):
                return []
            x, y = self.rotation.to_logical(*event.pos)
            if kind == pygame.MOUSEMOTION:
                return self._moved(MOUSE, x, y, targets)
            if event.button != 1:
                return []
            if kind == pygame.MOUSEBUTTONDOWN:
                return self._down(MOUSE, x, y, targets)
            return self._up(MOUSE)
        if kind == pygame.WINDOWFOCUSLOST and MOUSE in self._on:
            return self._leave(MOUSE)  # the button-up will go to another window
        return []

    def held(self) -> tuple[str, ...]:
        """The pose targets held now, in pose order."""
        return tuple(p for p in POSES if self._holders.get(p, 0) > 0)

    # -- one pointer -------------------------------------------------------------------------

    def _copy_of_touch(self, event: Any) -> bool:
        touch = getattr(event, "touch", None)
        if touch is not None:
            return bool(touch)
        finger_down = any(p != MOUSE for p in self._on)
        return finger_down or self.clock() < self._finger_until

    def _down(self, pointer: Hashable, x: float, y: float, targets: Targets) -> list[Event]:
        out = self._leave(pointer) if pointer in self._on else []  # its up was lost
        name = hit(targets, x, y)
        if name not in POSES and name not in ON_RELEASE:
            self.missed += 1
            self._on[pointer] = None
            return out
        self._on[pointer] = name
        if name in POSES:
            self._holders[name] = self._holders.get(name, 0) + 1
            if self._holders[name] == 1:  # a second finger on the same tile: still one hold
                self.presses += 1
                out.append(Event(Kind.HOLD, name))
        return out

    def _moved(self, pointer: Hashable, x: float, y: float, targets: Targets) -> list[Event]:
        name = self._on.get(pointer)
        if name is None:
            return []  # not pressed, or pressed outside every target
        rect = targets.get(name)
        if rect is not None and rect.collidepoint(int(x), int(y)):
            return []
        out = self._leave(pointer)  # slid off: let go of it
        self._on[pointer] = None
        return out

    def _up(self, pointer: Hashable) -> list[Event]:
        if pointer not in self._on:
            return []
        name = self._on[pointer]
        out = self._leave(pointer)
        if name in ON_RELEASE:
            self.presses += 1
            out.append(Event(ON_RELEASE[name]))
        return out

    def _leave(self, pointer: Hashable) -> list[Event]:
        """The pointer is off its target: a pose held by no other pointer is released."""
        name = self._on.pop(pointer, None)
        if name not in POSES:
            return []
        left = self._holders.get(name, 0) - 1
        self._holders[name] = max(0, left)
        return [Event(Kind.RELEASE, name)] if left == 0 else []
