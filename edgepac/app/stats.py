"""What the arcade measures about itself: frames, latency, accuracy, memory.

Kept in preallocated rings (nothing grows per frame); read by the FPS overlay and by
``edgepac demo --json``.
"""

from __future__ import annotations

import resource
from dataclasses import dataclass, field

import numpy as np


class Ring:
    """A preallocated ring of the last ``size`` measurements (nothing grows per frame)."""

    def __init__(self, size: int = 8192) -> None:
        self.values = np.zeros(size, dtype=np.float64)
        self.n = 0

    def add(self, value: float) -> None:
        self.values[self.n % len(self.values)] = value
        self.n += 1

    def recent(self) -> np.ndarray:
        return self.values[: min(self.n, len(self.values))]

    def percentile(self, q: float) -> float | None:
        v = self.recent()
        return float(np.percentile(v, q)) if len(v) else None

    def clear(self) -> None:
        self.n = 0


class SteeringScore:
    """How the steering followed the player's true pose, frame by frame (the demo player knows
    it): ``lag_frames`` (from a change of pose to the steering's change to it) and
    ``false_turns`` (the steering turned to a pose the player was not in).

    The steering is the direction Pac-Man is sent: the filter's last request (None sends
    nothing, so the direction stands). A change the steering never caught before the next one
    counts as late by the whole stretch. A gap in the frames (a pause between games) starts
    afresh. Pure and preallocated: ``add`` allocates nothing.
    """

    GAP_S = 0.5  # frames further apart than this are not one stretch of play

    def __init__(self) -> None:
        self.lag_frames = Ring(4096)
        self.false_turns = 0
        self.turns = 0
        self.seconds = 0.0  # of play covered by the frames
        self.frames = 0
        self._t = -1e18
        self._truth: str | None = None
        self._direction: str | None = None
        self._target: str | None = None  # a change of pose the steering has not followed yet
        self._since = 0  # ...made this many frames ago

    def add(self, truth: str | None, request: str | None, t: float) -> None:
        """One frame: the player's true pose, the filter's request and the frame's time (s)."""
        if t - self._t > self.GAP_S:  # a new stretch: what came before says nothing
            self._truth, self._direction, self._target = truth, request, None
        else:
            self.seconds += t - self._t
            if truth != self._truth and truth is not None:
                if self._target is not None:  # never caught: late by the whole stretch
                    self.lag_frames.add(self._since + 1)
                self._target, self._since = truth, 0
            elif self._target is not None:
                self._since += 1
            self._truth = truth
            if request is not None and request != self._direction:
                if self._direction is not None:
                    self.turns += 1
                    if request != truth:
                        self.false_turns += 1
                self._direction = request
            if self._target is not None and self._direction == self._target:
                self.lag_frames.add(self._since)
                self._target = None
        self._t = t
        self.frames += 1

    def figures(self) -> dict[str, float | None]:
        minutes = self.seconds / 60.0
        return {
            "steer_lag_frames_p50": self.lag_frames.percentile(50),
            "steer_lag_frames_p95": self.lag_frames.percentile(95),
            "steer_changes": self.lag_frames.n,
            "false_turns": self.false_turns,
            "false_turns_per_min": self.false_turns / minutes if minutes > 0 else None,
        }


@dataclass
class Stats:
    """Counters for the overlay and for ``edgepac demo --json``."""

    processed: int = 0  # frames through the backbone
    latency_ms: Ring = field(default_factory=Ring)  # capture -> request to the game
    # Every frame through the model: its age at the prediction (the camera's timestamp when it
    # gives one -> the head's answer), playing or not.
    frame_age_ms: Ring = field(default_factory=Ring)
    steering: SteeringScore = field(default_factory=SteeringScore)  # the demo player's truth
    tick_latency_ms: Ring = field(default_factory=Ring)  # capture -> the game tick that used it
    infer_ms: Ring = field(default_factory=Ring)  # backbone + head on one frame
    play_frames: int = 0  # frames processed while a player played
    play_correct: int = 0  # ...whose request equalled the true pose (demo player only)
    play_raw_correct: int = 0  # ...whose unsmoothed best class was the true pose
    recent_frames: Ring = field(default_factory=lambda: Ring(64))  # processing times, for fps
    # Main-loop frame intervals: a whole demo session (~10 minutes at 60 fps) fits.
    frame_ms: Ring = field(default_factory=lambda: Ring(1 << 16))

    def fps(self) -> float:
        t = self.recent_frames.recent()
        if len(t) < 2:
            return 0.0
        return (len(t) - 1) / max(1e-9, float(t.max() - t.min()))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
