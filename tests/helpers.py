"""Helpers the tests share: an App on the demo player, running it until something happens,
button events, and reading what a surface shows. (Fixtures live in conftest.py.)"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from edgepac.app.app import App
from edgepac.app.arcade import Event, Kind
from edgepac.app.config import load_config
from edgepac.camera.demo_player import DemoPlayer
from edgepac.game.controllers import Autopilot
from edgepac.game.game import Game, Phase
from edgepac.game.maze import HALF, UNIT


def make_app(
    state: Path,
    backbone: Any,
    source: Any = None,
    *,
    cfg: Any = None,
    clock: Any = time.monotonic,
    seed: int = 1,
    renderer_factory: Any = None,
    **overrides: Any,
) -> App:
    """The arcade on the demo player (or ``source``), with config ``overrides`` ("section.key")
    on top of the defaults, or a whole ``cfg``; attract mode off unless an override sets it."""
    if cfg is None:
        # The holds here take a few frames, quicker than a person's: no tap's timed burst
        # (those are tested in test_app_bursts and test_controls_touch).
        base = {"screen.attract_after_s": 0.0, "collect.burst_s": 0.0}
        cfg = load_config(paths=[], overrides={**base, **overrides})
    return App(
        cfg,
        source=source or DemoPlayer(),
        backbone=backbone,
        state_dir=state,
        make_game=lambda: Game(seed=seed, difficulty=cfg.play.difficulty),
        autopilot=Autopilot(),
        clock=clock,
        renderer_factory=renderer_factory,
    )


def run_until(app: App, done: Any, timeout: float = 30.0) -> None:
    """Run the main loop until ``done(app)``; fail the test if it takes over ``timeout`` s."""
    end = time.monotonic() + timeout
    app.run(until=lambda a: done(a) or time.monotonic() > end)
    assert done(app), "timed out"


def record(app: App, name: str, n: int) -> None:
    """Hold a class button (as the keyboard or a GPIO button would) until n more samples."""
    app.source.pose = name
    target = app.recorder.counts.get(name, 0) + n
    app.post(Event(Kind.HOLD, name))
    run_until(app, lambda a: a.arcade.counts.get(name, 0) >= target)
    app.post(Event(Kind.RELEASE, name))


def hold(name: str) -> Event:
    return Event(Kind.HOLD, name)


def release(name: str) -> Event:
    return Event(Kind.RELEASE, name)


def share(surface: Any, rect: Any, rgb: tuple[int, int, int]) -> float:
    """The share of ``rect`` on ``surface`` that is exactly the colour ``rgb``."""
    import pygame

    a = pygame.surfarray.pixels3d(surface)[rect.left : rect.right, rect.top : rect.bottom]
    return float(np.mean(np.all(a == rgb, axis=-1)))


def centre(x: int, y: int) -> tuple[int, int]:
    """The pixel at the centre of maze tile (x, y)."""
    return x * UNIT + HALF, y * UNIT + HALF


def playing(game: Game) -> Game:
    """Skip READY!: the tests start with the ghosts moving."""
    while game.phase is Phase.READY:
        game.step()
    return game
