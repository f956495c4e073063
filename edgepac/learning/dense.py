"""The dense head: the tutorial's little network, in NumPy, float32.

    x  (D,)      the backbone's activations, flattened (7x7x256 = 12,544 numbers)
    h  = relu(x·W1 + b1)          (units,)   the hidden layer
    z  = h·W2                     (k,)       one logit per class, no bias (as in the tutorial)
    p  = softmax(z)               (k,)       what predict_proba returns
    loss = −w·log p[y]            averaged over the batch (categorical cross-entropy, each
                                  frame weighted by its sample weight w, 1 if none is given)

Backpropagation, for a batch of B frames with one-hot targets Y and weights w:

    dz  = w ⊙ (p − Y) / B
    dW2 = hᵀ·dz
    dh  = dz·W2ᵀ ⊙ [h > 0]
    dW1 = xᵀ·dh ;  db1 = Σ_batch dh

(no gradient with respect to x: the backbone is frozen, so that product is never computed).

The tutorial's recipe is ``DenseHead.tutorial()``; the constructor's defaults are the recipe that
generalised best to a second session in ``benchmarks/learning_generalisation.py``.

``warm_start=True`` (scikit-learn's name) makes ``fit`` start from the head's current weights and
run ``warm_epochs`` epochs: a returning player's refresh, a few seconds on a Pi instead of a
training from scratch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from edgepac.errors import EdgePacError
from edgepac.learning.adam import Adam
from edgepac.learning.head import (
    Callback,
    Head,
    Limit,
    check_sample_weight,
    check_training_data,
)
from edgepac.learning.jitter import jitter

# The tutorial's UI defaults (webcam-transfer-learning, ui.js).
TUTORIAL = {
    "units": 100,
    "learning_rate": 1e-4,
    "batch_fraction": 0.4,
    "epochs": 20,
    "jitter_copies": 0,
    "normalize": "none",
    "weight_decay": 0.0,
    "dropout": 0.0,
}

NORMALIZATIONS = ("none", "l2")


class DenseHead(Head):
    """flatten → dense(units, relu) → dense(k, softmax), trained with Adam on cross-entropy.

    Hyperparameters (scikit-learn style: set here, checked by ``fit``, never changed by it):

    units           hidden units
    learning_rate   Adam's step size
    batch_fraction  batch size = floor(N × batch_fraction), at least 1 (the tutorial's way)
    epochs          passes over the samples
    jitter_copies   per epoch, besides every frame as recorded, this many copies of it with
                    the camera nudged (see jitter.py); 0 = the tutorial
    jitter_shift    how far a copy moves, in grid cells (a cell is 32 px of a 224 input)
    jitter_gain     how much brighter or darker a copy gets, at most (x gain or / gain);
                    1 = never (the benchmark found no gain from it)
    normalize       "l2": scale each frame's activations to the same length (√D); "none"
    weight_decay    AdamW's decoupled decay of every weight per step, × learning_rate
    dropout         fraction of hidden units silenced per training step
                    (these three are off: the generalisation benchmark found no gain from them)
    seed            initial weights, shuffling and jitter: the same seed, the same head
    warm_start      fit starts from the current weights (if the head is trained on the same
                    classes and activations; else from scratch, as usual)
    warm_epochs     the epochs of such a warm fit (15: with the 1-cell shift below, the fewest
                    that met issue 20's top-up bars on every benchmark case; 10 missed one)
    warm_jitter_shift  jitter_shift in such a warm fit: a refresh comes after the camera may
                    have been knocked, and rehearsing a whole cell's nudge won a 10-frame top-up
                    its last points (docs/benchmarks/learning-coach.md)
    """

    kind = "dense"
    limits: ClassVar[dict[str, Limit]] = {
        "units": Limit(int, 1, 4096),
        "learning_rate": Limit(float, 1e-7, 1.0),
        "batch_fraction": Limit(float, 0.01, 1.0),
        "epochs": Limit(int, 1, 1000),
        "jitter_copies": Limit(int, 0, 100),
        "jitter_shift": Limit(float, 0.0, 1.0),
        "jitter_gain": Limit(float, 1.0, 10.0),
        "normalize": Limit(str, choices=NORMALIZATIONS),
        "weight_decay": Limit(float, 0.0, 1.0),
        "dropout": Limit(float, 0.0, 0.9),
        "seed": Limit(int, 0),
        "warm_start": Limit(bool),
        "warm_epochs": Limit(int, 1, 1000),
        "warm_jitter_shift": Limit(float, 0.0, 1.0),
    }

    def __init__(
        self,
        units: int = 100,
        learning_rate: float = 1e-4,
        batch_fraction: float = 0.4,
        epochs: int = 20,
        jitter_copies: int = 1,
        jitter_shift: float = 0.5,
        jitter_gain: float = 1.0,
        normalize: str = "none",
        weight_decay: float = 0.0,
        dropout: float = 0.0,
        seed: int = 0,
        warm_start: bool = False,
        warm_epochs: int = 15,
        warm_jitter_shift: float = 1.0,
    ) -> None:
        self.units = units
        self.learning_rate = learning_rate
        self.batch_fraction = batch_fraction
        self.epochs = epochs
        self.jitter_copies = jitter_copies
        self.jitter_shift = jitter_shift
        self.jitter_gain = jitter_gain
        self.normalize = normalize
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.seed = seed
        self.warm_start = warm_start
        self.warm_epochs = warm_epochs
        self.warm_jitter_shift = warm_jitter_shift
        self._one: _Scratch | None = None

    @classmethod
    def tutorial(cls, **overrides: object) -> DenseHead:
        """The tutorial's recipe exactly (learning rate 1e-4, batch fraction 0.4, 20 epochs)."""
        return cls(**{**TUTORIAL, **overrides})  # type: ignore[arg-type]

    def fits_warm(self, class_names: Sequence[str], n_features: int) -> bool:
        """Would ``fit`` start from the current weights for these classes and inputs?"""
        return (
            self.warm_start
            and self.fitted
            and list(self.classes_) == [str(c) for c in class_names]
            and self.n_features_in_ == n_features
        )

    # -- learning --------------------------------------------------------------------------

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        class_names: Sequence[str] | None = None,
        callback: Callback | None = None,
        sample_weight: np.ndarray | None = None,
    ) -> DenseHead:
        """Learn from float32 activations X (n, ...) and class indices y (n,).

        ``sample_weight`` (n,): how much each frame counts in the loss (scaled to mean 1).
        ``callback(epoch, batch, loss)`` runs after every batch. On a NaN or infinite loss,
        or any exception (a callback may raise to cancel), the head keeps what it had.
        """
        self.check_params()
        X2, y, names = check_training_data(X, y, class_names)
        n, d = X2.shape
        k = len(names)
        weights = check_sample_weight(sample_weight, n)
        X2 = self._normalized(X2)
        rng = np.random.default_rng(self.seed)
        epochs, shift = self.epochs, self.jitter_shift
        if self.fits_warm(names, d):
            # Copies: the app still predicts with the current head while this one learns.
            W1, b1, W2 = self.W1_.copy(), self.b1_.copy(), self.W2_.copy()
            epochs, shift = self.warm_epochs, self.warm_jitter_shift
        else:
            W1 = variance_scaling((d, self.units), rng)
            b1 = np.zeros(self.units, dtype=np.float32)
            W2 = variance_scaling((self.units, k), rng)
        # Inputs that are zero in every frame (relu leaves many) never move their W1 row: its
        # gradient is 0, so Adam's m and v stay 0 and so does the step. Training on the other
        # columns only is the same maths for less work (without jitter, which spreads values).
        used = None if self.jitter_copies else used_columns(X2)
        if used is not None:
            X2, W1_used = np.ascontiguousarray(X2[:, used]), W1[used]
        params = [W1 if used is None else W1_used, b1, W2]
        opt = Adam(params, self.learning_rate, weight_decay=self.weight_decay)
        # An epoch visits every frame as recorded and jitter_copies jittered copies of it.
        visits = n * (1 + self.jitter_copies)
        batch = max(1, math.floor(visits * self.batch_fraction))
        ws = _Scratch(batch, X2.shape[1], self.units, k)
        grid = tuple(X.shape[1:]) if X.ndim == 4 else (1, 1, d)  # no grid: jitter only gain
        shift = shift if grid[0] > 1 else 0.0
        losses: list[float] = []
        with np.errstate(over="ignore", invalid="ignore"):  # a blow-up shows in the loss
            for epoch in range(epochs):
                order = rng.permutation(visits)
                total = 0.0
                for b, start in enumerate(range(0, visits, batch)):
                    # Sorted, the batch's jittered copies (visits >= n) come last, together:
                    # they are jittered where they lie (the same sum, in another order).
                    visit = np.sort(order[start : start + batch])
                    loss = self._step(
                        X2, y, weights, visit % n, visit >= n, grid, shift, params, ws, rng
                    )
                    if not math.isfinite(loss):
                        raise EdgePacError(
                            f"training diverged (loss {loss}) at epoch {epoch + 1}: kept the "
                            f"previous head; try a smaller learning rate"
                        )
                    opt.step(ws.grads)
                    total += loss * len(visit)
                    if callback is not None:
                        callback(epoch, b, loss)
                losses.append(total / visits)
        if used is not None:
            unused = np.ones(d, dtype=bool)
            unused[used] = False
            W1[unused] *= (1.0 - self.learning_rate * self.weight_decay) ** opt.t  # AdamW's decay
            W1[used] = W1_used
        # Only now, after a whole successful run, replace the learned state.
        self.W1_, self.b1_, self.W2_ = W1, b1, W2
        self.classes_ = list(names)
        self.n_features_in_ = d
        self.feature_shape_ = tuple(X.shape[1:])
        self.loss_curve_ = losses
        self._one = None
        return self

    def _step(
        self,
        X2: np.ndarray,
        y: np.ndarray,
        weights: np.ndarray | None,
        idx: np.ndarray,
        jittered: np.ndarray,
        grid: tuple[int, ...],
        shift: float,
        params: list[np.ndarray],
        ws: _Scratch,
        rng: np.random.Generator,
    ) -> float:
        """Gather one batch (jittering the copies, its last rows), then its loss and gradients.
        Nothing is allocated but a few small index arrays: every buffer is in ``ws``."""
        m = len(idx)
        xb = ws.x[:m]
        np.take(X2, idx, axis=0, out=xb, mode="clip")  # "clip": not buffered
        first = m - int(np.count_nonzero(jittered))  # the copies are the batch's tail
        if first < m:
            copies = xb[first:].reshape(m - first, *grid)  # a view: jittered in place
            jitter(copies, rng, shift, self.jitter_gain, spare=ws.spare)
        keep = self._dropout_mask(rng, m, ws) if self.dropout else None
        wb = None if weights is None else weights[idx]
        return loss_and_grads(params, xb, y[idx], ws, keep, wb)

    def _normalized(self, X2: np.ndarray) -> np.ndarray:
        if self.normalize == "none":
            return X2
        out = X2.copy()
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out *= math.sqrt(out.shape[1]) / np.maximum(norms, 1e-12)
        return out

    def _dropout_mask(self, rng: np.random.Generator, m: int, ws: _Scratch) -> np.ndarray:
        keep = ws.keep[:m]
        rng.random(out=keep, dtype=keep.dtype)
        # Inverted dropout: kept units are scaled up so predicting needs no change.
        np.less(self.dropout, keep, out=ws.keep_bool[:m])
        np.multiply(ws.keep_bool[:m], 1.0 / (1.0 - self.dropout), out=keep)
        return keep

    # -- predicting ------------------------------------------------------------------------

    def predict_proba(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities: (k,) for one frame, (n, k) for a batch.

        For one frame nothing but the (k,) result is allocated (and not even that with ``out``):
        the app calls this every frame.
        """
        if self.is_one_frame(x):
            return self._proba_one(x, out)
        X2 = self._normalized(np.asarray(x, dtype=np.float32).reshape(len(x), -1))
        h = np.maximum(X2 @ self.W1_ + self.b1_, 0)
        result = softmax_rows(h @ self.W2_)
        if out is not None:
            out[...] = result
            return out
        return result

    def _proba_one(self, x: np.ndarray, out: np.ndarray | None) -> np.ndarray:
        if self._one is None:
            self._one = _Scratch(1, self.n_features_in_, self.units, len(self.classes_))
        ws = self._one
        xv = x.reshape(-1)
        if self.normalize == "l2":
            norm = math.sqrt(float(np.dot(xv, xv)))
            np.multiply(xv, math.sqrt(xv.size) / max(norm, 1e-12), out=ws.x[0])
            xv = ws.x[0]
        elif xv.dtype != np.float32:
            ws.x[0] = xv
            xv = ws.x[0]
        h, z = ws.h[0], ws.z[0]
        np.matmul(xv, self.W1_, out=h)
        h += self.b1_
        np.maximum(h, 0, out=h)
        np.matmul(h, self.W2_, out=z)
        z -= z.max()
        np.exp(z, out=z)
        z /= z.sum()
        if out is None:
            return z.copy()
        out[...] = z
        return out

    # -- files (see head.py and heads.py) ------------------------------------------------

    def state(self) -> dict[str, np.ndarray]:
        self.check_fitted()
        return {
            "W1": self.W1_,
            "b1": self.b1_,
            "W2": self.W2_,
            "feature_shape": np.array(self.feature_shape_, dtype=np.int64),
            "loss_curve": np.array(self.loss_curve_, dtype=np.float64),
        }

    def set_state(self, state: dict[str, np.ndarray], class_names: list[str]) -> None:
        W1, b1, W2 = (np.ascontiguousarray(state[n], dtype=np.float32) for n in ("W1", "b1", "W2"))
        shape = tuple(int(v) for v in state["feature_shape"])
        if (
            W1.shape != (math.prod(shape), self.units)
            or b1.shape != (self.units,)
            or W2.shape != (self.units, len(class_names))
        ):
            raise ValueError("weights do not fit together")
        self.W1_, self.b1_, self.W2_ = W1, b1, W2
        self.classes_ = list(class_names)
        self.n_features_in_ = W1.shape[0]
        self.feature_shape_ = shape
        self.loss_curve_ = [float(v) for v in state["loss_curve"]]
        self._one = None


# -- the maths, as plain functions (tested against finite differences) ----------------------


class _Scratch:
    """Buffers for one batch, allocated once per fit (or once per head, for single frames)."""

    def __init__(self, batch: int, d: int, units: int, k: int, dtype: type = np.float32) -> None:
        self.x = np.empty((batch, d), dtype=dtype)
        self.h = np.empty((batch, units), dtype=dtype)
        self.active = np.empty((batch, units), dtype=dtype)
        self.dh = np.empty((batch, units), dtype=dtype)
        self.z = np.empty((batch, k), dtype=dtype)
        self.lse = np.empty((batch, 1), dtype=dtype)
        self.keep = np.empty((batch, units), dtype=dtype)  # dropout's mask
        self.keep_bool = np.empty((batch, units), dtype=bool)
        self.spare = np.empty((batch, d), dtype=dtype)  # jitter's working copy
        self.grads = [
            np.empty((d, units), dtype=dtype),
            np.empty(units, dtype=dtype),
            np.empty((units, k), dtype=dtype),
        ]


def loss_and_grads(
    params: list[np.ndarray],
    xb: np.ndarray,
    yb: np.ndarray,
    ws: _Scratch,
    keep: np.ndarray | None = None,
    wb: np.ndarray | None = None,
) -> float:
    """Mean (weighted, with ``wb``) cross-entropy of one batch; its gradients land in
    ``ws.grads`` (W1, b1, W2)."""
    W1, b1, W2 = params
    gW1, gb1, gW2 = ws.grads
    m = len(xb)
    h, active, dh, z, lse = ws.h[:m], ws.active[:m], ws.dh[:m], ws.z[:m], ws.lse[:m]
    # forward
    np.matmul(xb, W1, out=h)
    h += b1
    np.maximum(h, 0, out=h)
    np.sign(h, out=active)  # 1 where the unit fired, 0 where relu cut it
    if keep is not None:  # dropout: silenced units pass nothing forward and nothing back
        h *= keep
        active *= keep
    np.matmul(h, W2, out=z)
    # stable log-softmax: log p = z − max − log Σ exp(z − max)
    z -= z.max(axis=1, keepdims=True)
    rows = np.arange(m)
    picked = z[rows, yb].copy()
    np.exp(z, out=z)
    np.sum(z, axis=1, keepdims=True, out=lse)
    z /= lse  # z now holds p
    np.log(lse, out=lse)
    per_frame = lse[:, 0] - picked
    loss = float(np.mean(per_frame if wb is None else per_frame * wb))
    # backward
    z[rows, yb] -= 1.0
    if wb is not None:
        z *= wb[:, None]
    z /= m
    np.matmul(h.T, z, out=gW2)
    np.matmul(z, W2.T, out=dh)
    dh *= active
    np.matmul(xb.T, dh, out=gW1)
    np.sum(dh, axis=0, out=gb1)
    return loss


def used_columns(X2: np.ndarray, worth_it: float = 0.9) -> np.ndarray | None:
    """Indices of the inputs that are non-zero in some frame; None when nearly all are."""
    used = np.flatnonzero(X2.any(axis=0))
    return used if len(used) < worth_it * X2.shape[1] else None


def softmax_rows(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def variance_scaling(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """tf.js's default varianceScaling: truncated normal (±2σ), σ = √(1/fan_in)."""
    std = math.sqrt(1.0 / max(1, shape[0]))
    w = rng.standard_normal(shape, dtype=np.float32)
    bad = np.abs(w) > 2.0
    while bad.any():  # redraw outside ±2σ, like a truncated normal
        w[bad] = rng.standard_normal(int(bad.sum()), dtype=np.float32)
        bad = np.abs(w) > 2.0
    w *= std
    return w
