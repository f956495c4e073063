"""Turn a stream of per-frame class probabilities into steady direction requests.

A camera is a noisy joystick: one frame in ten is misread, and a player between two poses gives
near-even probabilities. So the app averages the last N probability vectors and sends a request
only when the winning class is clearly ahead (its mean probability at least the threshold);
otherwise it sends nothing and Pac-Man keeps going the way he goes.

Pure logic, no I/O; the ring is preallocated so a frame allocates nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from edgepac.errors import EdgePacError


class Smoother:
    """Mean of the last ``frames`` probability vectors, ignored under ``threshold``.

    ``update(proba)`` returns the winning class name, or None while the mean is not confident.
    """

    def __init__(self, class_names: Sequence[str], frames: int = 5, threshold: float = 0.6):
        if frames < 1:
            raise EdgePacError(f"play.smoothing_frames must be at least 1, not {frames}")
        if not 0.0 <= threshold <= 1.0:
            raise EdgePacError(
                f"play.confidence_threshold must be between 0 and 1, not {threshold}"
            )
        if not class_names:
            raise EdgePacError("the smoother needs at least one class name")
        self.class_names = list(class_names)
        self.frames = int(frames)
        self.threshold = float(threshold)
        k = len(self.class_names)
        self._ring = np.zeros((self.frames, k), dtype=np.float32)
        self._sum = np.zeros(k, dtype=np.float64)
        self._mean = np.zeros(k, dtype=np.float32)
        self._next = 0  # where the next vector goes
        self._filled = 0  # how many rows hold real vectors

    def reset(self) -> None:
        """Forget the past (a new game, a new head): the next request needs fresh evidence."""
        self._ring.fill(0.0)
        self._sum.fill(0.0)
        self._mean.fill(0.0)
        self._next = 0
        self._filled = 0

    @property
    def mean(self) -> np.ndarray:
        """The current smoothed probabilities, one per class (a view; do not keep it)."""
        return self._mean

    def update(self, proba: np.ndarray) -> str | None:
        """Add one frame's probabilities; return the confident class name or None."""
        if not np.isfinite(proba).all():
            return None  # a broken frame is no evidence; it must not poison the running sum
        row = self._ring[self._next]
        # A running sum, corrected by the row that falls out of the window: O(k) per frame.
        self._sum -= row
        row[:] = proba
        self._sum += row
        self._next = (self._next + 1) % self.frames
        self._filled = min(self._filled + 1, self.frames)
        np.divide(self._sum, self._filled, out=self._mean, casting="unsafe")
        best = int(np.argmax(self._mean))
        if self._mean[best] < self.threshold:
            return None
        return self.class_names[best]
