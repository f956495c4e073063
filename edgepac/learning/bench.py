"""Learning's figures for `edgepac bench --json`: how long TRAIN and one frame's prediction take.

- head_train_s: the tutorial's recipe (100 units, lr 1e-4, batch fraction 0.4, 20 epochs) on
  400 samples of 7x7x256, the tutorial's activations; median of 3 runs.
- head_train_default_s: the same with EdgePac's default recipe.
- head_predict_ms: one frame through the default dense head; median of 200 calls.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from edgepac.learning.dense import DenseHead

SHAPE = (7, 7, 256)


def samples(n: int = 400, k: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Activations shaped and scaled like conv_pw_13_relu's (sparse, 0..6), k classes."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, *SHAPE), dtype=np.float32) * 6
    X[rng.random(X.shape) < 0.7] = 0  # relu leaves most activations at zero
    return X, np.arange(n) % k


def _median_seconds(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def figures(args: argparse.Namespace | None = None) -> dict[str, float]:
    X, y = samples()
    tutorial = _median_seconds(lambda: DenseHead.tutorial().fit(X, y), 3)
    head = DenseHead()
    default = _median_seconds(lambda: head.fit(X, y), 3)
    out = np.empty(4, np.float32)
    frame = X[0]
    head.predict_proba(frame, out=out)
    predict = _median_seconds(lambda: head.predict_proba(frame, out=out), 200)
    return {
        "head_train_s": round(tutorial, 4),
        "head_train_default_s": round(default, 4),
        "head_predict_ms": round(predict * 1e3, 4),
    }
