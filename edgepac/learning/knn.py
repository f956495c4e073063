"""The nearest-neighbour head: what Teachable Machine does instead of training a network.

"Training" is remembering every frame, scaled to unit length. A new frame is compared with all
of them by cosine similarity (a dot product of unit vectors); its k most similar frames vote.
The vote is class-balanced: each vote weighs 1 / (frames recorded for its class), so a class the
player held down twice as long does not win twice as often. With sample weights (recency) a
frame's vote weighs its weight / (its class's total weight) instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from edgepac.errors import EdgePacError
from edgepac.learning.dense import (
    Callback,
    check_sample_weight,
    check_training_data,
    most_likely,
)
from edgepac.learning.files import Identity


class KnnHead:
    """k nearest neighbours by cosine similarity with a class-balanced vote.

    k      how many of the most similar recorded frames vote (fewer if fewer were recorded)
    """

    kind = "knn"

    def __init__(self, k: int = 5) -> None:
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise EdgePacError(f"k must be a whole number >= 1, got {k!r}")
        self.k = int(k)

    def get_params(self) -> dict[str, object]:
        return {"k": self.k}

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        class_names: Sequence[str] | None = None,
        callback: Callback | None = None,
        sample_weight: np.ndarray | None = None,
    ) -> KnnHead:
        X2, y, names = check_training_data(X, y, class_names)
        weights = check_sample_weight(sample_weight, len(y))
        self.samples_ = unit_rows(X2)
        self.labels_ = y.astype(np.int32)
        self.weights_ = np.ones(len(y), np.float32) if weights is None else weights
        self.classes_ = list(names)
        self.feature_shape_ = tuple(X.shape[1:])
        self.n_features_in_ = X2.shape[1]
        self._finish()
        if callback is not None:
            callback(0, 0, 0.0)  # nothing to iterate, but the app's progress still moves
        return self

    def _finish(self) -> None:
        totals = np.bincount(self.labels_, weights=self.weights_, minlength=len(self.classes_))
        # Each frame's vote: its weight over its class's total (1 / count without weights).
        self.vote_weight_ = self.weights_ / np.maximum(totals, 1e-12)[self.labels_]
        self._sims = np.empty(len(self.labels_), dtype=np.float32)

    def predict_proba(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities (the balanced vote shares): (k,) for one frame, (n, k) for many."""
        if not hasattr(self, "samples_"):
            raise EdgePacError("the head is not trained yet: record samples and press TRAIN")
        one = x.shape == self.feature_shape_ or x.shape == (self.n_features_in_,)
        X2 = np.asarray(x, dtype=np.float32).reshape(1 if one else len(x), -1)
        if X2.shape[1] != self.n_features_in_:
            raise EdgePacError(
                f"activations of shape {x.shape} do not fit this head, trained on "
                f"{self.feature_shape_}: use the backbone it was trained with"
            )
        k = min(self.k, len(self.labels_))
        result = np.empty((len(X2), len(self.classes_)), dtype=np.float32)
        for i, row in enumerate(unit_rows(X2)):
            sims = np.matmul(self.samples_, row, out=self._sims)
            nearest = np.argpartition(-sims, k - 1)[:k]
            votes = np.bincount(
                self.labels_[nearest],
                weights=self.vote_weight_[nearest],
                minlength=len(self.classes_),
            )
            result[i] = votes / votes.sum()
        proba = result[0] if one else result
        if out is not None:
            out[...] = proba
            return out
        return proba

    def predict(self, x: np.ndarray) -> np.ndarray | str:
        """The most likely class name: one str for one frame, an array of names for a batch."""
        return most_likely(self.classes_, self.predict_proba(x))

    def save(self, path: str | os.PathLike[str], identity: Identity) -> None:
        """Write the trained head atomically, with the backbone's identity (see heads.py)."""
        from edgepac.learning.heads import save_head

        save_head(self, path, identity)

    def state(self) -> dict[str, np.ndarray]:
        return {
            "samples": self.samples_,
            "labels": self.labels_,
            "weights": self.weights_,
            "feature_shape": np.array(self.feature_shape_, dtype=np.int64),
        }

    def set_state(self, state: dict[str, np.ndarray], class_names: list[str]) -> None:
        samples = np.ascontiguousarray(state["samples"], dtype=np.float32)
        labels = state["labels"].astype(np.int32)
        shape = tuple(int(v) for v in state["feature_shape"])
        if (
            samples.ndim != 2
            or samples.shape != (len(labels), int(np.prod(shape)))
            or (len(labels) and not 0 <= labels.min() <= labels.max() < len(class_names))
        ):
            raise ValueError("samples do not fit together")
        weights = state.get("weights")  # heads saved before sample weights: all 1
        self.weights_ = np.ones(len(labels), np.float32) if weights is None else weights
        if self.weights_.shape != labels.shape:
            raise ValueError("weights do not fit the samples")
        self.samples_, self.labels_ = samples, labels
        self.classes_ = list(class_names)
        self.feature_shape_ = shape
        self.n_features_in_ = samples.shape[1]
        self._finish()

    def __repr__(self) -> str:
        return f"KnnHead(k={self.k})"


def unit_rows(X2: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (an all-zero row stays zero)."""
    norms = np.linalg.norm(X2, axis=1, keepdims=True)
    return (X2 / np.maximum(norms, 1e-12)).astype(np.float32)
