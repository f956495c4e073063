"""The coach in the arcade (issue 20): after TRAIN, each pose's share right and advice; a weak
pose's tile is marked and one press of it teaches it and retrains; COLLECT guides the presses."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from edgepac.app.arcade import (
    PRESS_GOAL,
    PRESS_HINTS,
    Action,
    Arcade,
    Do,
    Event,
    Kind,
    State,
    TrainingResult,
)
from edgepac.learning.coach import coach
from edgepac.poses import POSES

GAME = POSES
START = Action(Do.START_TRAINING)


def left_taken_for_up() -> Any:
    y = np.repeat([0, 1, 2, 3], 6)
    guess = y.copy()
    guess[12:16] = 0  # four of LEFT's six held-back frames read as UP
    return coach(y, guess, GAME)


def trained(coaching: Any) -> Arcade:
    a = Arcade(GAME, counts=dict.fromkeys(GAME, 30))
    a.handle(Event(Kind.TRAIN), 0.0)
    a.training_finished(TrainingResult(ok=True, accuracy=0.83, coaching=coaching), 1.0)
    return a


def press(a: Arcade, name: str, t: float) -> list[Action]:
    return a.handle(Event(Kind.HOLD, name), t) + a.handle(Event(Kind.RELEASE, name), t + 0.5)


def test_one_press_of_the_weak_pose_teaches_it_and_retrains() -> None:
    a = trained(left_taken_for_up())
    assert a.weak == {"left"} and a.state is State.TRAINING
    # From the result page a pose's button records more; UP is fine: it only records.
    assert press(a, "up", 2.0) == [Action(Do.BEGIN_BURST, "up"), Action(Do.END_BURST, "up")]
    assert a.state is State.COLLECT and a.weak == {"left"}
    # LEFT, the weak one: on release it is learned again at once.
    assert press(a, "left", 3.0) == [
        Action(Do.BEGIN_BURST, "left"), Action(Do.END_BURST, "left"), START,
    ]  # fmt: skip
    assert a.state is State.TRAINING and a.training_running and a.weak == set()
    # The next result says all is well: nothing is weak, a press only records.
    a.training_finished(TrainingResult(ok=True, accuracy=1.0, coaching=coach([], [], GAME)), 9.0)
    a.handle(Event(Kind.BACK), 10.0)
    assert a.weak == set() and START not in press(a, "left", 11.0)


def test_a_failed_training_keeps_the_weak_poses_and_a_clear_forgets_them() -> None:
    a = trained(left_taken_for_up())
    a.handle(Event(Kind.TRAIN), 2.0)
    a.training_finished(TrainingResult(ok=False, accuracy=None, error="disk full"), 3.0)
    assert a.weak == {"left"}
    a.handle(Event(Kind.CLEAR), 4.0)
    a.handle(Event(Kind.TRAIN), 4.5)  # yes, clear
    assert a.weak == set()


def fake_app(a: Arcade) -> tuple[Any, Any]:
    """Just what Snapshots.build reads of an App (no camera, no threads), and its recorder."""

    class Recorder:
        counts: ClassVar = dict.fromkeys(GAME, 30)
        thumbnails: ClassVar[dict[str, Any]] = {}
        presses: ClassVar = {"up": 1, "down": 3, "left": 3, "right": 3}
        burst = 0
        problem = None

    class Nothing:
        def __getattr__(self, name: str) -> Any:
            return None

    class Games(Nothing):
        high_scores = type("T", (), {"best": 0, "entries": [], "rank_of": lambda s, x: 1})()
        new_rank = None

    app = Nothing()
    app.__dict__.update(
        arcade=a, games=Games(), inference=Nothing(), recorder=Recorder(), trainer=None,
        backbone=object(), head=object(), class_names=GAME, button_names={}, buttons=[],
        show_fps=False, trained_accuracy=0.83, model_problem=None,
    )  # fmt: skip
    return app, Recorder


def test_the_coach_view_and_the_marked_tile(tmp_path: Path) -> None:
    """Snapshots: TRAINING shows the coach's card; COLLECT marks the weak tile and asks for
    presses with a hint that changes from one press to the next."""
    from edgepac.app import view as v
    from edgepac.app.snapshot import Snapshots

    a = trained(left_taken_for_up())
    app, Recorder = fake_app(a)
    snaps = Snapshots()
    view = snaps.build(app, 1.5)
    assert view.page is v.Page.TRAINING and view.coach is not None
    assert view.coach.advice == "LEFT LOOKS LIKE UP: HOLD LEFT AGAIN AND LEAN FURTHER"
    assert view.coach.confused == ("left", "up")
    shares = {"up": 1, "down": 1, "left": 2 / 6, "right": 1}
    assert dict(view.coach.accuracy) == pytest.approx(shares)
    a.handle(Event(Kind.BACK), 2.0)
    view = snaps.build(app, 2.0)
    assert view.page is v.Page.COLLECT and view.coach is None
    assert [(p.name, p.presses, p.weak) for p in view.poses] == [
        ("up", 1, False), ("down", 3, False), ("left", 3, True), ("right", 3, False),
    ]  # fmt: skip
    assert view.press_goal == PRESS_GOAL
    assert view.press_hint == PRESS_HINTS[1]  # UP's next press is its second
    a.handle(Event(Kind.HOLD, "down"), 3.0)
    assert snaps.build(app, 3.0).press_hint is None  # DOWN has its three presses
    a.handle(Event(Kind.RELEASE, "down"), 3.5)
    Recorder.presses = dict.fromkeys(GAME, 0)  # a new sitting: the first press of each
    assert snaps.build(app, 4.0).press_hint == PRESS_HINTS[0]
    assert len(set(PRESS_HINTS)) == PRESS_GOAL  # each press of a pose its own hint


def test_the_recorder_counts_presses_with_frames_this_sitting(tmp_path: Path) -> None:
    from edgepac.app.recorder import Recorder
    from edgepac.learning.store import SampleStore

    recorder = Recorder(SampleStore((2, 2, 1), scale=1.0, zero_point=0), tmp_path / "s.npz")
    image = np.zeros((8, 8, 3), np.uint8)
    for frames in (3, 0, 2):  # the middle press let go before a frame came: no press
        recorder.begin("up")
        for _ in range(frames):
            recorder.add(np.zeros((2, 2, 1), np.uint8), image)
        recorder.end()
    assert recorder.presses == {"up": 2}
    recorder.new_session()
    assert recorder.presses == {}


def test_a_taps_countdown_shows_the_hint_of_the_press_it_will_record() -> None:
    from edgepac.app.snapshot import Snapshots

    a = Arcade(GAME, counts=dict.fromkeys(GAME, 30), countdown_s=2.0, burst_s=2.0)
    app, recorder = fake_app(a)
    recorder.presses = {"up": 2, "down": 0, "left": 0, "right": 0}
    a.handle(Event(Kind.HOLD, "up"), 0.0)
    a.handle(Event(Kind.RELEASE, "up"), 0.1)  # a tap: counting down to UP's third press
    view = Snapshots().build(app, 0.5)
    assert view.countdown is not None and view.countdown.pose == "up"
    assert view.press_hint == PRESS_HINTS[2]
