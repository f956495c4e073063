"""ATTRACT: nobody there. The autopilot plays; the panel shows the title, the high-score
table and the steps, taking turns."""

from __future__ import annotations

import pygame

from edgepac.app.screens.canvas import (
    BG,
    DIM,
    TEXT,
    WHITE,
    YELLOW,
    blink,
)
from edgepac.app.screens.layout import Layout
from edgepac.app.screens.parts import Parts
from edgepac.app.view import View


def draw(s: Parts, surface: pygame.Surface, view: View, layout: Layout) -> None:
    u = s.u
    panel = s.draw_game(surface, view)
    surface.fill(BG, panel)  # the Renderer paints the rest
    cx = panel.centerx
    title = layout.title
    big = 30 if title.h >= 100 * u else 24
    room = panel.w - 16 * u
    s.text(surface, "EDGEPAC", (cx, title.y + 14 * u), big, YELLOW, "midtop", bg=BG, width=room)
    tagline = "STEER PAC-MAN WITH YOUR BODY"
    at = (cx, title.bottom - 40 * u)
    s.text(surface, tagline, at, 11, TEXT, "midtop", bg=BG, width=room)
    area = layout.intro
    # Arcade convention: the high-score table and the how-to take turns.
    if view.scores and int(view.t // 6) % 2 == 0:
        s.text(surface, "HIGH SCORES", (cx, area.y), 14, WHITE, "midtop", bg=BG)
        table = area.copy()
        table.y += round(32 * u)
        table.h -= round(32 * u)
        s.score_table(surface, view.scores, view.new_rank, table, rows=5, cap=12)
    else:
        how_to(s, surface, view, area)
    bottom = layout.attract_prompt
    s.targets["play"] = pygame.Rect(0, 0, s.w, s.h)  # a tap anywhere starts
    if blink(view.t, 1.0, 0.7):
        s.prompt(surface, "TAP TO START" if view.touch else "PRESS ANY BUTTON", bottom, YELLOW)


def how_to(s: Parts, surface: pygame.Surface, view: View, area: pygame.Rect) -> None:
    u = s.u
    pose_word = "A TILE" if view.touch else "AN ARROW KEY" if view.keyboard else "A BUTTON"
    steps = [
        ("1", f"HOLD {pose_word}", "and pose: that teaches one way"),
        ("2", f"PRESS {s.key(view, 'TRAIN', 'T')}", "it learns your poses"),
        ("3", f"PRESS {s.key(view, 'PLAY', 'P')}", "and steer with your body"),
    ]
    row = area.h / len(steps)
    for i, (n, big, small) in enumerate(steps):
        y = area.y + i * row + 4 * u
        pygame.draw.circle(
            surface, YELLOW, (area.x + round(16 * u), round(y + 16 * u)), round(16 * u)
        )
        s.text(surface, n, (area.x + 16 * u, y + 16 * u), 14, BG, "center")
        s.text(surface, big, (area.x + 44 * u, y + 2 * u), 14, WHITE, bg=BG)
        s.text(
            surface,
            small,
            (area.x + 44 * u, y + 32 * u),
            9,
            DIM,
            bg=BG,
            width=area.right - area.x - 44 * u,
        )
