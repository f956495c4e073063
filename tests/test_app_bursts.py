"""Hands-free recording in the arcade's rules: a tap counts down, records for a while, and can be
cancelled. Pure logic on a fake clock (seconds passed as ``now``)."""

from __future__ import annotations

import pytest

from edgepac.app.arcade import TAP_S, Action, Arcade, Do, Event, Kind, State, TrainingResult
from edgepac.app.config import load_config
from edgepac.errors import EdgePacError
from edgepac.poses import POSES

BEGIN_UP, END_UP = Action(Do.BEGIN_BURST, "up"), Action(Do.END_BURST, "up")
DROP_UP = Action(Do.DROP_BURST, "up")  # a tap's own few frames: no pose, forgotten
TRAIN, PLAY, BACK = Event(Kind.TRAIN), Event(Kind.PLAY), Event(Kind.BACK)


def hold(name: str) -> Event:
    return Event(Kind.HOLD, name)


def release(name: str) -> Event:
    return Event(Kind.RELEASE, name)


def tap(a: Arcade, name: str, t: float) -> list[Action]:
    return a.handle(hold(name), t) + a.handle(release(name), t + 0.1)


def run(a: Arcade, start: float, end: float, step: float = 1 / 60) -> list[tuple[float, Action]]:
    """Frames from ``start`` to ``end``: the actions ``tick`` returned, with their times."""
    out, t = [], start
    while t < end:
        out += [(t, x) for x in a.tick(t)]
        t += step
    return out


def test_a_tap_counts_down_then_records_for_a_while_like_a_held_button() -> None:
    a = Arcade(POSES, countdown_s=2.0, burst_s=2.0)
    assert tap(a, "up", 10.0) == [BEGIN_UP, DROP_UP]  # the tap's own frames are forgotten
    assert a.countdown(10.1) == ("up", "wait", pytest.approx(2.0))
    assert a.recording is None  # stepping back: nothing recorded during the countdown
    actions = run(a, 10.1, 16.0)
    assert [x for _, x in actions] == [BEGIN_UP, END_UP]
    (began, _), (ended, _) = actions
    assert began == pytest.approx(12.1, abs=0.02) and ended - began == pytest.approx(2.0, abs=0.02)
    assert a.countdown(16.0) is None and a.recording is None and a.state is State.COLLECT


def test_the_countdown_says_the_phase_and_the_seconds_left() -> None:
    a = Arcade(POSES, countdown_s=3.0, burst_s=1.5)
    tap(a, "left", 0.0)
    assert a.countdown(1.1) == ("left", "wait", pytest.approx(2.0))
    a.tick(3.2)
    assert a.recording == "left"
    assert a.countdown(3.7) == ("left", "record", pytest.approx(1.0))


def test_holding_still_records_while_held_and_starts_no_countdown() -> None:
    a = Arcade(POSES)
    assert a.handle(hold("up"), 0.0) == [BEGIN_UP]
    assert a.handle(release("up"), TAP_S + 0.05) == [END_UP]
    assert a.countdown(1.0) is None and run(a, 1.0, 6.0) == []


@pytest.mark.parametrize("phase_at", [1.0, 3.0])  # during the countdown, during the recording
def test_a_second_tap_cancels_and_its_release_does_nothing(phase_at: float) -> None:
    a = Arcade(POSES, countdown_s=2.0, burst_s=2.0)
    tap(a, "up", 0.0)
    a.tick(phase_at)
    recording = a.recording == "up"
    cancel = a.handle(hold("up"), phase_at)
    assert cancel == ([END_UP] if recording else [])  # the frames it took are kept
    assert a.handle(release("up"), phase_at + 0.1) == []
    assert a.countdown(phase_at) is None and a.recording is None
    assert "stopped" in a.message_text().lower()
    assert run(a, phase_at, 8.0) == []  # nothing starts later
    assert a.handle(hold("up"), 9.0) == [BEGIN_UP]  # and the button works as before


@pytest.mark.parametrize("event", [TRAIN, PLAY, BACK])
def test_train_or_play_during_a_countdown_only_cancels_it(event: Event) -> None:
    a = Arcade(POSES, counts={"up": 30, "down": 30}, has_head=True)
    tap(a, "up", 0.0)
    assert a.handle(event, 1.0) == []  # no training, no game: the countdown stops
    assert a.countdown(1.0) is None and a.state is State.COLLECT
    assert run(a, 1.0, 6.0) == []
    # Pressed again, it does what it says.
    assert a.handle(TRAIN, 7.0) == [Action(Do.START_TRAINING)]


def test_play_while_a_timed_burst_records_ends_the_burst_first() -> None:
    a = Arcade(POSES, counts={"up": 30, "down": 30}, has_head=True)
    tap(a, "up", 0.0)
    a.tick(2.5)
    assert a.handle(PLAY, 3.0) == [END_UP]
    assert a.state is State.COLLECT and a.recording is None


def test_no_attract_mode_while_someone_poses_for_a_timed_burst() -> None:
    a = Arcade(POSES, attract_after_s=3.0, countdown_s=2.0, burst_s=2.0)
    a.tick(0.0)
    tap(a, "up", 0.5)
    assert all(x.do is not Do.START_ATTRACT for _, x in run(a, 0.6, 5.0))
    (t, first), *_ = run(a, 5.0, 9.0)
    assert first.do is Do.START_ATTRACT and t == pytest.approx(4.6 + 3.0, abs=0.05)  # 3 s after


def test_burst_s_0_turns_taps_off_and_countdown_0_records_at_once() -> None:
    off = Arcade(POSES, burst_s=0.0)
    assert tap(off, "up", 0.0) == [BEGIN_UP, END_UP] and off.countdown(0.2) is None
    now = Arcade(POSES, countdown_s=0.0, burst_s=1.0)
    assert tap(now, "up", 0.0) == [BEGIN_UP, DROP_UP, BEGIN_UP]
    assert [x for _, x in run(now, 0.2, 2.0)] == [END_UP]


def test_a_tap_in_a_game_still_teaches_only_while_held() -> None:
    a = Arcade(POSES, counts={"up": 30, "down": 30}, has_head=True)
    a.handle(PLAY, 0.0)
    actions = tap(a, "up", 1.0)
    assert actions[:2] == [BEGIN_UP, END_UP] and a.countdown(1.2) is None
    assert a.state is State.PLAYING


def test_a_returning_players_tap_refreshes_each_pose_hands_free() -> None:
    a = Arcade(POSES[:2], counts={"up": 9, "down": 9}, has_head=True)
    a.sitting(0.0)
    assert a.state is State.WELCOME
    tap(a, "up", 1.0)
    run(a, 1.1, 6.0)
    assert a.welcome.done == {"up"}  # its two seconds of recording count as a held second
    tap(a, "down", 6.0)
    last = [x.do for _, x in run(a, 6.1, 11.0)]
    assert last == [Do.BEGIN_BURST, Do.END_BURST, Do.START_REFRESH, Do.NEW_GAME]
    a.training_finished(TrainingResult(ok=True, accuracy=1.0), 12.0)
    assert a.state is State.PLAYING and a.has_head


@pytest.mark.parametrize(
    ("key", "value"),
    [("collect.countdown_s", -1), ("collect.burst_s", 31), ("collect.burst_s", "x")],
)
def test_bad_burst_settings_name_the_key_and_what_is_allowed(key: str, value: object) -> None:
    with pytest.raises(EdgePacError, match=key.replace(".", r"\.")):
        load_config([], {key: value})


def test_the_burst_settings_reach_the_arcade(tmp_path) -> None:
    cfg = load_config([], {"collect.countdown_s": 1.5, "collect.burst_s": 3})
    assert (cfg.collect.countdown_s, cfg.collect.burst_s) == (1.5, 3.0)
