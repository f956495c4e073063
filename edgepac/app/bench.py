"""The arcade's figures for `edgepac bench`: what the screen costs per frame at 800x480.

``screen_ms``: the median time to draw the whole PLAYING screen (the game through its Renderer,
the camera preview with a new frame, the probability bars, the overlay), the main thread's work
per frame besides the game tick. ``smoothing_us``: one prediction through the smoother.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace
from typing import Any

import numpy as np

from edgepac.poses import POSES

SIZE = (800, 480)


def figures(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    from edgepac.app.screens import Screen, game_renderer
    from edgepac.app.smoothing import Smoother
    from edgepac.app.view import Bars, ModelStatus, Overlay, Page, View, poses_for
    from edgepac.game.direction import Direction
    from edgepac.game.game import Game

    n = max(10, int(getattr(args, "frames", 100) or 100))
    classes = POSES
    pygame.display.init()
    surface = pygame.Surface(SIZE)
    renderer = game_renderer(SIZE)
    screen = Screen(SIZE, renderer, classes)
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (480, 640, 3), dtype=np.uint8) for _ in range(4)]
    proba = (0.7, 0.1, 0.1, 0.1)
    game = Game(seed=1)
    # What the App hands the screen while a player plays: a View, nothing faked.
    view = View(
        page=Page.PLAYING,
        poses=poses_for(classes, dict.fromkeys(classes, 100)),
        game=game,
        bars=Bars(names=classes, values=proba, chosen="up", sending="up"),
        model=ModelStatus.TRAINED,
        model_accuracy=0.9,
        overlay=Overlay(screen_fps=60.0, model_fps=30.0, infer_ms=2.0, latency_p95_ms=9.0),
    )
    times = []
    for i in range(n):
        frame_view = replace(view, camera=frames[i % 4], camera_seq=i, t=i / 60)
        game.step(Direction.LEFT)
        t0 = time.perf_counter()
        screen.draw(surface, frame_view)
        times.append(time.perf_counter() - t0)

    smoother = Smoother(classes, frames=5, threshold=0.5)
    p = np.array(proba, np.float32)
    t0 = time.perf_counter()
    for _ in range(1000):
        smoother.update(p)
    smoothing_us = (time.perf_counter() - t0) / 1000 * 1e6
    return {
        "screen_ms": round(float(np.median(times) * 1000), 4),
        "smoothing_us": round(smoothing_us, 2),
    }
