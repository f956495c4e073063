"""The games on the main thread: the player's, the autopilot's in attract mode, and the table.

Only the main thread touches anything here. Each frame ``tick`` asks the game clock how many
60 Hz ticks are due and steps the game that is on screen that many times, so the game keeps
arcade time even when drawing is slow. Writing the high-score table (a small atomic file with
fsyncs) happens on a short-lived thread: the main thread never waits for a disk.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from edgepac.app.clock import GameClock

log = logging.getLogger(__name__)


class Games:
    def __init__(
        self,
        make_game: Callable[[], Any],
        autopilot: Any,
        high_scores: Any,
        clock: GameClock | None = None,
    ) -> None:
        self.make_game = make_game
        self.autopilot = autopilot
        self.high_scores = high_scores
        self.clock = clock or GameClock()
        self.sounds: Any = None  # the game's synthesised effects, once pygame is up
        self.game: Any = make_game()  # the player's
        self.attract_game: Any = None  # the autopilot's, while nobody is there
        self.request: Any = None  # the Direction being sent, for the screen
        self.new_rank: int | None = None  # the place the last signed score took in the table
        self.problem: str | None = None  # the table could not be saved
        # Measured while a player plays: ticks per second of wall time.
        self.play_ticks = 0
        self.play_seconds = 0.0
        self._last: float | None = None
        self._writing: threading.Thread | None = None

    def new_game(self) -> None:
        self.game = self.make_game()
        self.new_rank = None
        self._play("start")

    def start_attract(self) -> None:
        self.attract_game = self.make_game()

    def stop_attract(self) -> None:
        self.attract_game = None

    def tick(self, now: float, *, attract: bool, playing: bool, request: Any) -> bool:
        """Step the game on screen as many ticks as are due; True if the player's just ended."""
        n = self.clock.due(now)
        dt, self._last = (now - self._last if self._last is not None else 0.0), now
        sounds = self.sounds
        if attract:
            if sounds is not None:
                sounds.react((), frightened=False)  # attract mode is silent
            for _ in range(n):
                if self.attract_game is None or self.attract_game.game_over:
                    self.attract_game = self.make_game()
                self.attract_game.step(self.autopilot.request(self.attract_game))
            return False
        if not playing:
            self.request = None
            if sounds is not None:
                sounds.react((), frightened=False)  # no warble left playing over the menus
            return False
        self.request = request
        game = self.game
        if game.game_over:
            return False
        self.play_seconds += dt
        for _ in range(n):
            game.step(request)
            self.play_ticks += 1
            if sounds is not None:
                sounds.react(game.events, game.frightened)
            if game.game_over:
                return True
        return False

    def ticks_per_s(self) -> float | None:
        return self.play_ticks / self.play_seconds if self.play_seconds > 0 else None

    # -- the high-score table ---------------------------------------------------------------------

    def rank_of(self, score: int) -> int:
        return 1 + sum(1 for e in self.high_scores.entries if e.score >= score)

    def save_score(self, score: int, level: int, name: str) -> threading.Thread:
        """Sign the table; the file is written on its own thread."""
        self.new_rank = self.rank_of(score)

        def write() -> None:
            try:
                self.high_scores.add(score, level, name)  # saved atomically if it qualifies
            except OSError as err:
                log.warning("could not save the high scores: %s", err)
                self.problem = f"Could not save the high scores ({err.strerror or err})"
            else:
                self.problem = None

        thread = threading.Thread(target=write, name="edgepac-highscores", daemon=True)
        thread.start()
        self._writing = thread
        return thread

    def stop(self) -> None:
        """Let a table being written finish (a score signed just before the kiosk stops)."""
        if self._writing is not None:
            self._writing.join(timeout=5)

    def _play(self, sound: str) -> None:
        if self.sounds is not None:
            self.sounds.play(sound)
