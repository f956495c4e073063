"""The dense head: its maths checked by finite differences, then what training must do."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from edgepac.errors import EdgePacError
from edgepac.learning import dense
from edgepac.learning.adam import Adam
from edgepac.learning.dense import DenseHead, _Scratch, loss_and_grads, softmax_rows
from edgepac.learning.jitter import jitter, slide
from edgepac.poses import POSES

NAMES = list(POSES)


def blobs(n_per_class: int = 12, shape=(3, 3, 8), k: int = 4, seed: int = 0, spread=0.3):
    """k well-separated clusters of relu-like (non-negative) activations."""
    rng = np.random.default_rng(seed)
    centres = rng.random((k, *shape)) * 3
    X = np.concatenate([c + spread * rng.random((n_per_class, *shape)) for c in centres])
    y = np.repeat(np.arange(k), n_per_class)
    return X.astype(np.float32), y


@pytest.mark.parametrize(("dropout", "weighted"), [(False, False), (True, False), (False, True)])
def test_gradients_match_finite_differences(dropout: bool, weighted: bool) -> None:
    rng = np.random.default_rng(1)
    d, units, k, m = 6, 5, 3, 4
    params = [
        rng.standard_normal((d, units)),
        rng.standard_normal(units),
        rng.standard_normal((units, k)),
    ]
    xb = rng.standard_normal((m, d))
    yb = np.array([0, 2, 1, 2])
    keep = (rng.random((m, units)) > 0.3) / 0.7 if dropout else None
    wb = rng.random(m) * 3 if weighted else None  # sample weights (recency)
    ws = _Scratch(m, d, units, k, dtype=np.float64)
    loss_and_grads(params, xb, yb, ws, keep, wb)
    analytic = [g.copy() for g in ws.grads]
    eps = 1e-6
    for p, g in zip(params, analytic, strict=True):
        numeric = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = loss_and_grads(params, xb, yb, ws, keep, wb)
            p[i] = old - eps
            down = loss_and_grads(params, xb, yb, ws, keep, wb)
            p[i] = old
            numeric[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-7)


def test_loss_is_the_mean_cross_entropy() -> None:
    params = [np.eye(2), np.zeros(2), np.array([[1.0, 0.0], [0.0, 1.0]])]
    xb = np.array([[2.0, 0.0], [0.0, 1.0]])
    ws = _Scratch(2, 2, 2, 2, dtype=np.float64)
    loss = loss_and_grads(params, xb, np.array([0, 0]), ws)
    p0 = math.exp(2) / (math.exp(2) + 1)
    p1 = 1 / (1 + math.e)
    assert loss == pytest.approx(-(math.log(p0) + math.log(p1)) / 2)


def test_softmax_is_stable_for_huge_logits() -> None:
    p = softmax_rows(np.array([[1000.0, 0.0, -1000.0]], dtype=np.float32))
    assert np.isfinite(p).all() and p[0, 0] == pytest.approx(1.0)


def test_adam_first_step_moves_each_weight_by_the_learning_rate() -> None:
    p = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    opt = Adam([p], learning_rate=0.01)
    opt.step([np.array([5.0, -0.1, 0.0], dtype=np.float32)])
    np.testing.assert_allclose(p, [0.99, -1.99, 3.0], atol=1e-5)  # m̂/√v̂ = sign(g) at t=1


def test_adam_in_cache_sized_blocks_moves_a_big_layer_as_the_formula_says() -> None:
    """The first layer (over a million weights) is updated block by block: every weight, the
    last partial block's too, moves as Adam's formula says, step after step."""
    from edgepac.learning import adam

    rng = np.random.default_rng(3)
    n = 2 * adam.BLOCK + 123
    p = rng.standard_normal((n // 3, 3)).astype(np.float32)
    start = p.copy()
    opt = Adam([p], learning_rate=0.01)
    grads = [rng.standard_normal(p.shape).astype(np.float32) for _ in range(3)]
    m = v = np.zeros_like(p, dtype=np.float64)
    expected = start.astype(np.float64)
    for t, g in enumerate(grads, start=1):
        opt.step([g])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g.astype(np.float64) ** 2
        expected -= 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-7)
    np.testing.assert_allclose(p, expected, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="contiguous"):
        Adam([np.zeros((4, 4), np.float32)[:, :2]], learning_rate=0.01)


def test_a_tiny_problem_is_fitted_exactly() -> None:
    X, y = blobs(n_per_class=5)
    head = DenseHead(units=16, learning_rate=1e-2, epochs=60, jitter_copies=0)
    head.fit(X, y, class_names=NAMES)
    assert list(head.predict(X)) == [NAMES[i] for i in y]
    assert head.loss_curve_[-1] < 0.05 < head.loss_curve_[0]
    assert head.classes_ == NAMES


@pytest.mark.slow
def test_the_tutorial_recipe_learns_too() -> None:
    X, y = blobs(n_per_class=20, shape=(7, 7, 256))
    head = DenseHead.tutorial(seed=3).fit(X, y, class_names=NAMES)
    assert head.get_params()["learning_rate"] == 1e-4 and head.epochs == 20
    assert head.loss_curve_[-1] < head.loss_curve_[0]
    assert (head.predict(X) == np.array(NAMES)[y]).mean() >= 0.9


def test_callback_sees_every_batch_of_the_tutorial_schedule() -> None:
    X, y = blobs(n_per_class=10)  # 40 samples: batch floor(40 * 0.4) = 16 → 3 batches
    seen: list[tuple[int, int, float]] = []
    head = DenseHead.tutorial(epochs=4)
    head.fit(X, y, NAMES, callback=lambda *a: seen.append(a))
    assert [(e, b) for e, b, _ in seen] == [(e, b) for e in range(4) for b in range(3)]
    assert all(loss > 0 for *_, loss in seen)
    tiny: list[tuple[int, int, float]] = []
    DenseHead(epochs=1, batch_fraction=0.01, jitter_copies=0).fit(
        X[:2], y[:2] * 0 + [0, 1], callback=lambda *a: tiny.append(a)
    )
    assert len(tiny) == 2  # batch size never below 1


def test_same_seed_same_head_other_seed_other_head() -> None:
    X, y = blobs()
    a = DenseHead(epochs=3, jitter_copies=2, seed=7).fit(X, y)
    b = DenseHead(epochs=3, jitter_copies=2, seed=7).fit(X, y)
    c = DenseHead(epochs=3, jitter_copies=2, seed=8).fit(X, y)
    assert np.array_equal(a.W1_, b.W1_) and np.array_equal(a.W2_, b.W2_)
    assert not np.array_equal(a.W1_, c.W1_)


def test_a_diverging_run_stops_and_keeps_the_previous_head() -> None:
    X, y = blobs()
    head = DenseHead(epochs=2).fit(X, y, NAMES)
    before = head.W1_.copy(), head.predict_proba(X)
    with pytest.raises(EdgePacError, match=r"diverged.*kept the previous head"):
        head.fit(X * 1e37, y, NAMES)
    assert np.array_equal(head.W1_, before[0])
    assert np.array_equal(head.predict_proba(X), before[1])


def test_a_cancelled_run_keeps_the_previous_head() -> None:
    X, y = blobs()
    head = DenseHead(epochs=2).fit(X, y, NAMES)
    W1 = head.W1_

    def cancel(epoch: int, batch: int, loss: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        DenseHead.fit(head, X[::-1].copy(), y[::-1].copy(), NAMES, callback=cancel)
    assert head.W1_ is W1


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros((0, 3, 3, 8), np.float32), np.zeros(0, int), "no samples"),
        (np.ones((5, 3, 3, 8), np.float32), np.zeros(5, int), r"only one class has samples \(up\)"),
        (np.full((2, 3, 3, 8), np.nan, np.float32), np.array([0, 1]), "NaN"),
        (np.ones((2, 3, 3, 8), np.float32), np.array([0, 7]), "class indices"),
        (np.ones((2, 3, 3, 8), np.float32), np.array([0]), "one label per sample"),
    ],
)
def test_bad_training_data_gets_a_clear_message(X, y, message: str) -> None:
    with pytest.raises(EdgePacError, match=message):
        DenseHead().fit(X, y, NAMES)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"units": 0}, "units"),
        ({"learning_rate": -1}, "learning_rate"),
        ({"learning_rate": float("inf")}, "learning_rate"),
        ({"batch_fraction": 0}, "batch_fraction"),
        ({"batch_fraction": 1.5}, "batch_fraction"),
        ({"epochs": 2.5}, "epochs"),
        ({"jitter_copies": -1}, "jitter_copies"),
        ({"jitter_shift": 2}, "jitter_shift"),
        ({"jitter_gain": 0.5}, "jitter_gain"),
        ({"dropout": 1.0}, "dropout"),
        ({"weight_decay": -0.1}, "weight_decay"),
        ({"normalize": "zscore"}, "normalize"),
    ],
)
def test_bad_hyperparameters_name_the_parameter(params: dict, name: str) -> None:
    head = DenseHead(**params)  # scikit-learn's way: the constructor only keeps them
    X, y = blobs()
    with pytest.raises(EdgePacError, match=rf"^{name} must"):
        head.fit(X, y)
    assert not head.fitted


def test_predicting_before_training_says_what_to_do() -> None:
    with pytest.raises(EdgePacError, match="not trained yet"):
        DenseHead().predict_proba(np.zeros((3, 3, 8), np.float32))


@pytest.mark.parametrize("normalize", ["none", "l2"])
def test_one_frame_matches_the_batch_and_allocates_nothing_big(normalize: str) -> None:
    X, y = blobs(shape=(7, 7, 256))
    head = DenseHead(epochs=2, normalize=normalize).fit(X, y, NAMES)
    batch = head.predict_proba(X)
    assert batch.shape == (len(X), 4)
    np.testing.assert_allclose(batch.sum(axis=1), 1, rtol=1e-5)
    one = head.predict_proba(X[5])
    assert one.shape == (4,)
    np.testing.assert_allclose(one, batch[5], rtol=1e-4, atol=1e-6)
    assert head.predict(X[5]) == NAMES[int(np.argmax(one))]
    out = np.empty(4, np.float32)
    head.predict_proba(X[0], out=out)  # warm up: the single-frame buffers exist from now on
    tracemalloc.start()
    for x in X[:20]:
        head.predict_proba(x, out=out)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4096  # a frame is 50 KB as float32: nothing of that size is allocated per call


def test_frames_of_the_wrong_shape_are_refused() -> None:
    X, y = blobs()
    head = DenseHead(epochs=1).fit(X, y)
    with pytest.raises(EdgePacError, match="do not fit this head"):
        head.predict_proba(np.zeros((2, 5, 5, 8), np.float32))


def test_batches_of_one_frame_with_or_without_a_jittered_copy() -> None:
    X, y = blobs(n_per_class=2)
    head = DenseHead(epochs=2, batch_fraction=0.01).fit(X, y)  # every batch is one visit
    assert len(head.loss_curve_) == 2


def test_jittered_copies_count_in_the_schedule() -> None:
    X, y = blobs(n_per_class=10)  # 40 frames + 40 copies: batch floor(80 * 0.4) = 32 → 3 batches
    seen: list[tuple[int, int, float]] = []
    DenseHead(epochs=2, jitter_copies=1).fit(X, y, callback=lambda *a: seen.append(a))
    assert [(e, b) for e, b, _ in seen] == [(e, b) for e in range(2) for b in range(3)]


def test_a_training_step_with_jittered_copies_allocates_no_batch_sized_array() -> None:
    """Each step reuses the fit's buffers: a fresh batch-sized array per step (9.5 MB a step
    at the arcade's 7x7x256 and 50 frames a pose) is mapped and faulted in anew each time
    under the app's malloc settings, which made TRAIN ~1.4x slower."""
    X, y = blobs(n_per_class=20, shape=(7, 7, 64))  # a batch of 32 frames is 400 KB
    head = DenseHead(epochs=3, jitter_copies=1)
    peaks: list[int] = []
    real_step = DenseHead._step

    def step(self: DenseHead, *args: object) -> float:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        loss = real_step(self, *args)
        peaks.append(tracemalloc.get_traced_memory()[1] - before)
        return loss

    tracemalloc.start()
    try:
        head._step = step.__get__(head)  # type: ignore[method-assign]
        head.fit(X, y)
    finally:
        tracemalloc.stop()
    assert len(peaks) == 3 * 3 and max(peaks) < 40_000  # index arrays only


def test_jitter_moves_the_grid_and_changes_the_light() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((3, 5, 5, 3)).astype(np.float32)
    same = x.copy()
    jitter(same, rng, shift=0.0, gain=1.0)
    np.testing.assert_array_equal(same, x)
    moved = x.copy()
    slide(moved, np.array([1.0, -0.5, 0.0]), axis=1)
    # frame 0 a whole cell down: row r is the old row r-1, and row 0 repeats itself
    np.testing.assert_allclose(moved[0, 1:], x[0, :-1])
    np.testing.assert_allclose(moved[0, 0], x[0, 0])
    # frame 1 half a cell up: each row is the mean of itself and the one below
    np.testing.assert_allclose(moved[1, :-1], (x[1, :-1] + x[1, 1:]) / 2, rtol=1e-6)
    np.testing.assert_allclose(moved[2], x[2])  # frame 2 stays
    across = x.copy()
    slide(across, np.array([-1.0, 0.0, 0.0]), axis=2)  # a whole cell left, along columns
    np.testing.assert_allclose(across[0, :, :-1], x[0, :, 1:])
    lit = x.copy()
    jitter(lit, np.random.default_rng(1), shift=0.0, gain=2.0)
    ratio = lit / x
    assert ratio.min() >= 0.5 and ratio.max() <= 2.0
    for r in ratio:  # one gain per frame
        np.testing.assert_allclose(r, r.flat[0], rtol=1e-5)


def test_l2_normalisation_ignores_brightness_and_regularisers_still_learn() -> None:
    X, y = blobs(n_per_class=8)
    head = DenseHead(normalize="l2", dropout=0.2, weight_decay=0.01, learning_rate=1e-2)
    head.fit(X, y, NAMES)
    np.testing.assert_allclose(head.predict_proba(3 * X), head.predict_proba(X), rtol=1e-4)
    assert (head.predict(X) == np.array(NAMES)[y]).mean() == 1.0


def test_skipping_inputs_that_are_always_zero_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    X, y = blobs(n_per_class=6, shape=(4, 4, 8))
    X[:, :, :, :5] = 0  # relu silenced these channels in every frame
    params = {"epochs": 5, "learning_rate": 1e-2, "weight_decay": 0.05, "jitter_copies": 0}
    fast = DenseHead(**params).fit(X, y)
    assert dense.used_columns(X.reshape(len(X), -1)) is not None  # the shortcut was taken
    monkeypatch.setattr(dense, "used_columns", lambda X2: None)
    full = DenseHead(**params).fit(X, y)
    np.testing.assert_allclose(fast.W1_, full.W1_, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(fast.predict_proba(X), full.predict_proba(X), rtol=1e-4, atol=1e-6)
    assert fast.loss_curve_ == pytest.approx(full.loss_curve_, rel=1e-4)


# -- sample weights and warm start (a returning player's refresh) --------------------------------


def test_the_weighted_loss_is_the_weighted_mean_of_each_frames_loss() -> None:
    rng = np.random.default_rng(2)
    d, units, k, m = 5, 4, 3, 6
    params = [rng.standard_normal((d, units)), rng.standard_normal(units),
              rng.standard_normal((units, k))]  # fmt: skip
    xb, yb, wb = rng.standard_normal((m, d)), np.array([0, 2, 1, 2, 0, 1]), rng.random(m) * 3
    loss = loss_and_grads(params, xb, yb, _Scratch(m, d, units, k, dtype=np.float64), None, wb)
    plain = [one_frame_loss(params, xb[i : i + 1], yb[i : i + 1]) for i in range(m)]
    assert loss == pytest.approx(np.mean(wb * plain))


def one_frame_loss(params: list[np.ndarray], xb: np.ndarray, yb: np.ndarray) -> float:
    return loss_and_grads(params, xb, yb, _Scratch(1, xb.shape[1], 4, 3, dtype=np.float64))


def test_the_heavier_frames_win_where_two_classes_disagree() -> None:
    # The same look recorded as "up" in an old session and "down" in the newest: the frames
    # that weigh more decide, and without weights the count decides.
    X, _ = blobs(n_per_class=12, k=1)
    y = np.array([0] * 8 + [1] * 4)
    w = np.array([1.0] * 8 + [4.0] * 4)
    params = {"units": 16, "learning_rate": 1e-2, "epochs": 40, "jitter_copies": 0}
    assert set(DenseHead(**params).fit(X, y, NAMES[:2]).predict(X)) == {"up"}
    weighted = DenseHead(**params).fit(X, y, NAMES[:2], sample_weight=w)
    assert set(weighted.predict(X)) == {"down"}
    with pytest.raises(EdgePacError, match="sample_weight must be 12 finite numbers >= 0"):
        DenseHead(**params).fit(X, y, NAMES[:2], sample_weight=w[:3])
    with pytest.raises(EdgePacError, match="not all 0"):
        DenseHead(**params).fit(X, y, NAMES[:2], sample_weight=w * 0)


def test_warm_start_starts_from_the_current_weights_for_warm_epochs() -> None:
    X, y = blobs(n_per_class=10)
    head = DenseHead(epochs=20, learning_rate=1e-3, jitter_copies=0).fit(X, y, NAMES)
    old = head.W1_.copy(), head.W2_.copy()
    old_arrays = head.W1_
    settled = head.loss_curve_[-1]
    head.set_params(warm_start=True, warm_epochs=2)
    head.fit(X, y, NAMES)
    assert len(head.loss_curve_) == 2  # a few epochs, not the whole schedule
    assert head.loss_curve_[0] < 1.5 * settled  # it goes on from where it was...
    scratch = DenseHead(epochs=2, learning_rate=1e-3, jitter_copies=0).fit(X, y, NAMES)
    assert scratch.loss_curve_[0] > 3 * head.loss_curve_[0]  # ...not from random weights
    assert np.abs(head.W1_ - old[0]).max() < 0.01 < np.abs(scratch.W1_ - old[0]).max()
    assert np.array_equal(old_arrays, old[0])  # the old arrays were copied, not trained in place
    # New classes or other activations: nothing to start from, so a full fit from scratch.
    head.fit(X, y, ["a", "b", "c", "d"])
    assert len(head.loss_curve_) == 20 and head.classes_ == ["a", "b", "c", "d"]
    assert head.get_params()["warm_start"] is True
    with pytest.raises(EdgePacError, match="warm_epochs must be a whole number from 1"):
        head.set_params(warm_epochs=0).fit(X, y, ["a", "b", "c", "d"])


def test_a_warm_fit_rehearses_a_bigger_nudge_of_the_camera(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refresh comes after the camera may have been knocked: its jittered copies move up to
    ``warm_jitter_shift`` of a cell, a first training's up to ``jitter_shift``."""
    from edgepac.learning import dense

    shifts: list[float] = []
    real = dense.jitter
    monkeypatch.setattr(dense, "jitter", lambda f, rng, shift, *a, **k: (
        shifts.append(shift), real(f, rng, shift, *a, **k)))  # fmt: skip
    X = np.random.default_rng(0).random((12, 3, 3, 2), dtype=np.float32)
    y = np.repeat([0, 1], 6)
    head = DenseHead(epochs=2).fit(X, y, ["a", "b"])
    assert set(shifts) == {0.5} and head.warm_jitter_shift == 1.0  # the defaults
    shifts.clear()
    head.set_params(warm_start=True, warm_epochs=2).fit(X, y, ["a", "b"])
    assert set(shifts) == {1.0}
    with pytest.raises(EdgePacError, match="warm_jitter_shift"):
        head.set_params(warm_jitter_shift=2).fit(X, y, ["a", "b"])
