"""PLAYING: the maze (the game's Renderer) and, in the panel, the camera, a bar per pose,
the direction sent, the score, and how to go back and teach more. A pose taught in the game
dims the maze under PAUSED."""

from __future__ import annotations

import pygame

from edgepac.app.screens.canvas import (
    AMBER,
    BG,
    DIM,
    PINK,
    WHITE,
    YELLOW,
)
from edgepac.app.screens.layout import Layout
from edgepac.app.screens.parts import Parts
from edgepac.app.view import View


def draw(s: Parts, surface: pygame.Surface, view: View, layout: Layout) -> None:
    u = s.u
    panel = s.draw_game(surface, view)
    surface.fill(BG, panel)  # the Renderer paints the rest
    pad = round(12 * u)
    top = layout.score
    x, right = top.x + pad, top.right - pad
    score = getattr(view.game, "score", 0)
    s.text(surface, "SCORE", (x, top.y + pad), 9, DIM, bg=BG)
    s.text(surface, f"{score}", (x, top.y + pad + 16 * u), 20, WHITE, bg=BG)
    best = max(view.high_score, score)  # as on the arcade: beaten, it climbs with you
    s.text(surface, "HIGH SCORE", (right, top.y + pad), 9, DIM, "topright", bg=BG)
    s.text(surface, f"{best}", (right, top.y + pad + 16 * u), 20, DIM, "topright", bg=BG)
    s.regions["score"] = top
    cam = layout.play_camera
    bars = layout.play_bars
    s.preview(surface, view, cam, square=True)
    s.countdown(surface, view)
    # Beside the camera: the direction being sent, big, in its pose's colour.
    steer = layout.steer
    sx = steer.centerx
    sending = view.bars.sending if view.bars is not None else None
    teaching = view.refresh.teaching if view.refresh is not None else None
    # GAME OVER by touch: nothing steers now; TEACH MORE takes the direction's place.
    more = view.game_over and s.teach_more(surface, view, steer).w > 0
    if more:
        pass
    elif teaching:  # nothing is sent while the game waits
        s.text(surface, "II", (sx, steer.centery), 28, DIM, "center", bg=BG)
        s.text(surface, "PAUSED", (sx, steer.bottom), 11, DIM, "midbottom", bg=BG)
    elif sending:
        c = s.colour(view, sending)
        s.arrow(surface, sending, (sx, steer.centery), min(28, steer.w / u * 0.3), c)
        s.text(surface, sending.upper(), (sx, steer.bottom), 14, c, "midbottom", bg=BG)
    else:
        s.text(surface, "?", (sx, steer.centery), 28, DIM, "center", bg=BG)
        s.text(surface, "NOT SURE", (sx, steer.bottom), 11, DIM, "midbottom", bg=BG)
    if not more:
        s.text(surface, "STEERING", (sx, steer.y), 9, DIM, "midtop", bg=BG)
    if view.game_over and view.scores:
        s.score_table(surface, view.scores, view.new_rank, bars, rows=4, cap=10)
    elif view.bars is not None:
        s.bars(surface, view, view.bars, bars, 11 if not layout.compact else 9)
    bottom = layout.play_prompt
    pose_word = "an arrow key" if view.keyboard else "a pose button"
    refresh = view.refresh
    if view.game_over:
        play = s.key(view, "PLAY", "P")
        s.prompt(surface, f"PRESS {play} AGAIN", bottom, YELLOW, 20, button="play")
        hint = f"or hold {pose_word} to teach me more"
        if view.touch:
            hint = "or tap TEACH MORE to record more"
    elif refresh is not None and refresh.teaching:
        paused(s, surface, view, refresh.teaching)
        s.prompt(surface, "LET GO TO PLAY", bottom, PINK, 20)
        hint = "keep posing: the game waits while you teach"
    elif refresh is not None and refresh.suggest:
        button = "AN ARROW" if view.keyboard else "A BUTTON"
        s.prompt(surface, f"NOT SURE? HOLD {button}", bottom, AMBER, 20)
        hint = "a second of each pose refreshes me for this light"
    else:
        s.prompt(surface, "MOVE TO STEER!", bottom, YELLOW, 20)
        hint = f"hold {pose_word} to teach me more" + ("   Esc: back" if view.keyboard else "")
        if view.touch:  # no tiles in a game: the body steers, TEACH MORE comes at its end
            hint = "lean the way you taught me"
    if refresh is not None and refresh.running and not refresh.teaching:
        hint = "REFRESHING YOUR MOVES... play on"
    if view.message is None:
        under = layout.play_hint
        at = (under.centerx, under.bottom - 8 * u)
        s.regions["hint"] = s.text(
            surface, hint, at, 9, DIM, "midbottom", bg=BG, width=under.w - 16 * u
        )


def paused(s: Parts, surface: pygame.Surface, view: View, pose: str) -> None:
    """A pose taught in the game: the maze dimmed under PAUSED and what is being taught."""
    maze = s.layout.maze
    surface.blit(s.shade(maze.size, 150), maze.topleft)
    u = s.u
    s.regions["paused"] = maze
    s.text(surface, "PAUSED", (maze.centerx, maze.centery - 30 * u), 26, YELLOW, "center")
    colour = s.colour(view, pose)
    s.text(
        surface,
        f"TEACHING {pose.upper()}",
        (maze.centerx, maze.centery + 24 * u),
        16,
        colour,
        "center",
        width=maze.w - 16 * u,
    )
