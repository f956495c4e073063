"""The arcade buttons' LEDs, on the main thread: which class is being predicted, and whether a
burst is being recorded.

The predicted class is lit in every state, as Teachable Machine's buttons do, so a player can
check a pose before pressing PLAY; in a game it is the direction sent. The LEDs are told only
when what they show changes (gpiozero writes a pin each time).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[[str | None, bool], None]


class Lights:
    def __init__(self) -> None:
        self.listeners: list[Listener] = []
        self._shown: tuple[str | None, bool] = (None, False)

    def attach(self, buttons: Any) -> None:
        """GPIO buttons with LEDs (``edgepac.controls.buttons.ArcadeButtons``)."""

        def light(sent: str | None, recording: bool) -> None:
            buttons.show_prediction(sent)
            buttons.show_recording(recording)

        self.listeners.append(light)

    def show(self, predicted: str | None, recording: bool) -> None:
        state = (predicted, recording)
        if state != self._shown:
            self._shown = state
            for listener in self.listeners:
                listener(*state)
