"""Training in the arcade: what one training pass sees (bounded, whatever the store holds),
which frames to hold out, warm-starting a refresh, how many batches to expect, and keeping
NumPy's BLAS from fighting the camera and the screen for the CPU.

    chosen = recorder.training_set(max_per_class)  # under its lock: a uint8 copy of the
    data = training_data(chosen, cfg.learning.holdout)  # chosen rows; dequantised off the lock
    head = head_to_train(current_head, cfg.learning.head, cfg.learning.hyperparameters(),
                         warm_start=True)         # a refresh: a few epochs from the current head
    head.fit(data.X, data.y, class_names=data.names, sample_weight=data.weights, callback=...)
    accuracy = data.accuracy(head)                # on the held-out frames, None if there are none
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from edgepac.learning.choice import MAX_PER_CLASS, held_out_split
from edgepac.learning.coach import Coaching, coach
from edgepac.learning.store import SampleStore


@dataclass(frozen=True)
class TrainingData:
    """One training pass's frames (float32, a copy: the store may change meanwhile)."""

    X: np.ndarray  # (m, *feature_shape) to train on
    y: np.ndarray  # (m,) class indices
    weights: np.ndarray  # (m,) recency weights for fit(sample_weight=)
    X_test: np.ndarray  # held out to measure the trained head
    y_test: np.ndarray
    names: list[str]
    sessions: int  # sessions among the frames trained on

    def accuracy(self, head: Any) -> float | None:
        if not len(self.y_test):
            return None
        return float(np.mean(np.argmax(head.predict_proba(self.X_test), axis=1) == self.y_test))

    def coaching(self, head: Any) -> Coaching:
        """Each pose's share right on the held-out frames, its worst confusion, and advice."""
        guess = (
            np.argmax(head.predict_proba(self.X_test), axis=1)
            if len(self.y_test)
            else np.zeros(0, dtype=np.intp)
        )
        return coach(self.y_test, guess, self.names)


def training_data(
    store: SampleStore,
    holdout: float,
    max_per_class: int | None = MAX_PER_CLASS,
    rng: np.random.Generator | None = None,
) -> TrainingData:
    """The store's training set (capped, newest sessions first, recency-weighted) dequantised,
    with the latest ``holdout`` share of each class *and session* kept aside. Memory and time
    are bounded by ``max_per_class`` however many frames the store holds."""
    chosen = store.training_set(max_per_class=max_per_class, rng=rng)
    train, test = held_out_split(chosen.labels, holdout, groups=chosen.sessions)
    return TrainingData(
        X=store.dequantized(chosen.index[train]),
        y=chosen.labels[train],
        weights=chosen.weights[train],
        X_test=store.dequantized(chosen.index[test]),
        y_test=chosen.labels[test],
        names=list(store.class_names),
        sessions=len(np.unique(chosen.sessions)),
    )


def head_to_train(
    current: Any, kind: str, hyperparameters: dict[str, Any], warm_start: bool
) -> Any:
    """A new head from the config, or (``warm_start``, a refresh) a copy of the current head set
    to start from its weights, when it is the same kind with the same hyperparameters. A copy:
    the current head keeps predicting until the new one is swapped in."""
    from edgepac.learning.heads import make_head

    head = make_head(kind, **hyperparameters)
    if (
        warm_start
        and current is not None
        and type(current) is type(head)
        and hasattr(head, "warm_start")
        and _same_recipe(current.get_params(), head.get_params())
    ):
        return copy.deepcopy(current).set_params(warm_start=True)
    return head


def _same_recipe(a: dict[str, Any], b: dict[str, Any]) -> bool:
    skip = {"warm_start", "warm_epochs", "warm_jitter_shift"}
    return {k: v for k, v in a.items() if k not in skip} == {
        k: v for k, v in b.items() if k not in skip
    }


def batches_in_fit(head: Any, n: int, warm: bool = False) -> int:
    """How many batches ``fit`` will report, for the progress bar (0 when unknown).

    The dense head visits each of the n frames, plus ``jitter_copies`` jittered copies of it,
    once an epoch (``warm_epochs`` epochs when it starts warm), in batches of
    floor(visits x batch_fraction).
    """
    epochs = getattr(head, "warm_epochs" if warm else "epochs", None)
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
