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


@dataclass
class Stats:
    """Counters for the overlay and for ``edgepac demo --json``."""

    processed: int = 0  # frames through the backbone
    latency_ms: Ring = field(default_factory=Ring)  # capture -> request to the game
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
