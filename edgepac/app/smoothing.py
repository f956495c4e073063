"""Turn a stream of per-frame class probabilities into steady direction requests.

A camera is a noisy joystick: now and then a frame is misread, and a player between two poses
gives near-even probabilities. A filter decides, frame by frame, which pose steers. It must
answer fast (in Pac-Man a late turn is a missed corridor) and still ignore a one-frame misread.
Three are here, chosen with ``play.smoothing`` (benchmarks/steering_filters.py compares them;
docs/benchmarks/steering.md has the figures that chose the default):

    Switch    (default) a two-state rule: hold a pose; switch at once when another wins
              ``frames`` (2) frames in a row with at least ``threshold``. Turns one frame after
              the player, never on a single odd frame; noise that leaves the right pose on top
              costs it nothing.
    Bayes     a forward (HMM) filter over "which pose is the player in": each frame the belief
              keeps its pose with high probability (the switching prior) and is then weighed by
              the head's probabilities. As fast on clean frames; slower when frames are unsure;
              once its belief is spread (confident frames jumping between poses, as from a
              knocked camera) it follows each frame, and turns wrongly.
    Smoother  the mean of the last N probability vectors, sent when it reaches ``threshold``
              (the first filter: steady but about two frames late at every change).

Each has ``update(proba) -> name | None`` (None: send nothing, Pac-Man keeps going),
``reset()``, ``mean`` (what the bars show) and ``sure``: did this frame clearly agree with the
steering? (A long run of unsure frames makes the arcade suggest a refresh; the responsive
filters hold their pose through doubt, so their request alone cannot say it.)

Pure logic, no I/O; every buffer is made once, so a frame allocates nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from edgepac.errors import EdgePacError

FILTERS = ("switch", "bayes", "mean")


class Filter(Protocol):
    class_names: list[str]
    sure: bool

    def update(self, proba: np.ndarray) -> str | None: ...
    def reset(self) -> None: ...
    @property
    def mean(self) -> np.ndarray: ...


def _names(class_names: Sequence[str]) -> list[str]:
    if not class_names:
        raise EdgePacError("the steering filter needs at least one class name")
    return list(class_names)


def _threshold(threshold: float) -> float:
    if not 0.0 <= threshold <= 1.0:
        raise EdgePacError(f"play.confidence_threshold must be between 0 and 1, not {threshold}")
    return float(threshold)


class Smoother:
    """Mean of the last ``frames`` probability vectors, ignored under ``threshold``.

    ``update(proba)`` returns the winning class name, or None while the mean is not confident.
    """

    def __init__(self, class_names: Sequence[str], frames: int = 5, threshold: float = 0.6):
        if frames < 1:
            raise EdgePacError(f"play.smoothing_frames must be at least 1, not {frames}")
        self.threshold = _threshold(threshold)
        self.class_names = _names(class_names)
        self.frames = int(frames)
        k = len(self.class_names)
        self._ring = np.zeros((self.frames, k), dtype=np.float32)
        self._sum = np.zeros(k, dtype=np.float64)
        self._mean = np.zeros(k, dtype=np.float32)
        self._next = 0  # where the next vector goes
        self._filled = 0  # how many rows hold real vectors
        self.sure = False

    def reset(self) -> None:
        """Forget the past (a new game, a new head): the next request needs fresh evidence."""
        self.sure = False
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
            self.sure = False
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
        self.sure = bool(self._mean[best] >= self.threshold)
        return self.class_names[best] if self.sure else None


class Switch:
    """Hold the current pose; switch at once when another pose is the frame's winner with at
    least ``threshold`` for ``frames`` frames in a row. A single odd frame (``frames`` >= 2)
    never turns Pac-Man; a clear change turns him ``frames - 1`` frames after it began."""

    def __init__(self, class_names: Sequence[str], frames: int = 2, threshold: float = 0.5):
        if frames < 1:
            raise EdgePacError(f"play.switch_frames must be at least 1, not {frames}")
        self.threshold = _threshold(threshold)
        self.class_names = _names(class_names)
        self.frames = int(frames)
        self._shown = np.zeros(len(self.class_names), dtype=np.float32)
        self._held = -1  # the pose that steers (-1: none yet)
        self._candidate = -1  # the pose that won the last frames...
        self._run = 0  # ...this many in a row
        self.sure = False  # this frame's winner is clear and is the pose held

    def reset(self) -> None:
        self.sure = False
        self._shown.fill(0.0)
        self._held = self._candidate = -1
        self._run = 0

    @property
    def mean(self) -> np.ndarray:
        """The last frame's probabilities (the bars)."""
        return self._shown

    def update(self, proba: np.ndarray) -> str | None:
        if not np.isfinite(proba).all():
            self.sure = False
            return self.class_names[self._held] if self._held >= 0 else None
        self._shown[:] = proba
        best = int(np.argmax(proba))
        if proba[best] < self.threshold:
            self._candidate, self._run = -1, 0  # unsure: no evidence for anyone
        elif best == self._candidate:
            self._run += 1
        else:
            self._candidate, self._run = best, 1
        if self._candidate >= 0 and self._run >= self.frames:
            self._held = self._candidate
        self.sure = self._held >= 0 and self._candidate == self._held
        return self.class_names[self._held] if self._held >= 0 else None


class Bayes:
    """A forward (HMM) filter over the pose the player is in.

    Each frame the player keeps their pose, or changes it with probability ``change``
    (spread evenly over the others): the belief b becomes T·b. The frame's evidence then
    weighs it: b *= (1 - doubt)·p + doubt/k, where p is the head's probability vector and
    ``doubt`` the share of frames on which the head is not to be believed (so a certain but
    wrong frame cannot wipe the belief out). The pose whose belief reaches ``threshold`` steers.

    With the defaults a pose held for a while needs two clear frames of a new pose to lose
    (one clear frame leaves it ahead), and a frame the head is unsure of barely moves it.
    """

    def __init__(
        self,
        class_names: Sequence[str],
        change: float = 0.05,
        doubt: float = 0.2,
        threshold: float = 0.5,
    ):
        if not 0.0 < change < 1.0:
            raise EdgePacError(f"play.change_rate must be between 0 and 1, not {change}")
        if not 0.0 < doubt < 1.0:
            raise EdgePacError(f"the filter's doubt must be between 0 and 1, not {doubt}")
        self.threshold = _threshold(threshold)
        self.class_names = _names(class_names)
        self.change = float(change)
        self.doubt = float(doubt)
        k = len(self.class_names)
        # T·b = stay·b + move·(1 - b), for a belief b summing to 1.
        self._move = self.change / (k - 1) if k > 1 else 0.0
        self._keep = 1.0 - self.change - self._move if k > 1 else 1.0
        self._floor = self.doubt / k
        self._belief = np.full(k, 1.0 / k, dtype=np.float64)
        self._evidence = np.empty(k, dtype=np.float64)
        self._shown = np.full(k, 1.0 / k, dtype=np.float32)
        self.sure = False  # this frame's winner is clear and is the pose believed

    def reset(self) -> None:
        self.sure = False
        self._belief.fill(1.0 / len(self.class_names))
        self._shown[:] = self._belief

    @property
    def mean(self) -> np.ndarray:
        """The belief in each pose (sums to 1; a view, do not keep it)."""
        return self._shown

    def update(self, proba: np.ndarray) -> str | None:
        b = self._belief
        counted = bool(np.isfinite(proba).all())  # a broken frame is no evidence
        if counted:
            b *= self._keep  # the player may have moved since the last frame
            b += self._move
            np.multiply(proba, 1.0 - self.doubt, out=self._evidence)
            self._evidence += self._floor
            b *= self._evidence
            b /= b.sum()  # never zero: every evidence is at least doubt/k > 0
            self._shown[:] = b
        best = int(np.argmax(b))
        seen = int(np.argmax(proba)) if counted else -1
        self.sure = seen == best and bool(proba[seen] >= self.threshold)
        if b[best] < self.threshold:
            self.sure = False
            return None
        return self.class_names[best]


def make_filter(class_names: Sequence[str], play: Any) -> Filter:
    """The steering filter ``play`` (the config's [play] section) asks for."""
    kind = getattr(play, "smoothing", "switch")
    threshold = play.confidence_threshold
    if kind == "mean":
        return Smoother(class_names, frames=play.smoothing_frames, threshold=threshold)
    if kind == "switch":
        return Switch(class_names, frames=play.switch_frames, threshold=threshold)
    if kind == "bayes":
        return Bayes(class_names, change=play.change_rate, threshold=threshold)
    raise EdgePacError(f"play.smoothing must be one of {', '.join(FILTERS)}, not {kind!r}")
