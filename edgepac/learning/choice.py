"""What one training pass sees: a capped, chosen subset of the store, with recency weights.

A returning player's store only grows (every sitting adds its bursts), but a refresh must take
seconds and fit in a Pi's memory however long the buttons were held. So training never sees the
whole store: for each class it sees at most ``max_per_class`` frames, chosen so that

- the newest sittings come first: sessions, newest first, each take at most half of what is
  left of the class's budget (the oldest takes the rest); what a short session leaves over goes
  back to the newest ones that have more;
- variety is kept: inside a session every burst (button press) gets an equal share, and inside a
  burst the frames taken are spread evenly over it (neighbouring frames are near copies).

Each chosen frame also gets a weight for the loss (recency, not more copies): the newest session
of a class weighs together at least ``latest_share`` of that class, the older ones share the
rest by frame count. Inside a session, every press of a class weighs the same (one long hold
must not drown the short presses beside it), but no frame more than ``MAX_PRESS_BOOST`` times a
frame of the class's longest press there (a stray one-frame tap is not a press's worth). The
weights average 1, so the loss keeps its usual scale.

Everything here is index arithmetic on labels, sessions and bursts: no activations are touched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from edgepac.errors import EdgePacError

MAX_PER_CLASS = 50  # 4 classes x 50 frames: about what 30 frames a pose cost to train, 10 MB
LATEST_SHARE = 0.25  # 0.5 cost the cat pose 0.09 on the top-up benchmark; 0.25 ~ merged
MAX_PRESS_BOOST = 5.0  # a short press's frames weigh at most this x the longest press's


@dataclass(frozen=True)
class TrainingSet:
    """Rows of the store to train on, oldest first, with their labels, sessions and weights."""

    index: np.ndarray  # intp (m,) rows of the store, increasing
    labels: np.ndarray  # intp (m,) class indices
    sessions: np.ndarray  # int64 (m,) session of each row
    weights: np.ndarray  # float32 (m,) loss weights, mean 1

    def __len__(self) -> int:
        return len(self.index)


def choose(
    labels: np.ndarray,
    sessions: np.ndarray,
    bursts: np.ndarray,
    max_per_class: int | None = MAX_PER_CLASS,
    latest_share: float = LATEST_SHARE,
    rng: np.random.Generator | None = None,
) -> TrainingSet:
    """The rows to train on (see the module's docstring). ``max_per_class=None``: every row.

    ``rng`` picks which frames of a burst are taken (a random evenly-spread subset); without it
    the choice is deterministic.
    """
    if max_per_class is not None and max_per_class < 1:
        raise EdgePacError(f"max_per_class must be >= 1 or None, got {max_per_class}")
    if not 0 <= latest_share <= 1:
        raise EdgePacError(f"latest_share must be from 0 to 1, got {latest_share}")
    chosen: list[np.ndarray] = []
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        budget = len(rows) if max_per_class is None else min(max_per_class, len(rows))
        newest_first = np.unique(sessions[rows])[::-1]
        groups = [rows[sessions[rows] == s] for s in newest_first]
        for group, take in zip(
            groups, halving_shares([len(g) for g in groups], budget), strict=True
        ):
            chosen.append(_spread_over_bursts(group, bursts[group], take, rng))
    index = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.intp)
    y, s = labels[index].astype(np.intp), sessions[index].astype(np.int64)
    w = recency_weights(y, s, latest_share) * press_weights(y, s, bursts[index])
    return TrainingSet(index, y, s, (w / w.mean()).astype(np.float32) if len(w) else w)


def press_weights(
    labels: np.ndarray, sessions: np.ndarray, bursts: np.ndarray, boost: float = MAX_PRESS_BOOST
) -> np.ndarray:
    """Per-frame weights that give every press (burst) of a class in a session the same total,
    each frame at most ``boost`` times one of the longest press; each (class, session) keeps its
    frame count as its total, so recency's shares are untouched."""
    w = np.ones(len(labels), dtype=np.float64)
    for key in np.unique(np.stack([labels, sessions]), axis=1).T:
        rows = np.flatnonzero((labels == key[0]) & (sessions == key[1]))
        ids, inverse, sizes = np.unique(bursts[rows], return_inverse=True, return_counts=True)
        if len(ids) < 2:
            continue
        even = np.minimum(1 / sizes, boost / sizes.max())[inverse]  # each press weighs 1
        w[rows] = even * len(rows) / even.sum()
    return w


def recency_weights(labels: np.ndarray, sessions: np.ndarray, latest_share: float) -> np.ndarray:
    """Per-frame loss weights: per class, its newest session's frames weigh together at least
    ``latest_share`` of the class (more if they are more of its frames); mean weight 1."""
    w = np.ones(len(labels), dtype=np.float64)
    for c in np.unique(labels):
        rows = labels == c
        latest = rows & (sessions == sessions[rows].max())
        n_latest, n_older = int(latest.sum()), int(rows.sum() - latest.sum())
        if n_older == 0 or n_latest / (n_latest + n_older) >= latest_share:
            continue  # one session, or the newest is already that big a part: plain counts
        # Each class keeps its frame count as its total weight (classes stay as balanced as
        # they were recorded); inside it the newest session gets latest_share of it.
        total = n_latest + n_older
        w[latest] = latest_share * total / n_latest
        w[rows & ~latest] = (1 - latest_share) * total / n_older
    return (w / w.mean()).astype(np.float32) if len(w) else w.astype(np.float32)


def halving_shares(sizes: list[int], budget: int) -> list[int]:
    """How many to take from each group (newest first): each at most half of what is left,
    the last one the rest; then what groups too small to use their share left over goes back,
    newest first, to those that have more."""
    take = []
    left = budget
    for i, size in enumerate(sizes):
        quota = left if i == len(sizes) - 1 else (left + 1) // 2
        take.append(min(size, quota))
        left -= take[-1]
    for i, size in enumerate(sizes):
        extra = min(size - take[i], left)
        take[i] += extra
        left -= extra
    return take


def equal_shares(sizes: list[int], budget: int) -> list[int]:
    """Split ``budget`` as evenly as the sizes allow (water filling): a small group gives what
    it cannot use to the others."""
    take = [0] * len(sizes)
    left = min(budget, sum(sizes))
    order = np.argsort(sizes, kind="stable")  # smallest first: they fill up, the rest share
    for j, i in enumerate(order):
        take[i] = min(sizes[i], left // (len(sizes) - j))
        left -= take[i]
    return take


def _spread_over_bursts(
    rows: np.ndarray, bursts: np.ndarray, take: int, rng: np.random.Generator | None
) -> np.ndarray:
    """``take`` of ``rows`` (one class, one session): equal shares per burst, evenly spread."""
    if take >= len(rows):
        return rows
    ids = np.unique(bursts)
    per_burst = [rows[bursts == b] for b in ids]
    picked = [
        _evenly(group, k, rng)
        for group, k in zip(per_burst, equal_shares([len(g) for g in per_burst], take), strict=True)
        if k
    ]
    return np.concatenate(picked)


def _evenly(rows: np.ndarray, k: int, rng: np.random.Generator | None) -> np.ndarray:
    """k of the rows spread evenly over them (a random start in the first step, with rng)."""
    step = len(rows) / k
    start = rng.uniform(0, step) if rng is not None else step / 2
    return rows[np.minimum((start + step * np.arange(k)).astype(np.intp), len(rows) - 1)]


def held_out_split(
    labels: np.ndarray, share: float, groups: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Indices to train on and to measure on: the *latest* ``share`` of each class's samples
    (of each class in each group, e.g. session, with ``groups``).

    Frames next to each other are near copies, so a random split would flatter the model; the
    end of each class's recording is the closest this has to "a moment it has not seen". Per
    session, so that a short top-up session is not all held out (under 5 frames: none is).
    """
    train: list[np.ndarray] = []
    test: list[np.ndarray] = []
    keys = labels
    if groups is not None and len(groups):  # one key per (class, group)
        keys = labels.astype(np.int64) * (int(groups.max()) + 1) + groups
    for c in np.unique(keys):
        idx = np.flatnonzero(keys == c)
        k = math.floor(len(idx) * share) if len(idx) >= 5 else 0
        train.append(idx[: len(idx) - k])
        test.append(idx[len(idx) - k :])
    if not train:  # nothing recorded: fit will say so in the player's words
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))
