"""What is on the screen in each state, checked in the pixels a player would look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pygame
import pytest
from helpers import make_app, record, run_until, share

from edgepac.app.arcade import Event, Kind, State
from edgepac.app.screens import GREEN, RED
from edgepac.app.view import Page

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def backbone(model_025_128: Path) -> Any:
    from edgepac.vision.backbone import Backbone

    return Backbone(model_025_128, num_threads=1)


@pytest.mark.timing
def test_idle_kiosk_plays_by_itself_until_a_button(tmp_path: Path, backbone: Any) -> None:
    with make_app(tmp_path, backbone, **{"screen.attract_after_s": 0.5}) as app:
        run_until(app, lambda a: a.arcade.attract, timeout=30)  # conditions: a loaded machine
        game = app.attract_game
        start = (game.pacman.x, game.pacman.y, game.score)
        # A new game's READY! lasts the arcade's 4 s (the start jingle), then it eats.
        run_until(app, lambda a: a.attract_game.score > 0, timeout=40)
        assert app.arcade.attract and app.attract_game is game
        assert (game.pacman.x, game.pacman.y, game.score) != start
        assert game.score > 0
        app.post(Event(Kind.HOLD, "up"))
        app.step()
        assert not app.arcade.attract and app.arcade.recording is None
        app.post(Event(Kind.RELEASE, "up"))
        app.step()
        assert app.recorder.counts["up"] == 0  # waking it up recorded nothing


@pytest.mark.slow
def test_training_screen_shows_progress_and_accuracy(tmp_path: Path, backbone: Any) -> None:
    with make_app(tmp_path, backbone) as app:
        for name in ("up", "down", "left"):
            record(app, name, 10)
        app.post(Event(Kind.TRAIN))
        run_until(app, lambda a: a.arcade.result is not None)
        app.step()
        training = app.view().training
        assert app.view().page is Page.TRAINING
        assert training.done and training.accuracy is not None and training.progress == 1.0
        assert len(training.losses) > 5 and training.losses[-1] < training.losses[0]
        assert training.poses == 3 and training.held_out > 0
        assert training.frames + training.held_out == sum(app.recorder.counts.values())
        # On screen: the progress bar is full.
        assert share(app.surface, app.screen.regions["progress"], GREEN) > 0.5


def test_clear_asks_on_screen_then_clears(tmp_path: Path, backbone: Any) -> None:
    with make_app(tmp_path, backbone) as app:
        record(app, "up", 5)
        app.post(Event(Kind.CLEAR))
        app.step()
        question = app.view().confirm_clear
        assert question is not None and question.samples == app.recorder.counts["up"]
        assert share(app.surface, app.screen.regions["confirm"], RED) > 0.01  # its red frame
        app.post(Event(Kind.TRAIN))
        app.step()
        app.step()
        assert len(app.recorder) == 0 and app.view().confirm_clear is None
    # Cleared on disk too, so a restart does not bring them back.
    assert len(make_app(tmp_path, backbone).recorder) == 0


def test_keyboard_records_and_steers_the_demo_player(tmp_path: Path, backbone: Any) -> None:
    def key(kind: int, k: int) -> None:
        pygame.event.post(pygame.event.Event(kind, key=k, mod=0, unicode="", scancode=0))

    with make_app(tmp_path, backbone, **{"learning.head": "knn"}) as app:
        for k, name in ((pygame.K_UP, "up"), (pygame.K_DOWN, "down")):
            key(pygame.KEYDOWN, k)  # held: the virtual player takes the pose and it records
            run_until(app, lambda a, n=name: a.arcade.counts.get(n, 0) >= 8)
            assert app.source.pose == name and app.arcade.recording == name
            key(pygame.KEYUP, k)
            run_until(app, lambda a: a.arcade.recording is None)
        key(pygame.KEYDOWN, pygame.K_t)
        key(pygame.KEYUP, pygame.K_t)
        run_until(app, lambda a: a.arcade.result is not None)
        key(pygame.KEYDOWN, pygame.K_p)
        key(pygame.KEYUP, pygame.K_p)
        run_until(app, lambda a: a.arcade.state is State.PLAYING)
        counts = dict(app.arcade.counts)
        # In a game the arrows pose the player (and the model steers); nothing is recorded.
        key(pygame.KEYDOWN, pygame.K_UP)
        run_until(app, lambda a: a.games.request is not None and a.games.request.value == "up")
        key(pygame.KEYUP, pygame.K_UP)
        assert app.arcade.state is State.PLAYING and app.arcade.counts == counts
        key(pygame.KEYDOWN, pygame.K_f)
        app.step()
        assert app.show_fps
        key(pygame.KEYDOWN, pygame.K_ESCAPE)
        app.step()
        assert app.arcade.state is State.COLLECT


@pytest.mark.slow
@pytest.mark.parametrize("per_pose", [5, 6, 7])
def test_a_few_samples_per_pose_train_with_the_defaults(
    tmp_path: Path, backbone: Any, per_pose: int
) -> None:
    """The least a visitor might record: a handful of frames of two poses (tiny batches)."""
    with make_app(tmp_path, backbone) as app:
        for name in ("left", "right"):
            record(app, name, per_pose)
        app.post(Event(Kind.TRAIN))
        run_until(app, lambda a: a.arcade.result is not None)
        assert app.arcade.result.ok, app.arcade.result.error
        assert app.head is not None
