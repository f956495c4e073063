"""Game speed: one game tick and one rendered frame, against the 60 Hz budget.

    .venv/bin/python benchmarks/game_speed.py            # add --ticks N for a longer run
    .venv/bin/python benchmarks/game_speed.py --autopilot-seeds 100   # attract mode's record
    add --page docs/benchmarks/game-speed.md to write the figures into its page

Goals (issue 4): a tick well under 1 ms, a frame under 8 ms at 800x480. Peers in the same run,
so the shared machine's noise cancels in the ratios: the frame at 1920x1080, and a frame that
redraws the walls every time instead of blitting the pre-rendered maze (what the cache saves).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from docs_page import add_page_flag, write

from edgepac.game.bench import measure


def naive_frame_ms(size: tuple[int, int], frames: int = 20) -> float:
    """A frame that draws the walls from the tile map each time (no pre-rendered maze)."""
    import pygame

    from edgepac.game.game import Game
    from edgepac.game.render import Renderer

    renderer = Renderer(size, panel_width=320)
    surface = pygame.Surface(size)
    game = Game(seed=0)
    times = []
    for _ in range(frames):
        game.step()
        t0 = time.perf_counter()
        walls = renderer._draw_walls((33, 33, 255), fresh=True)
        surface.blit(walls, renderer.origin)
        renderer.draw(surface, game)
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1000, 3)


def autopilot_record(seeds: int, difficulty: str) -> int:
    """In how many of seeds 0..seeds-1 the autopilot clears level 1 (within 3 minutes)."""
    from edgepac.game.controllers import Autopilot
    from edgepac.game.game import Game

    cleared = 0
    for seed in range(seeds):
        game, pilot = Game(seed=seed, difficulty=difficulty), Autopilot()
        while not game.game_over and game.levels_cleared == 0 and game.ticks < 3 * 60 * 60:
            game.step(pilot.request(game))
        cleared += game.levels_cleared > 0
    return cleared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=5000)
    parser.add_argument(
        "--autopilot-seeds",
        type=int,
        default=0,
        metavar="N",
        help="instead: in how many of N seeds the autopilot clears level 1 (normal, easy)",
    )
    add_page_flag(parser)
    args = parser.parse_args()
    if args.autopilot_seeds:
        n = args.autopilot_seeds
        record = {d: autopilot_record(n, d) for d in ("normal", "easy")}
        result = {"autopilot_seeds": n, "level_1_cleared": record}
        print(json.dumps(result))
        if args.page:
            write(args.page, result)
        return
    small = measure(ticks=args.ticks, size=(800, 480), panel_width=320)
    large = measure(ticks=min(args.ticks, 2000), size=(1920, 1080), panel_width=600)
    naive = naive_frame_ms((800, 480))
    figures = {
        **small,
        "game_frame_1920x1080_ms": large["game_frame_ms"],
        "game_frame_naive_800x480_ms": naive,
        "cache_speedup": round(naive / small["game_frame_ms"], 1),
        "tick_budget_share": round(small["game_tick_ms"] / (1000 / 60), 5),
    }
    print(json.dumps(figures, indent=1))
    if args.page:
        write(args.page, figures)
    print(
        f"tick {small['game_tick_ms']:.4f} ms "
        f"(with autopilot {small['game_tick_autopilot_ms']:.4f}),"
        f" frame {small['game_frame_ms']:.3f} ms at 800x480, "
        f"{large['game_frame_ms']:.3f} ms at 1920x1080; redrawing the walls each frame: "
        f"{naive:.2f} ms ({figures['cache_speedup']}x slower)"
    )


if __name__ == "__main__":
    main()
