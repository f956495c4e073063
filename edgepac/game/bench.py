"""Speed figures for ``edgepac bench`` and benchmarks/game_speed.py: a tick and a frame.

A tick is the rules plus the autopilot choosing a move (what attract mode costs); a frame is
Renderer.draw onto an 800x480 surface (the official Pi display) with a side panel.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from edgepac.game.controllers import Autopilot
from edgepac.game.game import Game


def measure(
    ticks: int = 3000, size: tuple[int, int] = (800, 480), panel_width: int = 320, seed: int = 0
) -> dict[str, Any]:
    """Median milliseconds of a game tick (rules alone, and with the autopilot) and a frame."""
    import pygame

    from edgepac.game.render import Renderer

    surface = pygame.Surface(size)
    renderer = Renderer(size, panel_width=panel_width)
    game, pilot = Game(seed=seed), Autopilot()
    rules, with_pilot, frames = [], [], []
    clock = time.perf_counter
    for _ in range(ticks):
        t0 = clock()
        request = pilot.request(game)
        t1 = clock()
        game.step(request)
        t2 = clock()
        renderer.draw(surface, game)
        t3 = clock()
        rules.append(t2 - t1)
        with_pilot.append(t2 - t0)
        frames.append(t3 - t2)
        if game.game_over:
            game, pilot = Game(seed=seed + 1), Autopilot()

    def ms(xs: list[float]) -> float:
        return round(statistics.median(xs) * 1000, 4)

    def p99(xs: list[float]) -> float:
        return round(sorted(xs)[int(len(xs) * 0.99)] * 1000, 4)

    return {
        "game_tick_ms": ms(rules),
        "game_tick_p99_ms": p99(rules),
        "game_tick_autopilot_ms": ms(with_pilot),
        "game_frame_ms": ms(frames),
        "game_frame_p99_ms": p99(frames),
        "game_frame_size": f"{size[0]}x{size[1]}",
        "game_ticks_measured": ticks,
    }


def figures(args: argparse.Namespace | None = None) -> dict[str, Any]:
    """The game's entry in ``edgepac bench`` (``--frames`` scales how many ticks are timed)."""
    frames = getattr(args, "frames", None) or 100
    return measure(ticks=max(600, 20 * frames))
