"""``edgepac play``: Pac-Man on its own, with the arrow keys or the autopilot (attract mode).

Imports nothing heavy at module level so ``edgepac --help`` stays instant.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from edgepac.cli import add_size
from edgepac.errors import EdgePacError


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "play",
        help="play Pac-Man with the arrow keys, or watch the autopilot",
        description="Play Pac-Man with the arrow keys, or let the autopilot play (attract mode).",
    )
    who = p.add_mutually_exclusive_group()
    who.add_argument("--keyboard", action="store_true", help="steer with the arrow keys (default)")
    who.add_argument("--autopilot", action="store_true", help="the autopilot plays")
    p.add_argument("--headless", action="store_true", help="no window and no sound (SDL dummy)")
    p.add_argument("--max-ticks", type=int, default=None, metavar="N", help="stop after N ticks")
    add_size(p, "800x480", "window size (800x480)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="seed for a repeatable game")
    p.add_argument("--difficulty", default="normal", help="easy, relaxed, normal or hard")
    p.add_argument("--fullscreen", action="store_true", help="fill the screen")
    p.add_argument("--json", action="store_true", help="print one JSON object with the results")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    size = args.size
    if args.max_ticks is not None and args.max_ticks <= 0:
        raise EdgePacError(f"--max-ticks must be a positive number of ticks; got {args.max_ticks}")
    from edgepac.game.render import headless

    if args.headless:
        headless()
    import pygame

    from edgepac.game.controllers import ArrowKeys, Autopilot
    from edgepac.game.game import Game
    from edgepac.game.highscores import HighScores
    from edgepac.game.render import Renderer
    from edgepac.game.sound import Sounds

    seed = args.seed if args.seed is not None else time.time_ns() % 2**31
    game = Game(seed=seed, difficulty=args.difficulty)
    try:
        pygame.display.init()
        flags = pygame.FULLSCREEN if args.fullscreen and not args.headless else 0
        screen = pygame.display.set_mode(size, flags)
    except pygame.error as err:
        pygame.display.quit()
        raise EdgePacError(
            f"cannot open a window ({err}); on a machine without a screen use --headless"
        ) from None
    try:
        pygame.display.set_caption("EdgePac")
        size = screen.get_size()
        renderer = Renderer(size)
        scores = HighScores()
        renderer.high_score = scores.best
        keyboard = None if args.autopilot else ArrowKeys()
        controller = Autopilot() if args.autopilot else keyboard
        assert controller is not None
        sounds = Sounds(enabled=not args.headless)
        if not args.headless:
            sounds.play("start")
        clock = pygame.time.Clock()
        tick_s: list[float] = []
        render_s: list[float] = []
        over_for = 0
        quit_ = False
        while not quit_:
            for event in pygame.event.get():
                if event.type == pygame.QUIT or (
                    event.type == pygame.KEYDOWN and event.key in (pygame.K_ESCAPE, pygame.K_q)
                ):
                    quit_ = True
                elif keyboard is not None:
                    keyboard.handle_event(event)
            t0 = time.perf_counter()
            game.step(controller.request(game))
            t1 = time.perf_counter()
            renderer.draw(screen, game)
            t2 = time.perf_counter()
            tick_s.append(t1 - t0)
            render_s.append(t2 - t1)
            sounds.react(game.events, game.frightened)
            if not args.headless:
                pygame.display.flip()
                clock.tick(60)
            if args.max_ticks is not None and game.ticks >= args.max_ticks:
                break
            if game.game_over:
                over_for += 1
                if args.headless or over_for > 180:  # show GAME OVER for three seconds
                    break
        rank = None
        if keyboard is not None and game.game_over:
            rank = scores.add(game.score, game.level)  # the autopilot is no player: not recorded
    finally:
        pygame.display.quit()

    result = {
        "score": game.score,
        "levels_cleared": game.levels_cleared,
        "level": game.level,
        "lives": game.lives,
        "game_over": game.game_over,
        "ticks": game.ticks,
        "tick_ms": round(statistics.median(tick_s) * 1000, 4) if tick_s else None,
        "render_ms": round(statistics.median(render_s) * 1000, 4) if render_s else None,
        "seed": seed,
        "size": f"{size[0]}x{size[1]}",
        "controller": "autopilot" if args.autopilot else "keyboard",
        "difficulty": args.difficulty,
        "high_score_rank": rank,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"score {game.score}, level {game.level}, {game.levels_cleared} cleared, "
            f"{game.ticks} ticks (seed {seed})" + (f"; high score #{rank}!" if rank else "")
        )
    return 0
