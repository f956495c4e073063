"""The arcade's figures for `edgepac bench`: what the screen costs per frame at 800x480.

``screen_ms``: the median time to draw the whole PLAYING screen (the game through its Renderer,
the camera preview with a new frame, the probability bars, the overlay), the main thread's work
per frame besides the game tick. ``smoothing_us``: one prediction through the steering
filter (the config's). ``frame_age_ms_p50/p95``: a frame's age when its prediction is made (the
camera's timestamp -> the backbone's answer), the configured camera read by the real backbone
as the inference thread reads it (``frame_age_source`` says which camera: on a machine without
one, the demo player). ``backbone_model_size_ms``: the backbone on a frame already at its input
size (what a Pi camera's ISP delivers), beside ``backbone_camera_size_ms`` (a 640x480 frame,
cropped and resized by the CPU), timed in turns.
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

    from edgepac.app.config import load_config
    from edgepac.app.screens import Screen, game_renderer
    from edgepac.app.smoothing import make_filter
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

    cfg = load_config()
    smoother = make_filter(classes, cfg.play)
    p = np.array(proba, np.float32)
    t0 = time.perf_counter()
    for _ in range(1000):
        smoother.update(p)
    smoothing_us = (time.perf_counter() - t0) / 1000 * 1e6
    return {
        "screen_ms": round(float(np.median(times) * 1000), 4),
        "smoothing_us": round(smoothing_us, 2),
        "smoothing": cfg.play.smoothing,
        **frame_age(cfg, args, n),
    }


def frame_age(cfg: Any, args: argparse.Namespace, n: int) -> dict[str, Any]:
    """The configured camera through the real backbone, as the inference thread reads it."""
    from edgepac.app.build import make_backbone, make_source
    from edgepac.vision.models import input_size_for, resolve_model

    model = getattr(args, "model", None) or cfg.model.path
    path = resolve_model(model)
    size = input_size_for(path, getattr(args, "input_size", None) or cfg.model.input_size)
    # The camera sized for this model (a Pi camera's ISP then delivers its input).
    cfg = replace(cfg, model=replace(cfg.model, path=str(path), input_size=size))
    bb = make_backbone(cfg, path=path)
    out = np.empty(bb.feature_shape, np.uint8)
    # Taking turns, so the machine's load falls on both alike.
    camera = np.random.default_rng(1).integers(0, 256, (480, 640, 3), np.uint8)
    square = np.ascontiguousarray(camera[:bb.input_size, :bb.input_size])
    times: dict[str, list[float]] = {"camera": [], "square": []}
    for _ in range(max(10, n)):
        for name, frame in (("camera", camera), ("square", square)):
            t0 = time.perf_counter()
            bb.features(frame, out=out)
            times[name].append(time.perf_counter() - t0)
    source = make_source(cfg)
    ages = []
    with source:
        source.read(5.0)  # the camera's first frame may take a while (auto-exposure)
        for _ in range(max(30, n)):
            frame = source.read(2.0)
            bb.features(frame.image, out=out)
            ages.append((time.monotonic() - frame.t) * 1000.0)
    return {
        "frame_age_ms_p50": round(float(np.percentile(ages, 50)), 2),
        "frame_age_ms_p95": round(float(np.percentile(ages, 95)), 2),
        "frame_age_source": source.name,
        "frame_age_frame_shape": list(frame.image.shape),
        "backbone_model_size_ms": round(float(np.median(times["square"])) * 1000, 3),
        "backbone_camera_size_ms": round(float(np.median(times["camera"])) * 1000, 3),
    }
