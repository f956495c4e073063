"""The arcade's pure logic: smoothing of predictions and the button rules of each state."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import hold, release

from edgepac.app.arcade import Action, Arcade, Do, Event, Kind, State, TrainingResult
from edgepac.app.config import load_config
from edgepac.app.smoothing import Bayes, Smoother, Switch, make_filter
from edgepac.app.stats import SteeringScore
from edgepac.errors import EdgePacError

CLASSES = ("up", "down", "left", "right")


def p(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float32)


# -- smoothing ------------------------------------------------------------------------------------


def test_one_stray_frame_does_not_turn_pacman() -> None:
    s = Smoother(CLASSES, frames=5, threshold=0.6)
    for _ in range(5):
        assert s.update(p(0.9, 0.05, 0.03, 0.02)) == "up"
    # One misread frame that says "left" with certainty: the mean still says up.
    assert s.update(p(0.0, 0.0, 1.0, 0.0)) == "up"


def test_a_new_pose_wins_once_it_fills_most_of_the_window() -> None:
    s = Smoother(CLASSES, frames=4, threshold=0.6)
    for _ in range(4):
        s.update(p(1, 0, 0, 0))
    answers = [s.update(p(0, 0, 0, 1)) for _ in range(4)]
    # 1 of 4 right, 2 of 4 (0.5, not confident), 3 of 4, 4 of 4.
    assert answers == ["up", None, "right", "right"]
    np.testing.assert_allclose(s.mean, [0, 0, 0, 1])


def test_under_the_threshold_nothing_is_sent() -> None:
    s = Smoother(CLASSES, frames=3, threshold=0.7)
    assert s.update(p(0.4, 0.3, 0.2, 0.1)) is None
    assert s.update(p(0.69, 0.11, 0.1, 0.1)) is None
    s2 = Smoother(CLASSES, frames=1, threshold=0.7)
    assert s2.update(p(0.71, 0.09, 0.1, 0.1)) == "up"


def test_a_nan_frame_is_ignored_and_does_not_poison_later_frames() -> None:
    s = Smoother(CLASSES, frames=3, threshold=0.5)
    s.update(p(0, 1, 0, 0))
    assert s.update(p(np.nan, 0, 0, 0)) is None
    assert s.update(p(0, 1, 0, 0)) == "down"
    assert np.isfinite(s.mean).all()


def test_reset_forgets_the_last_game() -> None:
    s = Smoother(CLASSES, frames=3, threshold=0.5)
    for _ in range(3):
        s.update(p(1, 0, 0, 0))
    s.reset()
    assert s.update(p(0, 0, 1, 0)) == "left"


def test_the_running_sum_does_not_drift_over_a_long_session() -> None:
    rng = np.random.default_rng(0)
    s = Smoother(CLASSES, frames=5, threshold=0.0)
    rows = rng.dirichlet(np.ones(4), size=20_000).astype(np.float32)
    for row in rows:
        s.update(row)
    np.testing.assert_allclose(s.mean, rows[-5:].mean(axis=0), atol=1e-5)


@pytest.mark.parametrize(
    ("frames", "threshold", "key"),
    [(0, 0.5, "play.smoothing_frames"), (3, 1.5, "play.confidence_threshold")],
)
def test_bad_smoothing_settings_name_the_setting(frames: int, threshold: float, key: str) -> None:
    with pytest.raises(EdgePacError, match=key):
        Smoother(CLASSES, frames=frames, threshold=threshold)


# -- the responsive filters (Switch, the default; Bayes) ------------------------------------------

UP, LEFT = p(0.97, 0.01, 0.01, 0.01), p(0.01, 0.01, 0.97, 0.01)
RESPONSIVE = [lambda: Bayes(CLASSES), lambda: Switch(CLASSES, frames=2)]


@pytest.mark.parametrize("make", RESPONSIVE, ids=["bayes", "switch"])
def test_a_one_frame_flicker_does_not_turn_pacman(make) -> None:
    f = make()
    for _ in range(30):
        f.update(UP)
    assert f.update(UP) == "up"
    # One certain misread ("left", as certain as the head ever is), then up again.
    assert f.update(p(0.0, 0.0, 1.0, 0.0)) == "up"
    assert [f.update(UP) for _ in range(3)] == ["up"] * 3


@pytest.mark.parametrize("make", RESPONSIVE, ids=["bayes", "switch"])
def test_a_clear_change_turns_on_its_second_frame(make) -> None:
    f = make()
    for _ in range(30):
        f.update(UP)
    # The mean of 5 (threshold 0.5) needs 3 frames; these turn one frame after the player.
    assert [f.update(LEFT) for _ in range(4)] == ["up", "left", "left", "left"]


@pytest.mark.parametrize("make", RESPONSIVE, ids=["bayes", "switch"])
def test_a_player_between_poses_does_not_turn_pacman(make) -> None:
    f = make()
    for _ in range(30):
        f.update(UP)
    # Leaning half-way: the head hesitates between up and left, one then the other.
    for _ in range(20):
        assert f.update(p(0.40, 0.05, 0.50, 0.05)) in ("up", None)
        assert f.update(p(0.50, 0.05, 0.40, 0.05)) in ("up", None)


@pytest.mark.parametrize(
    "make", [lambda: Switch(CLASSES), lambda: Smoother(CLASSES)], ids=["switch", "mean"]
)
def test_frames_that_disagree_are_not_sure_though_the_steering_holds(make) -> None:
    # What a knocked camera gives: confident guesses that jump between poses. The responsive
    # filters keep steering up, but they must not look sure: the arcade then suggests a refresh.
    f = make()
    for _ in range(30):
        f.update(UP)
    assert f.sure
    jumpy = [LEFT, p(0.01, 0.97, 0.01, 0.01), UP, p(0.01, 0.01, 0.01, 0.97)] * 10
    sure = [(f.update(row), f.sure)[1] for row in jumpy]
    assert sum(sure) <= len(jumpy) // 4  # at most the frames that happen to say up
    for _ in range(5):
        f.update(UP)
    assert f.sure


def test_bayes_turns_at_once_after_a_reset_and_ignores_broken_frames() -> None:
    f = Bayes(CLASSES)
    assert f.update(LEFT) == "left"  # nothing held yet: the first clear frame steers
    assert f.update(p(np.nan, 0, 0, 0)) == "left"  # no evidence: the belief stands
    assert np.isfinite(f.mean).all() and f.mean.sum() == pytest.approx(1.0)
    for _ in range(100):
        f.update(LEFT)
    f.reset()
    assert f.update(UP) == "up"


def test_bayes_belief_stays_a_probability_over_a_long_noisy_session() -> None:
    rng = np.random.default_rng(0)
    f = Bayes(CLASSES)
    for row in rng.dirichlet(np.full(4, 0.2), size=20_000).astype(np.float32):
        f.update(row)
        assert f.mean.min() > 0.0
    assert f.mean.sum() == pytest.approx(1.0, abs=1e-6)


def test_switch_under_the_threshold_holds_what_it_has_but_is_not_sure() -> None:
    f = Switch(CLASSES, frames=2, threshold=0.6)
    assert f.update(p(0.5, 0.2, 0.2, 0.1)) is None  # nothing clear yet
    f.update(UP), f.update(UP)
    assert [f.update(p(0.1, 0.1, 0.55, 0.25)) for _ in range(5)] == ["up"] * 5
    assert not f.sure


def test_the_config_chooses_the_filter_and_switch_is_the_default() -> None:
    names = list(CLASSES)
    assert isinstance(make_filter(names, load_config([]).play), Switch)
    chosen = {
        kind: type(make_filter(names, load_config([], {"play.smoothing": kind}).play))
        for kind in ("mean", "switch", "bayes")
    }
    assert chosen == {"mean": Smoother, "switch": Switch, "bayes": Bayes}


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ({"play.smoothing": "kalman"}, "play.smoothing"),
        ({"play.switch_frames": 0}, "play.switch_frames"),
        ({"play.change_rate": 0.9}, "play.change_rate"),
    ],
)
def test_a_bad_filter_setting_names_the_key(override: dict, key: str) -> None:
    with pytest.raises(EdgePacError, match=key.replace(".", r"\.")):
        load_config([], override)


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda: Switch(CLASSES, frames=0), "play.switch_frames"),
        (lambda: Bayes(CLASSES, change=0.0), "play.change_rate"),
        (lambda: Bayes(CLASSES, threshold=2.0), "play.confidence_threshold"),
    ],
)
def test_a_filter_made_badly_names_the_key(make, key: str) -> None:
    with pytest.raises(EdgePacError, match=key):
        make()


@pytest.mark.parametrize("make", [*RESPONSIVE, lambda: Smoother(CLASSES)], ids=["b", "s", "m"])
def test_a_frame_through_a_filter_allocates_nothing_that_grows(make) -> None:
    import tracemalloc

    f = make()
    rows = [UP, LEFT] * 50
    for row in rows:
        f.update(row)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for _ in range(20):
        for row in rows:
            f.update(row)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(d.size_diff for d in after.compare_to(before, "filename") if d.size_diff > 0)
    assert grown < 4096  # 2000 frames: nothing kept per frame


# -- the steering's score against the true pose ---------------------------------------------------


def score(truths: str, requests: str, fps: float = 30.0) -> SteeringScore:
    """One character a frame: u d l r, "." for no request."""
    names = {"u": "up", "d": "down", "l": "left", "r": "right", ".": None}
    s = SteeringScore()
    for i, (t, r) in enumerate(zip(truths, requests, strict=True)):
        s.add(names[t], names[r], i / fps)
    return s


def test_the_score_counts_frames_from_a_change_of_pose_to_the_turn() -> None:
    s = score("uuuullllllrrrrrr", "uuuuu.llllrrrrrr")
    assert list(s.lag_frames.recent()) == [2, 0]
    assert s.false_turns == 0 and s.turns == 2
    figures = s.figures()
    assert figures["steer_lag_frames_p95"] == pytest.approx(1.9)
    assert figures["false_turns_per_min"] == 0.0


def test_a_turn_the_player_did_not_make_is_a_false_turn() -> None:
    s = score("u" * 30 + "l" * 31, "u" * 10 + "r" + "u" * 19 + "l" * 31)
    assert s.false_turns == 1  # to right (nobody leaned right); back to up is not false
    assert s.turns == 3
    assert s.figures()["false_turns_per_min"] == pytest.approx(30.0)  # 1 in 2 s


def test_a_change_never_followed_counts_as_late_by_its_whole_stretch() -> None:
    s = score("uuuullluuu", "uuuuuuuuuu")
    assert list(s.lag_frames.recent()) == [3, 0]  # left never came; up was never left


def test_a_pause_between_games_starts_the_score_afresh() -> None:
    s = SteeringScore()
    for i in range(5):
        s.add("up", "up", i / 30)
    s.add("left", "up", 10.0)  # a new game, 10 s later: not a change the steering missed
    s.add("left", "left", 10.0 + 1 / 30)
    assert s.lag_frames.n == 0 and s.turns == 1
    assert s.seconds == pytest.approx(5 / 30)


# -- the arcade's state machine -------------------------------------------------------------------


TRAIN, PLAY, BACK, CLEAR = (Event(k) for k in (Kind.TRAIN, Kind.PLAY, Kind.BACK, Kind.CLEAR))


def test_holding_a_class_button_records_a_burst_until_it_is_released() -> None:
    a = Arcade(CLASSES)
    assert a.handle(hold("up"), 0.0) == [Action(Do.BEGIN_BURST, "up")]
    assert a.recording == "up"
    assert a.handle(release("up"), 1.0) == [Action(Do.END_BURST, "up")]
    assert a.recording is None


def test_two_class_buttons_at_once_record_only_the_first() -> None:
    a = Arcade(CLASSES)
    a.handle(hold("up"), 0.0)
    assert a.handle(hold("left"), 0.1) == []
    assert "One pose at a time" in a.message_text()
    assert a.handle(release("left"), 0.2) == []  # the ignored press's release changes nothing
    assert a.recording == "up"
    assert a.handle(release("up"), 0.3) == [Action(Do.END_BURST, "up")]


def test_a_bouncing_button_gives_matched_bursts_and_stray_releases_are_ignored() -> None:
    a = Arcade(CLASSES)
    actions: list[Action] = []
    for t, e in enumerate([hold("up"), release("up"), release("up"), hold("up"), hold("up")]):
        actions += a.handle(e, float(t))
    actions += a.handle(release("up"), 9.0)
    kinds = [x.do for x in actions]
    assert kinds == [Do.BEGIN_BURST, Do.END_BURST, Do.BEGIN_BURST, Do.END_BURST]
    assert a.recording is None


def test_train_needs_two_poses_and_says_so() -> None:
    a = Arcade(CLASSES)
    a.counts = {"up": 30}
    assert a.handle(TRAIN, 0.0) == []
    assert a.state is State.COLLECT
    assert "at least two poses" in a.message_text()
    a.counts = {"up": 30, "left": 1}
    assert a.handle(TRAIN, 1.0) == [Action(Do.START_TRAINING)]
    assert a.state is State.TRAINING and a.training_running


def test_training_then_accuracy_then_play() -> None:
    a = Arcade(CLASSES, counts={"up": 30, "down": 30})
    a.handle(TRAIN, 0.0)
    assert a.handle(PLAY, 0.5) == []  # still training
    assert a.handle(TRAIN, 0.6) == []  # one training at a time
    a.training_finished(TrainingResult(ok=True, accuracy=0.9), 1.0)
    assert a.state is State.TRAINING and not a.training_running
    assert a.result.accuracy == 0.9 and a.has_head
    assert a.handle(PLAY, 2.0) == [Action(Do.NEW_GAME)]
    assert a.state is State.PLAYING


def test_play_without_a_trained_head_says_what_to_do() -> None:
    a = Arcade(CLASSES)
    assert a.handle(PLAY, 0.0) == []
    assert a.state is State.COLLECT
    assert "TRAIN" in a.message_text()


def test_failed_training_keeps_the_previous_head_and_says_so() -> None:
    a = Arcade(CLASSES, counts={"up": 3, "down": 3}, has_head=True)
    a.handle(TRAIN, 0.0)
    a.training_finished(TrainingResult(ok=False, accuracy=None, error="loss became NaN"), 1.0)
    assert "loss became NaN" in a.message_text()
    assert "previous model is kept" in a.message_text()
    assert a.handle(PLAY, 2.0) == [Action(Do.NEW_GAME)]  # the old head still plays


def test_back_stops_training_and_a_late_result_is_dropped() -> None:
    a = Arcade(CLASSES, counts={"up": 3, "down": 3})
    a.handle(TRAIN, 0.0)
    assert a.handle(BACK, 0.5) == [Action(Do.CANCEL_TRAINING)]
    assert a.state is State.COLLECT
    a.training_finished(TrainingResult(ok=True, accuracy=1.0), 1.0)
    assert a.state is State.COLLECT and not a.has_head


def test_a_class_button_after_a_game_over_goes_back_to_recording() -> None:
    a = Arcade(CLASSES, counts={"up": 3, "down": 3}, has_head=True)
    a.handle(PLAY, 0.0)
    a.game_over(score=10, level=1, qualifies=False, now=50.0)
    assert a.handle(hold("down"), 51.0) == [Action(Do.BEGIN_BURST, "down")]
    assert a.state is State.COLLECT


def test_train_or_play_while_recording_waits_for_the_release() -> None:
    a = Arcade(CLASSES, counts={"up": 3, "down": 3}, has_head=True)
    a.handle(hold("up"), 0.0)
    assert a.handle(TRAIN, 0.1) == [] and a.handle(PLAY, 0.2) == []
    assert "Let go of UP" in a.message_text()


def test_clear_is_confirmed_on_screen_with_train_and_cancelled_with_play() -> None:
    a = Arcade(CLASSES, counts={"up": 3, "down": 3})
    assert a.handle(CLEAR, 0.0) == []
    assert a.confirming_clear
    assert a.handle(hold("up"), 0.5) == []  # no recording while the question is on screen
    assert a.handle(PLAY, 1.0) == []
    assert not a.confirming_clear and "Kept" in a.message_text()
    a.handle(CLEAR, 2.0)
    assert a.handle(TRAIN, 3.0) == [Action(Do.CLEAR_SAMPLES)]
    assert a.state is State.COLLECT and "cleared" in a.message_text()


def test_an_unanswered_clear_is_a_no() -> None:
    a = Arcade(CLASSES)
    a.handle(CLEAR, 0.0)
    a.tick(5.0)
    assert a.confirming_clear
    a.tick(10.5)
    assert not a.confirming_clear


def test_idle_kiosk_goes_to_attract_mode_and_any_button_wakes_it() -> None:
    a = Arcade(CLASSES, attract_after_s=30, new_visitor="keep")
    assert a.tick(0.0) == []
    assert a.tick(29.0) == []
    assert a.tick(30.0) == [Action(Do.START_ATTRACT)]
    assert a.attract
    assert a.tick(31.0) == []  # once
    assert a.handle(hold("up"), 40.0) == [Action(Do.STOP_ATTRACT), Action(Do.NEW_SESSION)]
    assert a.handle(release("up"), 40.2) == []  # waking up records nothing
    assert a.state is State.COLLECT


def test_a_player_steering_keeps_attract_mode_away() -> None:
    a = Arcade(CLASSES, attract_after_s=30, has_head=True, new_visitor="keep")
    a.handle(PLAY, 0.0)
    for t in range(0, 100, 10):
        a.active(float(t))
        assert a.tick(float(t) + 1) == []
    assert a.tick(200.0) == [Action(Do.START_ATTRACT)]


def test_attract_mode_off_with_zero() -> None:
    a = Arcade(CLASSES, attract_after_s=0)
    a.tick(0.0)
    assert a.tick(1e6) == []


def test_messages_expire() -> None:
    a = Arcade(CLASSES)
    a.say("hello", 0.0, seconds=2.0)
    a.tick(1.0)
    assert a.message_text() == "hello"
    a.tick(2.5)
    assert a.message_text() is None


def test_the_progress_bar_knows_how_many_batches_training_reports() -> None:
    from edgepac.app.training import batches_in_fit
    from edgepac.learning.heads import make_head

    rng = np.random.default_rng(0)
    X = rng.random((23, 2, 2, 4), dtype=np.float32)
    y = np.arange(23) % 3
    for params in ({}, {"jitter_copies": 0}, {"jitter_copies": 2, "batch_fraction": 0.3}):
        head = make_head("dense", epochs=3, units=4, **params)
        seen: list[tuple[int, int]] = []

        def on_batch(epoch: int, batch: int, loss: float, seen: list = seen) -> None:
            seen.append((epoch, batch))

        head.fit(X, y, class_names=["up", "down", "left"], callback=on_batch)
        assert batches_in_fit(head, len(y)) == len(seen), params
    assert batches_in_fit(make_head("knn"), 10) == 0  # no batches: the bar jumps to done


# -- what is current, and what the next visitor finds -------------------------------------------


def test_after_clearing_the_samples_the_old_model_does_not_play() -> None:
    a = Arcade(CLASSES, counts={"up": 30, "down": 30}, has_head=True)
    a.handle(CLEAR, 0.0)
    assert a.handle(TRAIN, 0.5) == [Action(Do.CLEAR_SAMPLES)]  # TRAIN confirms
    assert not a.has_head and a.cleared
    assert a.handle(PLAY, 1.0) == []
    assert a.state is State.COLLECT and "went with the samples" in a.message_text()


def test_new_samples_after_training_mark_the_model_out_of_date_until_trained_again() -> None:
    a = Arcade(CLASSES, counts={"up": 30, "down": 30})
    a.handle(TRAIN, 0.0)
    a.training_finished(TrainingResult(ok=True, accuracy=1.0, run=1), 1.0)
    assert not a.out_of_date
    a.handle(hold("left"), 2.0)
    a.handle(release("left"), 3.0)
    assert a.out_of_date and a.has_head  # it still plays, and says it is behind
    a.counts["left"] = 20
    a.handle(TRAIN, 4.0)
    a.training_finished(TrainingResult(ok=True, accuracy=1.0, run=2), 5.0)
    assert not a.out_of_date


@pytest.mark.parametrize("policy", ["forget", "keep"])
def test_what_the_next_visitor_finds_is_the_kiosk_owners_choice(policy: str) -> None:
    a = Arcade(CLASSES, attract_after_s=30, counts={"up": 9, "down": 9}, has_head=True)
    a.new_visitor = policy
    a.handle(PLAY, 0.0)
    actions = a.tick(100.0)
    assert Action(Do.START_ATTRACT) in actions
    assert (Action(Do.FORGET_VISITOR) in actions) == (policy == "forget")
    a.handle(hold("up"), 200.0)  # a new visitor wakes it
    assert not a.attract and a.has_head == (policy == "keep")
    # Kept: whoever comes is greeted as the returning player, with a refresh.
    assert a.state is (State.WELCOME if policy == "keep" else State.COLLECT)


def test_a_high_score_is_signed_with_the_buttons() -> None:
    a = Arcade(CLASSES, counts={"up": 9, "down": 9}, has_head=True)
    a.handle(PLAY, 0.0)
    assert a.game_over(score=4200, level=2, qualifies=True, now=10.0) == []
    assert a.initials is not None
    presses = ["up", "up", "right", "down", "right"]  # C, Z, then the third letter stays A
    for name in presses:
        assert a.handle(hold(name), 11.0) == []
        assert a.handle(release(name), 11.1) == []  # releases do nothing here
    assert a.initials.text == "CZA" and a.initials.cursor == 2
    assert a.handle(PLAY, 12.0) == [Action(Do.SAVE_SCORE, "CZA", score=4200, level=2)]
    assert a.initials is None and a.state is State.PLAYING
    assert a.handle(PLAY, 13.0) == [Action(Do.NEW_GAME)]  # and then another game


def test_a_score_outside_the_table_asks_for_nothing_and_a_walk_away_still_signs() -> None:
    a = Arcade(CLASSES, has_head=True)
    a.handle(PLAY, 0.0)
    a.game_over(score=10, level=1, qualifies=False, now=1.0)
    assert a.initials is None
    a.game_over(score=5000, level=1, qualifies=True, now=2.0)
    assert a.tick(20.0) == []
    assert a.tick(40.0) == [Action(Do.SAVE_SCORE, "AAA", score=5000, level=1)]


def test_without_a_camera_model_play_steers_with_the_keys_and_nothing_records() -> None:
    a = Arcade(CLASSES, has_backbone=False)
    assert a.handle(hold("up"), 0.0) == [] and a.recording is None
    assert a.handle(TRAIN, 1.0) == [] and "No camera model" in a.message_text()
    assert a.handle(PLAY, 2.0) == [Action(Do.NEW_GAME)]
