"""Jitter in activation space: the second session's camera nudge and lighting, rehearsed.

Between two sessions the camera moves a few pixels and the light changes. At conv_pw_13 a
7x7 grid cell covers 32 pixels of a 224 input, so a nudge moves the activations by a fraction
of a cell; a brighter or darker room scales them. While training, each jittered copy of a frame
is shifted by up to ``shift`` of a cell along rows and columns (linear interpolation with the
neighbouring cell, the edge repeated) and, if asked, scaled by a gain in [1/gain, gain]
(log-uniform). This costs a few element-wise passes per batch and no backbone runs. On
`benchmarks/learning_generalisation.py` the shift is what made the second session work better;
the gain and a zoom of the grid did not, so the gain is off by default and the zoom is not here.
"""

from __future__ import annotations

import math

import numpy as np


def jitter(
    frames: np.ndarray,
    rng: np.random.Generator,
    shift: float,
    gain: float,
    spare: np.ndarray | None = None,
) -> None:
    """Jitter a batch of activations (m, H, W, C) in place, each frame its own way. ``spare``:
    a buffer of at least the batch's size (any shape) to work in, so that a training step
    allocates nothing (a fresh few-MB array each step costs page faults)."""
    m = len(frames)
    if shift > 0:
        near = None if spare is None else spare.reshape(-1)[: frames.size].reshape(frames.shape)
        slide(frames, rng.uniform(-shift, shift, m), axis=1, near=near)
        slide(frames, rng.uniform(-shift, shift, m), axis=2, near=near)
    if gain > 1:
        log_gain = math.log(gain)
        frames *= np.exp(rng.uniform(-log_gain, log_gain, m)).astype(frames.dtype)[
            :, None, None, None
        ]


def slide(frames: np.ndarray, a: np.ndarray, axis: int, near: np.ndarray | None = None) -> None:
    """Move frame i's grid a[i] cells along ``axis`` (|a| <= 1): x ← (1−|a|)·x + |a|·neighbour,
    the neighbour being the cell a[i] points away from (at the edge, the cell itself).
    ``near``: scratch of the frames' shape (else one is allocated)."""
    x = np.moveaxis(frames, axis, 1)  # views: the moving axis second
    near = np.empty_like(x) if near is None else np.moveaxis(near, axis, 1)
    near[:, 1:], near[:, :1] = x[:, :-1], x[:, :1]  # a > 0: content moves to higher indices
    back = (a < 0)[:, None, None, None]  # the others: from higher indices (a masked copy)
    np.copyto(near[:, :-1], x[:, 1:], where=back)
    np.copyto(near[:, -1:], x[:, -1:], where=back)
    w = np.abs(a).astype(frames.dtype)[:, None, None, None]
    x *= 1 - w
    near *= w
    x += near
