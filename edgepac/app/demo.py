"""The scripted player of ``edgepac demo``: poses for the demo camera and presses the buttons.

It does what a visitor would: for each class, take the pose, hold the class button until about
30 frames are recorded, let go; press TRAIN and wait; press PLAY; then, for the play time, take
the pose the autopilot would steer with, so that the arcade's smoothed requests can be scored
against the true pose of every frame.

The director is called once per main-loop frame (``App.run(until=director)``) and drives the app
only through its inputs (``press``: a posted event, or a real gpiozero pin in the tests) and the
demo player's ``pose``: the app cannot tell it from a person.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from edgepac.app.arcade import Event, Kind, State
from edgepac.errors import EdgePacError

SETTLE_S = 0.25  # after a pose change, frames already in flight still show the old pose


class Director:
    def __init__(
        self,
        player: Any,
        press: Callable[[Event], None],
        autopilot: Any,
        *,
        samples: int = 30,
        play_seconds: float = 60.0,
        timeout_s: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.player = player
        self.press = press
        self.autopilot = autopilot
        self.samples = samples
        self.play_seconds = play_seconds
        self.timeout_s = timeout_s
        self.clock = clock
        self.phase = "start"
        self.play_started: float | None = None
        self.play_ended: float | None = None
        self.train_s: float | None = None
        self._steps: Iterator[None] | None = None

    def __call__(self, app: Any) -> bool:
        """One frame of the script; True once it is over."""
        if self._steps is None:
            self._steps = self._script(app)
        try:
            next(self._steps)
        except StopIteration:
            return True
        return False

    def _wait(self, app: Any, done: Callable[[], bool], what: str) -> Iterator[None]:
        end = self.clock() + self.timeout_s
        while not done():
            if self.clock() > end:
                raise EdgePacError(f"demo: timed out waiting for {what}")
            if not app.running:
                raise EdgePacError(f"demo: the app stopped while waiting for {what}")
            yield

    def _pause(self, seconds: float) -> Iterator[None]:
        end = self.clock() + seconds
        while self.clock() < end:
            yield

    def _script(self, app: Any) -> Iterator[None]:
        arcade = app.arcade
        yield from self._wait(app, lambda: app.frame is not None, "the first camera frame")
        for name in app.class_names:
            self.phase = f"record {name}"
            self.player.pose = name
            yield from self._pause(SETTLE_S)
            target = arcade.counts.get(name, 0) + self.samples
            self.press(Event(Kind.HOLD, name))
            yield from self._wait(
                app, lambda n=name, t=target: arcade.counts.get(n, 0) >= t, f"{name} samples"
            )
            self.press(Event(Kind.RELEASE, name))
            yield
        self.player.pose = None
        self.phase = "train"
        t0 = self.clock()
        self.press(Event(Kind.TRAIN))
        yield from self._wait(app, lambda: arcade.state is State.TRAINING, "training to start")
        yield from self._wait(app, lambda: arcade.result is not None, "training")
        self.train_s = self.clock() - t0
        if not arcade.result.ok:
            raise EdgePacError(f"demo: training failed: {arcade.result.error}")
        self.phase = "play"
        self.press(Event(Kind.PLAY))
        yield from self._wait(app, lambda: arcade.state is State.PLAYING, "the game to start")
        self.play_started = self.clock()
        while self.clock() - self.play_started < self.play_seconds:
            game = app.game
            if getattr(game, "game_over", False):
                self.press(Event(Kind.PLAY))  # another game
            wish = self.autopilot.request(game)
            if wish is not None:
                self.player.pose = wish.value
            yield
        self.play_ended = self.clock()
        self.phase = "done"
