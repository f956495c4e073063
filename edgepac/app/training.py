"""Training in the arcade: which frames to hold out, how many batches to expect, and keeping
NumPy's BLAS from fighting the camera and the screen for the CPU.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def held_out_split(labels: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Indices to train on and to measure on: the *latest* ``share`` of each class's samples.

    Frames next to each other are near copies, so a random split would flatter the model; the
    end of each class's recording is the closest this has to "a moment it has not seen".
    """
    train: list[np.ndarray] = []
    test: list[np.ndarray] = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        k = math.floor(len(idx) * share) if len(idx) >= 5 else 0
        train.append(idx[: len(idx) - k])
        test.append(idx[len(idx) - k :])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def spread(idx: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` of ``idx``, evenly spaced from first to last (all if 0 or fewer)."""
    if most <= 0 or len(idx) <= most:
        return idx
    return idx[np.linspace(0, len(idx) - 1, most).round().astype(int)]


def choose_frames(
    labels: np.ndarray, share: float, most_per_pose: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The held-out split, then at most ``most_per_pose`` frames per pose to learn from, spread
    evenly over the whole recording.

    A visitor who holds a button for 20 s records 600 near-identical frames: they add training
    time and memory (4 bytes a number once dequantised: 30 MB per 600 frames of 7x7x256), not
    knowledge. Every pose is still seen from its first frame to its last.
    """
    train, test = held_out_split(labels, share)
    if most_per_pose <= 0:
        return train, test
    kept = [spread(train[labels[train] == c], most_per_pose) for c in np.unique(labels[train])]
    return np.sort(np.concatenate(kept)), test


def batches_in_fit(head: Any, n: int) -> int:
    """How many batches ``fit`` will report, for the progress bar (0 when unknown).

    The dense head visits each of the n frames, plus ``jitter_copies`` jittered copies of it,
    once an epoch, in batches of floor(visits x batch_fraction).
    """
    epochs = getattr(head, "epochs", None)
    fraction = getattr(head, "batch_fraction", None)
    if not epochs or not fraction or n < 1:
        return 0
    visits = n * (1 + int(getattr(head, "jitter_copies", 0) or 0))
    batch = max(1, math.floor(visits * fraction))
    return int(epochs) * math.ceil(visits / batch)


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def give_back_big_arrays(threshold: int = 1 << 20) -> bool:
    """Ask glibc to map every allocation over ``threshold`` bytes on its own; True if it did.

    Saving and training make big temporary arrays (tens of MB) on their threads. By default
    glibc raises its mmap threshold after the first such array is freed, and from then on keeps
    freed memory in each thread's heap: the peak of every phase stays in RSS for good (286 MB
    after a 2,000-sample session here, 222 MB with a fixed threshold).
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_MMAP_THRESHOLD, threshold))
    except (OSError, AttributeError):
        return False


# It lives with learning now, so `edgepac train` and `bench` limit OpenBLAS as the arcade does.
from edgepac.learning.threads import limit_blas_threads  # noqa: E402, F401
