"""The game's clock: 60 ticks per second of wall time, whatever the drawing costs.

Pac-Man's rules move in 60 Hz ticks. One tick per drawn frame puts the game in slow motion as
soon as a frame takes longer than 16.7 ms (full HD in software on a Pi, a busy machine). So the
main thread asks the clock each frame how many ticks are due: usually one, two or three after a
late frame (the game catches up), never more than ``max_catch_up`` (a stall of a second becomes
a short pause, not a burst of 60 ticks the player cannot follow).

Pure: the caller passes the time (any monotonic clock), so a test can run it on a fake one.
"""

from __future__ import annotations

from collections.abc import Callable

TICK_HZ = 60
MAX_CATCH_UP = 6  # ticks in one frame: a frame up to 100 ms late is made up in full


class GameClock:
    """Counts the ticks due: ``due(now)`` once a frame, then step the game that many times."""

    def __init__(self, hz: float = TICK_HZ, max_catch_up: int = MAX_CATCH_UP) -> None:
        if hz <= 0 or max_catch_up < 1:
            raise ValueError("the game clock needs hz > 0 and max_catch_up >= 1")
        self.period = 1.0 / hz
        self.max_catch_up = max_catch_up
        self.ticks = 0  # all ticks handed out since the last reset
        self.dropped_s = 0.0  # wall time given up to the cap (stalls)
        self._behind = 0.0  # wall time not yet turned into ticks
        self._last: float | None = None

    def reset(self, now: float) -> None:
        """A new game (or the menus in between): start counting from ``now``, owing nothing."""
        self._last = now
        self._behind = 0.0

    def due(self, now: float) -> int:
        """How many ticks to run in this frame for the game to keep 60 per second of ``now``."""
        if self._last is None:
            self.reset(now)
            return 1  # the first frame shows the first tick
        self._behind += max(0.0, now - self._last)
        self._last = now
        n = int(self._behind / self.period + 1e-9)
        if n > self.max_catch_up:
            # A stall: keep arcade time from here on rather than replaying it all at once.
            self.dropped_s += (n - self.max_catch_up) * self.period
            self._behind -= (n - self.max_catch_up) * self.period
            n = self.max_catch_up
        self._behind -= n * self.period
        self.ticks += n
        return n


class FramePacer:
    """Paces the main loop at ``fps`` on absolute deadlines, so one late wake-up is made up by a
    shorter sleep next frame instead of adding up (pygame's Clock.tick sleeps a full frame minus
    the work from the last tick: on a busy machine every oversleep lengthens every frame).
    """

    def __init__(self, fps: float, clock: Callable[[], float], sleep: Callable[[float], None]):
        self.period = 1.0 / fps
        self.clock = clock
        self.sleep = sleep
        self._next: float | None = None

    def wait(self) -> None:
        """Sleep until this frame's deadline (not at all when already late)."""
        now = self.clock()
        if self._next is None or self._next < now - self.period:
            self._next = now  # first frame, or far behind: start afresh rather than rush
        self._next += self.period
        delay = self._next - now
        if delay > 0:
            self.sleep(delay)
