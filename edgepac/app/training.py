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


# It lives with learning now, so `edgepac train` and `bench` limit OpenBLAS as the arcade does.
from edgepac.learning.threads import limit_blas_threads  # noqa: E402, F401
