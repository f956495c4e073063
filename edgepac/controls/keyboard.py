"""The keyboard as the arcade's buttons, for a desktop or a Pi with a keyboard plugged in.

    arrows held  record that class (HOLD on key down, RELEASE on key up)
    T / P        TRAIN / PLAY, on release like the buttons; T and P held together: CLEAR
    Esc          BACK
    C            CLEAR (the app asks to confirm, as for TRAIN+PLAY held on the buttons)
    F            show or hide the FPS and latency overlay
    Q            quit (the app's own key, not a button's: see edgepac.app.app)
"""

from __future__ import annotations

from typing import Any

import pygame

from edgepac.controls.events import Event, Kind
from edgepac.poses import POSES

ARROWS = {pygame.K_UP: "up", pygame.K_DOWN: "down", pygame.K_LEFT: "left", pygame.K_RIGHT: "right"}
# Like the TRAIN and PLAY buttons: they count on release, and both held together ask to clear.
PAIR = {pygame.K_t: Kind.TRAIN, pygame.K_p: Kind.PLAY}
KEYS = {
    pygame.K_ESCAPE: Kind.BACK,
    pygame.K_c: Kind.CLEAR,
    pygame.K_f: Kind.FPS,
}


class KeyboardControls:
    """Turns pygame key events into ``Event``s; remembers which arrows are down."""

    def __init__(self) -> None:
        self._held: set[str] = set()
        self._pair: set[int] = set()  # T and P keys down
        self._pair_used = False  # both were down: their releases do nothing

    def handle(self, event: Any) -> list[Event]:
        """The events for one pygame event (most give none)."""
        if event.type == pygame.KEYDOWN:
            if event.key in ARROWS:
                name = ARROWS[event.key]
                if name in self._held:  # key repeat: still the same hold
                    return []
                self._held.add(name)
                return [Event(Kind.HOLD, name)]
            if event.key in PAIR:
                if event.key in self._pair:
                    return []
                self._pair.add(event.key)
                if len(self._pair) == len(PAIR):
                    self._pair_used = True
                    return [Event(Kind.CLEAR)]
                return []
            if event.key in KEYS:
                return [Event(KEYS[event.key])]
        elif event.type == pygame.KEYUP and event.key in PAIR:
            if event.key not in self._pair:
                return []
            self._pair.discard(event.key)
            if self._pair_used:
                self._pair_used = bool(self._pair)
                return []
            return [Event(PAIR[event.key])]
        elif event.type == pygame.KEYUP and event.key in ARROWS:
            name = ARROWS[event.key]
            if name in self._held:
                self._held.discard(name)
                return [Event(Kind.RELEASE, name)]
        elif event.type == pygame.WINDOWFOCUSLOST and self._held:
            # The key-up will go to another window: let go of everything now.
            released = [Event(Kind.RELEASE, n) for n in POSES if n in self._held]
            self._held.clear()
            return released
        return []

    def held(self) -> tuple[str, ...]:
        return tuple(c for c in POSES if c in self._held)
