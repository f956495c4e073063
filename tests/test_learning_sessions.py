"""A returning player: sessions in the store, and a training set that stays bounded and favours
the newest sitting however much the store holds."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from edgepac.app.training import batches_in_fit, head_to_train, held_out_split, training_data
from edgepac.errors import EdgePacError
from edgepac.learning import files
from edgepac.learning.choice import MAX_PER_CLASS, MAX_PRESS_BOOST, equal_shares, halving_shares
from edgepac.learning.store import SampleStore

SHAPE = (2, 2, 3)
GAME = ("up", "down", "left", "right")


class Clock:
    """Wall-clock seconds the test moves by hand."""

    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def new_store(shape=SHAPE, **kw) -> SampleStore:
    return SampleStore(shape, scale=0.5, zero_point=3, **kw)


def record(store: SampleStore, name: str, n: int, value: int = 0) -> None:
    """One press of a class button: n frames."""
    store.begin_burst()
    for _ in range(n):
        store.add(name, np.full(store.feature_shape, value, np.uint8))


def sitting(store: SampleStore, per_class: int, presses: int = 1, value: int = 0) -> None:
    store.begin_session()
    for _ in range(presses):
        for name in GAME:
            record(store, name, per_class, value)


# -- sessions ---------------------------------------------------------------------------------


def test_begin_session_starts_a_new_sitting_and_an_empty_one_is_not_counted() -> None:
    store = new_store()
    record(store, "up", 3)
    store.begin_session()
    store.begin_session()  # attract mode ended twice with nobody recording: still one new session
    record(store, "down", 2)
    assert store.sessions.tolist() == [0, 0, 0, 1, 1]
    assert store.session_counts() == {
        0: {"up": 3, "down": 0, "left": 0, "right": 0},
        1: {"up": 0, "down": 2, "left": 0, "right": 0},
    }


def test_a_long_pause_between_presses_is_a_new_session_and_times_are_kept() -> None:
    clock = Clock()
    store = new_store(clock=clock, session_gap_s=600)
    record(store, "up", 2)
    clock.t += 599  # a short break: same sitting
    record(store, "down", 2)
    clock.t += 601  # away longer than the gap: back in other light
    record(store, "left", 2)
    assert store.sessions.tolist() == [0, 0, 0, 0, 1, 1]
    t0 = 1_700_000_000.0
    assert store.recorded_at.tolist() == [t0, t0, t0 + 599, t0 + 599, t0 + 1200, t0 + 1200]


def test_sessions_and_times_survive_save_load_undo_and_clearing(tmp_path: Path) -> None:
    clock = Clock()
    store = new_store(clock=clock)
    sitting(store, 2)
    clock.t += 60
    sitting(store, 1)
    path = tmp_path / "samples.npz"
    store.save(path)
    again = SampleStore.load(path)
    again.clock = clock
    assert again.sessions.tolist() == [0] * 8 + [1] * 4
    np.testing.assert_array_equal(again.recorded_at, store.recorded_at)
    record(again, "up", 1)  # the same sitting goes on after a restart within the gap
    assert again.sessions[-1] == 1
    again.begin_session()
    record(again, "up", 1)
    assert again.sessions[-1] == 2  # numbering continues from the file
    assert again.clear_class("down") == 3
    assert again.sessions.tolist() == [0] * 6 + [1] * 3 + [1, 2]  # still aligned with labels
    assert again.undo_burst() == 1 and again.sessions[-1] == 1


def test_a_saved_copy_loses_nothing_and_a_chosen_copy_keeps_its_rows_facts(
    tmp_path: Path,
) -> None:
    """The app saves and trains from ``copy()`` (made under its lock): the copy's file is the
    store's own, sessions and times included, and recording continues in the same sitting."""
    clock = Clock()
    store = new_store(clock=clock)
    sitting(store, 3, value=1)
    clock.t += 60
    sitting(store, 2, value=2)
    store.set_thumbnail("up", np.full((4, 4, 3), 9, np.uint8))
    twin = store.copy()
    record(store, "up", 1)  # the original goes on; the copy does not see it
    assert len(twin) == 20 and len(store) == 21
    twin.save(tmp_path / "copy.npz")
    again = SampleStore.load(tmp_path / "copy.npz")
    for column in ("features", "labels", "bursts", "sessions", "recorded_at"):
        np.testing.assert_array_equal(getattr(again, column), getattr(store, column)[:20])
    assert again.thumbnails["up"][0, 0, 0] == 9
    record(twin, "up", 1)  # the copy is the same sitting, the next press
    assert twin.sessions[-1] == 1 and twin.bursts[-1] == twin.bursts[-2] + 1
    # Only the chosen rows: each keeps its own label, burst, session and time.
    rows = store.training_set(max_per_class=2).index
    chosen = store.copy(rows)
    assert len(chosen) == len(rows) == 8
    for column in ("features", "labels", "bursts", "sessions", "recorded_at"):
        np.testing.assert_array_equal(getattr(chosen, column), getattr(store, column)[rows])


def test_a_store_saved_before_sessions_loads_as_one_old_session(tmp_path: Path) -> None:
    store = new_store()
    sitting(store, 3)
    path = tmp_path / "samples.npz"
    store.save(path)
    with np.load(path) as npz:  # what version 1 wrote: no times, no sessions
        arrays = {k: npz[k] for k in npz.files if k not in ("recorded_at", "sessions")}
    arrays["format_version"] = np.array(1)
    files.write_npz(path, arrays)
    old = SampleStore.load(path)
    assert len(old) == 12 and old.sessions.tolist() == [0] * 12
    assert np.isnan(old.recorded_at).all()
    record(old, "up", 1)  # the first press after the upgrade is a new sitting
    assert old.sessions[-1] == 1


# -- what one training pass sees ----------------------------------------------------------------


def test_shares_split_a_budget_newest_first_and_fairly() -> None:
    assert halving_shares([500, 500, 500], 100) == [50, 25, 25]  # newest gets half
    assert halving_shares([3, 500, 500], 100) == [3, 49, 48]  # a short top-up: all of it
    assert halving_shares([500, 10], 100) == [90, 10]  # what the old one lacks goes back
    assert equal_shares([2, 100, 100], 20) == [2, 9, 9]
    assert equal_shares([5, 5], 100) == [5, 5]


def test_the_cap_holds_for_a_huge_store_and_keeps_every_press() -> None:
    store = new_store()
    for _ in range(3):  # three sittings of 10 presses of 100 frames a class
        sitting(store, 100, presses=10)
    assert len(store) == 12_000
    chosen = store.training_set(max_per_class=40)
    assert np.bincount(chosen.labels).tolist() == [40, 40, 40, 40]
    newest = chosen.sessions == 2
    assert np.bincount(chosen.labels[newest]).tolist() == [20] * 4  # half the budget
    assert len(np.unique(store.bursts[chosen.index[newest]])) == 40  # every press of it: 2 each
    assert (np.diff(chosen.index) > 0).all()  # rows in recording order, no repeats
    assert store.training_set(max_per_class=None).index.tolist() == list(range(12_000))


def test_recency_changes_the_choice_and_the_weights() -> None:
    one, two = new_store(), new_store()
    sitting(one, 200, presses=3)  # three presses a class in one sitting
    for _ in range(3):
        sitting(two, 200)  # the same presses, a sitting each
    same, recent = one.training_set(max_per_class=99), two.training_set(max_per_class=99)
    assert np.bincount(one.bursts[same.index]).tolist().count(33) == 12  # presses alike
    assert np.bincount(recent.sessions).tolist() == [24 * 4, 25 * 4, 50 * 4]  # newest: half
    assert np.allclose(same.weights, 1)
    # A short top-up of 3 frames a pose: kept whole, and weighing half of each pose.
    top = new_store()
    sitting(top, 200)
    sitting(top, 3)
    chosen = top.training_set(max_per_class=100, latest_share=0.5)
    latest = chosen.sessions == 1
    assert latest.sum() == 12
    for c in range(4):
        mine = chosen.labels == c
        share = chosen.weights[mine & latest].sum() / chosen.weights[mine].sum()
        assert share == pytest.approx(0.5, rel=1e-5)
    assert chosen.weights.mean() == pytest.approx(1.0)
    uniform = top.training_set(max_per_class=100, latest_share=0.0)
    assert np.allclose(uniform.weights, 1)


def test_every_press_weighs_the_same_so_one_long_hold_does_not_drown_the_rest() -> None:
    store = new_store()
    store.begin_session()
    record(store, "up", 20)  # one long hold...
    record(store, "up", 5)  # ...and two short presses
    record(store, "up", 5)
    record(store, "down", 1)  # a tap beside a proper press: not a press's worth
    record(store, "down", 29)
    chosen = store.training_set(max_per_class=None)
    w, bursts = chosen.weights, store.bursts[chosen.index]
    per_press = [float(w[bursts == b].sum()) for b in (1, 2, 3)]
    assert per_press == pytest.approx([per_press[0]] * 3)  # a third of UP each
    assert w[bursts == 4][0] / w[bursts == 5].mean() == pytest.approx(MAX_PRESS_BOOST)
    up = chosen.labels == 0
    assert w[up].sum() / w.sum() == pytest.approx(30 / 60)  # the poses keep their totals
    assert w.mean() == pytest.approx(1.0)
    # A second sitting: the newest share is still what recency says, presses even inside it.
    store.begin_session()
    record(store, "up", 8)
    record(store, "up", 2)
    record(store, "down", 10)
    chosen = store.training_set(max_per_class=None, latest_share=0.5)
    w, bursts = chosen.weights, store.bursts[chosen.index]
    up, latest = chosen.labels == 0, chosen.sessions == 1
    assert w[up & latest].sum() / w[up].sum() == pytest.approx(0.5, rel=1e-5)
    assert w[bursts == 6].sum() == pytest.approx(w[bursts == 7].sum(), rel=1e-5)


def test_the_held_out_split_never_takes_a_whole_short_session() -> None:
    labels = np.array([0] * 50 + [1] * 50 + [0] * 3 + [1] * 3)
    sessions = np.array([0] * 100 + [1] * 6)
    train, test = held_out_split(labels, 0.2, groups=sessions)
    assert set(range(100, 106)) <= set(train)  # the 3-frame top-up is all trained on
    assert len(test) == 20 and set(test) == set(range(40, 50)) | set(range(90, 100))
    _, plain = held_out_split(labels, 0.2)
    assert set(range(100, 106)) <= set(plain)  # without groups the top-up would be held out


def _peak_bytes(fn) -> int:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_memory_for_a_training_pass_stays_bounded_however_big_the_store() -> None:
    shape = (7, 7, 256)  # the real backbone's activations
    frame_f32 = 7 * 7 * 256 * 4
    small, big = new_store(shape), new_store(shape)
    sitting(small, MAX_PER_CLASS)
    for _ in range(3):
        sitting(big, 400)  # 4,800 frames: 60 MB as uint8, 240 MB if made float32
    peaks = [_peak_bytes(lambda s=s: training_data(s, holdout=0.2)) for s in (small, big)]
    assert peaks[1] < 1.2 * peaks[0]  # 12x the frames, the same memory
    chosen = 4 * MAX_PER_CLASS
    assert peaks[1] < 1.5 * chosen * frame_f32  # about the chosen frames as float32, no more
    data = training_data(big, holdout=0.2)
    assert len(data.y) + len(data.y_test) == chosen and data.sessions == 3


def test_a_refresh_trains_a_warm_copy_and_the_playing_head_is_untouched() -> None:
    store = new_store(shape=(3, 3, 4))
    rng = np.random.default_rng(0)
    for name in GAME:
        store.begin_burst()
        for _ in range(20):
            q = rng.integers(0, 4, (3, 3, 4), dtype=np.uint8)
            q[..., GAME.index(name)] += 10  # each pose lights its own channel
            store.add(name, q)
    data = training_data(store, holdout=0.2)
    params = {"epochs": 10, "jitter_copies": 0, "learning_rate": 1e-3}
    playing = head_to_train(None, "dense", params, warm_start=True)  # nothing yet: from scratch
    playing.fit(data.X, data.y, data.names, sample_weight=data.weights)
    assert data.accuracy(playing) == 1.0 and len(data.y_test) == 16
    before = playing.W1_.copy()
    refresh = head_to_train(playing, "dense", params, warm_start=True)
    assert refresh is not playing and refresh.warm_start and not playing.warm_start
    warm = refresh.warm_epochs  # not the 10 a first training takes here
    assert batches_in_fit(refresh, len(data.y), warm=refresh.fits_warm(data.names, 36)) == warm * 3
    refresh.fit(data.X, data.y, data.names, sample_weight=data.weights)
    assert len(refresh.loss_curve_) == warm and np.array_equal(playing.W1_, before)
    other = head_to_train(playing, "dense", {**params, "units": 7}, warm_start=True)
    assert not hasattr(other, "W1_")  # another recipe in the config: a new head
    assert not hasattr(head_to_train(playing, "dense", params, warm_start=False), "W1_")


def test_a_bad_cap_or_share_says_what_is_allowed() -> None:
    store = new_store()
    sitting(store, 2)
    with pytest.raises(EdgePacError, match="max_per_class must be >= 1 or None, got 0"):
        store.training_set(max_per_class=0)
    with pytest.raises(EdgePacError, match=r"latest_share must be from 0 to 1, got 1\.5"):
        store.training_set(latest_share=1.5)


def test_training_an_empty_store_says_to_record_first() -> None:
    data = training_data(new_store(), holdout=0.2)
    assert len(data.y) == 0 and data.accuracy(None) is None
    with pytest.raises(EdgePacError, match="record some frames of each class first"):
        head_to_train(None, "dense", {}, warm_start=True).fit(data.X, data.y, data.names)
