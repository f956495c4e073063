"""The main loop in time, and a kiosk without a model: real App, real pygame (dummy driver),
real game, the demo player as the camera.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pygame
import pytest
from helpers import run_until

from edgepac.app import app as app_module
from edgepac.app.app import App
from edgepac.app.arcade import Event, Kind, State
from edgepac.app.config import load_config
from edgepac.app.view import Page
from edgepac.camera.demo_player import DemoPlayer
from edgepac.cli import main
from edgepac.game.controllers import Autopilot
from edgepac.game.direction import Direction
from edgepac.game.game import Game
from edgepac.poses import POSES

PROBLEM = "no model here yet: run `edgepac fetch-model`"


def no_model_app(state: Path, find: Any = None, clock: Any = time.monotonic, **overrides: Any):
    # The holds here take a few frames, quicker than a person's: no tap's timed burst (those
    # are tested in test_app_bursts and test_controls_touch).
    base = {"screen.attract_after_s": 0.0, "collect.burst_s": 0.0}
    cfg = load_config(paths=[], overrides={**base, **overrides})
    return App(
        cfg,
        source=DemoPlayer(),
        backbone=None,
        model_problem=PROBLEM,
        find_backbone=find,
        state_dir=state,
        make_game=lambda: Game(seed=3),
        autopilot=Autopilot(),
        clock=clock,
    )


def key(k: int, up: bool = False) -> None:
    kind = pygame.KEYUP if up else pygame.KEYDOWN
    pygame.event.post(pygame.event.Event(kind, key=k, mod=0, unicode="", scancode=0))


def tap(k: int) -> None:
    key(k)
    key(k, up=True)


@pytest.mark.slow
def test_slow_drawing_does_not_slow_the_game(tmp_path: Path) -> None:
    """Each frame takes 40 ms to draw (a Pi in full HD): the game still makes 60 ticks a second
    of the clock the main loop reads (here a fake one that the drawing moves on)."""
    now = [1000.0]
    app = no_model_app(tmp_path, clock=lambda: now[0])
    with app:
        real_draw = app.screen.draw

        def slow_draw(surface: Any, view: Any) -> None:
            real_draw(surface, view)
            now[0] += 0.040

        app.screen.draw = slow_draw
        tap(pygame.K_p)  # no model: PLAY is a game steered with the arrows
        run_until(app, lambda a: a.arcade.state is State.PLAYING)
        start_ticks, start = app.games.play_ticks, now[0]
        for _ in range(150):  # 6 s of game time
            app.step()
        ticks_per_s = (app.games.play_ticks - start_ticks) / (now[0] - start)
    assert 59 <= ticks_per_s <= 61, ticks_per_s
    assert app.figures()["game_ticks_per_s"] >= 59


def test_a_kiosk_without_a_model_keeps_its_screen_plays_by_keys_and_picks_the_model_up(
    tmp_path: Path, model_025_128: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from edgepac.vision.backbone import Backbone

    monkeypatch.setattr(app_module, "MODEL_POLL_S", 0.1)
    installed: list[Path] = []
    looked = [0]

    def find() -> Any:
        looked[0] += 1
        if not installed:
            return None
        return Backbone(installed[0], num_threads=1)

    with no_model_app(tmp_path, find=find, **{"screen.attract_after_s": 1.0}) as app:
        run_until(app, lambda a: a.frame is not None)
        view = app.view()
        assert view.page is Page.PROBLEM and PROBLEM.replace("`", "") in view.problem.detail
        assert "fetch-model" in view.problem.fix
        assert view.camera is not None  # the visitor still sees themselves
        # Attract mode runs when nobody is there...
        run_until(app, lambda a: a.arcade.attract, timeout=5)
        assert app.view().page is Page.ATTRACT
        tap(pygame.K_ESCAPE)  # ...and a key wakes it
        app.step()
        # PLAY, then the arrows steer Pac-Man themselves.
        tap(pygame.K_p)
        run_until(app, lambda a: a.arcade.state is State.PLAYING)
        key(pygame.K_LEFT)
        run_until(app, lambda a: a.game.pacman.direction is Direction.LEFT, timeout=5)
        assert app.arcade.recording is None and app.view().page is Page.PLAYING
        assert looked[0] >= 2  # it keeps looking, off the main thread
        installed.append(model_025_128)  # `edgepac fetch-model` ran meanwhile
        tap(pygame.K_ESCAPE)
        run_until(app, lambda a: a.backbone is not None, timeout=10)
        assert app.view().page is Page.COLLECT and app.view().problem is None
        app.source.pose = "up"
        app.post(Event(Kind.HOLD, "up"))
        run_until(app, lambda a: a.recorder.counts["up"] >= 3)
        view = app.view()  # the REC badge on the camera counts this burst's frames
        assert view.recording == "up" and view.burst >= 3
        app.screen.draw(app.surface, view)
        assert f"REC  UP  {view.burst}" in app.screen.said
        app.post(Event(Kind.RELEASE, "up"))
        app.step()


def test_a_model_installed_after_boot_welcomes_back_the_player_it_finds_saved(
    tmp_path: Path, model_025_128: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kiosk booted without a model, over the samples and head of an earlier sitting. Once
    the model is there they load, and that is this sitting's start: the returning player is
    welcomed back, and what they hold goes into a new session."""
    import numpy as np

    from edgepac.learning.dense import DenseHead
    from edgepac.learning.store import SampleStore, save_path
    from edgepac.vision.backbone import Backbone

    monkeypatch.setattr(app_module, "MODEL_POLL_S", 0.1)
    bb = Backbone(model_025_128, num_threads=1)
    store = SampleStore(
        bb.feature_shape,
        scale=bb.scale,
        zero_point=bb.zero_point,
        identity=bb.identity,
        class_names=POSES,
    )
    rng = np.random.default_rng(0)
    for pose in ("up", "down"):  # an earlier sitting: two poses
        store.begin_burst(now=1000.0)
        for _ in range(6):
            store.add(pose, rng.integers(0, 255, bb.feature_shape, dtype=np.uint8))
    store.save(save_path(tmp_path))
    head = DenseHead(epochs=1).fit(store.dequantized(), store.labels, class_names=store.class_names)
    head.save(tmp_path / "head.npz", bb.identity)
    installed: list[Path] = []

    def find() -> Any:
        return Backbone(installed[0], num_threads=1) if installed else None

    with no_model_app(tmp_path, find=find) as app:
        run_until(app, lambda a: a.frame is not None)
        assert app.view().page is Page.PROBLEM
        installed.append(model_025_128)
        run_until(app, lambda a: a.backbone is not None, timeout=10)
        assert app.arcade.state is State.WELCOME and app.view().page is Page.WELCOME
        assert app.head is not None
        app.source.pose = "up"
        app.post(Event(Kind.HOLD, "up"))
        run_until(app, lambda a: a.recorder.counts["up"] >= 6 + 2)
        app.post(Event(Kind.RELEASE, "up"))
        app.step()
        sessions = app.recorder.training_set(None).sessions
    assert len(np.unique(sessions)) == 2  # the earlier sitting's and this one's


@pytest.mark.slow
def test_run_offline_without_a_model_shows_the_fix_and_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EDGEPAC_STATE", str(tmp_path))
    monkeypatch.setenv("EDGEPAC_MODELS", str(tmp_path / "no-models"))
    code = main(["run", "--headless", "--camera", "demo", "--seconds", "3"])
    assert code == 0
    err = capsys.readouterr().err
    assert "fetch-model" in err and "Traceback" not in err


def test_an_empty_replay_folder_is_one_line_before_any_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "frames"
    empty.mkdir()
    pygame.display.quit()
    code = main(
        [
            "run",
            "--headless",
            "--camera",
            "replay",
            "--set",
            f"camera.replay_path={empty}",
            "--seconds",
            "1",
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and "no images in" in err and "\n" not in err
    assert not pygame.display.get_init()  # no window was opened


# -- high scores --------------------------------------------------------------------------------


def test_a_new_high_score_is_signed_with_the_keys_and_attract_never_sets_it(
    tmp_path: Path,
) -> None:
    from edgepac.game.highscores import HighScores

    HighScores(tmp_path / "highscores.json").add(50, 1, "OLD")
    with no_model_app(tmp_path, **{"screen.attract_after_s": 0.5}) as app:
        tap(pygame.K_p)
        run_until(app, lambda a: a.arcade.state is State.PLAYING)
        from edgepac.game.game import Phase

        game = app.game
        game.score = 1230
        # Pac-Man caught on his last life: the game ends on its next tick, as a game does.
        game.lives, game.phase, game.phase_left = 1, Phase.DYING, 1
        run_until(app, lambda a: a.arcade.initials is not None, timeout=2)
        assert game.game_over
        view = app.view()
        assert view.page is Page.INITIALS and view.initials.rank == 1
        for k in (pygame.K_UP, pygame.K_UP, pygame.K_RIGHT, pygame.K_UP):
            tap(k)  # C, then B
        tap(pygame.K_p)
        run_until(app, lambda a: a.arcade.initials is None)
        run_until(app, lambda a: a.games.high_scores.best == 1230, timeout=5)
        assert app.view().scores[0].name == "CBA" and app.view().new_rank == 1
        # Nobody there: attract mode shows the table; the autopilot's score is not the record.
        run_until(app, lambda a: a.arcade.attract, timeout=5)
        app.attract_game.score = 99999
        view = app.view()
        assert view.page is Page.ATTRACT and view.high_score == 1230
        assert [s.score for s in view.scores] == [1230, 50]
    assert HighScores(tmp_path / "highscores.json").entries[0].name == "CBA"


def test_a_stop_asked_for_while_starting_is_not_lost(tmp_path: Path) -> None:
    """systemd's SIGTERM can come while the arcade is still starting: it stops, not runs on."""
    app = no_model_app(tmp_path)
    app.quit()
    with app:
        app.run(seconds=30)
        assert not app.running and app.stats.frame_ms.n == 0  # not one frame after the stop


def test_bench_reports_a_frames_age_from_the_camera_to_the_prediction(
    model_025_128: Path,
) -> None:
    import argparse

    from edgepac.app.bench import frame_age

    cfg = load_config([], {"camera.source": "demo"})
    args = argparse.Namespace(model=str(model_025_128), input_size=224)
    figures = frame_age(cfg, args, 30)
    assert figures["frame_age_source"] == "demo player"
    # A frame at 30 fps is taken, waits at most for the one before it, and goes through the
    # backbone: well under a second old, never older at p50 than at p95.
    assert 0 < figures["frame_age_ms_p50"] <= figures["frame_age_ms_p95"] < 1000
    assert figures["backbone_model_size_ms"] > 0 and figures["backbone_camera_size_ms"] > 0
