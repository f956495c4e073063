"""The nearest-neighbour head: what Teachable Machine does instead of training a network.

"Training" is remembering every frame, scaled to unit length. A new frame is compared with all
of them by cosine similarity (a dot product of unit vectors); its k most similar frames vote.
The vote is class-balanced: each vote weighs 1 / (frames recorded for its class), so a class the
player held down twice as long does not win twice as often. With sample weights (recency) a
frame's vote weighs its weight / (its class's total weight) instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from edgepac.learning.head import (
    Callback,
    Head,
    Limit,
    check_sample_weight,
    check_training_data,
)


class KnnHead(Head):
    """k nearest neighbours by cosine similarity with a class-balanced vote.

    k      how many of the most similar recorded frames vote (fewer if fewer were recorded)
    """

    kind = "knn"
    limits: ClassVar[dict[str, Limit]] = {"k": Limit(int, 1, 100)}

    def __init__(self, k: int = 5) -> None:
        self.k = k

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        class_names: Sequence[str] | None = None,
        callback: Callback | None = None,
        sample_weight: np.ndarray | None = None,
    ) -> KnnHead:
        self.check_params()
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
        one = self.is_one_frame(x)
        X2 = np.asarray(x, dtype=np.float32).reshape(1 if one else len(x), -1)
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

    def state(self) -> dict[str, np.ndarray]:
        self.check_fitted()
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


def unit_rows(X2: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (an all-zero row stays zero)."""
    norms = np.linalg.norm(X2, axis=1, keepdims=True)
    return (X2 / np.maximum(norms, 1e-12)).astype(np.float32)
