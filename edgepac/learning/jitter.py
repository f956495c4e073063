"""Jitter in activation space: the second session's camera nudge and lighting, rehearsed.

Between two sessions the camera moves a few pixels and the light changes. At conv_pw_13 a
7x7 grid cell covers 32 pixels of a 224 input, so a nudge moves the activations by a fraction
of a cell; a brighter or darker room scales them. While training, each jittered copy of a frame
is shifted by up to ``shift`` of a cell along rows and columns (linear interpolation with the
neighbouring cell, the edge repeated) and scaled by a gain in [1/gain, gain] (log-uniform).
This costs a few element-wise passes per batch and no backbone runs; on
`benchmarks/learning_generalisation.py` it is what made the second session work better.
"""

from __future__ import annotations

import math

import numpy as np


def jitter(
    frames: np.ndarray, rng: np.random.Generator, shift: float, gain: float, tmp: np.ndarray
) -> None:
    """Jitter a batch of activations (m, H, W, C) in place; ``tmp`` is one frame of scratch."""
    m = len(frames)
    rows = rng.uniform(-shift, shift, m)
    cols = rng.uniform(-shift, shift, m)
    gains = np.exp(rng.uniform(-math.log(gain), math.log(gain), m)) if gain > 1 else np.ones(m)
    for x, a, b, g in zip(frames, rows, cols, gains, strict=True):
        _slide(x, a, 0, tmp)
        _slide(x, b, 1, tmp)
        x *= g


def _slide(x: np.ndarray, a: float, axis: int, tmp: np.ndarray) -> None:
    """Move the grid ``a`` cells along ``axis`` (|a| <= 1): x ← (1−|a|)·x + |a|·neighbour."""
    if a == 0:
        return
    near = np.moveaxis(x, axis, 0)  # views: the row/column axis first
    t = np.moveaxis(tmp, axis, 0)
    w = abs(a)
    if a > 0:  # content moves towards higher indices; row 0 keeps itself (edge repeated)
        np.multiply(near[:-1], w, out=t[:-1])
        near[1:] *= 1 - w
        near[1:] += t[:-1]
    else:
        np.multiply(near[1:], w, out=t[1:])
        near[:-1] *= 1 - w
        near[:-1] += t[1:]
