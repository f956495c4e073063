"""The arcade end to end, as a visitor meets it, headless: the demo player in front of the
camera, real gpiozero buttons (MockFactory pins) pressed and released, the real quantized
MobileNet (0.25_128 run at 224, the tutorial's 7x7x256), the dense head, the real game.

Record each pose by holding its button, TRAIN, PLAY, lean right and left: Pac-Man goes right,
then left. Then "pull the plug" and start again: the samples and the trained head are back.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pygame
import pytest
from helpers import make_app, run_until

from edgepac.app.app import App
from edgepac.app.arcade import State
from edgepac.app.config import load_config
from edgepac.app.screens import game_renderer, lit_fill
from edgepac.camera.demo_player import DemoPlayer
from edgepac.game.direction import Direction
from edgepac.poses import pose_colour

pytestmark = [pytest.mark.model, pytest.mark.slow]

SAMPLES = 20  # per pose: enough for the demo player, quick to record at 30 fps


class MockButtons:
    """The six arcade buttons on gpiozero MockFactory pins, wired to ground like the real ones."""

    def __init__(self) -> None:
        from gpiozero.pins.mock import MockFactory

        self.factory = MockFactory()  # passed to every button and LED: no global state
        self.pins: dict[str, int] = {}
        self.controls: Any = None

    def attach(self, app: App) -> None:
        from edgepac.app.build import open_buttons

        b = app.cfg.buttons
        self.pins = {n: getattr(b, n) for n in ("up", "down", "left", "right", "train", "play")}
        self.controls = open_buttons(app.cfg, app, pin_factory=self.factory)
        assert self.controls is not None

    def lit(self, pin: int) -> bool:
        return bool(self.factory.pin(pin).state)

    def hold(self, name: str) -> None:
        self.factory.pin(self.pins[name]).drive_low()

    def release(self, name: str) -> None:
        self.factory.pin(self.pins[name]).drive_high()

    def press(self, name: str) -> None:
        self.hold(name)
        time.sleep(0.1)
        self.release(name)

    def close(self) -> None:
        if self.controls is not None:
            self.controls.close()
        self.factory.reset()


@pytest.fixture
def buttons() -> Any:
    b = MockButtons()
    yield b
    b.close()


def e2e_app(state: Path, model: Path, cfg: Any) -> App:
    """The arcade as the kiosk runs it: the model at 224, the game drawn, a seed that plays."""
    from edgepac.vision.backbone import Backbone

    return make_app(
        state,
        Backbone(model, input_size=224, num_threads=1),
        DemoPlayer(fps=30),
        cfg=cfg,
        seed=7,
        renderer_factory=game_renderer,
    )


def lit(surface: pygame.Surface, rect: pygame.Rect, pose: str) -> float:
    """Share of the rectangle in the colour of a lit tile."""
    a = pygame.surfarray.pixels3d(surface)[rect.left : rect.right, rect.top : rect.bottom]
    return float(np.mean(np.all(a == lit_fill(pose_colour(pose)), axis=-1)))


def test_record_train_play_and_pacman_goes_where_the_player_leans(
    tmp_path: Path, model_025_128: Path, buttons: Any
) -> None:
    cfg = load_config(
        paths=[],
        overrides={
            "screen.attract_after_s": 0.0,
            "buttons.leds": "[5, 6, 12, 13]",  # up, down, left, right
            "buttons.record_led": "16",
        },
    )
    app = e2e_app(tmp_path, model_025_128, cfg)
    buttons.attach(app)
    player: DemoPlayer = app.source
    with app:
        run_until(app, lambda a: a.frame is not None)
        assert app.backbone.feature_shape == (7, 7, 256)
        for name in ("up", "down", "left", "right"):
            player.pose = name
            # Frames already in flight show the last pose: record once the new one comes
            # through (a condition: on a loaded machine that takes longer than any fixed wait).
            run_until(app, lambda a, n=name: a.frame is not None and a.frame.truth == n)
            buttons.hold(name)
            run_until(app, lambda a, n=name: a.arcade.counts.get(n, 0) >= SAMPLES)
            if name == "left":  # the screen shows the tile being recorded
                assert app.view().recording == "left"
                regions = app.screen.regions  # and its tile is lit, in its colour
                assert lit(app.surface, regions["tile:left"], "left") > 0.2
                assert lit(app.surface, regions["tile:right"], "right") == 0
                assert buttons.lit(16)  # the recording LED
            buttons.release(name)  # counts once it has stayed up for the debounce time
            run_until(app, lambda a: a.arcade.recording is None, timeout=15)
            app.step()
            assert not buttons.lit(16)
        counts = app.recorder.counts
        assert all(counts[n] >= SAMPLES for n in ("up", "down", "left", "right")), counts
        assert set(app.recorder.thumbnails) == {"up", "down", "left", "right"}
        assert (tmp_path / "samples" / "manifest.json").exists()  # saved as each burst ended

        buttons.press("train")
        run_until(app, lambda a: a.arcade.state is State.TRAINING)
        run_until(app, lambda a: a.arcade.result is not None, timeout=90)  # a busy machine
        assert app.arcade.result.ok, app.arcade.result.error
        assert app.arcade.result.accuracy is not None and app.arcade.result.accuracy >= 0.9
        losses = app.view().training.losses
        assert len(losses) > 10 and losses[-1] < losses[0]
        assert (tmp_path / "head.npz").exists()
        # The coach's card: each pose judged on its own held-back frames, and advice.
        card = app.view().coach
        assert card is not None and [p for p, _ in card.accuracy] == list(app.class_names)
        assert card.advice.isupper() and card.advice

        buttons.press("play")
        run_until(app, lambda a: a.arcade.state is State.PLAYING)
        for lean, sign in (("right", +1), ("left", -1)):
            player.pose = lean
            start = app.game.pacman.x
            want = Direction(lean)
            run_until(
                app,
                lambda a, w=want, s=start, k=sign: (
                    a.game.pacman.direction is w and (a.game.pacman.x - s) * k > 8
                ),
                timeout=15,  # a new game's READY! is the arcade's 4 s (the start jingle)
            )
            assert app.games.request is want
            # The class LED of the direction being sent is lit, and only that one.
            assert [buttons.lit(p) for p in (5, 6, 12, 13)] == [
                n == lean for n in ("up", "down", "left", "right")
            ]
        assert app.stats.play_frames > 30

    # After a power cut the kiosk comes back where it was, trained head and all.
    again = e2e_app(tmp_path, model_025_128, cfg)
    assert again.recorder.counts == counts
    assert again.head is not None and again.arcade.has_head
